/**
 * Molecules as graphs with the Hu et al. (ICLR 2020) features, as pretrain-gnns'
 * `mol_to_graph_data_obj_simple` builds them (`chem/loader.py`), hydrogens implicit:
 * - node: [atomic number − 1, chirality tag (0 unspecified, 1 CW, 2 CCW)];
 * - edge, both directions, bond i of RDKit's order giving edges 2i (begin → end) and 2i+1
 *   (end → begin): [bond type (0 single, 1 double, 2 triple, 3 aromatic), bond direction
 *   (0 none, 1 ENDUPRIGHT, 2 ENDDOWNRIGHT)].
 * The official code fails on anything else (`list.index`), and an index-3 chirality (CHI_OTHER)
 * overflows its 3-row embedding, so such molecules are rejected here with a `MoleculeError`.
 *
 * Bond direction is RDKit's `GetBondDir()`, which MinimalLib does not expose. It is read back from
 * the `/` `\` marks of the SMILES (src/data/chem/smiles.ts), relative to the bond's begin atom, and
 * then cleared where RDKit's SMILES reader clears it: on a bond next to a double bond when none of
 * its neighbouring double bonds is E/Z (a marked bond that became aromatic keeps its direction) (test/data/chem/featurise.test.ts measures the
 * agreement with RDKit's own `GetBondDir()`).
 */
import type { GraphSample } from '../../nn/graph/batch.js';
import { InputError } from '../../util/errors.js';
import { MoleculeError, parseMol, type ParsedMol } from './mol.js';
import type { RDKitModule } from './rdkit.js';
import { murckoFromParsed } from './scaffold.js';
import { scanSmiles } from './smiles.js';

/** A molecule graph with the Hu et al. features (assignable to `GraphSample`, so it collates directly). */
export interface MolGraph {
  numNodes: number;
  /** Edge sources, [E] (E = 2 × bonds). */
  src: Int32Array;
  /** Edge targets, [E]. */
  dst: Int32Array;
  /** [numNodes, 2]: atomic number − 1, chirality tag. */
  x: Int32Array;
  /** [E, 2]: bond type, bond direction. */
  edgeAttr: Int32Array;
}

// A compile-time check that a MolGraph is a GraphSample.
const _isGraphSample: (g: MolGraph) => GraphSample = (g) => g;
void _isGraphSample;

const CHIRALITY: Readonly<Record<string, number>> = { unspecified: 0, cw: 1, ccw: 2 };

/** Featurise one SMILES. Throws a `MoleculeError` when RDKit cannot read it or the features cannot encode it. */
export function featurise(rdkit: RDKitModule, smiles: string): MolGraph {
  return featuriseParsed(parseMol(rdkit, smiles));
}

/** The features of a molecule already read by `parseMol`. */
export function featuriseParsed(p: ParsedMol): MolGraph {
  const n = p.numAtoms;
  const x = new Int32Array(2 * n);
  for (let i = 0; i < n; i++) {
    const z = p.z[i]!;
    if (z === 0) throw new MoleculeError(p.smiles, `atom ${i + 1} is a dummy atom (atomic number 0)`, 'dummy-atom');
    if (z < 1 || z > 118) throw new MoleculeError(p.smiles, `atom ${i + 1} has atomic number ${z}`, 'dummy-atom');
    const tag = CHIRALITY[p.stereo[i]!];
    if (tag === undefined) throw new MoleculeError(p.smiles, `atom ${i + 1} has chirality '${p.stereo[i]}' (only unspecified, CW and CCW tetrahedral can be encoded)`, 'chirality');
    x[2 * i] = z - 1;
    x[2 * i + 1] = tag;
  }
  const nb = p.begin.length;
  const type = new Int32Array(nb);
  for (let k = 0; k < nb; k++) {
    if (p.aromaticBond[k]) type[k] = 3;
    else {
      const bo = p.order[k]!;
      if (bo < 1 || bo > 3) throw new MoleculeError(p.smiles, `bond ${k + 1} has type ${bondTypeName(bo)} (only single, double, triple and aromatic can be encoded)`, 'bond-type');
      type[k] = bo - 1;
    }
  }
  const dir = bondDirections(p, type);
  const src = new Int32Array(2 * nb);
  const dst = new Int32Array(2 * nb);
  const edgeAttr = new Int32Array(4 * nb);
  for (let k = 0; k < nb; k++) {
    const b = p.begin[k]!;
    const e = p.end[k]!;
    src[2 * k] = b;
    dst[2 * k] = e;
    src[2 * k + 1] = e;
    dst[2 * k + 1] = b;
    edgeAttr[4 * k] = edgeAttr[4 * k + 2] = type[k]!;
    edgeAttr[4 * k + 1] = edgeAttr[4 * k + 3] = dir[k]!;
  }
  return { numNodes: n, src, dst, x, edgeAttr };
}

function bondTypeName(bo: number): string {
  const names: Record<number, string> = { 0: 'zero/unspecified', 4: 'quadruple', 5: 'quintuple', 6: 'hextuple', 12: 'aromatic-only', 17: 'dative' };
  return names[bo] ?? `code ${bo}`;
}

/**
 * RDKit's bond directions (0 none, 1 ENDUPRIGHT `/`, 2 ENDDOWNRIGHT `\`, relative to the bond's
 * begin atom), from the SMILES text. All 0 when the text has no `/` `\`, or when its atoms cannot
 * be matched one to one with RDKit's (e.g. a hydrogen RDKit removed was marked).
 */
