/**
 * FASTA reader and writer: records start with a `>` header line (id = first word, description = the rest),
 * followed by any number of sequence lines. Blank lines are ignored; `;` comment lines are allowed before the first
 * header (old Pearson format).
 */
import { InputError } from '../../util/errors.js';
import { splitLines } from './record.js';

/** One FASTA record. */
export interface FastaRecord {
  id: string;
  description: string;
  /** Sequence with line breaks removed, upper-cased unless `keepCase`. */
  sequence: string;
  /** 1-based line of the header. */
  line: number;
}

/** Options of `parseFasta`. */
export interface FastaOptions {
  /** Keep letter case (default false: upper-case). */
  keepCase?: boolean;
  /** Allow records with an empty sequence (default false: an InputError at the header line). */
  allowEmpty?: boolean;
  /** Characters allowed in sequences besides letters (default `*-.`). */
  extraChars?: string;
}

/** Parse a FASTA text. Errors name `source`, the line and the column. */
export function parseFasta(text: string, source: string, options: FastaOptions = {}): FastaRecord[] {
  const extra = options.extraChars ?? '*-.';
  const lines = splitLines(text);
  const out: FastaRecord[] = [];
  let current: { id: string; description: string; line: number; parts: string[] } | null = null;
  const close = (): void => {
    if (current === null) return;
    const seq = current.parts.join('');
    if (seq.length === 0 && !options.allowEmpty) {
      throw new InputError(`FASTA record "${current.id}" has no sequence`, { file: source, line: current.line });
    }
    out.push({ id: current.id, description: current.description, sequence: seq, line: current.line });
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const lineNo = i + 1;
    if (line.startsWith('>')) {
      close();
      const header = line.slice(1).trim();
      const sp = header.search(/\s/);
      const id = sp < 0 ? header : header.slice(0, sp);
      if (id.length === 0) throw new InputError('FASTA header without an id', { file: source, line: lineNo, column: 2 });
      current = { id, description: sp < 0 ? '' : header.slice(sp + 1).trim(), line: lineNo, parts: [] };
      continue;
    }
    const trimmed = line.trim();
    if (trimmed.length === 0) continue;
    if (current === null) {
      if (trimmed.startsWith(';')) continue;
      throw new InputError('sequence text before the first ">" header', { file: source, line: lineNo, column: 1 });
    }
    let letters = '';
    for (let k = 0; k < line.length; k++) {
      const ch = line[k]!;
      if (ch === ' ' || ch === '\t' || ch === '\r') continue;
      if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || extra.includes(ch)) letters += ch;
      else throw new InputError(`"${ch}" is not a sequence letter`, { file: source, line: lineNo, column: k + 1 });
    }
    current.parts.push(options.keepCase ? letters : letters.toUpperCase());
  }
  close();
  return out;
}

/** Format records as FASTA with sequence lines of `width` characters (default 60; 0 = one line). */
export function formatFasta(records: ReadonlyArray<{ id: string; description?: string; sequence: string }>, width = 60): string {
  let out = '';
  for (const r of records) {
    out += `>${r.id}${r.description ? ' ' + r.description : ''}\n`;
    if (width <= 0) out += r.sequence + '\n';
    else for (let i = 0; i < r.sequence.length; i += width) out += r.sequence.slice(i, i + width) + '\n';
  }
  return out;
}
