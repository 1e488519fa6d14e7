/**
 * The front door end to end: help, bad options, missing files, malformed configs (documented
 * messages, exit codes, no run folder), a successful run (registry row, report), `runs` commands.
 * A toy system stands in for the real ones so these checks do not depend on any model.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { z } from 'zod';
import { main } from '../../../src/node/cli/main.js';
import { registerSystem } from '../../../src/systems/index.js';
import { defineSystem } from '../../../src/system/types.js';
import { RunRegistry } from '../../../src/node/registry/index.js';

/** A stand-in system so these checks do not depend on any model. */
const toy = defineSystem({
  name: 'toy',
  title: 'Toy',
  summary: 'a stand-in system for CLI tests',
  reference: { paper: 'none', code: 'none' },
  schemas: {
    data: z.object({ data: z.string().describe('input file') }),
    config: z.object({
      epochs: z.coerce.number().int().min(1).max(100).default(2).describe('epochs'),
      mode: z.enum(['fast', 'slow']).default('fast').describe('mode'),
      verbose: z.boolean().default(false).describe('talk more'),
    }),
    eval: z.object({}),
  },
  loadData: async (o, env) => ({ name: o.data, text: await env.storage.readText(o.data) }),
  describeData: (d: { name: string }) => ({ name: d.name }),
  async train(_d, cfg, _e, env) {
    for (let e = 1; e <= cfg.epochs; e++) env.curve?.(e, 'train', { loss: 1 / e });
    return { cfg: cfg as { epochs: number; mode: 'fast' | 'slow'; verbose: boolean } };
  },
  evaluate: async () => ({
    results: [
      {
        split: 'test',
        dataset: 'toy data',
        rows: [
          { label: 'Toy', kind: 'model' as const, values: { mae: 0.5 } },
          { label: 'last value', values: { mae: 0.9 } },
        ],
      },
    ],
  }),
  configOf: (m: { cfg: { epochs: number; mode: 'fast' | 'slow'; verbose: boolean } }) => m.cfg,
  save: (m) => ({ tensors: new Map(), config: m.cfg }),
  load: async (ck) => ({ cfg: ck.config as { epochs: number; mode: 'fast' | 'slow'; verbose: boolean } }),
  dispose: () => undefined,
  demo: () => ({ data: {}, config: {}, note: '' }),
  conformance: async () => ({ data: {}, config: {}, note: '', resumable: false }),
});
registerSystem(toy);

function home(): string {
  return mkdtempSync(join(tmpdir(), 'sheaf-cli-'));
}

