import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseGenBank } from '../../../src/data/bio/genbank.js';
import { parseLocation, formatLocation, extractLocation } from '../../../src/data/bio/location.js';
import { cdsEntries, checkCdsEntry, checkPair, featureSequence, genomicSpan } from '../../../src/data/bio/features.js';
import { reverseComplement, toCanonicalNucleotides } from '../../../src/data/bio/alphabet.js';
import { InputError } from '../../../src/util/errors.js';

test('locations: join, complement, order, partial ends, single bases, sites, remote', () => {
  const a = parseLocation('complement(join(10..20,30..40))');
  assert.deepEqual(
    a.segments.map((s) => [s.start, s.end, s.strand]),
    [
      [30, 40, -1],
      [10, 20, -1],
    ],
  );
  assert.equal(a.strand, -1);
  assert.equal(a.operator, 'join');
  const b = parseLocation('join(complement(30..40),complement(10..20))');
  assert.deepEqual(b.segments, a.segments);
  const c = parseLocation('<1..>100');
  assert.ok(c.partial5 && c.partial3);
  const d = parseLocation('complement(<5..50)');
  assert.equal(d.partial5, false, 'on the minus strand "<" is the 3\' end');
  assert.equal(d.partial3, true);
  assert.equal(parseLocation('order(1..5,9)').operator, 'order');
  assert.deepEqual(
    parseLocation('42').segments.map((s) => [s.start, s.end]),
    [[42, 42]],
  );
  assert.equal(parseLocation('12^13').segments[0]!.between, true);
  assert.equal(parseLocation('J00194.1:100..202').segments[0]!.remote, 'J00194.1');
  const wrapped = parseLocation('join(1..3,\n 7..9)');
  assert.equal(wrapped.text, 'join(1..3,7..9)');
  for (const bad of ['join(1..5', '5..1', '1..x', 'complement(1..5))', '', '0..5', '3^9']) {
    assert.throws(
      () => parseLocation(bad, { file: 'f.gb', line: 3 }),
      (e: unknown) => e instanceof InputError && e.message.startsWith('f.gb, line 3'),
      bad,
    );
  }
  for (const text of ['complement(join(10..20,30..40))', 'join(1..3,complement(7..9))', '<1..>100', 'order(1..5,9)', '42', 'complement(<5..50)']) {
    const loc = parseLocation(text);
    assert.deepEqual(parseLocation(formatLocation(loc)).segments, loc.segments, text);
  }
  assert.equal(formatLocation(parseLocation('join(11..20,31..40)'), -10), 'join(1..10,21..30)');
});

test('reverse complement keeps IUPAC codes; canonical nucleotides', () => {
  assert.equal(reverseComplement('ATGCRYKMBVDHNSW'), 'WSNDHBVKMRYGCAT');
  assert.equal(reverseComplement('AUGC', true), 'GCAU');
  assert.equal(toCanonicalNucleotides('acgtRYn', 'rna'), 'ACGUNNN');
  assert.equal(extractLocation('AACCGGTT', parseLocation('complement(3..6)')), 'CCGG');
});

// A spliced minus-strand gene: coding strand = ATG GCT TGG | intron GTAAGTCCCCAG | AAA GGC TAA  (M A W K G *).
const exon1 = 'ATGGCTTGG';
const intron = 'GTAAGTCCCCAG';
const exon2 = 'AAAGGCTAA';
const gene = exon1 + intron + exon2; // 30 nt on the coding strand
const left = 'CCCCC';
const right = 'GGGGGG';
const recordSeq = left + reverseComplement(gene) + right; // gene occupies 6..35 on the minus strand
// On the record: exon2 (revcomp) is 6..14, intron 15..26, exon1 27..35.
function genbank(_location: string, translation: string, extra = ''): string {
  const seq = recordSeq.toLowerCase();
  let origin = '';
  for (let i = 0; i < seq.length; i += 60) {
    const chunk = seq
      .slice(i, i + 60)
      .match(/.{1,10}/g)!
      .join(' ');
    origin += `${String(i + 1).padStart(9)} ${chunk}\n`;
  }
  return `LOCUS       SPLICED                 ${seq.length} bp    DNA     linear   SYN 01-JAN-2000
DEFINITION  constructed spliced reverse-strand gene.
ACCESSION   SPLICED
FEATURES             Location/Qualifiers
     mRNA            complement(join(6..14,27..35))
                     /gene="tst"
     CDS             complement(join(6..14,27..35))
                     /gene="tst"
${extra}                     /translation="${translation}"
ORIGIN
${origin}//
`;
}

test('a spliced reverse-strand CDS is extracted and checks against its translation', () => {
  const r = parseGenBank(genbank('complement(join(6..14,27..35))', 'MAWKG'), 'spliced.gb')[0]!;
  const cds = r.features.find((f) => f.key === 'CDS')!;
  assert.equal(featureSequence(r, cds), exon1 + exon2);
  const e = cdsEntries(r).entries[0]!;
  assert.equal(e.spliced, true);
  assert.equal(e.location.strand, -1);
  const c = checkCdsEntry(e);
  assert.equal(c.status, 'ok');
  assert.equal(c.coding, 'ATGGCTTGGAAAGGC');
  // The genomic span keeps the intron, on the coding strand, with flanks clipped at the record ends.
  assert.equal(genomicSpan(r, e.location), gene);
  // Upstream on the coding strand = reverse complement of the bases right of the gene on the record (GGG → CCC).
  assert.equal(genomicSpan(r, e.location, 3), 'CCC' + gene + 'GGG');
  assert.equal(genomicSpan(r, e.location, 100), reverseComplement(recordSeq));
  // A wrong translation is a mismatch with the residue named.
  const bad = checkCdsEntry(cdsEntries(parseGenBank(genbank('', 'MAWRG'), 'bad.gb')[0]!).entries[0]!);
  assert.equal(bad.status, 'mismatch');
  assert.match(bad.message, /residue 4: K vs R/);
});

test('pair check: alternative starts, codon_start, partial CDS, internal stops', () => {
  // GTG start in code 11 is read as M; a /translation that writes V for it is accepted too.
  assert.equal(checkPair('GTGAAATAA', 'MK', { table: 11 }).status, 'ok');
  assert.equal(checkPair('GTGAAATAA', 'VK', { table: 11 }).status, 'ok-alt-start');
  // In code 1 GTG is not a start: V.
  assert.equal(checkPair('GTGAAATAA', 'VK', { table: 1 }).status, 'ok');
  // 5'-partial CDS: first codon read as its sense amino acid.
  assert.equal(checkPair('TTGAAA', 'LK', { table: 11, partial5: true }).status, 'ok');
  // codon_start 2 skips one base; a translated partial last codon (GC → A) is accepted.
  assert.equal(checkPair('CATGAAAGC', 'MKA', { codonStart: 2 }).status, 'ok');
  const s = checkPair('ATGTAAAAATAA', 'MKK');
  assert.equal(s.status, 'internal-stop');
  assert.equal(s.firstDifference, 1);
  assert.equal(checkPair('ATGAAA', null).status, 'no-translation');
});
