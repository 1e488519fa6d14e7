/** Gradient clipping with `torch.nn.utils.clip_grad_norm_` semantics. */
import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../util/errors.js';

/**
 * Scale gradients so their global L2 norm is at most `maxNorm`:
 * total = ‖(‖g₁‖, ‖g₂‖, …)‖₂, coef = min(1, maxNorm / (total + 1e-6)), g ← g·coef.
 * As torch, every gradient is multiplied (also when coef = 1) and a non-finite total is passed
 * through (the gradients become non-finite). Null entries (non-trainable variables in
 * `tf.variableGrads` output) are dropped.
 *
 * Returns new tensors (the caller disposes both the input and the returned maps) and the norm
 * before clipping as a number.
 */
export function clipGradNorm(grads: tf.NamedTensorMap, maxNorm: number): { grads: tf.NamedTensorMap; totalNorm: number } {
  if (!(typeof maxNorm === 'number' && maxNorm > 0 && Number.isFinite(maxNorm))) {
    throw new UsageError(`clipGradNorm: maxNorm must be a positive number, got ${String(maxNorm)}`);
  }
  const names = Object.keys(grads).filter((k) => grads[k] != null);
  if (names.length === 0) return { grads: {}, totalNorm: 0 };
  const { out, total } = tf.tidy(() => {
    const norms = names.map((k) => tf.norm(grads[k]!));
    const total = tf.norm(tf.stack(norms));
    const coef = tf.minimum(tf.div(maxNorm, tf.add(total, 1e-6)), 1);
    const out: tf.NamedTensorMap = {};
    for (const k of names) out[k] = tf.mul(grads[k]!, coef);
    return { out, total };
  });
  const totalNorm = total.dataSync()[0]!;
  total.dispose();
  return { grads: out, totalNorm };
}
