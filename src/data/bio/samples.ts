/**
 * BSM training samples as pure, seeded functions (docs/research/sequence.md §1(a), §1(d), §1(e)):
 * single-modal samples, RefSeq-style gene triples, gene-related pairs, interleaved documents and in-frame windows.
 * A sample is a token list `<bos> X [<sep> Y …] <eos>` built with the tokeniser of `tokenizer.ts`.
 */
import type { Rng } from '../../util/random.js';
import { translate } from './genetic-code.js';
import { dnaToRna } from './alphabet.js';
import type { Modality } from './alphabet.js';
import type { DocumentElement, Gene } from './genes.js';
import { BOS_ID, EOS_ID, SEP_ID, encodeSequence, modalityTagId } from './tokenizer.js';

/** Where a sample came from (the mixture sources of the three-round schedule, plus evaluation kinds). */
export type SampleKind = 'single' | 'refseq' | 'gene-related' | 'interleaved';

/** One training sample. */
export interface Sample {
  tokens: number[];
  kind: SampleKind;
  /**
   * Optional per-token loss weights (1 = predict this token, 0 = context only), same length as `tokens`. Absent
   * means every token is a target, which is BSM's plain next-token objective.
   */
  lossMask?: number[];
}

/** A sequence with its modality. */
export interface Part {
  modality: Modality;
  sequence: string;
}

/** Options shared by the sample builders. */
export interface SampleFormat {
  /** Put `<dna>`/`<rna>`/`<protein>` before each sequence (default false: BSM names only `<sep>`). */
  modalityTags?: boolean;
}

/** `<bos> p0 <sep> p1 … <eos>` for a list of parts. */
export function joinParts(parts: readonly Part[], kind: SampleKind, format: SampleFormat = {}): Sample {
  const tokens: number[] = [BOS_ID];
  parts.forEach((p, i) => {
    if (i > 0) tokens.push(SEP_ID);
    if (format.modalityTags) tokens.push(modalityTagId(p.modality));
    for (const id of encodeSequence(p.sequence, p.modality)) tokens.push(id);
  });
  tokens.push(EOS_ID);
  return { tokens, kind };
}

/** A single-modal sample `<bos> seq <eos>`. */
export function singleModalSample(part: Part, format: SampleFormat = {}): Sample {
  return joinParts([part], 'single', format);
}

/** An in-frame window of a gene: K codons of coding DNA and the K residues they encode. */
export interface CodonWindow {
  /** First codon (0-based). */
  codon: number;
  dna: string;
  protein: string;
}

/**
 * A random in-frame window of `k` codons of a gene (docs/research/sequence.md §1(e)): DNA = cds[3i, 3i+3k), protein =
 * protein[i, i+k). The window is re-translated with the gene's code (codon 0 read as a start codon only for
 * complete genes) and rejected when that disagrees with the protein; null after `tries` rejections or when the gene is
 * shorter than k codons. Genes shorter than k codons give their whole length when `allowShorter`.
 */
export function codonWindow(gene: Gene, k: number, rng: Rng, options: { tries?: number; allowShorter?: boolean } = {}): CodonWindow | null {
  const nCodons = Math.min(gene.protein.length, Math.floor(gene.cds.length / 3));
  if (nCodons < k && !options.allowShorter) return null;
  const len = Math.min(k, nCodons);
  if (len <= 0) return null;
  const tries = options.tries ?? 4;
  for (let t = 0; t < tries; t++) {
    const i = rng.int(nCodons - len + 1);
    const dna = gene.cds.slice(3 * i, 3 * (i + len));
    const protein = gene.protein.slice(i, i + len);
    const check = translate(dna, { table: gene.table, firstCodonIsStart: i === 0 && gene.complete5 });
    if (check === protein) return { codon: i, dna, protein };
  }
  return null;
}

/** Every window of `k` codons at stride `stride` codons (default k: non-overlapping) that re-translates correctly. */
export function allCodonWindows(gene: Gene, k: number, stride = k): CodonWindow[] {
  const out: CodonWindow[] = [];
  const nCodons = Math.min(gene.protein.length, Math.floor(gene.cds.length / 3));
  for (let i = 0; i + k <= nCodons; i += stride) {
    const dna = gene.cds.slice(3 * i, 3 * (i + k));
    const protein = gene.protein.slice(i, i + k);
    if (translate(dna, { table: gene.table, firstCodonIsStart: i === 0 && gene.complete5 }) === protein) out.push({ codon: i, dna, protein });
  }
  return out;
}

/** Which sequences of a gene a RefSeq-style sample combines. */
export type Combination = 'dna-protein' | 'rna-protein' | 'dna-rna' | 'dna-rna-protein';

