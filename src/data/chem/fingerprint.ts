/**
 * Morgan (ECFP-like) bit fingerprints from RDKit's MinimalLib, as RDKit's
 * `AllChem.GetMorganFingerprintAsBitVect(mol, radius, nBits=nBits)` gives them (no chirality,
 * bond types on, counts off), for the fingerprint baselines.
 */
import { MoleculeError } from './mol.js';
import type { RDKitModule } from './rdkit.js';

/** Options of {@link morganFingerprint}. */
export interface MorganOptions {
  /** Radius (default 2, i.e. ECFP4). */
  radius?: number;
  /** Number of bits (default 2048). */
  nBits?: number;
}

/** The Morgan fingerprint of a SMILES: `nBits` bytes, each 0 or 1. Throws a `MoleculeError` when RDKit cannot read the SMILES. */
export function morganFingerprint(rdkit: RDKitModule, smiles: string, o: MorganOptions = {}): Uint8Array {
  const radius = o.radius ?? 2;
  const nBits = o.nBits ?? 2048;
  let mol: ReturnType<RDKitModule['get_mol']> = null;
  if (smiles.trim() !== '') {
    try {
      mol = rdkit.get_mol(smiles);
    } catch {
      mol = null;
    }
  }
  if (!mol) throw new MoleculeError(smiles, 'RDKit cannot read the SMILES', smiles.trim() === '' ? 'no-atoms' : 'unparsable');
  let packed: Uint8Array;
  try {
    packed = mol.get_morgan_fp_as_uint8array(JSON.stringify({ radius, nBits }));
  } finally {
    mol.delete();
  }
  const bits = new Uint8Array(nBits);
  for (let k = 0; k < nBits; k++) bits[k] = (packed[k >> 3]! >> (k & 7)) & 1;
  return bits;
}

/** The indices of the set bits of a fingerprint. */
export function onBits(bits: Uint8Array): number[] {
  const out: number[] = [];
  bits.forEach((b, k) => {
    if (b) out.push(k);
  });
  return out;
}
