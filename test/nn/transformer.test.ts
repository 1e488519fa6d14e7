import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import '../../src/node/setup.js';
import { LlamaForCausalLM, CausalLM, causalLMLoss, chooseToken } from '../../src/nn/transformer/causal_lm.js';
import { KVCache, LlamaDecoderLayer } from '../../src/nn/transformer/llama.js';
import { llamaConfigFromHF, llamaParameterCount, type LlamaConfig } from '../../src/nn/transformer/config.js';
import { Rng } from '../../src/util/random.js';
import { assertClose, assertNoLeak, expectGradOk, fx, loadState, nnFixtures, rand } from './helpers.js';

await initEngine({ backend: 'wasm' });
const X = nnFixtures('transformer');
const cfg: LlamaConfig = { vocabSize: 13, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2, ropeTheta: 1e5 };

function fixtureModel(extra: Partial<LlamaConfig> = {}, state = X.state): LlamaForCausalLM {
  const m = new LlamaForCausalLM({ ...cfg, ...extra }, new Rng(110));
  loadState(m, state);
  return m.eval();
}

test('LlamaForCausalLM: Hugging Face names in order, exact parameter count, tied embeddings, config from config.json', () => {
  const m = new LlamaForCausalLM(cfg, new Rng(111));
  const names = [...m.stateDict().keys()];
  assert.deepEqual(names.slice(0, 10), [
    'model.embed_tokens.weight',
    'model.layers.0.self_attn.q_proj.weight',
    'model.layers.0.self_attn.k_proj.weight',
    'model.layers.0.self_attn.v_proj.weight',
    'model.layers.0.self_attn.o_proj.weight',
    'model.layers.0.mlp.gate_proj.weight',
    'model.layers.0.mlp.up_proj.weight',
    'model.layers.0.mlp.down_proj.weight',
    'model.layers.0.input_layernorm.weight',
    'model.layers.0.post_attention_layernorm.weight',
  ]);
  assert.deepEqual(names.slice(-2), ['model.norm.weight', 'lm_head.weight']);
  assert.deepEqual([...names].sort(), Object.keys(X.state).sort());
  assert.deepEqual(m.model.layers.at(0).selfAttn.kProj.weight.shape, [8, 16]);
  assert.equal(m.numParameters(), llamaParameterCount(cfg).total);
  // HF init: N(0, 0.02) weights, RMSNorm ones.
  const w = Array.from(m.model.layers.at(1).mlp.upProj.weight.dataSync());
  const sd = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
  assert.ok(Math.abs(sd - 0.02) < 0.004, `init std ${sd}`);
  m.dispose();
  const tied = new LlamaForCausalLM({ ...cfg, tieWordEmbeddings: true }, new Rng(112));
  assert.equal(tied.lmHead, null);
  assert.ok(!tied.stateDict().has('lm_head.weight'));
  assert.equal(tied.numParameters(), llamaParameterCount({ ...cfg, tieWordEmbeddings: true }).total);
  tied.dispose();
  for (const extra of [{ attentionBias: true, mlpBias: true }, { numKeyValueHeads: 1, headDim: 6 }, {}] as Array<Partial<LlamaConfig>>) {
    const v = new LlamaForCausalLM({ ...cfg, ...extra }, new Rng(113));
    assert.equal(v.numParameters(), llamaParameterCount({ ...cfg, ...extra }).total, JSON.stringify(extra));
    v.dispose();
  }
  const hf = llamaConfigFromHF({
    vocab_size: 32000,
    hidden_size: 4096,
    intermediate_size: 11008,
    num_hidden_layers: 32,
    num_attention_heads: 32,
    rms_norm_eps: 1e-6,
    hidden_act: 'silu',
    tie_word_embeddings: false,
  });
  // LLaMA-7B: 6.74 B parameters; NutePrune's prunable part 6.48 B (docs/research/sequence.md §2(a)).
  assert.equal(llamaParameterCount(hf).total, 6_738_415_616);
  assert.equal(llamaParameterCount(hf).prunable, 32 * (4 * 4096 * 4096 + 3 * 4096 * 11008));
  assert.throws(() => llamaConfigFromHF({ ...{ vocab_size: 1, hidden_size: 2, intermediate_size: 2, num_hidden_layers: 1, num_attention_heads: 1 }, hidden_act: 'gelu' }), /silu/);
  assert.throws(() => new LlamaForCausalLM({ ...cfg, numKeyValueHeads: 3 }, new Rng(1)), /must divide/);
  assert.equal(CausalLM, LlamaForCausalLM);
});

