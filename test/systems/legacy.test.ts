/**
 * Checkpoints written before the system kit (each system had its own format) still load, and
 * score as they did: fixtures made by the code at 27cb28b (test/fixtures/legacy, each with the
 * metrics that run printed), compared to the last bit, so on the WASM kernels those runs used
 * (the native kernels sum in other orders; test/systems/unchanged.test.ts bounds that).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initEngine } from '../../src/engine/index.js';
import { SYSTEMS, findSystem } from '../../src/systems/index.js';
import { evalRun, libraryEnv, loadModel } from '../../src/system/run.js';
import { OverlayStorage } from '../helpers/storage.js';
import '../../src/node/setup.js';

await initEngine({ backend: 'wasm', native: 'off' });
const FIX = join(import.meta.dirname, '..', 'fixtures', 'legacy');
const series = join(FIX, 'series.csv');
const old = (sys: string) => JSON.parse(readFileSync(join(FIX, sys, 'old-metrics.json'), 'utf8'));

async function evaluate(sys: string, data: Record<string, unknown>, ev: Record<string, unknown> = {}) {
  const storage = new OverlayStorage();
  const out = await evalRun(findSystem(sys)!, join(FIX, sys, 'checkpoint'), { data, eval: ev }, libraryEnv(storage, { runDir: 'out' }));
  findSystem(sys)!.dispose(out.model);
  return { result: out.result, storage };
}

const model = (r: { results: Array<{ split: string; protocol: string | null; model: { metrics: Record<string, number | null> } | null }> }, split: string, protocol: string | null = null) =>
  r.results.find((x) => x.split === split && x.protocol === protocol)!.model!.metrics;

test('every pre-kit format is recognised by its system', async () => {
  for (const sys of ['stemgnn', 'mtadgat', 'cgkgr', 'plrm']) {
    const l = await loadModel(new OverlayStorage(), join(FIX, sys, 'checkpoint'), SYSTEMS);
    assert.equal(l.system.name, sys);
    l.system.dispose(l.model);
  }
});

test('StemGNN (sheaf-stemgnn-checkpoint): the same test MAE as the run that wrote it', async () => {
  // The old format did not store the baseline's season; that run used 2.
  const { result } = await evaluate('stemgnn', { data: series }, { season: 2 });
  assert.equal(model(result, 'test')['MAE'], old('stemgnn').test.model.mae);
});

test('MTAD-GAT (sheaf-mtadgat-1): the same per-step scores as the run that wrote it', async () => {
  const { storage } = await evaluate('mtadgat', { data: series, trainRows: 50 });
  assert.equal(await storage.readText('out/scores.csv'), readFileSync(join(FIX, 'mtadgat', 'old-scores.csv'), 'utf8'));
});

test('CG-KGR (sheaf-checkpoint v1): the same global test AUC as the run that wrote it', async () => {
  const { result } = await evaluate('cgkgr', {});
  assert.equal(model(result, 'test', 'full ranking')['AUC (global)'], old('cgkgr').model.test.ctr.aucGlobal);
});

test('PLRM (sheaf-plrm-checkpoint): the same test accuracy as the run that wrote it', async () => {
  const { result } = await evaluate('plrm', { data: 'shipped:plrm-tasks/digits_00.json' });
  assert.equal(model(result, 'test')['accuracy'], old('plrm').scores.test.PLRM.accuracy);
});
