/**
 * BSM's three-round data schedule (docs/research/sequence.md §1(a) "Schedule", §1(e) "Faithful tiny recipe"):
 * R1 single-modal only; R2 single : RefSeq pairs : gene-related pairs = 10 : 2 : 1; R3 RefSeq : gene-related :
 * interleaved = 1 : 1 : 10. Step fractions default to 40 % / 45 % / 15 % and learning rates to the small-model
 * values of §1(e) (3e-3→1.5e-3 | 1.5e-3→1.5e-5 | 1.5e-4→0). The `uni` ablation corpus draws single-modal samples only
 * at the same token budget as the mixed one.
 */
import type { Rng } from '../../util/random.js';
import { drawWeighted, type Sample } from './samples.js';

/** Mixture sources. */
export type Source = 'single' | 'refseq' | 'geneRelated' | 'interleaved';

/** One round of the schedule. */
export interface MixRound {
  name: string;
  /** Steps [start, end). */
  startStep: number;
  endStep: number;
  /** Mixture weights (relative, need not sum to 1). */
  weights: Partial<Record<Source, number>>;
  /** Learning rate at the round's first and last step (linear in between, as the paper's annealed rounds). */
  lr: [number, number];
}

/** Options of `bsmSchedule`. */
export interface ScheduleOptions {
  /** Fractions of the steps per round (default [0.4, 0.45, 0.15]). */
  fractions?: [number, number, number];
  /** R1 weights (default { single: 1 }). */
  r1?: Partial<Record<Source, number>>;
  /** R2 weights (default { single: 10, refseq: 2, geneRelated: 1 }). */
  r2?: Partial<Record<Source, number>>;
  /** R3 weights (default { refseq: 1, geneRelated: 1, interleaved: 10 }). */
  r3?: Partial<Record<Source, number>>;
  /** Learning rates per round (default [[3e-3, 1.5e-3], [1.5e-3, 1.5e-5], [1.5e-4, 0]]). */
  lr?: [[number, number], [number, number], [number, number]];
}

/** The three rounds over `totalSteps` steps. */
export function bsmSchedule(totalSteps: number, options: ScheduleOptions = {}): MixRound[] {
  if (!Number.isInteger(totalSteps) || totalSteps < 3) throw new RangeError(`bsmSchedule: totalSteps must be an integer ≥ 3, got ${totalSteps}`);
  const f = options.fractions ?? [0.4, 0.45, 0.15];
  if (f.some((x) => !(x >= 0))) throw new RangeError('bsmSchedule: fractions must be ≥ 0');
  const sum = f[0] + f[1] + f[2];
  const b1 = Math.round((totalSteps * f[0]) / sum);
  const b2 = Math.round((totalSteps * (f[0] + f[1])) / sum);
  const lr = options.lr ?? [
    [3e-3, 1.5e-3],
    [1.5e-3, 1.5e-5],
    [1.5e-4, 0],
  ];
  return [
    { name: 'R1', startStep: 0, endStep: b1, weights: options.r1 ?? { single: 1 }, lr: lr[0] },
    { name: 'R2', startStep: b1, endStep: b2, weights: options.r2 ?? { single: 10, refseq: 2, geneRelated: 1 }, lr: lr[1] },
    { name: 'R3', startStep: b2, endStep: totalSteps, weights: options.r3 ?? { refseq: 1, geneRelated: 1, interleaved: 10 }, lr: lr[2] },
  ];
}

/** The round that step `step` belongs to (the last round for steps past the end). */
export function roundAt(schedule: readonly MixRound[], step: number): MixRound {
  for (const r of schedule) if (step >= r.startStep && step < r.endStep) return r;
  return schedule[schedule.length - 1]!;
}

/** Learning rate at `step`: linear from the round's lr[0] to lr[1] across its steps. */
export function learningRateAt(schedule: readonly MixRound[], step: number): number {
  const r = roundAt(schedule, step);
  const span = Math.max(1, r.endStep - r.startStep - 1);
  const t = Math.min(1, Math.max(0, (step - r.startStep) / span));
  return r.lr[0] + (r.lr[1] - r.lr[0]) * t;
}

/** A sample generator per source; a generator may return null (e.g. a gene too short for a window) to be re-drawn. */
export type Generators = Partial<Record<Source, (rng: Rng) => Sample | null>>;

/**
 * Draw samples from a mixture until their tokens reach `tokenBudget` (the last sample may cross it). Sources are
 * drawn by weight; a source whose generator is missing is an error; a generator returning null 1000 times in a row
 * is an error (it cannot produce samples).
 */
export function drawMixture(weights: Partial<Record<Source, number>>, generators: Generators, tokenBudget: number, rng: Rng): Sample[] {
  for (const k of Object.keys(weights) as Source[]) {
    if ((weights[k] ?? 0) > 0 && generators[k] === undefined) throw new RangeError(`drawMixture: no generator for source "${k}"`);
  }
  const out: Sample[] = [];
  let tokens = 0;
  let misses = 0;
  while (tokens < tokenBudget) {
    const src = drawWeighted(weights, rng);
    const s = generators[src]!(rng);
    if (s === null) {
      if (++misses >= 1000) throw new RangeError(`drawMixture: the "${src}" generator returned no sample 1000 times in a row`);
      continue;
    }
    misses = 0;
    out.push(s);
    tokens += s.tokens.length;
  }
  return out;
}

/**
 * The `uni` ablation corpus (docs/research/sequence.md §1(a), Table 1 "BSM-single"; §1(e)): single-modal samples only, with the
 * same token count as `reference` (a mixed corpus drawn with `drawMixture`), so the two differ only in data type.
 */
export function uniCorpusLike(reference: readonly Sample[], single: (rng: Rng) => Sample | null, rng: Rng): Sample[] {
  let budget = 0;
  for (const s of reference) budget += s.tokens.length;
  return drawMixture({ single: 1 }, { single }, budget, rng);
}
