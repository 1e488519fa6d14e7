import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTask } from './helpers.js';
import { taskGraph } from '../../../src/systems/plrm/label_models.js';
import { buildLfpgmSpec, buildPlrmSpec, CompiledPgm, patterns, initialTheta, type Factor, type PgmSpec } from '../../../src/systems/plrm/factor_graph.js';
import { ExactLikelihood, posterior } from '../../../src/systems/plrm/likelihood.js';
import { PcdChain } from '../../../src/systems/plrm/gibbs.js';
import { Rng } from '../../../src/util/random.js';

const task = setTask();
const graph = taskGraph(task, 'exclusive');
const abstains = [false, true, false, true, false];
const plSpec = buildPlrmSpec(graph, task.desired, task.ilfs, abstains);
const lfSpec = buildLfpgmSpec(graph, task.desired, task.ilfs, abstains);

/** Indicator of a label in a full assignment: desired by Y, seen by its binary node. Written from the paper's definitions. */
function ind(spec: PgmSpec, label: number, y: number, z: number[]): number {
  const c = spec.desired.indexOf(label);
  if (c >= 0) return y === c ? 1 : 0;
  return z[spec.seen.indexOf(label)]!;
}

/** φ_f of a full assignment (y, z, λ local values with -1 = abstain), independent of the table code. */
function phi(spec: PgmSpec, f: Factor, y: number, z: number[], lam: number[]): number {
  if (f.kind === 'relation') {
    const a = ind(spec, f.a, y, z);
    const b = ind(spec, f.b, y, z);
    if (f.relation === 'exclusive') return a && b ? -1 : 0;
    if (f.relation === 'overlap') return a && b ? 1 : 0;
    if (f.relation === 'subsuming') return !a && b ? -1 : 0;
    if (f.relation === 'subsumed') return a && !b ? -1 : 0;
    return a !== b ? -1 : 0;
  }
  const v = lam[f.ilf]!;
  if (v === -1) return 0;
  const voted = v === f.local ? 1 : 0;
  const truth = f.kind === 'accuracy' ? ind(spec, f.label, y, z) : y === f.desired ? 1 : 0;
  return voted === truth ? 1 : 0;
}

function logSumExp(xs: number[]): number {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((s, x) => s + Math.exp(x - m), 0));
}

/** Brute force over every joint state (y, z, λ): mean log-likelihood and posteriors p(y | λ_i). */
function bruteForce(spec: PgmSpec, theta: Float64Array, rows: number[][]): { ll: number; post: number[][] } {
  const m = spec.seen.length;
  const k = spec.k;
  const score = (y: number, z: number[], lam: number[]) => spec.factors.reduce((s, f, i) => s + theta[i]! * phi(spec, f, y, z, lam), 0);
  const labelStates: Array<[number, number[]]> = [];
  for (let y = 0; y < k; y++) for (let bits = 0; bits < 2 ** m; bits++) labelStates.push([y, Array.from({ length: m }, (_, i) => (bits >> i) & 1)]);
  const values = spec.ilfLabels.map((s, j) => [...s.map((_, t) => t), ...(spec.abstains[j] ? [-1] : [])]);
  const lamStates: number[][] = [[]];
  for (const vs of values) {
    const next: number[][] = [];
    for (const p of lamStates) for (const v of vs) next.push([...p, v]);
    lamStates.splice(0, lamStates.length, ...next);
  }
  const all: number[] = [];
  for (const [y, z] of labelStates) for (const lam of lamStates) all.push(score(y, z, lam));
  const logZ = logSumExp(all);
  let ll = 0;
  const post: number[][] = [];
  for (const lam of rows) {
    const sc = labelStates.map(([y, z]) => score(y, z, lam));
    const lse = logSumExp(sc);
    ll += lse - logZ;
    const p = new Array<number>(k).fill(0);
    labelStates.forEach(([y], s) => (p[y]! += Math.exp(sc[s]! - lse)));
    post.push(p);
  }
  return { ll: ll / rows.length, post };
}

function randomTheta(n: number, seed: number): Float64Array {
  const r = new Rng(seed);
  return Float64Array.from({ length: n }, () => r.uniformRange(-1, 1.5));
}

