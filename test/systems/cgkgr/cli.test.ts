import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../../src/engine/index.js';
import { RunRegistry } from '../../../src/node/registry/index.js';
import type { RunResult } from '../../../src/system/result.js';
import { syntheticDataset } from '../../../src/systems/cgkgr/synthetic.js';
import '../../../src/node/setup.js';
import { sheafIn, sheafOk } from '../../helpers/cli.js';

await initEngine({ backend: 'wasm' });

/** `sheaf …` with `--seed 3 --home <home>` (test/helpers/cli.ts). */
const sheaf = (home: string, ...argv: string[]) => sheafIn(home, 3, argv);
const ok = (home: string, ...argv: string[]) => sheafOk(home, 3, argv);

/** Every scorer's metrics of one envelope result, model first. */
const scorers = (r: RunResult['results'][number]) => [...(r.model ? [r.model] : []), ...r.baselines];

/** A small KGCN-layout folder from the synthetic generator. */
function writeSmallData(dir: string): void {
  const ds = syntheticDataset({ nUser: 40, nItem: 120, nType: 8, nYear: 12, positives: 6, seed: 4 });
  const r = ds.ratings;
  writeFileSync(join(dir, 'ratings_final.txt'), Array.from(r.users, (u, k) => `${u}\t${r.items[k]}\t${r.labels[k]}`).join('\n') + '\n');
  writeFileSync(join(dir, 'kg_final.txt'), Array.from(ds.kg.heads, (h, k) => `${h}\t${ds.kg.relations[k]}\t${ds.kg.tails[k]}`).join('\n') + '\n');
}

