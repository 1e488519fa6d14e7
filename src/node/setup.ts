/**
 * Sheaf in Node: files as the default storage, and the engine's Node parts — tfjs-core's gradients from the bundle the package ships
 * (`vendor/tfjs-gradients.cjs`, made by scripts/bundle-gradients.mjs when the package is built),
 * the threaded-WASM shim, the native kernel pack (src/node/native/), then the shared start-up (src/engine/backend.ts). Importing this module
 * installs these hooks; `initNodeEngine` is `initEngine` with them in place.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { initEngine, setEngineHooks, setGradientProvider, type EngineInfo, type EngineOptions } from '../engine/index.js';
import { prepareWasmThreads, wasmThreadsCount } from './threads.js';
import { installNativeKernels, nativeStatus, uninstallNativeKernels } from './native/index.js';
import { UsageError } from '../util/errors.js';
import { setDefaultStorage } from '../io/default.js';
import { PACKAGE_ROOT, nodeStorage } from './storage.js';
// RDKit for the molecule systems: registers the @rdkit/rdkit loader (used on first read of a SMILES).
import './chem.js';

/** Where the gradient bundle lives in the package. */
export const GRADIENT_BUNDLE = join(PACKAGE_ROOT, 'vendor', 'tfjs-gradients.cjs');

setGradientProvider(() => {
  if (!existsSync(GRADIENT_BUNDLE)) {
    throw new Error(`tfjs gradients are not bundled (${GRADIENT_BUNDLE} is missing): the package was built without 'npm run build' (which runs scripts/bundle-gradients.mjs)`);
  }
  createRequire(import.meta.url)(GRADIENT_BUNDLE);
});
setEngineHooks({
  prepareWasmThreads,
  wasmThreads: wasmThreadsCount,
  // The native kernel pack (src/node/native/) goes over the WASM backend's kernels.
  afterStart: (backend, { native, threads }) => {
    if (backend !== 'wasm') return { kernels: [], native: null };
    if (native === 'off') {
      uninstallNativeKernels();
      return { kernels: [], native: null };
    }
    const kernels = installNativeKernels({ threads, quiet: native === 'on' });
    if (kernels.length === 0 && native === 'on') {
      throw new UsageError(`native kernels were asked for (--native on / SHEAF_NATIVE=1) but cannot load: ${nativeStatus().detail}`);
    }
    return { kernels, native: kernels.length > 0 ? nativeStatus().arch : null };
  },
});
setDefaultStorage(nodeStorage);

/** Start the engine in Node (WASM by default). */
export function initNodeEngine(opts: EngineOptions = {}): Promise<EngineInfo> {
  return initEngine(opts);
}
