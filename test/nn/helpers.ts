/** Shared helpers for the nn layer tests: the torch fixture, tolerance checks, random inputs. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { gradCheck, type GradCheckOptions } from '../../src/nn/gradcheck.js';
import type { Module } from '../../src/nn/module.js';
import type { Rng } from '../../src/util/random.js';

/** A tensor as the fixture script stores it. */
export interface Fx {
  shape: number[];
  data: number[];
}

let cache: Record<string, unknown> | null = null;

/** test/fixtures/nn_layers.json (written by scripts/make_nn_fixtures.py with PyTorch). */
export function fixtures(): Record<string, any> {
  if (!cache) cache = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/nn_layers.json', import.meta.url)), 'utf8')) as Record<string, unknown>;
  return cache as Record<string, any>;
}

export function fx(f: Fx, dtype: 'float32' | 'int32' = 'float32'): tf.Tensor {
  return tf.tensor(f.data, f.shape, dtype);
}

/** Load a fixture state dict (strict: names and shapes must match PyTorch's exactly). */
export function loadState(m: Module, state: Record<string, Fx>): void {
  const dict = new Map<string, tf.Tensor>();
  for (const [k, v] of Object.entries(state)) dict.set(k, fx(v));
  m.loadStateDict(dict);
  tf.dispose([...dict.values()]);
}

/** Element-wise |a − e| ≤ atol + rtol·|e|, with the worst offender in the message. */
export function assertClose(actual: tf.Tensor | ArrayLike<number>, expected: Fx | tf.Tensor | ArrayLike<number>, atol = 1e-5, rtol = 1e-4, what = 'value'): void {
  const a = actual instanceof tf.Tensor ? actual.dataSync() : actual;
  const e = expected instanceof tf.Tensor ? expected.dataSync() : 'data' in (expected as Fx) ? (expected as Fx).data : (expected as ArrayLike<number>);
  if (actual instanceof tf.Tensor && !(expected instanceof tf.Tensor) && 'shape' in (expected as Fx)) {
    assert.deepEqual(actual.shape, (expected as Fx).shape, `${what}: shape`);
  }
  assert.equal(a.length, e.length, `${what}: length`);
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < a.length; i++) {
    const err = Math.abs(a[i]! - e[i]!) - (atol + rtol * Math.abs(e[i]!));
    if (!(err <= 0) && (worst < 0 || err > worstErr || Number.isNaN(err))) {
      worst = i;
      worstErr = err;
    }
  }
  assert.ok(worst < 0, `${what}: element ${worst} is ${a[worst]} but expected ${e[worst]}`);
}

export function rand(rng: Rng, shape: number[], lo = -1, hi = 1): tf.Tensor {
  return tf.tensor(
    rng.uniformArray(
      shape.reduce((p, d) => p * d, 1),
      lo,
      hi,
    ),
    shape,
  );
}

/** Run gradCheck and fail with the first mismatches; returns the number of elements checked. */
export function expectGradOk(loss: () => tf.Scalar, vars: Array<[string, tf.Variable]>, opts: GradCheckOptions = {}): number {
  const res = gradCheck(loss, vars, opts);
  assert.equal(res.failures.length, 0, `gradient mismatch: ${JSON.stringify(res.failures.slice(0, 4))}`);
  assert.ok(res.checked > 0);
  return res.checked;
}

const nnCache = new Map<string, Record<string, any>>();

/** test/fixtures/nn/<name>.json (written by scripts/nn/make_<name>_fixtures.py with PyTorch). */
export function nnFixtures(name: string): Record<string, any> {
  let f = nnCache.get(name);
  if (!f) {
    f = JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/nn/${name}.json`, import.meta.url)), 'utf8')) as Record<string, any>;
    nnCache.set(name, f);
  }
  return f;
}

/** Load a fixture state dict whose buffers may be plain integers (num_batches_tracked). */
export function loadStateMixed(m: Module, state: Record<string, Fx | number>, opts: { strict?: boolean } = {}): void {
  const dict = new Map<string, tf.Tensor>();
  for (const [k, v] of Object.entries(state)) dict.set(k, typeof v === 'number' ? tf.scalar(v, 'int32') : fx(v));
  m.loadStateDict(dict, opts);
  tf.dispose([...dict.values()]);
}

/** Run `fn` and fail if it leaves more live tensors than it started with (its results are disposed first). */
export function assertNoLeak(what: string, fn: () => tf.TensorContainer | undefined): void {
  const before = tf.memory().numTensors;
  const out = fn();
  if (out) tf.dispose(out);
  const after = tf.memory().numTensors;
  assert.equal(after, before, `${what}: ${after - before} tensors leaked`);
}
