import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  VOCAB_SIZE,
  vocabulary,
  encodeSequence,
  encodeParts,
  decodeParts,
  decodeString,
  encodeString,
  tokenKind,
  isResidueId,
  isNucleotideId,
  NUCLEOTIDE_LETTERS,
  RESIDUE_LETTERS,
  BOS_ID,
  SEP_ID,
  EOS_ID,
  PAD_ID,
} from '../../../src/data/bio/tokenizer.js';
import { InputError } from '../../../src/util/errors.js';

test('vocabulary: 39 ids, nucleotide and residue ids never collide', () => {
  assert.equal(VOCAB_SIZE, 39);
  const v = vocabulary();
  assert.equal(v.length, 39);
  assert.deepEqual(
    v.slice(0, 4).map((t) => t.token),
    ['<pad>', '<bos>', '<eos>', '<sep>'],
  );
  const nuc = new Set(encodeSequence(NUCLEOTIDE_LETTERS.replace('U', ''), 'dna').concat(encodeSequence('U', 'rna')));
  const res = new Set(encodeSequence(RESIDUE_LETTERS, 'protein'));
  assert.equal(nuc.size, 6);
  assert.equal(res.size, 26);
  for (const id of nuc) assert.ok(!res.has(id) && isNucleotideId(id) && !isResidueId(id));
  for (const id of res) assert.ok(isResidueId(id) && tokenKind(id) === 'residue');
  // Protein A (alanine) and DNA A (adenine) are different ids; DNA and RNA share A/C/G/N, T and U differ.
  assert.notEqual(encodeSequence('A', 'protein')[0], encodeSequence('A', 'dna')[0]);
  assert.deepEqual(encodeSequence('ACGN', 'dna'), encodeSequence('ACGN', 'rna'));
  assert.notEqual(encodeSequence('T', 'dna')[0], encodeSequence('U', 'rna')[0]);
});

test('encode/decode round trips', () => {
  const ids = encodeParts([
    { special: '<bos>' },
    { modality: 'dna', sequence: 'ATGGCNT' },
    { special: '<sep>' },
    { modality: 'rna', sequence: 'AUGGCU' },
    { special: '<sep>' },
    { modality: 'protein', sequence: 'MACGTUX' },
    { special: '<eos>' },
  ]);
  assert.equal(ids[0], BOS_ID);
  assert.equal(ids[ids.length - 1], EOS_ID);
  assert.equal(ids.filter((i) => i === SEP_ID).length, 2);
  const s = decodeString(ids);
  assert.equal(s, '<bos>atggcnt<sep>auggcu<sep>MACGTUX<eos>');
  assert.deepEqual(encodeString(s), ids);
  const parts = decodeParts(ids);
  assert.deepEqual(
    parts.flatMap((p) => (p.kind === 'special' ? [] : [p.text])),
    ['ATGGCNT', 'AUGGCU', 'MACGTUX'],
  );
  // IUPAC ambiguity → N, lower case accepted, unknown residue → X.
  assert.deepEqual(encodeSequence('ryacgt', 'dna'), encodeSequence('NNACGT', 'dna'));
  assert.deepEqual(encodeSequence('MK', 'protein'), encodeSequence('mk', 'protein'));
  assert.equal(decodeString([PAD_ID]), '<pad>');
});

test('wrong letters for a modality are InputErrors naming the input', () => {
  assert.throws(
    () => encodeSequence('ACGU', 'dna', { file: 'x.fa', line: 2 }),
    (e: unknown) => e instanceof InputError && e.message.startsWith('x.fa, line 2') && /position 4/.test(e.message),
  );
  assert.throws(() => encodeSequence('ACGT', 'rna'), InputError);
  assert.throws(() => encodeSequence('MK*', 'protein'), InputError);
  assert.throws(() => encodeSequence('AC-G', 'dna'), InputError);
  assert.throws(() => encodeString('<oops>'), InputError);
  assert.throws(() => tokenKind(39), RangeError);
});
