/**
 * BSM's data: records read from GenBank / EMBL files or the shipped sets, their verified genes,
 * the sample generators of the recipe (single-modal windows, RefSeq-style pairs, gene-related
 * pairs, interleaved documents) and the packed training rows of every round, drawn once from the
 * run's seed so a resumed run sees the same rows.
 */
import {
  bsmSchedule,
  documentElements,
  drawMixture,
  genesByRecord,
  genesFromRecords,
  geneRelatedGroups,
  geneRelatedSample,
  interleavedSample,
  packSamples,
  parseEmbl,
  parseFasta,
  parseGenBank,
  parseShippedRecords,
  refseqSample,
  singleModalWindow,
  tokenCount,
  uniCorpusLike,
  type Gene,
  type Generators,
  type MixRound,
  type PackedRows,
  type Part,
  type Sample,
  type SeqRecord,
} from '../../data/bio/index.js';
import { sha256Hex } from '../../io/hash.js';
import { decodeText, type Storage } from '../../io/storage.js';
import { InputError } from '../../util/errors.js';
import { Rng } from '../../util/random.js';
import { evalCodons, mixWeights, roundFractions, type BSMConfig, type BSMDataOptions } from './config.js';

/** Records and genes of one input. */
export interface GeneSet {
  source: string;
  records: SeqRecord[];
  genes: Gene[];
  /** CDS that failed the pair check (left out), by reason. */
  failures: number;
  hash: string | null;
  /** Extra RNA sequences for single-modal samples (e.g. the shipped 16S rRNA genes). */
  rna: string[];
}

/** The training and held-out sets of a run. */
export interface BSMData {
  train: GeneSet;
  heldout: GeneSet;
  name: string;
}

async function readSet(storage: Storage, path: string): Promise<GeneSet> {
  let records: SeqRecord[];
  let hash: string | null = null;
  if (path.startsWith('shipped:bio/')) {
    const base = path.replace(/\.(fasta|tsv)$/, '');
    const name = base.slice('shipped:bio/'.length);
    const read = async (suffix: string) => await storage.readText(`${base}${suffix}`);
    records = parseShippedRecords(
      { fasta: await read('.fasta'), features: await read('-features.tsv'), records: await read('-records.tsv') },
      { fasta: `${name}.fasta`, features: `${name}-features.tsv`, records: `${name}-records.tsv` },
    );
  } else {
    const bytes = await storage.read(path);
    hash = await sha256Hex(bytes);
    const text = decodeText(bytes, path);
    const embl = /\.(embl|dat)$/i.test(path) || /^ID {3}/m.test(text.slice(0, 200));
    records = embl ? parseEmbl(text, path) : parseGenBank(text, path);
  }
  if (records.length === 0) throw new InputError('no sequence records', { file: path });
  // Shipped sets were pair-checked at extraction and carry no /translation; files are checked here.
  const { genes, failures } = genesFromRecords(records, { trustRetranslation: path.startsWith('shipped:') });
  if (genes.length === 0) throw new InputError(`no CDS passed the pair check (${failures.length} failed: ${failures[0]?.message ?? 'no CDS features'})`, { file: path });
  return { source: path, records, genes, failures: failures.length, hash, rna: [] };
}

/** Read the training and held-out records. */
export async function loadBSMData(storage: Storage, o: BSMDataOptions): Promise<BSMData> {
  const train = await readSet(storage, o.train);
  const heldout = await readSet(storage, o.heldout);
  if (o.rna !== 'none') {
    const recs = parseFasta(await storage.readText(o.rna), o.rna);
    // IUPAC ambiguity codes (R, Y, M, …: 71 of the shipped 16S letters) become N, the tokenizer's one unknown base.
    train.rna = recs.map((r) =>
      r.sequence
        .toUpperCase()
        .replace(/T/g, 'U')
        .replace(/[RYKMSWBDHV]/g, 'N'),
    );
    for (const [k, r] of recs.entries()) if (!/^[ACGUN]+$/.test(train.rna[k]!)) throw new InputError(`record ${r.id} is not a nucleotide sequence`, { file: o.rna, line: r.line });
  }
  const trainRecords = new Set(train.records.map((r) => r.accession));
  const shared = heldout.records.filter((r) => trainRecords.has(r.accession));
  if (shared.length) throw new InputError(`the held-out set shares ${shared.length} record(s) with the training set (${shared[0]!.accession}); split by organism`, { file: o.heldout });
  return { train, heldout, name: `${o.train.replace(/^shipped:bio\//, '')} → ${o.heldout.replace(/^shipped:bio\//, '')}` };
}

