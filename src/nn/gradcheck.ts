/**
 * Finite-difference gradient checks: compare tfjs's analytical gradient of a scalar loss with
 * central differences, element by element. Every layer in Sheaf is tested with this; it is
 * public so users can check layers of their own.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../util/random.js';

export interface GradCheckOptions {
  /** Step of the central difference (float32 arithmetic: 1e-2…1e-3 works best). */
  eps?: number;
  /** Relative tolerance. */
  rtol?: number;
  /** Absolute tolerance. */
  atol?: number;
  /** Check at most this many elements per variable (chosen with `rng`); all when omitted. */
  maxPerVariable?: number;
  rng?: Rng;
}

export interface GradCheckFailure {
  variable: string;
  index: number;
  analytic: number;
  numeric: number;
}

/**
 * Check d loss / d v for each named variable. `loss` must be deterministic (no dropout) and
 * return a scalar. Returns the failures (empty when the gradient is right) and the number of
 * elements compared.
 */
export function gradCheck(loss: () => tf.Scalar, variables: Array<[string, tf.Variable]>, opts: GradCheckOptions = {}): { failures: GradCheckFailure[]; checked: number; maxError: number } {
  const eps = opts.eps ?? 1e-2;
  const rtol = opts.rtol ?? 2e-2;
  const atol = opts.atol ?? 2e-3;
  const vars = variables.map(([, v]) => v);
  const { grads, value } = tf.variableGrads(loss, vars);
  value.dispose();
  const failures: GradCheckFailure[] = [];
  let checked = 0;
  let maxError = 0;
  for (const [name, v] of variables) {
    const g = grads[v.name];
    const analytic = g ? (g.dataSync() as Float32Array) : new Float32Array(v.size);
    const base = Float32Array.from(v.dataSync() as Float32Array);
    let idx = Array.from({ length: v.size }, (_, i) => i);
    if (opts.maxPerVariable !== undefined && v.size > opts.maxPerVariable) {
      if (!opts.rng) throw new Error('gradCheck: maxPerVariable needs an rng');
      idx = Array.from(opts.rng.choice(v.size, opts.maxPerVariable, false));
    }
    const evalAt = (i: number, delta: number): number => {
      const x = Float32Array.from(base);
      x[i] = base[i]! + delta;
      const t = tf.tensor(x, v.shape);
      v.assign(t);
      t.dispose();
      const l = tf.tidy(loss);
      const r = l.dataSync()[0]!;
      l.dispose();
      return r;
    };
    for (const i of idx) {
      // Central difference in float64 from two float32 loss values.
      const numeric = (evalAt(i, eps) - evalAt(i, -eps)) / (2 * eps);
      const a = analytic[i]!;
      const err = Math.abs(a - numeric);
      maxError = Math.max(maxError, err);
      if (err > atol + rtol * Math.abs(numeric)) failures.push({ variable: name, index: i, analytic: a, numeric });
      checked++;
    }
    const t = tf.tensor(base, v.shape);
    v.assign(t);
    t.dispose();
  }
  tf.dispose(Object.values(grads));
  return { failures, checked, maxError };
}
