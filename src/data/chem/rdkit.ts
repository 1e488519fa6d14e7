/**
 * The part of RDKit's MinimalLib (npm `@rdkit/rdkit`, `initRDKitModule()`) that the molecule code
 * uses, as a structural type: any object with these methods will do, so this folder never imports
 * the package itself (in Node `loadRDKit` of src/node/chem.ts loads it; in a page the caller does).
 */

/** An RDKit molecule handle (WASM memory: call `delete()` when done). */
export interface RDKitMol {
  /** Whether the SMILES was read (older MinimalLib builds return an invalid molecule instead of null). */
  is_valid(): boolean;
  /** Canonical SMILES; `details` is a JSON of SmilesWriteParams, e.g. `{"doIsomericSmiles":false}` (embind counts arguments: omit it, never pass `undefined`). */
  get_smiles(details?: string): string;
  /** The molecule as `rdkitjson` (atoms `z`/`chg`/`impHs`/`stereo`, Kekulé bonds `bo`, aromatic lists in the extension). */
  get_json(): string;
  /** Morgan fingerprint, packed 8 bits a byte (bit k is bit k % 8 of byte k ÷ 8); `details` e.g. `{"radius":2,"nBits":2048}`. */
  get_morgan_fp_as_uint8array(details?: string): Uint8Array;
  delete(): void;
}

/** A captured RDKit log channel (`set_log_capture`). */
export interface RDKitLog {
  get_buffer(): string;
  clear_buffer(): void;
  delete(): void;
}

/** The RDKit module (`await initRDKitModule()`). */
export interface RDKitModule {
  /** Parse SMILES (or an rdkitjson text); null when RDKit cannot read it. May throw on some inputs (e.g. the empty string). */
  get_mol(input: string, details?: string): RDKitMol | null;
  /** RDKit's version, e.g. `2026.09.1`. */
  version(): string;
  /** Capture a log channel (e.g. `rdApp.error`) to read why a SMILES was rejected. Optional. */
  set_log_capture?(name: string): RDKitLog | null;
}
