import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GENETIC_CODES, GENETIC_CODE_IDS, geneticCode, startCodons, stopCodons, translate, codonMeaning } from '../../../src/data/bio/genetic-code.js';

test('the NCBI ids: 1–6, 9–16, 21–33, each with 64 amino acids and 64 start marks', () => {
  assert.deepEqual(GENETIC_CODE_IDS, [1, 2, 3, 4, 5, 6, 9, 10, 11, 12, 13, 14, 15, 16, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33]);
  for (const g of GENETIC_CODES) {
    assert.match(g.ncbieaa, /^[A-Z*]{64}$/);
    assert.match(g.sncbieaa, /^[-M*]{64}$/);
    // Every stop of the amino-acid row is marked a stop in the start row.
    for (let i = 0; i < 64; i++) if (g.ncbieaa[i] === '*') assert.equal(g.sncbieaa[i], '*', `code ${g.id} codon ${i}`);
  }
  assert.throws(() => geneticCode(7), /valid ids are/);
  assert.throws(() => geneticCode(34), RangeError);
});

test('spot checks of codes 1, 2, 4 and 11 (starts and stops)', () => {
  assert.equal(geneticCode(1).name, 'Standard');
  assert.deepEqual(startCodons(1).sort(), ['ATG', 'CTG', 'TTG']);
  assert.deepEqual(stopCodons(1).sort(), ['TAA', 'TAG', 'TGA']);
  assert.deepEqual(startCodons(2).sort(), ['ATA', 'ATC', 'ATG', 'ATT', 'GTG']);
  assert.deepEqual(stopCodons(2).sort(), ['AGA', 'AGG', 'TAA', 'TAG']);
  assert.equal(translate('TGAATA', { table: 2, firstCodonIsStart: false }), 'WM');
  assert.deepEqual(startCodons(4).sort(), ['ATA', 'ATC', 'ATG', 'ATT', 'CTG', 'GTG', 'TTA', 'TTG']);
  assert.deepEqual(stopCodons(4).sort(), ['TAA', 'TAG']);
  assert.equal(translate('TGA', { table: 4 }), 'W');
  assert.equal(geneticCode(11).name, 'Bacterial, Archaeal and Plant Plastid');
  assert.deepEqual(startCodons(11).sort(), ['ATA', 'ATC', 'ATG', 'ATT', 'CTG', 'GTG', 'TTG']);
  assert.deepEqual(stopCodons(11).sort(), ['TAA', 'TAG', 'TGA']);
  // Newer gc.prt facts: GTG start in code 3, CTG = L in code 27, code 33 AGG = K.
  assert.ok(startCodons(3).includes('GTG'));
  assert.equal(translate('CTG', { table: 27 }), 'L');
  assert.equal(translate('AGG', { table: 33 }), 'K');
});

test('translation: stops, starts, ambiguity codes, RNA, frames', () => {
  assert.equal(translate('ATGAAATAG'), 'MK*');
  assert.equal(translate('ATGAAATAG', { stop: 'trim' }), 'MK');
  assert.equal(translate('ATGTAAAAATAG', { stop: 'to-stop' }), 'M');
  assert.equal(translate('TTGAAA'), 'MK');
  assert.equal(translate('TTGAAA', { firstCodonIsStart: false }), 'LK');
  assert.equal(translate('augaaauag'), 'MK*');
  assert.equal(translate('GCNTTYTAR', { firstCodonIsStart: false }), 'AF*');
  assert.equal(translate('NNNATG'), 'XM');
  assert.equal(translate('CATGAAA', { codonStart: 2 }), 'MK');
  assert.equal(translate('ATGGC', { partialCodon: true }), 'MA');
  assert.equal(translate('ATGGC'), 'M');
  // Code 28: TAA/TAG/TGA are sense inside a CDS (Q, Q, W) and stops at its end.
  assert.equal(translate('ATGTAATGATAA', { table: 28 }), 'MQW*');
  assert.deepEqual(codonMeaning('TAR', geneticCode(1)), { aa: '*', isStart: false, isStop: true });
  assert.throws(() => translate('ATG', { codonStart: 4 }), RangeError);
});
