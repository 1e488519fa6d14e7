/**
 * The molecule code against Debian's RDKit 2022.09 (test/fixtures/chem/reference.json, written by
 * scripts/data/chem_reference.py): Hu et al. features of all 6 192 shipped hERG molecules, their
 * Bemis–Murcko scaffold partition and the official scaffold split, RDKit's GetBondDir() on every
 * hERG and pre-training molecule with `/` `\`, and Morgan bits. One featurisation pass is shared.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { featurise, featuriseAll, morganFingerprint, onBits, readMoleculeCsv, readSmilesList, scaffoldGroups, scaffoldSplit, type FeaturisedSet, type MolGraph } from '../../../src/data/chem/index.js';
import { loadRDKit } from '../../../src/node/chem.js';

const REPO = resolve(import.meta.dirname, '..', '..', '..');
interface Reference {
  rdkit: string;
  herg: {
    n: number;
    scaffoldGroups: number;
    scaffoldGroup: number[];
    scaffoldsFnv: number;
    split: string;
    splitSizes: [number, number, number];
    featureFnv: string;
  };
  bondDirs: string[];
  molecules: Array<{ index: number; x: number[][]; src: number[]; dst: number[]; edgeAttr: number[][]; morgan2_2048: number[] }>;
}
const ref = JSON.parse(readFileSync(join(REPO, 'test/fixtures/chem/reference.json'), 'utf8')) as Reference;
const herg = readMoleculeCsv(readFileSync(join(REPO, 'data/herg/herg.csv'), 'utf8'), { file: 'herg.csv', taskColumns: ['hERG'] });
const pretrain = readSmilesList(readFileSync(join(REPO, 'data/chem-pretrain/smiles.csv'), 'utf8'), { file: 'smiles.csv' });

function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function featureHash(g: MolGraph): string {
  const h = fnv1a32([g.x, g.src, g.dst, g.edgeAttr].map((a) => Array.from(a).join(',')).join('|'));
  return h.toString(16).padStart(8, '0');
}

let shared: Promise<{ set: FeaturisedSet; seconds: number }> | null = null;
function hergSet(): Promise<{ set: FeaturisedSet; seconds: number }> {
  shared ??= (async () => {
    const rdkit = await loadRDKit();
    const t0 = performance.now();
    const set = featuriseAll(rdkit, herg.smiles, herg.lines, { file: 'herg.csv', scaffolds: true });
    return { set, seconds: (performance.now() - t0) / 1000 };
  })();
  return shared;
}

test('hERG table: 6 192 molecules, 4 404 positive', () => {
  assert.equal(herg.smiles.length, ref.herg.n);
  assert.deepEqual(herg.tasks, ['hERG']);
  assert.equal(herg.labels.filter((v) => v === 1).length, 4404);
  assert.equal(herg.labels.filter((v) => v === -1).length, 1788);
  assert.equal(pretrain.smiles.length, 20000);
});

test('features of all 6 192 hERG molecules equal the official featuriser on Debian RDKit', async (t) => {
  const { set, seconds } = await hergSet();
  assert.equal(set.skipped.length, 0);
  assert.equal(set.graphs.length, ref.herg.n);
  const bad = set.graphs.flatMap((g, i) => (featureHash(g) === ref.herg.featureFnv.slice(8 * i, 8 * i + 8) ? [] : [`${i}: ${herg.smiles[i]}`]));
  assert.deepEqual(bad.slice(0, 10), [], `${bad.length} molecules differ`);
  t.diagnostic(`featurise + scaffold: ${ref.herg.n} molecules in ${seconds.toFixed(1)} s (${Math.round(ref.herg.n / seconds)} mol/s)`);
});

test('30 molecules: full feature arrays', async () => {
  const rdkit = await loadRDKit();
  for (const m of ref.molecules) {
    const g = featurise(rdkit, herg.smiles[m.index]!);
    assert.equal(g.numNodes, m.x.length);
    assert.deepEqual(Array.from(g.x), m.x.flat(), `x of ${m.index}`);
    assert.deepEqual(Array.from(g.src), m.src, `src of ${m.index}`);
    assert.deepEqual(Array.from(g.dst), m.dst, `dst of ${m.index}`);
    assert.deepEqual(Array.from(g.edgeAttr), m.edgeAttr.flat(), `edgeAttr of ${m.index}`);
  }
  assert.ok(ref.molecules.some((m) => m.x.some((r) => r[1] !== 0)) && ref.molecules.some((m) => m.edgeAttr.some((r) => r[1] !== 0)), 'the chosen molecules include chiral and E/Z ones');
});

test('bond directions agree with RDKit GetBondDir() on every hERG and pre-training molecule with / or \\', async (t) => {
  const rdkit = await loadRDKit();
  let bonds = 0;
  let agree = 0;
  let directed = 0;
  let directedAgree = 0;
  const differ: string[] = [];
  for (const entry of ref.bondDirs) {
    const [, set, index, count, list] = /^([hp])(\d+):(\d+):(.*)$/.exec(entry)!;
    const smiles = (set === 'h' ? herg.smiles : pretrain.smiles)[Number(index)]!;
    const want = new Array<number>(Number(count)).fill(0);
    for (const kv of list ? list!.split(',') : []) {
      const [k, d] = kv.split('=').map(Number);
      want[k!] = d!;
    }
    const g = featurise(rdkit, smiles);
    const got = Array.from({ length: g.src.length / 2 }, (_, k) => g.edgeAttr[4 * k + 1]!);
    assert.equal(got.length, want.length, smiles);
    let same = true;
    want.forEach((d, k) => {
      bonds++;
      if (d !== 0) directed++;
      if (got[k] === d) {
        agree++;
        if (d !== 0) directedAgree++;
      } else same = false;
    });
    if (!same) differ.push(smiles);
  }
  t.diagnostic(`bond direction: ${ref.bondDirs.length - differ.length}/${ref.bondDirs.length} molecules identical; ${agree}/${bonds} bonds; ${directedAgree}/${directed} directed bonds`);
  assert.ok(ref.bondDirs.length > 1000 && directed > 3000);
  assert.deepEqual(differ.slice(0, 10), [], `${differ.length} molecules differ`);
});

test('scaffold partition of all 6 192 hERG molecules equals MurckoScaffoldSmiles(includeChirality=False)', async () => {
  const { set } = await hergSet();
  const scaffolds = set.scaffolds!;
  const first = new Map<string, number>();
  const group = scaffolds.map((s) => {
    if (!first.has(s)) first.set(s, first.size);
    return first.get(s)!;
  });
  assert.equal(first.size, ref.herg.scaffoldGroups);
  const bad = group.flatMap((g, i) => (g === ref.herg.scaffoldGroup[i] ? [] : [i]));
  assert.deepEqual(bad.slice(0, 10), [], `${bad.length} molecules in another group`);
  assert.equal(scaffoldGroups(scaffolds).length, ref.herg.scaffoldGroups);
  // The strings themselves, too (RDKit 2026 canonical SMILES = RDKit 2022 here).
  assert.equal(fnv1a32(scaffolds.join('\n')), ref.herg.scaffoldsFnv);
});

test('official scaffold split of hERG: 4 953 / 619 / 620, molecule by molecule', async () => {
  const { set } = await hergSet();
  const s = scaffoldSplit(set.scaffolds!);
  assert.deepEqual([s.train.length, s.valid.length, s.test.length], ref.herg.splitSizes);
  assert.deepEqual(ref.herg.splitSizes, [4953, 619, 620]);
  const side = new Array<string>(ref.herg.n).fill('?');
  s.train.forEach((i) => (side[i] = '0'));
  s.valid.forEach((i) => (side[i] = '1'));
  s.test.forEach((i) => (side[i] = '2'));
  assert.equal(side.join(''), ref.herg.split);
});

test('Morgan fingerprints (radius 2, 2 048 bits) equal GetMorganFingerprintAsBitVect on 30 molecules', async () => {
  const rdkit = await loadRDKit();
  for (const m of ref.molecules) {
    const bits = morganFingerprint(rdkit, herg.smiles[m.index]!, { radius: 2, nBits: 2048 });
    assert.equal(bits.length, 2048);
    assert.deepEqual(onBits(bits), m.morgan2_2048, `molecule ${m.index}`);
  }
});