/** Options of `refseqSample`. */
export interface RefSeqOptions extends SampleFormat {
  /**
   * Weights of the combinations (default: the 2- and 3-element combinations of docs/research/sequence.md §1(d) with equal weight
   * and no DNA↔RNA copy pairs, which §1(e) run A found the model learns first and then over-uses:
   * { 'dna-protein': 1, 'rna-protein': 1, 'dna-rna-protein': 1 }).
   */
  combinations?: Partial<Record<Combination, number>>;
  /**
   * Crop to an in-frame window of this many codons (all three sequences of the same window); by default the whole
   * gene: DNA = genomic span (introns and flanks), RNA = spliced CDS in U spelling, protein.
   */
  windowCodons?: number;
  /** Keep the parts in combination order instead of shuffling them (default false: shuffled, as in BSM). */
  fixedOrder?: boolean;
}

/** Draw a key of a weight table (weights ≥ 0, not all zero). */
export function drawWeighted<K extends string>(weights: Partial<Record<K, number>>, rng: Rng): K {
  const keys = (Object.keys(weights) as K[]).filter((k) => (weights[k] ?? 0) > 0);
  const total = keys.reduce((s, k) => s + (weights[k] ?? 0), 0);
  if (keys.length === 0 || !(total > 0)) throw new RangeError('drawWeighted: no positive weight');
  let u = rng.uniform() * total;
  for (const k of keys) {
    u -= weights[k] ?? 0;
    if (u < 0) return k;
  }
  return keys[keys.length - 1]!;
}

/**
 * A RefSeq-style sample of one gene (BSM Appendix B, docs/research/sequence.md §1(d)): two or three of its DNA, RNA and protein,
 * in shuffled order, joined by `<sep>`. Null when a window is asked for and the gene has none.
 */
export function refseqSample(gene: Gene, rng: Rng, options: RefSeqOptions = {}): Sample | null {
  const combo = drawWeighted<Combination>(options.combinations ?? { 'dna-protein': 1, 'rna-protein': 1, 'dna-rna-protein': 1 }, rng);
  let dna: string;
  let rna: string;
  let protein: string;
  if (options.windowCodons !== undefined) {
    const w = codonWindow(gene, options.windowCodons, rng);
    if (w === null) return null;
    dna = w.dna;
    rna = dnaToRna(w.dna);
    protein = w.protein;
  } else {
    dna = gene.genomic;
    rna = dnaToRna(gene.cds);
    protein = gene.protein;
  }
  const parts: Part[] = [];
  if (combo.includes('dna')) parts.push({ modality: 'dna', sequence: dna });
  if (combo.includes('rna')) parts.push({ modality: 'rna', sequence: rna });
  if (combo.includes('protein')) parts.push({ modality: 'protein', sequence: protein });
  if (!options.fixedOrder) rng.shuffle(parts);
  return joinParts(parts, 'refseq', options);
}

/** Normalised gene name for grouping: lower case, surrounding space removed; null for unnamed genes. */
export function geneKey(gene: Gene): string | null {
  const g = gene.gene?.trim().toLowerCase();
  return g ? g : null;
}

/**
 * Gene-related groups (the NCBI Gene "related sequences" analogue of docs/research/sequence.md §1(d)): genes sharing a name,
 * keeping only names found on at least `minRecords` different records (default 2). Group order and member order
 * follow the input, so the result is deterministic.
 */
export function geneRelatedGroups(genes: readonly Gene[], minRecords = 2): Gene[][] {
  const by = new Map<string, Gene[]>();
  for (const g of genes) {
    const k = geneKey(g);
    if (k === null) continue;
    let list = by.get(k);
    if (list === undefined) by.set(k, (list = []));
    list.push(g);
  }
  const out: Gene[][] = [];
  for (const list of by.values()) {
    if (new Set(list.map((g) => g.record)).size >= minRecords) out.push(list);
  }
  return out;
}

/** Options of `geneRelatedSample`. */
export interface GeneRelatedOptions extends SampleFormat {
  /** Weights of the pair types: gene DNA ↔ other gene's protein, protein ↔ protein, DNA ↔ DNA (default 2 : 1 : 1). */
  pairs?: Partial<Record<'dna-protein' | 'protein-protein' | 'dna-dna', number>>;
  /** Crop each side to an in-frame window of this many codons (independent windows; default whole CDS). */
  windowCodons?: number;
}

/**
 * A gene-related pair: two genes of one group from different records, one sequence of each, random order. Null when
 * the group has no two genes on different records or a requested window does not exist.
 */
export function geneRelatedSample(group: readonly Gene[], rng: Rng, options: GeneRelatedOptions = {}): Sample | null {
  if (group.length < 2) return null;
  const a = group[rng.int(group.length)]!;
  const others = group.filter((g) => g.record !== a.record);
  if (others.length === 0) return null;
  const b = others[rng.int(others.length)]!;
  const type = drawWeighted(options.pairs ?? { 'dna-protein': 2, 'protein-protein': 1, 'dna-dna': 1 }, rng);
  const side = (g: Gene, m: 'dna' | 'protein'): Part | null => {
    if (options.windowCodons === undefined) return m === 'dna' ? { modality: 'dna', sequence: g.cds } : { modality: 'protein', sequence: g.protein };
    const w = codonWindow(g, options.windowCodons, rng);
    if (w === null) return null;
    return m === 'dna' ? { modality: 'dna', sequence: w.dna } : { modality: 'protein', sequence: w.protein };
  };
  const [ma, mb] = type === 'dna-protein' ? (['dna', 'protein'] as const) : type === 'dna-dna' ? (['dna', 'dna'] as const) : (['protein', 'protein'] as const);
  const pa = side(a, ma);
  const pb = side(b, mb);
  if (pa === null || pb === null) return null;
  const parts = [pa, pb];
  rng.shuffle(parts);
  return joinParts(parts, 'gene-related', options);
}

