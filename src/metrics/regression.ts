/**
 * Point-forecast error metrics on flattened arrays (any layout, e.g. [windows × horizon × nodes]
 * row-major, as long as `target` and `forecast` use the same one). All sums run in float64
 * whatever the input element type. Argument order is (target, forecast) everywhere, like
 * StemGNN's `evaluate(y, y_hat)`.
 */
import { checkPair, type NumericArray } from './checks.js';

/** Mean absolute error, mean |forecast − target|, in the units of the data. */
export function mae(target: NumericArray, forecast: NumericArray): number {
  checkPair('mae', 'target', target, 'forecast', forecast);
  let s = 0;
  for (let i = 0; i < target.length; i++) s += Math.abs(forecast[i]! - target[i]!);
  return s / target.length;
}

/** Root mean squared error, √mean (forecast − target)², in the units of the data. */
export function rmse(target: NumericArray, forecast: NumericArray): number {
  checkPair('rmse', 'target', target, 'forecast', forecast);
  let s = 0;
  for (let i = 0; i < target.length; i++) {
    const d = forecast[i]! - target[i]!;
    s += d * d;
  }
  return Math.sqrt(s / target.length);
}

/**
 * MAPE exactly as StemGNN's official code computes it (microsoft/StemGNN `utils/math_utils.py`,
 * function `MAPE`, used by `evaluate`), returned as a **fraction** (0.05 = 5 %), not a percentage.
 *
 * Per element: r = |forecast − target| / |target| + 1e-5, then r is replaced by 5 when r > 5;
 * the result is the mean of r over all elements. Consequences, reproduced on purpose for parity:
 * - the 1e-5 is added to the *ratio*, not to the denominator, so it does not guard against zeros;
 * - target = 0 with forecast ≠ 0 gives r = ∞, which the cap turns into 5 (a 500 % error);
 * - target = 0 with forecast = 0 gives 0/0 = NaN, which is not > 5, stays NaN and makes the whole
 *   result NaN;
 * - every element carries the +1e-5, so a perfect forecast scores 1e-5, not 0.
 * The official code evaluates in the arrays' dtype (float32 from PyTorch) before casting to
 * float64; this computes in float64 throughout, so results can differ in the ~7th digit.
 * Use {@link maskedMape} for the usual "ignore zero targets" definition.
 */
export function mapeStemGNN(target: NumericArray, forecast: NumericArray): number {
  checkPair('mapeStemGNN', 'target', target, 'forecast', forecast);
  let s = 0;
  for (let i = 0; i < target.length; i++) {
    const t = target[i]!;
    let r = Math.abs(forecast[i]! - t) / Math.abs(t) + 1e-5;
    if (r > 5) r = 5; // NaN > 5 is false: NaN survives, as in numpy's np.where(mape > 5, 5, mape)
    s += r;
  }
  return s / target.length;
}

/**
 * Masked MAPE as a fraction: mean of |forecast − target| / |target| over the elements with
 * |target| > `eps`; elements with |target| ≤ eps are skipped entirely (neither numerator nor count).
 * No offset and no cap. With the default eps = 0 only exact zeros are skipped, which is what the
 * official (unused) StemGNN `masked_MAPE` does (mask `v == 0`). Returns NaN when every target is
 * masked, as `masked_MAPE` does — there is no defined value then.
 * @param eps non-negative threshold on |target|, in the units of the data.
 */
export function maskedMape(target: NumericArray, forecast: NumericArray, eps = 0): number {
  checkPair('maskedMape', 'target', target, 'forecast', forecast);
  if (!(eps >= 0)) throw new RangeError(`maskedMape: eps must be a non-negative number, got ${eps}`);
  let s = 0;
  let n = 0;
  for (let i = 0; i < target.length; i++) {
    const a = Math.abs(target[i]!);
    if (a <= eps) continue;
    s += Math.abs(forecast[i]! - target[i]!) / a;
    n++;
  }
  return n === 0 ? Number.NaN : s / n;
}

/** The four forecast scores returned by {@link evaluateForecast}. MAPEs are fractions, not %. */
export interface ForecastScores {
  mae: number;
  rmse: number;
  /** StemGNN's official MAPE ({@link mapeStemGNN}): +1e-5 offset, capped at 5, NaN on 0/0. */
  mape: number;
  /** MAPE over non-zero targets only ({@link maskedMape} with eps = 0). */
  maskedMape: number;
}

/**
 * The scores of StemGNN's official `evaluate(y, y_hat)` (MAE, RMSE, MAPE averaged over every
 * element, i.e. `by_step = by_node = False`), plus the masked MAPE the official code defines but
 * never calls.
 *
 * Scale: `evaluate` itself is scale-agnostic. The official `validate` calls it twice — on the
 * **de-normalised (raw-scale)** arrays, which is what the paper's tables, the "RAW" log line and
 * model selection (lowest validation raw MAE) use, and on the normalised arrays for the "NORM" log
 * line. To reproduce published numbers pass raw-scale (de-normalised) target and forecast.
 * @param target ground truth, flattened (e.g. [count × horizon × nodes]).
 * @param forecast predictions in the same layout and units.
 */
export function evaluateForecast(target: NumericArray, forecast: NumericArray): ForecastScores {
  return {
    mae: mae(target, forecast),
    rmse: rmse(target, forecast),
    mape: mapeStemGNN(target, forecast),
    maskedMape: maskedMape(target, forecast),
  };
}
