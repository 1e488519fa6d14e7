/** Molecule tables, SMILES lists, featurising with error/skip, the rejected molecules, splits, packing. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MoleculeError,
  featurise,
  featuriseAll,
  murckoScaffold,
  packGraphs,
  randomScaffoldSplit,
  randomSplit,
  readMoleculeCsv,
  readSmilesList,
  scaffoldSplit,
  unpackGraphs,
} from '../../../src/data/chem/index.js';
import { InputError } from '../../../src/util/errors.js';
import { loadRDKit } from '../../../src/node/chem.js';

const TOX = ['smiles,mol_id,NR-AR,SR-ARE,name', 'CCO,M1,0,1,ethanol', 'c1ccccc1O,M2,,0,phenol', '"CC(=O)O",M3,1,,acetic acid', '', 'CCN,M4,1,1,"ethyl, amine"', ''].join('\n');

test('readMoleculeCsv: MoleculeNet layout, blank = missing, +1/−1/0 coding, lines and ids', () => {
  const t = readMoleculeCsv(TOX, { file: 'tox.csv', idColumn: 'mol_id' });
  assert.deepEqual(t.smiles, ['CCO', 'c1ccccc1O', 'CC(=O)O', 'CCN']);
  assert.deepEqual(t.lines, [2, 3, 4, 6]);
  assert.deepEqual(t.tasks, ['NR-AR', 'SR-ARE']);
  assert.deepEqual(Array.from(t.labels), [-1, 1, 0, -1, 1, 0, 1, 1]);
  assert.deepEqual(t.ids, ['M1', 'M2', 'M3', 'M4']);
  assert.deepEqual(t.ignored, ['name']);
  const one = readMoleculeCsv(TOX, { file: 'tox.csv', taskColumns: ['SR-ARE'], keepColumns: ['name'] });
  assert.deepEqual(Array.from(one.labels), [1, -1, 0, 1]);
  assert.deepEqual(one.extra, { name: ['ethanol', 'phenol', 'acetic acid', 'ethyl, amine'] });
});

test('readMoleculeCsv: a threshold binarises a numeric column (hERG pIC50 ≥ 5)', () => {
  const text = 'smiles\tchembl_id\tpIC50\nCCO\tCHEMBL1\t4.99\nCCN\tCHEMBL2\t5\nCCC\tCHEMBL3\t\n';
  const t = readMoleculeCsv(text, { file: 'p.tsv', threshold: 5 });
  assert.deepEqual(t.tasks, ['pIC50']);
  assert.deepEqual(Array.from(t.labels), [-1, 1, 0]);
  assert.deepEqual(t.ignored, ['chembl_id']);
});

test('readMoleculeCsv errors name the file, the line and the column', () => {
  const bad = 'smiles,y\nCCO,1\nCCN,2\n';
  assert.throws(
    () => readMoleculeCsv(bad, { file: 'bad.csv', taskColumns: ['y'] }),
    (e: unknown) => e instanceof InputError && /^bad\.csv, line 3, column 2 \(y\): task value '2' is not 0 or 1/.test(e.message),
  );
  assert.throws(
    () => readMoleculeCsv('smiles,y\nCCO,x\n', { file: 'bad.csv', taskColumns: ['y'], threshold: 5 }),
    (e: unknown) => e instanceof InputError && /^bad\.csv, line 2, column 2 \(y\): task value 'x' is not a number/.test(e.message),
  );
  assert.throws(
    () => readMoleculeCsv('mol,y\nCCO,1\n', { file: 'b.csv' }),
    /^Error: b\.csv, line 1: no SMILES column 'smiles' in the header \(columns: mol, y\)|b\.csv, line 1: no SMILES column 'smiles'/,
  );
  assert.throws(() => readMoleculeCsv('smiles,y\nCCO,1\n', { file: 'b.csv', taskColumns: ['z'] }), /b\.csv, line 1: no task column 'z'/);
  assert.throws(() => readMoleculeCsv('smiles,y\nCCO,1,2\n', { file: 'b.csv' }), /b\.csv, line 2: 3 cells, the header has 2/);
  assert.throws(() => readMoleculeCsv('smiles,name\nCCO,ethanol\n', { file: 'b.csv' }), /b\.csv, line 1: no task column found/);
  assert.throws(() => readMoleculeCsv('\n\n', { file: 'b.csv' }), /b\.csv: file is empty/);
  // SMILES column found in any case when no exact match.
  assert.deepEqual(readMoleculeCsv('SMILES,y\nCCO,1\n', { file: 'b.csv' }).smiles, ['CCO']);
});

test('readSmilesList: one per line (a .smi name column ignored) or a CSV with a smiles column', () => {
  assert.deepEqual(readSmilesList('CCO ethanol\n\nc1ccccc1\tbenzene\nCCN\n', { file: 'a.smi' }), { smiles: ['CCO', 'c1ccccc1', 'CCN'], lines: [1, 3, 4] });
  assert.deepEqual(readSmilesList('id,Smiles\n1,CCO\n2,CCN\n', { file: 'a.csv' }), { smiles: ['CCO', 'CCN'], lines: [2, 3] });
  assert.deepEqual(readSmilesList('smiles\r\nCCO\r\n', { file: 'a.csv' }), { smiles: ['CCO'], lines: [2] });
  assert.throws(() => readSmilesList('id,smiles\n1\n', { file: 'a.csv' }), /a\.csv, line 2: 1 cells/);
});

test('featurise: rejected molecules are MoleculeErrors with the SMILES and a reason', async () => {
  const rdkit = await loadRDKit();
  const reject = (smiles: string, kind: string, reason: RegExp) =>
    assert.throws(
      () => featurise(rdkit, smiles),
      (e: unknown) => e instanceof MoleculeError && e instanceof InputError && e.kind === kind && e.smiles === smiles && reason.test(e.reason),
      smiles,
    );
  reject('C1CC', 'unparsable', /RDKit cannot read the SMILES \(SMILES Parse Error: unclosed ring/);
  reject('C(C', 'unparsable', /RDKit cannot read the SMILES/);
  reject('', 'no-atoms', /empty SMILES/);
  reject('   ', 'no-atoms', /empty SMILES/);
  reject('*CC', 'dummy-atom', /atom 1 is a dummy atom/);
  reject('C->[Fe]', 'bond-type', /bond 1 has type dative/);
  reject('C$C', 'bond-type', /bond 1 has type quadruple/);
  // Salts (several fragments) and single atoms are fine.
  const salt = featurise(rdkit, '[Na+].[Cl-]');
  assert.equal(salt.numNodes, 2);
  assert.equal(salt.src.length, 0);
  assert.deepEqual(Array.from(salt.x), [10, 0, 16, 0]);
});

test('featurise: features of a few molecules worked by hand', async () => {
  const rdkit = await loadRDKit();
  // (E)-1,2-difluoroethene written two ways: RDKit stores the marks relative to each bond's begin atom.
  const a = featurise(rdkit, 'F/C=C/F');
  assert.deepEqual(Array.from(a.src), [0, 1, 1, 2, 2, 3]);
  assert.deepEqual(Array.from(a.dst), [1, 0, 2, 1, 3, 2]);
  assert.deepEqual(Array.from(a.edgeAttr), [0, 1, 0, 1, 1, 0, 1, 0, 0, 1, 0, 1]);
  const b = featurise(rdkit, 'C(\\F)=C/F');
  assert.deepEqual(Array.from(b.edgeAttr), [0, 2, 0, 2, 1, 0, 1, 0, 0, 1, 0, 1]);
  // Marks next to a double bond that is not E/Z are cleared; marks far from any double bond stay.
  assert.deepEqual(
    Array.from(featurise(rdkit, 'F/C=C(/F)F').edgeAttr).filter((_, k) => k % 2 === 1),
    [0, 0, 0, 0, 0, 0, 0, 0],
  );
  assert.deepEqual(Array.from(featurise(rdkit, 'C/C').edgeAttr), [0, 1, 0, 1]);
  // Ring closures: the mark at the closure is read from the closing atom, the one at the opening from the opening atom.
  assert.deepEqual(
    Array.from(featurise(rdkit, 'C1CCCCCC/C=C/1').edgeAttr).filter((_, k) => k % 4 === 1),
    [0, 0, 0, 0, 0, 0, 1, 0, 1],
  );
  assert.deepEqual(
    Array.from(featurise(rdkit, 'C/1CCCCCC/C=C1').edgeAttr).filter((_, k) => k % 4 === 1),
    [0, 0, 0, 0, 0, 0, 1, 0, 2],
  );
  // Chirality tags are RDKit's (relative to its bond order), aromatic bonds are type 3.
  const c = featurise(rdkit, 'C[C@H](F)c1ccccc1');
  assert.deepEqual(Array.from(c.x), [5, 0, 5, 2, 8, 0, 5, 0, 5, 0, 5, 0, 5, 0, 5, 0, 5, 0]);
  assert.deepEqual(
    Array.from(c.edgeAttr).filter((_, k) => k % 4 === 0),
    [0, 0, 0, 3, 3, 3, 3, 3, 3],
  );
});

test('featuriseAll: error names file, line, SMILES and reason; skip lists them', async () => {
  const rdkit = await loadRDKit();
  const smiles = ['CCO', 'C1CC', 'c1ccccc1', '*C'];
  const lines = [2, 3, 5, 9];
  assert.throws(
    () => featuriseAll(rdkit, smiles, lines, { file: 'mols.csv' }),
    (e: unknown) => e instanceof InputError && /^mols\.csv, line 3: SMILES 'C1CC': RDKit cannot read the SMILES/.test(e.message),
  );
  const f = featuriseAll(rdkit, smiles, lines, { file: 'mols.csv', onInvalid: 'skip', scaffolds: true });
  assert.deepEqual(f.kept, [0, 2]);
  assert.equal(f.graphs.length, 2);
  assert.deepEqual(
    f.skipped.map((s) => [s.line, s.smiles]),
    [
      [3, 'C1CC'],
      [9, '*C'],
    ],
  );
  assert.match(f.skipped[1]!.reason, /dummy atom/);
  assert.deepEqual(f.scaffolds, ['', 'c1ccccc1']);
});

test('murckoScaffold: RDKit MurckoScaffold examples', async () => {
  const rdkit = await loadRDKit();
  // pretrain-gnns' own check in chem/splitters.py, and the exocyclic / charged / salt cases.
  assert.equal(murckoScaffold(rdkit, 'Cc1cc(Oc2nccc(CCC)c2)ccc1'), 'c1ccc(Oc2ccccn2)cc1');
  assert.equal(murckoScaffold(rdkit, 'O=C1CCCC1CC'), 'O=C1CCCC1');
  assert.equal(murckoScaffold(rdkit, 'Cn1ccnc1'), 'c1c[nH]cn1');
  assert.equal(murckoScaffold(rdkit, 'C[N+]1(C)CCCC1'), 'C1CC[NH2+]C1');
  assert.equal(murckoScaffold(rdkit, 'c1ccccc1CCc1ccccc1.[Na+]'), 'c1ccc(CCc2ccccc2)cc1');
  assert.equal(murckoScaffold(rdkit, 'C[C@H](N)C(=O)O'), '');
});

test('scaffoldSplit: sort by (size, first index) descending, greedy fill', () => {
  // Groups: A = {0,1,2,3} (4), B = {4,5} (2), C = {6,7} (2), D = {8} (1), E = {9} (1).
  const s = ['A', 'A', 'A', 'A', 'B', 'B', 'C', 'C', 'D', 'E'];
  // Order A, C (first index 6 > 4), B, E (9 > 8), D. Cut-offs 8 and 9: A, C → train (6), B → train (8),
  // E → 8 + 1 > 8, train + valid + 1 = 9 ≤ 9 → valid; D → test.
  assert.deepEqual(scaffoldSplit(s), { train: [0, 1, 2, 3, 6, 7, 4, 5], valid: [9], test: [8] });
  // Cut-offs 5 and 8: A → train; C, B → valid (6 > 5, 8 ≤ 8); E → train (4 + 1 ≤ 5: a later, smaller group); D → test.
  assert.deepEqual(scaffoldSplit(s, [0.5, 0.3, 0.2]), { train: [0, 1, 2, 3, 9], valid: [6, 7, 4, 5], test: [8] });
  assert.throws(() => scaffoldSplit(s, [0.5, 0.3, 0.3]), /summing to 1/);
});

test('randomScaffoldSplit and randomSplit: seeded, whole groups, every molecule once', () => {
  const scaffolds = Array.from({ length: 200 }, (_, i) => `s${Math.floor(Math.sqrt(i * 7) % 37)}`);
  const a = randomScaffoldSplit(scaffolds, [0.8, 0.1, 0.1], 3);
  assert.deepEqual(randomScaffoldSplit(scaffolds, [0.8, 0.1, 0.1], 3), a);
  assert.notDeepEqual(randomScaffoldSplit(scaffolds, [0.8, 0.1, 0.1], 4), a);
  assert.deepEqual(
    [...a.train, ...a.valid, ...a.test].sort((x, y) => x - y),
    Array.from({ length: 200 }, (_, i) => i),
  );
  assert.ok(a.valid.length <= 20 && a.test.length <= 20);
  const side = new Map<string, string>();
  for (const [name, idx] of Object.entries(a)) for (const i of idx as number[]) assert.equal(side.get(scaffolds[i]!) ?? name, name), side.set(scaffolds[i]!, name);
  const r = randomSplit(101, [0.8, 0.1, 0.1], 0);
  assert.deepEqual([r.train.length, r.valid.length, r.test.length], [80, 10, 11]);
  assert.deepEqual(randomSplit(101, [0.8, 0.1, 0.1], 0), r);
  assert.deepEqual(
    [...r.train, ...r.valid, ...r.test].sort((x, y) => x - y),
    Array.from({ length: 101 }, (_, i) => i),
  );
});

test('packGraphs / unpackGraphs round trip, and corrupt packs are refused', async () => {
  const rdkit = await loadRDKit();
  const graphs = ['CCO', '[Na+]', 'F/C=C/F', 'C[C@H](F)c1ccccc1'].map((s) => featurise(rdkit, s));
  const p = packGraphs(graphs);
  assert.deepEqual(Array.from(p.nodePtr), [0, 3, 4, 8, 17]);
  assert.deepEqual(Array.from(p.edgePtr), [0, 4, 4, 10, 28]);
  assert.deepEqual(unpackGraphs(p), graphs);
  assert.deepEqual(unpackGraphs(packGraphs([])), []);
  assert.throws(() => unpackGraphs({ ...p, x: p.x.slice(1) }, 'cache.safetensors'), /cache\.safetensors: corrupt packed molecule graphs: array lengths/);
  const src = p.src.slice();
  src[0] = 7;
  assert.throws(() => unpackGraphs({ ...p, src }), /graph 0 has an edge outside its 3 nodes/);
});
