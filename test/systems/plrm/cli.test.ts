import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../../src/engine/index.js';
import type { VerbContext } from '../../../src/node/cli/system.js';
import { plrmSystem } from '../../../src/systems/plrm/cli.js';
import { SHIPPED_TASKS_DIR } from '../../../src/systems/plrm/shipped.js';
import { InputError } from '../../../src/util/errors.js';
import '../../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

function ctx(runDir: string | null, lines: string[] = []): VerbContext {
  return { runId: 'test', runDir, seed: 1, backend: 'wasm', log: (l) => lines.push(l), signal: new AbortController().signal, logEpoch: () => {}, quick: true };
}
const verb = (name: string) => plrmSystem.verbs.find((v) => v.name === name)!;
const task = join(SHIPPED_TASKS_DIR, 'digits_03.json');

test('plrm fit → eval → label → check on a shipped task', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plrm-cli-'));
  const fitOpts = verb('fit').options.parse({ data: task, steps: 40, endEpochs: 30 });
  const res = await verb('fit').run(fitOpts, ctx(dir));
  assert.ok(existsSync(join(dir, 'checkpoint', 'model.safetensors')) && existsSync(join(dir, 'checkpoint', 'config.json')));
  const test = res.metrics!.find((m) => m.split === 'test')!;
  assert.deepEqual(test.rows.map((r) => r.label), ['LRMV', 'ALRMV', 'LFPGM', 'PLRM', 'end model (logreg on PLRM labels)']);
  assert.ok(res.sections!.some((s) => s.title === 'Learned factor weights'));
  const labels = readFileSync(join(dir, 'labels_train.csv'), 'utf8').trim().split('\n');
  const header = labels[0]!.split(',');
  assert.deepEqual(header.slice(0, 3), ['split', 'row', 'covered']);
  assert.equal(header.length, 3 + 3 + 1);
  const taskJson = JSON.parse(readFileSync(task, 'utf8')) as { L_train: number[][] };
  assert.equal(labels.length - 1, taskJson.L_train.length);
  const p = labels[1]!.split(',').slice(3, 6).map(Number);
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-8);

  // eval on the saved checkpoint reproduces the fit's test scores exactly
  const evalDir = mkdtempSync(join(tmpdir(), 'plrm-cli-eval-'));
  const ev = await verb('eval').run(verb('eval').options.parse({ checkpoint: dir, data: task }), ctx(evalDir));
  const evTest = ev.metrics!.find((m) => m.split === 'test')!;
  assert.deepEqual(evTest.rows.map((r) => r.values), test.rows.map((r) => r.values));

  const out = join(evalDir, 'valid_labels.csv');
  await verb('label').run(verb('label').options.parse({ checkpoint: dir, data: task, split: 'valid', model: 'LFPGM', out }), ctx(evalDir));
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.ok(lines.slice(1).every((l) => l.startsWith('valid,')));

  const logged: string[] = [];
  await verb('check').run(verb('check').options.parse({ data: task }), ctx(null, logged));
  assert.ok(logged.some((l) => /OK: every desired label/.test(l)));
});

test('plrm check rejects an indistinguishable task and fit refuses it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plrm-cli-bad-'));
  const bad = join(dir, 'bad.json');
  writeFileSync(
    bad,
    JSON.stringify({
      labels: ['a', 'b', 'c', 'ab', 'c2', 'x'],
      desired: [0, 1, 2],
      ilfs: [[3, 4], [5, 3]],
      relations: [[3, 0, 'subsuming'], [3, 1, 'subsuming'], [4, 2, 'subsuming'], [3, 4, 'exclusive'], [5, 3, 'exclusive']],
      L_train: [[3, 5], [4, 3]],
    }),
  );
  await assert.rejects(verb('check').run(verb('check').options.parse({ data: bad }), ctx(null)), (e: unknown) => e instanceof InputError && /'a' and 'b' cannot be told apart/.test(e.message));
  await assert.rejects(verb('fit').run(verb('fit').options.parse({ data: bad, endModel: 'none' }), ctx(dir)), /cannot all be told apart/);
  await assert.rejects(verb('check').run(verb('check').options.parse({}), ctx(null)), /give --data/);
});

test('demo (quick) runs on the shipped digits task', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plrm-demo-'));
  const res = await plrmSystem.demo(ctx(dir));
  assert.ok(res.metrics!.length >= 1);
});
