/**
 * RDKit in Node: MinimalLib from the installed `@rdkit/rdkit` package, its `RDKit_minimal.wasm`
 * found through Node's module resolution (so it works from the repository and from the package
 * installed anywhere). Importing this module registers the loader with src/data/chem/provider.ts,
 * unless a loader was provided already.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { RDKitModule } from '../data/chem/rdkit.js';
import { hasRDKit, provideRDKit } from '../data/chem/provider.js';

let rdkit: Promise<RDKitModule> | null = null;

/** The path of the `RDKit_minimal.wasm` that `loadRDKit` uses. */
export function rdkitWasmPath(): string {
  return join(dirname(createRequire(import.meta.url).resolve('@rdkit/rdkit')), 'RDKit_minimal.wasm');
}

type InitRDKit = (options?: { locateFile?: (file: string) => string }) => Promise<RDKitModule>;

/** RDKit's MinimalLib (loaded once; later calls share the module). */
export function loadRDKit(): Promise<RDKitModule> {
  rdkit ??= (async () => {
    const wasm = rdkitWasmPath();
    const mod = (await import('@rdkit/rdkit')) as unknown as { default: InitRDKit | { default: InitRDKit } };
    const init = typeof mod.default === 'function' ? mod.default : mod.default.default;
    return init({ locateFile: (file: string) => (file.endsWith('.wasm') ? wasm : join(dirname(wasm), file)) });
  })().catch((e: unknown) => {
    rdkit = null;
    throw new Error(`cannot load RDKit (@rdkit/rdkit): ${e instanceof Error ? e.message : String(e)}`);
  });
  return rdkit;
}

if (!hasRDKit()) provideRDKit(loadRDKit);
