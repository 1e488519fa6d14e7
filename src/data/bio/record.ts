/**
 * The in-memory form of an annotated sequence entry (GenBank or EMBL), and the feature-table reader both formats
 * share: in both, a feature line has the key in columns 6–20 and the location from column 22, and qualifier lines
 * start in column 22 (EMBL prefixes every line with `FT`).
 */
import { InputError } from '../../util/errors.js';
import { parseLocation, type FeatureLocation } from './location.js';

/** One qualifier, `/name=value` (value null for a flag such as `/pseudo`). Quotes are removed, `""` unescaped. */
export interface Qualifier {
  name: string;
  value: string | null;
  /** The value was written in double quotes. */
  quoted: boolean;
}

/** One feature of the feature table. */
export interface SeqFeature {
  /** Feature key: CDS, gene, mRNA, rRNA, tRNA, source, … */
  key: string;
  location: FeatureLocation;
  qualifiers: Qualifier[];
  /** 1-based line of the feature's first line in its file. */
  line: number;
}

/** One annotated entry. */
export interface SeqRecord {
  format: 'genbank' | 'embl';
  /** Source name given to the parser (a file name), used in every later error about this record. */
  source: string;
  /** 1-based line of the LOCUS / ID line. */
  line: number;
  /** LOCUS name (GenBank) or the ID line's first token (EMBL). */
  name: string;
  /** First accession number ('' when the entry has none). */
  accession: string;
  /** Accession.version when given, else ''. */
  version: string;
  definition: string;
  /** Organism (GenBank ORGANISM / EMBL OS), '' when absent. */
  organism: string;
  /** Molecule type from the LOCUS/ID line, e.g. "DNA", "mRNA", "genomic DNA". */
  moleculeType: string;
  topology: 'linear' | 'circular';
  /** Length the LOCUS/ID line declares (NaN when it declares none). */
  declaredLength: number;
  /** Upper-case sequence ('' for entries without one, e.g. CONTIG-only records). */
  sequence: string;
  features: SeqFeature[];
}

/** Value of the first qualifier `name` of a feature (null when absent or a flag). */
export function qualifier(feature: SeqFeature, name: string): string | null {
  for (const q of feature.qualifiers) if (q.name === name) return q.value;
  return null;
}

/** All values of qualifier `name` (flags give ''). */
export function qualifiers(feature: SeqFeature, name: string): string[] {
  return feature.qualifiers.filter((q) => q.name === name).map((q) => q.value ?? '');
}

/** True when the feature carries qualifier `name` (with or without a value). */
export function hasQualifier(feature: SeqFeature, name: string): boolean {
  return feature.qualifiers.some((q) => q.name === name);
}

/**
 * Integer value of a qualifier such as /codon_start or /transl_table: the leading digits of the value. This accepts
 * the stray parenthesis some kaptive-data entries carry (`/transl_table="11)"`, docs/research/sequence.md §1(d)) and
 * quoted numbers. Returns null when the qualifier is absent; an InputError naming the feature's line when it has no
 * leading digits.
 */
export function qualifierInt(feature: SeqFeature, name: string, source: string): number | null {
  const v = qualifier(feature, name);
  if (v === null) return hasQualifier(feature, name) ? badInt(feature, name, '', source) : null;
  const m = /^\s*(\d+)/.exec(v);
  if (m === null) return badInt(feature, name, v, source);
  return Number(m[1]);
}

function badInt(feature: SeqFeature, name: string, value: string, source: string): never {
  throw new InputError(`/${name}="${value}" of the ${feature.key} feature is not a number`, {
    file: source,
    line: feature.line,
    field: name,
  });
}

/** Qualifiers whose wrapped lines are joined without a space (their values are sequences or have no spaces). */
const JOIN_WITHOUT_SPACE = new Set(['translation', 'transl_except', 'anticodon', 'codon_recognized', 'rpt_unit_seq']);

interface PendingFeature {
  key: string;
  locationText: string;
  line: number;
  qualifiers: Qualifier[];
  /** Raw text of the qualifier being read, while its quote is open. */
  open: { name: string; value: string; line: number } | null;
  /** No qualifier seen yet: an indented line continues the location. */
  inLocation: boolean;
}

/**
 * Reads the feature-table lines of one entry (already stripped of EMBL's `FT` prefix, i.e. in GenBank columns)
 * and builds the features once the sequence length is known.
 */
export class FeatureTableReader {
  private readonly done: PendingFeature[] = [];
  private current: PendingFeature | null = null;

  constructor(private readonly source: string) {}

  /** True while a quoted qualifier value is open (its closing quote is on a later line). */
  get inQuote(): boolean {
    return this.current?.open != null;
  }

  /** Throw the "never closed" error of an open quoted value (call when the table ends while `inQuote`). */
  failOpenQuote(): never {
    const open = this.current!.open!;
    throw new InputError(`the quoted value of /${open.name} is never closed`, { file: this.source, line: open.line });
  }

