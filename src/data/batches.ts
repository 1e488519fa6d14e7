/**
 * Mini-batch index lists: which examples go into each batch, in order or shuffled by a seeded
 * `Rng` (never `Math.random`), so an epoch's batches are repeatable from the seed.
 */
import type { Rng } from '../util/random.js';
import { UsageError } from '../util/errors.js';

/** Options of {@link batchIndices}. */
export interface BatchOptions {
  /** Shuffle the examples before cutting batches (needs `rng`). Default false. */
  shuffle?: boolean;
  /** Seeded generator used when shuffling. */
  rng?: Rng;
  /** Leave out a last batch smaller than `batchSize`. Default false (PyTorch's default). */
  dropLast?: boolean;
}

/**
 * Indices 0..n-1 cut into batches of `batchSize` (the last one shorter unless `dropLast`).
 * With `shuffle`, the order is `rng.permutation(n)`. Each batch is its own `Int32Array`.
 */
export function batchIndices(n: number, batchSize: number, opts: BatchOptions = {}): Int32Array[] {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`batchIndices: n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new UsageError(`batchIndices: batchSize must be a positive integer, got ${batchSize}`);
  }
  let order: Int32Array;
  if (opts.shuffle) {
    if (opts.rng === undefined) throw new Error('batchIndices: shuffle needs an rng (a seeded Rng)');
    order = opts.rng.permutation(n);
  } else {
    order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
  }
  const batches: Int32Array[] = [];
  for (let s = 0; s < n; s += batchSize) {
    const e = Math.min(n, s + batchSize);
    if (e - s < batchSize && opts.dropLast) break;
    batches.push(order.slice(s, e));
  }
  return batches;
}

/** `items.map(f)` computed one item at a time as it is iterated (with the count known up front). */
export function lazyMap<T, U>(items: readonly T[], f: (item: T, i: number) => U): Iterable<U> & { readonly length: number } {
  return {
    length: items.length,
    *[Symbol.iterator]() {
      for (let i = 0; i < items.length; i++) yield f(items[i]!, i);
    },
  };
}
