import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseGenBank } from '../../../src/data/bio/genbank.js';
import { parseEmbl } from '../../../src/data/bio/embl.js';
import { parseFasta, formatFasta } from '../../../src/data/bio/fasta.js';
import { cdsEntries, checkCdsEntry } from '../../../src/data/bio/features.js';
import { qualifier, qualifierInt } from '../../../src/data/bio/record.js';
import { InputError } from '../../../src/util/errors.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/bio/${name}`, import.meta.url), 'utf8');

/** An InputError whose message starts with "<file>, line <line>" (and contains `part` when given). */
function located(file: string, line: number, part?: string) {
  return (e: unknown): boolean => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    assert.ok(e.message.startsWith(`${file}, line ${line}`), e.message);
    if (part !== undefined) assert.ok(e.message.includes(part), e.message);
    return true;
  };
}

for (const [file, n, length] of [
  ['NC_001422.gbk', 11, 5386],
  ['NC_005816.gb', 10, 9609],
] as const) {
  test(`${file}: every CDS re-translates to its /translation`, () => {
    const recs = parseGenBank(fixture(file), file);
    assert.equal(recs.length, 1);
    const r = recs[0]!;
    assert.equal(r.sequence.length, length);
    assert.equal(r.topology, 'circular');
    const { entries, skipped } = cdsEntries(r);
    assert.equal(skipped.length, 0);
    assert.equal(entries.length, n);
    for (const e of entries) {
      const c = checkCdsEntry(e);
      assert.ok(c.ok, `${file} line ${e.line} (${e.gene ?? e.locusTag}): ${c.message}`);
      assert.equal(c.coding.length, 3 * e.translation!.length, `${e.locusTag}: coding DNA is 3 × protein length`);
    }
  });
}

test('phiX174 header fields and a wrapped, spliced-over-origin CDS', () => {
  const r = parseGenBank(fixture('NC_001422.gbk'), 'phix.gbk')[0]!;
  assert.equal(r.name, 'NC_001422');
  assert.equal(r.accession, 'NC_001422');
  assert.equal(r.version, 'NC_001422.1');
  assert.match(r.definition, /phiX174/);
  assert.match(r.organism, /phiX174/);
  // Gene A* / A span the origin of the circular genome: join(3981..5386,1..136).
  const joined = r.features.filter((f) => f.key === 'CDS' && f.location.operator === 'join');
  assert.ok(joined.length >= 1);
  assert.ok(joined.some((f) => f.location.segments[0]!.start > f.location.segments[1]!.start));
});

test('pPCP1: EMBL twin, FASTA proteins and GenBank translations agree', () => {
  const gb = parseGenBank(fixture('NC_005816.gb'), 'NC_005816.gb')[0]!;
  const embl = parseEmbl(fixture('AE017046.embl'), 'AE017046.embl');
  assert.equal(embl.length, 1);
  const e = embl[0]!;
  assert.equal(e.accession, 'AE017046');
  assert.equal(e.topology, 'circular');
  assert.equal(e.sequence, gb.sequence);
  const gbProteins = cdsEntries(gb).entries.map((x) => x.translation);
  const emblEntries = cdsEntries(e).entries;
  assert.deepEqual(
    emblEntries.map((x) => x.translation),
    gbProteins,
  );
  for (const x of emblEntries) assert.ok(checkCdsEntry(x).ok);
  const faa = parseFasta(fixture('NC_005816.faa'), 'NC_005816.faa');
  assert.equal(faa.length, 10);
  assert.deepEqual(
    faa.map((f) => f.sequence),
    gbProteins,
  );
  assert.match(faa[0]!.id, /^gi\|/);
  // Writing and re-reading keeps the records.
  assert.deepEqual(
    parseFasta(formatFasta(faa, 50), 'x').map((f) => [f.id, f.description, f.sequence]),
    faa.map((f) => [f.id, f.description, f.sequence]),
  );
});

test('several records per file', () => {
  const recs = parseGenBank(fixture('NC_001422.gbk') + fixture('NC_005816.gb'), 'both.gb');
  assert.deepEqual(
    recs.map((r) => r.name),
    ['NC_001422', 'NC_005816'],
  );
  assert.equal(recs[1]!.line, fixture('NC_001422.gbk').split('\n').length);
});

const mini = (features: string, origin = '        1 atgaaatttg gctaa\n', locusLength = 15): string =>
  `LOCUS       TEST1                 ${locusLength} bp    DNA     linear   BCT 01-JAN-2000
DEFINITION  A test record
            over two lines.
ACCESSION   TEST1
FEATURES             Location/Qualifiers
${features}ORIGIN
${origin}//
`;

