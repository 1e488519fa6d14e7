/**
 * Engine start-up: choose and initialise a tfjs backend, then install our kernel pack.
 *
 * Order of choice: the `backend` option, then the `SHEAF_BACKEND` environment variable, then
 * the default — `wasm` (SIMD) in Node, `webgl` in a browser. `tensorflow` (tfjs-node) and
 * `tensorflow-gpu` are used only when the user has installed those packages themselves; Sheaf
 * never requires them.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { installKernelPack } from './kernels/index.js';
import { registerGradients } from './gradients.js';
import { UsageError } from '../util/errors.js';

/** Backends Sheaf knows how to start. */
export const BACKENDS = ['wasm', 'cpu', 'tensorflow', 'tensorflow-gpu', 'webgl', 'webgpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface EngineOptions {
  /** Backend to use; overrides `SHEAF_BACKEND` (Node). */
  backend?: BackendName;
  /**
   * WASM threads (default 1, or `SHEAF_THREADS`). In Node more than 1 uses the threaded build
   * through a shim (src/node/threads.ts, installed by src/node/setup.ts); it must be chosen
   * before the WASM backend first starts.
   */
  threads?: number;
  /**
   * Native kernels for the WASM backend in Node (default 'auto', or `SHEAF_NATIVE`: 0/off, 1/on):
   * 'auto' and 'on' use them when the addon loads; 'off' keeps the WASM kernels.
   */
  native?: NativeMode;
}

/** Whether Node's native kernel pack is used: when it loads ('auto'), always ('on': an error when it cannot), never. */
export type NativeMode = 'auto' | 'on' | 'off';

/** Environment-specific steps around backend start-up (the Node entry installs them). */
export interface EngineHooks {
  /** Before `tf.setBackend('wasm')` with threads > 1; returns an undo function. */
  prepareWasmThreads?: (threads: number) => () => void;
  /** Threads the WASM backend actually runs with. */
  wasmThreads?: () => number;
  /**
   * After the kernel pack: more kernels (Node's native pack), given the native mode and threads.
   * Returns the kernel names it registered and the native micro-kernel family (null: none).
   */
  afterStart?: (backend: string, opts: { native: NativeMode; threads: number }) => { kernels: string[]; native: string | null };
}

let hooks: EngineHooks = {};

/** Install environment hooks (called once by an entry point). */
export function setEngineHooks(h: EngineHooks): void {
  hooks = { ...hooks, ...h };
}

export interface EngineInfo {
  backend: string;
  /** WASM threads in use (1 on other backends). */
  threads: number;
  /** Kernels the pack replaced or added on this backend. */
  kernels: string[];
  /** The native micro-kernel family in use ('avx512', 'avx2', 'generic'), or null when off or unavailable. */
  native: string | null;
}

let current: EngineInfo | null = null;
let currentNativeMode: NativeMode = 'auto';
let wasmStarted = false;
const isNode = typeof process !== 'undefined' && !!process.versions?.node;
const env = (name: string): string | undefined => (isNode ? process.env[name] : undefined);

/** Parse a backend name from a flag or the environment, with a clear error for unknown names. */
export function parseBackendName(name: string, source = 'backend'): BackendName {
  if ((BACKENDS as readonly string[]).includes(name)) return name as BackendName;
  throw new UsageError(`unknown ${source} '${name}'; accepted: ${BACKENDS.join(', ')}`);
}

async function registerBackend(name: BackendName): Promise<void> {
  switch (name) {
    case 'cpu':
      return; // registered by the side-effect import above
    case 'wasm':
      await import('@tensorflow/tfjs-backend-wasm');
      return;
    case 'tensorflow':
    case 'tensorflow-gpu': {
      // Optional peer: a user who installed it gets it; nobody else needs it.
      const pkg = name === 'tensorflow' ? '@tensorflow/tfjs-node' : '@tensorflow/tfjs-node-gpu';
      try {
        await import(pkg);
      } catch {
        throw new UsageError(`backend '${name}' needs the optional package ${pkg}, which is not installed (npm install ${pkg}@4.22.0)`);
      }
      return;
    }
    case 'webgl':
    case 'webgpu': {
      const pkg = name === 'webgl' ? '@tensorflow/tfjs-backend-webgl' : '@tensorflow/tfjs-backend-webgpu';
      try {
        await import(pkg);
      } catch {
        throw new UsageError(`backend '${name}' needs ${pkg}, which is not installed`);
      }
      return;
    }
  }
}

/**
 * Initialise the engine once per process. Later calls with the same (or no) backend return the
 * running engine; asking for a different backend switches to it.
 */
export async function initEngine(opts: EngineOptions = {}): Promise<EngineInfo> {
  const envBackend = env('SHEAF_BACKEND');
  const wanted: BackendName = opts.backend ?? (envBackend ? parseBackendName(envBackend, 'SHEAF_BACKEND') : isNode ? 'wasm' : 'webgl');
  const nativeMode = resolveNative(opts.native);
  if (current && current.backend === wanted && (wanted !== 'wasm' || (nativeMode === 'off') === (currentNativeMode === 'off'))) return current;
  // The CPU backend prints a banner suggesting tfjs-node on first use unless PROD is set.
  tf.env().set('PROD', true);
  registerGradients();
  await registerBackend(wanted);
  const envThreads = env('SHEAF_THREADS');
  const threads = opts.threads ?? (envThreads ? Number(envThreads) : 1);
  if (!Number.isInteger(threads) || threads < 1 || threads > 8) throw new UsageError(`threads must be an integer from 1 to 8, got ${envThreads ?? opts.threads}`);
  let undo: (() => void) | null = null;
  if (wanted === 'wasm' && threads > 1) {
    if (wasmStarted) throw new UsageError('WASM threads must be chosen before the WASM backend first starts');
    if (!hooks.prepareWasmThreads) throw new UsageError('WASM threads need the Node set-up (sheaf/node) or a cross-origin-isolated page');
    undo = hooks.prepareWasmThreads(threads);
  }
  let ok: boolean;
  try {
    ok = await tf.setBackend(wanted);
  } finally {
    undo?.();
  }
  if (!ok) throw new Error(`backend '${wanted}' failed to initialise`);
  await tf.ready();
  if (wanted === 'wasm') wasmStarted = true;
  const kernels = installKernelPack(wanted);
  const extra = hooks.afterStart?.(wanted, { native: nativeMode, threads }) ?? { kernels: [], native: null };
  kernels.push(...extra.kernels.filter((n) => !kernels.includes(n)));
  const actual = wanted === 'wasm' && hooks.wasmThreads ? hooks.wasmThreads() : 1;
  current = { backend: wanted, kernels, threads: actual, native: extra.native };
  currentNativeMode = nativeMode;
  return current;
}

function resolveNative(opt: EngineOptions['native']): NativeMode {
  if (opt) return opt;
  const v = env('SHEAF_NATIVE');
  if (v === undefined || v === '' || v === 'auto') return 'auto';
  if (v === '0' || v === 'off' || v === 'false') return 'off';
  if (v === '1' || v === 'on' || v === 'true') return 'on';
  throw new UsageError(`SHEAF_NATIVE must be 0/off, 1/on or auto, got '${v}'`);
}

/** The running engine, or null before `initEngine`. */
export function engineInfo(): EngineInfo | null {
  return current;
}
