import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import '../../src/node/setup.js';
import { Module } from '../../src/nn/module.js';
import { Linear } from '../../src/nn/linear.js';
import { LoRALinear } from '../../src/nn/lora.js';
import { Adapter } from '../../src/nn/adapter.js';
import type { BatchNorm1d } from '../../src/nn/norm.js';
import { ginMlp } from '../../src/nn/graph/gin.js';
import { GNN } from '../../src/nn/graph/gnn.js';
import { LlamaForCausalLM } from '../../src/nn/transformer/causal_lm.js';
import { applyLoRA, loraModules, loraStateDict, matchesTarget, mergeAndUnloadLoRA, mergeLoRA, setLoRAEnabled, unmergeLoRA } from '../../src/nn/peft/lora.js';
import { WithAdapter, injectAdapter } from '../../src/nn/peft/adapter.js';
import { Rng } from '../../src/util/random.js';
import { assertClose, assertNoLeak, expectGradOk, fx, loadState, nnFixtures, rand } from './helpers.js';

await initEngine({ backend: 'wasm' });
const X = nnFixtures('transformer');
const cfg = { vocabSize: 13, hiddenSize: 16, intermediateSize: 24, numHiddenLayers: 2, numAttentionHeads: 4, numKeyValueHeads: 2, ropeTheta: 1e5 };

function fixtureModel(): LlamaForCausalLM {
  const m = new LlamaForCausalLM(cfg, new Rng(130));
  loadState(m, X.state);
  return m.eval();
}

test('Module structure: namedModules, getSubmodule, replaceChild keeps the name and re-points fields and arrays', () => {
  const rng = new Rng(131);
  const mlp = ginMlp(3, 4, 2, rng);
  assert.deepEqual(
    mlp.namedModules().map(([n]) => n),
    ['', '0', '1', '2'],
  );
  const x = rand(rng, [5, 3]);
  const fresh = new Linear(3, 4, rng);
  const old = mlp.replaceChild('0', fresh);
  assert.notEqual(old, fresh);
  assert.equal(mlp.at(0), fresh, 'Sequential.layers was re-pointed');
  assert.deepEqual([...mlp.stateDict().keys()], ['0.weight', '0.bias', '2.weight', '2.bias']);
  assertClose(mlp.forward(x), mlp.at(2).forward(tf.relu(fresh.forward(x))), 1e-6, 1e-6, 'forward uses the replacement');
  old.dispose();
  const m = new LlamaForCausalLM(cfg, rng);
  assert.equal(m.getSubmodule('model.layers.1.self_attn'), m.model.layers.at(1).selfAttn);
  assert.throws(() => m.getSubmodule('model.layers.7'), /no sub-module 'model.layers.7'/);
  assert.throws(() => m.replaceChild('model.nope', fresh), /no sub-module/);
  const q = new Linear(16, 16, rng, { bias: false });
  m.replaceChild('model.layers.0.self_attn.q_proj', q).dispose();
  assert.equal(m.model.layers.at(0).selfAttn.qProj, q, 'the typed field follows');
  assert.throws(() => m.registerModule('a.b', new Linear(1, 1, rng)), /plain member name/);
  tf.dispose(x);
  mlp.dispose();
  m.dispose();
});

test('matchesTarget: peft-style last-name lists, dotted suffixes, globs, RegExps, predicates', () => {
  const lin = new Linear(1, 1, new Rng(1));
  const n = 'model.layers.3.self_attn.q_proj';
  assert.ok(matchesTarget(['q_proj', 'v_proj'], n, lin));
  assert.ok(!matchesTarget('proj', n, lin));
  assert.ok(matchesTarget('self_attn.q_proj', n, lin));
  assert.ok(matchesTarget('model.layers.*.q_proj', n, lin));
  assert.ok(!matchesTarget('model.layers.*.k_proj', n, lin));
  assert.ok(matchesTarget(/layers\.3\./, n, lin));
  assert.ok(matchesTarget((name) => name.endsWith('q_proj'), n, lin));
});