test('qualifiers: continued lines, quotes, escaped quotes, flags, /transl_table="11)" quirk', () => {
  const text = mini(`     CDS             1..15
                     /gene="abc"
                     /product="a long product name that
                     wraps over ""two"" lines"
                     /pseudo
                     /codon_start=1
                     /transl_table="11)"
                     /translation="MKF
                     G"
`);
  const r = parseGenBank(text, 'mini.gb')[0]!;
  assert.equal(r.definition, 'A test record over two lines.');
  const f = r.features[0]!;
  assert.equal(qualifier(f, 'product'), 'a long product name that wraps over "two" lines');
  assert.equal(qualifier(f, 'translation'), 'MKFG');
  assert.equal(qualifier(f, 'pseudo'), null);
  assert.ok(f.qualifiers.some((q) => q.name === 'pseudo'));
  assert.equal(qualifierInt(f, 'transl_table', 'mini.gb'), 11);
  const e = cdsEntries(r).entries[0]!;
  assert.equal(e.table, 11);
  assert.ok(checkCdsEntry(e).ok);
});

test('malformed GenBank records name file and line', () => {
  // Missing "//".
  assert.throws(() => parseGenBank(mini('').replace('//\n', ''), 'a.gb'), located('a.gb', 7, 'not closed'));
  // Bad location (line 6 is the CDS line).
  assert.throws(() => parseGenBank(mini('     CDS             join(1..5,x)\n'), 'b.gb'), located('b.gb', 6, 'bad feature location'));
  // Location beyond the sequence.
  assert.throws(() => parseGenBank(mini('     CDS             1..99\n'), 'c.gb'), located('c.gb', 6, 'beyond the sequence'));
  // Bad sequence character: line 7, column 16.
  assert.throws(
    () => parseGenBank(mini('', '        1 atgaa#tttg gctaa\n'), 'd.gb'),
    (e: unknown) => e instanceof InputError && e.message.startsWith('d.gb, line 7, column 16'),
  );
  // Unterminated quote.
  assert.throws(() => parseGenBank(mini('     CDS             1..15\n                     /note="open\n'), 'e.gb'), located('e.gb', 7, 'never closed'));
  // LOCUS length disagrees with ORIGIN.
  assert.throws(() => parseGenBank(mini('', undefined, 20), 'f.gb'), located('f.gb', 1, 'declares 20 bp'));
  // Junk after a record.
  assert.throws(() => parseGenBank(mini('') + 'garbage\n', 'g.gb'), located('g.gb', 9, 'expected a LOCUS'));
  // Bad /codon_start.
  const bad = parseGenBank(mini('     CDS             1..15\n                     /codon_start=x\n'), 'h.gb')[0]!;
  assert.throws(() => cdsEntries(bad), located('h.gb', 6, 'codon_start'));
  // Unknown genetic code.
  const badTable = parseGenBank(mini('     CDS             1..15\n                     /transl_table=7\n'), 'i.gb')[0]!;
  assert.throws(() => cdsEntries(badTable), located('i.gb', 6, 'no NCBI genetic code 7'));
});

test('malformed EMBL and FASTA name file and line', () => {
  const embl = fixture('AE017046.embl');
  const lines = embl.split('\n');
  const sq = lines.findIndex((l) => l.startsWith('SQ'));
  const broken = [...lines.slice(0, sq + 2), '     acgt!acgt', ...lines.slice(sq + 2)].join('\n');
  assert.throws(
    () => parseEmbl(broken, 'x.embl'),
    (e: unknown) => e instanceof InputError && e.message.startsWith(`x.embl, line ${sq + 3}, column 10`),
  );
  assert.throws(() => parseEmbl('garbage\n', 'y.embl'), located('y.embl', 1, 'expected an ID line'));
  assert.throws(() => parseFasta('ACGT\n>a\nAC\n', 'z.fa'), located('z.fa', 1, 'before the first'));
  assert.throws(() => parseFasta('>a\nAC GT\n>b\n>c\nA\n', 'z.fa'), located('z.fa', 3, 'no sequence'));
  assert.throws(
    () => parseFasta('>a\nAC\nA1\n', 'z.fa'),
    (e: unknown) => e instanceof InputError && e.message.startsWith('z.fa, line 3, column 2'),
  );
  assert.deepEqual(
    parseFasta(';comment\n>a desc here\nac\ngt\n\n>b\nMK*\n', 'ok.fa').map((r) => [r.id, r.description, r.sequence, r.line]),
    [
      ['a', 'desc here', 'ACGT', 2],
      ['b', '', 'MK*', 6],
    ],
  );
});
