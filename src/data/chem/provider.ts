/**
 * Where the RDKit module comes from. RDKit's MinimalLib is a WASM module that is loaded
 * differently in Node (from the installed `@rdkit/rdkit` package: `sheaf/node` registers that
 * loader at start-up) and in a page (the caller serves `RDKit_minimal.wasm` and passes
 * `initRDKitModule()`), so the browser-safe code asks this provider and never loads it itself.
 */
import { UsageError } from '../../util/errors.js';

let loader: (() => Promise<unknown>) | null = null;
let loaded: Promise<unknown> | null = null;

/**
 * Say how to get RDKit, e.g. in a page: `provideRDKit(() => initRDKitModule({ locateFile: () => '/RDKit_minimal.wasm' }))`.
 * The first `getRDKit()` calls it once; later calls share the module.
 */
export function provideRDKit(load: () => Promise<unknown>): void {
  loader = load;
  loaded = null;
}

/** Whether a loader has been provided. */
export function hasRDKit(): boolean {
  return loader !== null;
}

/** The RDKit module (loaded on first use). */
export async function getRDKit<T = import('./rdkit.js').RDKitModule>(): Promise<T> {
  if (!loader) {
    throw new UsageError("RDKit is not available: in Node import from 'sheaf/node' (it registers the @rdkit/rdkit loader); in a page call provideRDKit(() => initRDKitModule(...)) first");
  }
  loaded ??= loader().catch((e: unknown) => {
    loaded = null;
    throw e;
  });
  return (await loaded) as T;
}
