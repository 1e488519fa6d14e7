/** One optimisation step: loss → gradients → optional clipping → optimiser update. */
import * as tf from '@tensorflow/tfjs-core';
import type { Optimizer } from '../optim/optimizers.js';
import { clipGradNorm } from '../optim/clip.js';

export interface TrainStepOptions {
  /** Variables to differentiate (default: the optimiser's). Non-trainable ones get no gradient. */
  params?: tf.Variable[];
  optimizer: Optimizer;
  /** Builds the scalar loss from the current parameters (called once, under `tf.variableGrads`). */
  loss: () => tf.Scalar;
  /** Clip the global gradient norm to this value (`clip_grad_norm_`). */
  clipNorm?: number;
}

/**
 * Run one training step and return the loss value (before the update). Every tensor made here is
 * disposed, so a loop over `trainStep` keeps `tf.memory().numTensors` flat. A non-finite loss
 * skips the update (the weights stay as they were) and is returned as is, so the caller can stop.
 */
export function trainStep(opts: TrainStepOptions): number {
  const params = opts.params ?? opts.optimizer.variables();
  const { value, grads } = tf.variableGrads(opts.loss, params);
  let clipped: tf.NamedTensorMap | null = null;
  try {
    const loss = value.dataSync()[0]!;
    if (!Number.isFinite(loss)) return loss;
    if (opts.clipNorm !== undefined) clipped = clipGradNorm(grads, opts.clipNorm).grads;
    opts.optimizer.step(clipped ?? grads);
    return loss;
  } finally {
    value.dispose();
    tf.dispose(Object.values(grads).filter((g): g is tf.Tensor => g != null));
    if (clipped) tf.dispose(Object.values(clipped));
  }
}
