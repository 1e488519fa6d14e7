/**
 * BSM benchmark at §1(e) configuration B (tiny decoder, 16 × 80 packed rows of the shipped recipe): training
 * tokens per second over 100 steps (after 10 warm-up steps), and greedy generation tokens per second for 16
 * prompts of 20 tokens × 64 new tokens, with and without the KV cache. `quick`: 20 steps.
 */
import * as tf from '@tensorflow/tfjs-core';
import { engineInfo, initEngine } from '../src/engine/index.js';
import { nodeStorage } from '../src/node/storage.js';
import { configSchema, dataSchema } from '../src/systems/bsm/config.js';
import { loadBSMData, trainingRows } from '../src/systems/bsm/data.js';
import { buildBSM } from '../src/systems/bsm/model.js';
import { alignedLMLoss } from '../src/nn/transformer/index.js';
import { AdamW } from '../src/optim/optimizers.js';
import { trainStep } from '../src/train/step.js';
import { Rng } from '../src/util/random.js';
import '../src/node/setup.js';

const round = (v: number, d = 0): number => Number(v.toFixed(d));
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

export async function bench(opts: { quick: boolean }): Promise<Record<string, number | string>> {
  if (!engineInfo()) await initEngine();
  const steps = opts.quick ? 20 : 100;
  const cfg = configSchema.parse({ steps: steps + 10 });
  const data = await loadBSMData(nodeStorage, dataSchema.parse({}));
  const rows = trainingRows(data.train, cfg, 0)[0]!.rows;
  const net = buildBSM(cfg, 0);
  const optimizer = new AdamW(net.namedTrainable(), { lr: cfg.lr, betas: [0.9, cfg.beta2], weightDecay: cfg.weightDecay });
  const B = cfg.batchSize;
  const L = cfg.context;
  const step = (s: number) => {
    const o = ((s * B) % Math.max(1, rows.rows - B)) * L;
    const x = tf.tensor2d(rows.inputs.slice(o, o + B * L), [B, L], 'int32');
    const y = tf.tensor2d(rows.targets.slice(o, o + B * L), [B, L], 'int32');
    const w = tf.tensor2d(rows.lossMask.slice(o, o + B * L), [B, L]);
    try {
      trainStep({ optimizer, loss: () => alignedLMLoss(net.forward(x).logits, y, w), clipNorm: cfg.clip });
    } finally {
      tf.dispose([x, y, w]);
    }
  };
  for (let s = 0; s < 10; s++) step(s);
  const t0 = performance.now();
  const c0 = cpu();
  for (let s = 10; s < 10 + steps; s++) step(s);
  const wall = (performance.now() - t0) / 1000;
  const cpuS = cpu() - c0;
  net.eval();
  const rng = new Rng(1);
  const prompts = Array.from({ length: 16 }, () => Array.from({ length: 20 }, () => 7 + rng.int(32)));
  net.generate(prompts, { maxNewTokens: 8 });
  const gen = (useCache: boolean) => {
    const t = performance.now();
    net.generate(prompts, { maxNewTokens: 64, useCache });
    return (16 * 64) / ((performance.now() - t) / 1000);
  };
  const out = {
    setting: `tiny BSM (${net.numParameters()} parameters), ${B} × ${L} packed rows of the shipped mix recipe, ${steps} timed steps; generation 16 prompts × 64 tokens`,
    train_tokens_per_second: round((steps * B * L) / wall),
    train_tokens_per_cpu_second: round((steps * B * L) / cpuS),
    ms_per_step: round((1000 * wall) / steps, 1),
    generate_tokens_per_second_cache: round(gen(true)),
    generate_tokens_per_second_no_cache: round(gen(false)),
  };
  optimizer.dispose();
  net.dispose();
  return out;
}
