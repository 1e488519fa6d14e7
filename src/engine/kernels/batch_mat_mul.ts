/**
 * BatchMatMul for the WASM backend that stays on XNNPACK's fast path.
 *
 * Stock tfjs-wasm uses XNNPACK only for untransposed products with batch 1; everything else
 * (every backward-pass matmul, batched attention) falls to a scalar loop at ~2 GFLOP/s
 * (docs/research/engine.md §1.3). This kernel materialises transposes, folds a broadcast batch into the row
 * dimension, and splits large true batches into per-batch 2-D calls.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { sizeOf, type WasmBackendLike } from './wasm_types.js';

/** Per-batch products smaller than this (M·K·N) stay on the stock path: call overhead dominates. */
const SPLIT_MIN_WORK = 32 * 32 * 32;

export function makeBatchMatMulKernel(original: KernelFunc, transposeKernel: KernelFunc, reshapeKernel: KernelFunc): KernelConfig {
  const kernelFunc: KernelFunc = (args) => {
    const backend = args.backend as unknown as WasmBackendLike;
    const a = args.inputs['a'] as TensorInfo;
    const b = args.inputs['b'] as TensorInfo;
    const { transposeA, transposeB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return original(args);
    const ra = a.shape.length;
    const rb = b.shape.length;
    const batchShapeA = a.shape.slice(0, -2);
    const batchShapeB = b.shape.slice(0, -2);
    const batchA = sizeOf(batchShapeA);
    const batchB = sizeOf(batchShapeB);
    const M = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const K = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const N = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
    const outBatchShape = tf.broadcast_util.assertAndGetBroadcastShape(batchShapeA, batchShapeB);
    const outShape = [...outBatchShape, M, N];
    const sameBatch = batchA === batchB && batchShapeA.join() === batchShapeB.join();
    const foldable = batchB === 1; // [..., M, K] @ [K, N]: fold the batch of a into rows.
    const splittable = (sameBatch || batchA === 1) && batchB > 1 && M * K * N >= SPLIT_MIN_WORK;
    // Both batches broadcast against each other ([2, 1, M, K] @ [1, 3, K, N]): stock tfjs-wasm
    // returns wrong numbers there (and the cpu backend NaN), so these always take the per-batch path.
    const general = !sameBatch && batchA > 1 && batchB > 1;
    const plain = batchA === 1 && batchB === 1;
    if (!(plain || foldable || splittable || general) || sizeOf(outShape) === 0) return original(args);

    const temps: TensorInfo[] = [];
    const call = (fn: KernelFunc, inputs: Record<string, TensorInfo>, attrs: Record<string, unknown>): TensorInfo => {
      const r = fn({ inputs, backend: args.backend, attrs: attrs as never }) as TensorInfo;
      temps.push(r);
      return r;
    };
    const transposeLast2 = (x: TensorInfo): TensorInfo => {
      const perm = x.shape.map((_, i) => i);
      const r = x.shape.length;
      perm[r - 1] = r - 2;
      perm[r - 2] = r - 1;
      return call(transposeKernel, { x }, { perm });
    };
    try {
      const a2 = transposeA ? transposeLast2(a) : a;
      const b2 = transposeB ? transposeLast2(b) : b;
      if (plain || foldable) {
        // One 2-D product: rows of every batch of a stacked on top of each other.
        const a3 = call(reshapeKernel, { x: a2 }, { shape: [1, batchA * M, K] });
        const b3 = call(reshapeKernel, { x: b2 }, { shape: [1, K, N] });
        const out = original({ inputs: { a: a3, b: b3 }, backend: args.backend, attrs: { transposeA: false, transposeB: false } as never }) as TensorInfo;
        out.shape = outShape;
        return out;
      }
      // True batch: per-batch 2-D XNNPACK calls, one per output batch, each reading the a and b
      // batches it broadcasts from. Each b slice gets a fresh tensor id because XNNPACK caches
      // packed weights per b id.
      const out = backend.makeOutput(outShape, 'float32');
      const mk = M * K;
      const kn = K * N;
      const mn = M * N;
      const batchIndex = broadcastBatchIndex(outBatchShape, batchShapeA, batchShapeB);
      for (let o = 0; o < sizeOf(outBatchShape); o++) {
        const [ia, ib] = batchIndex(o);
        const ai = backend.makeOutput([1, M, K], 'float32');
        const bi = backend.makeOutput([1, K, N], 'float32');
        temps.push(ai, bi);
        {
          const av = backend.typedArrayFromHeap(a2) as Float32Array;
          const bv = backend.typedArrayFromHeap(b2) as Float32Array;
          (backend.typedArrayFromHeap(ai) as Float32Array).set(av.subarray(ia * mk, (ia + 1) * mk));
          (backend.typedArrayFromHeap(bi) as Float32Array).set(bv.subarray(ib * kn, (ib + 1) * kn));
        }
        const oi = original({ inputs: { a: ai, b: bi }, backend: args.backend, attrs: { transposeA: false, transposeB: false } as never }) as TensorInfo;
        temps.push(oi);
        const ov = backend.typedArrayFromHeap(out) as Float32Array;
        ov.set((backend.typedArrayFromHeap(oi) as Float32Array).subarray(0, mn), o * mn);
      }
      return out;
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
  return { kernelName: tf.BatchMatMul, backendName: 'wasm', kernelFunc };
}

/**
 * For output batch o (row-major over `outShape`), the flat batch indices of a and b it reads:
 * dimensions are right-aligned and a size-1 dimension repeats its one entry.
 */
function broadcastBatchIndex(outShape: number[], shapeA: number[], shapeB: number[]): (o: number) => [number, number] {
  const strides = (shape: number[]): number[] => {
    // Stride of each output dimension in `shape`'s flat layout; 0 where `shape` broadcasts.
    const r = new Array<number>(outShape.length).fill(0);
    let acc = 1;
    for (let d = shape.length - 1, od = outShape.length - 1; d >= 0; d--, od--) {
      if (shape[d]! !== 1) r[od] = acc;
      acc *= shape[d]!;
    }
    return r;
  };
  const sa = strides(shapeA);
  const sb = strides(shapeB);
  return (o) => {
    let ia = 0;
    let ib = 0;
    for (let d = outShape.length - 1; d >= 0; d--) {
      const i = o % outShape[d]!;
      o = Math.floor(o / outShape[d]!);
      ia += i * sa[d]!;
      ib += i * sb[d]!;
    }
    return [ia, ib];
  };
}
