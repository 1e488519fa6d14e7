import * as tf from '@tensorflow/tfjs-core';
import { StackedRnn, type RnnOptions } from './rnn.js';
import type { Rng } from '../util/random.js';

/** Options of {@link LSTM} (layers, layout, dropout between layers). */
export type LSTMOptions = RnnOptions;

/** Initial (or final) states, each [numLayers, B, H] whatever `batchFirst` is, as PyTorch. */
export interface LSTMState {
  h0: tf.Tensor3D;
  c0: tf.Tensor3D;
}

/**
 * `torch.nn.LSTM` (unidirectional), PyTorch's gate order i, f, g, o:
 *   [i, f, g, o] = W_ih x + b_ih + W_hh h + b_hh;  c' = σ(f) ⊙ c + σ(i) ⊙ tanh(g);  h' = σ(o) ⊙ tanh(c').
 * Weights are named as PyTorch names them (`weight_ih_l0`, `bias_hh_l1`, …), all U(±1/√hidden), so a
 * state dict loads unchanged. The input projection of all time steps (with both biases) is one
 * matmul; only the hidden-to-hidden product runs per step.
 */
export class LSTM extends StackedRnn {
  constructor(inputSize: number, hiddenSize: number, rng: Rng, opts: LSTMOptions = {}) {
    super(inputSize, hiddenSize, rng, 4, opts);
  }

  /**
   * Run the sequence. `x`: [B, T, I] (batchFirst) or [T, B, I]; `state`: h0/c0 [numLayers, B, H],
   * or null for zeros. Returns `output` (last layer, every step; same layout as x) and the final
   * states `hN`, `cN` [numLayers, B, H].
   */
  forward(x: tf.Tensor3D, state: LSTMState | null = null): { output: tf.Tensor3D; hN: tf.Tensor3D; cN: tf.Tensor3D } {
    if (x.rank !== 3 || x.shape[2] !== this.inputSize) throw new Error(`LSTM: input [${x.shape}] must be 3-d ending in inputSize ${this.inputSize}`);
    const B = this.batchFirst ? x.shape[0] : x.shape[1];
    const H = this.hiddenSize;
    const want = [this.numLayers, B, H].join();
    if (state && (state.h0.shape.join() !== want || state.c0.shape.join() !== want)) {
      throw new Error(`LSTM: h0 [${state.h0.shape}] and c0 [${state.c0.shape}] must be [${want}]`);
    }
    return tf.tidy(() => {
      let seq = this.batchFirst ? x : (tf.transpose(x, [1, 0, 2]) as tf.Tensor3D); // [B, T, I]
      const T = seq.shape[1];
      const hs: tf.Tensor2D[] = [];
      const cs: tf.Tensor2D[] = [];
      for (let l = 0; l < this.numLayers; l++) {
        const p = this.layers[l]!;
        const I = seq.shape[2];
        // b_hh is added here too: it is constant over time, so it need not be added every step.
        const bias = tf.add(p.bih, p.bhh);
        const xProj = tf.reshape(tf.add(tf.matMul(tf.reshape(seq, [B * T, I]), p.wih, false, true), bias), [B, T, 4 * H]);
        const initial = (s: tf.Tensor3D): tf.Tensor2D => tf.reshape(tf.slice(s, [l, 0, 0], [1, B, H]), [B, H]);
        let h: tf.Tensor2D = state ? initial(state.h0) : tf.zeros([B, H]);
        let c: tf.Tensor2D = state ? initial(state.c0) : tf.zeros([B, H]);
        const steps = tf.unstack(xProj, 1) as tf.Tensor2D[];
        const outs: tf.Tensor2D[] = [];
        for (let t = 0; t < T; t++) {
          const gates = tf.add(steps[t]!, tf.matMul(h, p.whh, false, true));
          const [gi, gf, gg, go] = tf.split(gates, 4, 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
          c = tf.add(tf.mul(tf.sigmoid(gf), c), tf.mul(tf.sigmoid(gi), tf.tanh(gg)));
          h = tf.mul(tf.sigmoid(go), tf.tanh(c));
          outs.push(h);
        }
        hs.push(h);
        cs.push(c);
        seq = tf.stack(outs, 1) as tf.Tensor3D;
        if (this.drop && l < this.numLayers - 1) seq = this.drop.forward(seq) as tf.Tensor3D;
      }
      const output = this.batchFirst ? seq : (tf.transpose(seq, [1, 0, 2]) as tf.Tensor3D);
      return { output, hN: tf.stack(hs, 0) as tf.Tensor3D, cN: tf.stack(cs, 0) as tf.Tensor3D };
    });
  }
}
