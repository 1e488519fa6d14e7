/**
 * Opt-in multi-threaded WASM in Node (docs/research/engine.md §2.1). Stock tfjs-wasm never threads in Node:
 * its flag says no, and emscripten would start its workers from a `blob:` URL, which Node's
 * Worker rejects. This shim, applied once before the WASM backend initialises:
 *  1. sets WASM_HAS_MULTITHREAD_SUPPORT;
 *  2. hands emscripten a real worker file: the package's own worker text, loading the threaded
 *     module from its absolute path instead of a Blob;
 *  3. reports 2·N logical cores during start-up, because tfjs's C++ halves the count (it assumes
 *     SMT) and would otherwise start one thread on a 2-core machine.
 * Measured here: large matmuls 1.65–2× faster, training steps 1.25–1.5×, recurrent models no
 * faster while the second core spins — hence opt-in. The worker pool keeps the event loop
 * alive: the CLI calls process.exit() when done.
 */
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';

const BLOB_BRANCH =
  'if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}else{var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)}';

/**
 * Prepare the WASM backend to start `threads` threads. Returns a function that undoes the
 * temporary patches; call it after `tf.setBackend('wasm')` resolved.
 */
export function prepareWasmThreads(threads: number): () => void {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  const wasmOut = join(pkgDir, 'wasm-out');
  const { wasmWorkerContents } = require(join(wasmOut, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  if (!wasmWorkerContents.includes(BLOB_BRANCH)) {
    throw new Error('threaded WASM: the worker text of @tensorflow/tfjs-backend-wasm is not the one this shim knows (tfjs must be pinned at 4.22.0)');
  }
  const moduleFile = join(wasmOut, 'tfjs-backend-wasm-threaded-simd.js');
  // Real newlines inside its string literals must become escapes again (the package does the same
  // before making its Blob).
  const workerText = wasmWorkerContents.replace(BLOB_BRANCH, `self.WasmBackendModuleThreadedSimd=require(${JSON.stringify(moduleFile)});`).replace(/\n/g, '\\n');
  const workerFile = join(mkdtempSync(join(os.tmpdir(), 'sheaf-wasm-')), 'tfjs-wasm-worker.js');
  writeFileSync(workerFile, workerText);

  const wasm = require('@tensorflow/tfjs-backend-wasm') as { setThreadsCount(n: number): void };
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);
  const origCreate = URL.createObjectURL;
  const origCpus = os.cpus;
  URL.createObjectURL = (() => workerFile) as typeof URL.createObjectURL;
  const fakeCpus = (): os.CpuInfo[] => {
    const real = origCpus();
    return Array.from({ length: 2 * threads }, (_, i) => real[i % real.length]!);
  };
  (os as { cpus: typeof os.cpus }).cpus = fakeCpus;
  return () => {
    URL.createObjectURL = origCreate;
    (os as { cpus: typeof os.cpus }).cpus = origCpus;
  };
}

/** Threads the WASM backend actually runs with (1 when not threaded). */
export function wasmThreadsCount(): number {
  const require = createRequire(import.meta.url);
  const wasm = require('@tensorflow/tfjs-backend-wasm') as { getThreadsCount(): number };
  try {
    return wasm.getThreadsCount();
  } catch {
    return 1;
  }
}
