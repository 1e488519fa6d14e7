import { test } from 'node:test';
import assert from 'node:assert/strict';
import { averagePrecision, prAucTrapezoid, rocAuc } from '../../src/metrics/index.js';
import { InputError } from '../../src/util/errors.js';
import { assertClose, fixture } from './fixture.js';

test('hand-worked case (scikit-learn docstring example)', () => {
  const y = [0, 0, 1, 1];
  const s = [0.1, 0.4, 0.35, 0.8];
  // pairs (pos, neg): 0.35>0.1, 0.35<0.4, 0.8>0.1, 0.8>0.4 → 3/4
  assertClose(rocAuc(y, s), 0.75, 'roc');
  // thresholds 0.8: P 1, R .5; 0.4: P .5, R .5; 0.35: P 2/3, R 1 → .5·1 + .5·2/3
  assertClose(averagePrecision(y, s), 0.5 + 1 / 3, 'ap');
  // trapezoid through (0,1) (.5,1) (.5,.5) (1,2/3)
  assertClose(prAucTrapezoid(y, s), 0.5 + (0.5 * (0.5 + 2 / 3)) / 2, 'pr trapezoid');
});

test('a tied positive/negative pair counts one half', () => {
  assertClose(rocAuc([1, 0], [0.5, 0.5]), 0.5, 'tie');
  assertClose(rocAuc([1, 0, 1, 0], [2, 1, 1, 0]), (1 + 1 + 0.5 + 1) / 4, 'partial tie');
  assertClose(averagePrecision([1, 0, 1], [1, 1, 1]), 2 / 3, 'all tied ap');
});

test('ROC-AUC, AP and PR-AUC match scikit-learn on tied random cases (number[] and Float32Array)', () => {
  for (const c of fixture.binaryScores) {
    for (const [kind, s] of [
      ['number[]', c.scores],
      ['Float32Array', Float32Array.from(c.scores)],
    ] as const) {
      assertClose(rocAuc(c.yTrue, s), c.rocAuc, `${c.name} ${kind} rocAuc`);
      assertClose(averagePrecision(c.yTrue, s), c.averagePrecision, `${c.name} ${kind} AP`);
      assertClose(prAucTrapezoid(c.yTrue, s), c.prAucTrapezoid, `${c.name} ${kind} PR trapezoid`);
    }
  }
});

test('the metrics are invariant to sample order', () => {
  const c = fixture.binaryScores.find((x) => x.name === 'heavy-ties-integers')!;
  const order = c.yTrue.map((_, i) => i).reverse();
  const y = order.map((i) => c.yTrue[i]!);
  const s = order.map((i) => c.scores[i]!);
  assertClose(rocAuc(y, s), c.rocAuc, 'roc reversed');
  assertClose(averagePrecision(y, s), c.averagePrecision, 'ap reversed');
});

test('one class only: clear InputError, never NaN', () => {
  assert.throws(() => rocAuc([1, 1], [0.2, 0.3]), { name: 'InputError', message: /no negative/ });
  assert.throws(() => rocAuc([0, 0], [0.2, 0.3]), { name: 'InputError', message: /no positive/ });
  assert.throws(() => averagePrecision([0, 0], [0.2, 0.3]), InputError);
  assert.throws(() => prAucTrapezoid([0, 0], [0.2, 0.3]), InputError);
  assert.equal(averagePrecision([1, 1], [0.2, 0.3]), 1, 'all positive is defined');
});

test('bad input', () => {
  assert.throws(() => rocAuc([0, 2], [0.1, 0.2]), InputError);
  assert.throws(() => rocAuc([0, 1], [0.1, Number.NaN]), InputError);
  assert.throws(() => rocAuc([0, 1], [0.1]), RangeError);
  assert.throws(() => rocAuc([], []), RangeError);
});
