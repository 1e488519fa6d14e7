/**
 * A molecule read by RDKit, as plain arrays taken from MinimalLib's `get_json()` (`rdkitjson`):
 * atoms with atomic number, charge, implicit H count and tetrahedral tag; bonds in RDKit's bond
 * order with their Kekulé order, the aromatic flag and double-bond stereo. The featuriser and the
 * scaffold code both start from this, so one RDKit parse serves both.
 */
import { InputError } from '../../util/errors.js';
import type { RDKitLog, RDKitModule } from './rdkit.js';

/** Why RDKit or the featuriser rejects a molecule. */
export type MoleculeErrorKind = 'unparsable' | 'no-atoms' | 'dummy-atom' | 'chirality' | 'bond-type';

/** A SMILES that cannot be featurised, with the reason (an input error: exit code 1 in the CLI). */
export class MoleculeError extends InputError {
  constructor(
    readonly smiles: string,
    readonly reason: string,
    readonly kind: MoleculeErrorKind,
  ) {
    super(`${reason}: ${smiles}`);
    this.name = 'MoleculeError';
  }
}

/** A parsed molecule (RDKit atom and bond order). */
export interface ParsedMol {
  smiles: string;
  numAtoms: number;
  /** Atomic number per atom (0 = dummy `*`). */
  z: Int32Array;
  /** Formal charge per atom. */
  chg: Int32Array;
  /** Implicit + explicit hydrogen count per atom (`impHs`). */
  hs: Int32Array;
  /** Isotope per atom (0 = natural). */
  isotope: Int32Array;
  /** Unpaired electrons per atom. */
  nRad: Int32Array;
  /** RDKit's tetrahedral tag per atom: 'unspecified', 'cw', 'ccw' (or another label MinimalLib writes). */
  stereo: string[];
  /** Bond begin and end atoms. */
  begin: Int32Array;
  end: Int32Array;
  /** Kekulé bond order (1, 2, 3; other RDKit codes for exotic bonds, e.g. 17 for dative). */
  order: Int32Array;
  aromaticBond: Uint8Array;
  /** Per bond: its double-bond stereo label ('unspecified', 'cis', 'trans', 'either', …). */
  bondStereo: string[];
  /** Atoms in at least one ring (RDKit's ring perception). */
  inRing: Uint8Array;
}

interface JsonAtom {
  z?: number;
  chg?: number;
  impHs?: number;
  isotope?: number;
  nRad?: number;
  stereo?: string;
}
interface JsonBond {
  bo?: number;
  atoms: [number, number];
  stereo?: string;
}
interface JsonExtension {
  name?: string;
  aromaticBonds?: number[];
  atomRings?: number[][];
}
interface RDKitJson {
  defaults?: { atom?: JsonAtom; bond?: Omit<JsonBond, 'atoms'> };
  molecules: Array<{ atoms?: JsonAtom[]; bonds?: JsonBond[]; extensions?: JsonExtension[] }>;
}

const logs = new WeakMap<RDKitModule, RDKitLog | null>();

/** RDKit's own message for the last parse failure, when its error log can be captured. */
function parseFailure(rdkit: RDKitModule, smiles: string): string {
  let log = logs.get(rdkit);
  if (log === undefined) {
    try {
      log = rdkit.set_log_capture?.('rdApp.error') ?? null;
    } catch {
      log = null;
    }
    logs.set(rdkit, log);
  }
  if (!log) return 'RDKit cannot read the SMILES';
  log.clear_buffer();
  try {
    rdkit.get_mol(smiles)?.delete();
  } catch {
    // the message is what matters
  }
  const lines = log
    .get_buffer()
    .split('\n')
    .map((l) => l.replace(/^\[[\d:]+\]\s*/, '').trim())
    .filter((l) => l !== '' && !/^~*\^$/.test(l));
  log.clear_buffer();
  const first = lines.find((l) => /error/i.test(l)) ?? lines[0];
  return first ? `RDKit cannot read the SMILES (${first.replace(/ for input: .*$/, '')})` : 'RDKit cannot read the SMILES';
}

/** Read a SMILES with RDKit (sanitised, hydrogens implicit, as `Chem.MolFromSmiles`). Throws a `MoleculeError` when RDKit cannot read it or it has no atoms. */
export function parseMol(rdkit: RDKitModule, smiles: string): ParsedMol {
  if (smiles.trim() === '') throw new MoleculeError(smiles, 'empty SMILES (no atoms)', 'no-atoms');
  let mol: ReturnType<RDKitModule['get_mol']>;
  try {
    mol = rdkit.get_mol(smiles);
  } catch {
    mol = null;
  }
  if (!mol) throw new MoleculeError(smiles, parseFailure(rdkit, smiles), 'unparsable');
  let text: string;
  try {
    if (!mol.is_valid()) throw new MoleculeError(smiles, parseFailure(rdkit, smiles), 'unparsable');
    text = mol.get_json();
  } finally {
    mol.delete();
  }
  return fromJson(smiles, JSON.parse(text) as RDKitJson);
}

function fromJson(smiles: string, j: RDKitJson): ParsedMol {
  const m = j.molecules[0];
  const atoms = m?.atoms ?? [];
  const bonds = m?.bonds ?? [];
  if (atoms.length === 0) throw new MoleculeError(smiles, 'the molecule has no atoms', 'no-atoms');
  const da = j.defaults?.atom ?? {};
  const db = j.defaults?.bond ?? {};
  const n = atoms.length;
  const p: ParsedMol = {
    smiles,
    numAtoms: n,
    z: new Int32Array(n),
    chg: new Int32Array(n),
    hs: new Int32Array(n),
    isotope: new Int32Array(n),
    nRad: new Int32Array(n),
    stereo: new Array<string>(n),
    begin: new Int32Array(bonds.length),
    end: new Int32Array(bonds.length),
    order: new Int32Array(bonds.length),
    aromaticBond: new Uint8Array(bonds.length),
    bondStereo: new Array<string>(bonds.length),
    inRing: new Uint8Array(n),
  };
  atoms.forEach((a, i) => {
    p.z[i] = a.z ?? da.z ?? 6;
    p.chg[i] = a.chg ?? da.chg ?? 0;
    p.hs[i] = a.impHs ?? da.impHs ?? 0;
    p.isotope[i] = a.isotope ?? da.isotope ?? 0;
    p.nRad[i] = a.nRad ?? da.nRad ?? 0;
    p.stereo[i] = a.stereo ?? da.stereo ?? 'unspecified';
  });
  bonds.forEach((b, k) => {
    p.begin[k] = b.atoms[0];
    p.end[k] = b.atoms[1];
    p.order[k] = b.bo ?? db.bo ?? 1;
    p.bondStereo[k] = b.stereo ?? db.stereo ?? 'unspecified';
  });
  const ext = m?.extensions?.find((e) => e.name === 'rdkitRepresentation') ?? m?.extensions?.[0];
  for (const k of ext?.aromaticBonds ?? []) p.aromaticBond[k] = 1;
  for (const ring of ext?.atomRings ?? []) for (const a of ring) p.inRing[a] = 1;
  return p;
}
