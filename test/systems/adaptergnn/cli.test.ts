/**
 * AdapterGNN end to end through the CLI at a quick setting (synthetic molecules): pretrain →
 * train from that backbone → eval on the stored split → predict; compare two modes; the library
 * facade; and bad input (an invalid SMILES, an unknown mode, a backbone of another size).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { sheafIn, sheafOk } from '../../helpers/cli.js';
import { AdapterGNN, syntheticMolecules } from '../../../src/systems/adaptergnn/index.js';

const root = mkdtempSync(join(tmpdir(), 'adaptergnn-cli-'));
const home = join(root, 'runs');
const data = join(root, 'molecules.csv');
writeFileSync(data, syntheticMolecules(5, 96));
const smiles = join(root, 'unlabelled.txt');
writeFileSync(
  smiles,
  syntheticMolecules(6, 60)
    .split('\n')
    .slice(1)
    .map((l) => l.split(',')[0])
    .join('\n'),
);
const small = ['--num-layer', '2', '--emb-dim', '8', '--bottleneck', '3', '--batch-size', '16'];
const rocOf = (r: { results: Array<{ split: string; model?: { metrics: Record<string, number | null> } | null }> }, split: string) =>
  r.results.find((x) => x.split === split)!.model!.metrics['ROC-AUC'];

test('pretrain → train from the backbone → eval on the stored split → predict', async () => {
  const p = await sheafOk(home, 1, ['adaptergnn', 'pretrain', '--data', smiles, ...small.slice(0, 4), '--epochs', '2', '--batch-size', '16']);
  assert.match(p.out, /masked-atom accuracy/);
  const backbone = join(p.dir, 'backbone');
  const t = await sheafOk(home, 1, ['adaptergnn', 'train', '--data', data, '--tasks', 'ring,heavy', ...small, '--epochs', '3', '--pretrained', backbone, '--splitter', 'random', '--fp-bits', '64']);
  assert.match(t.out, /backbone .*masking, 2 epochs on 60 molecules/);
  assert.deepEqual(
    t.result.results.map((r) => r.split),
    ['test', 'valid'],
  );
  const test0 = t.result.results[0]!;
  assert.equal(test0.baselines.length, 1, 'the fingerprint baseline beside the model');
  assert.ok(Number.isFinite(test0.model!.metrics['gap (test − train BCE)']), 'the generalisation gap is reported');
  const e = await sheafOk(home, 1, ['adaptergnn', 'eval', '--checkpoint', t.dir]);
  assert.equal(rocOf(e.result, 'test'), rocOf(t.result, 'test'), 'eval scores the stored split the same');
  const out = join(root, 'scores.csv');
  const pr = await sheafIn(home, 1, ['adaptergnn', 'predict', '--checkpoint', t.dir, '--data', smiles, '--out', out]);
  assert.equal(pr.code, 0, pr.out + pr.err);
  const rows = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(rows[0], 'line,smiles,ring_probability,heavy_probability');
  assert.equal(rows.length, 61);
  assert.ok(
    rows.slice(1).every((r) =>
      r
        .split(',')
        .slice(2)
        .every((v) => Number(v) >= 0 && Number(v) <= 1),
    ),
  );
});

test('compare: modes side by side on one split, with their parameter shares', async () => {
  const c = await sheafOk(home, 2, [
    'adaptergnn',
    'compare',
    '--data',
    data,
    '--tasks',
    'ring,heavy',
    ...small,
    '--epochs',
    '2',
    '--pretrained',
    'none',
    '--modes',
    'adapter,full,linear',
    '--fp-bits',
    '64',
  ]);
  const test0 = c.result.results.find((r) => r.split === 'test')!;
  assert.equal(test0.model?.label, 'AdapterGNN (adapters)');
  assert.deepEqual(
    test0.baselines.map((b) => b.label),
    ['full fine-tuning', 'linear probe', 'Morgan FP (r 2, 64 bits) + logistic regression'],
  );
  const modes = (c.result.extras as { modes: Array<{ mode: string; trainable: number; total: number }> }).modes;
  assert.deepEqual(
    modes.map((m) => m.mode),
    ['adapter', 'full', 'linear'],
  );
  assert.ok(modes[2]!.trainable < modes[0]!.trainable && modes[0]!.trainable < modes[1]!.trainable);
});

test('bad input: an invalid SMILES names its line (or is skipped when asked); unknown mode and wrong backbone size are usage errors', async () => {
  const bad = join(root, 'bad.csv');
  writeFileSync(bad, 'smiles,y\nCCO,1\nC1CC,0\nc1ccccc1,1\nCCN,0\n');
  const r = await sheafIn(home, 1, ['adaptergnn', 'train', '--data', bad, ...small, '--epochs', '1', '--pretrained', 'none']);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.err, /bad\.csv.*line 3/s);
  assert.match(r.err, /C1CC/);
  assert.equal(r.runId, null, 'no run is left behind');
  const m = await sheafIn(home, 1, ['adaptergnn', 'compare', '--data', data, '--tasks', 'ring', '--modes', 'adapter,prompt']);
  assert.equal(m.code, 2);
  assert.match(m.err, /unknown mode 'prompt'/);
  const w = await sheafIn(home, 1, ['adaptergnn', 'train', '--data', data, '--tasks', 'ring', '--emb-dim', '32', '--epochs', '1']);
  assert.equal(w.code, 2);
  assert.match(w.err, /no backbone ships for 5 layers × 32/);
});

test('library: fit, evaluate, predict, save, load', async () => {
  const before = tf.memory().numTensors;
  const d = await AdapterGNN.readMolecules({ data, tasks: 'ring' });
  const m = await AdapterGNN.fit(d, { numLayer: 2, embDim: 8, bottleneck: 3, epochs: 2, pretrained: 'none', splitter: 'random' }, { seed: 3 });
  const r = await m.evaluate(undefined, { fpBits: 64 });
  assert.ok(Number.isFinite(rocOf(r, 'test')));
  const p = await m.predict(['CCO', 'c1ccccc1CC', 'not a molecule']);
  assert.equal(p.probabilities.length, 2);
  assert.equal(p.skipped[0]?.index, 2);
  const dir = join(root, 'lib-model');
  await m.save(dir);
  const again = await AdapterGNN.load(dir);
  const q = await again.predict(['CCO', 'c1ccccc1CC']);
  assert.deepEqual(q.probabilities, p.probabilities);
  m.dispose();
  again.dispose();
  assert.equal(tf.memory().numTensors, before);
});

test('SD files: data fields are the task columns; predict reads structures from an SDF', async () => {
  const { loadRDKit } = await import('../../../src/node/chem.js');
  const rdkit = (await loadRDKit()) as unknown as { get_mol(s: string): { get_molblock(): string; delete(): void } };
  const rows = syntheticMolecules(8, 60).trim().split('\n').slice(1);
  const sdf = rows
    .map((r) => {
      const [smi, ring, heavy] = r.split(',');
      const mol = rdkit.get_mol(smi!);
      const block = mol.get_molblock();
      mol.delete();
      return `${block}\n> <ring>\n${ring}\n\n> <heavy>\n${heavy}\n\n$$$$`;
    })
    .join('\n');
  const file = join(root, 'molecules.sdf');
  writeFileSync(file, sdf + '\n');
  const t = await sheafOk(home, 4, ['adaptergnn', 'train', '--data', file, '--tasks', 'ring', ...small, '--epochs', '1', '--pretrained', 'none', '--splitter', 'random', '--fp-bits', '64']);
  assert.equal(t.result.results.length, 2);
  const out = join(root, 'sdf-scores.csv');
  const pr = await sheafIn(home, 4, ['adaptergnn', 'predict', '--checkpoint', t.dir, '--data', file, '--out', out]);
  assert.equal(pr.code, 0, pr.out + pr.err);
  assert.equal(readFileSync(out, 'utf8').trim().split('\n').length, 61);
});
