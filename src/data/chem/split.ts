/**
 * Molecule splits of pretrain-gnns `chem/splitters.py` (used unchanged by AdapterGNN):
 * - `scaffoldSplit`: deterministic. Molecules are grouped by scaffold; the groups are sorted by
 *   (size, smallest index) in descending order, so among groups of one size the one whose first
 *   molecule comes later goes first; then each group goes to train if train + group ≤ 0.8·N, else to
 *   valid if train + valid + group ≤ 0.9·N, else to test (a later, smaller group can still go to train).
 * - `randomScaffoldSplit`: the scaffold groups in a seeded random order; each group goes to valid
 *   while valid + group ≤ ⌊0.1·N⌋, else to test while test + group ≤ ⌊0.1·N⌋, else to train.
 * - `randomSplit`: a seeded permutation cut at ⌊0.8·N⌋ and ⌊0.8·N⌋ + ⌊0.1·N⌋.
 * The random ones draw from Sheaf's `Rng`, not numpy's or Python's generator, so their molecule
 * sets differ from the official code's for the same seed; the rules are the same.
 */
import { UsageError } from '../../util/errors.js';
import { Rng } from '../../util/random.js';

/** Molecule indices per split, each list in the order the rule assigns them. */
export interface MoleculeSplitIndices {
  train: number[];
  valid: number[];
  test: number[];
}

/** Train / valid / test fractions (summing to 1). */
export type SplitFractions = readonly [number, number, number];

const DEFAULT_FRACS: SplitFractions = [0.8, 0.1, 0.1];

function checkFracs(fracs: SplitFractions): void {
  if (fracs.length !== 3 || fracs.some((f) => !(f >= 0)) || Math.abs(fracs[0] + fracs[1] + fracs[2] - 1) > 1e-7) {
    throw new UsageError(`split fractions must be three non-negative numbers summing to 1, got ${fracs.join(', ')}`);
  }
}

/** Scaffold groups: member indices in increasing order, groups in order of their first member. */
export function scaffoldGroups(scaffolds: readonly string[]): number[][] {
  const groups = new Map<string, number[]>();
  scaffolds.forEach((s, i) => {
    const g = groups.get(s);
    if (g) g.push(i);
    else groups.set(s, [i]);
  });
  return [...groups.values()];
}

/** The official deterministic scaffold split (pretrain-gnns `scaffold_split`). */
export function scaffoldSplit(scaffolds: readonly string[], fracs: SplitFractions = DEFAULT_FRACS): MoleculeSplitIndices {
  checkFracs(fracs);
  const n = scaffolds.length;
  const sets = scaffoldGroups(scaffolds).sort((a, b) => b.length - a.length || b[0]! - a[0]!);
  const trainCutoff = fracs[0] * n;
  const validCutoff = (fracs[0] + fracs[1]) * n;
  const out: MoleculeSplitIndices = { train: [], valid: [], test: [] };
  for (const set of sets) {
    if (out.train.length + set.length > trainCutoff) {
      if (out.train.length + out.valid.length + set.length > validCutoff) out.test.push(...set);
      else out.valid.push(...set);
    } else {
      out.train.push(...set);
    }
  }
  return out;
}

/** Scaffold groups in a seeded random order (pretrain-gnns `random_scaffold_split`, with Sheaf's generator). */
export function randomScaffoldSplit(scaffolds: readonly string[], fracs: SplitFractions = DEFAULT_FRACS, seed = 0): MoleculeSplitIndices {
  checkFracs(fracs);
  const n = scaffolds.length;
  const groups = scaffoldGroups(scaffolds);
  const order = new Rng(seed).permutation(groups.length);
  const nValid = Math.floor(fracs[1] * n);
  const nTest = Math.floor(fracs[2] * n);
  const out: MoleculeSplitIndices = { train: [], valid: [], test: [] };
  for (const g of order) {
    const set = groups[g]!;
    if (out.valid.length + set.length <= nValid) out.valid.push(...set);
    else if (out.test.length + set.length <= nTest) out.test.push(...set);
    else out.train.push(...set);
  }
  return out;
}

/** A seeded random split of `n` molecules (pretrain-gnns `random_split`, with Sheaf's generator). */
export function randomSplit(n: number, fracs: SplitFractions = DEFAULT_FRACS, seed = 0): MoleculeSplitIndices {
  checkFracs(fracs);
  const perm = Array.from(new Rng(seed).permutation(n));
  const a = Math.floor(fracs[0] * n);
  const b = a + Math.floor(fracs[1] * n);
  return { train: perm.slice(0, a), valid: perm.slice(a, b), test: perm.slice(b) };
}
