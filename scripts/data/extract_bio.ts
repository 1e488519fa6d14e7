#!/usr/bin/env -S npx tsx
/**
 * Extract the BSM data of research note docs/research/sequence.md §1(d) from Debian packages into
 * `data/bio/`, in the compact record format of `src/data/bio/shipped.ts` (FASTA + feature TSV + record TSV per set).
 * The parsing and the pair check are the library's own (`src/data/bio`), so what ships is what the library accepts.
 *
 * Sets written:
 *   train.*            phiX174, pPCP1 and the Arabidopsis chloroplast genome (python-biopython-doc), the small
 *                      EMBOSS test entries (emboss-test embl/*.dat), gene regions of the human entries of
 *                      emboss-test embl/hum1.dat (each CDS span ± 100 nt, overlapping spans merged, regions longer
 *                      than --max-region, default 12 000, dropped), and a seeded subset of the kaptive-data capsule loci
 *                      (--kaptive-bp bases, default 1 000 000; loci drawn in random order, a locus is kept when at least half of its
 *                      verified proteins are new).
 *   heldout-ct.*       the complete Chlamydia trachomatis genome of r-cran-seqinr (sequences/ct.gbk.gz): the
 *                      held-out organism (§1(d) "hold out a whole organism").
 *   rrna16s.fasta      --rrna (default 200) 16S rRNA genes drawn at random from microbiomeutil-data's rRNA16S.gold.fasta, in RNA
 *                      spelling (single-modal RNA).
 * Kept features: CDS that pass the pair check (re-translation = /translation, alternative starts allowed) and local
 * rRNA/tRNA/ncRNA/tmRNA/misc_RNA features. Train CDS whose protein also occurs in the held-out genome are dropped.
 *
 * Usage: npx tsx scripts/data/extract_bio.ts [--root DIR] [--out DIR] [--kaptive-bp N] [--max-region N]
 *        [--rrna N] [--seed N] [--full]
 *   --root   prefix of the package files (default "/": installed packages; or a `dpkg -x` folder)
 *   --full   every kaptive locus, every human region and every 16S gene (20 MB, not shipped)
 * Output is deterministic for given options.
 */
import { readFileSync, writeFileSync, renameSync, mkdirSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseGenBank } from '../../src/data/bio/genbank.js';
import { parseEmbl } from '../../src/data/bio/embl.js';
import { parseFasta, formatFasta } from '../../src/data/bio/fasta.js';
import { cdsEntries, checkCdsEntry, type PairStatus } from '../../src/data/bio/features.js';
import { formatLocation } from '../../src/data/bio/location.js';
import { formatFeatureTable, formatRecordTable, type RecordInfo } from '../../src/data/bio/shipped.js';
import type { SeqFeature, SeqRecord } from '../../src/data/bio/record.js';
import { Rng } from '../../src/util/random.js';

const args = process.argv.slice(2);
function opt(name: string, def: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : def;
}
const full = args.includes('--full');
const root = opt('root', '/');
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const outDir = resolve(opt('out', join(repoRoot, 'data', 'bio')));
const kaptiveBp = full ? Infinity : Number(opt('kaptive-bp', '1000000'));
const maxRegion = full ? Infinity : Number(opt('max-region', '12000'));
const rrnaCount = full ? Infinity : Number(opt('rrna', '200'));
const seed = Number(opt('seed', '2024'));
const FLANK = 100;

const BIOPYTHON = join(root, 'usr/share/doc/python-biopython-doc/Tests');
const EMBOSS = join(root, 'usr/share/EMBOSS/test/embl');
const KAPTIVE = join(root, 'usr/share/kaptive/reference_database');
const SEQINR = join(root, 'usr/lib/R/site-library/seqinr/sequences/ct.gbk.gz');
const RRNA = join(root, 'usr/share/microbiomeutil-data/RESOURCES/rRNA16S.gold.fasta');
const RNA_KEYS = new Set(['rRNA', 'tRNA', 'ncRNA', 'tmRNA', 'misc_RNA']);

function readText(path: string): string {
  let buf = readFileSync(path);
  if (path.endsWith('.gz')) buf = gunzipSync(buf);
  return buf.toString('latin1');
}
function rel(path: string): string {
  return path.startsWith(root) ? '/' + path.slice(root.length).replace(/^\/+/, '') : path;
}

