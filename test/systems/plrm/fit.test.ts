import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTask } from './helpers.js';
import { trainLabelModels, evaluateTask } from '../../../src/systems/plrm/label_models.js';
import { generateSyntheticTask } from '../../../src/systems/plrm/synthetic.js';
import { taskGraph } from '../../../src/systems/plrm/label_models.js';
import { checkDistinguishability } from '../../../src/systems/plrm/distinguishability.js';

const task = setTask(300, 5);

test('exact fit raises the likelihood, keeps θ ≥ 0 when asked, and beats the majority votes', () => {
  const m = trainLabelModels(task, { fit: { steps: 120, evalEvery: 20 } });
  for (const f of [m.lfpgm, m.plrm]) {
    const first = f.history[0]!.logLik!;
    const last = f.history[f.history.length - 1]!.logLik!;
    assert.ok(last > first, `${f.spec.kind} log-lik ${first} → ${last}`);
    assert.ok(f.theta.every((v) => v >= 0));
  }
  const s = evaluateTask(m, task).test!;
  assert.ok(s.PLRM.accuracy > 0.6, `PLRM ${s.PLRM.accuracy}`);
  assert.ok(s.LFPGM.accuracy > s.LRMV.accuracy, `LFPGM ${s.LFPGM.accuracy} vs LRMV ${s.LRMV.accuracy}`);
  const free = trainLabelModels(task, { fit: { steps: 120, evalEvery: 20, nonNegative: 'relations' } });
  free.plrm.spec.factors.forEach((f, i) => {
    if (f.kind === 'relation') assert.ok(free.plrm.theta[i]! >= 0);
  });
});

test('model selection never looks at the test split', () => {
  const a = trainLabelModels(task, { fit: { steps: 60 } });
  const shuffled = { ...task, splits: { ...task.splits, test: { ...task.splits.test!, y: task.splits.test!.y!.map((v) => (v + 1) % 3) } } };
  const b = trainLabelModels(shuffled, { fit: { steps: 60 } });
  assert.deepEqual(Array.from(a.plrm.theta), Array.from(b.plrm.theta));
  assert.deepEqual(a.plrm.perm, b.plrm.perm);
  // …whereas the validation labels do drive it: with the validation labels permuted the chosen label order follows them.
  const validPerm = { ...task, splits: { ...task.splits, valid: { ...task.splits.valid!, y: task.splits.valid!.y!.map((v) => (v + 1) % 3) } } };
  const c = trainLabelModels(validPerm, { fit: { steps: 60 } });
  assert.notDeepEqual(c.lfpgm.perm, a.lfpgm.perm);
});

test('the official PCD and per-example exact paths fit the same model to similar accuracy', () => {
  const exact = evaluateTask(trainLabelModels(task, { fit: { steps: 120 } }), task).test!;
  for (const fitter of ['pcd', 'exact-sgd'] as const) {
    const m = trainLabelModels(task, { fit: { fitter, epochs: 3, interval: 100, nonNegative: 'none' } });
    const s = evaluateTask(m, task).test!;
    assert.ok(Math.abs(s.PLRM.accuracy - exact.PLRM.accuracy) < 0.1, `${fitter} PLRM ${s.PLRM.accuracy} vs exact ${exact.PLRM.accuracy}`);
    assert.ok(m.plrm.history.length > 2);
  }
});

test('ported synthetic generator: consistent tree graph, distinguishable task, PGMs beat LRMV', () => {
  const t = generateSyntheticTask({ nData: 2000, nDesired: 3, nLabels: 7, nIlfs: 8, seed: 3 });
  assert.equal(t.splits.train!.n, 1600);
  assert.equal(t.splits.test!.n, 200);
  const g = taskGraph(t, 'exclusive');
  for (const [a, b, r] of t.relations) assert.equal(g.relation(a, b), r);
  assert.ok(t.relations.every(([, , r]) => r === 'exclusive' || r === 'subsuming' || r === 'subsumed'));
  assert.ok(checkDistinguishability(g, t.desired, t.ilfs).ok);
  for (const set of t.ilfs) {
    assert.ok(set.length >= 2 && set.length <= 3);
    assert.ok(set.every((l) => !t.desired.includes(l)));
  }
  const s = evaluateTask(trainLabelModels(t, { fit: { steps: 100 } }), t).test!;
  assert.ok(s.LFPGM.accuracy > s.LRMV.accuracy && s.PLRM.accuracy > s.LRMV.accuracy, JSON.stringify(s));
  // Official default: ILFs always vote (propensity 1).
  assert.ok(Array.from(t.splits.train!.L).every((v) => v >= 0));
});