  /** Feed one line (1-based `lineNo`) of the feature table. */
  addLine(text: string, lineNo: number): void {
    const indent = /^ */.exec(text)![0].length;
    const body = text.slice(indent).trimEnd();
    if (body.length === 0) return;
    if (this.current?.open) {
      this.continueQuoted(body, lineNo);
      return;
    }
    if (indent < 21 && indent > 0 && !body.startsWith('/')) {
      // A feature line: key, then the location (normally from column 22).
      const m = /^(\S+)\s*(.*)$/.exec(body)!;
      this.finishCurrent();
      this.current = { key: m[1]!, locationText: m[2]!, line: lineNo, qualifiers: [], open: null, inLocation: true };
      return;
    }
    if (this.current === null) {
      throw new InputError(`feature-table line before any feature key: "${body}"`, { file: this.source, line: lineNo });
    }
    if (body.startsWith('/')) {
      this.current.inLocation = false;
      this.startQualifier(body, lineNo);
      return;
    }
    if (this.current.inLocation) {
      this.current.locationText += body;
      return;
    }
    // Continuation of an unquoted value (e.g. a long /transl_except) — glue it on.
    const last = this.current.qualifiers[this.current.qualifiers.length - 1];
    if (last === undefined || last.value === null) {
      throw new InputError(`unexpected feature-table text "${body}"`, { file: this.source, line: lineNo });
    }
    last.value += body;
  }

  private startQualifier(body: string, lineNo: number): void {
    const eq = body.indexOf('=');
    const name = (eq < 0 ? body.slice(1) : body.slice(1, eq)).trim();
    if (!/^[A-Za-z0-9_-]+$/.test(name)) {
      throw new InputError(`bad qualifier name "/${name}"`, { file: this.source, line: lineNo });
    }
    if (eq < 0) {
      this.current!.qualifiers.push({ name, value: null, quoted: false });
      return;
    }
    const raw = body.slice(eq + 1);
    if (!raw.startsWith('"')) {
      this.current!.qualifiers.push({ name, value: raw.trim(), quoted: false });
      return;
    }
    this.current!.open = { name, value: '', line: lineNo };
    this.continueQuoted(raw.slice(1), lineNo, true);
  }

  /** Append text to the open quoted value; close it at an unpaired `"` (a doubled `""` is a literal quote). */
  private continueQuoted(text: string, lineNo: number, first = false): void {
    const open = this.current!.open!;
    let i = 0;
    let piece = '';
    let closed = false;
    while (i < text.length) {
      const ch = text[i]!;
      if (ch === '"') {
        if (text[i + 1] === '"') {
          piece += '"';
          i += 2;
          continue;
        }
        closed = true;
        i++;
        break;
      }
      piece += ch;
      i++;
    }
    if (closed && text.slice(i).trim().length > 0) {
      throw new InputError(`text after the closing quote of /${open.name}: "${text.slice(i).trim()}"`, {
        file: this.source,
        line: lineNo,
      });
    }
    if (!first && piece.length > 0 && open.value.length > 0 && !JOIN_WITHOUT_SPACE.has(open.name)) open.value += ' ';
    open.value += piece;
    if (closed) {
      this.current!.qualifiers.push({ name: open.name, value: open.value, quoted: true });
      this.current!.open = null;
    }
  }

  private finishCurrent(): void {
    if (this.current === null) return;
    if (this.current.open) {
      throw new InputError(`the quoted value of /${this.current.open.name} is never closed`, {
        file: this.source,
        line: this.current.open.line,
      });
    }
    this.done.push(this.current);
    this.current = null;
  }

  /** Close the table and parse every location (checked against the sequence length when it is known). */
  finish(sequenceLength: number | undefined): SeqFeature[] {
    this.finishCurrent();
    return this.done.map((f) => ({
      key: f.key,
      location: parseLocation(f.locationText, { file: this.source, line: f.line }, sequenceLength),
      qualifiers: f.qualifiers,
      line: f.line,
    }));
  }
}

/** Split text into lines (LF or CRLF); a final newline gives no extra empty line. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * Append the letters of one sequence line (digits and spaces removed) to `parts`, rejecting anything that is not a
 * letter or one of `*-.` (gap/stop marks some entries use), with the line and column of the first bad character.
 */
export function readSequenceLine(line: string, lineNo: number, source: string, parts: string[]): void {
  let letters = '';
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === ' ' || ch === '\t' || (ch >= '0' && ch <= '9')) continue;
    if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z')) letters += ch;
    else if (ch === '*' || ch === '-' || ch === '.') letters += ch;
    else {
      throw new InputError(`"${ch}" is not a sequence letter`, { file: source, line: lineNo, column: i + 1 });
    }
  }
  parts.push(letters.toUpperCase());
}
