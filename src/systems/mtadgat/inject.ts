/**
 * A seeded generator of labelled anomalies injected into a real multivariate series — a
 * SYNTHETIC benchmark: the series is real, the anomalies and their labels are ours. The first
 * `trainRows` rows are left untouched (the training part); in the next `testRows` rows, `count`
 * non-overlapping events are injected, cycling through the kinds:
 *
 * - `spike`: 1–3 steps on 1–3 features, x += ±(4…8)·σ;
 * - `level_shift`: 10–30 steps on 1–2 features, x += ±(1.5…3)·σ;
 * - `correlation_break`: 10–30 steps on one feature j, whose values are replaced by another
 *   feature i's values from 3 steps earlier, rescaled to j's mean and σ — j keeps its level and
 *   spread but no longer moves with the others;
 * - `flatline`: 7–21 steps on 1–2 features, x held at its value when the event starts (stuck sensor).
 *
 * σ and means are per-feature statistics of the training rows. Every injected step is labelled
 * 1; events are separated by at least `gap` normal steps. Same seed, same files.
 */
import { formatCsv } from '../../data/csv.js';
import { Rng } from '../../util/random.js';
import { UsageError } from '../../util/errors.js';
import type { Series } from './data.js';

export type AnomalyKind = 'spike' | 'level_shift' | 'correlation_break' | 'flatline';
export const ANOMALY_KINDS: readonly AnomalyKind[] = ['spike', 'level_shift', 'correlation_break', 'flatline'];

/** One injected event (test-row indices, inclusive). */
export interface InjectedEvent {
  kind: AnomalyKind;
  start: number;
  end: number;
  features: string[];
  /** Shift in training σ (spike/level shift), per feature. */
  magnitude?: number[];
  /** correlation_break: the feature whose values were copied in. */
  source?: string;
}

/** Options of {@link injectAnomalies}. */
export interface InjectOptions {
  seed: number;
  /** Rows [skip, skip + trainRows) form the clean training part. */
  trainRows: number;
  /** Rows after the training part used for the test part (default: all the rest). */
  testRows?: number;
  /** Leading rows to skip. Default 0. */
  skip?: number;
  /** Number of events. Default 16. */
  count?: number;
  /** Kinds to cycle through. Default all four. */
  kinds?: readonly AnomalyKind[];
  /** Minimum normal steps between events (and before the first one). Default 30. */
  gap?: number;
}

export interface InjectedData {
  train: Series;
  test: Series;
  labels: Uint8Array;
  events: InjectedEvent[];
}

const LENGTHS: Record<AnomalyKind, [number, number]> = {
  spike: [1, 3],
  level_shift: [10, 30],
  correlation_break: [10, 30],
  flatline: [7, 21],
};