export function bondDirections(p: ParsedMol, type: Int32Array): Int32Array {
  const nb = p.begin.length;
  const dir = new Int32Array(nb);
  if (!p.smiles.includes('/') && !p.smiles.includes('\\')) return dir;
  const scan = scanSmiles(p.smiles);
  if (!scan) return dir;
  // RDKit's atoms are the written atoms less the plain [H] its default H removal drops.
  const map = new Int32Array(scan.symbols.length).fill(-1);
  let k = 0;
  const dropped = scan.plainH.filter(Boolean).length;
  const dropH = scan.symbols.length - dropped === p.numAtoms;
  if (!dropH && scan.symbols.length !== p.numAtoms) return dir;
  for (let i = 0; i < scan.symbols.length; i++) {
    if (dropH && scan.plainH[i]) continue;
    map[i] = k++;
  }
  const pair = new Map<number, number>();
  for (let b = 0; b < nb; b++) pair.set(pairKey(p.begin[b]!, p.end[b]!), b);
  const set = new Uint8Array(nb);
  for (const w of scan.bonds) {
    if (w.fromA === null && w.fromB === null) continue;
    const a = map[w.a]!;
    const c = map[w.b]!;
    if (a < 0 || c < 0) continue;
    const b = pair.get(pairKey(a, c));
    if (b === undefined) continue;
    // The mark at a ring closure (read from b to a) wins over the one at the opening.
    const fromBegin = w.fromB !== null ? (p.begin[b] === c ? w.fromB : flip(w.fromB)) : p.begin[b] === a ? w.fromA! : flip(w.fromA!);
    dir[b] = fromBegin === '/' ? 1 : 2;
    set[b] = 1;
  }
  // RDKit clears a direction next to a double bond when no neighbouring double bond is E/Z.
  const n = p.numAtoms;
  const hasDouble = new Uint8Array(n);
  const hasStereoDouble = new Uint8Array(n);
  for (let b = 0; b < nb; b++) {
    if (type[b] !== 1) continue;
    const stereo = p.bondStereo[b] === 'cis' || p.bondStereo[b] === 'trans';
    for (const a of [p.begin[b]!, p.end[b]!]) {
      hasDouble[a] = 1;
      if (stereo) hasStereoDouble[a] = 1;
    }
  }
  for (let b = 0; b < nb; b++) {
    if (!set[b]) continue;
    // A marked bond that aromaticity perception turned aromatic keeps its direction (RDKit does too).
    if (type[b] === 1 || type[b] === 2) {
      dir[b] = 0;
      continue;
    }
    const u = p.begin[b]!;
    const v = p.end[b]!;
    if ((hasDouble[u] || hasDouble[v]) && !hasStereoDouble[u] && !hasStereoDouble[v]) dir[b] = 0;
  }
  return dir;
}

function pairKey(a: number, b: number): number {
  return a < b ? a * 65536 + b : b * 65536 + a;
}

function flip(c: '/' | '\\'): '/' | '\\' {
  return c === '/' ? '\\' : '/';
}

/** A molecule left out of a featurised set. */
export interface SkippedMolecule {
  /** The 1-based file line it came from. */
  line: number;
  smiles: string;
  reason: string;
}

/** Options of {@link featuriseAll}. */
export interface FeaturiseAllOptions {
  /** File name for messages. */
  file: string;
  /** 'error' (default): the first bad molecule stops the read with an `InputError` naming file, line, SMILES and reason; 'skip': leave it out and list it. */
  onInvalid?: 'error' | 'skip';
  /** Also compute each kept molecule's Bemis–Murcko scaffold from the same RDKit parse (as `murckoScaffold`). */
  scaffolds?: boolean;
}

/** A featurised set. */
export interface FeaturisedSet {
  graphs: MolGraph[];
  /** Index into the input of each graph. */
  kept: number[];
  skipped: SkippedMolecule[];
  /** Scaffold SMILES of each graph, when asked for. */
  scaffolds?: string[];
}

/** Featurise many SMILES; `lines[i]` is the file line of `smiles[i]` for messages. */
export function featuriseAll(rdkit: RDKitModule, smiles: readonly string[], lines: readonly number[], o: FeaturiseAllOptions): FeaturisedSet {
  const onInvalid = o.onInvalid ?? 'error';
  const graphs: MolGraph[] = [];
  const kept: number[] = [];
  const skipped: SkippedMolecule[] = [];
  const scaffolds: string[] | undefined = o.scaffolds ? [] : undefined;
  smiles.forEach((s, i) => {
    const line = lines[i] ?? i + 1;
    try {
      const p = parseMol(rdkit, s);
      const g = featuriseParsed(p);
      if (scaffolds) scaffolds.push(murckoFromParsed(rdkit, p));
      graphs.push(g);
      kept.push(i);
    } catch (e) {
      if (!(e instanceof MoleculeError)) throw e;
      if (onInvalid === 'error') throw new InputError(`SMILES '${s}': ${e.reason} (use invalid: 'skip' / --invalid skip to leave such molecules out)`, { file: o.file, line });
      skipped.push({ line, smiles: s, reason: e.reason });
    }
  });
  return scaffolds ? { graphs, kept, skipped, scaffolds } : { graphs, kept, skipped };
}
