/**
 * The latent correlation layer's graph computations, exactly as the official code runs them
 * (docs/research/timeseries.md §1.1 a): additive attention over the GRU states, the batch-mean graph, the
 * normalised Laplacian with degrees from the unsymmetrised matrix, and the Chebyshev stack whose
 * order-0 term is zero. Pure functions of tensors; the parameters live on the model.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * Additive attention of `self_graph_attention`. `states` [B, S, U] are the GRU outputs (S = N
 * sequence positions, one per node; U = N hidden units). key[b, i] = Σ_s states[b, s, i]·wKey[s]
 * (likewise query), e[b, i, j] = LeakyReLU(key[b, i] + query[b, j]), softmax over j.
 * Returns the attention [B, U, U] before dropout; each row sums to 1.
 */
export function additiveAttention(states: tf.Tensor3D, wKey: tf.Tensor2D, wQuery: tf.Tensor2D, leakyRate: number): tf.Tensor3D {
  return tf.tidy(() => {
    const [B, S, U] = states.shape;
    // The weights contract the sequence axis; a broadcast multiply + sum avoids two transposes.
    const key = tf.sum(tf.mul(states, tf.reshape(wKey, [1, S, 1])), 1);
    const query = tf.sum(tf.mul(states, tf.reshape(wQuery, [1, S, 1])), 1);
    const e = tf.leakyRelu(tf.add(tf.reshape(key, [B, U, 1]), tf.reshape(query, [B, 1, U])), leakyRate);
    return tf.softmax(e, -1) as tf.Tensor3D;
  });
}

/**
 * The graph of one mini-batch from per-sample attention [B, N, N]: A = mean over the batch,
 * d = row sums of A (before symmetrising), A_s = (A + Aᵀ)/2,
 * L = D̂ (diag(d) − A_s) D̂ with D̂ = diag(1/(√d + 1e-7)). Returns L and A_s (the "attention"
 * the official model returns), both [N, N].
 */
export function batchGraphLaplacian(attention: tf.Tensor3D): { laplacian: tf.Tensor2D; graph: tf.Tensor2D } {
  return tf.tidy(() => {
    const N = attention.shape[1];
    const a = tf.mean(attention, 0) as tf.Tensor2D;
    const d = tf.sum(a, 1);
    const sym = tf.mul(tf.add(a, tf.transpose(a)), 0.5) as tf.Tensor2D;
    const r = tf.div(1, tf.add(tf.sqrt(d), 1e-7));
    // diag(d) by broadcasting against a constant identity (tfjs has no gradient for diag).
    const degree = tf.mul(tf.eye(N), tf.reshape(d, [N, 1]));
    const scale = tf.mul(tf.reshape(r, [N, 1]), tf.reshape(r, [1, N]));
    const laplacian = tf.mul(tf.sub(degree, sym), scale) as tf.Tensor2D;
    return { laplacian, graph: sym };
  });
}

/**
 * The official `cheb_polynomial`: [T0, T1, T2, T3] = [0, L, 2L·L − 0, 2L·T2 − L] stacked to
 * [4, N, N]. Order 0 is the zero matrix (not I) in the official code.
 */
export function chebyshevStack(laplacian: tf.Tensor2D): tf.Tensor3D {
  return tf.tidy(() => {
    const N = laplacian.shape[0];
    const t0 = tf.zeros([N, N]);
    const t1 = laplacian;
    const t2 = tf.sub(tf.mul(tf.matMul(laplacian, t1), 2), t0);
    const t3 = tf.sub(tf.mul(tf.matMul(laplacian, t2), 2), t1);
    return tf.stack([t0, t1, t2, t3]) as tf.Tensor3D;
  });
}
