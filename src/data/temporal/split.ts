/**
 * The TGAT protocol's split of a temporal graph (docs/research/graph.md §2a, official `train.py`):
 * validation and test cuts at the 70 % / 85 % time quantiles; 10 % of all nodes, drawn among the
 * nodes seen after the validation cut, are "new": every edge touching one is removed from
 * training; training = edges up to the validation cut without a new endpoint; the inductive
 * validation / test sets are the edges with an endpoint the training graph never saw.
 */
import { InputError } from '../../util/errors.js';
import { Rng } from '../../util/random.js';
import { PythonRandom } from '../../util/python_random.js';
import type { TemporalGraph } from './graph.js';

export interface TemporalSplitOptions {
  /** Quantiles of the validation and test cuts (default 0.70, 0.85). */
  valQuantile?: number;
  testQuantile?: number;
  /** Share of all nodes held out as new (default 0.1). */
  newNodeShare?: number;
  /** Seed of the new-node draw. */
  seed: number;
  /**
   * How the new nodes are drawn: 'official' = Python's `random.seed(seed); random.sample(sorted
   * nodes, k)`, as the official code draws them (the same split as the official run of the same
   * seed, when node ids match its processed file); 'sheaf' = Sheaf's own generator. Default 'official'.
   */
  draw?: 'official' | 'sheaf';
}

/** Positions (0-based, into the graph's arrays) of each set. */
export interface TemporalSplit {
  valTime: number;
  testTime: number;
  train: Int32Array;
  val: Int32Array;
  test: Int32Array;
  /** Inductive sets: edges with an endpoint outside the training nodes. */
  newVal: Int32Array;
  newTest: Int32Array;
  /** Nodes of the training graph (sorted) and the nodes held out as new (sorted). */
  trainNodes: Int32Array;
  maskedNodes: Int32Array;
  /** Largest training time (TGSL's t_max). */
  tMax: number;
}

/** numpy's default (linear) quantile of sorted values. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Split `g` by the TGAT protocol. Throws an `InputError` when a set would be empty. */
export function temporalSplit(g: TemporalGraph, o: TemporalSplitOptions): TemporalSplit {
  const n = g.src.length;
  const times = Float64Array.from(g.t).sort();
  const valTime = quantileSorted(times, o.valQuantile ?? 0.7);
  const testTime = quantileSorted(times, o.testQuantile ?? 0.85);
  const nodes = new Set<number>();
  const late = new Set<number>();
  for (let i = 0; i < n; i++) {
    nodes.add(g.src[i]!);
    nodes.add(g.dst[i]!);
    if (g.t[i]! > valTime) {
      late.add(g.src[i]!);
      late.add(g.dst[i]!);
    }
  }
  const k = Math.floor((o.newNodeShare ?? 0.1) * nodes.size);
  const pool = [...late].sort((a, b) => a - b);
  const take = Math.min(k, pool.length);
  const masked = new Set<number>((o.draw ?? 'official') === 'official' ? new PythonRandom(o.seed).sample(pool, take) : Array.from(new Rng(o.seed).choice(pool.length, take, false), (j) => pool[j]!));
  const train: number[] = [];
  const val: number[] = [];
  const test: number[] = [];
  const trainNodes = new Set<number>();
  for (let i = 0; i < n; i++) {
    const t = g.t[i]!;
    if (t <= valTime && !masked.has(g.src[i]!) && !masked.has(g.dst[i]!)) {
      train.push(i);
      trainNodes.add(g.src[i]!);
      trainNodes.add(g.dst[i]!);
    } else if (t > valTime && t <= testTime) val.push(i);
    else if (t > testTime) test.push(i);
  }
  const isNew = (i: number) => !trainNodes.has(g.src[i]!) || !trainNodes.has(g.dst[i]!);
  const where = g.name;
  if (train.length === 0) throw new InputError('the training split (interactions up to the 70 % time quantile without a held-out node) is empty', { file: where });
  if (val.length === 0) throw new InputError('the validation split (between the 70 % and 85 % time quantiles) is empty: too few distinct times', { file: where });
  if (test.length === 0) throw new InputError('the test split (after the 85 % time quantile) is empty: too few distinct times', { file: where });
  let tMax = Number.NEGATIVE_INFINITY;
  for (const i of train) tMax = Math.max(tMax, g.t[i]!);
  return {
    valTime,
    testTime,
    train: Int32Array.from(train),
    val: Int32Array.from(val),
    test: Int32Array.from(test),
    newVal: Int32Array.from(val.filter(isNew)),
    newTest: Int32Array.from(test.filter(isNew)),
    trainNodes: Int32Array.from([...trainNodes].sort((a, b) => a - b)),
    maskedNodes: Int32Array.from([...masked].sort((a, b) => a - b)),
    tMax,
  };
}

/**
 * TGAT's `RandEdgeSampler`: negatives are destinations drawn uniformly from the distinct
 * destinations of a set of edges (one per positive).
 */
export class RandomDestinationSampler {
  readonly destinations: Int32Array;
  constructor(dst: ArrayLike<number>) {
    this.destinations = Int32Array.from(new Set(Array.from(dst))).sort();
    if (this.destinations.length === 0) throw new Error('RandomDestinationSampler: no destinations');
  }
  sample(size: number, rng: Rng): Int32Array {
    const out = new Int32Array(size);
    for (let i = 0; i < size; i++) out[i] = this.destinations[rng.int(this.destinations.length)]!;
    return out;
  }
}
