/**
 * Sheaf side of `bench/vs_torch.ts`: one system, one config, in a fresh process, printing one JSON
 * line in the same shape as scripts/torch/*_torch.py. Process CPU seconds per training epoch (the
 * training pass only) and for inference.
 *
 *   npx tsx bench/vs_torch_sheaf.ts stemgnn --multi_layer 5 --lr 1e-4 --epochs 2
 *   npx tsx bench/vs_torch_sheaf.ts mtadgat --epochs 2
 */
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../src/engine/index.js';
import { RMSprop } from '../src/train/optimizers.js';
import { Rng } from '../src/util/random.js';
import { CHICAGO_CSV, prepareSeries, readSeries } from '../src/models/stemgnn/data.js';
import { StemGNN } from '../src/models/stemgnn/model.js';
import { trainEpoch } from '../src/models/stemgnn/train.js';
import { forecastWindows } from '../src/models/stemgnn/evaluate.js';
import { loadAnomalyData, applyMinMax, fitMinMax } from '../src/models/mtadgat/data.js';
import { trainModel } from '../src/models/mtadgat/train.js';
import { computeErrors } from '../src/models/mtadgat/scores.js';
import { WSN } from '../src/models/mtadgat/cli.js';

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

const info = await initEngine({ backend: 'wasm' });
const engine = { backend: info.backend, native: info.native, threads: info.threads };
const epochs = opt('epochs', 2);

if (system === 'stemgnn') {
  const m = opt('multi_layer', 5);
  const data = prepareSeries(readSeries(CHICAGO_CSV), { window: 12, horizon: 3, splitRatios: [7, 2, 1], norm: 'z-score' });
  const model = new StemGNN({ nodes: 20, window: 12, horizon: 3, multiLayer: m }, 0);
  const optimizer = new RMSprop(model.namedTrainable(), { lr: opt('lr', 1e-4), eps: 1e-8 });
  const rng = new Rng(0);
  const out: Array<{ cpu_s: number; steps: number; loss: number }> = [];
  for (let e = 0; e < epochs; e++) {
    const c0 = cpu();
    const loss = await trainEpoch(model, data, optimizer, rng, 32);
    out.push({ cpu_s: cpu() - c0, steps: Math.ceil(data.starts.train.length / 32), loss });
  }
  const c0 = cpu();
  await forecastWindows(model, data.scaled, data.starts.test, 32);
  const infer = cpu() - c0;
  console.log(JSON.stringify({ system, side: 'sheaf', multi_layer: m, parameters: model.numParameters(), epochs: out, infer_cpu_s: infer, infer_windows: data.starts.test.length, engine, tensors: tf.memory().numTensors }));
} else if (system === 'mtadgat') {
  const data = loadAnomalyData({ data: WSN.train, test: WSN.test, labels: WSN.labels });
  const scaler = fitMinMax(data.train);
  const train = applyMinMax(data.train, scaler);
  const test = applyMinMax(data.test!, scaler);
  // CPU at the end of each training pass ('train' log) and of each validation pass ('valid' log):
  // an epoch's training CPU runs from the previous validation's end to its own 'train' log.
  let mark = cpu();
  const out: Array<{ cpu_s: number; steps: number; loss: number }> = [];
  const r = await trainModel({
    series: train,
    model: { lookback: opt('lookback', 50) },
    train: { epochs, bs: 64 },
    seed: 0,
    logEpoch: (_e, split, metrics) => {
      const now = cpu();
      if (split === 'train') out.push({ cpu_s: now - mark, steps: 0, loss: metrics['total_loss']! });
      mark = now;
    },
  });
  for (const e of out) e.steps = Math.ceil(r.trainWindows / 64);
  const c0 = cpu();
  const { errors } = computeErrors(r.model, test, { batchSize: 256 });
  const score = cpu() - c0;
  console.log(JSON.stringify({ system, side: 'sheaf', parameters: r.model.numParameters(), epochs: out, score_cpu_s: score, scored_steps: errors.steps, forward_cpu_s: score, forward_windows: errors.steps, engine }));
  r.model.dispose();
} else {
  throw new Error(`unknown system '${system}' (stemgnn or mtadgat)`);
}
process.exit(0);
