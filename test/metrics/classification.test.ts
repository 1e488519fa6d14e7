import { test } from 'node:test';
import assert from 'node:assert/strict';
import { accuracy, confusionMatrix, precisionRecallF1 } from '../../src/metrics/index.js';
import { InputError } from '../../src/util/errors.js';
import { assertClose, fixture } from './fixture.js';

function assertPrf(actual: { precision: number; recall: number; f1: number }, expected: typeof actual, what: string): void {
  assertClose(actual.precision, expected.precision, `${what} precision`);
  assertClose(actual.recall, expected.recall, `${what} recall`);
  assertClose(actual.f1, expected.f1, `${what} f1`);
}

test('hand-worked binary and macro precision / recall / F1', () => {
  const y = [0, 1, 1, 0, 1];
  const p = [0, 1, 0, 1, 1];
  assert.equal(accuracy(y, p), 3 / 5);
  // class 1: tp 2, fp 1, fn 1 → 2/3 each; class 0: tp 1, fp 1, fn 1 → 1/2 each
  assertPrf(precisionRecallF1(y, p, { average: 'binary' }), { precision: 2 / 3, recall: 2 / 3, f1: 2 / 3 }, 'binary');
  assertPrf(precisionRecallF1(y, p, { average: 'binary', posLabel: 0 }), { precision: 0.5, recall: 0.5, f1: 0.5 }, 'pos 0');
  const m = (2 / 3 + 1 / 2) / 2;
  assertPrf(precisionRecallF1(y, p, { average: 'macro' }), { precision: m, recall: m, f1: m }, 'macro');
  assert.deepEqual(confusionMatrix(y, p), {
    labels: [0, 1],
    matrix: [
      [1, 1],
      [1, 2],
    ],
  });
});

test('zero_division = 0: no predicted positives gives precision 0 and F1 0', () => {
  const r = precisionRecallF1([1, 1, 0], [0, 0, 0], { average: 'binary' });
  assert.deepEqual(r, { precision: 0, recall: 0, f1: 0 });
});

test('classification metrics match scikit-learn fixtures', () => {
  for (const c of fixture.classification) {
    for (const [kind, y, p] of [
      ['number[]', c.yTrue, c.yPred],
      ['Int32Array', Int32Array.from(c.yTrue), Int32Array.from(c.yPred)],
      ['Float32Array', Float32Array.from(c.yTrue), Float32Array.from(c.yPred)],
    ] as const) {
      const what = `${c.name} ${kind}`;
      assertClose(accuracy(y, p), c.accuracy, `${what} accuracy`);
      assertPrf(precisionRecallF1(y, p, { average: 'macro' }), c.macro, `${what} macro`);
      assert.deepEqual(confusionMatrix(y, p), c.confusion, `${what} confusion`);
      if (c.binary) assertPrf(precisionRecallF1(y, p, { average: 'binary' }), c.binary, `${what} binary`);
      if (c.binaryPos0) assertPrf(precisionRecallF1(y, p, { average: 'binary', posLabel: 0 }), c.binaryPos0, `${what} binary pos 0`);
      if (c.macroWithLabels) {
        const { labels, ...expected } = c.macroWithLabels;
        assertPrf(precisionRecallF1(y, p, { average: 'macro', labels }), expected, `${what} macro with labels`);
      }
      if (c.confusionWithLabels) {
        assert.deepEqual(confusionMatrix(y, p, c.confusionWithLabels.labels), c.confusionWithLabels, `${what} confusion labels`);
      }
    }
  }
});

test('bad input: binary average needs 0/1 labels, labels must be integers, shapes must match', () => {
  assert.throws(() => precisionRecallF1([0, 2], [0, 1], { average: 'binary' }), InputError);
  assert.throws(() => confusionMatrix([0, 1.5], [0, 1]), InputError);
  assert.throws(() => accuracy([0, 1], [0]), RangeError);
  assert.throws(() => accuracy([], []), RangeError);
  assert.throws(() => precisionRecallF1([0], [0], { average: 'micro' as 'macro' }), RangeError);
});