test('BSM-110M configuration (docs/research/sequence.md §1(a), §1(e)): 12 layers × 12 heads × 768, SwiGLU 3072, RoPE 1e5, 36 tokens', () => {
  const bsm: LlamaConfig = { vocabSize: 36, hiddenSize: 768, intermediateSize: 3072, numHiddenLayers: 12, numAttentionHeads: 12, ropeTheta: 1e5 };
  const c = llamaParameterCount(bsm);
  assert.equal(c.attentionPerLayer, 4 * 768 * 768);
  assert.equal(c.mlpPerLayer, 3 * 768 * 3072);
  assert.equal(c.perLayer, 9_438_720);
  assert.equal(c.total, 113_320_704); // ≈ the paper's "110M"
  assert.equal(llamaParameterCount({ ...bsm, tieWordEmbeddings: true }).total, 113_320_704 - 36 * 768);
  // 270M: 20 × 16 × 896 with F ≈ 3840 (docs/research/sequence.md §1(a)).
  assert.ok(Math.abs(llamaParameterCount({ ...bsm, hiddenSize: 896, numHiddenLayers: 20, numAttentionHeads: 16, intermediateSize: 3840 }).total - 270e6) < 5e6);
});

test('forward equals the torch transcription of HF LlamaForCausalLM: logits, hidden states, loss with ignore index / mask', () => {
  const m = fixtureModel();
  const ids = tf.tensor2d(X.ids, [2, 6], 'int32');
  const r = m.forward(ids, { returnHiddenStates: true });
  assert.deepEqual(r.logits.shape, [2, 6, 13]);
  assertClose(r.logits, X.logits, 2e-5, 1e-4, 'logits');
  assert.equal(r.hiddenStates!.length, 3);
  r.hiddenStates!.forEach((h, i) => assertClose(h, X.hiddenStates[i], 2e-5, 1e-4, `hidden state ${i}`));
  const labels = tf.tensor2d(X.labels, [2, 6], 'int32');
  assertClose([m.loss(ids, { labels }).dataSync()[0]!], [X.loss], 1e-5, 1e-5, 'loss, ignore -100');
  assertClose([m.loss(ids).dataSync()[0]!], [X.lossAll], 1e-5, 1e-5, 'loss');
  // A loss mask skipping the same two targets equals the ignore-index loss.
  const lossMask = tf.tensor2d(
    [
      [1, 1, 0, 1, 1, 1],
      [1, 1, 1, 1, 0, 1],
    ],
    [2, 6],
    'int32',
  );
  assertClose([m.loss(ids, { lossMask }).dataSync()[0]!], [X.loss], 1e-5, 1e-5, 'loss mask');
  assert.equal(causalLMLoss(r.logits, tf.fill([2, 6], -100, 'int32') as tf.Tensor2D).dataSync()[0], 0);
  // tokenLogProbs sums to −loss·count.
  const lp = m.tokenLogProbs(ids);
  assert.deepEqual(lp.shape, [2, 5]);
  assertClose([-tf.sum(lp).dataSync()[0]! / 10], [X.lossAll], 1e-5, 1e-5, 'token log-probs');
  assertNoLeak('forward', () => m.forward(ids).logits);
  assertNoLeak('loss', () => m.loss(ids, { labels }));
  tf.dispose([ids, labels, lossMask, lp, r.logits, ...r.hiddenStates!]);
  m.dispose();
  const tied = fixtureModel({ tieWordEmbeddings: true }, X.tied.state);
  const tids = tf.tensor2d(X.ids, [2, 6], 'int32');
  assertClose(tied.forward(tids).logits, X.tied.logits, 2e-5, 1e-4, 'tied logits');
  // An HF dict of a tied model may carry lm_head.weight and old inv_freq buffers: both are dropped.
  const dict = new Map<string, tf.Tensor>(Object.entries(X.tied.state).map(([k, v]) => [k, fx(v as never)]));
  dict.set('lm_head.weight', fx(X.tied.state['model.embed_tokens.weight']));
  dict.set('model.layers.0.self_attn.rotary_emb.inv_freq', tf.ones([2]));
  tied.loadHFStateDict(dict);
  tf.dispose([tids, ...dict.values()]);
  tied.dispose();
});

