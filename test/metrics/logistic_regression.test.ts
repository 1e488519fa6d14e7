/** The fingerprint baseline's logistic regression equals scikit-learn's default LogisticRegression (fixture: scripts/make_logistic_fixture.py). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { initEngine } from '../../src/engine/index.js';
import { fitLogisticRegression, logisticScores } from '../../src/baselines/logistic_regression.js';
import { rocCurve, rocAuc } from '../../src/metrics/auc.js';
import '../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

const fx = JSON.parse(readFileSync(new URL('../fixtures/logistic_regression.json', import.meta.url), 'utf8')) as {
  n: number;
  F: number;
  X: number[];
  y: number[];
  cases: Array<{ C: number; coef: number[]; intercept: number; decision: number[] }>;
};

test('logistic regression = sklearn LogisticRegression(C) to 1e-3 in the weights', () => {
  for (const c of fx.cases) {
    const m = fitLogisticRegression(fx.X, fx.n, fx.F, fx.y, { C: c.C });
    const maxDiff = Math.max(...c.coef.map((w, i) => Math.abs(w - m.weights[i]!)), Math.abs(c.intercept - m.intercept));
    assert.ok(maxDiff < 1e-3, `C ${c.C}: max weight difference ${maxDiff}`);
    const z = logisticScores(m, fx.X, fx.n);
    assert.ok(Math.max(...c.decision.map((d, i) => Math.abs(d - z[i]!))) < 5e-3);
  }
});

test('rocCurve runs from (0,0) to (1,1) and its trapezoid area is rocAuc', () => {
  const y = [0, 1, 1, 0, 1, 0, 0, 1];
  const s = [0.1, 0.9, 0.4, 0.4, 0.8, 0.2, 0.7, 0.3];
  const c = rocCurve(y, s);
  assert.equal(c.fpr[0], 0);
  assert.equal(c.tpr[c.tpr.length - 1], 1);
  let area = 0;
  for (let i = 1; i < c.fpr.length; i++) area += ((c.fpr[i]! - c.fpr[i - 1]!) * (c.tpr[i]! + c.tpr[i - 1]!)) / 2;
  assert.ok(Math.abs(area - rocAuc(y, s)) < 1e-12);
});
