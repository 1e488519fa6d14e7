/**
 * Node-only entry of the native kernel pack: loads the addon and registers its kernels on the
 * tfjs WASM backend (over the project's JS kernel pack, which stays registered underneath as the
 * fallback for uncovered forms). Off with `SHEAF_NATIVE=0` or the engine's `native: 'off'`.
 * If the addon cannot be loaded, Sheaf says so once on stderr and runs on the WASM kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { loadAddon, type NativeAddon } from './addon.js';
import { makeNativeKernels } from './kernels.js';

export type { NativeAddon } from './addon.js';

let loaded: { addon: NativeAddon | null; detail: string } | null = null;
let warned = false;
/** Kernels replaced by the pack, to restore on uninstall. */
const replaced = new Map<string, KernelConfig | undefined>();

/** The addon (loaded once), or null with the reason in `nativeStatus().detail`. */
export function nativeAddon(): NativeAddon | null {
  loaded ??= loadAddon();
  return loaded.addon;
}

/** Whether the native kernels are registered, the micro-kernel family in use, and the addon path or load error. */
export function nativeStatus(): { installed: boolean; arch: string | null; detail: string } {
  const addon = nativeAddon();
  return { installed: replaced.size > 0, arch: addon ? addon.arch().name : null, detail: loaded!.detail };
}

export interface NativeOptions {
  /** Threads for large GEMMs (default 1; 2 splits products of ≥ 4 M multiply-adds in two). */
  threads?: number;
  /** Print nothing when the addon is missing. */
  quiet?: boolean;
}

/**
 * Register the native kernels on the WASM backend (call after the JS kernel pack is installed).
 * Returns the kernel names registered; [] when the addon is unavailable. Idempotent.
 */
export function installNativeKernels(opts: NativeOptions = {}): string[] {
  const addon = nativeAddon();
  if (!addon) {
    if (!warned && !opts.quiet) {
      warned = true;
      console.warn(
        `sheaf: native kernels unavailable (${loaded!.detail}); running on the WASM kernels. Build them with 'node native/build.mjs' (needs g++ and Node's headers), or set SHEAF_NATIVE=0 to silence this.`,
      );
    }
    return [];
  }
  if (replaced.size > 0) return [...replaced.keys()];
  const fallbackOf = new Map<string, KernelFunc>();
  const fallback = (name: string): KernelFunc => {
    const f = fallbackOf.get(name);
    if (!f) throw new Error(`native kernel pack: no fallback kernel for ${name}`);
    return f;
  };
  const cfgs = makeNativeKernels(addon, fallback, Math.max(1, opts.threads ?? 1));
  for (const cfg of cfgs) {
    const prev = tf.getKernel(cfg.kernelName, 'wasm');
    replaced.set(cfg.kernelName, prev);
    if (prev) {
      fallbackOf.set(cfg.kernelName, prev.kernelFunc);
      tf.unregisterKernel(cfg.kernelName, 'wasm');
    }
    tf.registerKernel(cfg);
  }
  return cfgs.map((c) => c.kernelName);
}

/** Put back the kernels the pack replaced (tests run the kernel suite with the pack on and off). */
export function uninstallNativeKernels(): void {
  for (const [name, prev] of replaced) {
    tf.unregisterKernel(name, 'wasm');
    if (prev) tf.registerKernel(prev);
  }
  replaced.clear();
}
