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
   * through a shim (src/node/threads.ts, installed by src/node/engine.ts); it must be chosen
   * before the WASM backend first starts.
   */
  threads?: number;
}

/** Environment-specific steps around backend start-up (the Node entry installs them). */
export interface EngineHooks {
  /** Before `tf.setBackend('wasm')` with threads > 1; returns an undo function. */
  prepareWasmThreads?: (threads: number) => () => void;
  /** Threads the WASM backend actually runs with. */
  wasmThreads?: () => number;
  /** After the kernel pack: more kernels (Node's native pack). Returns their names. */
  afterStart?: (backend: string) => string[];
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
}

let current: EngineInfo | null = null;
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
  if (current && current.backend === wanted) return current;
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
  const kernels = [...installKernelPack(wanted), ...(hooks.afterStart?.(wanted) ?? [])];
  const actual = wanted === 'wasm' && hooks.wasmThreads ? hooks.wasmThreads() : 1;
  current = { backend: wanted, kernels, threads: actual };
  return current;
}

/** The running engine, or null before `initEngine`. */
export function engineInfo(): EngineInfo | null {
  return current;
}
