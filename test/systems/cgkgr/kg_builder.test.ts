import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError, UsageError } from '../../../src/util/errors.js';
import { Rng } from '../../../src/util/random.js';
import { buildKg, implicitFeedback, kgcnFiles, parseBuckets, parseTextTable, readTextTable } from '../../../src/systems/cgkgr/kg_builder.js';
import { INSTEVAL_DIR } from '../../../src/systems/cgkgr/datasets.js';
import { parseRatingsFinal, readKgcnDataset } from '../../../src/systems/cgkgr/data.js';
import { joinPath } from '../../../src/io/path.js';
import { localPath, nodeStorage } from '../../../src/node/storage.js';

/** A file of the shipped InstEval folder (a `shipped:` storage path). */
const shipped = (name: string): string => joinPath(INSTEVAL_DIR, name);

test('InstEval: build-kg reproduces the shipped KG, entity table, item and user indices byte for byte, and its positives', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cgkgr-kg-'));
  try {
    const built = buildKg(await readTextTable(nodeStorage, shipped('items.csv')));
    const imp = implicitFeedback(await readTextTable(nodeStorage, shipped('ratings.csv')), built.itemIndex, { ratingColumn: 'rating', threshold: 4, rng: new Rng(1) });
    const files = kgcnFiles(built, imp);
    assert.deepEqual(Object.keys(files).sort(), ['entities.csv', 'item_index2entity_id.txt', 'kg_final.txt', 'ratings_final.txt', 'relations.csv', 'user_index.csv']);
    for (const [name, text] of Object.entries(files)) await nodeStorage.write(join(dir, name), text);
    for (const f of ['kg_final.txt', 'entities.csv', 'item_index2entity_id.txt', 'user_index.csv']) {
      assert.equal(readFileSync(join(dir, f), 'utf8'), readFileSync(localPath(shipped(f)), 'utf8'), `${f} differs`);
    }
    assert.deepEqual(built.relations, ['lecturer.department', 'lecturer.lecture_age', 'lecturer.service']);
    // Positives are exactly the shipped ones (negatives are random: R's generator there, ours here).
    const given = parseRatingsFinal(readFileSync(localPath(shipped('ratings_final.txt')), 'utf8'));
    const ours = parseRatingsFinal(readFileSync(join(dir, 'ratings_final.txt'), 'utf8'));
    const pos = (r: typeof ours) =>
      Array.from(r.users.keys())
        .filter((k) => r.labels[k] === 1)
        .map((k) => `${r.users[k]}:${r.items[k]}`);
    assert.deepEqual(pos(ours), pos(given));
    assert.equal(ours.users.length, given.users.length);
    assert.equal(imp.stats.droppedUsers, 12);
    // Our negatives: 1:1 per user, never rated by that user.
    const rated = new Set<string>();
    const raw = await readTextTable(nodeStorage, shipped('ratings.csv'));
    for (const row of raw.rows) rated.add(`${row[0]}:${built.itemIndex.get(row[1]!)}`);
    for (let k = 0; k < ours.users.length; k++) {
      if (ours.labels[k] === 0) assert.ok(!rated.has(`${imp.userIds[ours.users[k]!]}:${ours.items[k]}`), 'a negative was rated');
    }
    // The written folder trains as a KGCN dataset.
    const ds = await readKgcnDataset(nodeStorage, { dir });
    assert.equal(ds.kg.nEntity, 1150);
    assert.equal(ds.nUser, 2960);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('multi-valued cells, text ids, numeric bucketing (2-hop structure)', () => {
  const t = parseTextTable('movie,genres,year\nb,Drama|Comedy,1994\na,Comedy,1999\nc,Horror| Drama ,2003\n', 'movies.csv');
  const b = buildKg(t, { buckets: parseBuckets('year=10') });
  assert.deepEqual(b.itemIds, ['a', 'b', 'c']);
  assert.deepEqual(b.relations, ['movie.genres', 'movie.year', 'year.bucket10']);
  const label = (e: number) => `${b.entities[e]!.type}=${b.entities[e]!.value}`;
  const triples = Array.from(b.kg.heads, (h, k) => `${label(h)} ${b.relations[b.kg.relations[k]!]} ${label(b.kg.tails[k]!)}`);
  assert.deepEqual(triples, [
    'movie=a movie.genres genres=Comedy',
    'movie=b movie.genres genres=Drama',
    'movie=b movie.genres genres=Comedy',
    'movie=c movie.genres genres=Horror',
    'movie=c movie.genres genres=Drama',
    'movie=a movie.year year=1999',
    'movie=b movie.year year=1994',
    'movie=c movie.year year=2003',
    'year=1994 year.bucket10 year_bucket10=1990',
    'year=1999 year.bucket10 year_bucket10=1990',
    'year=2003 year.bucket10 year_bucket10=2000',
  ]);
  assert.equal(b.kg.nEntity, 3 + 3 + 3 + 2);
});

test('implicit feedback: threshold, low ratings excluded from negatives, unknown items, implicit rows', () => {
  const items = buildKg(parseTextTable('item,g\n1,x\n2,x\n3,y\n4,y\n5,z\n', 'items.csv'));
  const r = parseTextTable('user,item,rating\nu1,1,5\nu1,2,2\nu2,3,1\nu3,4,4\nu3,5,4\n', 'r.csv');
  const imp = implicitFeedback(r, items.itemIndex, { rng: new Rng(3) });
  assert.deepEqual(imp.userIds, ['u1', 'u3']);
  assert.equal(imp.stats.droppedUsers, 1);
  const rows = Array.from(imp.interactions.users.keys()).map((k) => [imp.interactions.users[k], imp.interactions.items[k], imp.interactions.labels[k]]);
  const u1 = rows.filter((x) => x[0] === 0);
  assert.deepEqual(u1[0], [0, 0, 1]);
  assert.equal(u1.length, 2);
  assert.ok(![0, 1].includes(u1[1]![1]!), 'item 2 (rated 2) is neither a positive nor a negative candidate');
  assert.equal(rows.filter((x) => x[0] === 1 && x[2] === 1).length, 2);
  assert.throws(
    () => implicitFeedback(parseTextTable('user,item,rating\nu1,9,5\n', 'r.csv'), items.itemIndex, { rng: new Rng(1) }),
    (e: unknown) => e instanceof InputError && /r\.csv, line 2, field "item": item '9' is not in the item attribute table/.test(e.message),
  );
  const skipped = implicitFeedback(parseTextTable('user,item,rating\nu1,9,5\nu1,1,5\n', 'r.csv'), items.itemIndex, { rng: new Rng(1), unknownItems: 'skip' });
  assert.equal(skipped.stats.skippedRows, 1);
  const implicitOnly = implicitFeedback(parseTextTable('user,item\na,1\na,3\n', 'r.csv'), items.itemIndex, { rng: new Rng(1) });
  assert.equal(implicitOnly.stats.positives, 2);
  assert.throws(
    () => implicitFeedback(parseTextTable('user,item,rating\nu1,1,x\n', 'r.csv'), items.itemIndex, { rng: new Rng(1) }),
    (e: unknown) => e instanceof InputError && /line 2, field "rating": rating 'x' is not a number/.test(e.message),
  );
});

test('build-kg errors name file, line and field', () => {
  assert.throws(
    () => buildKg(parseTextTable('item,g,h\n1,x,\n2,,\n', 'items.csv')),
    (e: unknown) => e instanceof InputError && /^items\.csv, line 3, field "item": item '2' has no attribute value/.test(e.message),
  );
  assert.throws(
    () => buildKg(parseTextTable('item,g\n1,x\n1,y\n', 'items.csv')),
    (e: unknown) => e instanceof InputError && /line 3, field "item": item '1' appears twice \(also line 2\)/.test(e.message),
  );
  assert.throws(
    () => parseTextTable('item,g\n1,x,3\n', 'items.csv'),
    (e: unknown) => e instanceof InputError && /line 2: expected 2 cells/.test(e.message),
  );
  assert.throws(() => buildKg(parseTextTable('item,g\n1,x\n', 'items.csv'), { columns: ['nope'] }), UsageError);
  assert.throws(
    () => buildKg(parseTextTable('item,year\n1,old\n', 'items.csv'), { buckets: { year: 10 } }),
    (e: unknown) => e instanceof InputError && /value 'old' is not a number/.test(e.message),
  );
  assert.throws(() => parseBuckets('year'), UsageError);
});
