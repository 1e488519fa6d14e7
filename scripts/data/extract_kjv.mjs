#!/usr/bin/env node
/**
 * Extract the King James Version (public domain) from Debian `bible-kjv-text` with the `bible` reader of
 * `bible-kjv` into `data/kjv/kjv.tsv` (research note docs/research/sequence.md §2(d)): one verse per line,
 * `ref<TAB>text`, in canonical order Genesis 1:1 … Revelation 22:21, 31 102 verses. `ref` is the reader's own
 * abbreviation ("Ge1:1", "1Sm3:4", "SSol1:1", …); `text` is copied unchanged (the dump has two places with a double
 * space, kept).
 *
 * Usage: node scripts/data/extract_kjv.mjs [bible binary (default: bible on PATH)] [bible.data (default:
 *        the installed /usr/lib/bible.data)] [output dir (default data/kjv)]
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync, renameSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const [, , binArg, dataArg, outArg] = process.argv;
const bin = binArg ?? 'bible';
const dataFile = dataArg ?? '/usr/lib/bible.data';
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = resolve(outArg ?? join(repoRoot, 'data', 'kjv'));
const EXPECTED_VERSES = 31102;

function fail(message) {
  process.stderr.write(`extract_kjv: ${message}\n`);
  process.exit(1);
}

let dump;
try {
  // -p/-d name the data file's folder and name; COLUMNS is removed so `-f` never wraps a verse over two lines.
  const env = { ...process.env };
  delete env.COLUMNS;
  dump = execFileSync(bin, ['-f', '-p', dirname(dataFile), '-d', basename(dataFile), 'Gen1:1-Rev22:21'], {
    encoding: 'latin1',
    maxBuffer: 64 << 20,
    env,
  });
} catch (err) {
  fail(`cannot run ${bin}: ${err.message}`);
}
const lines = dump.split('\n');
if (lines[lines.length - 1] === '') lines.pop();
const out = ['ref\ttext'];
lines.forEach((line, i) => {
  const m = /^([1-3]?[A-Z][A-Za-z]*\d+:\d+) (.*)$/.exec(line);
  if (m === null) fail(`line ${i + 1} of the dump is not "<ref> <text>": ${line.slice(0, 60)}`);
  if (m[2].includes('\t')) fail(`line ${i + 1}: verse text contains a tab`);
  out.push(`${m[1]}\t${m[2]}`);
});
if (lines.length !== EXPECTED_VERSES) fail(`${lines.length} verses, expected ${EXPECTED_VERSES}`);
mkdirSync(outDir, { recursive: true });
const path = join(outDir, 'kjv.tsv');
writeFileSync(`${path}.tmp-${process.pid}`, out.join('\n') + '\n');
renameSync(`${path}.tmp-${process.pid}`, path);
process.stdout.write(`kjv: ${lines.length} verses, ${out.join('\n').length + 1} bytes written to ${path}\n`);
