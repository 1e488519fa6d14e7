/**
 * Port of the official synthetic WIS generator (`wis/dataset/synthetic_generator.py`,
 * `LabelGraphGenerator.generate_tree` in `wis/label/label_relation.py`, `run_synthetic.py`),
 * used by the tests. It needs no features:
 * - label graph from a balanced tree (branching r, height h): an ancestor subsumes its
 *   descendants, every other pair is exclusive;
 * - a task: k mutually exclusive desired labels, seen labels drawn among the non-exclusive
 *   neighbours of the desired ones (filtered by the official distinguishability conditions),
 *   ILF label sets = cliques of 2–3 mutually exclusive seen labels covering all seen labels;
 * - data: each point draws its desired label (uniform class balance), switches on the seen labels
 *   that contain it, each contained seen label with probability U(0, subsumingFactor) and each
 *   overlapping one with U(0, overlapFactor) (drawn once per pair), keeping the set
 *   consistent; an ILF whose label set holds an active label outputs it with its accuracy
 *   U(accuracyRange), else another label of its set; with no active label it outputs a uniform
 *   label; it votes with probability U(propensityRange), else abstains;
 * - split 80/10/10 at random.
 * Random draws use Sheaf's seeded `Rng`, so the streams differ from NumPy's; the distributions
 * are the official ones.
 */
import { Rng } from '../../util/random.js';
import type { Relation, RelationTriple } from './relations.js';
import type { SplitName, TaskSplit, WisTask } from './task.js';

/** Options of {@link generateSyntheticTask}; defaults are the official `SyntheticDatasetConfig` (tree). */
export interface SyntheticOptions {
  nData: number;
  nDesired: number;
  nLabels: number;
  nIlfs: number;
  ilfLabelsLo: number;
  ilfLabelsHi: number;
  treeBranching: number;
  treeHeight: number;
  accuracyRange: [number, number];
  propensityRange: [number, number];
  overlapFactor: number;
  subsumingFactor: number;
  seed: number;
}

/** Official defaults (10 000 points, 5 desired of 10 labels, 20 ILFs with 2–3 labels, tree r 3 h 4). */
export const SYNTHETIC_DEFAULTS: SyntheticOptions = {
  nData: 10000,
  nDesired: 5,
  nLabels: 10,
  nIlfs: 20,
  ilfLabelsLo: 2,
  ilfLabelsHi: 3,
  treeBranching: 3,
  treeHeight: 4,
  accuracyRange: [0.7, 0.9],
  propensityRange: [1, 1],
  overlapFactor: 0.5,
  subsumingFactor: 0.2,
  seed: 12345,
};

/** Relation matrix of a balanced tree's nodes (BFS order): rel[a*n+b]. */
function treeRelations(r: number, h: number): { n: number; rel: Relation[] } {
  const parent: number[] = [-1];
  let level = [0];
  for (let d = 0; d < h; d++) {
    const next: number[] = [];
    for (const p of level) {
      for (let c = 0; c < r; c++) {
        parent.push(p);
        next.push(parent.length - 1);
      }
    }
    level = next;
  }
  const n = parent.length;
  const ancestors = (x: number): Set<number> => {
    const s = new Set<number>();
    for (let p = parent[x]!; p >= 0; p = parent[p]!) s.add(p);
    return s;
  };
  const anc = Array.from({ length: n }, (_, i) => ancestors(i));
  const rel: Relation[] = new Array<Relation>(n * n);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      rel[a * n + b] = a === b ? 'equal' : anc[b]!.has(a) ? 'subsuming' : anc[a]!.has(b) ? 'subsumed' : 'exclusive';
    }
  }
  return { n, rel };
}

function isClique(rel: Relation[], n: number, nodes: number[]): boolean {
  for (let i = 0; i < nodes.length; i++) for (let j = i + 1; j < nodes.length; j++) if (rel[nodes[i]! * n + nodes[j]!] !== 'exclusive') return false;
  return true;
}