test('train → eval → recommend on a small KGCN folder; every metric names split and protocol', async () => {
  const root = mkdtempSync(join(tmpdir(), 'cgkgr-cli-'));
  try {
    const home = join(root, 'home');
    const data = join(root, 'data');
    mkdirSync(data);
    writeSmallData(data);
    const res = await ok(home, 'cgkgr', 'train', '--data', data, '--epochs', '2', '--batch-size', '64', '--node-dim', '8', '--n-head', '2', '--sample-size', '4', '--lr', '0.01');
    const run = res.dir;
    assert.ok(existsSync(join(run, 'checkpoint', 'model.safetensors')));
    assert.ok(existsSync(join(run, 'metrics.json')));
    const ck = JSON.parse(readFileSync(join(run, 'checkpoint', 'config.json'), 'utf8')) as { format: string; version: number; system: string };
    assert.deepEqual([ck.format, ck.version, ck.system], ['sheaf-checkpoint', 2, 'cgkgr']);
    // Model, random-KG ablation and popularity, in both protocols.
    const m = res.result.results;
    assert.deepEqual(
      scorers(m[0]!).map((r) => r.label),
      ['CG-KGR', 'CG-KGR, random KG', 'item popularity'],
    );
    assert.ok(m.every((x) => x.split && x.dataset && x.note));
    assert.deepEqual(
      m.slice(0, 2).map((x) => [x.split, x.protocol]),
      [
        ['test', 'full ranking'],
        ['test', 'official'],
      ],
    );
    assert.match(m[0]!.note!, /full protocol/);
    assert.match(m[1]!.note!, /official protocol/);
    for (const x of m) for (const r of scorers(x)) for (const k of Object.keys(r.metrics)) assert.match(k, /global|official|full ranking|users ranked/);
    assert.ok(/CG-KGR on .*test split: AUC global/.test(res.out), res.out);
    const report = readFileSync(join(run, 'report.html'), 'utf8');
    assert.ok(report.includes('<h2>Attention weights'));
    assert.ok(report.includes('<h2>Recall@K'));
    const reg = RunRegistry.open(home);
    const epochs = reg.epochMetrics(res.runId);
    const finals = reg.finalMetrics(res.runId);
    reg.close();
    assert.ok(epochs.some((e) => e.split === 'train') && epochs.some((e) => e.split === 'random-KG train'));
    // The registry rows carry scorer, kind and protocol.
    const auc = m[0]!.model!.metrics['AUC (global)']!;
    assert.deepEqual(
      finals.filter((f) => f.split === 'test' && f.protocol === 'full ranking' && f.name === 'AUC (global)').map((f) => [f.label, f.kind]),
      [
        ['CG-KGR', 'model'],
        ['CG-KGR, random KG', 'baseline'],
        ['item popularity', 'baseline'],
      ],
    );
    assert.equal(finals.find((f) => f.label === 'CG-KGR' && f.protocol === 'full ranking' && f.name === 'AUC (global)')!.value, auc);

    const er = await ok(home, 'cgkgr', 'eval', '--checkpoint', run);
    // The checkpoint re-creates split and neighbour sample: the same test AUC as at training.
    assert.ok(Math.abs(er.result.results[0]!.model!.metrics['AUC (global)']! - auc) < 1e-6);
    assert.ok(er.result.results[0]!.baselines.some((r) => r.label.startsWith('CG-KGR, random KG')));
    const pred = readFileSync(join(er.dir, 'predictions.csv'), 'utf8').trim().split('\n');
    assert.equal(pred[0], 'user,item,label,score');
    assert.ok(pred.length > 10);

    const out = join(root, 'rec.csv');
    await ok(home, 'cgkgr', 'recommend', '--checkpoint', run, '--users', '0,5', '--k', '7', '--out', out);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'user,rank,item,score');
    assert.equal(lines.length, 1 + 2 * 7);
    // No known positive of user 0 is recommended; scores are non-increasing.
    const posOf0 = new Set(
      readFileSync(join(data, 'ratings_final.txt'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split('\t'))
        .filter((c) => c[0] === '0' && c[2] === '1')
        .map((c) => c[1]),
    );
    const recs0 = lines
      .slice(1)
      .map((l) => l.split(','))
      .filter((c) => c[0] === '0');
    for (const c of recs0) assert.ok(!posOf0.has(c[2]!), `recommended a known positive ${c[2]}`);
    for (let q = 1; q < recs0.length; q++) assert.ok(Number(recs0[q]![3]) <= Number(recs0[q - 1]![3]));
    const unknown = await sheaf(home, 'cgkgr', 'recommend', '--checkpoint', run, '--users', '999', '--out', out);
    assert.equal(unknown.code, 2, unknown.err);
    assert.match(unknown.err, /unknown user '999'/);

    // Changed data after training: a clear error instead of a silently different split.
    appendFileSync(join(data, 'ratings_final.txt'), '0\t1\t0\n');
    const changed = await sheaf(home, 'cgkgr', 'eval', '--checkpoint', run);
    assert.equal(changed.code, 1, changed.err);
    assert.match(changed.err, /changed since training/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('build-kg writes a KGCN folder from an attribute table and raw ratings', async () => {
  const root = mkdtempSync(join(tmpdir(), 'cgkgr-build-'));
  try {
    writeFileSync(join(root, 'items.csv'), 'movie,genres,year\nm1,Drama|Comedy,1994\nm2,Comedy,1999\nm3,Horror,2003\nm4,Drama,2001\n');
    writeFileSync(join(root, 'ratings.csv'), 'user,movie,stars\nu1,m1,5\nu1,m2,1\nu2,m3,4\nu2,m4,5\nu3,m2,2\n');
    const out = join(root, 'kg');
    const r = await sheaf(join(root, 'home'), 'cgkgr', 'build-kg', '--items', join(root, 'items.csv'), '--ratings', join(root, 'ratings.csv'), '--out', out, '--bucket', 'year=10');
    assert.equal(r.code, 0, r.out + r.err);
    assert.equal(r.runId, null, 'build-kg creates no run');
    for (const f of ['kg_final.txt', 'entities.csv', 'relations.csv', 'item_index2entity_id.txt', 'ratings_final.txt', 'user_index.csv']) assert.ok(existsSync(join(out, f)), f);
    assert.equal(readFileSync(join(out, 'relations.csv'), 'utf8'), 'relation,name\n0,movie.genres\n1,movie.year\n2,year.bucket10\n');
    assert.equal(readFileSync(join(out, 'user_index.csv'), 'utf8'), 'user,user\n0,u1\n1,u2\n');
    assert.ok(/3 positives, 2 users kept \(1 without a positive dropped\)/.test(r.out), r.out);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('train straight from a raw ratings CSV and an item attribute table', async () => {
  const root = mkdtempSync(join(tmpdir(), 'cgkgr-raw-'));
  try {
    const home = join(root, 'home');
    const ds = syntheticDataset({ nUser: 30, nItem: 60, nType: 6, nYear: 8, positives: 5, seed: 8 });
    const items = ['item,types,year', ...ds.truth.itemTypes.map((t, i) => `i${i},${t.map((x) => `g${x}`).join('|')},${1990 + ds.truth.itemYear[i]!}`)];
    writeFileSync(join(root, 'items.csv'), items.join('\n') + '\n');
    const r = ds.ratings;
    const ratings = ['user,item,stars', ...Array.from(r.users, (u, k) => `user${u},i${r.items[k]},${r.labels[k] ? 5 : 2}`)];
    writeFileSync(join(root, 'ratings.csv'), ratings.join('\n') + '\n');
    // --n-epoch: the official flag name, accepted as an alias of --epochs.
    const res = await ok(
      home,
      'cgkgr',
      'train',
      '--ratings-csv',
      join(root, 'ratings.csv'),
      '--items-csv',
      join(root, 'items.csv'),
      '--bucket',
      'year=5',
      '--n-epoch',
      '1',
      '--batch-size',
      '32',
      '--node-dim',
      '8',
      '--n-head',
      '2',
      '--sample-size',
      '3',
      '--no-official-top-k',
      '--no-random-kg',
    );
    assert.deepEqual(
      scorers(res.result.results[0]!).map((x) => x.label),
      ['CG-KGR', 'item popularity'],
    );
    const ck = JSON.parse(readFileSync(join(res.dir, 'checkpoint', 'config.json'), 'utf8')) as { config: { epochs: number } };
    assert.equal(ck.config.epochs, 1);
    // Raw ids reach the attention report through the maps.
    const att = /<h2>(Attention weights[^<]*)<\/h2>/.exec(readFileSync(join(res.dir, 'report.html'), 'utf8'))?.[1];
    assert.ok(att && /\(user\d+\)/.test(att), att);
    const out = join(root, 'rec.csv');
    await ok(home, 'cgkgr', 'recommend', '--checkpoint', res.dir, '--users', 'user3', '--raw-ids', '--k', '3', '--out', out);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'user,rank,item,score,user_id,item_id');
    assert.ok(lines.slice(1).every((l) => l.split(',')[4] === 'user3' && /^i\d+$/.test(l.split(',')[5]!)));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('options are checked: one data source, known preset values', async () => {
  const home = mkdtempSync(join(tmpdir(), 'cgkgr-opts-'));
  const agg = await sheaf(home, 'cgkgr', 'train', '--agg-type', 'mean');
  assert.equal(agg.code, 2, agg.err);
  assert.match(agg.err, /--agg-type/);
  const preset = await sheaf(home, 'cgkgr', 'train', '--preset', 'lastfm');
  assert.equal(preset.code, 2, preset.err);
  assert.match(preset.err, /--preset/);
  const two = await sheaf(home, 'cgkgr', 'train', '--synthetic', '--data', '/tmp');
  assert.equal(two.code, 2, two.err);
  assert.match(two.err, /one data source/);
});
