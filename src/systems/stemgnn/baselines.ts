/**
 * Naive forecasts on exactly the windows the model is scored on, so every StemGNN figure is
 * printed beside them: last value, seasonal naive and window mean. Inputs are row-major series
 * [rows, N]; outputs [count, H, N] (same layout as the model's forecasts).
 */
import { UsageError } from '../../util/errors.js';

/** Names of the baselines, as they appear in tables. */
export type BaselineName = 'last value' | 'seasonal naive' | 'window mean';

/** ŷ[t + h] = x[t − 1]: the last value of the window repeated over the horizon. */
export function lastValueForecast(series: Float32Array, cols: number, starts: Int32Array, window: number, horizon: number): Float32Array {
  const out = new Float32Array(starts.length * horizon * cols);
  for (let b = 0; b < starts.length; b++) {
    const last = (starts[b]! + window - 1) * cols;
    for (let h = 0; h < horizon; h++) out.set(series.subarray(last, last + cols), (b * horizon + h) * cols);
  }
  return out;
}

/**
 * Seasonal naive with period p: ŷ[t + h] = x[t + h − p·⌈(h + 1)/p⌉], i.e. the value one season
 * (or as many seasons as needed) earlier, taken from inside the window. Needs p ≤ window.
 */
export function seasonalNaiveForecast(series: Float32Array, cols: number, starts: Int32Array, window: number, horizon: number, period: number): Float32Array {
  if (!Number.isInteger(period) || period < 1 || period > window) {
    throw new UsageError(`seasonal period must be an integer in [1, window ${window}] (it is read from inside the window), got ${period}`);
  }
  const out = new Float32Array(starts.length * horizon * cols);
  for (let b = 0; b < starts.length; b++) {
    for (let h = 0; h < horizon; h++) {
      // Position inside the window of the same phase one or more seasons back.
      const pos = window - period + (h % period);
      const from = (starts[b]! + pos) * cols;
      out.set(series.subarray(from, from + cols), (b * horizon + h) * cols);
    }
  }
  return out;
}

/** ŷ[t + h] = mean of the window, per series. */
export function windowMeanForecast(series: Float32Array, cols: number, starts: Int32Array, window: number, horizon: number): Float32Array {
  const out = new Float32Array(starts.length * horizon * cols);
  const mean = new Float64Array(cols);
  for (let b = 0; b < starts.length; b++) {
    mean.fill(0);
    for (let t = 0; t < window; t++) {
      const o = (starts[b]! + t) * cols;
      for (let c = 0; c < cols; c++) mean[c]! += series[o + c]!;
    }
    for (let h = 0; h < horizon; h++) for (let c = 0; c < cols; c++) out[(b * horizon + h) * cols + c] = mean[c]! / window;
  }
  return out;
}

/** All three baselines on the same windows. */
export function baselineForecasts(series: Float32Array, cols: number, starts: Int32Array, window: number, horizon: number, seasonPeriod: number): Record<BaselineName, Float32Array> {
  return {
    'last value': lastValueForecast(series, cols, starts, window, horizon),
    'seasonal naive': seasonalNaiveForecast(series, cols, starts, window, horizon, seasonPeriod),
    'window mean': windowMeanForecast(series, cols, starts, window, horizon),
  };
}
