/**
 * The networks of each fine-tuning mode on the shared Hu et al. GIN (src/nn/graph/gnn.ts), and
 * exactly which parameters each one trains (docs/research/graph.md §1a, "what is trained").
 * Frozen parameters are left out of the optimiser and of the gradient computation.
 */
import * as tf from '@tensorflow/tfjs-core';
import { GNNGraphPred } from '../../nn/graph/gnn.js';
import { Adapter } from '../../nn/adapter.js';
import { applyLoRA, isLoRAParameter } from '../../nn/peft/lora.js';
import { Rng } from '../../util/random.js';
import type { AdapterGNNConfig, TuningMode } from './config.js';

/** Branch names of the two parallel adapters (adapter 0 reads the layer input, adapter 1 the summed messages). */
export const ADAPTER_BRANCHES = ['adapters_in', 'adapters_msg'] as const;

/** A GIN-MLP bias (`gnn.gnns.3.mlp.0.bias`), trained in the adapter and LoRA modes. */
const MLP_BIAS = /^gnn\.gnns\.\d+\.mlp\.\d+\.bias$/;

/** Build the network of a configuration for `numTasks` tasks, with the mode's trainable set. Weights are random. */
export function buildNetwork(
  cfg: Pick<AdapterGNNConfig, 'numLayer' | 'embDim' | 'JK' | 'graphPooling' | 'dropRatio' | 'mode' | 'bottleneck' | 'adapterScale' | 'loraRank'>,
  numTasks: number,
  seed: number,
): GNNGraphPred {
  const rng = new Rng(seed);
  const net = new GNNGraphPred(cfg.numLayer, cfg.embDim, numTasks, rng, { JK: cfg.JK, dropRatio: cfg.dropRatio, graphPooling: cfg.graphPooling });
  try {
    const branchRng = rng.fork();
    if (cfg.mode === 'adapter') {
      const make = () => new Adapter(cfg.embDim, cfg.bottleneck, branchRng, { residual: false, scale: { learnable: cfg.adapterScale }, norm: 'batchnorm' });
      for (const name of ADAPTER_BRANCHES) net.gnn.addBranch(name, name === 'adapters_in' ? 'input' : 'aggregate', make);
    } else if (cfg.mode === 'lora') {
      // The official variant (chem/model_lora.py): Linear(in, r) → Linear(r, out), both with a bias, beside each
      // GIN-MLP linear; the second zero-initialised; no alpha/r scaling (alpha = r).
      applyLoRA(net, /^gnn\.gnns\.\d+\.mlp\.[02]$/, branchRng, { r: cfg.loraRank, alpha: cfg.loraRank, bias: true, freezeOthers: false });
    }
    setTrainable(net, cfg.mode);
    return net;
  } catch (e) {
    net.dispose();
    throw e;
  }
}

/** Freeze and unfreeze by name for a mode (the official optimiser's parameter groups). */
export function setTrainable(net: GNNGraphPred, mode: TuningMode): void {
  net.unfreeze();
  if (mode === 'full' || mode === 'scratch') return;
  net.freeze();
  net.unfreeze('graph_pred_linear');
  if (net.pool) net.unfreeze('pool');
  if (mode === 'linear') return;
  net.unfreeze('gnn.batch_norms');
  net.unfreeze(MLP_BIAS);
  if (mode === 'adapter') for (const b of ADAPTER_BRANCHES) net.unfreeze(`gnn.${b}`);
  if (mode === 'lora') net.unfreeze(isLoRAParameter);
}

/** Trainable and total parameter counts. */
export function parameterCounts(net: GNNGraphPred): { trainable: number; total: number } {
  return { trainable: net.numParameters(true), total: net.numParameters() };
}

/** Masked BCE with logits over valid labels (labels +1/−1, 0 = missing), averaged over the valid count (official `finetune.train`). */
export function maskedBce(logits: tf.Tensor2D, labels: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const valid = tf.cast(tf.notEqual(labels, 0), 'float32');
    const target = tf.div(tf.add(labels, 1), 2);
    // log(1 + e^−|z|) + max(z, 0) − z·y, the stable BCE-with-logits.
    const per = tf.add(tf.sub(tf.relu(logits), tf.mul(logits, target)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))));
    const count = tf.maximum(tf.sum(valid), 1);
    return tf.div(tf.sum(tf.mul(per, valid)), count) as tf.Scalar;
  });
}

/**
 * Weights of an official AdapterGNN model (`AdapterGNN_graphpred.state_dict()`, e.g. saved after
 * `finetune.py`) under Sheaf's names: adapter k of layer l is `gnn.prompts.{k}.{l}` (a
 * Sequential Linear, ReLU, Linear, BatchNorm: children 0, 2, 3) → `gnn.adapters_{in|msg}.{l}.
 * {down_proj|up_proj|norm}`, and the scalars `gnn.gating_parameter` [2, L, 1] → each adapter's
 * `scale`. The `gnn.gating` alias of the scalars is dropped. The caller
 * owns the returned tensors (the inputs are not disposed).
 */
export function fromOfficialAdapterGNN(dict: ReadonlyMap<string, tf.Tensor>): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  const child: Record<string, string> = { '0': 'down_proj', '2': 'up_proj', '3': 'norm' };
  for (const [k, v] of dict) {
    if (k === 'gnn.gating') continue;
    if (k === 'gnn.gating_parameter') {
      const [K, L] = v.shape as [number, number, number];
      for (let a = 0; a < K; a++)
        for (let l = 0; l < L; l++)
          out.set(
            `gnn.${ADAPTER_BRANCHES[a]}.${l}.scale`,
            tf.tidy(() => tf.reshape(tf.slice(v, [a, l, 0], [1, 1, 1]), [1])),
          );
      continue;
    }
    const m = /^gnn\.prompts\.(\d+)\.(\d+)\.(\d+)\.(.+)$/.exec(k);
    if (m) {
      const branch = ADAPTER_BRANCHES[Number(m[1])];
      const c = child[m[3]!];
      if (!branch || !c) throw new Error(`official AdapterGNN state dict: unexpected key '${k}'`);
      out.set(`gnn.${branch}.${m[2]}.${c}.${m[4]}`, tf.clone(v));
    } else out.set(k, tf.clone(v));
  }
  return out;
}