test('NutePrune mask hooks: head / intermediate / hidden masks and a fixed RMSNorm width equal the torch transcription', () => {
  const M = X.masks;
  const masks = { headMask: fx(M.headZ), intermediateMask: fx(M.intermediateZ), hiddenMask: fx(M.hiddenZ) };
  const ids = tf.tensor2d(X.ids, [2, 6], 'int32');
  for (const [at, key] of [
    ['gate_and_up', 'logits'],
    ['product', 'logitsProduct'],
  ] as const) {
    const m = fixtureModel({ rmsNormWidth: M.rmsNormWidth, intermediateMaskAt: at });
    const r = m.forward(ids, { masks, returnHiddenStates: at === 'gate_and_up' });
    assertClose(r.logits, M[key], 2e-5, 1e-4, `masked logits (${at})`);
    if (r.hiddenStates) r.hiddenStates.forEach((h, i) => assertClose(h, M.hiddenStates[i], 2e-5, 1e-4, `masked hidden ${i}`));
    tf.dispose([r.logits, ...(r.hiddenStates ?? [])]);
    m.dispose();
  }
  const m = fixtureModel();
  assert.throws(() => m.forward(ids, { masks: { headMask: tf.ones([2, 3]) } }), /headMask must be \[2,4\]/);
  // All-ones masks change nothing.
  const ones = { headMask: tf.ones([2, 4]), intermediateMask: tf.ones([2, 24]), hiddenMask: tf.ones([16]) };
  assertClose(m.forward(ids, { masks: ones }).logits, X.logits, 2e-5, 1e-4, 'unit masks');
  // Gradients reach the masks (what the L0 module trains).
  const hz = tf.variable(fx(M.hiddenZ));
  const iz = tf.variable(fx(M.intermediateZ));
  const { grads } = tf.variableGrads(() => m.loss(ids, { masks: { hiddenMask: hz, intermediateMask: iz } }), [hz, iz]);
  assert.ok(tf.sum(tf.abs(grads[hz.name]!)).dataSync()[0]! > 0 && tf.sum(tf.abs(grads[iz.name]!)).dataSync()[0]! > 0);
  tf.dispose([ids, hz, iz, ...Object.values(masks), ...Object.values(ones), ...Object.values(grads)]);
  m.dispose();
});

test('KV cache: prefill + one-token steps give the logits of the full forward; the cache owns and frees its tensors', () => {
  const m = fixtureModel();
  const ids = tf.tensor2d(X.ids, [2, 6], 'int32');
  const full = m.forward(ids).logits.arraySync() as number[][][];
  const before = tf.memory().numTensors;
  const cache = new KVCache(2);
  const parts: number[][][] = [[], []];
  for (const [from, len] of [
    [0, 3],
    [3, 1],
    [4, 1],
    [5, 1],
  ] as const) {
    const step = tf.slice(ids, [0, from], [2, len]) as tf.Tensor2D;
    const l = m.forward(step, { cache }).logits;
    const a = l.arraySync() as number[][][];
    a.forEach((row, b) => parts[b]!.push(...row));
    tf.dispose([step, l]);
    assert.equal(cache.length, from + len);
  }
  assertClose(parts.flat(2), full.flat(2), 2e-5, 1e-4, 'incremental = full');
  assert.deepEqual(cache.get(0)!.key.shape, [2, 2, 6, 4]); // GQA: the cache holds the 2 kv heads
  cache.dispose();
  assert.equal(tf.memory().numTensors, before, 'no tensors left after the cache is disposed');
  // With masks too.
  const masks = { headMask: fx(X.masks.headZ), hiddenMask: fx(X.masks.hiddenZ) };
  const fm = m.forward(ids, { masks }).logits;
  const c2 = new KVCache(2);
  tf.dispose(m.forward(tf.slice(ids, [0, 0], [2, 5]) as tf.Tensor2D, { cache: c2, masks }).logits);
  const lastStep = m.forward(tf.slice(ids, [0, 5], [2, 1]) as tf.Tensor2D, { cache: c2, masks }).logits;
  assertClose(lastStep, tf.slice(fm, [0, 5, 0], [2, 1, 13]), 2e-5, 1e-4, 'cached step with masks');
  c2.dispose();
  assert.throws(() => m.forward(ids, { cache: new KVCache(3) }), /cache has 3 layers/);
  tf.dispose([ids, fm, lastStep, ...Object.values(masks)]);
  m.dispose();
});