/** Inject labelled anomalies into the test part of a series. */
export function injectAnomalies(series: Series, featureNames: string[], o: InjectOptions): InjectedData {
  const skip = o.skip ?? 0;
  const count = o.count ?? 16;
  const gap = o.gap ?? 30;
  const kinds = o.kinds ?? ANOMALY_KINDS;
  const k = series.cols;
  if (kinds.length === 0) throw new UsageError('inject: give at least one anomaly kind');
  if (!(Number.isInteger(o.trainRows) && o.trainRows > 1)) throw new UsageError(`inject: trainRows must be an integer > 1, got ${o.trainRows}`);
  const testRows = o.testRows ?? series.rows - skip - o.trainRows;
  if (!(Number.isInteger(testRows) && testRows > 0) || skip + o.trainRows + testRows > series.rows) {
    throw new UsageError(`inject: skip ${skip} + train ${o.trainRows} + test ${testRows} rows exceed the ${series.rows} rows of the series`);
  }
  if (kinds.includes('correlation_break') && k < 2) throw new UsageError('inject: a correlation break needs at least 2 features');
  const rng = new Rng(o.seed);
  const train: Series = { data: series.data.slice(skip * k, (skip + o.trainRows) * k), rows: o.trainRows, cols: k };
  const clean = series.data.slice((skip + o.trainRows) * k, (skip + o.trainRows + testRows) * k);
  const test: Series = { data: Float32Array.from(clean), rows: testRows, cols: k };
  // Training statistics (float64).
  const mean = new Float64Array(k);
  const sd = new Float64Array(k);
  for (let r = 0; r < train.rows; r++) for (let c = 0; c < k; c++) mean[c]! += train.data[r * k + c]!;
  for (let c = 0; c < k; c++) mean[c]! /= train.rows;
  for (let r = 0; r < train.rows; r++) for (let c = 0; c < k; c++) sd[c]! += (train.data[r * k + c]! - mean[c]!) ** 2;
  for (let c = 0; c < k; c++) sd[c] = Math.sqrt(sd[c]! / train.rows) || 1;

  // Event lengths first, then positions: split the free room into count + 1 random gaps.
  const plan = Array.from({ length: count }, (_, i) => {
    const kind = kinds[i % kinds.length]!;
    const [lo, hi] = LENGTHS[kind];
    return { kind, len: lo + rng.int(hi - lo + 1) };
  });
  const busy = plan.reduce((a, p) => a + p.len, 0) + gap * count;
  const room = testRows - busy;
  if (room < 0) throw new UsageError(`inject: ${count} events need at least ${busy} test rows; the test part has ${testRows} (lower --count or raise --test-rows)`);
  const cuts = Array.from({ length: count }, () => rng.uniform() * room).sort((a, b) => a - b);
  const events: InjectedEvent[] = [];
  const labels = new Uint8Array(testRows);
  let prevCut = 0;
  let pos = 0;
  const pickFeatures = (m: number): number[] => Array.from(rng.choice(k, Math.min(m, k), false)).sort((a, b) => a - b);
  for (let e = 0; e < count; e++) {
    pos += gap + Math.floor(cuts[e]! - prevCut);
    prevCut = Math.floor(cuts[e]!);
    const { kind, len } = plan[e]!;
    const start = pos;
    const end = pos + len - 1;
    pos = end + 1;
    const ev: InjectedEvent = { kind, start, end, features: [] };
    if (kind === 'spike' || kind === 'level_shift') {
      const feats = pickFeatures(kind === 'spike' ? 1 + rng.int(3) : 1 + rng.int(2));
      const mags = feats.map(() => (rng.uniform() < 0.5 ? -1 : 1) * (kind === 'spike' ? 4 + 4 * rng.uniform() : 1.5 + 1.5 * rng.uniform()));
      feats.forEach((c, fi) => {
        for (let t = start; t <= end; t++) test.data[t * k + c] = test.data[t * k + c]! + mags[fi]! * sd[c]!;
      });
      ev.features = feats.map((c) => featureNames[c]!);
      ev.magnitude = mags.map((m) => Math.round(m * 1000) / 1000);
    } else if (kind === 'correlation_break') {
      const j = rng.int(k);
      let i = rng.int(k - 1);
      if (i >= j) i++;
      const lag = 3;
      for (let t = start; t <= end; t++) {
        const src = t - lag >= 0 ? clean[(t - lag) * k + i]! : clean[t * k + i]!;
        test.data[t * k + j] = mean[j]! + ((src - mean[i]!) / sd[i]!) * sd[j]!;
      }
      ev.features = [featureNames[j]!];
      ev.source = featureNames[i]!;
    } else {
      const feats = pickFeatures(1 + rng.int(2));
      for (const c of feats) {
        const v = test.data[start * k + c]!;
        for (let t = start; t <= end; t++) test.data[t * k + c] = v;
      }
      ev.features = feats.map((c) => featureNames[c]!);
    }
    for (let t = start; t <= end; t++) labels[t] = 1;
    events.push(ev);
  }
  return { train, test, labels, events };
}

/** The injected set as files: `train.csv`, `test.csv` (with header), `test_label.txt` and `events.json`. */
export function injectedFiles(d: InjectedData, featureNames: string[], meta: Record<string, unknown>): Array<{ name: string; kind: string; text: string }> {
  return [
    { name: 'train.csv', kind: 'train', text: formatCsv(featureNames, d.train.data, d.train.cols) },
    { name: 'test.csv', kind: 'test', text: formatCsv(featureNames, d.test.data, d.test.cols) },
    { name: 'test_label.txt', kind: 'labels', text: Array.from(d.labels).join('\n') + '\n' },
    {
      name: 'events.json',
      kind: 'events',
      text: JSON.stringify({ synthetic: true, note: 'anomalies injected by sheaf mtadgat inject into a real series; labels mark injected steps only', ...meta, events: d.events }, null, 2) + '\n',
    },
  ];
}
