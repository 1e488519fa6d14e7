/**
 * Bemis–Murcko scaffolds as RDKit's `MurckoScaffold.MurckoScaffoldSmiles(smiles, includeChirality=False)`
 * gives them (pretrain-gnns `chem/splitters.py` groups molecules by this string). MinimalLib has no
 * Murcko function, so it is rebuilt on the JSON form, following RDKit's `MurckoDecompose`:
 * - keep the ring systems and the chains linking them: repeatedly delete atoms with at most one
 *   remaining neighbour (what is left is the 2-core: every ring atom, and every atom on the one
 *   acyclic path between two ring systems);
 * - keep, too, every deleted atom that is double-bonded to a kept atom (exocyclic `=O`, `=N`, `=C`);
 * - give each kept atom one hydrogen per bond order it lost (RDKit re-derives the H count of such
 *   atoms; an aromatic heteroatom that lost its substituent becomes `[nH]`);
 * - rebuild the molecule from that JSON with RDKit and write canonical SMILES without stereo or
 *   isotopes (`includeChirality=False` is MolToSmiles' `isomericSmiles=False`).
 * A molecule without rings has the empty scaffold `''`, as in RDKit. test/data/chem/scaffold.test.ts
 * compares the result with Debian's RDKit on the 6 192 shipped hERG molecules.
 */
import { MoleculeError, parseMol, type ParsedMol } from './mol.js';
import type { RDKitModule } from './rdkit.js';

/** The Bemis–Murcko scaffold SMILES of a molecule (`''` when it has no ring). Throws a `MoleculeError` when RDKit cannot read it. */
export function murckoScaffold(rdkit: RDKitModule, smiles: string): string {
  return murckoFromParsed(rdkit, parseMol(rdkit, smiles));
}

/** The scaffold of a molecule already read by `parseMol`. */
export function murckoFromParsed(rdkit: RDKitModule, p: ParsedMol): string {
  const json = murckoJson(p);
  if (json === null) return '';
  let mol: ReturnType<RDKitModule['get_mol']>;
  try {
    mol = rdkit.get_mol(json);
  } catch {
    mol = null;
  }
  if (!mol) throw new MoleculeError(p.smiles, 'RDKit cannot rebuild the Murcko scaffold of the molecule', 'unparsable');
  try {
    return mol.get_smiles(NON_ISOMERIC);
  } finally {
    mol.delete();
  }
}

const NON_ISOMERIC = JSON.stringify({ doIsomericSmiles: false });
// MinimalLib's JSON reader needs the defaults block.
const JSON_DEFAULTS = '"defaults":{"atom":{"z":6,"impHs":0,"chg":0,"nRad":0,"isotope":0,"stereo":"unspecified"},"bond":{"bo":1,"stereo":"unspecified"}}';

/** The scaffold as an rdkitjson text, or null when it has no atoms. */
export function murckoJson(p: ParsedMol): string | null {
  const n = p.numAtoms;
  const nb = p.begin.length;
  const degree = new Int32Array(n);
  const nbrs: number[][] = Array.from({ length: n }, () => []);
  for (let b = 0; b < nb; b++) {
    const u = p.begin[b]!;
    const v = p.end[b]!;
    degree[u]!++;
    degree[v]!++;
    nbrs[u]!.push(b);
    nbrs[v]!.push(b);
  }
  // 2-core by repeated deletion of leaves.
  const core = new Uint8Array(n).fill(1);
  const queue: number[] = [];
  for (let a = 0; a < n; a++) if (degree[a]! <= 1) queue.push(a);
  while (queue.length > 0) {
    const a = queue.pop()!;
    if (!core[a]) continue;
    core[a] = 0;
    for (const b of nbrs[a]!) {
      const o = p.begin[b] === a ? p.end[b]! : p.begin[b]!;
      if (core[o] && --degree[o]! <= 1) queue.push(o);
    }
  }
  const keep = core.slice();
  for (let b = 0; b < nb; b++) {
    if (p.order[b] !== 2 || p.aromaticBond[b]) continue;
    const u = p.begin[b]!;
    const v = p.end[b]!;
    if (core[u] && !core[v]) keep[v] = 1;
    else if (core[v] && !core[u]) keep[u] = 1;
  }
  const index = new Int32Array(n).fill(-1);
  let m = 0;
  for (let a = 0; a < n; a++) if (keep[a]) index[a] = m++;
  if (m === 0) return null;
  const hs = p.hs.slice();
  const bonds: string[] = [];
  for (let b = 0; b < nb; b++) {
    const u = p.begin[b]!;
    const v = p.end[b]!;
    const bo = p.aromaticBond[b] ? 1 : p.order[b]!;
    if (keep[u] && keep[v]) {
      bonds.push(`{"bo":${p.order[b]},"atoms":[${index[u]},${index[v]}]}`);
    } else if (keep[u]) {
      hs[u]! += bo;
    } else if (keep[v]) {
      hs[v]! += bo;
    }
  }
  const atoms: string[] = [];
  for (let a = 0; a < n; a++) {
    if (!keep[a]) continue;
    atoms.push(`{"z":${p.z[a]},"chg":${p.chg[a]},"impHs":${hs[a]},"isotope":${p.isotope[a]},"nRad":${p.nRad[a]}}`);
  }
  return `{"rdkitjson":{"version":11},${JSON_DEFAULTS},"molecules":[{"atoms":[${atoms.join(',')}],"bonds":[${bonds.join(',')}]}]}`;
}
