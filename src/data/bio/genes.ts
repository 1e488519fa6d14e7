/**
 * Verified genes: CDS whose extracted DNA re-translates to its protein, with the context the BSM recipe needs
 * (in-frame coding DNA, protein, genomic span with introns and flanks). Everything downstream (pairs, windows,
 * documents, Central-Dogma items) is built from these.
 */
import { checkCdsEntry, cdsEntries, genomicSpan, type CdsEntry, type PairStatus } from './features.js';
import { featureSequence } from './features.js';
import type { SeqRecord } from './record.js';
import { hasQualifier } from './record.js';

/** One verified gene. */
export interface Gene {
  /** `record:line` of the CDS feature (unique within one set of files). */
  id: string;
  /** Accession of the record the gene is on. */
  record: string;
  organism: string;
  /** /gene name, or null. */
  gene: string | null;
  locusTag: string | null;
  product: string | null;
  /** NCBI genetic code. */
  table: number;
  /** In-frame coding DNA (codon_start applied, stop codon removed); length 3 × protein length (± a partial codon). */
  cds: string;
  /** Protein (the /translation when the record has one, else the re-translation). */
  protein: string;
  /** Genomic span on the coding strand, `flank` bases either side, introns kept. */
  genomic: string;
  spliced: boolean;
  strand: 1 | -1 | 0;
  /** Lowest record coordinate of the CDS (orders genes along the record). */
  start: number;
  /** The 5' end is complete, so codon 0 is the start codon. */
  complete5: boolean;
  status: PairStatus;
}

/** A CDS that did not become a Gene, and why. */
export interface GeneFailure {
  source: string;
  record: string;
  line: number;
  gene: string | null;
  status: PairStatus | 'pseudo' | 'remote' | 'no-sequence';
  message: string;
}

/** Options of `genesFromRecords`. */
export interface GenesOptions {
  /** Bases of genomic context either side of the CDS span (default 100, the LucaOne Central-Dogma construction). */
  flank?: number;
  /** Default genetic code for CDS without /transl_table (default 1). */
  defaultTable?: number;
  /**
   * Accept a CDS without /translation when its re-translation has no internal stop (default false). The shipped
   * files of `data/bio` carry no /translation (every CDS in them was verified at extraction), so their reader
   * sets this.
   */
  trustRetranslation?: boolean;
}

/** Verified genes of a list of records, plus the failures with their reasons. */
export function genesFromRecords(records: readonly SeqRecord[], options: GenesOptions = {}): { genes: Gene[]; failures: GeneFailure[] } {
  const flank = options.flank ?? 100;
  const genes: Gene[] = [];
  const failures: GeneFailure[] = [];
  for (const r of records) {
    if (r.sequence.length === 0) continue;
    const cdsOptions = options.defaultTable === undefined ? {} : { defaultTable: options.defaultTable };
    const { entries, skipped } = cdsEntries(r, cdsOptions);
    for (const s of skipped) {
      failures.push({ source: r.source, record: r.accession || r.name, line: s.line, gene: null, status: 'remote', message: s.reason });
    }
    for (const e of entries) {
      const fail = (status: GeneFailure['status'], message: string): void => {
        failures.push({ source: e.source, record: e.record, line: e.line, gene: e.gene, status, message });
      };
      if (e.pseudo) {
        fail('pseudo', 'pseudogene');
        continue;
      }
      const check = checkCdsEntry(e);
      let protein: string;
      let status = check.status;
      if (check.ok) protein = e.translation!;
      else if (status === 'no-translation' && options.trustRetranslation && check.translated.length > 0 && !check.translated.includes('*')) {
        protein = check.translated;
        status = 'ok';
      } else {
        fail(status, check.message);
        continue;
      }
      genes.push(toGene(r, e, check.coding, protein, status, flank));
    }
  }
  return { genes, failures };
}

function toGene(r: SeqRecord, e: CdsEntry, coding: string, protein: string, status: PairStatus, flank: number): Gene {
  // A protein one residue longer than coding/3 comes from a translated partial last codon: keep its bases too.
  let cds = coding;
  if (protein.length * 3 > cds.length) {
    const inFrame = e.sequence.slice(e.codonStart - 1);
    cds = inFrame.slice(0, Math.min(inFrame.length, protein.length * 3));
  }
  return {
    id: `${e.record}:${e.line}`,
    record: e.record,
    organism: e.organism,
    gene: e.gene,
    locusTag: e.locusTag,
    product: e.product,
    table: e.table,
    cds,
    protein,
    genomic: genomicSpan(r, e.location, flank),
    spliced: e.spliced,
    strand: e.location.strand,
    start: e.location.min,
    complete5: !e.location.partial5 && e.codonStart === 1,
    status,
  };
}

/** A sequence element of a record's interleaved document. */
export interface DocumentElement {
  modality: 'dna' | 'rna' | 'protein';
  sequence: string;
  /** Feature key it came from (CDS, rRNA, tRNA, ncRNA, …). */
  key: string;
  /** Lowest record coordinate (document order). */
  start: number;
  /** For CDS elements, the Gene (so a document builder may emit its DNA or its protein). */
  gene?: Gene;
}

/** Feature keys whose product is an RNA that `documentElements` writes in RNA spelling. */
const RNA_KEYS = new Set(['rRNA', 'tRNA', 'ncRNA', 'tmRNA', 'misc_RNA']);

/**
 * The sequences of a record's features in coordinate order, the analogue of BSM's web-interleaved documents
 * (docs/research/sequence.md §1(d)): every verified gene of the record (as its protein; builders may swap in its
 * DNA) and every structural RNA (rRNA, tRNA, ncRNA, tmRNA, misc_RNA; RNA spelling).
 */
export function documentElements(record: SeqRecord, genesOfRecord: readonly Gene[]): DocumentElement[] {
  const out: DocumentElement[] = [];
  for (const g of genesOfRecord) out.push({ modality: 'protein', sequence: g.protein, key: 'CDS', start: g.start, gene: g });
  for (const f of record.features) {
    if (!RNA_KEYS.has(f.key) || f.location.segments.some((s) => s.remote !== undefined)) continue;
    if (hasQualifier(f, 'pseudo') || hasQualifier(f, 'pseudogene')) continue;
    const seq = featureSequence(record, f).replace(/T/g, 'U');
    if (seq.length > 0) out.push({ modality: 'rna', sequence: seq, key: f.key, start: f.location.min });
  }
  out.sort((a, b) => a.start - b.start);
  return out;
}

/** Genes grouped by record accession (each list in coordinate order). */
export function genesByRecord(genes: readonly Gene[]): Map<string, Gene[]> {
  const m = new Map<string, Gene[]>();
  for (const g of genes) {
    let list = m.get(g.record);
    if (list === undefined) m.set(g.record, (list = []));
    list.push(g);
  }
  for (const list of m.values()) list.sort((a, b) => a.start - b.start);
  return m;
}

/**
 * Remove genes whose protein equals an earlier gene's protein (first occurrence kept), as the survey of
 * docs/research/sequence.md §1(d) de-duplicates; kaptive loci repeat the same genes many times.
 */
export function dedupeByProtein(genes: readonly Gene[], exclude: ReadonlySet<string> = new Set()): Gene[] {
  const seen = new Set<string>(exclude);
  const out: Gene[] = [];
  for (const g of genes) {
    if (seen.has(g.protein)) continue;
    seen.add(g.protein);
    out.push(g);
  }
  return out;
}