/** Official `_sample_exclusive_connected_subgraph`: `count` exclusive cliques, optionally covering `nodes`. */
function sampleCliques(rng: Rng, rel: Relation[], n: number, nodes: number[], sizes: number[], count: number, cover: boolean, tol: number): number[][] | null {
  const deg = new Map(nodes.map((a) => [a, nodes.filter((b) => b !== a && rel[a * n + b] === 'exclusive').length]));
  if (cover && nodes.some((a) => deg.get(a)! < Math.min(...sizes))) return null;
  let cliques: number[][] = [];
  for (let t = 0; t < tol; t++) {
    const size = sizes[rng.int(sizes.length)]!;
    const cands = nodes.filter((a) => deg.get(a)! >= size - 1);
    if (cands.length < size) return null;
    const pick = Array.from(rng.choice(cands.length, size, false), (i) => cands[i]!);
    if (!isClique(rel, n, pick)) continue;
    cliques.push(pick);
    if (cliques.length === count) {
      if (!cover || new Set(cliques.flat()).size === nodes.length) return cliques;
      cliques = [];
    }
  }
  return null;
}

/** Official `LabelGraphGenerator._check_unseen_valid` (with its overlap-share condition). */
function unseenValid(rel: Relation[], n: number, desired: number[], seen: number[]): boolean {
  const m = desired.map((d) => seen.map((s) => rel[d * n + s]!));
  const nonEx = m.map((row) => row.map((r) => r !== 'exclusive'));
  const overlaps = m.flat().filter((r) => r === 'overlap').length;
  if (overlaps > nonEx.flat().filter(Boolean).length / 2) return false;
  const colCount = seen.map((_, j) => nonEx.filter((row) => row[j]).length);
  const single = desired.filter((_, i) => seen.every((__, j) => !nonEx[i]![j] || colCount[j]! <= 1)).length;
  if (single === desired.length) return false;
  if (seen.some((_, j) => m.every((row) => row[j] === m[0]![j]))) return false;
  for (let i = 0; i < desired.length; i++) {
    if (!nonEx[i]!.some(Boolean)) return false;
    for (let i2 = i + 1; i2 < desired.length; i2++) if (m[i]!.every((r, j) => r === m[i2]![j])) return false;
  }
  return true;
}

/**
 * Generate one synthetic WIS task (labels named `l<i>`, desired = labels 0..k-1, as the official
 * `_convert_label` numbers them) with train/valid/test splits.
 */