interface Kept {
  info: RecordInfo;
  sequence: string;
  /** Kept features; CDS rows carry their verified protein. */
  features: Row[];
  proteins: string[];
}
interface Row {
  feature: SeqFeature;
  check: string;
  protein?: string;
}
const stats = { cdsTotal: 0, withTranslation: 0, failed: new Map<string, number>(), failures: [] as string[] };

/** Verified CDS and local RNA features of a record, as (feature, check) rows; proteins of the CDS. */
function keepFeatures(r: SeqRecord, origin: string, count: boolean): { rows: Row[]; proteins: string[] } {
  const rows: Row[] = [];
  const proteins: string[] = [];
  const { entries } = cdsEntries(r);
  const byLine = new Map(entries.map((e) => [e.line, e]));
  for (const f of r.features) {
    if (f.location.segments.some((s) => s.remote !== undefined)) continue;
    if (f.key === 'CDS') {
      const e = byLine.get(f.line);
      if (e === undefined) continue;
      if (count) stats.cdsTotal++;
      if (e.translation === null) continue;
      if (count) stats.withTranslation++;
      const c = checkCdsEntry(e);
      if (!c.ok) {
        if (count) {
          const k: string = c.status + (e.translExcept ? ' (transl_except)' : '') + (e.exception ? ' (exception)' : '');
          stats.failed.set(k, (stats.failed.get(k) ?? 0) + 1);
          stats.failures.push(`${origin} ${e.record} line ${e.line} ${e.gene ?? e.locusTag ?? ''} ${e.location.text}: ${c.message}`);
        }
        continue;
      }
      rows.push({ feature: f, check: c.status satisfies PairStatus, protein: e.translation });
      proteins.push(e.translation);
    } else if (RNA_KEYS.has(f.key)) {
      rows.push({ feature: f, check: '' });
    }
  }
  return { rows, proteins };
}

function wholeRecord(r: SeqRecord, origin: string): Kept {
  const { rows, proteins } = keepFeatures(r, origin, true);
  return {
    info: { record: r.accession || r.name, organism: r.organism, topology: r.topology, length: r.sequence.length, origin: rel(origin), offset: 0, definition: r.definition },
    sequence: r.sequence,
    features: rows,
    proteins,
  };
}

/** Gene regions of a long entry: verified CDS spans ± FLANK, merged, each at most maxRegion long. */
function regions(r: SeqRecord, origin: string): Kept[] {
  const { rows } = keepFeatures(r, origin, true);
  const cds = rows.filter((x) => x.feature.key === 'CDS');
  const spans = cds.map((x) => [Math.max(1, x.feature.location.min - FLANK), Math.min(r.sequence.length, x.feature.location.max + FLANK)] as [number, number]);
  spans.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const s of spans) {
    const last = merged[merged.length - 1];
    if (last !== undefined && s[0] <= last[1]) last[1] = Math.max(last[1], s[1]);
    else merged.push([s[0], s[1]]);
  }
  const out: Kept[] = [];
  const acc = r.accession || r.name;
  for (const [lo, hi] of merged) {
    if (hi - lo + 1 > maxRegion) continue;
    const offset = lo - 1;
    const inside = rows.filter((x) => x.feature.location.min >= lo && x.feature.location.max <= hi);
    const name = `${acc}_${lo}_${hi}`;
    const features = inside.map((x) => {
      const text = formatLocation(x.feature.location, -offset);
      return { ...x, feature: { ...x.feature, location: { ...x.feature.location, text } } };
    });
    out.push({
      info: { record: name, organism: r.organism, topology: 'linear', length: hi - lo + 1, origin: rel(origin), offset, definition: `${r.definition} [region ${lo}..${hi}]` },
      sequence: r.sequence.slice(lo - 1, hi),
      features,
      proteins: features.flatMap((x) => (x.protein === undefined ? [] : [x.protein])),
    });
  }
  return out;
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

function writeSet(name: string, kept: Kept[]): void {
  writeAtomic(
    join(outDir, `${name}.fasta`),
    formatFasta(
      kept.map((k) => ({ id: k.info.record, sequence: k.sequence })),
      80,
    ),
  );
  writeAtomic(join(outDir, `${name}-features.tsv`), formatFeatureTable(kept.flatMap((k) => k.features.map((f) => ({ record: k.info.record, ...f })))));
  writeAtomic(join(outDir, `${name}-records.tsv`), formatRecordTable(kept.map((k) => k.info)));
  const cds = kept.reduce((s, k) => s + k.features.filter((f) => f.feature.key === 'CDS').length, 0);
  const rna = kept.reduce((s, k) => s + k.features.filter((f) => f.feature.key !== 'CDS').length, 0);
  const bp = kept.reduce((s, k) => s + k.sequence.length, 0);
  console.log(`${name}: ${kept.length} records, ${bp} bp, ${cds} verified CDS, ${rna} RNA features, ${new Set(kept.flatMap((k) => k.proteins)).size} unique proteins`);
}

