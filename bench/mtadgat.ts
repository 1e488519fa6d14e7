/**
 * MTAD-GAT benchmark at the acceptance setting on the shipped WSN data (k = 8, lookback 50,
 * batch 64, all other settings the reference's defaults: GATv2, hidden 150, 3 forecasting
 * layers, dropout 0.3, Adam 1e-3): seconds per training epoch (1 755 training windows; the
 * validation pass is timed separately), and scored steps per second (the 2 367 test steps:
 * forecast + shifted-window reconstruction, eval mode, batches of 256), plus memory.
 * `quick`: lookback 20, hidden 32, 400 training rows — for smoke tests.
 */
import * as tf from '@tensorflow/tfjs-core';
import { engineInfo, initEngine } from '../src/engine/index.js';
import { loadAnomalyData, applyMinMax, fitMinMax } from '../src/systems/mtadgat/data.js';
import { trainModel } from '../src/systems/mtadgat/train.js';
import { computeErrors } from '../src/systems/mtadgat/scores.js';
import { WSN } from '../src/systems/mtadgat/config.js';
import { nodeStorage } from '../src/node/storage.js';
import '../src/node/setup.js';

export async function bench(opts: { quick: boolean }): Promise<Record<string, number | string>> {
  if (!engineInfo()) await initEngine();
  const data = await loadAnomalyData(nodeStorage, { data: WSN.train, test: WSN.test, labels: WSN.labels });
  const scaler = fitMinMax(data.train);
  let train = applyMinMax(data.train, scaler);
  if (opts.quick) train = { ...train, data: train.data.slice(0, 400 * train.cols), rows: 400 };
  const test = applyMinMax(data.test!, scaler);
  const model = opts.quick ? { lookback: 20, gruHidDim: 32, fcHidDim: 32, reconHidDim: 32 } : { lookback: 50 };
  let peakRss = process.memoryUsage().rss;
  let peakBytes = tf.memory().numBytes;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await trainModel({
    series: train,
    model,
    train: { epochs: 1, batchSize: 64 },
    seed: 0,
    // Called at the end of each epoch (training and validation curves).
    curve: () => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      peakBytes = Math.max(peakBytes, tf.memory().numBytes);
    },
  });
  const totalSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const epochSeconds = r.history[0]!.seconds;
  const steps = Math.ceil(r.trainWindows / 64);
  const t1 = performance.now();
  const { errors } = computeErrors(r.model, test, { batchSize: 256 });
  const scoreSeconds = (performance.now() - t1) / 1000;
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const parameters = r.model.numParameters();
  r.model.dispose();
  return {
    setting: `WSN k=8 lookback ${model.lookback} batch 64 ${opts.quick ? 'hidden 32, 400 training rows (quick)' : 'hidden 150 (reference defaults)'}`,
    parameters,
    train_windows: r.trainWindows,
    train_steps_per_epoch: steps,
    train_seconds_per_epoch: round(epochSeconds),
    train_ms_per_step: round((1000 * epochSeconds) / steps),
    validation_seconds: round(totalSeconds - epochSeconds),
    train_cpu_seconds_per_epoch_incl_validation: round((cpu.user + cpu.system) / 1e6),
    scored_steps: errors.steps,
    scored_steps_per_second: round(errors.steps / scoreSeconds),
    peak_rss_mb: round(peakRss / 2 ** 20),
    tensor_mb_at_epoch_end: round(peakBytes / 2 ** 20),
    backend: tf.getBackend(),
  };
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
