/**
 * The native kernel pack for the tfjs WASM backend in Node: kernels registered through the
 * public kernel registry whose work is done by the C++ addon (native/), reading and writing the
 * tensors in place on the WASM heap. Each kernel falls back to the kernel it replaced (the
 * project's JS kernel pack or stock tfjs-wasm) for dtypes and forms it does not cover.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { NativeAddon } from './addon.js';
import { FUSED_ACTIVATION_GRAD } from '../../engine/gradients.js';
import { GRU_BACKWARD, GRU_FORWARD, OPTIMIZER_STEP } from '../../engine/ops.js';
import { contiguousReduction } from '../../engine/kernels/sum.js';
import { sizeOf, stridesOf } from '../../engine/kernels/wasm_types.js';

/** What these kernels need of tfjs-wasm's BackendWasm (public members in tfjs 4.22.0). */
interface WasmHeapBackend {
  wasm: { HEAPU8: Uint8Array };
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  getMemoryOffset(dataId: object): number;
  disposeData(dataId: object, force?: boolean): boolean;
}

const UNARY = { tanh: 0, sigmoid: 1, leakyRelu: 2, relu: 3, elu: 4, exp: 5 } as const;
const REDUCE = { sum: 0, max: 1, min: 2 } as const;
const BINARY = { add: 0, sub: 1, mul: 2, div: 3 } as const;

/**
 * Drop size-1 dims and merge neighbours that are contiguous for every operand (each `strides[k]`
 * row gives one operand's strides), so that the native loops see the fewest, longest runs:
 * e.g. a [64,150,1]→[64,150,50] tile becomes a 2-level copy. Mutates nothing; returns new arrays.
 */
export function collapseDims(sizes: readonly number[], strides: ReadonlyArray<readonly number[]>): { sizes: number[]; strides: number[][] } {
  const outS: number[] = [];
  const outT: number[][] = strides.map(() => []);
  for (let i = 0; i < sizes.length; i++) {
    const n = sizes[i]!;
    if (n === 1) continue;
    const last = outS.length - 1;
    if (last >= 0 && strides.every((st, k) => outT[k]![last] === st[i]! * n)) {
      outS[last] = outS[last]! * n;
      strides.forEach((st, k) => (outT[k]![last] = st[i]!));
    } else {
      outS.push(n);
      strides.forEach((st, k) => outT[k]!.push(st[i]!));
    }
  }
  if (outS.length === 0) return { sizes: [1], strides: strides.map(() => [1]) };
  return { sizes: outS, strides: outT };
}
const MAX_RANK = 24;

function elemBytes(dtype: tf.DataType): number {
  return dtype === 'bool' ? 1 : dtype === 'float32' || dtype === 'int32' ? 4 : 0;
}

