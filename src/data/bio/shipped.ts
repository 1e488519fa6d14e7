/**
 * The compact record format of the shipped BSM data (`data/bio/`, written by `scripts/data/extract_bio.ts`):
 * per set, a FASTA of record sequences, a feature table TSV and a record table TSV. Together they rebuild
 * `SeqRecord`s that the rest of `src/data/bio` reads like parsed GenBank entries, at a third of the size (no
 * /translation: every shipped CDS passed the pair check at extraction, and its `check` column says how).
 *
 * features TSV columns: record, key, location (INSDC syntax), gene, locus_tag, product, transl_table, codon_start,
 * check (ok / ok-alt-start for CDS, '' for RNA features). records TSV columns: record, organism, topology, length,
 * origin (package file it came from), offset (0, or the start − 1 of a region cut from a longer entry), definition.
 */
import { InputError } from '../../util/errors.js';
import { parseFasta } from './fasta.js';
import { parseLocation } from './location.js';
import { splitLines, type Qualifier, type SeqFeature, type SeqRecord } from './record.js';

export const FEATURE_COLUMNS = ['record', 'key', 'location', 'gene', 'locus_tag', 'product', 'transl_table', 'codon_start', 'check'] as const;
export const RECORD_COLUMNS = ['record', 'organism', 'topology', 'length', 'origin', 'offset', 'definition'] as const;

/** Metadata row of one shipped record. */
export interface RecordInfo {
  record: string;
  organism: string;
  topology: 'linear' | 'circular';
  length: number;
  origin: string;
  offset: number;
  definition: string;
}

function cell(v: string | number | null | undefined): string {
  return v === null || v === undefined ? '' : String(v).replace(/[\t\r\n]+/g, ' ');
}

/** Feature-table TSV text for features of records (header first). `check` gives the check column per feature. */
export function formatFeatureTable(rows: ReadonlyArray<{ record: string; feature: SeqFeature; check: string }>): string {
  const q = (f: SeqFeature, name: string): string | null => f.qualifiers.find((x) => x.name === name)?.value ?? null;
  let out = FEATURE_COLUMNS.join('\t') + '\n';
  for (const { record, feature: f, check } of rows) {
    out += [record, f.key, f.location.text, q(f, 'gene'), q(f, 'locus_tag'), q(f, 'product'), q(f, 'transl_table'), q(f, 'codon_start'), check].map(cell).join('\t') + '\n';
  }
  return out;
}

/** Record-table TSV text (header first). */
export function formatRecordTable(rows: readonly RecordInfo[]): string {
  let out = RECORD_COLUMNS.join('\t') + '\n';
  for (const r of rows) out += RECORD_COLUMNS.map((c) => cell(r[c])).join('\t') + '\n';
  return out;
}

function parseTsv(text: string, source: string, columns: readonly string[]): { cells: string[]; line: number }[] {
  const lines = splitLines(text);
  const header = lines[0];
  if (header === undefined || header !== columns.join('\t')) {
    throw new InputError(`header must be "${columns.join('\\t')}"`, { file: source, line: 1 });
  }
  const out: { cells: string[]; line: number }[] = [];
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (l.length === 0) continue;
    const cells = l.split('\t');
    if (cells.length !== columns.length) {
      throw new InputError(`${cells.length} fields, expected ${columns.length}`, { file: source, line: i + 1 });
    }
    out.push({ cells, line: i + 1 });
  }
  return out;
}

/** Parse a records TSV. */
export function parseRecordTable(text: string, source: string): RecordInfo[] {
  return parseTsv(text, source, RECORD_COLUMNS).map(({ cells, line }) => {
    const [record, organism, topology, length, origin, offset, definition] = cells as [string, string, string, string, string, string, string];
    if (topology !== 'linear' && topology !== 'circular') throw new InputError(`topology "${topology}" is not linear/circular`, { file: source, line, field: 'topology' });
    const len = Number(length);
    const off = Number(offset);
    if (!Number.isInteger(len) || len < 0) throw new InputError(`length "${length}" is not a count`, { file: source, line, field: 'length' });
    if (!Number.isInteger(off) || off < 0) throw new InputError(`offset "${offset}" is not a count`, { file: source, line, field: 'offset' });
    return { record, organism, topology, length: len, origin, offset: off, definition };
  });
}

/** Names of the three files of one shipped set (used in error messages). */
export interface ShippedSources {
  fasta: string;
  features: string;
  records: string;
}

/**
 * Rebuild records from the three texts of a shipped set. Sequence lengths are checked against the records table,
 * locations against the sequences, and every feature row must name a known record; errors name file and line.
 */
export function parseShippedRecords(texts: { fasta: string; features: string; records: string }, sources: ShippedSources): SeqRecord[] {
  const infos = parseRecordTable(texts.records, sources.records);
  const seqs = new Map(parseFasta(texts.fasta, sources.fasta).map((r) => [r.id, r]));
  const byName = new Map<string, SeqRecord>();
  const out: SeqRecord[] = [];
  infos.forEach((info, k) => {
    const fa = seqs.get(info.record);
    if (fa === undefined) throw new InputError(`record ${info.record} has no sequence in ${sources.fasta}`, { file: sources.records, line: k + 2 });
    if (fa.sequence.length !== info.length) {
      throw new InputError(`record ${info.record}: ${fa.sequence.length} bp in ${sources.fasta}, ${info.length} in the records table`, { file: sources.fasta, line: fa.line });
    }
    const rec: SeqRecord = {
      format: 'genbank',
      source: sources.features,
      line: k + 2,
      name: info.record,
      accession: info.record,
      version: '',
      definition: info.definition,
      organism: info.organism,
      moleculeType: 'DNA',
      topology: info.topology,
      declaredLength: info.length,
      sequence: fa.sequence,
      features: [],
    };
    byName.set(info.record, rec);
    out.push(rec);
  });
  for (const { cells, line } of parseTsv(texts.features, sources.features, FEATURE_COLUMNS)) {
    const [record, key, location, gene, locusTag, product, table, codonStart, check] = cells as [string, string, string, string, string, string, string, string, string];
    const rec = byName.get(record);
    if (rec === undefined) throw new InputError(`unknown record "${record}"`, { file: sources.features, line, field: 'record' });
    const qs: Qualifier[] = [];
    const add = (name: string, value: string): void => {
      if (value !== '') qs.push({ name, value, quoted: true });
    };
    add('gene', gene);
    add('locus_tag', locusTag);
    add('product', product);
    add('transl_table', table);
    add('codon_start', codonStart);
    add('check', check);
    rec.features.push({ key, location: parseLocation(location, { file: sources.features, line }, rec.sequence.length), qualifiers: qs, line });
  }
  return out;
}
