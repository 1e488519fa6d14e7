/**
 * `SheafUnsortedSegmentMax`: out[s] = max over rows i with segmentIds[i] = s (−Infinity for an
 * empty segment). tfjs has no segment max; graph attention over an edge list needs it to
 * stabilise the per-node softmax. It is used under `stopGradient` only, so it has no gradient.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { sizeOf, type CpuBackendLike, type HeapArray, type WasmBackendLike } from './wasm_types.js';

export const SegmentMaxKernelName = 'SheafUnsortedSegmentMax';

function maxInto(xv: HeapArray | Float32Array, sv: ArrayLike<number>, ov: HeapArray | Float32Array, n: number, inner: number, numSegments: number): void {
  ov.fill(-Infinity);
  for (let i = 0; i < n; i++) {
    const s = sv[i]!;
    if (s < 0 || s >= numSegments) continue;
    const xo = i * inner;
    const oo = s * inner;
    for (let j = 0; j < inner; j++) {
      const v = xv[xo + j]!;
      if (v > ov[oo + j]!) ov[oo + j] = v;
    }
  }
}

export function makeSegmentMaxKernels(): KernelConfig[] {
  const dims = (x: TensorInfo, ids: TensorInfo, numSegments: number) => ({
    n: sizeOf(ids.shape),
    inner: sizeOf(x.shape.slice(ids.shape.length)),
    outShape: [numSegments, ...x.shape.slice(ids.shape.length)],
  });
  const wasm: KernelFunc = (args) => {
    const backend = args.backend as unknown as WasmBackendLike;
    const x = args.inputs['x'] as TensorInfo;
    const ids = args.inputs['segmentIds'] as TensorInfo;
    const { numSegments } = args.attrs as unknown as { numSegments: number };
    const { n, inner, outShape } = dims(x, ids, numSegments);
    const out = backend.makeOutput(outShape, 'float32');
    if (sizeOf(outShape) === 0) return out;
    const ov = backend.typedArrayFromHeap(out);
    maxInto(backend.typedArrayFromHeap(x), backend.typedArrayFromHeap(ids), ov, n, inner, numSegments);
    return out;
  };
  const cpu: KernelFunc = (args) => {
    const backend = args.backend as unknown as CpuBackendLike;
    const x = args.inputs['x'] as TensorInfo;
    const ids = args.inputs['segmentIds'] as TensorInfo;
    const { numSegments } = args.attrs as unknown as { numSegments: number };
    const { n, inner, outShape } = dims(x, ids, numSegments);
    const ov = new Float32Array(sizeOf(outShape));
    maxInto(backend.data.get(x.dataId).values as Float32Array, backend.data.get(ids.dataId).values as Int32Array, ov, n, inner, numSegments);
    return backend.makeTensorInfo(outShape, 'float32', ov);
  };
  return [
    { kernelName: SegmentMaxKernelName, backendName: 'wasm', kernelFunc: wasm },
    { kernelName: SegmentMaxKernelName, backendName: 'cpu', kernelFunc: cpu },
  ];
}
