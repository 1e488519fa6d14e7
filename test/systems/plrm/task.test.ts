import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseTaskJson, readTaskCsv, readTaskJson, taskToJson } from '../../../src/systems/plrm/task.js';
import { trainLabelModels } from '../../../src/systems/plrm/label_models.js';
import { InputError } from '../../../src/util/errors.js';
import { nodeStorage } from '../../../src/node/storage.js';

const base = () => ({
  labels: ['cat', 'dog', 'fox', 'pet', 'wild', 'small'],
  desired: [0, 1, 2],
  ilfs: [[3, 4], [5], [4, 3]],
  relations: [
    [3, 0, 'subsuming'],
    [3, 1, 'subsuming'],
    [4, 2, 'subsuming'],
    [3, 4, 'exclusive'],
    [5, 0, 'overlap'],
  ],
  L_train: [
    [3, 5, 4],
    [4, -1, 4],
    [3, 5, 3],
  ],
  L_valid: [
    [3, 5, 3],
    [4, -1, 4],
  ],
  y_valid: [0, 2],
});

function expectInputError(obj: unknown, pattern: RegExp): void {
  assert.throws(
    () => parseTaskJson(obj, 'task.json'),
    (e: unknown) => e instanceof InputError && pattern.test(e.message) && /task\.json/.test(e.message),
  );
}

test('a well-formed task parses and round-trips through taskToJson', () => {
  const t = parseTaskJson(base(), 'task.json');
  assert.equal(t.splits.train!.n, 3);
  assert.deepEqual(Array.from(t.splits.train!.L), [3, 5, 4, 4, -1, 4, 3, 5, 3]);
  const again = parseTaskJson(taskToJson(t), 'x');
  assert.deepEqual(Array.from(again.splits.valid!.y!), [0, 2]);
});

test('bad input gets clear errors naming the field', () => {
  expectInputError(
    {
      ...base(),
      L_train: [
        [3, 5, 4],
        [4, 0, 4],
      ],
    },
    /L_train\[1\]\[1\].*ILF 1 output label 'cat'.*outside its label set \{'small'\}/,
  );
  expectInputError(
    {
      ...base(),
      L_train: [
        [3, 5, 4],
        [4, -1],
      ],
    },
    /L_train\[1\].*ragged matrix: row has 2 entries but there are 3 ILFs/,
  );
  expectInputError(
    {
      ...base(),
      ilfs: [
        [3, 4],
        [5, 1],
        [4, 3],
      ],
    },
    /ilfs\[1\]\[1\].*desired label 'dog' is in the label set of ILF 1/,
  );
  expectInputError({ ...base(), y_valid: [0, 3] }, /y_valid\[1\].*not a position in desired/);
  expectInputError({ ...base(), y_valid: [0] }, /y_valid.*has 1 labels but L_valid has 2 rows/);
  expectInputError({ ...base(), X_valid: [[1, 2], [3]] }, /X_valid\[1\].*ragged matrix: expected 2 features, got 1/);
  expectInputError({ ...base(), relations: [[3, 0, 'inside']] }, /relations\[0\].*unknown relation "inside"/);
  expectInputError({ ...base(), labels: ['cat', 'cat', 'fox', 'pet', 'wild', 'small'] }, /labels\[1\].*duplicate label name 'cat'/);
  expectInputError({ ...base(), L_train: undefined }, /L_train/);
  expectInputError({ ...base(), L_tset: [] }, /unknown field/);
});

test('contradictory relations and non-exclusive desired labels are rejected before fitting', () => {
  const contradictory = parseTaskJson({ ...base(), relations: [...base().relations, [0, 4, 'subsumed']] }, 'task.json');
  // cat ⊆ pet and pet excl wild, so cat ⊆ wild is impossible.
  assert.throws(
    () => trainLabelModels(contradictory),
    (e: unknown) => e instanceof InputError && /'cat'/.test(e.message) && /'wild'/.test(e.message) && /'pet'/.test(e.message),
  );
  const overlapDesired = parseTaskJson({ ...base(), relations: [...base().relations, [0, 1, 'overlap']] }, 'task.json');
  assert.throws(() => trainLabelModels(overlapDesired), /desired labels must be mutually exclusive.*'cat' overlap 'dog'/);
  const ilfOverlap = parseTaskJson({ ...base(), relations: [[3, 4, 'overlap']] }, 'task.json');
  assert.throws(() => trainLabelModels(ilfOverlap), /labels of ILF 0 must be mutually exclusive/);
});

test('JSON syntax errors name the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plrm-task-'));
  const p = join(dir, 'bad.json');
  writeFileSync(p, '{\n  "labels": ["a",\n  ]\n}\n');
  await assert.rejects(readTaskJson(nodeStorage, p), (e: unknown) => e instanceof InputError && /bad\.json/.test(e.message) && /not valid JSON/.test(e.message));
});

test('CSV input: ILF outputs by name, a relations file and desired names', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'plrm-csv-'));
  writeFileSync(join(dir, 'train.csv'), 'size,habitat\nsmall,pet\n,wild\nsmall,-1\n');
  writeFileSync(join(dir, 'valid.csv'), 'habitat,size,y\npet,small,cat\nwild,,fox\n');
  writeFileSync(join(dir, 'rel.csv'), 'a,b,relation\npet,cat,subsuming\npet,dog,subsuming\nwild,fox,subsuming\npet,wild,exclusive\nsmall,cat,overlap\n');
  const t = await readTaskCsv(nodeStorage, { train: join(dir, 'train.csv'), valid: join(dir, 'valid.csv'), relations: join(dir, 'rel.csv'), desired: ['cat', 'dog', 'fox'] });
  assert.deepEqual(t.labels.slice(0, 3), ['cat', 'dog', 'fox']);
  assert.deepEqual(
    t.ilfs.map((s) => s.map((l) => t.labels[l])),
    [['small'], ['pet', 'wild']],
  );
  const v = t.splits.valid!;
  // columns are matched by name, not position
  assert.deepEqual(
    Array.from(v.L).map((l) => (l < 0 ? '-' : t.labels[l])),
    ['small', 'pet', '-', 'wild'],
  );
  assert.deepEqual(Array.from(v.y!), [0, 2]);
  writeFileSync(join(dir, 'bad.csv'), 'size,habitat\nsmall,pet\nsmall,cat\n');
  writeFileSync(join(dir, 'sets.csv'), 'ilf,labels\nsize,small\nhabitat,pet|wild\n');
  await assert.rejects(
    readTaskCsv(nodeStorage, { train: join(dir, 'bad.csv'), relations: join(dir, 'rel.csv'), desired: ['cat', 'dog', 'fox'], ilfLabels: join(dir, 'sets.csv') }),
    (e: unknown) => e instanceof InputError && /bad\.csv, line 3, column habitat/.test(e.message) && /outside its label set/.test(e.message),
  );
  writeFileSync(join(dir, 'ragged.csv'), 'size,habitat\nsmall\n');
  await assert.rejects(readTaskCsv(nodeStorage, { train: join(dir, 'ragged.csv'), relations: join(dir, 'rel.csv'), desired: ['cat', 'dog', 'fox'] }), /ragged\.csv, line 2: ragged row/);
});