/** The recipe's sample generators over a gene set. */
export function generators(set: GeneSet, cfg: BSMConfig): Generators {
  const nucleotides: Part[] = [];
  for (const g of set.genes) nucleotides.push({ modality: 'dna', sequence: g.genomic }, { modality: 'dna', sequence: g.cds });
  for (const r of set.records) if (r.moleculeType === 'RNA' || r.moleculeType === 'rRNA') nucleotides.push({ modality: 'rna', sequence: r.sequence.replace(/T/g, 'U') });
  for (const seq of set.rna) nucleotides.push({ modality: 'rna', sequence: seq });
  const proteins = set.genes.map((g) => g.protein);
  const pools = { nucleotides, proteins };
  const K = evalCodons(cfg);
  // Whole genes (--window-codons 0) or in-frame windows of K codons for the pairs.
  const pairWindow = cfg.windowCodons > 0 ? { windowCodons: cfg.windowCodons } : {};
  const t = cfg.tripleShare;
  const combos = { 'dna-protein': (1 - t) * cfg.dnaPairShare, 'rna-protein': (1 - t) * (1 - cfg.dnaPairShare), 'dna-rna-protein': t };
  const groups = geneRelatedGroups(set.genes);
  const byRecord = genesByRecord(set.genes);
  const docs = set.records.map((r) => documentElements(r, byRecord.get(r.accession) ?? [])).filter((d) => d.length >= 3);
  const pick = <T>(xs: readonly T[], rng: Rng): T => xs[rng.int(xs.length)]!;
  return {
    single: (rng) => {
      if (cfg.singleLength > 0) return singleModalWindow(pools, rng, { length: cfg.singleLength });
      // Windows as long as the pairs' (3K nucleotides or K residues): half nucleotide, half protein, as singleModalWindow draws them.
      const nucleotide = rng.uniform() < 0.5;
      return nucleotide ? singleModalWindow({ nucleotides, proteins: [] }, rng, { length: 3 * K }) : singleModalWindow({ nucleotides: [], proteins }, rng, { length: K });
    },
    refseq: (rng) => refseqSample(pick(set.genes, rng), rng, { combinations: combos, ...pairWindow }),
    ...(groups.length ? { geneRelated: (rng: Rng) => geneRelatedSample(pick(groups, rng), rng, pairWindow) } : {}),
    ...(docs.length ? { interleaved: (rng: Rng) => interleavedSample(pick(docs, rng), rng, { maxTokens: cfg.context + 1, maxElementLength: Math.max(6, Math.floor(cfg.context / 4)) }) } : {}),
  };
}

/** One round of training rows. */
export interface RoundRows {
  round: MixRound;
  rows: PackedRows;
  samples: number;
  tokens: number;
  /** Tokens per sample kind. */
  kinds: Record<string, number>;
}

/** The rounds of a configuration (one round for --schedule single). */
export function schedule(cfg: BSMConfig): MixRound[] {
  if (cfg.schedule === 'rounds') {
    const s = cfg.lr / 3e-3;
    const [s2, p2, g2] = mixWeights(cfg.r2Mix, '--r2-mix');
    const [p3, g3, i3] = mixWeights(cfg.r3Mix, '--r3-mix');
    return bsmSchedule(cfg.steps, {
      fractions: roundFractions(cfg),
      r2: { single: s2, refseq: p2, geneRelated: g2 },
      r3: { refseq: p3, geneRelated: g3, interleaved: i3 },
      lr: [
        [3e-3 * s, 1.5e-3 * s],
        [1.5e-3 * s, 1.5e-5 * s],
        [1.5e-4 * s, 0],
      ],
    });
  }
  // uni replaces the mixture by single-modal samples of the same token count (trainingRows), so its rounds carry the mix weights too.
  const weights = { single: 1 - cfg.pairShare, refseq: cfg.pairShare };
  return [{ name: 'single', startStep: 0, endStep: cfg.steps, weights, lr: [cfg.lr, cfg.lr * cfg.minLrRatio] }];
}

/**
 * Draw and pack every round's rows: the mixture at the round's weights with enough tokens for its
 * steps (mix), or single-modal samples at the same token count as the mixture (uni). Rows are in
 * a seeded random order; a round with more steps than rows starts over.
 */
export function trainingRows(set: GeneSet, cfg: BSMConfig, seed: number): RoundRows[] {
  const gens = generators(set, cfg);
  const rng = new Rng(seed ^ 0xb5e);
  return schedule(cfg).map((round) => {
    const steps = round.endStep - round.startStep;
    // 5 % more tokens than the rows hold: packing leaves gaps at row ends.
    const budget = Math.ceil(steps * cfg.batchSize * (cfg.context + 1) * 1.05);
    const weights = Object.fromEntries(Object.entries(round.weights).filter(([k, w]) => (w ?? 0) > 0 && gens[k as keyof Generators]));
    let samples: Sample[] = steps > 0 ? drawMixture(weights, gens, budget, rng) : [];
    if (cfg.corpus === 'uni' && steps > 0) samples = uniCorpusLike(samples, gens.single!, rng);
    rng.shuffle(samples);
    const rows = packSamples(samples, { rowLength: cfg.context });
    const kinds: Record<string, number> = {};
    for (const s of samples) kinds[s.kind] = (kinds[s.kind] ?? 0) + s.tokens.length;
    return { round, rows, samples: samples.length, tokens: tokenCount(samples), kinds };
  });
}
