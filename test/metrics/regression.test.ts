import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateForecast, mae, mapeStemGNN, maskedMape, rmse } from '../../src/metrics/index.js';
import { assertClose, fixture } from './fixture.js';

test('hand-worked MAE / RMSE', () => {
  const t = [1, 2, 3, 4];
  const f = [2, 2, 1, 4];
  assert.equal(mae(t, f), 3 / 4);
  assertClose(rmse(t, f), Math.sqrt(5 / 4), 'rmse');
});

test('StemGNN MAPE: +1e-5 on the ratio, zero target capped at 5, perfect forecast = 1e-5', () => {
  // ratios: |3−2|/2 = 0.5, |1−0|/0 = ∞ → 5, |4−4|/4 = 0; each + 1e-5 before the cap
  assertClose(mapeStemGNN([2, 0, 4], [3, 1, 4]), (0.5 + 1e-5 + 5 + 1e-5) / 3, 'mape');
  assertClose(mapeStemGNN([1, 1], [1, 1]), 1e-5, 'perfect');
  // ratio 4.5 (+1e-5) is kept; ratio exactly 5 becomes 5.00001 > 5 and is capped to 5
  assertClose(mapeStemGNN([2, 1], [11, 6]), (4.5 + 1e-5 + 5) / 2, 'cap', 1e-12);
});

test('StemGNN MAPE is NaN when a target and its forecast are both 0 (official 0/0 behaviour)', () => {
  assert.ok(Number.isNaN(mapeStemGNN([0, 2], [0, 3])));
});

test('masked MAPE skips |target| <= eps and has no offset or cap', () => {
  assertClose(maskedMape([2, 0, 4], [3, 1, 4]), 0.25, 'eps 0');
  assertClose(maskedMape([2, 0.05, 4, -0.1], [3, 1, 5, 0.1], 0.1), (0.5 + 0.25) / 2, 'eps 0.1');
  assertClose(maskedMape([0, 0, 10], [0, 0, 40]), 3, 'no cap');
  assert.ok(Number.isNaN(maskedMape([0, 0], [1, 2])), 'all masked → NaN');
  assert.throws(() => maskedMape([1], [1], -1), RangeError);
});

test('regression metrics match scikit-learn / numpy fixtures (number[] and Float32Array)', () => {
  for (const c of fixture.regression) {
    for (const [kind, t, f] of [
      ['number[]', c.target, c.forecast],
      ['Float32Array', Float32Array.from(c.target), Float32Array.from(c.forecast)],
    ] as const) {
      const s = evaluateForecast(t, f);
      assertClose(s.mae, c.mae, `${c.name} ${kind} mae`);
      assertClose(s.rmse, c.rmse, `${c.name} ${kind} rmse`);
      assertClose(s.mape, c.mape, `${c.name} ${kind} mape`);
      assertClose(s.maskedMape, c.maskedMape, `${c.name} ${kind} maskedMape`);
      assertClose(maskedMape(t, f, c.eps), c.maskedMapeEps, `${c.name} ${kind} maskedMape eps`);
    }
  }
});

test('length mismatch and empty input throw RangeError', () => {
  for (const fn of [mae, rmse, mapeStemGNN, maskedMape, evaluateForecast]) {
    assert.throws(() => fn([1, 2], [1]), { name: 'RangeError', message: /2 elements.*1/ });
    assert.throws(() => fn([], new Float64Array(0)), { name: 'RangeError', message: /empty/ });
  }
});
