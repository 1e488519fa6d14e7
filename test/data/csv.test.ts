import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseNumericCsv, readNumericCsv, writeCsv, formatFloat32, splitCells } from '../../src/data/csv.js';
import { nodeStorage } from '../../src/node/storage.js';
import { InputError, UsageError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/random.js';
import { throwsInput } from '../helpers/errors.js';

const f32 = (a: number[]): Float32Array => Float32Array.from(a);

/** Assert that `fn` throws an InputError whose message contains every fragment. */
async function throwsInputAsync(fn: () => Promise<unknown>, ...fragments: string[]): Promise<void> {
  await assert.rejects(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(f)}`);
    return true;
  });
}

test('header auto-detected from a non-numeric cell', () => {
  const t = parseNumericCsv('a,b,c\n1,2,3\n4.5,-6,7e2\n');
  assert.deepEqual(t.header, ['a', 'b', 'c']);
  assert.equal(t.rows, 2);
  assert.equal(t.cols, 3);
  assert.deepEqual(t.data, f32([1, 2, 3, 4.5, -6, 700]));
  assert.equal(t.delimiter, ',');
});

test('all-numeric first row is data; header:true consumes it (StemGNN/pandas behaviour)', () => {
  const auto = parseNumericCsv('1,2\n3,4\n');
  assert.equal(auto.header, null);
  assert.equal(auto.rows, 2);
  assert.deepEqual(auto.data, f32([1, 2, 3, 4]));
  const forced = parseNumericCsv('1,2\n3,4\n', { header: true });
  assert.deepEqual(forced.header, ['1', '2']);
  assert.equal(forced.rows, 1);
  assert.deepEqual(forced.data, f32([3, 4]));
});

test('a first row of numbers and missing tokens is data, not a header', () => {
  const t = parseNumericCsv('NA,1,\n2,NaN,nan\n', { allowMissing: true });
  assert.equal(t.header, null);
  assert.equal(t.rows, 2);
  const d = Array.from(t.data);
  assert.deepEqual(d.map(Number.isNaN), [true, false, true, false, true, true]);
  assert.equal(d[1], 1);
  assert.equal(d[3], 2);
});

test('header:false with a name row is an error at line 1', () => {
  throwsInput(() => parseNumericCsv('x,y\n1,2\n', { header: false, source: 'f.csv' }), 'f.csv', 'line 1', 'column 1', "expected a number, got 'x'");
});

test('CRLF, BOM, trailing newline and blank lines; line numbers stay right', () => {
  const t = parseNumericCsv('\ufeffa,b\r\n\r\n1,2\r\n   \r\n3,4\r\n\r\n');
  assert.deepEqual(t.header, ['a', 'b']);
  assert.deepEqual(t.data, f32([1, 2, 3, 4]));
  // Bad cell on the 6th physical line after two blank lines.
  throwsInput(() => parseNumericCsv('a,b\r\n\r\n1,2\r\n\r\n3,4\r\n5,zz\r\n', { source: 'crlf.csv' }), 'crlf.csv', 'line 6', 'column 2', 'field "b"', "got 'zz'");
  // Old-Mac line ends.
  assert.deepEqual(parseNumericCsv('1,2\r3,4\r').data, f32([1, 2, 3, 4]));
});

test('quoted numeric fields and quoted header names with delimiters', () => {
  const t = parseNumericCsv('"a,1","b ""q"""\n"1.5", "2"\n3,"-4e-1"\n');
  assert.deepEqual(t.header, ['a,1', 'b "q"']);
  assert.deepEqual(t.data, f32([1.5, 2, 3, -0.4]));
  assert.deepEqual(splitCells('"x;y";2', ';'), ['x;y', '2']);
});

test('delimiters: auto semicolon, tab, whitespace; explicit option', () => {
  assert.equal(parseNumericCsv('1;2\n3;4').delimiter, ';');
  assert.deepEqual(parseNumericCsv('1;2\n3;4').data, f32([1, 2, 3, 4]));
  const tab = parseNumericCsv('a\tb\n1\t2\n');
  assert.equal(tab.delimiter, '\t');
  assert.deepEqual(tab.data, f32([1, 2]));
  const ws = parseNumericCsv('  1   2 3\n4 5\t 6  \n');
  assert.equal(ws.delimiter, 'whitespace');
  assert.equal(ws.cols, 3);
  assert.deepEqual(ws.data, f32([1, 2, 3, 4, 5, 6]));
  const single = parseNumericCsv('1\n2\n3\n');
  assert.equal(single.cols, 1);
  assert.deepEqual(single.data, f32([1, 2, 3]));
  // An explicit delimiter overrides detection: here ';' is not a separator.
  const explicit = parseNumericCsv('1 2 3\n4 5 6\n', { delimiter: 'whitespace' });
  assert.equal(explicit.cols, 3);
  throwsInput(() => parseNumericCsv('1 2;3\n', { delimiter: 'whitespace', header: false, source: 's' }), 's', 'line 1', 'column 2', "got '2;3'");
  assert.throws(() => parseNumericCsv('1', { delimiter: '|' as never }), UsageError);
});

test('non-number cell names file, line, column index and header name', () => {
  const e = throwsInput(() => parseNumericCsv('time,temp,hum\n1,2,3\n4,abc,6\n', { source: 'data/x.csv' }), 'data/x.csv', 'line 3', 'column 2', 'field "temp"', "expected a number, got 'abc'");
  assert.deepEqual(e.location, { file: 'data/x.csv', line: 3, column: 2, field: 'temp' });
  // Without a header only the index is known.
  const e2 = throwsInput(() => parseNumericCsv('1,2\n3,x\n', { source: 'y.csv' }), 'y.csv', 'line 2', 'column 2', "got 'x'");
  assert.equal(e2.location.field, undefined);
});

test('ragged rows report expected and actual cell counts', () => {
  throwsInput(() => parseNumericCsv('a,b,c\n1,2,3\n1,2\n', { source: 'r.csv' }), 'r.csv', 'line 3', 'expected 3 cells (as in the header), got 2');
  throwsInput(() => parseNumericCsv('1,2\n\n3,4,5\n', { source: 'r2.csv' }), 'line 3', 'expected 2 cells (as on line 1), got 3');
});

test('empty file, blank-only file, header without data', () => {
  throwsInput(() => parseNumericCsv('', { source: 'e.csv' }), 'e.csv', 'empty');
  throwsInput(() => parseNumericCsv('\n  \r\n\n', { source: 'e.csv' }), 'empty');
  throwsInput(() => parseNumericCsv('a,b\n\n', { source: 'h.csv' }), 'h.csv', 'no data rows after the header on line 1');
});

test('missing values: error unless allowMissing', () => {
  throwsInput(() => parseNumericCsv('a,b\n1,\n', { source: 'm.csv' }), 'line 2', 'column 2', 'field "b"', 'got an empty cell', 'allowMissing');
  throwsInput(() => parseNumericCsv('a,b\n1,2\nNA,3\n', { source: 'm.csv' }), 'line 3', 'column 1', "got 'NA'");
  const t = parseNumericCsv('a,b\n1,\n"",NA\n', { allowMissing: true });
  assert.equal(t.data[0], 1);
  assert.ok([1, 2, 3].every((i) => Number.isNaN(t.data[i]!)));
  // Other words are still errors with allowMissing.
  throwsInput(() => parseNumericCsv('a\n1\nnull\n', { allowMissing: true }), 'line 3', "got 'null'");
});

test('non-decimal and out-of-range numbers are rejected; float32 max is accepted', () => {
  throwsInput(() => parseNumericCsv('1\n0x10\n'), 'line 2', "got '0x10'");
  throwsInput(() => parseNumericCsv('1\n0b1\n'), "got '0b1'");
  throwsInput(() => parseNumericCsv('1\nInfinity\n'), 'line 2', 'finite number', "'Infinity'");
  throwsInput(() => parseNumericCsv('1\n1e39\n'), 'float32 range', "'1e39'");
  assert.equal(parseNumericCsv('3.4028235e38\n').data[0], 3.4028234663852886e38);
  assert.deepEqual(parseNumericCsv('+.5\n-0.25\n5.\n 7 \n').data, f32([0.5, -0.25, 5, 7]));
});

test('maxRows stops early (the rest is not parsed)', () => {
  const t = parseNumericCsv('a\n1\n2\n3\nbad\n', { maxRows: 2 });
  assert.equal(t.rows, 2);
  assert.deepEqual(t.data, f32([1, 2]));
  assert.throws(() => parseNumericCsv('1', { maxRows: 0 }), UsageError);
});

test('readNumericCsv reads a file; missing file is an InputError naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sheaf-csv-'));
  const p = join(dir, 'd.csv');
  writeFileSync(p, 'u,v\n1,2\n3,q\n');
  await throwsInputAsync(() => readNumericCsv(nodeStorage, p), p, 'line 3', 'column 2', 'field "v"', "got 'q'");
  await throwsInputAsync(() => readNumericCsv(nodeStorage, join(dir, 'nope.csv')), 'nope.csv', 'file not found');
});

test('writeCsv then readNumericCsv round-trips float32 values exactly', async () => {
  const rng = new Rng(7);
  const cols = 4;
  const data = new Float32Array(50 * cols);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal(0, 1) * 10 ** rng.int(12 - 6);
  data[3] = NaN;
  data[5] = 0.1;
  data[6] = -1e-30;
  const dir = mkdtempSync(join(tmpdir(), 'sheaf-csv-'));
  const p = join(dir, 'sub', 'out.csv');
  await writeCsv(nodeStorage, p, ['a', 'b,c', 'd"q', 'e'], data, cols);
  const back = await readNumericCsv(nodeStorage, p, { allowMissing: true });
  assert.deepEqual(back.header, ['a', 'b,c', 'd"q', 'e']);
  assert.equal(back.rows, 50);
  for (let i = 0; i < data.length; i++) {
    if (Number.isNaN(data[i]!)) assert.ok(Number.isNaN(back.data[i]!));
    else assert.equal(back.data[i], data[i], `index ${i}`);
  }
  // Shortest float32 text: 0.1f is written as 0.1, not 0.10000000149011612.
  assert.ok(readFileSync(p, 'utf8').split('\n')[2]!.includes('0.1,'));
  assert.equal(formatFloat32(Math.fround(0.1)), '0.1');
  assert.equal(formatFloat32(Math.fround(1 / 3)), '0.33333334');

  const p2 = join(dir, 'rows.csv');
  await writeCsv(nodeStorage, p2, null, [
    [1, 2.5],
    [3, -4],
  ]);
  assert.equal(readFileSync(p2, 'utf8'), '1,2.5\n3,-4\n');
  await assert.rejects(() => writeCsv(nodeStorage, p2, ['a'], [[1, 2]]), RangeError);
  await assert.rejects(() => writeCsv(nodeStorage, p2, null, f32([1, 2, 3]), 2), RangeError);
});

test('a large file parses to the right size and values', () => {
  const rows = 20000;
  const cols = 12;
  const lines: string[] = [Array.from({ length: cols }, (_, c) => `s${c}`).join(',')];
  for (let r = 0; r < rows; r++) lines.push(Array.from({ length: cols }, (_, c) => ((r * cols + c) % 997) / 8).join(','));
  const t = parseNumericCsv(lines.join('\n'));
  assert.equal(t.rows, rows);
  assert.equal(t.data.length, rows * cols);
  assert.equal(t.data[12345], (12345 % 997) / 8);
  assert.equal(t.data[rows * cols - 1], ((rows * cols - 1) % 997) / 8);
});
