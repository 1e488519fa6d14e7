/**
 * The system kit changed how every system is wired, not what it computes: for the same seeds and
 * settings, each system's final metrics (model and baselines) and per-epoch curves equal, to the
 * last bit, what the code before the kit produced (test/fixtures/kit/before.json, recorded by
 * scripts/kit/record_before.ts at 27cb28b). That holds on the WASM kernels the fixture was made with
 * (`--native off`); with Node's native kernels (other summation orders) the final metrics agree to
 * a small tolerance instead (last test).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/node/cli/main.js';
import { RunRegistry } from '../../src/node/registry/index.js';
import { nativeAddon } from '../../src/node/native/index.js';

interface Before {
  argv: string[];
  finals: Array<{ split: string; name: string; value: number }>;
  epochs: Array<{ epoch: number; split: string; name: string; value: number }>;
  metrics: Record<string, unknown>;
}
const ROOT = join(import.meta.dirname, '..', '..');
const before = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'kit', 'before.json'), 'utf8')) as Record<string, Before>;
const tmp = mkdtempSync(join(tmpdir(), 'kit-unchanged-'));
const chicago400 = join(tmp, 'chicago400.csv');
writeFileSync(chicago400, readFileSync(join(ROOT, 'data/chicago-ridership/ridership.csv'), 'utf8').split('\n').slice(0, 401).join('\n') + '\n');

/** Train through the CLI as the fixture did; returns the registry's numbers. */
async function rerun(name: string, native: 'on' | 'off' = 'off') {
  const b = before[name]!;
  const argv = [...b.argv.map((a) => (a.endsWith('chicago400.csv') ? chicago400 : a)), '--native', native];
  const home = join(tmp, `${name}-${native}`);
  let log = '';
  const code = await main([...argv, '--home', home], { out: (t) => void (log += t), err: (t) => void (log += t) });
  assert.equal(code, 0, log);
  const reg = RunRegistry.open(home);
  const run = reg.get(/^run (\S+):/m.exec(log)![1]!)!;
  const finals = reg.finalMetrics(run.id);
  const epochs = reg.epochMetrics(run.id).filter((e) => e.name !== 'seconds');
  reg.close();
  return {
    b,
    finals,
    epochs,
    result: JSON.parse(readFileSync(join(run.dir, 'metrics.json'), 'utf8')) as {
      results: Array<{ split: string; protocol: string | null; baselines: Array<{ label: string; metrics: Record<string, number | null> }> }>;
    },
  };
}

/** The old registry named a split and its protocol in one string: `test (POT)`. */
const oldSplit = (split: string, protocol: string): string => (protocol ? `${split} (${protocol})` : split);

function sameModelFinals(b: Before, finals: Array<{ split: string; protocol: string; kind: string; name: string; value: number }>): void {
  const model = finals.filter((f) => f.kind === 'model');
  // Before the kit a protocol was either part of the split's name or implied by the metric's.
  const now = new Map([...model.map((f) => [`${f.split}|${f.name}`, f.value] as const), ...model.map((f) => [`${oldSplit(f.split, f.protocol)}|${f.name}`, f.value] as const)]);
  for (const f of b.finals) assert.equal(now.get(`${f.split}|${f.name}`), f.value, `${f.split} ${f.name}`);
}

function sameCurves(b: Before, epochs: Array<{ epoch: number; split: string; name: string; value: number }>, rename: (split: string) => string = (s) => s): void {
  const series = (rows: Array<{ epoch: number; split: string; name: string; value: number }>, map: (s: string) => string) => {
    const m = new Map<string, number[]>();
    for (const r of [...rows].sort((x, y) => x.epoch - y.epoch)) {
      const k = `${map(r.split)}|${r.name}`;
      m.set(k, [...(m.get(k) ?? []), r.value]);
    }
    return m;
  };
  const was = series(b.epochs, (s) => s);
  const now = series(epochs, rename);
  for (const [k, v] of was) assert.deepEqual(now.get(k), v, k);
}

