/**
 * The slice of the tfjs WASM backend's internals that our kernels use. These members are public
 * on `BackendWasm` (tfjs 4.22.0, pinned exactly); `assertKernelPackPreconditions` checks at
 * start-up that they still exist, so an upgrade that removes them fails loudly.
 */
import type { DataType, TensorInfo } from '@tensorflow/tfjs-core';

export type HeapArray = Float32Array | Int32Array | Uint8Array;

export interface WasmBackendLike {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): HeapArray;
  disposeData(dataId: object, force?: boolean): boolean;
  readSync(dataId: object): unknown;
}

/** The CPU backend's storage, used where we register the same JS kernel for `cpu`. */
export interface CpuBackendLike {
  data: { get(dataId: object): { values: unknown } };
  makeTensorInfo(shape: number[], dtype: DataType, values?: unknown): TensorInfo;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}
