import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slidingWindowStarts, splitWindowStarts, windowBatches, gatherWindows, WindowDataset } from '../../src/data/windows.js';
import { chronologicalSplit } from '../../src/data/splits.js';
import { InputError, UsageError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/random.js';

/** StemGNN ForecastDataset.get_x_end_idx, transcribed: window end indices hi. */
function stemgnnEnds(len: number, window: number, horizon: number, interval: number): number[] {
  const xIndexSet: number[] = [];
  for (let hi = window; hi < len - horizon + 1; hi++) xIndexSet.push(hi);
  const out: number[] = [];
  for (let j = 0; j < Math.floor(xIndexSet.length / interval); j++) out.push(xIndexSet[j * interval]!);
  return out;
}

test('window counts on the Chicago splits match the reference (3973 / 1126 / 556 for W 12, H 3)', () => {
  const s = chronologicalSplit(5697);
  assert.equal(splitWindowStarts(s.train, 12, 3).length, 3973);
  assert.equal(splitWindowStarts(s.valid, 12, 3).length, 1126);
  assert.equal(splitWindowStarts(s.test, 12, 3).length, 556);
});

test('StemGNN interval semantics: stride = interval with dropRemainder', () => {
  for (const [len, w, h, interval] of [
    [30, 12, 3, 1],
    [30, 12, 3, 4],
    [25, 5, 2, 3],
    [14, 12, 3, 2],
    [40, 7, 0, 5],
  ] as const) {
    const ends = stemgnnEnds(len, w, h, interval);
    const starts = slidingWindowStarts(len, w, h, interval, { dropRemainder: true });
    assert.deepEqual(
      Array.from(starts, (s) => s + w),
      ends,
      `len ${len} w ${w} h ${h} interval ${interval}`,
    );
  }
  // Without dropRemainder the last partial stride is kept: 16 stride-1 windows, stride 3 → 0,3,...,15 (6).
  assert.deepEqual(Array.from(slidingWindowStarts(30, 12, 3, 3)), [0, 3, 6, 9, 12, 15]);
  assert.deepEqual(Array.from(slidingWindowStarts(30, 12, 3, 3, { dropRemainder: true })), [0, 3, 6, 9, 12]);
});

test('MTAD-GAT windows: x = rows [i, i+n), y = row i+n, count len − n', () => {
  const starts = slidingWindowStarts(60, 50, 1);
  assert.equal(starts.length, 10);
  assert.equal(starts[9], 9);
  assert.equal(slidingWindowStarts(10, 11, 0).length, 0);
  assert.equal(slidingWindowStarts(11, 11, 0).length, 1);
});

test('windows stay inside their split; too-short split is an InputError naming it', () => {
  const s = chronologicalSplit(100);
  const valid = splitWindowStarts(s.valid, 5, 2);
  assert.equal(valid[0], 70);
  assert.equal(valid[valid.length - 1]! + 5 + 2, 89);
  assert.throws(
    () => splitWindowStarts([89, 100], 12, 3, { split: 'test', source: 'c.csv' }),
    (e: unknown) => e instanceof InputError && e.message === 'c.csv: the test split has 11 rows, fewer than window 12 + horizon 3 = 15 needed for one window',
  );
  assert.throws(() => slidingWindowStarts(10, 0, 1), UsageError);
  assert.throws(() => slidingWindowStarts(10, 2, 1, 0), UsageError);
});

test('gatherWindows copies [B, length, cols] blocks', () => {
  const rows = 20;
  const cols = 3;
  const data = Float32Array.from({ length: rows * cols }, (_, i) => i);
  const starts = Int32Array.from([0, 7, 12]);
  const x = gatherWindows(data, cols, starts, 4);
  const y = gatherWindows(data, cols, starts, 2, 4);
  assert.equal(x.length, 3 * 4 * cols);
  for (let b = 0; b < 3; b++) {
    for (let t = 0; t < 4; t++) for (let c = 0; c < cols; c++) assert.equal(x[(b * 4 + t) * cols + c], (starts[b]! + t) * cols + c);
    for (let t = 0; t < 2; t++) for (let c = 0; c < cols; c++) assert.equal(y[(b * 2 + t) * cols + c], (starts[b]! + 4 + t) * cols + c);
  }
  assert.throws(() => gatherWindows(data, cols, [17], 4), RangeError);
  assert.throws(() => gatherWindows(data, cols, [0], 4, 0, new Float32Array(5)), RangeError);
});

test('windowBatches and WindowDataset serve every window once per epoch', () => {
  const cols = 2;
  const data = Float32Array.from({ length: 30 * cols }, (_, i) => i / 2);
  const starts = slidingWindowStarts(20, 4, 1, 1, { offset: 10 });
  assert.equal(starts[0], 10);
  assert.equal(starts.length, 16);
  const inOrder = windowBatches(starts, 5);
  assert.deepEqual(
    inOrder.map((b) => b.length),
    [5, 5, 5, 1],
  );
  assert.deepEqual(Array.from(inOrder[1]!), [15, 16, 17, 18, 19]);

  const ds = new WindowDataset(data, cols, starts, 4, 1);
  assert.equal(ds.length, 16);
  const seen: number[] = [];
  for (const batch of ds.batches(6, { shuffle: true, rng: new Rng(11) })) {
    assert.deepEqual(batch.xShape, [batch.size, 4, cols]);
    assert.deepEqual(batch.yShape, [batch.size, 1, cols]);
    for (let b = 0; b < batch.size; b++) {
      const s = batch.starts[b]!;
      seen.push(s);
      assert.equal(batch.x[b * 4 * cols], data[s * cols]);
      assert.equal(batch.y[b * cols + 1], data[(s + 4) * cols + 1]);
    }
  }
  assert.deepEqual(
    seen.sort((a, b) => a - b),
    Array.from(starts),
  );
  assert.throws(() => new WindowDataset(data, cols, Int32Array.from([26]), 4, 1), RangeError);
});