test('StemGNN: same test/valid metrics, baselines and curves as before the kit', async () => {
  const { b, finals, epochs, result } = await rerun('stemgnn');
  sameModelFinals(b, finals);
  sameCurves(b, epochs);
  const m = b.metrics as { test: { baselines: Record<string, { mae: number }> } };
  const test = result.results.find((r) => r.split === 'test')!;
  assert.equal(test.baselines.find((x) => x.label === 'last value')!.metrics['MAE'], m.test.baselines['last value']!.mae);
  assert.equal(test.baselines.find((x) => x.label.startsWith('seasonal naive'))!.metrics['MAE'], m.test.baselines['seasonal naive']!.mae);
  assert.equal(test.baselines.find((x) => x.label === 'window mean')!.metrics['MAE'], m.test.baselines['window mean']!.mae);
});

test('MTAD-GAT: same scores under every threshold, baselines and curves as before the kit', async () => {
  const { b, finals, epochs } = await rerun('mtadgat');
  sameModelFinals(b, finals);
  sameCurves(b, epochs);
  const m = b.metrics as { zscore: { rocAuc: number; pot: { raw: { f1: number } } }; persistence: { prAuc: number } };
  const at = (label: string, name: string, protocol = '') => finals.find((f) => f.label === label && f.name === name && f.protocol === protocol && f.split === 'test')?.value;
  assert.equal(at('z-score', 'ROC-AUC'), m.zscore.rocAuc);
  assert.equal(at('z-score', 'F1 (raw)', 'POT'), m.zscore.pot.raw.f1);
  assert.equal(at('persistence', 'PR-AUC'), m.persistence.prAuc);
});

test('CG-KGR: same AUC and ranking in both protocols, baselines and curves as before the kit', async () => {
  const { b, finals, epochs } = await rerun('cgkgr');
  sameModelFinals(b, finals);
  sameCurves(b, epochs);
  const m = b.metrics as { popularity: { test: { ctr: { aucGlobal: number } } }; randomKg: { test: { ctr: { aucOfficial: number } } } };
  const at = (label: string, name: string) => finals.find((f) => f.label === label && f.name === name && f.split === 'test')?.value;
  assert.equal(at('item popularity', 'AUC (global)'), m.popularity.test.ctr.aucGlobal);
  assert.equal(at('CG-KGR, random KG', 'AUC (official, per-batch)'), m.randomKg.test.ctr.aucOfficial);
});

test('PLRM: same label-model and end-model scores and fit curves as before the kit', async () => {
  const { b, finals, epochs } = await rerun('plrm');
  // Before the kit only the comparison's first row was kept; every row's numbers are now there.
  const m = b.metrics as { scores: { test: Record<string, { accuracy: number }> } };
  for (const [label, s] of Object.entries(m.scores.test)) {
    const row = finals.find((f) => f.split === 'test' && f.name === 'accuracy' && (f.label === label || f.label.startsWith(label)));
    assert.equal(row?.value, s.accuracy, label);
  }
  sameModelFinals(b, finals);
  sameCurves(b, epochs);
});

test('with the native kernels: every model metric of the four runs within 0.1 % of before the kit', { skip: !nativeAddon() && 'native addon not built' }, async () => {
  const worst: Array<[string, number]> = [];
  for (const name of ['stemgnn', 'mtadgat', 'cgkgr', 'plrm']) {
    const { b, finals } = await rerun(name, 'on');
    const model = finals.filter((f) => f.kind === 'model');
    const now = new Map([...model.map((f) => [`${f.split}|${f.name}`, f.value] as const), ...model.map((f) => [`${oldSplit(f.split, f.protocol)}|${f.name}`, f.value] as const)]);
    for (const f of b.finals) {
      const v = now.get(`${f.split}|${f.name}`);
      assert.ok(v !== undefined, `${name}: ${f.split} ${f.name} missing`);
      const rel = Math.abs(v - f.value) / Math.max(1e-3, Math.abs(f.value));
      worst.push([`${name} ${f.split} ${f.name}`, rel]);
      assert.ok(rel <= 1e-3, `${name}: ${f.split} ${f.name} ${v} vs ${f.value} before (${(100 * rel).toFixed(3)} %)`);
    }
  }
  worst.sort((x, y) => y[1] - x[1]);
  console.log(
    `largest relative differences: ${worst
      .slice(0, 4)
      .map(([k, r]) => `${k} ${r.toExponential(1)}`)
      .join('; ')}`,
  );
});
