import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { RunRegistry, newRunId, runDir, resolveHome, DB_FILE } from '../../../src/node/registry/registry.js';
import { hashBuffer, hashFile } from '../../../src/node/registry/hash.js';
import { formatRunsTable, formatRunsJson, formatDuration } from '../../../src/node/registry/format.js';
import { UsageError } from '../../../src/util/errors.js';

function tempHome(): string {
  return mkdtempSync(join(tmpdir(), 'sheaf-registry-'));
}

const baseRun = {
  system: 'stemgnn',
  verb: 'train',
  config: { lr: 0.001, layers: [2, 3], nested: { a: 'x' } },
  dataset: 'chicago.csv',
  datasetHash: 'ab'.repeat(32),
  seed: 42,
  backend: 'wasm',
};

test('createRun stores the run, its folder, and get() returns it', () => {
  const home = tempHome();
  try {
    const reg = RunRegistry.open(home);
    const run = reg.createRun(baseRun);
    assert.match(run.id, /^\d{8}-\d{6}-[0-9a-f]{4}$/);
    assert.equal(run.status, 'running');
    assert.equal(run.endedAt, null);
    assert.equal(run.dir, join(home, run.id));
    assert.ok(existsSync(run.dir));
    assert.ok(existsSync(join(home, 'sheaf.db')));
    const got = reg.get(run.id);
    assert.deepEqual(got?.config, baseRun.config);
    assert.equal(got?.seed, 42);
    assert.equal(got?.datasetHash, baseRun.datasetHash);
    assert.equal(reg.get('20000101-000000-ffff'), undefined);
    reg.close();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('setDataset names the data a run read (a default data set is known only once read)', () => {
  const home = tempHome();
  try {
    const reg = RunRegistry.open(home);
    const run = reg.createRun({ ...baseRun, dataset: 'shipped', datasetHash: null });
    reg.setDataset(run.id, 'Chicago L ridership');
    assert.equal(reg.get(run.id)?.dataset, 'Chicago L ridership');
    assert.throws(() => reg.setDataset(run.id, ''), UsageError);
    assert.throws(() => reg.setDataset('20000101-000000-ffff', 'x'));
    reg.close();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('metrics, artifacts and finish round-trip; NaN survives; re-logging overwrites', () => {
  const home = tempHome();
  try {
    const reg = RunRegistry.open(home);
    const run = reg.createRun({ ...baseRun, seed: null, datasetHash: null });
    reg.logEpoch(run.id, 0, 'train', { loss: 1.5, mae: 0.25 });
    reg.logEpoch(run.id, 0, 'val', { loss: Number.NaN });
    reg.logEpoch(run.id, 1, 'train', { loss: 0.75 });
    reg.logEpoch(run.id, 1, 'train', { loss: 0.5 });
    reg.logFinal(run.id, 'test', 'chicago', { mae: 0.361, rmse: 0.5 }, { label: 'StemGNN' });
    reg.logFinal(run.id, 'test', 'chicago', { mae: 0.9 }, { label: 'last value', kind: 'baseline' });
    reg.addArtifact(run.id, 'report', join(run.dir, 'report.html'));
    reg.addArtifact(run.id, 'report', join(run.dir, 'report.html'));
    reg.finish(run.id, 'failed', 'loss diverged');

    const epochs = reg.epochMetrics(run.id);
    assert.deepEqual(
      epochs.filter((r) => !Number.isNaN(r.value)),
      [
        { epoch: 0, split: 'train', name: 'loss', value: 1.5 },
        { epoch: 0, split: 'train', name: 'mae', value: 0.25 },
        { epoch: 1, split: 'train', name: 'loss', value: 0.5 },
      ],
    );
    const nan = epochs.find((r) => r.split === 'val');
    assert.ok(nan !== undefined && Number.isNaN(nan.value));
    assert.deepEqual(reg.finalMetrics(run.id), [
      { split: 'test', protocol: '', dataset: 'chicago', label: 'StemGNN', kind: 'model', name: 'mae', value: 0.361 },
      { split: 'test', protocol: '', dataset: 'chicago', label: 'StemGNN', kind: 'model', name: 'rmse', value: 0.5 },
      { split: 'test', protocol: '', dataset: 'chicago', label: 'last value', kind: 'baseline', name: 'mae', value: 0.9 },
    ]);
    assert.deepEqual(reg.artifacts(run.id), [{ kind: 'report', path: join(run.dir, 'report.html') }]);
    const done = reg.get(run.id)!;
    assert.equal(done.status, 'failed');
    assert.equal(done.error, 'loss diverged');
    assert.ok(done.endedAt !== null && done.endedAt >= done.startedAt);
    assert.equal(done.seed, null);
    reg.close();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('bad input is rejected with a clear error', () => {
  const home = tempHome();
  try {
    const reg = RunRegistry.open(home);
    const run = reg.createRun(baseRun);
    assert.throws(() => reg.logEpoch('nope', 0, 'train', { loss: 1 }), /no run "nope"/);
    assert.throws(() => reg.logEpoch(run.id, -1, 'train', { loss: 1 }), UsageError);
    assert.throws(() => reg.logEpoch(run.id, 0, '', { loss: 1 }), /split/);
    assert.throws(() => reg.logEpoch(run.id, 0, 'train', { loss: '1' as unknown as number }), /"loss".*number/);
    assert.throws(() => reg.finish(run.id, 'running'), /final status/);
    assert.throws(() => reg.createRun({ ...baseRun, system: '' }), /"system"/);
    assert.throws(() => reg.createRun({ ...baseRun, seed: 1.5 }), /seed/);
    assert.throws(() => runDir(home, '../etc'), /invalid run id/);
    assert.throws(() => reg.list({ limit: -1 }), /limit/);
    reg.close();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('list filters by system and status, newest first, with a limit', () => {
  const home = tempHome();
  try {
    const reg = RunRegistry.open(home);
    const ids: string[] = [];
    for (const system of ['bsm', 'tgsl', 'bsm', 'bsm']) ids.push(reg.createRun({ ...baseRun, system }).id);
    reg.finish(ids[0]!, 'completed');
    const sortedDesc = [...ids].sort().reverse();
    assert.deepEqual(
      reg.list().map((r) => r.id),
      sortedDesc,
    );
    const bsm = reg.list({ system: 'bsm' });
    assert.equal(bsm.length, 3);
    assert.ok(bsm.every((r) => r.system === 'bsm'));
    assert.equal(reg.list({ limit: 2 }).length, 2);
    assert.deepEqual(
      reg.list({ status: 'completed' }).map((r) => r.id),
      [ids[0]],
    );
    reg.close();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('SHEAF_HOME moves the registry; an explicit home wins over it', () => {
  const envHome = tempHome();
  const explicit = tempHome();
  const saved = process.env.SHEAF_HOME;
  try {
    process.env.SHEAF_HOME = envHome;
    assert.equal(resolveHome(), envHome);
    const reg = RunRegistry.open();
    assert.equal(reg.dbPath, join(envHome, 'sheaf.db'));
    reg.close();
    const reg2 = RunRegistry.open(explicit);
    assert.equal(reg2.home, explicit);
    reg2.close();
    delete process.env.SHEAF_HOME;
    assert.equal(resolveHome(), join(process.cwd(), 'runs'));
  } finally {
    if (saved === undefined) delete process.env.SHEAF_HOME;
    else process.env.SHEAF_HOME = saved;
    rmSync(envHome, { recursive: true, force: true });
    rmSync(explicit, { recursive: true, force: true });
  }
});

test('newRunId encodes the UTC start time and sorts by it', () => {
  const a = newRunId(new Date(Date.UTC(2026, 10, 26, 4, 15, 0)));
  assert.match(a, /^20261126-041500-[0-9a-f]{4}$/);
  const b = newRunId(new Date(Date.UTC(2026, 10, 26, 4, 15, 1)));
  assert.ok(a < b);
});

test('hashBuffer and hashFile give SHA-256', () => {
  // FIPS 180-2 test vector for "abc".
  assert.equal(hashBuffer('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  const dir = tempHome();
  try {
    const file = join(dir, 'data.bin');
    // Bigger than one 1 MiB read chunk so the chunked path is exercised.
    const data = Buffer.alloc((1 << 20) + 12345);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 0xff;
    writeFileSync(file, data);
    assert.equal(hashFile(file), hashBuffer(data));
    assert.throws(() => hashFile(join(dir, 'missing.csv')), /missing\.csv/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('formatRunsTable aligns columns; formatRunsJson round-trips', () => {
  const runs = [
    {
      ...baseRun,
      id: '20261126-041500-ab12',
      startedAt: '2026-11-26T04:15:00.000Z',
      endedAt: '2026-11-26T04:18:05.000Z',
      status: 'completed' as const,
      error: null,
      dir: '/x',
    },
    {
      ...baseRun,
      system: 'mtad-gat',
      seed: null,
      id: '20261126-041501-cd34',
      startedAt: '2026-11-26T04:15:01.000Z',
      endedAt: null,
      status: 'running' as const,
      error: null,
      dir: '/y',
    },
  ];
  const lines = formatRunsTable(runs).split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /^ID\s+SYSTEM\s+VERB/);
  // Column starts line up: SYSTEM header sits above both system names.
  const col = lines[0]!.indexOf('SYSTEM');
  assert.equal(lines[1]!.indexOf('stemgnn'), col);
  assert.equal(lines[2]!.indexOf('mtad-gat'), col);
  const statusCol = lines[0]!.indexOf('STATUS');
  assert.equal(lines[1]!.indexOf('completed'), statusCol);
  assert.ok(lines[1]!.includes('2026-11-26 04:15:00'));
  assert.ok(lines[1]!.endsWith('3m05s'));
  assert.ok(lines[2]!.includes(' - '));
  assert.equal(formatRunsTable([]), 'no runs');
  assert.deepEqual(JSON.parse(formatRunsJson(runs)), runs);
  assert.equal(formatDuration('2026-01-01T00:00:00.000Z', '2026-01-01T01:02:30.000Z'), '1h02m');
  assert.equal(formatDuration('2026-01-01T00:00:00.000Z', '2026-01-01T00:00:12.340Z'), '12.3s');
});

const writerScript = fileURLToPath(new URL('./concurrent-writer.ts', import.meta.url));

function runWriter(home: string, name: string, barrier: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writerScript, home, name, barrier, '2'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

test('two processes writing concurrently to one registry both land intact', async () => {
  const home = tempHome();
  const barrier = join(home, 'barrier');
  mkdirSync(barrier);
  try {
    const [a, b] = await Promise.all([runWriter(home, 'a', barrier), runWriter(home, 'b', barrier)]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);
    const idA = (JSON.parse(a.stdout) as { id: string }).id;
    const idB = (JSON.parse(b.stdout) as { id: string }).id;
    assert.notEqual(idA, idB);

    // Check with a separate, raw connection: the file is a sound database.
    const raw = new Database(join(home, 'sheaf.db'), { readonly: true });
    assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    raw.close();

    const reg = RunRegistry.open(home);
    assert.equal(reg.list().length, 2);
    for (const [id, name, offset] of [
      [idA, 'a', 1000],
      [idB, 'b', 2000],
    ] as const) {
      const run = reg.get(id)!;
      assert.equal(run.system, name);
      assert.equal(run.status, 'completed');
      assert.deepEqual(run.config, { writer: name, epochs: 50 });
      const rows = reg.epochMetrics(id);
      assert.equal(rows.length, 100);
      for (let epoch = 0; epoch < 50; epoch++) {
        const loss = rows.find((r) => r.epoch === epoch && r.name === 'loss');
        const acc = rows.find((r) => r.epoch === epoch && r.name === 'acc');
        assert.equal(loss?.value, offset + epoch);
        assert.equal(acc?.value, epoch / 50);
      }
      assert.deepEqual(reg.finalMetrics(id), [{ split: 'test', protocol: '', dataset: 'toy', label: '', kind: 'model', name: 'mae', value: offset / 1000 }]);
    }
    reg.close();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});

test('a version-1 registry (final metrics without scorer labels) opens and is migrated', () => {
  const home = mkdtempSync(join(tmpdir(), 'sheaf-reg-v1-'));
  try {
    const db = new Database(join(home, DB_FILE));
    db.exec(`CREATE TABLE runs (id TEXT PRIMARY KEY, system TEXT NOT NULL, verb TEXT NOT NULL, config TEXT NOT NULL, dataset TEXT NOT NULL, dataset_hash TEXT,
      seed INTEGER, backend TEXT NOT NULL, started_at TEXT NOT NULL, ended_at TEXT, status TEXT NOT NULL, error TEXT);
      CREATE TABLE final_metrics (run_id TEXT NOT NULL, split TEXT NOT NULL, dataset TEXT NOT NULL, name TEXT NOT NULL, value REAL, PRIMARY KEY (run_id, split, dataset, name)) WITHOUT ROWID;
      INSERT INTO runs VALUES ('20260101-000000-aaaa', 'stemgnn', 'train', '{}', 'd', NULL, 0, 'wasm', '2026-01-01T00:00:00.000Z', NULL, 'completed', NULL);
      INSERT INTO final_metrics VALUES ('20260101-000000-aaaa', 'test', 'd', 'MAE', 0.8);
      PRAGMA user_version = 1;`);
    db.close();
    const reg = RunRegistry.open(home);
    assert.deepEqual(reg.finalMetrics('20260101-000000-aaaa'), [{ split: 'test', protocol: '', dataset: 'd', label: 'stemgnn', kind: 'model', name: 'MAE', value: 0.8 }]);
    reg.close();
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
});