/** Kernel configs for `addon`; `fallback(name)` gives the kernel each one replaces. */
export function makeNativeKernels(addon: NativeAddon, fallback: (name: string) => KernelFunc, threads: number): KernelConfig[] {
  // One scratch spec for strided copies ([rank, sizes…, srcStrides…, dstStrides…]); calls are synchronous.
  const spec = new Int32Array(1 + 3 * MAX_RANK);
  const be = (args: { backend: unknown }) => args.backend as WasmHeapBackend;
  const off = (b: WasmHeapBackend, t: TensorInfo) => b.getMemoryOffset(t.dataId);

  /** Copy `sizes` elements of src (strides `ss`, from byte offset so) into dst (strides `ds`). */
  const fillSpec = (sizes: readonly number[], s1: readonly number[], s2: readonly number[]): void => {
    const c = collapseDims(sizes, [s1, s2]);
    const r = c.sizes.length;
    spec[0] = r;
    for (let i = 0; i < r; i++) {
      spec[1 + i] = c.sizes[i]!;
      spec[1 + r + i] = c.strides[0]![i]!;
      spec[1 + 2 * r + i] = c.strides[1]![i]!;
    }
  };
  const copy = (b: WasmHeapBackend, so: number, dO: number, eb: number, sizes: readonly number[], ss: readonly number[], ds: readonly number[]): void => {
    fillSpec(sizes, ss, ds);
    addon.copy(b.wasm.HEAPU8, so, dO, eb, spec);
  };

  const binary = (name: string, op: number): KernelConfig => ({
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const a = args.inputs['a'] as TensorInfo;
      const bt = args.inputs['b'] as TensorInfo;
      if (a.dtype !== 'float32' || bt.dtype !== 'float32') return fallback(name)(args);
      const outShape = tf.backend_util.assertAndGetBroadcastShape(a.shape, bt.shape);
      if (outShape.length > MAX_RANK) return fallback(name)(args);
      const b = be(args);
      const out = b.makeOutput(outShape, 'float32');
      if (sizeOf(outShape) === 0) return out;
      // Strides of each operand over the output's dims, 0 where it is broadcast.
      const r = outShape.length;
      const strideOver = (shape: number[]): number[] => {
        const padded = [...new Array(r - shape.length).fill(1), ...shape];
        const st = stridesOf(padded);
        return padded.map((d, i) => (d === 1 ? 0 : st[i]!));
      };
      fillSpec(outShape, strideOver(a.shape), strideOver(bt.shape));
      addon.binary(b.wasm.HEAPU8, op, off(b, a), off(b, bt), off(b, out), spec);
      return out;
    },
  });

  const batchMatMul: KernelFunc = (args) => {
    const a = args.inputs['a'] as TensorInfo;
    const bt = args.inputs['b'] as TensorInfo;
    const { transposeA: tA, transposeB: tB } = args.attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const ra = a.shape.length;
    const rb = bt.shape.length;
    if (a.dtype !== 'float32' || bt.dtype !== 'float32' || ra < 2 || rb < 2) return fallback(tf.BatchMatMul)(args);
    const M = tA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
    const K = tA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
    const Kb = tB ? bt.shape[rb - 1]! : bt.shape[rb - 2]!;
    const N = tB ? bt.shape[rb - 2]! : bt.shape[rb - 1]!;
    if (K !== Kb) return fallback(tf.BatchMatMul)(args); // let tfjs raise its own error
    const bsA = a.shape.slice(0, -2);
    const bsB = bt.shape.slice(0, -2);
    const outBatch = tf.broadcast_util.assertAndGetBroadcastShape(bsA, bsB);
    const b = be(args);
    const out = b.makeOutput([...outBatch, M, N], 'float32');
    const batch = sizeOf(outBatch);
    if (batch * M * N === 0) return out;
    const batchA = sizeOf(bsA);
    const batchB = sizeOf(bsB);
    // The heap view is read after makeOutput: an allocation may have grown (replaced) it.
    const heap = b.wasm.HEAPU8;
    const ao = off(b, a);
    const bo = off(b, bt);
    const co = off(b, out);
    if (batchB === 1 && !tA) {
      // [..., M, K] @ [K, N]: every batch of a is more rows of one product.
      addon.gemm(heap, ao, bo, co, batchA * M, N, K, false, tB, 1, 0, 0, threads);
    } else if (batchA === batch && batchB === batch) {
      addon.gemm(heap, ao, bo, co, M, N, K, tA, tB, batch, M * K, K * N, threads);
    } else if (batchA === 1 && batchB === batch) {
      addon.gemm(heap, ao, bo, co, M, N, K, tA, tB, batch, 0, K * N, threads);
    } else if (batchB === 1 && batchA === batch) {
      addon.gemm(heap, ao, bo, co, M, N, K, tA, tB, batch, M * K, 0, threads);
    } else {
      // General broadcast (e.g. [2,1,M,K] @ [1,3,K,N]): one product per output batch.
      const r = outBatch.length;
      const pa = [...new Array(r - bsA.length).fill(1), ...bsA];
      const pb = [...new Array(r - bsB.length).fill(1), ...bsB];
      const sa = stridesOf(pa);
      const sb = stridesOf(pb);
      const idx = new Array<number>(r).fill(0);
      for (let i = 0; i < batch; i++) {
        let ia = 0;
        let ib = 0;
        for (let j = 0; j < r; j++) {
          if (pa[j] !== 1) ia += idx[j]! * sa[j]!;
          if (pb[j] !== 1) ib += idx[j]! * sb[j]!;
        }
        addon.gemm(heap, ao + 4 * ia * M * K, bo + 4 * ib * K * N, co + 4 * i * M * N, M, N, K, tA, tB, 1, 0, 0, threads);
        for (let j = r - 1; j >= 0; j--) {
          if (++idx[j]! < outBatch[j]!) break;
          idx[j] = 0;
        }
      }
    }
    return out;
  };

  const unary = (name: string, op: number): KernelConfig => ({
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs['x'] as TensorInfo;
      if (x.dtype !== 'float32') return fallback(name)(args);
      const alpha = op === UNARY.leakyRelu ? (args.attrs as unknown as { alpha: number }).alpha : 0;
      const b = be(args);
      const out = b.makeOutput(x.shape, 'float32');
      const n = sizeOf(x.shape);
      if (n > 0) addon.unary(b.wasm.HEAPU8, op, off(b, x), off(b, out), n, alpha);
      return out;
    },
  });

  const activationGrad: KernelFunc = (args) => {
    const a = args.inputs['a'] as TensorInfo;
    const dy = args.inputs['dy'] as TensorInfo;
    const { op, alpha } = args.attrs as unknown as { op: number; alpha: number };
    const b = be(args);
    const out = b.makeOutput(a.shape, 'float32');
    const n = sizeOf(a.shape);
    if (n !== sizeOf(dy.shape)) throw new Error(`${FUSED_ACTIVATION_GRAD}: dy has ${sizeOf(dy.shape)} elements, expected ${n}`);
    if (n > 0) addon.unaryGrad(b.wasm.HEAPU8, op, off(b, a), off(b, dy), off(b, out), n, alpha);
    return out;
  };

  const reduction = (name: string, op: number): KernelConfig => ({
    kernelName: name,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs['x'] as TensorInfo;
      // Sum names its axes `axis`; Max and Min name them `reductionIndices`.
      const at = args.attrs as unknown as { axis?: number | number[]; reductionIndices?: number | number[]; keepDims: boolean };
      const axis = (at.axis ?? at.reductionIndices)!;
      const keepDims = at.keepDims;
      const r = x.dtype === 'float32' ? contiguousReduction(x.shape, axis) : null;
      if (!r || sizeOf(x.shape) === 0) return fallback(name)(args);
      const b = be(args);
      const out = b.makeOutput(keepDims ? r.keptShape : r.outShape, 'float32');
      addon.reduce(b.wasm.HEAPU8, op, off(b, x), off(b, out), r.outer, r.reduced, r.inner);
      return out;
    },
  });

  /** Slice of x as a fresh tensor. */
  const sliceOf = (b: WasmHeapBackend, x: TensorInfo, begin: readonly number[], size: readonly number[]): TensorInfo => {
    const eb = elemBytes(x.dtype);
    const out = b.makeOutput(size.slice(), x.dtype);
    if (sizeOf(size) === 0) return out;
    const xs = stridesOf(x.shape);
    let start = 0;
    for (let i = 0; i < begin.length; i++) start += begin[i]! * xs[i]!;
    copy(b, off(b, x) + start * eb, off(b, out), eb, size, xs, stridesOf(size));
    return out;
  };
  const copyable = (t: TensorInfo) => elemBytes(t.dtype) > 0 && t.shape.length <= MAX_RANK;

  const slice: KernelFunc = (args) => {
    const x = args.inputs['x'] as TensorInfo;
    if (!copyable(x)) return fallback(tf.Slice)(args);
    const { begin, size } = args.attrs as unknown as { begin: number | number[]; size?: number | number[] };
    const [bg, sz] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, begin, size) as [number[], number[]];
    tf.slice_util.assertParamsValid(x as unknown as tf.Tensor, bg, sz);
    return sliceOf(be(args), x, bg, sz);
  };
  const splitV: KernelFunc = (args) => {
    const x = args.inputs['x'] as TensorInfo;
    if (!copyable(x)) return fallback(tf.SplitV)(args);
    const { numOrSizeSplits, axis } = args.attrs as unknown as { numOrSizeSplits: number | number[]; axis: number };
    const ax = tf.util.parseAxisParam(axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, numOrSizeSplits, ax);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((s) => {
      const size = x.shape.slice();
      size[ax] = s;
      const o = sliceOf(be(args), x, begin, size);
      begin[ax]! += s;
      return o;
    });
  };
  const unpack: KernelFunc = (args) => {
    const x = args.inputs['value'] as TensorInfo;
    if (!copyable(x)) return fallback(tf.Unpack)(args);
    let axis = (args.attrs as unknown as { axis: number }).axis;
    if (axis < 0) axis += x.shape.length;
    const outShape = x.shape.filter((_, i) => i !== axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    const size = x.shape.slice();
    size[axis] = 1;
    const outs: TensorInfo[] = [];
    for (let i = 0; i < x.shape[axis]!; i++) {
      begin[axis] = i;
      const o = sliceOf(be(args), x, begin, size);
      outs.push({ dataId: o.dataId, dtype: o.dtype, shape: outShape });
    }
    return outs;
  };

  const concat: KernelFunc = (args) => {
    const all = Object.values(args.inputs) as TensorInfo[];
    const { axis } = args.attrs as unknown as { axis: number };
    if (all.length === 0 || !all.every((t) => copyable(t) && t.dtype === all[0]!.dtype)) return fallback(tf.Concat)(args);
    const ax = tf.util.parseAxisParam(axis, all[0]!.shape)[0]!;
    const outShape = tf.backend_util.computeOutShape(
      all.map((t) => t.shape),
      ax,
    );
    const b = be(args);
    const dtype = all[0]!.dtype;
    const eb = elemBytes(dtype);
    const out = b.makeOutput(outShape, dtype);
    const outer = sizeOf(outShape.slice(0, ax));
    const total = sizeOf(outShape.slice(ax));
    if (outer * total === 0) return out;
    let col = 0;
    for (const t of all) {
      const inner = sizeOf(t.shape.slice(ax));
      if (inner > 0) copy(b, off(b, t), off(b, out) + col * eb, eb, [outer, inner], [inner, 1], [total, 1]);
      col += inner;
    }
    return out;
  };

  const tile: KernelFunc = (args) => {
    const x = args.inputs['x'] as TensorInfo;
    const { reps } = args.attrs as unknown as { reps: number[] };
    if (!copyable(x) || 2 * x.shape.length > MAX_RANK || reps.length !== x.shape.length) return fallback(tf.Tile)(args);
    const b = be(args);
    const outShape = x.shape.map((d, i) => d * reps[i]!);
    const out = b.makeOutput(outShape, x.dtype);
    if (sizeOf(outShape) === 0) return out;
    // The output viewed as [r0, d0, r1, d1, …]; the source repeats with stride 0 along each r.
    const xs = stridesOf(x.shape);
    const sizes: number[] = [];
    const ss: number[] = [];
    x.shape.forEach((d, i) => {
      sizes.push(reps[i]!, d);
      ss.push(0, xs[i]!);
    });
    copy(b, off(b, x), off(b, out), elemBytes(x.dtype), sizes, ss, stridesOf(sizes));
    return out;
  };

  const transpose: KernelFunc = (args) => {
    const x = args.inputs['x'] as TensorInfo;
    const { perm } = args.attrs as unknown as { perm: number[] };
    if (!copyable(x)) return fallback(tf.Transpose)(args);
    const b = be(args);
    const outShape = perm.map((p) => x.shape[p]!);
    const out = b.makeOutput(outShape, x.dtype);
    if (sizeOf(outShape) === 0) return out;
    const xs = stridesOf(x.shape);
    copy(
      b,
      off(b, x),
      off(b, out),
      elemBytes(x.dtype),
      outShape,
      perm.map((p) => xs[p]!),
      stridesOf(outShape),
    );
    return out;
  };

  const gather: KernelFunc = (args) => {
    const x = args.inputs['x'] as TensorInfo;
    const indices = args.inputs['indices'] as TensorInfo;
    const { axis, batchDims } = args.attrs as unknown as { axis: number; batchDims: number };
    const ax = tf.util.parseAxisParam(axis, x.shape)[0];
    if (ax !== 0 || (batchDims ?? 0) !== 0 || !copyable(x) || indices.dtype !== 'int32') return fallback(tf.GatherV2)(args);
    const b = be(args);
    const rowBytes = sizeOf(x.shape.slice(1)) * elemBytes(x.dtype);
    const nIdx = sizeOf(indices.shape);
    const out = b.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    if (nIdx === 0 || rowBytes === 0) return out;
    const bad = addon.gatherRows(b.wasm.HEAPU8, off(b, x), off(b, indices), off(b, out), rowBytes, nIdx, x.shape[0]!);
    if (bad >= 0) {
      const heapIdx = new Int32Array(b.wasm.HEAPU8.buffer, off(b, indices), nIdx);
      const v = heapIdx[bad]!;
      b.disposeData(out.dataId);
      throw new Error(`GatherV2: the index value ${v} is not in [0, ${x.shape[0]! - 1}]`);
    }
    return out;
  };

  const segmentSum: KernelFunc = (args) => {
    const x = args.inputs['x'] as TensorInfo;
    const ids = args.inputs['segmentIds'] as TensorInfo;
    const { numSegments } = args.attrs as unknown as { numSegments: number };
    if (x.dtype !== 'float32' || ids.dtype !== 'int32') return fallback(tf.UnsortedSegmentSum)(args);
    const b = be(args);
    const n = sizeOf(ids.shape);
    const inner = sizeOf(x.shape.slice(ids.shape.length));
    const out = b.makeOutput([numSegments, ...x.shape.slice(ids.shape.length)], 'float32');
    if (numSegments * inner > 0) addon.segmentSum(b.wasm.HEAPU8, off(b, x), off(b, ids), off(b, out), n, inner, numSegments);
    return out;
  };

  const gruForward: KernelFunc = (args) => {
    const { x, whh, bhh, h0 } = args.inputs as Record<string, TensorInfo>;
    const [B, T, G] = x!.shape as [number, number, number];
    const H = G / 3;
    const b = be(args);
    const hs = b.makeOutput([B, T, H], 'float32');
    const gates = b.makeOutput([B, T, 4 * H], 'float32');
    if (B * T * H > 0) addon.gruForward(b.wasm.HEAPU8, off(b, x!), off(b, whh!), off(b, bhh!), off(b, h0!), off(b, hs), off(b, gates), B, T, H, threads);
    return [hs, gates];
  };
  const gruBackward: KernelFunc = (args) => {
    const { dy, gates, hs, h0, whh } = args.inputs as Record<string, TensorInfo>;
    const [B, T, H] = hs!.shape as [number, number, number];
    const b = be(args);
    const dx = b.makeOutput([B, T, 3 * H], 'float32');
    const dw = b.makeOutput([3 * H, H], 'float32');
    const db = b.makeOutput([3 * H], 'float32');
    const dh0 = b.makeOutput([B, H], 'float32');
    if (B * T * H > 0) addon.gruBackward(b.wasm.HEAPU8, off(b, dy!), off(b, gates!), off(b, hs!), off(b, h0!), off(b, whh!), off(b, dx), off(b, dw), off(b, db), off(b, dh0), B, T, H, threads);
    return [dx, dw, db, dh0];
  };

  const hyperBuf = new Float64Array(8);
  const optimizerStep: KernelFunc = (args) => {
    const { p, g, s1, s2 } = args.inputs as Record<string, TensorInfo | undefined>;
    const { kind, hyper } = args.attrs as unknown as { kind: number; hyper: number[] };
    const b = be(args);
    const n = sizeOf(p!.shape);
    const outs = [b.makeOutput(p!.shape, 'float32'), b.makeOutput(p!.shape, 'float32')];
    if (kind === 0) outs.push(b.makeOutput(p!.shape, 'float32'));
    hyperBuf.fill(0);
    hyperBuf.set(hyper);
    if (n > 0) {
      const o = (t: TensorInfo | undefined) => (t ? off(b, t) : -1);
      addon.optimizerStep(b.wasm.HEAPU8, kind, off(b, p!), off(b, g!), o(s1), o(s2), off(b, outs[0]!), off(b, outs[1]!), kind === 0 ? off(b, outs[2]!) : -1, n, hyperBuf);
    }
    return outs;
  };

  const k = (kernelName: string, kernelFunc: KernelFunc): KernelConfig => ({ kernelName, backendName: 'wasm', kernelFunc });
  return [
    k(tf.BatchMatMul, batchMatMul),
    unary(tf.Tanh, UNARY.tanh),
    unary(tf.Sigmoid, UNARY.sigmoid),
    unary(tf.LeakyRelu, UNARY.leakyRelu),
    unary(tf.Relu, UNARY.relu),
    unary(tf.Elu, UNARY.elu),
    unary(tf.Exp, UNARY.exp),
    k(FUSED_ACTIVATION_GRAD, activationGrad),
    binary(tf.Add, BINARY.add),
    binary(tf.Sub, BINARY.sub),
    binary(tf.Multiply, BINARY.mul),
    binary(tf.RealDiv, BINARY.div),
    reduction(tf.Sum, REDUCE.sum),
    reduction(tf.Max, REDUCE.max),
    reduction(tf.Min, REDUCE.min),
    k(tf.Slice, slice),
    k(tf.SplitV, splitV),
    k(tf.Unpack, unpack),
    k(tf.Concat, concat),
    k(tf.Tile, tile),
    k(tf.Transpose, transpose),
    k(tf.GatherV2, gather),
    k(tf.UnsortedSegmentSum, segmentSum),
    k(GRU_FORWARD, gruForward),
    k(GRU_BACKWARD, gruBackward),
    k(OPTIMIZER_STEP, optimizerStep),
  ];
}