/** Run the CLI in process, collecting what it prints. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

function runFolders(h: string): string[] {
  return existsSync(h) ? readdirSync(h).filter((f) => !f.startsWith('sheaf.db')) : [];
}

test('sheaf --help lists the systems and exits 0; no command exits 2', async () => {
  const r = await run(['--help']);
  assert.equal(r.code, 0);
  assert.match(r.out, /toy +a stand-in system/);
  assert.equal((await run([])).code, 2);
});

test('the real binary: --help exits 0, an unknown command exits 2 with the accepted ones', () => {
  const ok = spawnSync(process.execPath, ['--import', 'tsx', 'src/node/cli/main.ts', '--help'], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /usage:/);
  const bad = spawnSync(process.execPath, ['--import', 'tsx', 'src/node/cli/main.ts', 'nope'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown command 'nope' \(accepted: .*demo, runs\)/);
});

test('system and verb help show options with defaults', async () => {
  const r = await run(['toy', 'train', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.out, /--epochs <integer> +epochs \(default 2\)/);
  assert.match(r.out, /--mode <fast\|slow>/);
});

test('bad options exit 2, name the option and the accepted values, and write no run folder', async () => {
  const h = home();
  const cases: Array<[string[], RegExp]> = [
    [['toy', 'train', '--data', 'x', '--nope', '1'], /unknown option --nope \(accepted: --data, --epochs, --mode, --verbose\)/],
    [['toy', 'train', '--data', 'x', '--epochs', 'abc'], /invalid value for --epochs: .*\(an integer\)/],
    [['toy', 'train', '--data', 'x', '--epochs', '1000'], /invalid value for --epochs: .*100/],
    [['toy', 'train', '--data', 'x', '--mode', 'medium'], /invalid value for --mode: .*\(accepted: fast, slow\)/],
    [['toy', 'train'], /invalid value for --data/],
    [['toy', 'train', '--data', 'x', '--seed', '-1'], /--seed/],
    [['toy', 'fly'], /unknown verb 'fly' for toy \(accepted: train, eval\)/],
  ];
  for (const [argv, msg] of cases) {
    const r = await run([...argv, '--home', h]);
    assert.equal(r.code, 2, `${argv.join(' ')} → ${r.code}: ${r.err}`);
    assert.match(r.err, msg);
  }
  assert.deepEqual(runFolders(h), []);
});

test('a missing input file exits 1 naming it; no run folder or registry row is left', async () => {
  const h = home();
  const r = await run(['toy', 'train', '--data', '/no/such/file.csv', '--home', h]);
  assert.equal(r.code, 1);
  assert.match(r.err, /\/no\/such\/file\.csv: cannot read: file not found/);
  assert.deepEqual(runFolders(h), []);
  const reg = RunRegistry.open(h);
  assert.equal(reg.list().length, 0);
  reg.close();
});

test('a malformed config file exits 2 naming the file', async () => {
  const h = home();
  const cfg = join(h, 'bad.json');
  writeFileSync(cfg, '{"epochs": 3,');
  const r = await run(['toy', 'train', '--data', cfg, '--config', cfg, '--home', h]);
  assert.equal(r.code, 2);
  assert.match(r.err, /config file .*bad\.json is not valid JSON/);
  writeFileSync(cfg, '{"epochs": "many"}');
  const r2 = await run(['toy', 'train', '--data', cfg, '--config', cfg, '--home', h]);
  assert.equal(r2.code, 2);
  assert.match(r2.err, /with config .*bad\.json.*--epochs/);
  assert.deepEqual(
    runFolders(h).filter((f) => f !== 'bad.json'),
    [],
  );
});

test('a run: registry row, per-epoch and final metrics, report, runs list/show/report', async () => {
  const h = home();
  const data = join(h, 'data.csv');
  writeFileSync(data, '1,2\n3,4\n');
  const cfg = join(h, 'cfg.json');
  writeFileSync(cfg, JSON.stringify({ epochs: 3 }));
  const r = await run(['toy', 'train', '--data', data, '--config', cfg, '--mode', 'slow', '--seed', '7', '--home', h]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /test split of toy data/);
  assert.match(r.out, /\* Toy +0\.5000/);
  const reg = RunRegistry.open(h);
  const [rec] = reg.list();
  assert.ok(rec);
  assert.equal(rec.status, 'completed');
  assert.equal(rec.seed, 7);
  assert.equal(rec.config['mode'], 'slow');
  assert.equal(rec.config['epochs'], 3);
  assert.equal(rec.datasetHash?.length, 64);
  assert.equal(reg.epochMetrics(rec.id).length, 3);
  assert.deepEqual(
    reg.finalMetrics(rec.id).map((m) => [m.split, m.label, m.kind, m.name, m.value]),
    [
      ['test', 'Toy', 'model', 'mae', 0.5],
      ['test', 'last value', 'baseline', 'mae', 0.9],
    ],
  );
  reg.close();
  const html = readFileSync(join(rec.dir, 'report.html'), 'utf8');
  assert.match(html, /last value/);
  assert.match(html, /<svg/);
  assert.match(r.out, new RegExp(`report written to .*${rec.id}`));
  const list = await run(['runs', 'list', '--home', h, '--json']);
  assert.equal(JSON.parse(list.out)[0].id, rec.id);
  const show = await run(['runs', 'show', rec.id, '--home', h]);
  assert.match(show.out, /test \/ toy data \/ \* Toy: mae = 0\.5/);
  const json = JSON.parse((await run(['runs', 'show', rec.id, '--home', h, '--json'])).out) as {
    result: { format: string; results: Array<{ model: { metrics: { mae: number } }; baselines: Array<{ label: string }> }> };
  };
  assert.equal(json.result.format, 'sheaf-run-result');
  assert.equal(json.result.results[0]!.model.metrics.mae, 0.5);
  assert.equal(json.result.results[0]!.baselines[0]!.label, 'last value');
  const rep = await run(['runs', 'report', rec.id, '--home', h]);
  assert.equal(rep.out.trim(), join(rec.dir, 'report.html'));
  const missing = await run(['runs', 'show', 'nope', '--home', h]);
  assert.equal(missing.code, 2);
});

test('the installed bin (bin/sheaf.js → dist) runs a real verb once, engine included', () => {
  // dist/ is built by `npm ci` (the prepare script) and by `npm run build`.
  assert.ok(existsSync('dist/node/cli/main.js'), 'dist/ is missing: run npm run build');
  const r = spawnSync(process.execPath, ['bin/sheaf.js', 'plrm', 'check', '--data', 'data/plrm-tasks/digits_00.json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /relations consistent/);
  assert.equal(r.stderr, '');
});
