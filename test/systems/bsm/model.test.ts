/**
 * BSM's model and recipe on the kit: the paper's sizes declare their parameter counts (checked by
 * the LLaMA arithmetic, independent of the code that builds the model), the tiny one builds with
 * the count PyTorch gives for the same module (scripts/bsm/torch_bench.py prints 151 360); the
 * aligned next-token loss against a hand computation; the learning-rate schedules; scoring and
 * residue-only decoding; packed rows never score across samples; a tiny batch is overfitted; no
 * tensor leaks in a step and an evaluation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../../src/engine/index.js';
import '../../../src/node/setup.js';
import { nodeStorage } from '../../../src/node/storage.js';
import { alignedLMLoss } from '../../../src/nn/transformer/index.js';
import { AdamW } from '../../../src/optim/optimizers.js';
import { trainStep } from '../../../src/train/step.js';
import { EOS_ID, SEP_ID, isResidueId, decodeString } from '../../../src/data/bio/tokenizer.js';
import { STANDARD_RESIDUES, centralDogmaItems } from '../../../src/data/bio/index.js';
import { Rng } from '../../../src/util/random.js';
import { configSchema, dataSchema, evalSchema } from '../../../src/systems/bsm/config.js';
import { loadBSMData, trainingRows } from '../../../src/systems/bsm/data.js';
import { alphabetIds, bsmParameterCount, buildBSM, continuationLogProbs, continuationLogProbsAny } from '../../../src/systems/bsm/model.js';
import { lrAt } from '../../../src/systems/bsm/train.js';
import { schedule } from '../../../src/systems/bsm/data.js';
import { scoreBSM } from '../../../src/systems/bsm/system.js';

await initEngine({ backend: 'wasm' });
const data = await loadBSMData(nodeStorage, dataSchema.parse({}));
const small = configSchema.parse({ hiddenSize: 16, numLayers: 1, numHeads: 2, intermediateSize: 24, steps: 20, context: 40, batchSize: 4 });

test('parameter counts: the paper’s 110M and 270M by the LLaMA arithmetic; the tiny model as PyTorch counts it', () => {
  const V = 39;
  const count = (d: number, L: number, F: number) => L * (4 * d * d + 3 * d * F + 2 * d) + 2 * V * d + d;
  assert.equal(bsmParameterCount(configSchema.parse({ size: '110m' })), count(768, 12, 3072));
  assert.equal(count(768, 12, 3072), 113_325_312);
  assert.equal(bsmParameterCount(configSchema.parse({ size: '270m' })), count(896, 20, 3840));
  assert.equal(count(896, 20, 3840), 270_770_304);
  const net = buildBSM(configSchema.parse({}), 0);
  assert.equal(net.numParameters(), 151_360);
  net.dispose();
});

test('alignedLMLoss: the weighted mean of −log softmax at the aligned targets', () => {
  const logits = tf.tensor3d([1, 2, 0.5, -1, 0, 3, 2, 2, 2, 0, 1, 0], [2, 2, 3]);
  const targets = tf.tensor2d([2, 0, 1, 1], [2, 2], 'int32');
  const w = tf.tensor2d([1, 0, 1, 1], [2, 2]);
  const lsm = (row: number[], k: number) => row[k]! - Math.log(row.reduce((a, x) => a + Math.exp(x), 0));
  const want = -(lsm([1, 2, 0.5], 2) + lsm([2, 2, 2], 1) + lsm([0, 1, 0], 1)) / 3;
  const got = alignedLMLoss(logits, targets, w);
  assert.ok(Math.abs(got.dataSync()[0]! - want) < 1e-5);
  tf.dispose([logits, targets, w, got]);
});

test('learning rates: warm-up then cosine to the floor; three rounds decaying linearly', () => {
  const c = configSchema.parse({ steps: 200, warmup: 10, lr: 1e-3, minLrRatio: 0.1 });
  const s = schedule(c);
  assert.ok(Math.abs(lrAt(c, s, 0) - 1e-4) < 1e-12);
  assert.ok(Math.abs(lrAt(c, s, 9) - 1e-3) < 1e-12);
  assert.ok(Math.abs(lrAt(c, s, 200) - 1e-4) < 1e-9);
  assert.ok(lrAt(c, s, 100) < 1e-3 && lrAt(c, s, 100) > 1e-4);
  const r = configSchema.parse({ steps: 100, schedule: 'rounds' });
  const rs = schedule(r);
  assert.deepEqual(
    rs.map((x) => [x.name, x.startStep, x.endStep]),
    [
      ['R1', 0, 40],
      ['R2', 40, 85],
      ['R3', 85, 100],
    ],
  );
  assert.equal(lrAt(r, rs, 0), 3e-3);
  assert.equal(lrAt(r, rs, 40), 1.5e-3);
  assert.equal(lrAt(r, rs, 99), 0);
});

test('training rows: mix has pairs, uni has none at the same token budget; no target crosses a sample boundary', () => {
  const mix = trainingRows(data.train, small, 3)[0]!;
  const uni = trainingRows(data.train, { ...small, corpus: 'uni' }, 3)[0]!;
  assert.ok((mix.kinds['refseq'] ?? 0) > 0.5 * mix.tokens, 'pairs carry most of mix');
  assert.deepEqual(Object.keys(uni.kinds), ['single']);
  // uni draws single-modal samples until it has the mix corpus's token count (the last sample may cross it).
  assert.ok(uni.tokens >= mix.tokens && uni.tokens < mix.tokens + 50, `uni ${uni.tokens} vs mix ${mix.tokens} tokens`);
  const L = small.context;
  const r = mix.rows;
  for (let i = 0; i < r.rows * L; i++) {
    // After an <eos> the next token (a new sample's <bos>) is never a scored target.
    if (r.inputs[i] === EOS_ID) assert.equal(r.lossMask[i], 0);
    // A scored target is never padding nor the next sample's <bos>.
    if (r.lossMask[i]) assert.ok(r.targets[i] !== 0 && r.targets[i] !== 1, `position ${i}`);
  }
  // The recipe is seeded.
  assert.deepEqual(Array.from(trainingRows(data.train, small, 3)[0]!.rows.inputs.slice(0, 200)), Array.from(r.inputs.slice(0, 200)));
});

test('scoring and decoding: batched log-probs equal one-by-one; generation restricted to residues', () => {
  const net = buildBSM(small, 1);
  const prompts = [
    [1, 8, 9, 10, SEP_ID],
    [1, 10, 9, 8, SEP_ID],
  ];
  const targets = [
    [20, 21],
    [22, 23],
  ];
  const both = continuationLogProbs(net, prompts, targets);
  const one = continuationLogProbs(net, [prompts[1]!], [targets[1]!]);
  assert.ok(Math.abs(both.sum[1]! - one.sum[0]!) < 1e-5);
  const mixed = continuationLogProbsAny(net, [prompts[0]!, [1, 8, SEP_ID]], [targets[0]!, [20]]);
  assert.ok(Math.abs(mixed.sum[0]! - both.sum[0]!) < 1e-5);
  const out = net.generate(prompts, { maxNewTokens: 6, allowedTokens: alphabetIds('protein') });
  assert.ok(out.every((r) => r.length === 6 && r.every(isResidueId)));
  assert.match(decodeString(out[0]!), /^[ACDEFGHIKLMNPQRSTVWY]{6}$/i);
  net.dispose();
});

test('overfit: the tiny model memorises one packed batch', () => {
  const cfg = configSchema.parse({ hiddenSize: 32, numLayers: 2, numHeads: 2, intermediateSize: 48, steps: 10, context: 40, batchSize: 4 });
  const rows = trainingRows(data.train, cfg, 5)[0]!.rows;
  const L = cfg.context;
  const x = tf.tensor2d(rows.inputs.slice(0, 4 * L), [4, L], 'int32');
  const y = tf.tensor2d(rows.targets.slice(0, 4 * L), [4, L], 'int32');
  const w = tf.tensor2d(rows.lossMask.slice(0, 4 * L), [4, L]);
  const net = buildBSM(cfg, 2);
  const optimizer = new AdamW(net.namedTrainable(), { lr: 1e-2, weightDecay: 0 });
  const losses: number[] = [];
  for (let i = 0; i < 120; i++) losses.push(trainStep({ optimizer, loss: () => alignedLMLoss(net.forward(x).logits, y, w) }));
  assert.ok(losses[119]! < 0.3 * losses[0]!, `loss ${losses[0]} → ${losses[119]}`);
  optimizer.dispose();
  net.dispose();
  tf.dispose([x, y, w]);
});

test('no tensor leaks: an evaluation on the held-out organism', () => {
  const net = buildBSM(small, 1);
  const ev = evalSchema.parse({ translationWindows: 4, cdPositives: 4, shots: '0,1', nllWindows: 4 });
  scoreBSM(net, data, small, ev, 1);
  const before = tf.memory().numTensors;
  const s = scoreBSM(net, data, small, ev, 1);
  assert.equal(tf.memory().numTensors, before);
  assert.equal(s.centralDogma.auc.length, 2);
  assert.ok(s.translation.majorityAccuracy > 0 && s.translation.majorityAccuracy < 0.3);
  net.dispose();
});

test('Central-Dogma negatives for BSM: substitutes drawn by residue weights; frameshifted DNA keeps its length', () => {
  const onlyW = Array.from(STANDARD_RESIDUES, (c) => (c === 'W' ? 1 : 0));
  const items = centralDogmaItems(data.heldout.genes, new Rng(3), { positives: 20, windowCodons: 6, residueWeights: onlyW, frameshiftKeepsLength: true });
  assert.equal(items.length, 40);
  assert.ok(
    items.every((i) => i.dna.length === 18 && i.protein.length === 6),
    'every DNA window is 3K long',
  );
  const subs = items.filter((i) => i.corruption === 'substitution');
  assert.ok(subs.length >= 9);
  for (const s of subs) assert.ok(s.protein.includes('W'), `a substitution draws W: ${s.protein}`);
  const plain = centralDogmaItems(data.heldout.genes, new Rng(3), { positives: 20, windowCodons: 6 });
  assert.ok(
    plain.some((i) => i.corruption === 'frameshift' && i.dna.length === 17),
    'without the option a deletion shortens the DNA',
  );
});
