/**
 * Forecasting new data with a trained model: read the last W rows of a T × N CSV, normalise with
 * the training statistics, forecast H steps, de-normalise and write an H × N CSV.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fillForwardBackward, formatCsv } from '../../data/index.js';
import { InputError } from '../../util/errors.js';
import type { Scaler } from '../../data/index.js';
import type { SeriesTable } from '../../data/table.js';
import type { StemGNNNet } from './model.js';
import type { FittedStemGNN } from './train.js';

/**
 * Forecast from raw windows. `windows` holds B windows of raw values [B, W, N] row-major (no NaN);
 * returns raw-scale forecasts [B, H, N]. All B windows form one batch (the graph is their mean).
 */
export async function forecastRaw(model: StemGNNNet, scaler: Scaler, windows: Float32Array): Promise<Float32Array> {
  const { nodes: N, window: W } = model.config;
  if (windows.length === 0 || windows.length % (W * N) !== 0) {
    throw new RangeError(`forecastRaw: ${windows.length} values are not whole windows of ${W} × ${N}`);
  }
  const B = windows.length / (W * N);
  const wasTraining = model.training;
  model.eval();
  try {
    const out = tf.tidy(() => model.forward(tf.tensor3d(scaler.transform(windows), [B, W, N])).forecast);
    const norm = (await out.data()) as Float32Array;
    out.dispose();
    return scaler.inverse(norm);
  } finally {
    model.train(wasTraining);
  }
}

/** What {@link forecastTable} returns. */
export interface TableForecast {
  /** Raw-scale forecast [H, N] row-major: row h is h + 1 steps after the file's last row. */
  forecast: Float32Array;
  horizon: number;
  series: string[];
  /** File lines of the W input rows used. */
  lines: [number, number];
}

/**
 * Forecast the H steps after the last row of a table from its last W rows (missing cells there
 * are filled forward then backward, as in training). Errors name file, line and column.
 */
export async function forecastTable(m: FittedStemGNN, t: SeriesTable): Promise<TableForecast> {
  const { nodes: N, window: W, horizon: H } = m.net.config;
  if (t.cols !== N) {
    throw new InputError(`has ${t.cols} columns but the model forecasts ${N} series`, { file: t.source, line: t.firstLine - (t.header ? 1 : 0) });
  }
  if (t.rows < W) {
    throw new InputError(`only ${t.rows} data rows (lines ${t.firstLine}–${t.firstLine + t.rows - 1}); the model needs the last ${W} rows as input`, {
      file: t.source,
      line: t.firstLine + t.rows - 1,
    });
  }
  const first = t.firstLine + t.rows - W;
  const last = t.firstLine + t.rows - 1;
  const window = t.data.slice((t.rows - W) * N);
  fillForwardBackward(window, W, N, { header: t.header, split: `input window (last ${W} rows, lines ${first}–${last})`, source: t.source });
  const forecast = await forecastRaw(m.net, m.scaler, window);
  const series = t.header ?? m.series;
  return { forecast, horizon: H, series, lines: [first, last] };
}

/**
 * The forecast as CSV in the input's own layout: a header of series names, then H rows × N
 * columns, row h being h steps after the input's last row (so it can be appended to the input).
 */
export function forecastCsv(f: TableForecast): string {
  return formatCsv(f.series, f.forecast, f.series.length);
}
