/**
 * Agreement with the official AdapterGNN code (Lucius-lsr/AdapterGNN chem/, run on Sheaf's
 * torch_geometric stand-in; fixture by scripts/adaptergnn/make_fixtures.py, numbers only):
 * the adapter model's eval and train-mode logits, masked BCE, the gradients of every parameter the
 * official optimiser trains, BatchNorm running statistics after a training forward; the
 * zero-initialised adapters; the attribute-masking backbone and head; and the parameter counts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../../src/engine/index.js';
import { buildNetwork, fromOfficialAdapterGNN, maskedBce, parameterCounts } from '../../../src/systems/adaptergnn/model.js';
import { resolveConfig } from '../../../src/systems/adaptergnn/config.js';
import { PretrainNet } from '../../../src/systems/adaptergnn/pretrain.js';
import { gatherRows } from '../../../src/engine/ops.js';
import '../../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

interface T {
  shape: number[];
  data: number[];
}
const fx = JSON.parse(readFileSync(new URL('../../fixtures/adaptergnn/forward.json', import.meta.url), 'utf8')) as {
  batch: Record<'x' | 'edge_index' | 'edge_attr' | 'batch', T>;
  adapter: {
    config: { num_layer: number; emb_dim: number; bottleneck: number; num_tasks: number; labels: number[][] };
    state_dict: Record<string, T>;
    eval_logits: T;
    train_logits: T;
    train_loss: number;
    grads: Record<string, T>;
    running_stats_after_train_forward: Record<string, T>;
  };
  adapter_zero_init: { state_dict_overrides: Record<string, T>; grads: Record<string, T> } & Record<string, unknown>;
  masking: { gnn_state_dict: Record<string, T>; head_state_dict: Record<string, T>; masked_atom_indices: number[]; labels: number[]; x_masked: T; eval_logits: T; eval_ce: number };
  param_counts: Record<string, { tuned: number; total: number } | number>;
};

const tensor = (t: T, dtype: 'float32' | 'int32' = 'float32') => tf.tensor(t.data, t.shape, dtype);
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));
const dict = (d: Record<string, T>) => new Map(Object.entries(d).map(([k, v]) => [k, tensor(v)]));

function inputs() {
  const b = fx.batch;
  return {
    x: tensor(b.x, 'int32') as tf.Tensor2D,
    ei: tensor(b.edge_index, 'int32') as tf.Tensor2D,
    ea: tensor(b.edge_attr, 'int32') as tf.Tensor2D,
    batch: tensor(b.batch, 'int32') as tf.Tensor1D,
    G: 3,
  };
}

function officialNet() {
  const c = fx.adapter.config;
  const net = buildNetwork(resolveConfig({ mode: 'adapter', numLayer: c.num_layer, embDim: c.emb_dim, bottleneck: c.bottleneck, dropRatio: 0 }), c.num_tasks, 0);
  const src = dict(fx.adapter.state_dict);
  const mapped = fromOfficialAdapterGNN(src);
  net.loadStateDict(mapped);
  tf.dispose([...src.values(), ...mapped.values()]);
  return net;
}

test('adapter model = official AdapterGNN_graphpred: eval logits, train-mode logits and loss (1e-4)', () => {
  const net = officialNet();
  const { x, ei, ea, batch, G } = inputs();
  net.eval();
  const ev = net.forward(x, ei, ea, batch, G);
  assert.ok(maxDiff(ev.dataSync(), fx.adapter.eval_logits.data) < 1e-4, `eval logits differ by ${maxDiff(ev.dataSync(), fx.adapter.eval_logits.data)}`);
  net.train();
  const tr = net.forward(x, ei, ea, batch, G);
  assert.ok(maxDiff(tr.dataSync(), fx.adapter.train_logits.data) < 1e-4);
  const y = tf.tensor2d(fx.adapter.config.labels);
  const loss = maskedBce(tr, y);
  assert.ok(Math.abs(loss.dataSync()[0]! - fx.adapter.train_loss) < 1e-5);
  // The training forward moved the backbone BatchNorms' running statistics as torch's did.
  const state = net.stateDict();
  const stats = fromOfficialAdapterGNN(dict(fx.adapter.running_stats_after_train_forward));
  for (const [k, v] of stats) assert.ok(maxDiff(state.get(k)!.dataSync(), v.dataSync()) < 1e-4, k);
  tf.dispose([...stats.values()]);
  tf.dispose([ev, tr, y, loss, x, ei, ea, batch]);
  net.dispose();
});

test('adapter model: gradients of exactly the official trainable set equal torch (1e-4 relative)', () => {
  const net = officialNet();
  const { x, ei, ea, batch, G } = inputs();
  net.train();
  const y = tf.tensor2d(fx.adapter.config.labels);
  const named = net.namedTrainable();
  const { value, grads } = tf.variableGrads(
    () => maskedBce(net.forward(x, ei, ea, batch, G), y),
    named.map(([, v]) => v),
  );
  const byName = new Map(named.map(([n, v]) => [n, grads[v.name]!]));
  // Every official trainable parameter maps to one of ours, and nothing else trains.
  const mapped = fromOfficialAdapterGNN(dict(fx.adapter.grads));
  assert.deepEqual([...byName.keys()].sort(), [...mapped.keys()].sort());
  for (const [k, g] of mapped) {
    const ours = byName.get(k)!.dataSync();
    const scale = Math.max(1e-6, ...Array.from(g.dataSync(), Math.abs));
    // Relative to the largest entry; the up-projection biases feed a BatchNorm in training mode, so their true gradient is 0 and both sides hold float noise (~1e-7).
    assert.ok(maxDiff(ours, g.dataSync()) < 1e-4 * scale + 1e-6, `${k}: ${maxDiff(ours, g.dataSync())} (scale ${scale})`);
  }
  tf.dispose([value, y, x, ei, ea, batch, ...Object.values(grads), ...mapped.values()]);
  net.dispose();
});

test('attribute masking: official model.GNN + Linear(16, 119) logits at the masked atoms and CE equal torch (1e-4)', () => {
  const m = fx.masking;
  const net = new PretrainNet({ numLayer: 2, embDim: 16, JK: 'last', dropRatio: 0, strategy: 'masking' }, 0);
  const g = dict(m.gnn_state_dict);
  const h = dict(m.head_state_dict);
  net.gnn.loadStateDict(g);
  net.head!.loadStateDict(h);
  net.eval();
  const { ei, ea } = inputs();
  const xm = tensor(m.x_masked, 'int32') as tf.Tensor2D;
  const logits = tf.tidy(() => net.head!.forward(gatherRows(net.gnn.forward(xm, ei, ea), m.masked_atom_indices)));
  assert.ok(maxDiff(logits.dataSync(), m.eval_logits.data) < 1e-4, `${maxDiff(logits.dataSync(), m.eval_logits.data)}`);
  const ce = tf.tidy(() => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(m.labels, 'int32'), 119), logits).dataSync()[0]!);
  assert.ok(Math.abs(ce - m.eval_ce) < 1e-4);
  tf.dispose([...g.values(), ...h.values(), xm, ei, ea, logits]);
  net.dispose();
});

test('parameter counts equal the official models’ (adapter, full and LoRA, 5 × 300 and 5 × 64, one task)', () => {
  const pc = fx.param_counts as Record<string, { tuned: number; total: number }>;
  for (const [mode, size] of [
    ['adapter', 300],
    ['adapter', 64],
    ['full', 300],
    ['full', 64],
    ['lora', 300],
    ['lora', 64],
  ] as const) {
    const net = buildNetwork(resolveConfig({ mode, embDim: size }), 1, 0);
    const want = pc[`${mode}_5x${size}`]!;
    assert.deepEqual(parameterCounts(net), { trainable: want.tuned, total: want.total }, `${mode} 5 × ${size}`);
    net.dispose();
  }
});

test('--pretrained <file.safetensors>: a pretrain-gnns GNN state dict loads by its names; a wrong size is refused', async () => {
  const { MemoryStorage } = await import('../../../src/io/storage.js');
  const { saveSafetensors } = await import('../../../src/io/safetensors.js');
  const { loadBackbone } = await import('../../../src/systems/adaptergnn/backbone.js');
  const storage = new MemoryStorage();
  const src = dict(fx.masking.gnn_state_dict);
  await saveSafetensors(storage, 'masking.safetensors', src);
  const b = await loadBackbone(storage, 'masking.safetensors', { numLayer: 2, embDim: 16 });
  const net = buildNetwork(resolveConfig({ mode: 'adapter', numLayer: 2, embDim: 16, bottleneck: 3 }), 1, 0);
  const left = net.loadPretrained(b!.tensors);
  assert.ok(left.length > 0 && left.every((k) => k.startsWith('adapters_')), 'only the adapters keep their initial values');
  const w = net.stateDict().get('gnn.gnns.1.mlp.2.weight')!;
  assert.deepEqual(Array.from(w.dataSync()), Array.from(src.get('gnns.1.mlp.2.weight')!.dataSync()));
  await assert.rejects(loadBackbone(storage, 'masking.safetensors', { numLayer: 5, embDim: 64 }), /2 layers × 16/);
  tf.dispose([...src.values(), ...b!.tensors.values()]);
  net.dispose();
});
