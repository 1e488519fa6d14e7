import * as tf from '@tensorflow/tfjs-core';
import { StackedRnn, type RnnOptions } from './rnn.js';
import { fusedGruSequence } from '../engine/ops.js';
import type { Rng } from '../util/random.js';

/** Options of {@link GRU} (layers, layout, dropout between layers). */
export type GRUOptions = RnnOptions;

/**
 * `torch.nn.GRU` (unidirectional), PyTorch's gate order r, z, n and reset-after form:
 *   r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz)
 *   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h' = (1 − z) ⊙ n + z ⊙ h.
 * Weights are named as PyTorch names them (`weight_ih_l0`, `bias_hh_l1`, …), all weights U(±1/√hidden). The input projection of all time
 * steps is one matmul; only the hidden-to-hidden product runs per step.
 */
export class GRU extends StackedRnn {
  constructor(inputSize: number, hiddenSize: number, rng: Rng, opts: GRUOptions = {}) {
    super(inputSize, hiddenSize, rng, 3, opts);
  }

  /**
   * Run the sequence. `x`: [B, T, I] (batchFirst) or [T, B, I]; `h0`: [numLayers, B, H] or null
   * for zeros. Returns `output` (last layer, every step; same layout as x) and `hN`
   * [numLayers, B, H].
   */
  forward(x: tf.Tensor3D, h0: tf.Tensor3D | null = null): { output: tf.Tensor3D; hN: tf.Tensor3D } {
    return tf.tidy(() => {
      let seq = this.batchFirst ? x : (tf.transpose(x, [1, 0, 2]) as tf.Tensor3D); // [B, T, I]
      const [B, T] = seq.shape;
      const H = this.hiddenSize;
      const finals: tf.Tensor2D[] = [];
      for (let l = 0; l < this.numLayers; l++) {
        const p = this.layers[l]!;
        const I = seq.shape[2];
        const xProj = tf.reshape(tf.add(tf.matMul(tf.reshape(seq, [B * T, I]), p.wih, false, true), p.bih), [B, T, 3 * H]);
        let h: tf.Tensor2D = h0 ? (tf.squeeze(tf.slice(h0, [l, 0, 0], [1, B, H]), [0]) as tf.Tensor2D) : tf.zeros([B, H]);
        // One fused kernel per layer where the backend has it (Node native pack); same function.
        const fused = fusedGruSequence(xProj as tf.Tensor3D, p.whh, p.bhh, h);
        if (fused) {
          finals.push(tf.reshape(tf.slice(fused, [0, T - 1, 0], [B, 1, H]), [B, H]) as tf.Tensor2D);
          seq = fused;
          if (this.drop && l < this.numLayers - 1) seq = this.drop.forward(seq) as tf.Tensor3D;
          continue;
        }
        const steps = tf.unstack(xProj, 1) as tf.Tensor2D[];
        const outs: tf.Tensor2D[] = [];
        for (let t = 0; t < T; t++) {
          const gi = steps[t]!;
          const gh = tf.add(tf.matMul(h, p.whh, false, true), p.bhh);
          const [ir, iz, inn] = tf.split(gi, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
          const [hr, hz, hn] = tf.split(gh, 3, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
          const r = tf.sigmoid(tf.add(ir, hr));
          const z = tf.sigmoid(tf.add(iz, hz));
          const n = tf.tanh(tf.add(inn, tf.mul(r, hn)));
          h = tf.add(tf.mul(tf.sub(1, z), n), tf.mul(z, h)) as tf.Tensor2D;
          outs.push(h);
        }
        finals.push(h);
        seq = tf.stack(outs, 1) as tf.Tensor3D;
        if (this.drop && l < this.numLayers - 1) seq = this.drop.forward(seq) as tf.Tensor3D;
      }
      const output = this.batchFirst ? seq : (tf.transpose(seq, [1, 0, 2]) as tf.Tensor3D);
      return { output, hN: tf.stack(finals, 0) as tf.Tensor3D };
    });
  }
}
