/**
 * GenBank flat-file reader (NCBI GenBank release notes, section 3.4): LOCUS, DEFINITION, ACCESSION, VERSION,
 * SOURCE/ORGANISM, FEATURES and ORIGIN, several records per file, each ending with `//`. Other header keywords are
 * skipped. Works on the file's text, so it runs in the browser as well as in Node; every error is an InputError that
 * names `source` and the line.
 */
import { InputError } from '../../util/errors.js';
import { FeatureTableReader, readSequenceLine, splitLines, type SeqRecord } from './record.js';

/** Options of `parseGenBank`. */
export interface GenBankOptions {
  /**
   * Check the ORIGIN length against the length on the LOCUS line (default true). A mismatch is an InputError at the
   * LOCUS line.
   */
  checkLength?: boolean;
}

type State = 'outside' | 'header' | 'features' | 'origin';

/**
 * Parse every record of a GenBank flat file. `source` (a file name) is used in error messages and kept in each
 * record. Text before the first LOCUS line (the header of a GenBank release file) is skipped.
 */
export function parseGenBank(text: string, source: string, options: GenBankOptions = {}): SeqRecord[] {
  const checkLength = options.checkLength ?? true;
  const lines = splitLines(text);
  const records: SeqRecord[] = [];
  let state: State = 'outside';
  let rec: SeqRecord | null = null;
  let table: FeatureTableReader | null = null;
  let seqParts: string[] = [];
  let sawOrigin = false;
  let key = '';
  let seenAnyRecord = false;

  const where = (line: number) => ({ file: source, line });

  const finish = (lineNo: number): void => {
    const r = rec!;
    r.sequence = seqParts.join('');
    if (sawOrigin && checkLength && Number.isFinite(r.declaredLength) && r.sequence.length !== r.declaredLength) {
      throw new InputError(`LOCUS ${r.name} declares ${r.declaredLength} bp but ORIGIN holds ${r.sequence.length} (record ends at line ${lineNo})`, where(r.line));
    }
    r.features = table!.finish(r.sequence.length > 0 ? r.sequence.length : undefined);
    records.push(r);
    rec = null;
    table = null;
    seqParts = [];
    sawOrigin = false;
    state = 'outside';
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNo = i + 1;
    if (state === 'outside') {
      if (line.startsWith('LOCUS')) {
        rec = parseLocusLine(line, source, lineNo);
        table = new FeatureTableReader(source);
        state = 'header';
        key = 'LOCUS';
        seenAnyRecord = true;
      } else if (line.trim().length > 0 && seenAnyRecord) {
        throw new InputError(`expected a LOCUS line after "//", found "${line.trim().slice(0, 40)}"`, where(lineNo));
      }
      continue;
    }
    if (line.startsWith('//')) {
      if (table!.inQuote) table!.failOpenQuote();
      finish(lineNo);
      continue;
    }
    if (state === 'origin') {
      if (/^\S/.test(line) && !/^\d/.test(line)) {
        throw new InputError(`expected sequence lines or "//" after ORIGIN, found "${line.trim().slice(0, 40)}"`, where(lineNo));
      }
      readSequenceLine(line, lineNo, source, seqParts);
      continue;
    }
    if (state === 'features') {
      if (line.length > 0 && line[0] !== ' ' && table!.inQuote) table!.failOpenQuote();
      if (line.length > 0 && line[0] !== ' ') {
        state = 'header';
        // fall through to the header handling of this line
      } else {
        table!.addLine(line, lineNo);
        continue;
      }
    }
    // Header lines: a keyword in columns 1–12, or a continuation / sub-keyword line starting with spaces.
    if (line.trim().length === 0) continue;
    if (line[0] !== ' ') {
      const m = /^(\S+(?: COUNT)?)\s*(.*)$/.exec(line)!;
      key = m[1]!;
      const value = m[2]!.trim();
      if (key === 'LOCUS') throw new InputError('LOCUS line inside a record (missing "//" before it?)', where(lineNo));
      if (key === 'FEATURES') state = 'features';
      else if (key === 'ORIGIN') {
        state = 'origin';
        sawOrigin = true;
      } else if (key === 'DEFINITION') rec!.definition = value;
      else if (key === 'ACCESSION') rec!.accession = value.split(/\s+/)[0] ?? '';
      else if (key === 'VERSION') rec!.version = value.split(/\s+/)[0] ?? '';
      continue;
    }
    const sub = /^ {2,3}([A-Z]+)\s+(.*)$/.exec(line);
    if (sub !== null && line.length > 12 && line.slice(0, 12).trim() === sub[1]) {
      key = sub[1]!;
      if (key === 'ORGANISM') rec!.organism = sub[2]!.trim();
      continue;
    }
    // Continuation line of the current keyword.
    if (key === 'DEFINITION') rec!.definition += ' ' + line.trim();
  }
  if (rec !== null) {
    const r: SeqRecord = rec;
    throw new InputError(`record ${r.name} (line ${r.line}) is not closed by "//" before the end of the file`, where(lines.length));
  }
  return records;
}

/**
 * LOCUS line: name, length with unit, molecule type, topology, division, date. Both the fixed-column layout and
 * the whitespace-separated variants found in older files are accepted.
 */
function parseLocusLine(line: string, source: string, lineNo: number): SeqRecord {
  const tokens = line
    .slice(5)
    .trim()
    .split(/\s+/)
    .filter((t) => t.length > 0);
  if (tokens.length === 0) throw new InputError('LOCUS line without a name', { file: source, line: lineNo });
  const name = tokens[0]!;
  let declaredLength = NaN;
  let moleculeType = '';
  let topology: 'linear' | 'circular' = 'linear';
  for (let k = 1; k < tokens.length; k++) {
    const t = tokens[k]!;
    const next = tokens[k + 1];
    if (/^\d+$/.test(t) && (next === 'bp' || next === 'aa' || next === 'rc')) {
      declaredLength = Number(t);
      const mol = tokens[k + 2];
      if (mol !== undefined && /(DNA|RNA|mRNA|rRNA|tRNA|NA)$/i.test(mol)) moleculeType = mol;
    } else if (t === 'circular' || t === 'linear') topology = t;
  }
  return {
    format: 'genbank',
    source,
    line: lineNo,
    name,
    accession: '',
    version: '',
    definition: '',
    organism: '',
    moleculeType,
    topology,
    declaredLength,
    sequence: '',
    features: [],
  };
}