export function generateSyntheticTask(options: Partial<SyntheticOptions> = {}): WisTask {
  const o: SyntheticOptions = { ...SYNTHETIC_DEFAULTS, ...options };
  const rng = new Rng(o.seed);
  const { n, rel } = treeRelations(o.treeBranching, o.treeHeight);
  const all = Array.from({ length: n }, (_, i) => i);
  const sizes: number[] = [];
  for (let s = o.ilfLabelsLo; s <= o.ilfLabelsHi; s++) sizes.push(s);
  let structure: { desired: number[]; seen: number[]; ilfs: number[][] } | null = null;
  for (let attempt = 0; attempt < 10000 && structure === null; attempt++) {
    const d = sampleCliques(rng, rel, n, all, [o.nDesired], 1, false, 100);
    if (!d) continue;
    const desired = d[0]!;
    const nonNeighbours = desired.map((x) => all.filter((y) => y !== x && rel[x * n + y] !== 'exclusive'));
    if (nonNeighbours.some((l) => l.length === 0)) continue;
    let seen: number[] | null = null;
    for (let t = 0; t < 10 && seen === null; t++) {
      const s = new Set<number>();
      while (s.size < o.nLabels - o.nDesired) {
        for (const i of rng.permutation(desired.length)) {
          const list = nonNeighbours[i]!;
          s.add(list[rng.int(list.length)]!);
          if (s.size === o.nLabels - o.nDesired) break;
        }
      }
      const cand = [...s];
      if (unseenValid(rel, n, desired, cand)) seen = cand;
    }
    if (!seen) continue;
    const ilfs = sampleCliques(rng, rel, n, seen, sizes, o.nIlfs, true, 100);
    if (ilfs) structure = { desired, seen, ilfs };
  }
  if (!structure) throw new Error('synthetic generator: could not sample a task structure; relax the options');
  // Number labels: desired first, then seen (official _convert_label).
  const order = [...structure.desired, ...structure.seen];
  const id = new Map(order.map((x, i) => [x, i]));
  const k = o.nDesired;
  const nl = order.length;
  const R = (a: number, b: number): Relation => rel[order[a]! * n + order[b]!]!;
  const relations: RelationTriple[] = [];
  for (let a = 0; a < nl; a++) for (let b = a + 1; b < nl; b++) relations.push([a, b, R(a, b)]);
  const ilfs = structure.ilfs.map((c) => c.map((x) => id.get(x)!).sort((a, b) => a - b));

  // Generator (SyntheticGenerator): p(seen | desired) per pair, ILF accuracy and propensity.
  const seenIds = Array.from({ length: nl - k }, (_, i) => k + i);
  const cond = new Float64Array(nl * nl);
  for (let i = 0; i < nl; i++) {
    for (const j of seenIds) {
      if (i === j) continue;
      const r = R(i, j);
      cond[i * nl + j] = r === 'subsumed' ? 1 : r === 'subsuming' ? rng.uniformRange(0, o.subsumingFactor) : r === 'overlap' ? rng.uniformRange(0, o.overlapFactor) : 0;
    }
  }
  const inIlf = new Set(ilfs.flat());
  const undesired = seenIds.filter((s) => inIlf.has(s));
  const propensity = ilfs.map(() => rng.uniformRange(o.propensityRange[0], o.propensityRange[1]));
  const accuracy = ilfs.map(() => rng.uniformRange(o.accuracyRange[0], o.accuracyRange[1]));
  const compatible = (x: number, set: number[]): boolean => set.every((s) => R(x, s) !== 'exclusive');
  const N = o.nData;
  const J = ilfs.length;
  const Y = new Int32Array(N);
  const L = new Int32Array(N * J);
  for (let i = 0; i < N; i++) {
    const y = rng.int(k);
    Y[i] = y;
    const ys: number[] = [];
    for (const p of rng.permutation(undesired.length)) {
      const u = undesired[p]!;
      const pr = cond[y * nl + u]!;
      if (pr > 0 && rng.uniform() < pr && compatible(u, ys)) ys.push(u);
    }
    // complete_ys: labels implied through the ones already on.
    const done = [...ys];
    for (const p of rng.permutation(ys.length)) {
      const yu = ys[p]!;
      for (const q of rng.permutation(undesired.length)) {
        const yy = undesired[q]!;
        if (done.includes(yy) || !compatible(yy, [...done, y])) continue;
        const pr = cond[yu * nl + yy]!;
        if (pr > 0 && rng.uniform() < pr) done.push(yy);
      }
    }
    const active = new Set([...done, y]);
    ilfs.forEach((space, j) => {
      if (rng.uniform() >= propensity[j]!) {
        L[i * J + j] = -1;
        return;
      }
      const inter = space.filter((l) => active.has(l));
      if (inter.length === 0) L[i * J + j] = space[rng.int(space.length)]!;
      else if (inter.length === 1) {
        if (rng.uniform() < accuracy[j]!) L[i * J + j] = inter[0]!;
        else {
          const others = space.filter((l) => l !== inter[0]);
          L[i * J + j] = others[rng.int(others.length)]!;
        }
      } else throw new Error('synthetic generator: two active labels in one ILF label set (labels of an ILF must be exclusive)');
    });
  }
  const perm = rng.permutation(N);
  const a = Math.floor(N * 0.8);
  const b = Math.floor(N * 0.9);
  const take = (lo: number, hi: number): TaskSplit => {
    const m = hi - lo;
    const Ls = new Int32Array(m * J);
    const ys = new Int32Array(m);
    for (let r = 0; r < m; r++) {
      const src = perm[lo + r]!;
      Ls.set(L.subarray(src * J, (src + 1) * J), r * J);
      ys[r] = Y[src]!;
    }
    return { n: m, L: Ls, y: ys };
  };
  const splits: Partial<Record<SplitName, TaskSplit>> = { train: take(0, a), valid: take(a, b), test: take(b, N) };
  return {
    name: `synthetic-tree-${o.seed}`,
    labels: order.map((_, i) => `l${i}`),
    desired: Array.from({ length: k }, (_, i) => i),
    ilfs,
    relations,
    splits,
    source: `synthetic(seed ${o.seed})`,
  };
}
