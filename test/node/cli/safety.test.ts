/**
 * Runs that cannot be corrupted (issue 18, first part): `--resume` refuses a run whose training
 * data changed (naming the file) and a run another live process still owns (its lock: pid, host,
 * start); a run whose process is gone shows as stale in `runs list`; an unwritable home is a usage
 * error before any work.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/node/cli/main.js';
import { RunRegistry, formatRunsTable, hashFile, isStale, LOCK_FILE } from '../../../src/node/registry/index.js';

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

const root = mkdtempSync(join(tmpdir(), 'sheaf-safety-'));
const csv = join(root, 'series.csv');
writeFileSync(csv, ['a,b,c', ...Array.from({ length: 120 }, (_, t) => [0, 1, 2].map((j) => (5 + Math.sin(t / (2 + j))).toFixed(3)).join(','))].join('\n') + '\n');

/** A registered stemgnn training run that was interrupted, on `csv`. */
function interruptedRun(home: string): string {
  const reg = RunRegistry.open(home);
  const r = reg.createRun({ system: 'stemgnn', verb: 'train', config: { data: csv, window: 6, horizon: 2, epochs: 1, seed: 0 }, dataset: csv, datasetHash: hashFile(csv), seed: 0, backend: 'wasm' });
  reg.finish(r.id, 'interrupted');
  reg.close();
  return r.id;
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const p = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(p.stdout);
}

test('--resume refuses changed training data, naming the file', async () => {
  const home = join(root, 'changed');
  const id = interruptedRun(home);
  const original = readFileSync(csv, 'utf8');
  try {
    writeFileSync(csv, original.replace(/^5\./m, '50.'));
    const r = await run(['stemgnn', 'train', '--resume', id, '--home', home]);
    assert.equal(r.code, 1, r.out + r.err);
    assert.match(r.err, /series\.csv.*training data changed since run/s);
  } finally {
    writeFileSync(csv, original);
  }
});

test('--resume refuses a run another live process owns; a dead owner leaves the run stale', async () => {
  const home = join(root, 'live');
  const id = interruptedRun(home);
  const reg = RunRegistry.open(home);
  const dir = reg.get(id)!.dir;
  reg.close();
  const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  try {
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: sleeper.pid, host: hostname(), startedAt: new Date().toISOString() }));
    const r = await run(['stemgnn', 'train', '--resume', id, '--home', home]);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, new RegExp(`run ${id} is still being trained by process ${sleeper.pid}`));
  } finally {
    sleeper.kill('SIGKILL');
  }
  // A run row left 'running' by a killed process: stale in the list, its lock's process gone.
  const reg2 = RunRegistry.open(home);
  const r2 = reg2.createRun({ system: 'stemgnn', verb: 'train', config: {}, dataset: 'x', backend: 'wasm' });
  writeFileSync(join(r2.dir, LOCK_FILE), JSON.stringify({ pid: deadPid(), host: hostname(), startedAt: '' }));
  const rec = reg2.get(r2.id)!;
  assert.equal(isStale(rec), true);
  assert.match(formatRunsTable([rec]), /stale \(process gone\)/);
  reg2.close();
  const list = await run(['runs', 'list', '--home', home]);
  assert.equal(list.code, 0);
  assert.match(list.out, /stale \(process gone\)/);
  const stale = await run(['runs', 'list', '--status', 'stale', '--json', '--home', home]);
  assert.deepEqual(
    (JSON.parse(stale.out) as Array<{ id: string }>).map((x) => x.id),
    [r2.id],
  );
  // rm: the row and the folder go; a run a live process owns stays.
  const rm = await run(['runs', 'rm', r2.id, '--home', home]);
  assert.equal(rm.code, 0, rm.out + rm.err);
  assert.equal(existsSync(r2.dir), false);
  const after = RunRegistry.open(home);
  assert.equal(after.get(r2.id), undefined);
  const r3 = after.createRun({ system: 'stemgnn', verb: 'train', config: {}, dataset: 'x', backend: 'wasm' });
  after.close();
  writeFileSync(join(r3.dir, LOCK_FILE), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: '' }));
  const live = await run(['runs', 'rm', r3.id, '--home', home]);
  assert.equal(live.code, 2);
  assert.match(live.err, /still being trained/);
  assert.equal(existsSync(r3.dir), true);
});

test('a training run holds its folder while it runs and releases it at the end', async () => {
  const home = join(root, 'lock');
  const r = await run(['stemgnn', 'train', '--quick', '--data', csv, '--window', '6', '--horizon', '2', '--season', '3', '--home', home]);
  assert.equal(r.code, 0, r.out + r.err);
  const reg = RunRegistry.open(home);
  const [rec] = reg.list();
  reg.close();
  assert.equal(rec!.status, 'completed');
  assert.equal(isStale(rec!), false);
  assert.throws(() => readFileSync(join(rec!.dir, LOCK_FILE)), /ENOENT/);
});

test('an unwritable home is a usage error before any work', async () => {
  // A folder under a file cannot be made, even by root (tests may run as root, who ignores permission bits).
  const home = join(csv, 'runs');
  const r = await run(['stemgnn', 'train', '--quick', '--data', csv, '--window', '6', '--horizon', '2', '--home', home]);
  assert.equal(r.code, 2, r.out + r.err);
  assert.match(r.err, /the run home .*series\.csv\/runs is not writable \(ENOTDIR\)/);
  assert.doesNotMatch(r.err, /SqliteError|at /);
});

test('missing cells in a StemGNN series are filled, and said so', async () => {
  const miss = join(root, 'missing.csv');
  writeFileSync(miss, `a,b\n1,2\n3,\n5,6\n7,NaN\n${Array.from({ length: 40 }, (_, i) => `${i},${2 * i}`).join('\n')}\n`);
  const r = await run(['stemgnn', 'train', '--quick', '--data', miss, '--window', '4', '--horizon', '1', '--season', '2', '--home', join(root, 'missing')]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out + r.err, /missing\.csv: 2 empty or NaN cells \(first: data row 2, column b\) filled forward, then backward, within each split/);
});

test('a file that is not UTF-8 is an error naming the file and the line of the first bad byte', async () => {
  const latin = join(root, 'latin1.csv');
  const rows = Array.from({ length: 40 }, (_, i) => `${i},${2 * i}`).join('\n');
  // "café" with é as the Latin-1 byte 0xE9 on line 3.
  writeFileSync(latin, Buffer.concat([Buffer.from(`a,b\n1,2\n`), Buffer.from([0x63, 0x61, 0x66, 0xe9]), Buffer.from(`,3\n${rows}\n`)]));
  const r = await run(['stemgnn', 'train', '--quick', '--data', latin, '--window', '4', '--horizon', '1', '--season', '2', '--home', join(root, 'latin')]);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.err, /latin1\.csv, line 3: not UTF-8 text/);
});

test('an all-numeric first line is read as data under --header auto, and said so', async () => {
  const ids = join(root, 'ids.csv');
  writeFileSync(ids, `101,102\n${Array.from({ length: 40 }, (_, i) => `${i},${2 * i}`).join('\n')}\n`);
  const r = await run(['stemgnn', 'train', '--quick', '--data', ids, '--window', '4', '--horizon', '1', '--season', '2', '--home', join(root, 'ids')]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out + r.err, /ids\.csv: no header row detected, so line 1 is read as data \(use --header yes/);
});
