import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CharTokenizer } from '../../../src/data/text/char-tokenizer.js';
import { parseKjv, kjvCorpus } from '../../../src/data/text/kjv.js';
import { positionSplit, splitText } from '../../../src/data/text/split.js';
import { randomWindows, evalWindows, sampleEvalWindows, perplexityFromNll } from '../../../src/data/text/windows.js';
import { buildCloze, buildLastWord } from '../../../src/data/text/cloze.js';
import { Rng } from '../../../src/util/random.js';
import { InputError } from '../../../src/util/errors.js';

const fixtureText = readFileSync(new URL('../../fixtures/text/kjv-genesis1-10.tsv', import.meta.url), 'utf8');
const verses = parseKjv(fixtureText, 'kjv-genesis1-10.tsv');
const corpus = kjvCorpus(verses);

test('KJV fixture: 267 verses of Genesis 1–10; errors name file and line', () => {
  assert.equal(verses.length, 267);
  assert.deepEqual(verses[0], { ref: 'Ge1:1', text: 'In the beginning God created the heaven and the earth.' });
  assert.equal(verses[verses.length - 1]!.ref, 'Ge10:32');
  assert.throws(
    () => parseKjv('ref\ttext\nGe1:1 no tab\n', 'k.tsv'),
    (e: unknown) => e instanceof InputError && e.message.startsWith('k.tsv, line 2'),
  );
  assert.throws(() => parseKjv('ref\ttext\nxx\tHello\n', 'k.tsv'), /k.tsv, line 2, field "ref"/);
  assert.throws(() => parseKjv('bad\n', 'k.tsv'), /k.tsv, line 1/);
});

test('character tokeniser: deterministic vocab, round trip, unknowns, JSON', () => {
  const tok = CharTokenizer.fromCorpus(corpus);
  assert.equal(tok.chars[0], '\n');
  assert.equal(tok.size, tok.chars.length + 1);
  const ids = tok.encode(corpus);
  assert.equal(ids.length, corpus.length);
  assert.equal(tok.decode(ids), corpus);
  assert.ok(!ids.includes(CharTokenizer.UNK_ID));
  assert.equal(tok.encode('#')[0], CharTokenizer.UNK_ID);
  assert.equal(tok.decode(tok.encode('God#')), 'God\uFFFD');
  assert.throws(() => tok.encode('a#', { strict: true, source: 'x.txt' }), /x.txt: character "#" at position 2/);
  const back = CharTokenizer.fromJSON(JSON.parse(JSON.stringify(tok)), 'tok.json');
  assert.deepEqual(Array.from(back.encode(corpus)), Array.from(ids));
  assert.throws(() => CharTokenizer.fromJSON({ kind: 'char', version: 1, chars: ['a', 'a'] }, 'tok.json'), /tok.json, field "chars\[1\]"/);
  assert.throws(() => CharTokenizer.fromJSON({ kind: 'bpe' }, 'tok.json'), InputError);
  assert.equal(CharTokenizer.fromCorpus('aab', { minCount: 2 }).size, 2);
});

test('position split 90/5/5 on line boundaries', () => {
  const s = positionSplit(corpus);
  assert.equal(s.train[0], 0);
  assert.equal(s.train[1], s.valid[0]);
  assert.equal(s.valid[1], s.test[0]);
  assert.equal(s.test[1], corpus.length);
  for (const cut of [s.train[1], s.valid[1]]) assert.equal(corpus[cut - 1], '\n');
  assert.ok(Math.abs(s.train[1] / corpus.length - 0.9) < 0.01);
  const parts = splitText(corpus, s);
  assert.equal(parts.train + parts.valid + parts.test, corpus);
  assert.deepEqual(positionSplit('abcdefghij', [0.9, 0.05, 0.05], false), { train: [0, 9], valid: [9, 9], test: [9, 10] });
});

test('LM windows: training draws repeat, evaluation predicts every token once', () => {
  const ids = Int32Array.from({ length: 1000 }, (_, i) => i % 50);
  const a = randomWindows(ids, 64, 16, new Rng(3));
  assert.deepEqual(a, randomWindows(ids, 64, 16, new Rng(3)));
  for (let r = 0; r < a.rows; r++) for (let t = 0; t < 63; t++) assert.equal(a.targets[r * 64 + t], a.inputs[r * 64 + t + 1]);
  const ev = evalWindows(ids, 64);
  let predicted = 0;
  for (const m of ev.mask) predicted += m;
  assert.equal(predicted, ids.length - 1);
  assert.equal(ev.rows, Math.ceil((ids.length - 1) / 64));
  const sub = sampleEvalWindows(ids, 64, 5, new Rng(1));
  assert.equal(sub.rows, 5);
  assert.ok(Array.from(sub.starts).every((s) => s % 64 === 0));
  assert.ok(Math.abs(perplexityFromNll(Math.log(5) * 10, 10) - 5) < 1e-12);
});

test('cloze multiple-choice builder (seeded) and last-word items', () => {
  const held = splitText(corpus, positionSplit(corpus, [0.5, 0.25, 0.25]))
    .test.split('\n')
    .filter((l) => l.length > 0);
  const items = buildCloze(held, new Rng(7), { count: 30 });
  assert.deepEqual(items, buildCloze(held, new Rng(7), { count: 30 }));
  assert.ok(items.length >= 25);
  const answers = new Set<number>();
  for (const it of items) {
    assert.equal(it.choices.length, 4);
    assert.equal(new Set(it.choices).size, 4);
    assert.equal(it.context + it.choices[it.answer], held[it.source]);
    answers.add(it.answer);
  }
  assert.ok(answers.size > 1, 'answer position is shuffled');
  const lw = buildLastWord(held, new Rng(1), { count: 10 });
  assert.equal(lw.length, 10);
  for (const it of lw) assert.ok(held[it.source]!.startsWith(it.context + it.target));
});

test('shipped data/kjv/kjv.tsv: 31 102 verses, 4.14 M corpus characters', () => {
  const all = parseKjv(readFileSync(new URL('../../../data/kjv/kjv.tsv', import.meta.url), 'utf8'), 'kjv.tsv');
  assert.equal(all.length, 31102);
  assert.equal(all[all.length - 1]!.ref, 'Rev22:21');
  const c = kjvCorpus(all);
  assert.ok(c.length > 4.1e6 && c.length < 4.2e6, String(c.length));
  assert.equal(CharTokenizer.fromCorpus(c).chars.length, 63);
});