/** Options of `interleavedSample`. */
export interface InterleavedOptions extends SampleFormat {
  /** Probability that a CDS element is written as its coding DNA instead of its protein (default 0.3). */
  dnaFraction?: number;
  /** Longest element, in letters; longer ones are cut to a random piece of this length (CDS: in frame). Default 300. */
  maxElementLength?: number;
  /** Token budget of the whole sample (default 1024, BSM's context); a random run of consecutive elements that fits is kept. */
  maxTokens?: number;
  /** Fewest elements a document must keep (default 3, BSM's filter for web documents). */
  minElements?: number;
}

/**
 * An interleaved document (docs/research/sequence.md §1(d)): a random run of consecutive sequence elements of one record, in
 * coordinate order, joined by `<sep>`. Null when fewer than `minElements` fit.
 */
export function interleavedSample(elements: readonly DocumentElement[], rng: Rng, options: InterleavedOptions = {}): Sample | null {
  const minElements = options.minElements ?? 3;
  const maxLen = options.maxElementLength ?? 300;
  const maxTokens = options.maxTokens ?? 1024;
  const dnaFraction = options.dnaFraction ?? 0.3;
  if (elements.length < minElements) return null;
  const parts: Part[] = elements.map((e) => {
    if (e.gene !== undefined && rng.uniform() < dnaFraction) {
      const codons = Math.max(1, Math.floor(maxLen / 3));
      const w = codonWindow(e.gene, codons, rng, { allowShorter: true });
      if (w !== null) return { modality: 'dna', sequence: w.dna };
    }
    if (e.sequence.length <= maxLen) return { modality: e.modality, sequence: e.sequence };
    const s = rng.int(e.sequence.length - maxLen + 1);
    return { modality: e.modality, sequence: e.sequence.slice(s, s + maxLen) };
  });
  const tagCost = options.modalityTags ? 1 : 0;
  const cost = parts.map((p) => p.sequence.length + 1 + tagCost); // +1: the <sep> (or <eos>) after it
  const first = rng.int(parts.length);
  // Take elements from `first` on while they fit (wrapping is not allowed: order must stay the record's order).
  let start = Math.min(first, Math.max(0, parts.length - minElements));
  let end = start;
  let used = 1; // <bos>
  while (end < parts.length && used + cost[end]! <= maxTokens) used += cost[end++]!;
  while (end - start < minElements && start > 0 && used + cost[start - 1]! <= maxTokens) used += cost[--start]!;
  if (end - start < minElements) return null;
  return joinParts(parts.slice(start, end), 'interleaved', options);
}

/** Options of `singleModalWindow`. */
export interface SingleModalOptions extends SampleFormat {
  /** Window length in letters (DNA/RNA) or residues (protein), default 36. */
  length?: number;
  /** Probability of a nucleotide (vs protein) sample (default 0.5, docs/research/sequence.md §1(e)). */
  nucleotideFraction?: number;
  /** Probability that a nucleotide window is written as RNA (default 0.3). */
  rnaFraction?: number;
}

/**
 * A single-modal window (docs/research/sequence.md §1(e) `uni`): with probability `nucleotideFraction` a nucleotide window from
 * `nucleotides` (genomic or CDS DNA; written as RNA with probability `rnaFraction`; RNA pool entries, e.g. 16S rRNA,
 * always as RNA), otherwise a protein window from `proteins`. DNA and protein are drawn independently, never paired.
 */
export function singleModalWindow(pools: { nucleotides: readonly Part[]; proteins: readonly string[] }, rng: Rng, options: SingleModalOptions = {}): Sample {
  const len = options.length ?? 36;
  const nucleotide = pools.proteins.length === 0 || (pools.nucleotides.length > 0 && rng.uniform() < (options.nucleotideFraction ?? 0.5));
  if (nucleotide) {
    const p = pools.nucleotides[rng.int(pools.nucleotides.length)]!;
    const s = p.sequence.length > len ? rng.int(p.sequence.length - len + 1) : 0;
    let seq = p.sequence.slice(s, s + len);
    let modality: Modality = p.modality;
    if (modality === 'dna' && rng.uniform() < (options.rnaFraction ?? 0.3)) {
      seq = dnaToRna(seq);
      modality = 'rna';
    }
    return singleModalSample({ modality, sequence: seq }, options);
  }
  const prot = pools.proteins[rng.int(pools.proteins.length)]!;
  const s = prot.length > len ? rng.int(prot.length - len + 1) : 0;
  return singleModalSample({ modality: 'protein', sequence: prot.slice(s, s + len) }, options);
}
