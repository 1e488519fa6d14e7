/**
 * BSM's evaluations on a held-out organism (docs/research/sequence.md §1(e)): greedy DNA→protein and
 * RNA→protein translation of in-frame windows with decoding restricted to residues (per-residue
 * accuracy, exact windows); Central-Dogma discrimination — AUC of the mean log-probability of the
 * protein given `<bos> DNA <sep>`, true pairs against 2-substitution and 1-nt-deletion corruptions,
 * after k in-context demonstrations; and single-modal NLL per token. Baselines on the same items:
 * always the commonest training residue, and a unigram letter model fitted on the training genes.
 */
import {
  BOS_ID,
  EOS_ID,
  SEP_ID,
  STANDARD_RESIDUES,
  encodeSequence,
  RESIDUE_FIRST_ID,
  RESIDUE_LETTERS,
  VOCAB_SIZE,
  centralDogmaItems,
  codonWindow,
  dnaToRna,
  type Gene,
  type CentralDogmaItem,
} from '../../data/bio/index.js';
import { rocAuc } from '../../metrics/auc.js';
import type { LlamaForCausalLM } from '../../nn/transformer/index.js';
import type { Rng } from '../../util/random.js';
import { evalCodons, type BSMConfig } from './config.js';
import type { GeneSet } from './data.js';
import { alphabetIds, continuationLogProbsAny } from './model.js';

/** Held-out single-modal windows (token lists `<bos> seq <eos>`). */
export interface NllWindows {
  protein: number[][];
  dna: number[][];
}

function distinctGenes(set: GeneSet, n: number, rng: Rng): Gene[] {
  const order = rng.permutation(set.genes.length);
  return Array.from(order.slice(0, Math.min(n, order.length)), (i) => set.genes[i]!);
}

/** Protein and DNA windows (of --single-length) from distinct held-out genes. */
export function validationWindows(set: GeneSet, cfg: BSMConfig, rng: Rng, n = 50): NllWindows {
  const pLen = cfg.singleLength || evalCodons(cfg);
  const dLen = cfg.singleLength || 3 * evalCodons(cfg);
  const out: NllWindows = { protein: [], dna: [] };
  for (const g of distinctGenes(set, n, rng)) {
    const p = g.protein.length > pLen ? rng.int(g.protein.length - pLen + 1) : 0;
    out.protein.push([BOS_ID, ...encodeSequence(g.protein.slice(p, p + pLen), 'protein'), EOS_ID]);
    const d = g.cds.length > dLen ? rng.int(g.cds.length - dLen + 1) : 0;
    out.dna.push([BOS_ID, ...encodeSequence(g.cds.slice(d, d + dLen), 'dna'), EOS_ID]);
  }
  return out;
}

/** Mean NLL per token (every token after `<bos>`, `<eos>` included) of protein-only and DNA-only windows. */
export function singleModalNll(net: LlamaForCausalLM, w: NllWindows): { protein: number; dna: number } {
  const one = (rows: number[][]) => {
    if (!rows.length) return Number.NaN;
    const r = continuationLogProbsAny(
      net,
      rows.map(() => [BOS_ID]),
      rows.map((x) => x.slice(1)),
    );
    return -r.mean.reduce((a, b) => a + b, 0) / rows.length;
  };
  return { protein: one(w.protein), dna: one(w.dna) };
}

/** A unigram letter model: log-frequencies of every token in the training genes' proteins and CDS (add-one). */
export interface Unigram {
  logp: Float64Array;
  /** The commonest residue id. */
  majorityResidue: number;
}

export function fitUnigram(set: GeneSet): Unigram {
  const counts = new Float64Array(VOCAB_SIZE).fill(1);
  for (const g of set.genes) {
    for (const id of encodeSequence(g.protein, 'protein')) counts[id]!++;
    for (const id of encodeSequence(g.cds, 'dna')) counts[id]!++;
  }
  counts[EOS_ID]! += 2 * set.genes.length;
  const total = counts.reduce((a, b) => a + b, 0);
  let best = RESIDUE_FIRST_ID;
  for (const id of alphabetIds('protein')) if (counts[id]! > counts[best]!) best = id;
  return { logp: counts.map((c) => Math.log(c / total)), majorityResidue: best };
}

function unigramMean(u: Unigram, tokens: readonly number[]): number {
  let s = 0;
  for (const t of tokens) s += u.logp[t]!;
  return s / Math.max(1, tokens.length);
}

/** Translation accuracy of greedy residue-only decoding. */
export interface TranslationScores {
  dnaResidueAccuracy: number;
  rnaResidueAccuracy: number;
  dnaExact: number;
  rnaExact: number;
  majorityAccuracy: number;
  windows: number;
  /** A few examples for the report: DNA window, true protein, predicted. */
  examples: Array<{ dna: string; protein: string; predicted: string }>;
}

