/**
 * Thresholders and point adjust against the reference's own outputs (ML4ITS eval_methods.py +
 * spot.py, run by scripts/mtadgat/make_threshold_fixture.py): the deterministic series of
 * docs/research/timeseries.md §2.6 and two seeded random series, to 1e-6.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { adjustPredicts, bestRawF1, bfSearch, calcPoint2Point, evaluateThreshold, findEpsilon, gpdLogLikelihood, grimshaw, potThreshold } from '../../../src/systems/mtadgat/thresholds.js';
import { lbfgsb } from '../../../src/optim/lbfgsb.js';
import { Rng } from '../../../src/util/random.js';

interface Case {
  name: string;
  train: number[];
  test: number[];
  label: number[];
  epsilon: Record<string, number>;
  epsilon_eval: Record<string, { f1: number; precision: number; recall: number; TP: number; FP: number; FN: number; latency: number; threshold: number }>;
  pot: Array<{
    q: number;
    level: number;
    dynamic: boolean;
    init_threshold: number;
    threshold: number;
    gamma: number | null;
    sigma: number | null;
    eval: { f1: number; TP: number; FP: number; latency: number };
    raw: { f1: number; precision: number; recall: number };
  }>;
  bf: { f1: number; threshold: number; TP: number; FP: number; latency: number };
  bf_range: [number, number, number];
  adjust: Array<{ threshold: number; alarms: number[]; latency: number }>;
}

const fixture = JSON.parse(readFileSync(new URL('../../fixtures/mtadgat/thresholds.json', import.meta.url), 'utf8')) as { cases: Case[] };
const TOL = 1e-6;
const close = (a: number, b: number, what: string, tol = TOL): void => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs reference ${b}`);

test('the §2.6 deterministic series is regenerated exactly from its formula', () => {
  const c = fixture.cases[0]!;
  const frac = (x: number): number => x - Math.floor(x);
  const s = (t: number): number => 0.5 + 0.1 * Math.sin(0.37 * t) + 0.05 * frac(0.6180339887498949 * t);
  for (let t = 0; t < 2000; t++) close(s(t), c.train[t]!, `train[${t}]`, 1e-12);
  const test1 = Array.from({ length: 1000 }, (_, u) => s(u));
  for (const [a, b, h] of [
    [100, 110, 0.3],
    [400, 425, 0.04],
    [700, 705, 0.5],
    [900, 940, 0.02],
    [300, 303, 0.25],
  ] as const)
    for (let u = a; u < b; u++) test1[u]! += h;
  for (let u = 0; u < 1000; u++) close(test1[u]!, c.test[u]!, `test[${u}]`, 1e-12);
});

test('§2.6 headline numbers: epsilon 0.649874, POT 0.651903, best-F1 0.646800', () => {
  const c = fixture.cases[0]!;
  close(findEpsilon(c.train, 0), 0.649874, 'epsilon reg 0', 5e-7);
  close(findEpsilon(c.train, 1), 0.649874, 'epsilon reg 1', 5e-7);
  close(findEpsilon(c.train, 2), 0.649874, 'epsilon reg 2', 5e-7);
  const e = evaluateThreshold(c.test, c.label, findEpsilon(c.train, 1));
  close(e.adjusted.f1, 0.98159, 'epsilon PA-F1', 5e-6);
  assert.deepEqual([e.adjusted.tp, e.adjusted.fp, e.adjusted.fn], [80, 3, 0]);
  const pot = potThreshold(c.train, c.test, { q: 1e-3, level: 0.98 });
  close(pot.threshold, 0.651903, 'POT threshold', 5e-7);
  const pe = evaluateThreshold(c.test, c.label, pot.threshold);
  close(pe.adjusted.f1, 0.98159, 'POT PA-F1', 5e-6);
  close(pe.raw.f1, 0.388346, 'POT raw F1', 5e-7);
  close(pe.raw.precision, 0.869565, 'POT raw P', 5e-7);
  close(pe.raw.recall, 0.25, 'POT raw R', 5e-7);
  const bf = bfSearch(c.test, c.label);
  close(bf.threshold, 0.6468, 'best-F1 threshold', 5e-7);
  close(bf.f1, 0.969692, 'best-F1 PA-F1', 5e-7);
  assert.deepEqual([bf.tp, bf.fp], [80, 5]);
});

for (const c of fixture.cases) {
  test(`epsilon (reg 0/1/2) matches the reference: ${c.name}`, () => {
    for (const r of [0, 1, 2] as const) {
      const eps = findEpsilon(c.train, r);
      close(eps, c.epsilon[r]!, `find_epsilon reg ${r}`);
      const e = evaluateThreshold(c.test, c.label, eps);
      const ref = c.epsilon_eval[r]!;
      close(e.adjusted.f1, ref.f1, 'PA-F1');
      close(e.adjusted.precision, ref.precision, 'PA-P');
      close(e.adjusted.recall, ref.recall, 'PA-R');
      close(e.latency, ref.latency, 'latency');
      assert.equal(e.adjusted.tp, ref.TP);
      assert.equal(e.adjusted.fp, ref.FP);
    }
  });

  test(`POT (SPOT + Grimshaw, static and dynamic) matches the reference: ${c.name}`, () => {
    for (const p of c.pot) {
      const r = potThreshold(c.train, c.test, { q: p.q, level: p.level, dynamic: p.dynamic });
      close(r.initThreshold, p.init_threshold, `init threshold (level ${p.level})`);
      close(r.threshold, p.threshold, `POT threshold (level ${p.level}, q ${p.q}, dynamic ${p.dynamic})`);
      if (!p.dynamic) {
        close(r.fit!.gamma, p.gamma!, 'gamma');
        close(r.fit!.sigma, p.sigma!, 'sigma');
      }
      const e = evaluateThreshold(c.test, c.label, p.threshold);
      close(e.adjusted.f1, p.eval.f1, 'POT PA-F1');
      close(e.latency, p.eval.latency, 'POT latency');
      close(e.raw.f1, p.raw.f1, 'POT raw F1');
      close(e.raw.precision, p.raw.precision, 'POT raw P');
      close(e.raw.recall, p.raw.recall, 'POT raw R');
    }
  });

  test(`best-F1 search and point adjust match the reference: ${c.name}`, () => {
    const bf = bfSearch(c.test, c.label, ...c.bf_range);
    close(bf.threshold, c.bf.threshold, 'bf threshold');
    close(bf.f1, c.bf.f1, 'bf F1');
    close(bf.latency, c.bf.latency, 'bf latency');
    assert.equal(bf.tp, c.bf.TP);
    assert.equal(bf.fp, c.bf.FP);
    for (const a of c.adjust) {
      const { predict, latency } = adjustPredicts(c.test, c.label, a.threshold);
      const idx: number[] = [];
      predict.forEach((v, i) => v && idx.push(i));
      assert.deepEqual(idx, a.alarms, `adjusted alarms at threshold ${a.threshold}`);
      close(latency, a.latency, 'latency');
    }
  });
}

test('point adjust: a detection marks its segment back to the start, except index 0 (as the reference)', () => {
  const label = [1, 1, 1, 0, 0, 1, 1, 1, 1, 0];
  const pred = [0, 0, 1, 0, 0, 0, 0, 1, 0, 0];
  const { predict } = adjustPredicts(null, label, 0, pred);
  assert.deepEqual(Array.from(predict), [0, 1, 1, 0, 0, 1, 1, 1, 1, 0]);
  const p = calcPoint2Point(predict, label);
  assert.equal(p.tp, 6);
  assert.equal(p.fn, 1);
  close(p.recall, 6 / (7 + 1e-5), 'recall with +1e-5');
});

test('best raw F1 is the maximum of F1 over every threshold', () => {
  const rng = new Rng(3);
  const score = Array.from({ length: 300 }, () => rng.uniform());
  const label = score.map((s) => (rng.uniform() < s * s ? 1 : 0));
  const best = bestRawF1(score, label);
  let brute = 0;
  for (const t of score)
    brute = Math.max(
      brute,
      calcPoint2Point(
        score.map((s) => (s >= t ? 1 : 0)),
        label,
      ).f1,
    );
  close(best.f1, brute, 'best raw F1', 1e-12);
});

test("exact Grimshaw finds a root of higher likelihood than spot.py's L-BFGS-B stopping points", () => {
  const c = fixture.cases[0]!;
  const sorted = [...c.train].sort((a, b) => a - b);
  const t = sorted[Math.trunc(0.98 * c.train.length)]!;
  const peaks = c.train.filter((v) => v > t).map((v) => v - t);
  const ref = grimshaw(peaks, 'reference');
  const exact = grimshaw(peaks, 'exact');
  const llRef = gpdLogLikelihood(peaks, ref.gamma, ref.sigma);
  assert.ok(exact.logLikelihood > llRef + 1, `exact ${exact.logLikelihood} vs reference ${llRef}`);
  // The exact candidate is a root of Grimshaw's w(θ).
  const theta = exact.gamma / exact.sigma;
  const u = 1 + peaks.reduce((s, y) => s + Math.log(1 + theta * y), 0) / peaks.length;
  const v = peaks.reduce((s, y) => s + 1 / (1 + theta * y), 0) / peaks.length;
  assert.ok(Math.abs(u * v - 1) < 1e-9, `w(θ) = ${u * v - 1}`);
});

test('exact Grimshaw recovers the parameters of GPD samples', () => {
  const rng = new Rng(11);
  const gamma = 0.25;
  const sigma = 2;
  const y = Array.from({ length: 4000 }, () => (sigma / gamma) * ((1 - rng.uniform()) ** -gamma - 1));
  const fit = grimshaw(y, 'exact');
  assert.ok(Math.abs(fit.gamma - gamma) < 0.06, `gamma ${fit.gamma}`);
  assert.ok(Math.abs(fit.sigma - sigma) / sigma < 0.08, `sigma ${fit.sigma}`);
});

test('L-BFGS-B: bounded quadratic and Rosenbrock reach their known minima', () => {
  // min Σ (x_i − c_i)² with the box cutting two of the centres off.
  const cc = [0.5, -2, 3, 0.25];
  const r = lbfgsb((x) => ({ f: x.reduce((s, v, i) => s + (v - cc[i]!) ** 2, 0), g: x.map((v, i) => 2 * (v - cc[i]!)) }), [0, 0, 0, 0], [-1, -1, -1, -1], [1, 1, 1, 1]);
  assert.deepEqual(
    Array.from(r.x, (v) => Math.round(v * 1e6) / 1e6),
    [0.5, -1, 1, 0.25],
  );
  const ros = lbfgsb(
    (x) => {
      const [a, b] = [x[0]!, x[1]!];
      return { f: (1 - a) ** 2 + 100 * (b - a * a) ** 2, g: Float64Array.of(-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)) };
    },
    [-1.2, 1],
    [-5, -5],
    [5, 5],
  );
  assert.ok(Math.abs(ros.x[0]! - 1) < 1e-4 && Math.abs(ros.x[1]! - 1) < 1e-4, `Rosenbrock minimum at ${ros.x}`);
});
