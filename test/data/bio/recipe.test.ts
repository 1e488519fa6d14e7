import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseGenBank } from '../../../src/data/bio/genbank.js';
import { genesFromRecords, documentElements, genesByRecord, dedupeByProtein, type Gene } from '../../../src/data/bio/genes.js';
import { codonWindow, allCodonWindows, refseqSample, geneRelatedGroups, geneRelatedSample, interleavedSample, singleModalWindow, joinParts, type Sample } from '../../../src/data/bio/samples.js';
import { packSamples, tokenCount } from '../../../src/data/bio/packing.js';
import { bsmSchedule, roundAt, learningRateAt, drawMixture, uniCorpusLike } from '../../../src/data/bio/schedule.js';
import { substituteResidues, frameshift, substituteNucleotides, centralDogmaItems } from '../../../src/data/bio/corrupt.js';
import { parseShippedRecords } from '../../../src/data/bio/shipped.js';
import { translate } from '../../../src/data/bio/genetic-code.js';
import { BOS_ID, EOS_ID, SEP_ID, PAD_ID, decodeString, isResidueId } from '../../../src/data/bio/tokenizer.js';
import { Rng } from '../../../src/util/random.js';
import { InputError } from '../../../src/util/errors.js';

const fixture = (name: string): string => readFileSync(new URL(`../../fixtures/bio/${name}`, import.meta.url), 'utf8');
const records = [...parseGenBank(fixture('NC_001422.gbk'), 'NC_001422.gbk'), ...parseGenBank(fixture('NC_005816.gb'), 'NC_005816.gb')];
const { genes, failures } = genesFromRecords(records);

test('genes of phiX174 + pPCP1: 21 verified, coding DNA translates to the protein', () => {
  assert.equal(genes.length, 21);
  assert.equal(failures.length, 0);
  for (const g of genes) {
    assert.equal(translate(g.cds, { table: g.table, firstCodonIsStart: g.complete5 }), g.protein, g.id);
    assert.ok(g.genomic.length >= g.cds.length);
  }
  assert.equal(dedupeByProtein([...genes, ...genes]).length, 21);
});

test('in-frame windows re-translate; seeded draws repeat', () => {
  const g = genes[0]!;
  const a = codonWindow(g, 6, new Rng(5))!;
  const b = codonWindow(g, 6, new Rng(5))!;
  assert.deepEqual(a, b);
  assert.equal(a.dna.length, 18);
  assert.equal(a.protein, g.protein.slice(a.codon, a.codon + 6));
  for (const w of allCodonWindows(g, 12)) assert.equal(translate(w.dna, { table: g.table, firstCodonIsStart: w.codon === 0 }), w.protein);
  assert.equal(codonWindow({ ...g, protein: 'MK', cds: 'ATGAAA' }, 6, new Rng(1)), null);
});

function specials(s: Sample): number[] {
  return s.tokens.filter((t) => t === BOS_ID || t === EOS_ID || t === SEP_ID);
}

test('RefSeq-style, gene-related, interleaved and single-modal samples', () => {
  const rng = new Rng(1);
  for (let i = 0; i < 20; i++) {
    const s = refseqSample(genes[i % genes.length]!, rng, { windowCodons: 6 })!;
    const seps = specials(s).filter((t) => t === SEP_ID).length;
    assert.ok(seps === 1 || seps === 2);
    assert.equal(s.tokens[0], BOS_ID);
    assert.equal(s.tokens[s.tokens.length - 1], EOS_ID);
  }
  // Only DNA↔protein when asked: one nucleotide run and one residue run.
  const dp = refseqSample(genes[0]!, new Rng(2), { combinations: { 'dna-protein': 1 } })!;
  assert.match(decodeString(dp.tokens), /^<bos>([acgtn]+<sep>[A-Z]+|[A-Z]+<sep>[acgtn]+)<eos>$/);
  // Whole-gene DNA is the genomic span (with flanks), protein the whole protein.
  const whole = refseqSample(genes[0]!, new Rng(3), { combinations: { 'dna-protein': 1 }, fixedOrder: true })!;
  assert.equal(whole.tokens.length, genes[0]!.genomic.length + genes[0]!.protein.length + 3);
  // Gene-related: synthetic genes sharing a name on two records.
  const g2: Gene[] = [
    { ...genes[0]!, gene: 'wza', record: 'R1' },
    { ...genes[1]!, gene: 'WZA', record: 'R2' },
    { ...genes[2]!, gene: 'solo' },
  ];
  const groups = geneRelatedGroups(g2);
  assert.equal(groups.length, 1);
  const gr = geneRelatedSample(groups[0]!, new Rng(4), { windowCodons: 5 })!;
  assert.equal(gr.kind, 'gene-related');
  assert.equal(specials(gr).length, 3);
  // Interleaved: the features of pPCP1 in coordinate order.
  const byRec = genesByRecord(genes);
  const els = documentElements(records[1]!, byRec.get('NC_005816')!);
  assert.deepEqual(
    els.map((e) => e.start),
    [...els.map((e) => e.start)].sort((a, b) => a - b),
  );
  const doc = interleavedSample(els, new Rng(6), { maxTokens: 400, maxElementLength: 60 })!;
  assert.ok(doc.tokens.length <= 400);
  assert.ok(specials(doc).filter((t) => t === SEP_ID).length >= 2);
  const single = singleModalWindow({ nucleotides: genes.map((g) => ({ modality: 'dna' as const, sequence: g.cds })), proteins: genes.map((g) => g.protein) }, new Rng(7), { length: 30 });
  assert.equal(single.tokens.length, 32);
  assert.equal(specials(single).length, 2);
});

