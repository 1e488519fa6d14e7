/**
 * `--resume <run id>` through the CLI: a training process killed with SIGKILL mid-run continues
 * in its own folder from its last per-epoch checkpoint, with its recorded options, and ends with
 * the same checkpoint (sha-256 of the weights) and metrics as a run that was never killed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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

const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

/** Start the CLI in a child process and SIGKILL it once it has printed `line`. */
function killedAt(argv: string[], line: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/node/cli/main.ts', ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (line.test(out)) child.kill('SIGKILL');
    });
    child.stderr.on('data', (d: Buffer) => void (out += d.toString()));
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve(out) : reject(new Error(`the run ended before it was killed:\n${out}`))));
  });
}

test('sheaf stemgnn train: kill -9 after epoch 2, --resume, same checkpoint as a straight run', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sheaf-resume-'));
  const csv = join(home, 'series.csv');
  const rows: string[] = [];
  for (let t = 0; t < 120; t++) rows.push([0, 1, 2].map((j) => (2 + Math.sin(t / (2 + j))).toFixed(4)).join(','));
  writeFileSync(csv, rows.join('\n') + '\n');
  const args = ['stemgnn', 'train', '--data', csv, '--window', '6', '--horizon', '2', '--season', '3', '--multi-layer', '1', '--epochs', '4', '--batch-size', '8', '--seed', '3'];
  const straight = await run([...args, '--home', join(home, 'straight')]);
  assert.equal(straight.code, 0, straight.err);

  const out = await killedAt([...args, '--home', home], /^epoch 2\/4 /m);
  const reg = RunRegistry.open(home);
  const [rec] = reg.list();
  assert.ok(rec, out);
  assert.equal(rec.status, 'running', 'a killed run is left running (its process is gone)');
  reg.close();
  const again = await run(['stemgnn', 'train', '--resume', rec.id, '--home', home]);
  assert.equal(again.code, 0, again.err);
  assert.match(again.out, new RegExp(`resuming run ${rec.id}`));
  assert.match(again.out, /resumed after epoch 2/);
  assert.doesNotMatch(again.out, /^epoch [12]\/4 /m, 'completed epochs are not trained again');
  const reg2 = RunRegistry.open(home);
  const after = reg2.get(rec.id)!;
  assert.equal(after.status, 'completed');
  assert.equal(after.seed, 3);
  assert.deepEqual(
    [
      ...new Set(
        reg2
          .epochMetrics(rec.id)
          .filter((m) => m.split === 'train')
          .map((m) => m.epoch),
      ),
    ].sort(),
    [1, 2, 3, 4],
  );
  assert.equal(reg2.list().length, 1, 'no second run was created');
  reg2.close();
  const sreg = RunRegistry.open(join(home, 'straight'));
  const srec = sreg.list()[0]!;
  sreg.close();
  assert.equal(sha(join(after.dir, 'checkpoint', 'model.safetensors')), sha(join(srec.dir, 'checkpoint', 'model.safetensors')));
  const metrics = (dir: string) => (JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as { results: unknown }).results;
  assert.deepEqual(metrics(after.dir), metrics(srec.dir));

  const done = await run(['stemgnn', 'train', '--resume', rec.id, '--home', home]);
  assert.equal(done.code, 2);
  assert.match(done.err, /already completed/);
});
