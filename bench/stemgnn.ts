/**
 * StemGNN benchmark at the official default setting on the shipped Chicago data (N = 20, W = 12,
 * H = 3, m = 5, batch 32, RMSprop): seconds per training epoch (train windows only, no
 * validation), forecasts per second (test windows in batches of 32, eval mode), and memory.
 * `quick`: m = 1 and 10 training batches, for smoke tests. The epoch is one epoch of the
 * system's own training loop (`trainStemGNN`, i.e. `fit`), with validation switched off.
 */
import * as tf from '@tensorflow/tfjs-core';
import { engineInfo, initEngine } from '../src/engine/index.js';
import { readSeriesTable } from '../src/data/table.js';
import { nodeStorage } from '../src/node/storage.js';
import { CHICAGO, resolveConfig } from '../src/systems/stemgnn/config.js';
import { prepareSeries } from '../src/systems/stemgnn/data.js';
import { trainStemGNN } from '../src/systems/stemgnn/train.js';
import { forecastWindows } from '../src/systems/stemgnn/evaluate.js';
import '../src/node/setup.js';

export async function bench(opts: { quick: boolean }): Promise<Record<string, number | string>> {
  if (!engineInfo()) await initEngine();
  const multiLayer = opts.quick ? 1 : 5;
  // The official defaults (window 12, horizon 3, 7:2:1, z-score, batch 32, RMSprop 1e-4); one
  // epoch and no validation pass (it validates every 2nd epoch), so the epoch is training only.
  const cfg = resolveConfig({ multiLayer, epochs: 1, validateEvery: 2 });
  const data = prepareSeries(await readSeriesTable(nodeStorage, CHICAGO), { window: cfg.window, horizon: cfg.horizon, splitRatios: cfg.splitRatios, norm: cfg.norm });
  // Quick mode trains on the first 10 batches' worth of windows only.
  const trainData = opts.quick ? { ...data, starts: { ...data.starts, train: data.starts.train.subarray(0, 320) } } : data;
  let peakRss = process.memoryUsage().rss;
  let peakBytes = tf.memory().numBytes;
  const sample = () => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    peakBytes = Math.max(peakBytes, tf.memory().numBytes);
  };
  const cpu0 = process.cpuUsage();
  const fitted = await trainStemGNN(trainData, cfg, { seed: 0 });
  const cpu = process.cpuUsage(cpu0);
  const model = fitted.net;
  const epochSeconds = fitted.history[0]!.trainSeconds;
  sample();
  const steps = Math.ceil(trainData.starts.train.length / 32);
  const t1 = performance.now();
  const { forecast } = await forecastWindows(model, data.scaled, data.starts.test, 32);
  const inferSeconds = (performance.now() - t1) / 1000;
  sample();
  const windows = data.starts.test.length;
  const parameters = model.numParameters();
  model.dispose();
  return {
    setting: `Chicago N=20 W=12 H=3 m=${multiLayer} batch 32 RMSprop${opts.quick ? ' (quick: 10 batches)' : ''}`,
    parameters,
    train_steps_per_epoch: steps,
    train_seconds_per_epoch: round(epochSeconds),
    train_cpu_seconds_per_epoch: round((cpu.user + cpu.system) / 1e6),
    train_ms_per_step: round((1000 * epochSeconds) / steps),
    forecasts_per_second: round(windows / inferSeconds),
    forecast_windows: windows,
    forecast_values: forecast.length,
    peak_rss_mb: round(peakRss / 2 ** 20),
    peak_tensor_mb: round(peakBytes / 2 ** 20),
    backend: tf.getBackend(),
  };
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