for (const spec of [plSpec, lfSpec]) {
  test(`${spec.kind}: factorised exact likelihood and posterior equal brute-force enumeration to 1e-9`, () => {
    const model = new CompiledPgm(spec);
    const tr = task.splits.train!;
    const n = 40;
    const codes = model.encode(tr.L.subarray(0, n * task.ilfs.length), n);
    const pats = patterns(codes, n, model.nIlf);
    const rows = Array.from({ length: n }, (_, i) => Array.from(codes.subarray(i * model.nIlf, (i + 1) * model.nIlf)));
    for (const seed of [1, 2]) {
      const theta = randomTheta(model.nFactors, seed);
      const bf = bruteForce(spec, theta, rows);
      const ll = new ExactLikelihood(model, pats).evaluate(theta);
      assert.ok(Math.abs(ll - bf.ll) < 1e-9, `log-lik ${ll} vs brute force ${bf.ll}`);
      const p = posterior(model, theta, pats);
      for (let i = 0; i < n; i++) for (let c = 0; c < spec.k; c++) assert.ok(Math.abs(p[i * spec.k + c]! - bf.post[i]![c]!) < 1e-9);
    }
  });

  test(`${spec.kind}: analytic gradient matches central finite differences`, () => {
    const model = new CompiledPgm(spec);
    const tr = task.splits.train!;
    const pats = patterns(model.encode(tr.L, tr.n), tr.n, model.nIlf);
    const lik = new ExactLikelihood(model, pats);
    const theta = randomTheta(model.nFactors, 3);
    const grad = new Float64Array(model.nFactors);
    lik.evaluate(theta, grad);
    const h = 1e-5;
    let maxErr = 0;
    let maxAbs = 0;
    for (let i = 0; i < theta.length; i++) {
      const tp = Float64Array.from(theta);
      const tm = Float64Array.from(theta);
      tp[i]! += h;
      tm[i]! -= h;
      const fd = (lik.evaluate(tp) - lik.evaluate(tm)) / (2 * h);
      maxErr = Math.max(maxErr, Math.abs(fd - grad[i]!));
      maxAbs = Math.max(maxAbs, Math.abs(grad[i]!));
    }
    assert.ok(maxAbs > 1e-3, 'gradient is not trivially zero');
    assert.ok(maxErr < 1e-7, `max |fd − analytic| = ${maxErr}`);
    // The per-example expectations of the official step average to the same gradient.
    const avg = new Float64Array(model.nFactors);
    for (let u = 0; u < pats.U; u++) {
      const e = lik.expectations(theta, u);
      for (let f = 0; f < avg.length; f++) avg[f]! += (pats.counts[u]! * (e.post[f]! - e.joint[f]!)) / tr.n;
    }
    for (let f = 0; f < avg.length; f++) assert.ok(Math.abs(avg[f]! - grad[f]!) < 1e-10);
  });
}

test('PLRM warm start: at its initial weights PLRM gives exactly the fitted LFPGM posterior', () => {
  const lf = new CompiledPgm(lfSpec);
  const pl = new CompiledPgm(plSpec);
  const lfTheta = randomTheta(lf.nFactors, 9).map((v) => Math.abs(v));
  const plTheta = initialTheta(plSpec, { spec: lfSpec, theta: lfTheta });
  // relation weights start at 0, accuracy at 1, pseudo-accuracy copied by identity
  plSpec.factors.forEach((f, i) => {
    if (f.kind === 'relation') assert.equal(plTheta[i], 0);
    if (f.kind === 'accuracy') assert.equal(plTheta[i], 1);
  });
  const tr = task.splits.train!;
  const a = posterior(lf, lfTheta, patterns(lf.encode(tr.L, tr.n), tr.n, lf.nIlf));
  const b = posterior(pl, plTheta, patterns(pl.encode(tr.L, tr.n), tr.n, pl.nIlf));
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-12);
});

test('PCD chain: long-run Gibbs statistics approach the exact joint expectations', () => {
  const model = new CompiledPgm(plSpec);
  const theta = randomTheta(model.nFactors, 4).map((v) => v * 0.5);
  const tr = task.splits.train!;
  const lik = new ExactLikelihood(model, patterns(model.encode(tr.L, tr.n), tr.n, model.nIlf));
  const exact = lik.expectations(theta, 0).joint;
  const chain = new PcdChain(model, new Rng(11));
  const { R, T } = model.tables(theta);
  const acc = new Float64Array(model.nFactors);
  const buf = new Float64Array(model.nFactors);
  const sweeps = 6000;
  for (let t = 0; t < sweeps; t++) {
    chain.sweep(R, T, true);
    chain.statistics(buf);
    for (let f = 0; f < acc.length; f++) acc[f]! += buf[f]! / sweeps;
  }
  let maxErr = 0;
  for (let f = 0; f < acc.length; f++) maxErr = Math.max(maxErr, Math.abs(acc[f]! - exact[f]!));
  assert.ok(maxErr < 0.05, `max deviation ${maxErr}`);
});