test('packing keeps samples whole, masks padding and sample boundaries', () => {
  const mk = (n: number, mask?: number[]): Sample => {
    const s: Sample = { tokens: [BOS_ID, ...Array.from({ length: n }, (_, i) => 7 + (i % 4)), EOS_ID], kind: 'single' };
    if (mask !== undefined) s.lossMask = mask;
    return s;
  };
  const samples = [mk(3), mk(4), mk(8), mk(20), mk(2, [0, 0, 1, 1])];
  const p = packSamples(samples, { rowLength: 10 });
  assert.deepEqual(p.dropped, [3]); // 22 tokens > 11 slots
  assert.deepEqual(p.rowSamples, [[0, 1], [2], [4]]);
  assert.equal(p.rows, 3);
  const L = 10;
  // Row 0: slots = s0 (5 tokens) + s1 (6 tokens) = 11 = L + 1.
  assert.deepEqual(Array.from(p.segmentIds.slice(0, L)), [1, 1, 1, 1, 1, 2, 2, 2, 2, 2]);
  assert.deepEqual(Array.from(p.positions.slice(0, L)), [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
  // The <eos>→<bos> transition (input 4 → target 5) is not trained.
  assert.deepEqual(Array.from(p.lossMask.slice(0, L)), [1, 1, 1, 1, 0, 1, 1, 1, 1, 1]);
  for (let r = 0; r < p.rows; r++) {
    for (let t = 0; t < L; t++) {
      const i = r * L + t;
      if (t + 1 < L) assert.equal(p.targets[i], p.inputs[i + 1]);
      if (p.targets[i] === PAD_ID) assert.equal(p.lossMask[i], 0);
    }
  }
  // Row 2 uses the sample's own mask: targets at stream positions 1..3 have weights 0, 1, 1.
  assert.deepEqual(Array.from(p.lossMask.slice(2 * L, 2 * L + 4)), [0, 1, 1, 0]);
  assert.throws(() => packSamples(samples, { rowLength: 10, overflow: 'error' }), InputError);
  assert.equal(packSamples(samples, { rowLength: 10, maxRows: 1 }).rows, 1);
  assert.equal(tokenCount(samples), 5 + 6 + 10 + 22 + 4);
});

test('three-round schedule, mixtures and the uni corpus at equal token budget', () => {
  const sch = bsmSchedule(1000);
  assert.deepEqual(
    sch.map((r) => [r.name, r.startStep, r.endStep]),
    [
      ['R1', 0, 400],
      ['R2', 400, 850],
      ['R3', 850, 1000],
    ],
  );
  assert.deepEqual(sch[1]!.weights, { single: 10, refseq: 2, geneRelated: 1 });
  assert.deepEqual(sch[2]!.weights, { refseq: 1, geneRelated: 1, interleaved: 10 });
  assert.equal(roundAt(sch, 399).name, 'R1');
  assert.equal(roundAt(sch, 850).name, 'R3');
  assert.equal(learningRateAt(sch, 0), 3e-3);
  assert.ok(Math.abs(learningRateAt(sch, 999)) < 1e-12);
  const custom = bsmSchedule(100, { fractions: [1, 1, 2], r2: { single: 1, refseq: 1 } });
  assert.deepEqual(
    custom.map((r) => r.endStep),
    [25, 50, 100],
  );
  const pools = { nucleotides: genes.map((g) => ({ modality: 'dna' as const, sequence: g.cds })), proteins: genes.map((g) => g.protein) };
  const gens = {
    single: (r: Rng) => singleModalWindow(pools, r, { length: 24 }),
    refseq: (r: Rng) => refseqSample(genes[r.int(genes.length)]!, r, { windowCodons: 6 }),
  };
  const mix = drawMixture({ single: 10, refseq: 2 }, gens, 5000, new Rng(9));
  const again = drawMixture({ single: 10, refseq: 2 }, gens, 5000, new Rng(9));
  assert.deepEqual(mix, again);
  assert.ok(tokenCount(mix) >= 5000);
  assert.ok(mix.some((s) => s.kind === 'refseq') && mix.some((s) => s.kind === 'single'));
  const uni = uniCorpusLike(mix, gens.single, new Rng(10));
  assert.ok(uni.every((s) => s.kind === 'single'));
  assert.ok(Math.abs(tokenCount(uni) - tokenCount(mix)) <= 26);
  assert.throws(() => drawMixture({ interleaved: 1 }, gens, 10, new Rng(1)), /no generator/);
});

test('corrupted pairs and Central-Dogma items are seeded and balanced', () => {
  const p = 'MKVLAAGIWS';
  const s = substituteResidues(p, 2, new Rng(1));
  assert.equal(s.length, p.length);
  assert.equal([...s].filter((c, i) => c !== p[i]).length, 2);
  assert.equal(s, substituteResidues(p, 2, new Rng(1)));
  const d = 'ATGAAACCCGGGTTTAAA';
  assert.equal(frameshift(d, new Rng(2)).length, d.length - 1);
  assert.equal(frameshift(d, new Rng(2), 'insertion').length, d.length + 1);
  assert.equal([...substituteNucleotides(d, 3, new Rng(3))].filter((c, i) => c !== d[i]).length, 3);
  const items = centralDogmaItems(genes, new Rng(4), { positives: 8, windowCodons: 6 });
  assert.deepEqual(items, centralDogmaItems(genes, new Rng(4), { positives: 8, windowCodons: 6 }));
  assert.equal(items.length, 16);
  assert.equal(items.filter((i) => i.label === 1).length, 8);
  assert.equal(items.filter((i) => i.corruption === 'substitution').length, 4);
  assert.equal(items.filter((i) => i.corruption === 'frameshift').length, 4);
  for (const it of items) {
    const g = genes.find((x) => x.id === it.geneId)!;
    const ok = translate(it.dna, { table: g.table, firstCodonIsStart: false }) === it.protein || (g.complete5 && translate(it.dna, { table: g.table }) === it.protein);
    assert.equal(ok, it.label === 1, `${it.corruption} ${it.geneId}`);
  }
  // A sample of a pair keeps residues in the residue id range.
  const smp = joinParts(
    [
      { modality: 'dna', sequence: items[0]!.dna },
      { modality: 'protein', sequence: items[0]!.protein },
    ],
    'refseq',
  );
  assert.equal(smp.tokens.filter(isResidueId).length, items[0]!.protein.length);
});

const dataFile = (name: string): string => readFileSync(new URL(`../../../data/bio/${name}`, import.meta.url), 'utf8');
const shipped = (set: string) =>
  parseShippedRecords(
    { fasta: dataFile(`${set}.fasta`), features: dataFile(`${set}-features.tsv`), records: dataFile(`${set}-records.tsv`) },
    { fasta: `${set}.fasta`, features: `${set}-features.tsv`, records: `${set}-records.tsv` },
  );

test('shipped data/bio sets load and every CDS re-translates', () => {
  const train = genesFromRecords(shipped('train'), { trustRetranslation: true });
  assert.equal(train.failures.length, 0);
  assert.equal(train.genes.length, 1085);
  const held = genesFromRecords(shipped('heldout-ct'), { trustRetranslation: true });
  assert.equal(held.failures.length, 0);
  assert.equal(held.genes.length, 893);
  const heldProteins = new Set(held.genes.map((g) => g.protein));
  assert.ok(
    train.genes.every((g) => !heldProteins.has(g.protein)),
    'no held-out protein in train',
  );
  assert.ok(
    train.genes.some((g) => g.spliced && g.strand === -1),
    'spliced minus-strand human genes are present',
  );
  assert.ok(geneRelatedGroups(train.genes).length > 10);
});

test('shipped-format errors name the file and line', () => {
  const base = {
    fasta: '>R\nACGTACGTAC\n',
    features: 'record\tkey\tlocation\tgene\tlocus_tag\tproduct\ttransl_table\tcodon_start\tcheck\n',
    records: 'record\torganism\ttopology\tlength\torigin\toffset\tdefinition\nR\tx\tlinear\t10\to\t0\td\n',
  };
  const src = { fasta: 'r.fasta', features: 'r-features.tsv', records: 'r-records.tsv' };
  assert.equal(parseShippedRecords(base, src).length, 1);
  assert.throws(() => parseShippedRecords({ ...base, features: base.features + 'Q\tCDS\t1..3\t\t\t\t\t\t\n' }, src), /r-features.tsv, line 2, field "record"/);
  assert.throws(() => parseShippedRecords({ ...base, features: base.features + 'R\tCDS\t1..30\t\t\t\t\t\t\n' }, src), /r-features.tsv, line 2: .*beyond the sequence/);
  assert.throws(() => parseShippedRecords({ ...base, records: base.records.replace('\t10\t', '\t11\t') }, src), /r.fasta, line 1/);
  assert.throws(() => parseShippedRecords({ ...base, features: 'bad header\n' }, src), /r-features.tsv, line 1/);
});