mkdirSync(outDir, { recursive: true });

// Held-out organism first, so train proteins identical to a held-out protein can be dropped.
const ctRecords = parseGenBank(readText(SEQINR), rel(SEQINR));
const heldout = ctRecords.map((r) => wholeRecord(r, SEQINR));
const heldoutProteins = new Set(heldout.flatMap((k) => k.proteins));

const train: Kept[] = [];
for (const p of ['GFF/NC_001422.gbk.gz', 'GenBank/NC_005816.gb.gz', 'GenBank/NC_000932.gb.gz']) {
  const path = join(BIOPYTHON, p);
  for (const r of parseGenBank(readText(path), rel(path))) train.push(wholeRecord(r, path));
}
for (const f of readdirSync(EMBOSS)
  .filter((f) => f.endsWith('.dat'))
  .sort()) {
  const path = join(EMBOSS, f);
  for (const r of parseEmbl(readText(path), rel(path))) {
    if (r.sequence.length === 0) continue;
    if (f === 'hum1.dat') train.push(...regions(r, path));
    else train.push(wholeRecord(r, path));
  }
}
// kaptive: seeded locus subset.
const loci: Kept[] = [];
for (const f of readdirSync(KAPTIVE)
  .filter((f) => f.endsWith('.gbk'))
  .sort()) {
  const path = join(KAPTIVE, f);
  for (const r of parseGenBank(readText(path), rel(path))) loci.push(wholeRecord(r, path));
}
const seen = new Set<string>(train.flatMap((k) => k.proteins));
const rng = new Rng(seed);
let kbp = 0;
let keptLoci = 0;
for (const i of rng.permutation(loci.length)) {
  const k = loci[i]!;
  if (kbp + k.sequence.length > kaptiveBp) continue;
  const fresh = k.proteins.filter((p) => !seen.has(p)).length;
  if (!full && fresh * 2 < k.proteins.length) continue;
  for (const p of k.proteins) seen.add(p);
  train.push(k);
  kbp += k.sequence.length;
  keptLoci++;
}
console.log(`kaptive: ${keptLoci} of ${loci.length} loci kept (${kbp} bp)`);

// Names must be unique across the set (two EMBOSS files share entries).
const names = new Set<string>();
const trainUnique = train.filter((k) => (names.has(k.info.record) ? false : (names.add(k.info.record), true)));
let droppedHeldout = 0;
for (const k of trainUnique) {
  const before = k.features.length;
  k.features = k.features.filter((f) => f.protein === undefined || !heldoutProteins.has(f.protein));
  k.proteins = k.proteins.filter((p) => !heldoutProteins.has(p));
  droppedHeldout += before - k.features.length;
}
console.log(`train CDS dropped because their protein is in the held-out genome: ${droppedHeldout}`);
writeSet('train', trainUnique);
writeSet('heldout-ct', heldout);

const rrna = parseFasta(readText(RRNA), rel(RRNA));
const pick = full ? rrna.map((_, i) => i) : Array.from(new Rng(seed + 1).choice(rrna.length, Math.min(rrnaCount, rrna.length), false)).sort((a, b) => a - b);
const rrnaOut = pick.map((i) => rrna[i]!).map((r) => ({ id: r.id, sequence: r.sequence.replace(/T/g, 'U') }));
writeAtomic(join(outDir, 'rrna16s.fasta'), formatFasta(rrnaOut, 80));
console.log(`rrna16s: ${rrnaOut.length} of ${rrna.length} sequences, ${rrnaOut.reduce((s, r) => s + r.sequence.length, 0)} nt`);

console.log(`pair check over all parsed entries: ${stats.cdsTotal} CDS, ${stats.withTranslation} with /translation, failed ${JSON.stringify(Object.fromEntries(stats.failed))}`);
writeAtomic(join(outDir, 'pair-check-failures.txt'), stats.failures.join('\n') + '\n');