test('generation: greedy equals repeated argmax of the full forward, with or without the cache; seeded sampling; allowed set; top-k', () => {
  const m = fixtureModel();
  const prompts = [
    [1, 5, 2],
    [0, 4, 4],
  ];
  const greedy = m.generate(prompts, { maxNewTokens: 5 });
  const seqs = prompts.map((p) => [...p]);
  for (let s = 0; s < 5; s++) {
    const l = tf.tidy(() => m.forward(tf.tensor2d(seqs, [2, seqs[0]!.length], 'int32')).logits.arraySync() as number[][][]);
    l.forEach((row, b) => {
      const last = row[row.length - 1]!;
      seqs[b]!.push(last.indexOf(Math.max(...last)));
    });
  }
  assert.deepEqual(
    greedy,
    seqs.map((s) => s.slice(3)),
  );
  assert.deepEqual(m.generate(prompts, { maxNewTokens: 5, useCache: false }), greedy);
  const sample = (seed: number, extra = {}) => m.generate(prompts, { maxNewTokens: 8, strategy: 'sample', temperature: 1.5, rng: new Rng(seed), ...extra });
  assert.deepEqual(sample(5), sample(5), 'same seed, same sample');
  assert.notDeepEqual(sample(5), sample(6));
  const allowed = [2, 3, 7];
  for (const row of sample(7, { allowedTokens: allowed })) assert.ok(row.every((t) => allowed.includes(t)));
  for (const row of m.generate(prompts, { maxNewTokens: 4, allowedTokens: allowed })) assert.ok(row.every((t) => allowed.includes(t)));
  assert.deepEqual(sample(8, { topK: 1 }), m.generate(prompts, { maxNewTokens: 8 }), 'top-1 sampling is greedy');
  // eos stops a row (and the row keeps its eos).
  const eos = greedy[0]![1]!;
  const stopped = m.generate(prompts, { maxNewTokens: 5, eosTokenId: eos });
  assert.deepEqual(stopped[0], greedy[0]!.slice(0, greedy[0]!.indexOf(eos) + 1));
  assert.throws(() => m.generate([[1], [1, 2]], { maxNewTokens: 1 }), /equal length/);
  assert.throws(() => m.generate(prompts, { maxNewTokens: 1, strategy: 'sample' }), /needs an rng/);
  assertNoLeak('generate', () => void m.generate(prompts, { maxNewTokens: 3 }));
  m.dispose();
});

test('chooseToken: greedy first maximum, temperature sampling frequencies follow the softmax, top-k and allowed set', () => {
  const logits = [1, 3, 3, 0];
  assert.equal(chooseToken(logits, {}), 1);
  assert.equal(chooseToken(logits, { allowedTokens: [0, 3] }), 0);
  const rng = new Rng(120);
  const counts = [0, 0, 0, 0];
  const n = 20000;
  for (let i = 0; i < n; i++) counts[chooseToken(logits, { strategy: 'sample', temperature: 2, rng })]!++;
  const p = logits.map((l) => Math.exp(l / 2));
  const z = p.reduce((a, b) => a + b, 0);
  counts.forEach((c, i) => assert.ok(Math.abs(c / n - p[i]! / z) < 0.015, `token ${i}: ${c / n} vs ${p[i]! / z}`));
  for (let i = 0; i < 200; i++) assert.ok([1, 2].includes(chooseToken(logits, { strategy: 'sample', topK: 2, rng })));
  assert.throws(() => chooseToken(logits, { allowedTokens: [9] }), /outside the vocabulary/);
});

test('CausalLM loss: finite-difference gradient check through embeddings, norm and lm_head, untied and tied', () => {
  for (const tie of [false, true]) {
    const rng = new Rng(122);
    const m = new LlamaForCausalLM({ vocabSize: 7, hiddenSize: 4, intermediateSize: 6, numHiddenLayers: 1, numAttentionHeads: 2, initializerRange: 0.5, tieWordEmbeddings: tie }, rng);
    const ids = tf.tensor2d(
      [
        [1, 6, 2, 2],
        [0, 3, 5, 4],
      ],
      [2, 4],
      'int32',
    );
    const labels = tf.tensor2d(
      [
        [1, 6, -100, 2],
        [0, 3, 5, 4],
      ],
      [2, 4],
      'int32',
    );
    const pick = m.namedParameters().filter(([n]) => /embed_tokens|model\.norm|lm_head|o_proj/.test(n));
    expectGradOk(() => m.loss(ids, { labels }), pick, { eps: 1e-3 });
    tf.dispose([ids, labels]);
    m.dispose();
  }
});

test('LlamaDecoderLayer: finite-difference gradient check over every parameter and the input (GQA, masks)', () => {
  const rng = new Rng(121);
  const layer = new LlamaDecoderLayer({ vocabSize: 5, hiddenSize: 8, intermediateSize: 6, numHiddenLayers: 1, numAttentionHeads: 4, numKeyValueHeads: 2, initializerRange: 0.4 }, rng);
  const x = tf.variable(rand(rng, [2, 3, 8]));
  const R = rand(rng, [2, 3, 8]);
  const headMask = tf.tensor1d([1, 0.5, 0.9, 0.2]);
  const intermediateMask = rand(rng, [6], 0, 1);
  const hiddenMask = rand(rng, [8], 0, 1);
  expectGradOk(() => tf.sum(tf.mul(layer.forward(x as unknown as tf.Tensor3D, { headMask, intermediateMask, hiddenMask }).hidden, R)) as tf.Scalar, [...layer.namedParameters(), ['x', x]], {
    eps: 1e-3,
  });
  tf.dispose([x, R, headMask, intermediateMask, hiddenMask]);
  layer.dispose();
});
