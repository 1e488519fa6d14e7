/**
 * UnsortedSegmentSum: out[segmentIds[i]] += x[i]. WASM has no such kernel (so `gather`'s
 * gradient, i.e. every embedding lookup, fails there), and the CPU backend's loops over segments
 * with O(segments·n·d) cost, which never finishes for a 20 000-row table (docs/research/engine.md §1.3).
 * One accumulating pass over heap views is O(n·d). Ids outside [0, numSegments) are dropped,
 * as in TensorFlow.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo, DataType } from '@tensorflow/tfjs-core';
import { sizeOf, type CpuBackendLike, type HeapArray, type WasmBackendLike } from './wasm_types.js';

function accumulate(xv: HeapArray | Float32Array, sv: Int32Array, ov: HeapArray | Float32Array, n: number, inner: number, numSegments: number): void {
  ov.fill(0);
  for (let i = 0; i < n; i++) {
    const s = sv[i]!;
    if (s < 0 || s >= numSegments) continue;
    const xo = i * inner;
    const oo = s * inner;
    for (let j = 0; j < inner; j++) ov[oo + j]! += xv[xo + j]!;
  }
}

function shapes(x: TensorInfo, ids: TensorInfo, numSegments: number): { n: number; inner: number; outShape: number[] } {
  const r = ids.shape.length;
  const n = sizeOf(ids.shape);
  const inner = sizeOf(x.shape.slice(r));
  return { n, inner, outShape: [numSegments, ...x.shape.slice(r)] };
}

export function makeSegmentSumKernels(): KernelConfig[] {
  const wasm: KernelFunc = (args) => {
    const backend = args.backend as unknown as WasmBackendLike;
    const x = args.inputs['x'] as TensorInfo;
    const ids = args.inputs['segmentIds'] as TensorInfo;
    const { numSegments } = args.attrs as unknown as { numSegments: number };
    const { n, inner, outShape } = shapes(x, ids, numSegments);
    const out = backend.makeOutput(outShape, x.dtype);
    if (sizeOf(outShape) === 0) return out;
    const ov = backend.typedArrayFromHeap(out);
    const xv = backend.typedArrayFromHeap(x);
    const sv = backend.typedArrayFromHeap(ids) as Int32Array;
    accumulate(xv, sv, ov, n, inner, numSegments);
    return out;
  };
  const cpu: KernelFunc = (args) => {
    const backend = args.backend as unknown as CpuBackendLike;
    const x = args.inputs['x'] as TensorInfo;
    const ids = args.inputs['segmentIds'] as TensorInfo;
    const { numSegments } = args.attrs as unknown as { numSegments: number };
    const { n, inner, outShape } = shapes(x, ids, numSegments);
    const xv = backend.data.get(x.dataId).values as Float32Array;
    const sv = Int32Array.from(backend.data.get(ids.dataId).values as ArrayLike<number>);
    const ov = x.dtype === 'int32' ? new Int32Array(sizeOf(outShape)) : new Float32Array(sizeOf(outShape));
    accumulate(xv, sv, ov, n, inner, numSegments);
    return backend.makeTensorInfo(outShape, x.dtype as DataType, ov);
  };
  return [
    { kernelName: tf.UnsortedSegmentSum, backendName: 'wasm', kernelFunc: wasm },
    { kernelName: tf.UnsortedSegmentSum, backendName: 'cpu', kernelFunc: cpu },
  ];
}
