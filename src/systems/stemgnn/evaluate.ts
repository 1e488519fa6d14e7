/**
 * Inference and scoring as the official `validate`/`test` do it: the model in eval mode over the
 * windows of one split in order, in batches of 32 (the learned graph is a batch mean, so the
 * batch size is part of the protocol), forecasts and targets de-normalised, then MAE / RMSE /
 * MAPE (official zero rule) and masked MAPE — always beside the naive baselines.
 */
import * as tf from '@tensorflow/tfjs-core';
import { gatherWindows, type SplitName } from '../../data/index.js';
import { evaluateForecast, maskedMape, type ForecastScores } from '../../metrics/index.js';
import type { StemGNNNet } from './model.js';
import type { PreparedSeries } from './data.js';
import { baselineForecasts, type BaselineName } from './baselines.js';

/** Forecasts of `model` for windows starting at `starts` of a normalised series [rows, N]. */
export interface WindowForecasts {
  /** Normalised forecasts [count, H, N]. */
  forecast: Float32Array;
  /** The batch-mean graph averaged over batches (weighted by batch size), [N, N] row-major. */
  graph: Float32Array;
}

/**
 * Run the model (switched to eval mode) over windows in order, `batchSize` at a time. Optional
 * `signal` stops early (the result then covers fewer windows: check `forecast.length`).
 */
export async function forecastWindows(model: StemGNNNet, scaled: Float32Array, starts: Int32Array, batchSize = 32, signal?: AbortSignal): Promise<WindowForecasts> {
  const { nodes: N, window: W, horizon: H } = model.config;
  const wasTraining = model.training;
  model.eval();
  const forecast = new Float32Array(starts.length * H * N);
  const graph = new Float64Array(N * N);
  try {
    for (let s = 0; s < starts.length; s += batchSize) {
      if (signal?.aborted) break;
      const idx = starts.subarray(s, Math.min(starts.length, s + batchSize));
      const [f, g] = tf.tidy(() => {
        const x = tf.tensor3d(gatherWindows(scaled, N, idx, W), [idx.length, W, N]);
        const out = model.forward(x);
        return [out.forecast, out.attention];
      });
      forecast.set(await f.data(), s * H * N);
      const gv = await g.data();
      for (let i = 0; i < gv.length; i++) graph[i]! += gv[i]! * idx.length;
      tf.dispose([f, g]);
    }
  } finally {
    model.train(wasTraining);
  }
  return { forecast, graph: Float32Array.from(graph, (v) => v / Math.max(1, starts.length)) };
}

/** Scores of the model and the baselines on one split. */
export interface SplitEvaluation {
  split: SplitName;
  /** Number of windows scored. */
  windows: number;
  model: ForecastScores;
  /** MSE on the normalised scale (the training loss's scale). */
  normalisedMse: number;
  /** Scores of the baselines on the same windows (empty when not asked for). */
  baselines: Partial<Record<BaselineName, ForecastScores>>;
  /** De-normalised forecasts and targets [count, H, N] (row-major). */
  forecast: Float32Array;
  target: Float32Array;
  /** Mean learned graph over the split's batches [N, N]. */
  graph: Float32Array;
}

/** Forecast one split, de-normalise, and score model and baselines on the same windows. */
export async function evaluateSplit(
  model: StemGNNNet,
  data: PreparedSeries,
  split: SplitName,
  opts: { batchSize?: number; seasonPeriod?: number; signal?: AbortSignal; baselines?: boolean } = {},
): Promise<SplitEvaluation> {
  const { nodes: N, window: W, horizon: H } = model.config;
  const starts = data.starts[split];
  const { forecast: norm, graph } = await forecastWindows(model, data.scaled, starts, opts.batchSize ?? 32, opts.signal);
  const targetNorm = gatherWindows(data.scaled, N, starts, H, W);
  let se = 0;
  for (let i = 0; i < norm.length; i++) se += (norm[i]! - targetNorm[i]!) ** 2;
  const forecast = data.scaler.inverse(norm);
  const target = gatherWindows(data.evalRaw, N, starts, H, W);
  // Masked MAPE skips targets that are exactly 0 in the (filled) file; the normalise →
  // de-normalise round trip turns those zeros into ±1e-7, which a `== 0` mask would miss.
  const fileTarget = gatherWindows(data.filled, N, starts, H, W);
  const score = (f: Float32Array): ForecastScores => ({ ...evaluateForecast(target, f), maskedMape: maskedMape(fileTarget, f) });
  const baselines = {} as Record<BaselineName, ForecastScores>;
  if (opts.baselines !== false) {
    const base = baselineForecasts(data.evalRaw, N, starts, W, H, opts.seasonPeriod ?? 7);
    for (const [name, f] of Object.entries(base) as [BaselineName, Float32Array][]) baselines[name] = score(f);
  }
  return {
    split,
    windows: starts.length,
    model: score(forecast),
    normalisedMse: se / Math.max(1, norm.length),
    baselines,
    forecast,
    target,
    graph,
  };
}
