/**
 * Fixed-size neighbour samples, re-drawn at the start of every epoch (`construct_adj`,
 * docs/research/rec_ws.md §1a): S items per user and S users per item from the training rows (both labels),
 * S (tail, relation) pairs per entity from the undirected KG. A list with at least S entries is
 * sampled without replacement, a shorter one with replacement — exactly the official rule.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../../util/errors.js';
import type { Rng } from '../../util/random.js';
import type { NoInteractionPolicy } from './config.js';
import type { Csr, KgAdjacency, TrainGraph } from './data.js';

/** One epoch's neighbour sample, on the host. */
export interface NeighbourSample {
  /** S sampled items per user, [nUser·S] row-major. */
  adjU2I: Int32Array;
  /** S sampled users per item, [nItem·S]. */
  adjI2U: Int32Array;
  /** S sampled KG neighbours per entity, [nEntity·S]. */
  adjE2E: Int32Array;
  /** Their relation ids, [nEntity·S]. */
  adjRel: Int32Array;
  /** 1 where the user has training interactions, 0 where the summary is empty. */
  userHas: Float32Array;
  itemHas: Float32Array;
  sampleSize: number;
}

/** The same sample as tensors (int32 tables, float32 masks); dispose with {@link disposeSampleTensors}. */
export interface SampleTensors {
  adjU2I: tf.Tensor2D;
  adjI2U: tf.Tensor2D;
  adjE2E: tf.Tensor2D;
  adjRel: tf.Tensor2D;
  userHas: tf.Tensor1D;
  itemHas: tf.Tensor1D;
}

/**
 * `S` draws from a list of length n into `out` at `offset` (positions into the list): without
 * replacement when n ≥ S, with replacement otherwise (numpy `choice(n, S, replace=n<S)`).
 */
export function drawPositions(n: number, S: number, rng: Rng, out: Int32Array, offset: number): void {
  const pos = rng.choice(n, S, n < S);
  out.set(pos, offset);
}

function sampleCsr(c: Csr, nRows: number, S: number, rng: Rng, policy: NoInteractionPolicy, what: 'user' | 'item'): { adj: Int32Array; has: Float32Array; empty: number[] } {
  const adj = new Int32Array(nRows * S);
  const has = new Float32Array(nRows);
  const pos = new Int32Array(S);
  const empty: number[] = [];
  for (let v = 0; v < nRows; v++) {
    const start = c.offsets[v]!;
    const n = c.offsets[v + 1]! - start;
    if (n === 0) {
      empty.push(v);
      // Index 0 is what the official code uses; with the 'empty' policy the mask zeroes it out.
      has[v] = policy === 'official' ? 1 : 0;
      continue;
    }
    has[v] = 1;
    drawPositions(n, S, rng, pos, 0);
    for (let k = 0; k < S; k++) adj[v * S + k] = c.values[start + pos[k]!]!;
  }
  if (empty.length > 0 && policy === 'error') {
    throw new InputError(
      `${empty.length} ${what}(s) have no training interaction after the split (first: ${empty.slice(0, 5).join(', ')}); ` +
        `their interactive summary would be undefined (the official code silently uses ${what === 'user' ? 'item' : 'user'} 0). ` +
        `Use --no-interaction empty (zero summary) or official (id 0), or change the split`,
      { field: what },
    );
  }
  return { adj, has, empty };
}

/** Users and items that have no training rows (reported once per run). */
export function coldCounts(g: TrainGraph): { users: number[]; items: number[] } {
  const list = (c: Csr): number[] => {
    const out: number[] = [];
    for (let v = 0; v + 1 < c.offsets.length; v++) if (c.offsets[v + 1] === c.offsets[v]) out.push(v);
    return out;
  };
  return { users: list(g.userItems), items: list(g.itemUsers) };
}

/** Draw one epoch's neighbour sample. */
export function sampleNeighbours(g: TrainGraph, kg: KgAdjacency, S: number, rng: Rng, policy: NoInteractionPolicy): NeighbourSample {
  const nUser = g.userItems.offsets.length - 1;
  const nItem = g.itemUsers.offsets.length - 1;
  const nEntity = kg.offsets.length - 1;
  const u = sampleCsr(g.userItems, nUser, S, rng, policy, 'user');
  const i = sampleCsr(g.itemUsers, nItem, S, rng, policy, 'item');
  const adjE2E = new Int32Array(nEntity * S);
  const adjRel = new Int32Array(nEntity * S);
  const pos = new Int32Array(S);
  for (let e = 0; e < nEntity; e++) {
    const start = kg.offsets[e]!;
    const n = kg.offsets[e + 1]! - start;
    if (n === 0) throw new InputError(`entity ${e} has no KG neighbour; every entity must appear in a triple`, { field: 'kg' });
    drawPositions(n, S, rng, pos, 0);
    for (let k = 0; k < S; k++) {
      adjE2E[e * S + k] = kg.entities[start + pos[k]!]!;
      adjRel[e * S + k] = kg.relations[start + pos[k]!]!;
    }
  }
  return { adjU2I: u.adj, adjI2U: i.adj, adjE2E, adjRel, userHas: u.has, itemHas: i.has, sampleSize: S };
}

/** Upload a sample to the backend (done once per epoch). */
export function sampleToTensors(s: NeighbourSample): SampleTensors {
  const S = s.sampleSize;
  return {
    adjU2I: tf.tensor2d(s.adjU2I, [s.adjU2I.length / S, S], 'int32'),
    adjI2U: tf.tensor2d(s.adjI2U, [s.adjI2U.length / S, S], 'int32'),
    adjE2E: tf.tensor2d(s.adjE2E, [s.adjE2E.length / S, S], 'int32'),
    adjRel: tf.tensor2d(s.adjRel, [s.adjRel.length / S, S], 'int32'),
    userHas: tf.tensor1d(s.userHas, 'float32'),
    itemHas: tf.tensor1d(s.itemHas, 'float32'),
  };
}

export function disposeSampleTensors(t: SampleTensors | null | undefined): void {
  if (!t) return;
  tf.dispose([t.adjU2I, t.adjI2U, t.adjE2E, t.adjRel, t.userHas, t.itemHas]);
}
