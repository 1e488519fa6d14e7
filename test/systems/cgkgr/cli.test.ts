import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initEngine } from '../../../src/engine/index.js';
import type { SystemVerb, VerbContext } from '../../../src/node/cli/system.js';
import { InputError, UsageError } from '../../../src/util/errors.js';
import { cgkgrSystem } from '../../../src/systems/cgkgr/cli.js';
import { syntheticDataset } from '../../../src/systems/cgkgr/synthetic.js';
import '../../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

function verb(name: string): SystemVerb {
  const v = cgkgrSystem.verbs.find((x) => x.name === name);
  assert.ok(v, `verb ${name}`);
  return v;
}

function ctx(runDir: string | null, epochs: Array<[number, string, Record<string, number>]> = []): VerbContext {
  return {
    runId: runDir ? 'test' : null,
    runDir,
    seed: 3,
    backend: 'wasm',
    log: () => undefined,
    signal: new AbortController().signal,
    logEpoch: (e, s, m) => epochs.push([e, s, m]),
    quick: true,
  };
}

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
    const data = join(root, 'data');
    const run = join(root, 'run');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(data);
    mkdirSync(run);
    writeSmallData(data);
    const epochs: Array<[number, string, Record<string, number>]> = [];
    const train = verb('train');
    const res = await train.run(
      train.options.parse({ data, nEpoch: 2, batchSize: 64, nodeDim: 8, nHead: 2, sampleSize: 4, lr: 0.01 }),
      ctx(run, epochs),
    );
    assert.ok(existsSync(join(run, 'checkpoint', 'model.safetensors')));
    assert.ok(existsSync(join(run, 'metrics.json')));
    // Model, random-KG ablation and popularity, in both protocols.
    const labels = res.metrics![0]!.rows.map((r) => r.label);
    assert.deepEqual(labels, ['CG-KGR', 'CG-KGR, random KG', 'item popularity']);
    assert.ok(res.metrics!.every((m) => m.split && m.dataset && m.note));
    assert.match(res.metrics![0]!.note!, /full protocol/);
    assert.match(res.metrics![1]!.note!, /official protocol/);
    for (const m of res.metrics!) for (const r of m.rows) for (const k of Object.keys(r.values)) assert.match(k, /global|official|full ranking|users ranked/);
    assert.ok(res.notes!.some((n) => /CG-KGR on .*test split: AUC global/.test(n)));
    assert.ok(res.sections!.some((s) => s.title.startsWith('Attention weights')));
    assert.ok(res.sections!.some((s) => s.title.startsWith('Recall@K')));
    assert.ok(epochs.some(([, split]) => split === 'train') && epochs.some(([, split]) => split === 'random-KG train'));
    const stored = JSON.parse(readFileSync(join(run, 'metrics.json'), 'utf8')) as { model: { test: { ctr: { aucGlobal: number } } } };

    const ev = verb('eval');
    const evRun = join(root, 'eval');
    mkdirSync(evRun);
    const er = await ev.run(ev.options.parse({ checkpoint: run }), ctx(evRun));
    // The checkpoint re-creates split and neighbour sample: the same test AUC as at training.
    assert.ok(Math.abs((er.metrics![0]!.rows[0]!.values['AUC (global)'] as number) - stored.model.test.ctr.aucGlobal) < 1e-6);
    assert.ok(er.metrics![0]!.rows.some((r) => r.label.startsWith('CG-KGR, random KG')));
    const pred = readFileSync(join(evRun, 'predictions.csv'), 'utf8').trim().split('\n');
    assert.equal(pred[0], 'user,item,label,score');
    assert.ok(pred.length > 10);

    const rec = verb('recommend');
    const out = join(root, 'rec.csv');
    await rec.run(rec.options.parse({ checkpoint: run, users: '0,5', k: 7, out }), ctx(null));
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'user,rank,item,score');
    assert.equal(lines.length, 1 + 2 * 7);
    // No known positive of user 0 is recommended; scores are non-increasing.
    const posOf0 = new Set(readFileSync(join(data, 'ratings_final.txt'), 'utf8').trim().split('\n').map((l) => l.split('\t')).filter((c) => c[0] === '0' && c[2] === '1').map((c) => c[1]));
    const recs0 = lines.slice(1).map((l) => l.split(',')).filter((c) => c[0] === '0');
    for (const c of recs0) assert.ok(!posOf0.has(c[2]!), `recommended a known positive ${c[2]}`);
    for (let q = 1; q < recs0.length; q++) assert.ok(Number(recs0[q]![3]) <= Number(recs0[q - 1]![3]));
    await assert.rejects(rec.run(rec.options.parse({ checkpoint: run, users: '999', out }), ctx(null)), UsageError);

    // Changed data after training: a clear error instead of a silently different split.
    appendFileSync(join(data, 'ratings_final.txt'), '0\t1\t0\n');
    await assert.rejects(ev.run(ev.options.parse({ checkpoint: run }), ctx(evRun)), (e: unknown) => e instanceof InputError && /changed since training/.test(e.message));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('build-kg writes a KGCN folder from an attribute table and raw ratings', async () => {
  const root = mkdtempSync(join(tmpdir(), 'cgkgr-build-'));
  try {
    writeFileSync(join(root, 'items.csv'), 'movie,genres,year\nm1,Drama|Comedy,1994\nm2,Comedy,1999\nm3,Horror,2003\nm4,Drama,2001\n');
    writeFileSync(join(root, 'ratings.csv'), 'user,movie,stars\nu1,m1,5\nu1,m2,1\nu2,m3,4\nu2,m4,5\nu3,m2,2\n');
    const b = verb('build-kg');
    const out = join(root, 'kg');
    const r = await b.run(b.options.parse({ items: join(root, 'items.csv'), ratings: join(root, 'ratings.csv'), out, bucket: 'year=10' }), ctx(null));
    for (const f of ['kg_final.txt', 'entities.csv', 'relations.csv', 'item_index2entity_id.txt', 'ratings_final.txt', 'user_index.csv']) assert.ok(existsSync(join(out, f)), f);
    assert.equal(readFileSync(join(out, 'relations.csv'), 'utf8'), 'relation,name\n0,movie.genres\n1,movie.year\n2,year.bucket10\n');
    assert.equal(readFileSync(join(out, 'user_index.csv'), 'utf8'), 'user,user\n0,u1\n1,u2\n');
    assert.ok(r.notes!.some((n) => /3 positives, 2 users kept \(1 without a positive dropped\)/.test(n)));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('train straight from a raw ratings CSV and an item attribute table', async () => {
  const root = mkdtempSync(join(tmpdir(), 'cgkgr-raw-'));
  try {
    const ds = syntheticDataset({ nUser: 30, nItem: 60, nType: 6, nYear: 8, positives: 5, seed: 8 });
    const items = ['item,types,year', ...ds.truth.itemTypes.map((t, i) => `i${i},${t.map((x) => `g${x}`).join('|')},${1990 + ds.truth.itemYear[i]!}`)];
    writeFileSync(join(root, 'items.csv'), items.join('\n') + '\n');
    const r = ds.ratings;
    const ratings = ['user,item,stars', ...Array.from(r.users, (u, k) => `user${u},i${r.items[k]},${r.labels[k] ? 5 : 2}`)];
    writeFileSync(join(root, 'ratings.csv'), ratings.join('\n') + '\n');
    const run = join(root, 'run');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(run);
    const train = verb('train');
    const res = await train.run(
      train.options.parse({ ratingsCsv: join(root, 'ratings.csv'), itemsCsv: join(root, 'items.csv'), bucket: 'year=5', nEpoch: 1, batchSize: 32, nodeDim: 8, nHead: 2, sampleSize: 3, officialTopK: false, randomKg: false }),
      ctx(run),
    );
    assert.deepEqual(res.metrics![0]!.rows.map((x) => x.label), ['CG-KGR', 'item popularity']);
    // Raw ids reach the attention report through the maps.
    const att = res.sections!.find((x) => x.title.startsWith('Attention weights'));
    assert.ok(att && /\(user\d+\)/.test(att.title), att?.title);
    const rec = verb('recommend');
    const out = join(root, 'rec.csv');
    await rec.run(rec.options.parse({ checkpoint: run, users: 'user3', rawIds: true, k: 3, out }), ctx(null));
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'user,rank,item,score,user_id,item_id');
    assert.ok(lines.slice(1).every((l) => l.split(',')[4] === 'user3' && /^i\d+$/.test(l.split(',')[5]!)));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('options are checked: one data source, known preset values', () => {
  const train = verb('train');
  assert.throws(() => train.options.parse({ aggType: 'mean' }));
  assert.throws(() => train.options.parse({ preset: 'lastfm' }));
  return assert.rejects(train.run(train.options.parse({ synthetic: true, data: '/tmp' }), ctx('/tmp')), UsageError);
});
