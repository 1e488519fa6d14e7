/**
 * EMBL flat-file reader (EMBL-Bank user manual): ID, AC, DE, OS, FT and SQ lines, several entries per file, each
 * ending with `//`. The feature table uses the same columns as GenBank's once the `FT` prefix is blanked, so both
 * readers share `FeatureTableReader`.
 */
import { InputError } from '../../util/errors.js';
import { FeatureTableReader, readSequenceLine, splitLines, type SeqRecord } from './record.js';

/** Options of `parseEmbl`. */
export interface EmblOptions {
  /** Check the sequence length against the ID line's "… BP." (default true). */
  checkLength?: boolean;
}

/** Parse every entry of an EMBL flat file; errors name `source` and the line. */
export function parseEmbl(text: string, source: string, options: EmblOptions = {}): SeqRecord[] {
  const checkLength = options.checkLength ?? true;
  const lines = splitLines(text);
  const records: SeqRecord[] = [];
  let rec: SeqRecord | null = null;
  let table: FeatureTableReader | null = null;
  let seqParts: string[] = [];
  let inSequence = false;
  const where = (line: number) => ({ file: source, line });

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNo = i + 1;
    if (rec === null) {
      if (line.startsWith('ID ')) {
        rec = parseIdLine(line, source, lineNo);
        table = new FeatureTableReader(source);
        seqParts = [];
        inSequence = false;
      } else if (line.trim().length > 0) {
        throw new InputError(`expected an ID line, found "${line.trim().slice(0, 40)}"`, where(lineNo));
      }
      continue;
    }
    if (line.startsWith('//')) {
      if (table!.inQuote) table!.failOpenQuote();
      const r: SeqRecord = rec;
      r.sequence = seqParts.join('');
      if (r.accession === '') r.accession = r.name;
      if (inSequence && checkLength && Number.isFinite(r.declaredLength) && r.sequence.length !== r.declaredLength) {
        throw new InputError(`ID ${r.name} declares ${r.declaredLength} BP but SQ holds ${r.sequence.length} (entry ends at line ${lineNo})`, where(r.line));
      }
      r.features = table!.finish(r.sequence.length > 0 ? r.sequence.length : undefined);
      records.push(r);
      rec = null;
      continue;
    }
    if (inSequence) {
      if (!line.startsWith(' ')) throw new InputError(`expected sequence lines or "//", found "${line.slice(0, 40)}"`, where(lineNo));
      readSequenceLine(line, lineNo, source, seqParts);
      continue;
    }
    const code = line.slice(0, 2);
    if (code !== 'FT' && table!.inQuote) table!.failOpenQuote();
    const value = line.slice(5).trim();
    switch (code) {
      case 'AC':
        if (rec.accession === '') rec.accession = (value.split(';')[0] ?? '').trim();
        break;
      case 'SV':
        rec.version = value;
        break;
      case 'DE':
        rec.definition = rec.definition === '' ? value : `${rec.definition} ${value}`;
        break;
      case 'OS':
        if (rec.organism === '') rec.organism = value;
        break;
      case 'FT':
        table!.addLine('  ' + line.slice(2), lineNo);
        break;
      case 'SQ':
        inSequence = true;
        break;
      default:
        if (line.trim().length > 0 && !/^[A-Z][A-Z0-9]( |$)/.test(line)) {
          throw new InputError(`"${line.slice(0, 40)}" is not an EMBL line (two-letter code expected)`, where(lineNo));
        }
    }
  }
  if (rec !== null) {
    const r: SeqRecord = rec;
    throw new InputError(`entry ${r.name} (line ${r.line}) is not closed by "//" before the end of the file`, where(lines.length));
  }
  return records;
}

/**
 * ID line, current form `ID   AE017046; SV 1; circular; genomic DNA; STD; PRO; 9609 BP.` or the pre-2006 form
 * `ID   HSHBB   standard; DNA; HUM; 1234 BP.`
 */
function parseIdLine(line: string, source: string, lineNo: number): SeqRecord {
  const body = line.slice(5).trim();
  const parts = body.split(';').map((p) => p.trim());
  const first = parts[0] ?? '';
  const name = first.split(/\s+/)[0] ?? '';
  if (name === '') throw new InputError('ID line without a name', { file: source, line: lineNo });
  const lengthMatch = /(\d+)\s+BP\.?\s*$/.exec(body);
  const topology = parts.some((p) => p === 'circular') ? 'circular' : 'linear';
  const moleculeType = parts.find((p) => /(DNA|RNA)$/.test(p)) ?? '';
  return {
    format: 'embl',
    source,
    line: lineNo,
    name,
    accession: '',
    version: '',
    definition: '',
    organism: '',
    moleculeType,
    topology,
    declaredLength: lengthMatch === null ? NaN : Number(lengthMatch[1]),
    sequence: '',
    features: [],
  };
}
