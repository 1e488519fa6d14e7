/**
 * Fuzzing the readers (issue 18): seeded random mutations of valid samples — bytes replaced,
 * deleted or inserted, lines duplicated, dropped or cut, the file truncated — must each either
 * parse or fail with Sheaf's own error (an InputError naming the file), never another exception
 * ("internal error") and never hang. Bounded: a fixed number of mutations per reader.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { SheafError } from '../../src/util/errors.js';
import { Rng } from '../../src/util/random.js';
import { parseSeriesTable } from '../../src/data/table.js';
import { parseNumericCsv, parseTextCsv } from '../../src/data/csv.js';
import { parseLabels } from '../../src/data/labels.js';
import { parseTemporalCsv, parseTemporalQueries, syntheticTemporalGraph, formatJodieCsv } from '../../src/data/temporal/index.js';
import { parseEmbl, parseFasta, parseGenBank } from '../../src/data/bio/index.js';
import { decodeSafetensors, tensorsToSafetensors } from '../../src/io/safetensors.js';
import { parseRatingsFinal, parseKgFinal } from '../../src/systems/cgkgr/data.js';
import { parseTextTable } from '../../src/systems/cgkgr/kg_builder.js';
import { decodeText } from '../../src/io/storage.js';

const fixture = (p: string) => readFileSync(new URL(`../fixtures/${p}`, import.meta.url), 'utf8');
const N = 150;
const ALPHABET = ['', ',', '\n', '"', ' ', '\t', ';', '-', '.', 'e', 'NaN', '1e309', '0', '9', 'x', '>', '/', '(', ')', '..', 'join(', '\u00e9', '\r\n'];

/** One seeded mutation of a text. */
function mutate(text: string, rng: Rng): string {
  const lines = text.split('\n');
  switch (rng.int(7)) {
    case 0: {
      const i = rng.int(Math.max(1, text.length));
      return text.slice(0, i) + ALPHABET[rng.int(ALPHABET.length)]! + text.slice(i + 1);
    }
    case 1: {
      const i = rng.int(Math.max(1, text.length));
      return text.slice(0, i) + text.slice(i + 1 + rng.int(8));
    }
    case 2: {
      const i = rng.int(Math.max(1, text.length));
      return text.slice(0, i) + ALPHABET[rng.int(ALPHABET.length)]! + text.slice(i);
    }
    case 3: {
      const k = rng.int(lines.length);
      lines.splice(k, 0, lines[k]!);
      return lines.join('\n');
    }
    case 4:
      lines.splice(rng.int(lines.length), 1);
      return lines.join('\n');
    case 5: {
      const k = rng.int(lines.length);
      lines[k] = lines[k]!.slice(0, rng.int(lines[k]!.length + 1));
      return lines.join('\n');
    }
    default:
      return text.slice(0, rng.int(text.length + 1));
  }
}

function fuzz(name: string, sample: string, read: (text: string) => unknown, seed: number): void {
  test(`fuzz: ${name} — ${N} mutations parse or fail with an input error`, () => {
    const rng = new Rng(seed);
    let failed = 0;
    for (let k = 0; k < N; k++) {
      let t = sample;
      for (let m = 1 + rng.int(3); m > 0; m--) t = mutate(t, rng);
      try {
        read(t);
      } catch (e) {
        failed++;
        if (!(e instanceof SheafError)) assert.fail(`${name}, mutation ${k}: ${(e as Error).constructor.name}: ${(e as Error).message}\n--- input (first 400 chars) ---\n${t.slice(0, 400)}`);
      }
    }
    assert.ok(failed > 0, 'some mutations must be rejected (else the fuzzer is not reaching the checks)');
  });
}

const series = ['a,b,c', ...Array.from({ length: 30 }, (_, t) => `${t},${(t * 0.5).toFixed(2)},${t % 3}`)].join('\n') + '\n';
fuzz('series table (StemGNN, MTAD-GAT)', series, (t) => parseSeriesTable(t, 'series.csv'), 1);
fuzz('numeric CSV', series, (t) => parseNumericCsv(t, { source: 'n.csv' }), 2);
fuzz('labels', '0\n1\n0\n0\n1\n1\n0\n', (t) => parseLabels(t, { source: 'labels.txt' }), 3);
fuzz('text CSV (bsm score)', 'prompt,target\nATG,M\nATGAAA,MK\n', (t) => parseTextCsv(t, 'pairs.csv', ['prompt', 'target']), 4);
const jodie = formatJodieCsv(syntheticTemporalGraph({ events: 60, users: 8, items: 5, featureDim: 3, seed: 1 }));
fuzz('JODIE CSV (TGSL)', jodie, (t) => parseTemporalCsv(t, { file: 'w.csv' }), 5);
fuzz('edge CSV (TGSL)', 'src,dst,t,f0\na,b,1,0.5\nb,c,2,0.1\na,c,3,0.2\nc,a,4,1\n', (t) => parseTemporalCsv(t, { file: 'e.csv', format: 'edges' }), 6);
const g = parseTemporalCsv(jodie, { file: 'w.csv' });
fuzz('link queries (TGSL predict)', 'src,dst,t\n0,1,5\n1,2,6\n', (t) => parseTemporalQueries(t, { file: 'q.csv', graph: g }), 7);
fuzz('GenBank (BSM)', fixture('bio/NC_005816.gb'), (t) => parseGenBank(t, 'x.gb'), 8);
fuzz('EMBL (BSM)', fixture('bio/AE017046.embl'), (t) => parseEmbl(t, 'x.embl'), 9);
fuzz('FASTA (BSM)', fixture('bio/NC_005816.faa'), (t) => parseFasta(t, 'x.faa'), 10);
fuzz('ratings_final (CG-KGR)', '0\t1\t1\n0\t2\t0\n1\t1\t1\n1\t3\t0\n', (t) => parseRatingsFinal(t, 'ratings_final.txt'), 11);
fuzz('kg_final (CG-KGR)', '1\t0\t2\n2\t1\t3\n3\t0\t1\n', (t) => parseKgFinal(t, 'kg_final.txt'), 12);
fuzz('text table (CG-KGR build-kg)', 'user,item,rating\nu1,i1,4\nu2,i2,5\n', (t) => parseTextTable(t, 'ratings.csv'), 13);

test('fuzz: safetensors — truncated and flipped bytes fail with an input error', async () => {
  const good = tensorsToSafetensors(new Map([['w', { dtype: 'F32' as const, shape: [2, 2], data: Float32Array.from([1, 2, 3, 4]) }]]));
  const rng = new Rng(14);
  for (let k = 0; k < N; k++) {
    const b = good.slice(0, rng.uniform() < 0.5 ? rng.int(good.length) : good.length);
    for (let m = rng.int(4); m > 0 && b.length; m--) b[rng.int(b.length)] = rng.int(256);
    try {
      decodeSafetensors(b, 'm.safetensors');
    } catch (e) {
      if (!(e instanceof SheafError)) assert.fail(`mutation ${k}: ${(e as Error).constructor.name}: ${(e as Error).message}`);
    }
  }
});

test('fuzz: text decoding — random bytes are UTF-8 or an input error', () => {
  const rng = new Rng(15);
  for (let k = 0; k < N; k++) {
    const b = Uint8Array.from({ length: 1 + rng.int(64) }, () => rng.int(256));
    try {
      decodeText(b, 'bytes.txt');
    } catch (e) {
      if (!(e instanceof SheafError)) assert.fail(`mutation ${k}: ${(e as Error).message}`);
    }
  }
});
