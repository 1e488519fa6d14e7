/**
 * Finds and loads the native kernel addon (native/, built by native/build.mjs at install).
 * Search order: the local build (native/build/Release), then the prebuilt binary shipped in the
 * npm tarball for this platform (native/prebuilt/<platform>-<arch>). Node-only.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The addon's functions (native/src/addon.cc). Offsets are bytes into `heap`; strides are elements. */
export interface NativeAddon {
  gemm(heap: Uint8Array, a: number, b: number, c: number, M: number, N: number, K: number, transA: boolean, transB: boolean, batch: number, aStride: number, bStride: number, threads: number): void;
  unary(heap: Uint8Array, op: number, x: number, y: number, n: number, alpha: number): void;
  unaryGrad(heap: Uint8Array, op: number, a: number, dy: number, out: number, n: number, alpha: number): void;
  reduce(heap: Uint8Array, op: number, x: number, out: number, outer: number, axis: number, inner: number): void;
  copy(heap: Uint8Array, src: number, dst: number, elemBytes: number, spec: Int32Array): void;
  gruForward(heap: Uint8Array, xp: number, whh: number, bhh: number, h0: number, hs: number, gates: number, B: number, T: number, H: number, threads: number): void;
  gruBackward(
    heap: Uint8Array,
    dy: number,
    gates: number,
    hs: number,
    h0: number,
    whh: number,
    dxp: number,
    dwhh: number,
    dbhh: number,
    dh0: number,
    B: number,
    T: number,
    H: number,
    threads: number,
  ): void;
  optimizerStep(heap: Uint8Array, kind: number, p: number, g: number, s1: number, s2: number, po: number, s1o: number, s2o: number, n: number, hyper: Float64Array): void;
  binary(heap: Uint8Array, op: number, a: number, b: number, out: number, spec: Int32Array): void;
  gatherRows(heap: Uint8Array, x: number, idx: number, out: number, rowBytes: number, nIdx: number, rows: number): number;
  segmentSum(heap: Uint8Array, x: number, ids: number, out: number, n: number, inner: number, numSegments: number): void;
  arch(): { name: string; mr: number; nr: number };
  setArch(name: string): boolean;
}

export interface LoadResult {
  addon: NativeAddon | null;
  /** Where it was loaded from, or why it was not. */
  detail: string;
}

/** The package root: src/node/native/ and dist/node/native/ are both three levels below it. */
export function packageRoot(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
}

/** Candidate addon files, best first. */
export function addonCandidates(root = packageRoot()): string[] {
  return [join(root, 'native', 'build', 'Release', 'sheaf_native.node'), join(root, 'native', 'prebuilt', `${process.platform}-${process.arch}`, 'sheaf_native.node')];
}

/** Try every candidate; never throws. */
export function loadAddon(): LoadResult {
  const require = createRequire(import.meta.url);
  const errors: string[] = [];
  for (const file of addonCandidates()) {
    if (!existsSync(file)) continue;
    try {
      const addon = require(file) as NativeAddon;
      if (typeof addon.gemm !== 'function') throw new Error('not the Sheaf kernel addon');
      return { addon, detail: file };
    } catch (e) {
      errors.push(`${file}: ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return { addon: null, detail: errors.length ? errors.join('; ') : `no addon built for ${process.platform}-${process.arch}` };
}
