/**
 * Sheaf side of `bench/vs_torch.ts`: one system, one config, in a fresh process, printing one JSON
 * line in the same shape as scripts/torch/*_torch.py. Process CPU seconds per training epoch (the
 * training pass only: from the end of the previous epoch's validation to the last batch of this
 * one, through the system's own training function and so the shared `fit` loop) and for inference.
 *
 *   npx tsx bench/vs_torch_sheaf.ts stemgnn --multi_layer 5 --lr 1e-4 --epochs 2
 *   npx tsx bench/vs_torch_sheaf.ts mtadgat --epochs 2
 *   npx tsx bench/vs_torch_sheaf.ts adaptergnn --mode adapter --epochs 2
 *   npx tsx bench/vs_torch_sheaf.ts tgsl --model tgsl --data /tmp/tgsl-data/syn5000.csv --epochs 2
 *   npx tsx bench/vs_torch_sheaf.ts bsm --steps 50
 */
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../src/engine/index.js';
import type { ProgressSink } from '../src/train/fit.js';
import { readSeriesTable } from '../src/data/table.js';
import { nodeStorage } from '../src/node/storage.js';
import { CHICAGO, resolveConfig } from '../src/systems/stemgnn/config.js';
import { prepareSeries } from '../src/systems/stemgnn/data.js';
import { trainStemGNN } from '../src/systems/stemgnn/train.js';
import { forecastWindows } from '../src/systems/stemgnn/evaluate.js';
import { WSN } from '../src/systems/mtadgat/config.js';
import { loadAnomalyData, applyMinMax, fitMinMax } from '../src/systems/mtadgat/data.js';
import { trainModel } from '../src/systems/mtadgat/train.js';
import { computeErrors } from '../src/systems/mtadgat/scores.js';
import { loadMolecules, splitMolecules } from '../src/systems/adaptergnn/data.js';
import { configSchema as adapterConfig, dataSchema as adapterData } from '../src/systems/adaptergnn/config.js';
import { fineTune } from '../src/systems/adaptergnn/train.js';
import { predictLogits } from '../src/systems/adaptergnn/evaluate.js';
import { loadTemporalData, buildContext, disposeContext } from '../src/systems/tgsl/data.js';
import { configSchema as tgslConfig, dataSchema as tgslData, resolveConfig as resolveTgsl } from '../src/systems/tgsl/config.js';
import { trainTGSL } from '../src/systems/tgsl/train.js';
import { drawQueries, scoreQueries, scoringRng } from '../src/systems/tgsl/evaluate.js';
import { configSchema as bsmConfig } from '../src/systems/bsm/config.js';
import { buildBSM } from '../src/systems/bsm/model.js';
import { alignedLMLoss } from '../src/nn/transformer/index.js';
import { AdamW } from '../src/optim/optimizers.js';
import { trainStep } from '../src/train/step.js';
import { Rng } from '../src/util/random.js';
import '../src/node/setup.js';

const argv = process.argv.slice(2);
const system = argv[0];
const opt = (name: string, dflt: number): number => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** A progress sink that records each epoch's training-pass CPU seconds (the loop reports the batch count). */
function epochTimer(): { sink: ProgressSink; epochs: Array<{ cpu_s: number; steps: number; loss: number }> } {
  const epochs: Array<{ cpu_s: number; steps: number; loss: number }> = [];
  let mark = cpu();
  let lossSum = 0;
  return {
    epochs,
    sink: {
      batch: (p) => {
        lossSum += p.loss;
        if (p.batches === undefined) throw new Error('the training loop did not report its batch count');
        if (p.batch === p.batches) epochs.push({ cpu_s: cpu() - mark, steps: p.batches, loss: lossSum / p.batches });
      },
      // After the epoch's validation: the next epoch's training starts here.
      epoch: () => {
        mark = cpu();
        lossSum = 0;
      },
    },
  };
}

const info = await initEngine({ backend: 'wasm' });
const engine = { backend: info.backend, native: info.native, threads: info.threads };
const epochs = opt('epochs', 2);