test('applyLoRA on q_proj / v_proj (NutePrune): names, only LoRA trainable, equals the base at init and loralib in torch', () => {
  const m = fixtureModel();
  const ids = tf.tensor2d(X.ids, [2, 6], 'int32');
  const base = m.forward(ids).logits;
  const L = X.lora;
  const wrapped = applyLoRA(m, ['q_proj', 'v_proj'], new Rng(132), { r: L.r, alpha: L.alpha });
  assert.deepEqual(wrapped, ['model.layers.0.self_attn.q_proj', 'model.layers.0.self_attn.v_proj', 'model.layers.1.self_attn.q_proj', 'model.layers.1.self_attn.v_proj']);
  assert.ok(m.model.layers.at(1).selfAttn.vProj instanceof LoRALinear);
  assert.deepEqual(
    m.namedTrainable().map(([n]) => n),
    Object.keys(L.state),
  );
  assert.equal(m.numParameters(true), 2 * (4 * 16 + 16 * 4) + 2 * (4 * 16 + 8 * 4));
  // Base names unchanged: the pretrained state dict still loads (non-strict: the LoRA factors are new).
  const { missing, unexpected } = m.loadStateDict(new Map(Object.entries(X.state).map(([k, v]) => [k, fx(v as never)])), { strict: false });
  assert.deepEqual(unexpected, []);
  assert.deepEqual(missing, Object.keys(L.state));
  assertClose(m.forward(ids).logits, base, 1e-6, 1e-6, 'B = 0: same as the base');
  loadState(m, { ...X.state, ...L.state });
  const y = m.forward(ids).logits;
  assertClose(y, L.logits, 2e-5, 1e-4, 'LoRA logits = torch');
  assert.equal(loraStateDict(m).size, 8);
  // Merge / unmerge / disable.
  assert.equal(mergeLoRA(m), 4);
  assertClose(m.forward(ids).logits, L.logits, 2e-5, 1e-4, 'merged');
  unmergeLoRA(m);
  assertClose(m.model.layers.at(0).selfAttn.qProj.weight, X.state['model.layers.0.self_attn.q_proj.weight'], 1e-6, 1e-5, 'unmerged weight');
  setLoRAEnabled(m, false);
  assertClose(m.forward(ids).logits, X.logits, 2e-5, 1e-4, 'disabled = intact base (NutePrune teacher)');
  setLoRAEnabled(m, true);
  // Gradients reach only the LoRA factors.
  const { grads, value } = tf.variableGrads(() => m.loss(ids), m.parameters());
  assert.equal(Object.keys(grads).length, 8);
  tf.dispose([value, ...Object.values(grads)]);
  // Export: plain Linears with merged weights, same function.
  assert.deepEqual(mergeAndUnloadLoRA(m), wrapped);
  assert.equal(loraModules(m).length, 0);
  assert.ok(m.model.layers.at(0).selfAttn.qProj instanceof Linear);
  assertClose(m.forward(ids).logits, L.logits, 2e-5, 1e-4, 'merged and unloaded');
  assert.deepEqual([...m.stateDict().keys()].sort(), Object.keys(X.state).sort());
  assert.throws(() => applyLoRA(m, 'qkv', new Rng(1)), /no Linear matches/);
  tf.dispose([ids, base, y]);
  m.dispose();
});

test('applyLoRA: peft layout names, dropout, freezeOthers=false, gradient check, no leaks', () => {
  const rng = new Rng(133);
  const m = new LlamaForCausalLM({ ...cfg, numHiddenLayers: 1 }, rng);
  applyLoRA(m, 'model.layers.*.mlp.*', rng, { r: 2, layout: 'peft', dropout: 0.1, freezeOthers: false });
  const names = [...m.stateDict().keys()];
  assert.ok(names.includes('model.layers.0.mlp.gate_proj.base_layer.weight'));
  assert.ok(names.includes('model.layers.0.mlp.down_proj.lora_B.weight'));
  assert.ok(
    m.namedTrainable().some(([n]) => n === 'model.embed_tokens.weight'),
    'others left trainable',
  );
  assert.ok(!m.namedTrainable().some(([n]) => n.includes('base_layer')), 'wrapped base frozen');
  // Applying again does not wrap the base layers inside the wrappers.
  assert.throws(() => applyLoRA(m, 'model.layers.*.mlp.*', rng), /no Linear matches/);
  m.eval();
  for (const [, l] of loraModules(m)) l.loraB.assign(rand(rng, l.loraB.shape) as tf.Tensor2D);
  const ids = tf.tensor2d([[1, 2, 3]], [1, 3], 'int32');
  const pick = m.namedTrainable().filter(([n]) => n.includes('down_proj.lora'));
  expectGradOk(() => m.loss(ids), pick, { eps: 1e-3 });
  assertNoLeak('LoRA forward', () => m.forward(ids).logits);
  tf.dispose(ids);
  m.dispose();
});

