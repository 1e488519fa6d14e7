/**
 * `--resume <run id>` through the CLI: a run that did not complete continues in its own folder
 * from its last per-epoch checkpoint, with its recorded options (flags given now override them),
 * and ends `completed` with the curves of every epoch in the registry.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/node/cli/main.js';
import { RunRegistry } from '../../../src/node/registry/index.js';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

test('sheaf stemgnn train --resume continues a failed run from its checkpoint', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sheaf-resume-'));
  const csv = join(home, 'series.csv');
  const rows: string[] = [];
  for (let t = 0; t < 120; t++) rows.push([0, 1, 2].map((j) => (2 + Math.sin(t / (2 + j))).toFixed(4)).join(','));
  writeFileSync(csv, rows.join('\n') + '\n');
  const first = await run(['stemgnn', 'train', '--data', csv, '--window', '6', '--horizon', '2', '--season', '3', '--multi-layer', '1', '--epochs', '1', '--seed', '3', '--home', home]);
  assert.equal(first.code, 0, first.err);
  const reg = RunRegistry.open(home);
  const [rec] = reg.list();
  assert.ok(rec);
  // Pretend the process was killed after epoch 0 (a completed run cannot be resumed).
  reg.finish(rec.id, 'failed', 'killed');
  reg.close();
  const again = await run(['stemgnn', 'train', '--resume', rec.id, '--epochs', '3', '--home', home]);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, new RegExp(`resuming run ${rec.id}`));
  assert.match(again.out, /continuing at epoch 1/);
  assert.doesNotMatch(again.out, /^epoch 0 /m);
  const reg2 = RunRegistry.open(home);
  const after = reg2.get(rec.id)!;
  assert.equal(after.status, 'completed');
  assert.equal(after.seed, 3);
  const epochs = new Set(reg2.epochMetrics(rec.id).filter((m) => m.split === 'train').map((m) => m.epoch));
  assert.deepEqual([...epochs].sort(), [0, 1, 2]);
  assert.equal(reg2.list().length, 1, 'no second run was created');
  reg2.close();
  const done = await run(['stemgnn', 'train', '--resume', rec.id, '--home', home]);
  assert.equal(done.code, 2);
  assert.match(done.err, /already completed/);
});