/** In-frame windows of K codons from distinct held-out genes. */
export function heldoutWindows(set: GeneSet, k: number, n: number, rng: Rng): Array<{ dna: string; protein: string }> {
  const out: Array<{ dna: string; protein: string }> = [];
  for (const i of rng.permutation(set.genes.length)) {
    if (out.length >= n) break;
    const w = codonWindow(set.genes[i]!, k, rng);
    if (w) out.push({ dna: w.dna, protein: w.protein });
  }
  return out;
}

export function translationScores(net: LlamaForCausalLM, windows: ReadonlyArray<{ dna: string; protein: string }>, majorityResidue: number): TranslationScores {
  const allowed = alphabetIds('protein');
  const run = (rna: boolean) => {
    const prompts = windows.map((w) => [BOS_ID, ...encodeSequence(rna ? dnaToRna(w.dna) : w.dna, rna ? 'rna' : 'dna'), SEP_ID]);
    const K = windows[0]?.protein.length ?? 0;
    const outs = net.generate(prompts, { maxNewTokens: K, allowedTokens: allowed });
    let hit = 0;
    let all = 0;
    let exact = 0;
    const pred: number[][] = [];
    windows.forEach((w, i) => {
      const truth = encodeSequence(w.protein, 'protein');
      const got = outs[i]!;
      pred.push(got);
      let ok = 0;
      truth.forEach((t, j) => {
        if (got[j] === t) ok++;
      });
      hit += ok;
      all += truth.length;
      if (ok === truth.length) exact++;
    });
    return { acc: hit / Math.max(1, all), exact: exact / Math.max(1, windows.length), pred };
  };
  const d = run(false);
  const r = run(true);
  let maj = 0;
  let all = 0;
  for (const w of windows) {
    for (const t of encodeSequence(w.protein, 'protein')) {
      if (t === majorityResidue) maj++;
      all++;
    }
  }
  const letters = (ids: number[]) => ids.map((t) => RESIDUE_LETTERS[t - RESIDUE_FIRST_ID] ?? '?').join('');
  return {
    dnaResidueAccuracy: d.acc,
    rnaResidueAccuracy: r.acc,
    dnaExact: d.exact,
    rnaExact: r.exact,
    majorityAccuracy: maj / Math.max(1, all),
    windows: windows.length,
    examples: windows.slice(0, 5).map((w, i) => ({ dna: w.dna, protein: w.protein, predicted: letters(d.pred[i]!) })),
  };
}

/** Central-Dogma AUC at each shot count, for the model and the unigram baseline. */
export interface CentralDogmaScores {
  shots: number[];
  auc: number[];
  unigramAuc: number;
  items: number;
}

function pairTokens(dna: string, protein: string): number[] {
  return [BOS_ID, ...encodeSequence(dna, 'dna'), SEP_ID, ...encodeSequence(protein, 'protein'), EOS_ID];
}

export function centralDogmaScores(net: LlamaForCausalLM, set: GeneSet, cfg: BSMConfig, positives: number, shots: readonly number[], unigram: Unigram, rng: Rng): CentralDogmaScores {
  // Substitutes are drawn by the training residue frequencies and frameshifted DNA keeps its length: a negative is
  // not given away by a rare residue or by where its protein starts, only by the DNA–protein link.
  const residueWeights = Array.from(STANDARD_RESIDUES, (c) => Math.exp(unigram.logp[encodeSequence(c, 'protein')[0]!]!));
  const items: CentralDogmaItem[] = centralDogmaItems(set.genes, rng, { positives, windowCodons: evalCodons(cfg), residueWeights, frameshiftKeepsLength: true });
  const used = new Set(items.map((i) => i.geneId));
  // Demonstrations: true windows of other held-out genes than the items'.
  const demoGenes = set.genes.filter((g) => !used.has(g.id));
  const demos = heldoutWindows({ ...set, genes: demoGenes.length >= 8 ? demoGenes : set.genes }, evalCodons(cfg), 64, rng);
  const labels = Float64Array.from(items, (i) => i.label);
  const auc = shots.map((k) => {
    const prompts = items.map((it, j) => {
      const ctx: number[] = [];
      for (let s = 0; s < k; s++) {
        const d = demos[(j * 7 + s * 13) % demos.length]!;
        ctx.push(...pairTokens(d.dna, d.protein));
      }
      return [...ctx, BOS_ID, ...encodeSequence(it.dna, 'dna'), SEP_ID];
    });
    const targets = items.map((it) => encodeSequence(it.protein, 'protein'));
    const r = continuationLogProbsAny(net, prompts, targets);
    return rocAuc(labels, r.mean);
  });
  const uni = Float64Array.from(items, (it) => unigramMean(unigram, encodeSequence(it.protein, 'protein')));
  return { shots: [...shots], auc, unigramAuc: rocAuc(labels, uni), items: items.length };
}

/** Unigram NLL per token of the same windows as {@link singleModalNll}. */
export function unigramNll(u: Unigram, w: NllWindows): { protein: number; dna: number } {
  const one = (rows: number[][]) => (rows.length ? -rows.reduce((a, r) => a + unigramMean(u, r.slice(1)), 0) / rows.length : Number.NaN);
  return { protein: one(w.protein), dna: one(w.dna) };
}