if (system === 'stemgnn') {
  const m = opt('multi_layer', 5);
  // The official defaults (window 12, horizon 3, 7:2:1, z-score, batch 32, RMSprop); no validation pass.
  const cfg = resolveConfig({ multiLayer: m, lr: opt('lr', 1e-4), epochs, validateEvery: epochs + 1 });
  const data = prepareSeries(await readSeriesTable(nodeStorage, CHICAGO), { window: cfg.window, horizon: cfg.horizon, splitRatios: cfg.splitRatios, norm: cfg.norm });
  const timer = epochTimer();
  const fitted = await trainStemGNN(data, cfg, { seed: 0, progress: timer.sink });
  const c0 = cpu();
  await forecastWindows(fitted.net, data.scaled, data.starts.test, 32);
  const infer = cpu() - c0;
  const parameters = fitted.net.numParameters();
  fitted.net.dispose();
  console.log(
    JSON.stringify({ system, side: 'sheaf', multi_layer: m, parameters, epochs: timer.epochs, infer_cpu_s: infer, infer_windows: data.starts.test.length, engine, tensors: tf.memory().numTensors }),
  );
} else if (system === 'mtadgat') {
  const data = await loadAnomalyData(nodeStorage, { data: WSN.train, test: WSN.test, labels: WSN.labels });
  const scaler = fitMinMax(data.train);
  const train = applyMinMax(data.train, scaler);
  const test = applyMinMax(data.test!, scaler);
  const lookback = opt('lookback', 50);
  const timer = epochTimer();
  const r = await trainModel({ series: train, model: { lookback }, train: { epochs, batchSize: 64 }, seed: 0, progress: timer.sink });
  const c0 = cpu();
  const { errors } = computeErrors(r.model, test, { batchSize: 256 });
  const score = cpu() - c0;
  console.log(
    JSON.stringify({
      system,
      side: 'sheaf',
      parameters: r.model.numParameters(),
      epochs: timer.epochs,
      score_cpu_s: score,
      scored_steps: errors.steps,
      forward_cpu_s: score,
      forward_windows: errors.steps,
      engine,
    }),
  );
  r.model.dispose();
} else if (system === 'adaptergnn') {
  // Run B of docs/research/graph.md §1e: GIN 5 × 64 from the shipped masking backbone, full hERG, scaffold split, batch 32.
  const i = argv.indexOf('--mode');
  const mode = (i >= 0 ? argv[i + 1] : 'adapter') as 'adapter' | 'full' | 'scratch';
  const data = await loadMolecules(nodeStorage, adapterData.parse({}));
  const cfg = adapterConfig.parse({ numLayer: 5, embDim: 64, epochs, mode, pretrained: mode === 'scratch' ? 'none' : 'auto' });
  const split = await splitMolecules(data, cfg, 0);
  const timer = epochTimer();
  const m = await fineTune(data, split, cfg, { storage: nodeStorage, seed: 0, progress: timer.sink });
  // Scoring the validation and test molecules (what the official driver times as its val + test evaluation).
  m.net.eval();
  const held = [...split.valid, ...split.test].map((k) => data.graphs[k]!);
  const c0 = cpu();
  predictLogits(m.net, held);
  const infer = cpu() - c0;
  console.log(JSON.stringify({ system, side: 'sheaf', mode, parameters: m.parameters, epochs: timer.epochs, infer_cpu_s: infer, infer_windows: held.length, engine }));
  m.net.dispose();
} else if (system === 'tgsl') {
  // docs/research/graph.md §2e: 32 wide, 10 neighbours, the official Wikipedia TGSL arguments, seed 2023, on a JODIE CSV.
  const i = argv.indexOf('--model');
  const model = i >= 0 ? argv[i + 1] : 'tgsl';
  const d = argv.indexOf('--data');
  if (d < 0) throw new Error('tgsl needs --data <JODIE CSV> (sheaf tgsl generate --out …)');
  const data = await loadTemporalData(nodeStorage, tgslData.parse({ data: argv[d + 1] }));
  const cfg = resolveTgsl(tgslConfig.parse({ width: 32, numNeighbors: 10, epochs, tgsl: model === 'tgsl', patience: 1000 }), data.graph.edgeDim);
  const ctx = buildContext(data, cfg, 2023);
  const timer = epochTimer();
  const m = await trainTGSL(ctx, cfg, { seed: 2023, progress: timer.sink });
  // Scoring the test and new-node test sets as the official test pass does (a positive and a negative per interaction).
  const c0 = cpu();
  let queries = 0;
  for (const [positions, sampler] of [
    [ctx.split.test, ctx.samplers.all],
    [ctx.split.newTest, ctx.samplers.newTest ?? ctx.samplers.all],
  ] as const) {
    const q = drawQueries(ctx, positions, sampler, scoringRng(2023, 'bench'), { batch: 200, mrr: 0, dropLast: false });
    scoreQueries(m.net, ctx, q, scoringRng(2023, 'bench-score'));
    queries += 2 * positions.length;
  }
  const infer = cpu() - c0;
  // The official driver reports the mean training CPU-s over its epochs; so does this side.
  const mean = timer.epochs.reduce((a, e) => a + e.cpu_s, 0) / timer.epochs.length;
  console.log(
    JSON.stringify({
      system,
      side: 'sheaf',
      model,
      parameters: m.parameters,
      epochs: [{ cpu_s: mean, steps: timer.epochs[0]?.steps ?? 0, loss: timer.epochs[timer.epochs.length - 1]?.loss ?? NaN }],
      epoch_cpu_s: timer.epochs.map((e) => e.cpu_s),
      infer_cpu_s: infer,
      infer_windows: queries,
      split: { train: ctx.split.train.length, test: ctx.split.test.length, newTest: ctx.split.newTest.length },
      engine,
    }),
  );
  m.net.dispose();
  disposeContext(ctx);
} else if (system === 'bsm') {
  // scripts/bsm/torch_bench.py's setting: the tiny decoder, AdamW (0.9, 0.95, wd 0.1), clip 1.0, 16 × 80 random tokens; greedy generation of 64 tokens for 16 prompts of 20.
  const steps = opt('steps', 50);
  const cfg = bsmConfig.parse({});
  const net = buildBSM(cfg, 0);
  const optimizer = new AdamW(net.namedTrainable(), { lr: 3e-3, betas: [0.9, 0.95], weightDecay: 0.1 });
  const rng = new Rng(1);
  const B = 16;
  const L = 80;
  const batches = Array.from({ length: 8 }, () => Int32Array.from({ length: B * (L + 1) }, () => 7 + rng.int(32)));
  const step = (i: number): number => {
    const b = batches[i % batches.length]!;
    const x = new Int32Array(B * L);
    const y = new Int32Array(B * L);
    for (let r = 0; r < B; r++) {
      x.set(b.subarray(r * (L + 1), r * (L + 1) + L), r * L);
      y.set(b.subarray(r * (L + 1) + 1, (r + 1) * (L + 1)), r * L);
    }
    const xt = tf.tensor2d(x, [B, L], 'int32');
    const yt = tf.tensor2d(y, [B, L], 'int32');
    const w = tf.ones([B, L]) as tf.Tensor2D;
    try {
      return trainStep({ optimizer, loss: () => alignedLMLoss(net.forward(xt).logits, yt, w), clipNorm: 1 });
    } finally {
      tf.dispose([xt, yt, w]);
    }
  };
  for (let i = 0; i < 5; i++) step(i);
  const c0 = cpu();
  let loss = 0;
  for (let i = 0; i < steps; i++) loss = step(i);
  const trainCpu = cpu() - c0;
  net.eval();
  const prompts = Array.from({ length: 16 }, () => Array.from({ length: 20 }, () => 7 + rng.int(32)));
  net.generate(prompts, { maxNewTokens: 64 });
  const c1 = cpu();
  net.generate(prompts, { maxNewTokens: 64 });
  const genCache = cpu() - c1;
  const c2 = cpu();
  net.generate(prompts, { maxNewTokens: 64, useCache: false });
  const genNoCache = cpu() - c2;
  const toks = 16 * 64;
  console.log(
    JSON.stringify({
      system,
      side: 'sheaf',
      parameters: net.numParameters(),
      epochs: [{ cpu_s: trainCpu, steps, loss }],
      train_tokens_per_cpu_s: (steps * B * L) / trainCpu,
      infer_cpu_s: genCache,
      infer_windows: toks,
      generate_tokens_per_cpu_s_cache: toks / genCache,
      generate_tokens_per_cpu_s_no_cache: toks / genNoCache,
      engine,
    }),
  );
  optimizer.dispose();
  net.dispose();
} else {
  throw new Error(`unknown system '${system}' (stemgnn, mtadgat, adaptergnn, tgsl or bsm)`);
}
process.exit(0);