test('injectAdapter: parallel / sequential adapters keep the wrapped names; mode follows; LoRA inside a wrapped module still applies', () => {
  const rng = new Rng(134);
  const gnn = new GNN(2, 4, rng);
  const x = rand(rng, [6, 4]);
  const mlpBefore = gnn.gnns.at(0).mlp.forward(x);
  const ad = new Adapter(4, 2, rng, { residual: false, scale: { learnable: 0.5 } });
  ad.upProj.weight.assign(rand(rng, [4, 2]) as tf.Tensor2D);
  const w = injectAdapter(gnn, 'gnns.0.mlp', ad);
  assert.ok(gnn.gnns.at(0).mlp instanceof WithAdapter);
  const names = [...gnn.stateDict().keys()].filter((k) => k.startsWith('gnns.0.mlp'));
  assert.deepEqual(names, [
    'gnns.0.mlp.0.weight',
    'gnns.0.mlp.0.bias',
    'gnns.0.mlp.2.weight',
    'gnns.0.mlp.2.bias',
    'gnns.0.mlp.adapter.scale',
    'gnns.0.mlp.adapter.down_proj.weight',
    'gnns.0.mlp.adapter.down_proj.bias',
    'gnns.0.mlp.adapter.up_proj.weight',
    'gnns.0.mlp.adapter.up_proj.bias',
  ]);
  assertClose(w.forward(x), tf.add(mlpBefore, ad.forward(x)), 1e-6, 1e-6, 'parallel');
  // LoRA on a Linear inside the wrapper reaches the wrapped Sequential's forward.
  applyLoRA(gnn, 'gnns.0.mlp.0', rng, { r: 1, freezeOthers: false });
  const lora = loraModules(gnn)[0]![1];
  lora.loraB.assign(tf.ones(lora.loraB.shape) as tf.Tensor2D);
  assert.ok(tf.max(tf.abs(tf.sub(w.forward(x), tf.add(mlpBefore, ad.forward(x))))).dataSync()[0]! > 1e-4, 'the LoRA update is used');
  // Sequential (Houlsby) adapter around a BatchNorm: train/eval reach the wrapped module.
  const seqAd = injectAdapter(gnn, 'batch_norms.1', new Adapter(4, 2, rng), { mode: 'sequential', name: 'houlsby' });
  assert.ok(gnn.stateDict().has('batch_norms.1.running_mean') && gnn.stateDict().has('batch_norms.1.houlsby.up_proj.weight'));
  gnn.eval();
  assert.equal((seqAd.base as BatchNorm1d).training, false);
  gnn.train();
  assert.equal((seqAd.base as BatchNorm1d).training, true);
  assert.throws(() => injectAdapter(gnn, 'gnns.1', ad), /single-input/);
  const ei = tf.tensor2d(
    [
      [0, 1, 2],
      [1, 2, 0],
    ],
    [2, 3],
    'int32',
  );
  const ea = tf.zeros([3, 2], 'int32') as tf.Tensor2D;
  const xs = tf.tensor2d(
    [
      [1, 0],
      [2, 1],
      [3, 0],
    ],
    [3, 2],
    'int32',
  );
  const R = rand(rng, [3, 4]);
  gnn.eval();
  expectGradOk(
    () => tf.sum(tf.mul(gnn.forward(xs, ei, ea), R)) as tf.Scalar,
    gnn.namedParameters().filter(([n]) => n.includes('adapter') || n.includes('houlsby.down')),
    { eps: 1e-3 },
  );
  assertNoLeak('adapted GNN', () => gnn.forward(xs, ei, ea));
  tf.dispose([x, mlpBefore, ei, ea, xs, R]);
  gnn.dispose();
});

test('Module.adopt keeps names for wrappers; a plain module tree is unaffected by replaceChild elsewhere', () => {
  class Wrap extends Module {
    constructor(readonly inner: Linear) {
      super();
      this.adopt(inner);
    }
  }
  const lin = new Linear(2, 2, new Rng(135));
  const w = new Wrap(lin);
  assert.deepEqual([...w.stateDict().keys()], ['weight', 'bias']);
  assert.equal(w.numParameters(), 6);
  w.dispose();
  assert.throws(() => lin.weight.dataSync(), /disposed/);
});
