/**
 * BSM end to end through the CLI at a tiny setting on the shipped records: train → eval on the
 * same held-out items → generate (residues only) → score (with --wild-type); compare mix and uni;
 * the library facade; and bad input (a malformed GenBank file names its line, an unknown corpus, a
 * score file without a target column, a letter outside the alphabet).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { sheafIn, sheafOk } from '../../helpers/cli.js';
import { BSM, kShotPrompt } from '../../../src/systems/bsm/index.js';

const root = mkdtempSync(join(tmpdir(), 'bsm-cli-'));
const home = join(root, 'runs');
const tiny = [
  '--hidden-size',
  '16',
  '--num-layers',
  '1',
  '--num-heads',
  '2',
  '--intermediate-size',
  '24',
  '--steps',
  '8',
  '--eval-every',
  '4',
  '--warmup',
  '2',
  '--batch-size',
  '4',
  '--context',
  '40',
];
const ev = ['--translation-windows', '6', '--cd-positives', '4', '--shots', '0,1', '--nll-windows', '6'];
type R = { results: Array<{ protocol?: string | null; model?: { metrics: Record<string, number | null> } | null; baselines: Array<{ label: string }> }> };
const metric = (r: R, protocol: string, k: string) => r.results.find((x) => (x.protocol ?? '').startsWith(protocol))!.model!.metrics[k];

test('train → eval → generate → score', async () => {
  const t = await sheafOk(home, 1, ['bsm', 'train', ...tiny, ...ev]);
  assert.match(t.out, /BSM mix step 8\/8/);
  assert.deepEqual(
    t.result.results.map((r) => r.protocol?.split(':')[0]),
    ['translation', 'Central Dogma', 'single-modal NLL per token (nats), held-out windows as <bos> seq <eos>'],
  );
  assert.equal(t.result.results[0]!.baselines[0]!.label, 'always the commonest training residue');
  const e = await sheafOk(home, 1, ['bsm', 'eval', '--checkpoint', t.dir]);
  assert.equal(metric(e.result, 'Central Dogma', 'AUC 0-shot'), metric(t.result, 'Central Dogma', 'AUC 0-shot'));
  assert.equal(metric(e.result, 'translation', 'DNA→protein residue accuracy'), metric(t.result, 'translation', 'DNA→protein residue accuracy'));

  const out = join(root, 'gen.csv');
  const g = await sheafIn(home, 1, ['bsm', 'generate', '--checkpoint', t.dir, '--prompt', 'ATGAAACGCATTAGCACC', '--out', out]);
  assert.equal(g.code, 0, g.out + g.err);
  const rows = readFileSync(out, 'utf8').trim().split('\n');
  assert.equal(rows[0], 'id,prompt,generated');
  assert.match(rows[1]!, /^prompt,ATGAAACGCATTAGCACC,[ACDEFGHIKLMNPQRSTVWY]{6}$/);

  const pairs = join(root, 'pairs.csv');
  writeFileSync(pairs, 'prompt,target\nATGAAACGC,MKR\nATGAAACGC,MKW\n');
  const so = join(root, 'scores.csv');
  const s = await sheafIn(home, 1, ['bsm', 'score', '--checkpoint', t.dir, '--data', pairs, '--wild-type', 'MKR', '--out', so]);
  assert.equal(s.code, 0, s.out + s.err);
  const sc = readFileSync(so, 'utf8').trim().split('\n');
  assert.equal(sc[0], 'line,prompt,target,log_prob,mean_log_prob,minus_wild_type');
  assert.equal(Number(sc[1]!.split(',')[5]), 0, 'the wild type minus itself');
  assert.ok(Number(sc[1]!.split(',')[3]) < 0);
});

test('compare: mix and uni at an equal token budget, side by side', async () => {
  const c = await sheafOk(home, 2, ['bsm', 'compare', ...tiny, ...ev]);
  assert.equal(c.result.results.length, 3, 'translation, Central Dogma, NLL');
  assert.match(c.out, /BSM-tiny \(mix\)[\s\S]*BSM-tiny \(uni\)/);
  assert.match(c.out, /mix and uni from seed 2 at \d+ \/ \d+ training tokens/);
});

test('bad input: a malformed GenBank file names its line; unknown corpus; a score file without targets; a letter outside the alphabet', async () => {
  const bad = join(root, 'bad.gb');
  writeFileSync(bad, 'LOCUS       X1   12 bp    DNA     linear   BCT 01-JAN-2000\nFEATURES             Location/Qualifiers\n     CDS             join(1..\nORIGIN\n        1 atgaaacgca tt\n//\n');
  const r = await sheafIn(home, 1, ['bsm', 'train', '--train', bad, ...tiny]);
  assert.equal(r.code, 1, r.out + r.err);
  assert.match(r.err, /bad\.gb.*line \d/s);
  assert.equal(r.runId, null);
  const u = await sheafIn(home, 1, ['bsm', 'train', '--corpus', 'both']);
  assert.equal(u.code, 2);
  assert.match(u.err, /--corpus/);
  const t = await sheafOk(home, 3, ['bsm', 'train', ...tiny, ...ev]);
  const nt = join(root, 'no-target.csv');
  writeFileSync(nt, 'prompt\nATG\n');
  const out = join(root, 'never.csv');
  const s = await sheafIn(home, 1, ['bsm', 'score', '--checkpoint', t.dir, '--data', nt, '--out', out]);
  assert.equal(s.code, 1, s.out + s.err);
  assert.match(s.err, /no-target\.csv.*line 1.*no target column/s);
  assert.ok(!existsSync(out));
  const x = await sheafIn(home, 1, ['bsm', 'generate', '--checkpoint', t.dir, '--prompt', 'ATGQQQ', '--out', out]);
  assert.equal(x.code, 1, x.out + x.err);
  assert.match(x.err, /Q/);
});

test('library: fit, evaluate, translate, score, k-shot prompts, save, load', async () => {
  const before = tf.memory().numTensors;
  const d = await BSM.readRecords();
  const m = await BSM.fit(d, { hiddenSize: 16, numLayers: 1, numHeads: 2, intermediateSize: 24, steps: 6, evalEvery: 3, warmup: 2, batchSize: 4, context: 40 }, { seed: 4 });
  const r = await m.evaluate(undefined, { translationWindows: 4, cdPositives: 4, shots: '0', nllWindows: 4 });
  assert.ok(Number.isFinite(metric(r as unknown as R, 'Central Dogma', 'AUC 0-shot')));
  const p = m.translate(['ATGAAACGCATT']);
  assert.match(p[0]!, /^[ACDEFGHIKLMNPQRSTVWY]{4}$/i);
  const s = m.score([
    { prompt: 'ATGAAA', target: 'MK' },
    { prompt: kShotPrompt([{ prompt: 'ATGCGC', target: 'MR' }], 'ATGAAA'), target: 'MK' },
  ]);
  assert.ok(s.every((x) => x.logProb < 0 && Number.isFinite(x.meanLogProb)));
  const dir = join(root, 'lib-model');
  await m.save(dir);
  const again = await BSM.load(dir);
  assert.deepEqual(again.score([{ prompt: 'ATGAAA', target: 'MK' }]), [s[0]]);
  m.dispose();
  again.dispose();
  assert.equal(tf.memory().numTensors, before);
});
