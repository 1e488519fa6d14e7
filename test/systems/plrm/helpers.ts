/** Small hand-made WIS tasks for the PLRM tests: labels are sets of base classes, relations by set algebra. */
import type { Relation, RelationTriple } from '../../../src/systems/plrm/relations.js';
import type { WisTask } from '../../../src/systems/plrm/task.js';
import { Rng } from '../../../src/util/random.js';

export function relOf(x: ReadonlySet<number>, y: ReadonlySet<number>): Relation {
  const inter = [...x].filter((v) => y.has(v)).length;
  if (inter === 0) return 'exclusive';
  if (inter === x.size && inter === y.size) return 'equal';
  if (inter === x.size) return 'subsumed';
  if (inter === y.size) return 'subsuming';
  return 'overlap';
}

export function allRelations(sets: ReadonlyArray<ReadonlySet<number>>): RelationTriple[] {
  const out: RelationTriple[] = [];
  for (let a = 0; a < sets.length; a++) for (let b = a + 1; b < sets.length; b++) out.push([a, b, relOf(sets[a]!, sets[b]!)]);
  return out;
}

/**
 * Desired d0={1,2}, d1={3,4}, d2={5,6}; seen s0={1,2,3} (⊇ d0, overlaps d1), s1={3,4,5,6} (⊇ d1, d2),
 * s2={6} (⊆ d2), s3={1} (⊆ d0), s4={6} (equal to s2). ILFs with abstains on some.
 * Rows: each class is drawn, then each ILF votes a label containing it with prob. 0.8, else at random.
 */
export function setTask(n = 240, seed = 7): WisTask {
  const sets = [[1, 2], [3, 4], [5, 6], [1, 2, 3], [3, 4, 5, 6], [6], [1], [6]].map((s) => new Set(s));
  const labels = ['d0', 'd1', 'd2', 's0', 's1', 's2', 's3', 's4'];
  const ilfs = [
    [3, 5],
    [4, 6],
    [6, 5],
    [3, 7],
    [4, 6],
  ];
  const abstainP = [0, 0.2, 0, 0.3, 0];
  const rng = new Rng(seed);
  const split = (m: number) => {
    const L = new Int32Array(m * ilfs.length);
    const y = new Int32Array(m);
    for (let i = 0; i < m; i++) {
      const c = rng.int(3);
      const cls = [1, 2, 3, 4, 5, 6].filter((v) => sets[c]!.has(v))[rng.int(2)]!;
      y[i] = c;
      ilfs.forEach((set, j) => {
        if (rng.uniform() < abstainP[j]!) {
          L[i * ilfs.length + j] = -1;
          return;
        }
        const right = set.filter((l) => sets[l]!.has(cls));
        L[i * ilfs.length + j] = right.length && rng.uniform() < 0.8 ? right[0]! : set[rng.int(set.length)]!;
      });
    }
    return { n: m, L, y };
  };
  return {
    name: 'set-task',
    labels,
    desired: [0, 1, 2],
    ilfs,
    relations: allRelations(sets),
    splits: { train: split(n), valid: split(Math.floor(n / 2)), test: split(Math.floor(n / 2)) },
    source: 'set-task',
  };
}
