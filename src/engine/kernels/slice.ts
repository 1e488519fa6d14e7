/**
 * Slice, SplitV and Unpack for the WASM backend without the stock kernel's full copy.
 *
 * The stock kernel calls `readSync(x)`, which copies the *whole* input out of the WASM heap
 * before taking the slice, so one row of a [20000, 64] table costs milliseconds
 * (docs/research/engine.md §1.3). Here the input is read through a zero-copy heap view and only the
 * contiguous inner runs of the slice are copied.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo, NamedAttrMap } from '@tensorflow/tfjs-core';
import { sizeOf, stridesOf, type WasmBackendLike } from './wasm_types.js';

/** Copy the slice [begin, begin+size) of x into a fresh output. */
export function sliceWasm(backend: WasmBackendLike, x: TensorInfo, begin: number[], size: number[], original: KernelFunc): TensorInfo {
  if (x.dtype === 'string' || x.dtype === 'complex64') {
    return original({ inputs: { x }, backend: backend as never, attrs: { begin, size } }) as TensorInfo;
  }
  const shape = x.shape;
  const rank = shape.length;
  const out = backend.makeOutput(size.slice(), x.dtype);
  const total = sizeOf(size);
  if (total === 0) return out;
  // Views are taken after makeOutput: a heap growth detaches earlier views.
  const xv = backend.typedArrayFromHeap(x);
  const ov = backend.typedArrayFromHeap(out);
  if (rank === 0) {
    ov[0] = xv[0]!;
    return out;
  }
  const strides = stridesOf(shape);
  // k: the first axis from which the slice is one contiguous run per outer index.
  let k = rank - 1;
  while (k > 0 && size[k] === shape[k]) k--;
  const run = size[k]! * strides[k]!;
  const outer = size.slice(0, k);
  const nOuter = sizeOf(outer);
  const idx = new Array<number>(k).fill(0);
  let base = 0;
  for (let j = 0; j <= k; j++) base += begin[j]! * strides[j]!;
  let o = 0;
  for (let n = 0; n < nOuter; n++) {
    let off = base;
    for (let j = 0; j < k; j++) off += idx[j]! * strides[j]!;
    ov.set(xv.subarray(off, off + run), o);
    o += run;
    // Odometer over the outer axes.
    for (let j = k - 1; j >= 0; j--) {
      idx[j]!++;
      if (idx[j]! < outer[j]!) break;
      idx[j] = 0;
    }
  }
  return out;
}

function normaliseSlice(shape: number[], begin: number | number[], size?: number | number[]): [number[], number[]] {
  const b = typeof begin === 'number' ? [begin, ...new Array(shape.length - 1).fill(0)] : begin.slice();
  while (b.length < shape.length) b.push(0);
  let s: number[];
  if (size === undefined) s = shape.map((d, i) => d - b[i]!);
  else if (typeof size === 'number') s = [size, ...shape.slice(1).map((d, i) => d - b[i + 1]!)];
  else s = size.slice();
  while (s.length < shape.length) s.push(-1);
  s = s.map((v, i) => (v === -1 ? shape[i]! - b[i]! : v));
  return [b, s];
}

export function makeSliceKernels(originalSlice: KernelFunc): KernelConfig[] {
  const slice: KernelFunc = ({ inputs, backend, attrs }) => {
    const x = inputs['x'] as TensorInfo;
    const a = attrs as NamedAttrMap & { begin: number | number[]; size?: number | number[] };
    const [b, s] = normaliseSlice(x.shape, a.begin, a.size);
    return sliceWasm(backend as unknown as WasmBackendLike, x, b, s, originalSlice);
  };
  const splitV: KernelFunc = ({ inputs, backend, attrs }) => {
    const x = inputs['x'] as TensorInfo;
    const { numOrSizeSplits, axis } = attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
    const ax = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, numOrSizeSplits, ax);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = x.shape.slice();
      size[ax] = s;
      const out = sliceWasm(backend as unknown as WasmBackendLike, x, begin.slice(), size, originalSlice);
      begin[ax]! += s;
      return out;
    });
  };
  const unpack: KernelFunc = ({ inputs, backend, attrs }) => {
    const x = inputs['value'] as TensorInfo;
    let axis = (attrs as unknown as { axis: number }).axis;
    if (axis < 0) axis += x.shape.length;
    const outShape = x.shape.filter((_, i) => i !== axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    const size = x.shape.slice();
    size[axis] = 1;
    const outs: TensorInfo[] = [];
    for (let i = 0; i < x.shape[axis]!; i++) {
      begin[axis] = i;
      const o = sliceWasm(backend as unknown as WasmBackendLike, x, begin.slice(), size, originalSlice);
      outs.push({ dataId: o.dataId, dtype: o.dtype, shape: outShape });
    }
    return outs;
  };
  return [
    { kernelName: tf.Slice, backendName: 'wasm', kernelFunc: slice },
    { kernelName: tf.SplitV, backendName: 'wasm', kernelFunc: splitV },
    { kernelName: tf.Unpack, backendName: 'wasm', kernelFunc: unpack },
  ];
}
