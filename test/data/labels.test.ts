import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseLabels, readLabels } from '../../src/data/labels.js';
import { nodeStorage } from '../../src/node/storage.js';
import { InputError } from '../../src/util/errors.js';

function throwsInput(fn: () => unknown, ...fragments: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `message ${JSON.stringify(e.message)} lacks ${JSON.stringify(f)}`);
    return true;
  });
}

test('one value per line, blank lines skipped, CRLF and BOM', () => {
  assert.deepEqual(parseLabels('\ufeff0\r\n1\r\n\r\n1.0\r\n0\r\n'), Float32Array.from([0, 1, 1, 0]));
  assert.deepEqual(parseLabels('0.5\n-2\n"3"\n'), Float32Array.from([0.5, -2, 3]));
});

test('header auto-detected or forced', () => {
  assert.deepEqual(parseLabels('label\n1\n0\n'), Float32Array.from([1, 0]));
  assert.deepEqual(parseLabels('7\n1\n0\n', { header: true }), Float32Array.from([1, 0]));
  throwsInput(() => parseLabels('label\n1\n', { header: false, source: 'l.txt' }), 'l.txt', 'line 1', "got 'label'");
});

test('bad values are reported with file and line number', () => {
  throwsInput(() => parseLabels('0\n\n1\nx\n', { source: 'lab.txt' }), 'lab.txt', 'line 4', "expected a number, got 'x'");
  throwsInput(() => parseLabels('0\n1\n2\n', { binary: true, source: 'b.txt' }), 'b.txt', 'line 3', "expected 0 or 1, got '2'");
  throwsInput(() => parseLabels('0\n1,0\n', { source: 'c.txt' }), 'c.txt', 'line 2', 'one label per line');
  throwsInput(() => parseLabels('0\nNaN\n'), 'line 2', "got 'NaN'");
  throwsInput(() => parseLabels('0\n0x1\n'), 'line 2', "got '0x1'");
});

test('empty file, header-only file, count mismatch', () => {
  throwsInput(() => parseLabels('\n\n', { source: 'e.txt' }), 'e.txt', 'empty');
  throwsInput(() => parseLabels('label\n', { source: 'h.txt' }), 'no labels after the header on line 1');
  throwsInput(() => parseLabels('0\n1\n', { expectedCount: 3, source: 'n.txt' }), 'n.txt', 'expected 3 labels', 'got 2');
});

test('readLabels reads from a storage and names the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sheaf-labels-'));
  const p = join(dir, 'labels.txt');
  writeFileSync(p, '0\n0\n1\n');
  assert.deepEqual(await readLabels(nodeStorage, p, { binary: true, expectedCount: 3 }), Float32Array.from([0, 0, 1]));
  await assert.rejects(
    () => readLabels(nodeStorage, join(dir, 'missing.txt')),
    (e: unknown) => e instanceof InputError && e.message.includes('missing.txt') && e.message.includes('file not found'),
  );
});
