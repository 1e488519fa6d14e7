/** StemGNN data protocol: reading, bad input, splits, filling, windows, normalisation, baselines. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../../src/util/errors.js';
import { mae } from '../../../src/metrics/index.js';
import { gatherWindows } from '../../../src/data/index.js';
import { readFileSync } from 'node:fs';
import { prepareSeries } from '../../../src/systems/stemgnn/data.js';
import { parseSeriesTable, type HeaderMode } from '../../../src/data/table.js';
import { localPath } from '../../../src/node/storage.js';

const CHICAGO_CSV = localPath('shipped:chicago-ridership/ridership.csv');
const readSeries = (p: string, header: HeaderMode = 'auto') => parseSeriesTable(readFileSync(p, 'utf8'), p, { header });
import { lastValueForecast, seasonalNaiveForecast, windowMeanForecast } from '../../../src/systems/stemgnn/baselines.js';

const dir = mkdtempSync(join(tmpdir(), 'stemgnn-data-'));
function csv(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
function rowsText(rows: number, cols: number, f: (t: number, c: number) => number | string): string {
  return Array.from({ length: rows }, (_, t) => Array.from({ length: cols }, (_, c) => String(f(t, c))).join(',')).join('\n') + '\n';
}
const opts = { window: 4, horizon: 2, splitRatios: [7, 2, 1] as [number, number, number], norm: 'z-score' as const };

function throwsInput(fn: () => unknown, ...parts: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    for (const p of parts) assert.match(e.message, p);
    return true;
  });
}

test('ragged rows and non-numeric cells are errors naming file, line and column', () => {
  const ragged = csv('ragged.csv', 'a,b,c\n1,2,3\n4,5\n');
  throwsInput(() => readSeries(ragged), /ragged\.csv/, /line 3/, /expected 3 cells/);
  const bad = csv('bad.csv', 'a,b\n1,2\n3,x7\n');
  throwsInput(() => readSeries(bad), /bad\.csv/, /line 3/, /column 2/, /field "b"/, /x7/);
});

test('a column with no value at all is an error naming file, line and column', () => {
  const p = csv('nan-col.csv', 'a,b,c\n1,NA,3\n4,,6\n7,NaN,9\n');
  throwsInput(() => readSeries(p), /nan-col\.csv/, /line 2/, /column 2/, /field "b"/, /no numeric value/);
});

test('fewer rows than window + horizon is an error naming file and line', () => {
  const p = csv(
    'short.csv',
    rowsText(5, 2, (t, c) => t + c),
  );
  throwsInput(() => prepareSeries(readSeries(p), opts), /short\.csv/, /line 5/, /window 4 \+ horizon 2 = 6/);
  // Enough rows overall but a split too short for one window: the split and its lines are named.
  const q = csv(
    'short-split.csv',
    rowsText(30, 2, (t, c) => t + c),
  );
  throwsInput(() => prepareSeries(readSeries(q), opts), /short-split\.csv/, /line 26/, /the valid split/, /lines 22–26/);
});

test('a header row is accepted and gives the same numbers as the header-less file', () => {
  const body = rowsText(100, 3, (t, c) => Math.sin(t / 3 + c) * 10 + c);
  const a = prepareSeries(readSeries(csv('h.csv', 'x,y,z\n' + body)), opts);
  const b = prepareSeries(readSeries(csv('nh.csv', body)), opts);
  assert.deepEqual(a.table.header, ['x', 'y', 'z']);
  assert.equal(b.table.header, null);
  assert.deepEqual(a.scaled, b.scaled);
  assert.equal(a.table.firstLine, 2);
  assert.equal(b.table.firstLine, 1);
});

test('7:2:1 split, each split filled on its own, windows never cross a split', () => {
  // 100 rows: train [0, 70), valid [70, 89), test [89, 100) (the official float truncation).
  const p = csv(
    'fill.csv',
    rowsText(100, 2, (t, c) => (c === 1 && (t === 70 || t === 71 || t === 69) ? 'NA' : t * (c + 1))),
  );
  const d = prepareSeries(readSeries(p), opts);
  assert.deepEqual(
    [d.split.train, d.split.valid, d.split.test],
    [
      [0, 70],
      [70, 89],
      [89, 100],
    ],
  );
  // Row 69 (end of train) takes train's previous value 68·2; rows 70, 71 (start of valid) take
  // valid's first value 72·2 (back-fill), not train's.
  assert.equal(d.filled[69 * 2 + 1], 136);
  assert.equal(d.filled[70 * 2 + 1], 144);
  assert.equal(d.filled[71 * 2 + 1], 144);
  for (const name of ['train', 'valid', 'test'] as const) {
    const [s, e] = d.split[name];
    const st = d.starts[name];
    assert.equal(st.length, e - s - 4 - 2 + 1);
    assert.equal(st[0], s);
    assert.ok(st[st.length - 1]! + 6 <= e);
  }
});

test('z-score uses train statistics with std 0 → 1; min-max clips valid/test to the train range', () => {
  // Column 0 is constant in train; column 1 grows, so valid/test exceed the train max.
  const p = csv(
    'norm.csv',
    rowsText(100, 2, (t, c) => (c === 0 ? (t < 70 ? 5 : 6) : t)),
  );
  const z = prepareSeries(readSeries(p), opts);
  assert.equal(z.scaled[0], 0); // (5 − 5) / 1
  assert.equal(z.scaled[80 * 2], 1); // (6 − 5) / 1
  const mm = prepareSeries(readSeries(p), { ...opts, norm: 'min-max' });
  assert.equal(mm.scaled[95 * 2 + 1], 1); // 95 > train max 69: clipped
  // The official de-normalisation (max − min + 1e-8) of the clipped value: ≈ 69, not 95.
  assert.ok(Math.abs(mm.evalRaw[95 * 2 + 1]! - 69) < 1e-3);
});

test('baselines on a hand-computed example', () => {
  // One series 0, 1, …, 9; window 4, horizon 2, period 2; window starting at row 3: x = 3, 4, 5, 6.
  const s = Float32Array.from({ length: 10 }, (_, i) => i);
  const starts = Int32Array.from([3]);
  assert.deepEqual(Array.from(lastValueForecast(s, 1, starts, 4, 2)), [6, 6]);
  assert.deepEqual(Array.from(windowMeanForecast(s, 1, starts, 4, 2)), [4.5, 4.5]);
  // ŷ[7] = x[5], ŷ[8] = x[6] (one period back).
  assert.deepEqual(Array.from(seasonalNaiveForecast(s, 1, starts, 4, 2, 2)), [5, 6]);
  // Period 1 repeats the last value; a horizon longer than the period wraps to the same phase.
  assert.deepEqual(Array.from(seasonalNaiveForecast(s, 1, starts, 4, 3, 1)), [6, 6, 6]);
  assert.deepEqual(Array.from(seasonalNaiveForecast(s, 1, starts, 4, 3, 2)), [5, 6, 5]);
  assert.throws(() => seasonalNaiveForecast(s, 1, starts, 4, 2, 5), /period/);
});

test('Chicago: the official split and window counts, and the reference baselines (docs/research/timeseries.md §1.5)', () => {
  const d = prepareSeries(readSeries(CHICAGO_CSV), { window: 12, horizon: 3, splitRatios: [7, 2, 1], norm: 'z-score' });
  assert.equal(d.table.rows, 5698);
  assert.equal(d.table.cols, 20);
  assert.deepEqual([d.starts.train.length, d.starts.valid.length, d.starts.test.length], [3974, 1126, 556]);
  const target = gatherWindows(d.evalRaw, 20, d.starts.test, 3, 12);
  const within = (v: number, ref: number) => assert.ok(Math.abs(v - ref) < 6e-4, `${v} vs reference ${ref}`);
  within(mae(target, lastValueForecast(d.evalRaw, 20, d.starts.test, 12, 3)), 1.803);
  within(mae(target, seasonalNaiveForecast(d.evalRaw, 20, d.starts.test, 12, 3, 7)), 0.361);
  within(mae(target, windowMeanForecast(d.evalRaw, 20, d.starts.test, 12, 3)), 1.562);
});
