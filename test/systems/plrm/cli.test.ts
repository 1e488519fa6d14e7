import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { initEngine } from '../../../src/engine/index.js';
import { main } from '../../../src/node/cli/main.js';
import { RunRegistry } from '../../../src/node/registry/index.js';
import { localPath } from '../../../src/node/storage.js';
import { joinPath } from '../../../src/io/path.js';
import type { RunResult } from '../../../src/system/result.js';
import { SHIPPED_TASKS_DIR } from '../../../src/systems/plrm/shipped.js';
import '../../../src/node/setup.js';
import { sheafIn, sheafOk } from '../../helpers/cli.js';

await initEngine({ backend: 'wasm' });

const home = mkdtempSync(join(tmpdir(), 'plrm-cli-'));

/** `sheaf …` with `--seed 1 --home <home>` (test/helpers/cli.ts). */
const sheaf = (...argv: string[]) => sheafIn(home, 1, argv);
const ok = (...argv: string[]) => sheafOk(home, 1, argv);

const task = joinPath(SHIPPED_TASKS_DIR, 'digits_03.json');

test('plrm train → eval → label → check on a shipped task', async () => {
  const res = await ok('plrm', 'train', '--data', task, '--steps', '40', '--end-epochs', '30');
  const dir = res.dir;
  assert.ok(existsSync(join(dir, 'checkpoint', 'model.safetensors')) && existsSync(join(dir, 'checkpoint', 'config.json')));
  const ck = JSON.parse(readFileSync(join(dir, 'checkpoint', 'config.json'), 'utf8')) as { format: string; version: number; system: string };
  assert.deepEqual([ck.format, ck.version, ck.system], ['sheaf-checkpoint', 2, 'plrm']);
  const test = res.result.results.find((m) => m.split === 'test')!;
  assert.equal(test.model!.label, 'PLRM');
  assert.deepEqual(
    test.baselines.map((r) => r.label),
    ['LRMV', 'ALRMV', 'LFPGM', 'end model (logreg on PLRM labels)'],
  );
  const reg = RunRegistry.open(home);
  const finals = reg.finalMetrics(res.runId);
  reg.close();
  // The registry holds every scorer's numbers, each row with its label and kind.
  const byLabel = (rows: Array<[string, string, unknown]>) => [...rows].sort((a, b) => a[0].localeCompare(b[0]));
  assert.deepEqual(
    byLabel(finals.filter((f) => f.split === 'test' && f.name === 'accuracy').map((f) => [f.label, f.kind, f.value])),
    byLabel([['PLRM', 'model', test.model!.metrics['accuracy']], ...test.baselines.map((b): [string, string, unknown] => [b.label, 'baseline', b.metrics['accuracy']])]),
  );
  assert.ok(readFileSync(join(dir, 'report.html'), 'utf8').includes('<h2>Learned factor weights</h2>'));
  const labels = readFileSync(join(dir, 'labels_train.csv'), 'utf8').trim().split('\n');
  const header = labels[0]!.split(',');
  assert.deepEqual(header.slice(0, 3), ['split', 'row', 'covered']);
  assert.equal(header.length, 3 + 3 + 1);
  const taskJson = JSON.parse(readFileSync(localPath(task), 'utf8')) as { L_train: number[][] };
  assert.equal(labels.length - 1, taskJson.L_train.length);
  const p = labels[1]!.split(',').slice(3, 6).map(Number);
  assert.ok(Math.abs(p.reduce((a, b) => a + b, 0) - 1) < 1e-8);

  // eval on the saved checkpoint reproduces the training run's test scores exactly
  const ev = await ok('plrm', 'eval', '--checkpoint', dir, '--data', task);
  const evTest = ev.result.results.find((m) => m.split === 'test')!;
  assert.deepEqual([evTest.model, evTest.baselines], [test.model, test.baselines]);

  const out = join(ev.dir, 'valid_labels.csv');
  await ok('plrm', 'label', '--checkpoint', dir, '--data', task, '--split', 'valid', '--model', 'LFPGM', '--out', out);
  const lines = readFileSync(out, 'utf8').trim().split('\n');
  assert.ok(lines.length > 1);
  assert.ok(lines.slice(1).every((l) => l.startsWith('valid,')));

  const check = await sheaf('plrm', 'check', '--data', task);
  assert.equal(check.code, 0, check.err);
  assert.equal(check.runId, null, 'check creates no run');
  assert.ok(/OK: every desired label/.test(check.out), check.out);
});

test('plrm check rejects an indistinguishable task and fit refuses it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plrm-cli-bad-'));
  const bad = join(dir, 'bad.json');
  writeFileSync(
    bad,
    JSON.stringify({
      labels: ['a', 'b', 'c', 'ab', 'c2', 'x'],
      desired: [0, 1, 2],
      ilfs: [
        [3, 4],
        [5, 3],
      ],
      relations: [
        [3, 0, 'subsuming'],
        [3, 1, 'subsuming'],
        [4, 2, 'subsuming'],
        [3, 4, 'exclusive'],
        [5, 3, 'exclusive'],
      ],
      L_train: [
        [3, 5],
        [4, 3],
      ],
    }),
  );
  const check = await sheaf('plrm', 'check', '--data', bad);
  assert.equal(check.code, 1, check.err);
  assert.match(check.err, /'a' and 'b' cannot be told apart/);
  // `fit`: the official verb name, accepted as an alias of `train`.
  const fit = await sheaf('plrm', 'fit', '--data', bad, '--end-model', 'none');
  assert.equal(fit.code, 1, fit.err);
  assert.match(fit.err, /cannot all be told apart/);
  assert.equal(fit.runId, null);
  const none = await sheaf('plrm', 'check');
  assert.equal(none.code, 2, none.err);
  assert.match(none.err, /give --data/);
});

test('demo (quick) runs on the shipped digits task', async () => {
  let log = '';
  const code = await main(['demo', '--quick', '--systems', 'plrm', '--home', home], { out: (t) => void (log += t), err: (t) => void (log += t) });
  assert.equal(code, 0, log);
  const runDir = dirname(/demo report written to (\S+)/.exec(log)![1]!);
  assert.ok(existsSync(join(runDir, 'plrm', 'checkpoint', 'config.json')));
  const result = JSON.parse(readFileSync(join(runDir, 'metrics.json'), 'utf8')) as RunResult;
  assert.ok(result.results.length >= 1);
  assert.ok(
    result.results.every((r) => /digits/.test(r.dataset)),
    JSON.stringify(result.results.map((r) => r.dataset)),
  );
});
