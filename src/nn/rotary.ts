/**
 * Rotary position embedding (RoPE, Su et al. 2021) in the GPT-NeoX / LLaMA (Hugging Face)
 * "half-split" convention: the head vector is split into halves (x1, x2) and pair i is
 * (x1[i], x2[i]), rotated by angle pos·base^(−2i/d):
 *   out = [x1·cos − x2·sin, x2·cos + x1·sin].
 * (The GPT-J / original-paper convention pairs interleaved elements (x[2i], x[2i+1]) instead;
 * weights trained with one do not work with the other.)
 */
import * as tf from '@tensorflow/tfjs-core';

/** Positions: a JS list, or an int/float tensor of shape [T]. */
export type Positions = number[] | Int32Array | Float32Array | tf.Tensor1D;

export interface RotaryOptions {
  /** Rotate only the first `rotaryDim` features of each head (GPT-NeoX `rotary_pct`); even; default all. */
  rotaryDim?: number;
}

/**
 * cos and sin of the rotation angles, each [T, dim/2]: angle[t, i] = pos[t] · base^(−2i/dim),
 * computed in float32 as Hugging Face does (inverse frequencies rounded to float32 first).
 */
export function rotaryAngles(positions: Positions, dim: number, base = 10000): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
  if (!(Number.isInteger(dim) && dim > 0 && dim % 2 === 0)) throw new Error(`rotary: dimension must be a positive even integer, got ${dim}`);
  const half = dim / 2;
  const inv = new Float32Array(half);
  for (let i = 0; i < half; i++) inv[i] = 1 / Math.pow(base, (2 * i) / dim);
  return tf.tidy(() => {
    const pos = positions instanceof tf.Tensor ? tf.cast(positions, 'float32') : tf.tensor1d(Array.from(positions), 'float32');
    if (pos.rank !== 1) throw new Error(`rotary: positions must be 1-D, got [${pos.shape}]`);
    const ang = tf.mul(tf.reshape(pos, [-1, 1]), tf.tensor2d(inv, [1, half]));
    return { cos: tf.cos(ang) as tf.Tensor2D, sin: tf.sin(ang) as tf.Tensor2D };
  });
}

/**
 * Apply RoPE to `x` [..., T, D] at `positions` (length T), `base` 10000 by default (LLaMA;
 * BSM uses 1e5). Returns the same shape. Differentiable in `x`.
 */
export function applyRotary(x: tf.Tensor, positions: Positions, base = 10000, opts: RotaryOptions = {}): tf.Tensor {
  if (x.rank < 2) throw new Error(`applyRotary: input must be [..., T, D], got [${x.shape}]`);
  const T = x.shape[x.rank - 2]!;
  const D = x.shape[x.rank - 1]!;
  const rd = opts.rotaryDim ?? D;
  if (rd > D || rd % 2 !== 0 || rd <= 0) throw new Error(`applyRotary: rotaryDim ${rd} must be even and ≤ head dim ${D}`);
  const n = positions instanceof tf.Tensor ? positions.size : positions.length;
  if (n !== T) throw new Error(`applyRotary: ${n} positions for a sequence of length ${T}`);
  return tf.tidy(() => {
    const { cos, sin } = rotaryAngles(positions, rd, base);
    const parts = rd === D ? [x] : tf.split(x, [rd, D - rd], -1);
    const [x1, x2] = tf.split(parts[0]!, 2, -1) as [tf.Tensor, tf.Tensor];
    const out1 = tf.sub(tf.mul(x1, cos), tf.mul(x2, sin));
    const out2 = tf.add(tf.mul(x2, cos), tf.mul(x1, sin));
    return tf.concat(rd === D ? [out1, out2] : [out1, out2, parts[1]!], -1);
  });
}
