/**
 * Numeric CSV input and output.
 *
 * The reader turns a delimited text file of numbers into one row-major `Float32Array`. Every
 * malformed row stops the read with an `InputError` that names the file, the 1-based line, the
 * column (1-based index and header name when there is a header) and what was expected, so the
 * message alone is enough to fix the file. Speed matters (files of ~100 MB): lines are found
 * with `indexOf`, cells with `String.split`, numbers with `Number()`; the slow quote-aware and
 * error-reporting paths only run for lines or cells that need them.
 */
import { InputError, UsageError } from '../util/errors.js';
import type { Storage } from '../io/storage.js';

/** Cell separator. `'whitespace'` splits on runs of spaces and tabs (as `read.table` does). */
export type Delimiter = ',' | ';' | '\t' | 'whitespace';

/** Options of {@link readNumericCsv} / {@link parseNumericCsv}. */
export interface NumericCsvOptions {
  /**
   * Cell separator; default `'auto'`, which looks at the first non-blank line: `;` if it has one,
   * else `,` if it has one, else tab, else whitespace if it has several space-separated tokens,
   * else `,` (a single column).
   */
  delimiter?: Delimiter | 'auto';
  /**
   * Whether the first non-blank line holds column names. `'auto'` (default): it does when one
   * of its cells is neither a number nor a missing-value token (empty, `NA`, `NaN`, `nan`).
   * A header of purely numeric names (e.g. station ids) needs `true`. StemGNN's reference reads
   * its header-less CSVs with `pandas.read_csv`, which consumes the first data row as a header;
   * pass `true` to reproduce that.
   */
  header?: 'auto' | boolean;
  /** Read empty cells and `NA` / `NaN` / `nan` as NaN instead of failing. Default false. */
  allowMissing?: boolean;
  /** Stop after this many data rows (the rest of the file is not parsed). */
  maxRows?: number;
}

/** Options of {@link parseNumericCsv}: {@link NumericCsvOptions} plus a name for messages. */
export interface ParseNumericCsvOptions extends NumericCsvOptions {
  /** Name used as the "file" in error messages; default `'<text>'`. */
  source?: string;
}

/** A numeric table read from CSV. */
export interface NumericTable {
  /** Column names, or null when the file has no header row. */
  header: string[] | null;
  /** Values, row-major: cell (r, c) is `data[r * cols + c]`. Missing cells are NaN. */
  data: Float32Array;
  /** Number of data rows (the header is not counted). */
  rows: number;
  /** Number of columns. */
  cols: number;
  /** The delimiter used (resolved when `'auto'`). */
  delimiter: Delimiter;
}

/** Cell texts read as a missing value (after trimming and unquoting). */
export const MISSING_TOKENS: readonly string[] = ['', 'NA', 'NaN', 'nan'];

/** Read a numeric CSV file from a storage. See {@link NumericCsvOptions}; errors are `InputError`s. */
export async function readNumericCsv(storage: Storage, path: string, opts: NumericCsvOptions = {}): Promise<NumericTable> {
  return parseNumericCsv(await storage.readText(path), { ...opts, source: path });
}

/** Parse numeric CSV text held in memory (same rules as {@link readNumericCsv}). */
export function parseNumericCsv(text: string, opts: ParseNumericCsvOptions = {}): NumericTable {
  const source = opts.source ?? '<text>';
  const headerMode = opts.header ?? 'auto';
  const allowMissing = opts.allowMissing ?? false;
  const maxRows = opts.maxRows ?? Infinity;
  if (headerMode !== 'auto' && headerMode !== true && headerMode !== false) {
    throw new UsageError(`header must be 'auto', true or false, got ${String(headerMode)}`);
  }
  if (maxRows !== Infinity && !(Number.isInteger(maxRows) && maxRows > 0)) {
    throw new UsageError(`maxRows must be a positive integer, got ${maxRows}`);
  }
  const delimOpt = opts.delimiter ?? 'auto';
  if (!['auto', ',', ';', '\t', 'whitespace'].includes(delimOpt)) {
    throw new UsageError(`delimiter must be 'auto', ',', ';', '\\t' or 'whitespace', got '${delimOpt}'`);
  }

  const lines = new LineCursor(text);
  const first = lines.nextNonBlank();
  if (first === null) throw new InputError('file is empty (no non-blank lines)', { file: source });

  const delimiter = delimOpt === 'auto' ? detectDelimiter(first) : delimOpt;
  const firstCells = splitCells(first, delimiter);
  const cols = firstCells.length;
  const firstLineNo = lines.lineNo;

  let header: string[] | null = null;
  if (headerMode === true || (headerMode === 'auto' && firstCells.some((c) => !isNumberOrMissing(c)))) {
    header = firstCells.map((c) => c.trim());
  }

  // Upper bound on data rows: every row is a line, so count the remaining newlines once
  // instead of growing the buffer row by row.
  const capRows = Math.min(maxRows, lines.remainingLineBound() + (header === null ? 1 : 0));
  let data = new Float32Array(capRows * cols);
  let rows = 0;
  const ctx: RowContext = { source, header, cols, allowMissing, firstLineNo };

  if (header === null) {
    parseRow(firstCells, data, 0, firstLineNo, ctx);
    rows = 1;
  }
  while (rows < maxRows) {
    const line = lines.nextNonBlank();
    if (line === null) break;
    const cells = splitCells(line, delimiter);
    if (cells.length !== cols) throw raggedError(cells.length, lines.lineNo, ctx);
    parseRow(cells, data, rows * cols, lines.lineNo, ctx);
    rows++;
  }
  if (rows === 0) {
    throw new InputError(`no data rows after the header on line ${firstLineNo}`, { file: source });
  }
  if (rows * cols !== data.length) data = data.slice(0, rows * cols);
  return { header, data, rows, cols, delimiter };
}

interface RowContext {
  source: string;
  header: string[] | null;
  cols: number;
  allowMissing: boolean;
  firstLineNo: number;
}

function raggedError(got: number, lineNo: number, ctx: RowContext): InputError {
  const from = ctx.header !== null ? 'as in the header' : `as on line ${ctx.firstLineNo}`;
  return new InputError(`expected ${ctx.cols} cells (${from}), got ${got}`, { file: ctx.source, line: lineNo });
}

/** Parse one row's cells into `out` at `offset`; the fast path is `Number()` on the raw cell. */
function parseRow(cells: string[], out: Float32Array, offset: number, lineNo: number, ctx: RowContext): void {
  for (let c = 0; c < cells.length; c++) {
    const cell = cells[c]!;
    // fround: a value that rounds to a finite float32 (e.g. the printed FLT_MAX) is fine.
    const v = Math.fround(parseDecimal(cell));
    if (v === v && v !== Infinity && v !== -Infinity) {
      out[offset + c] = v;
    } else {
      out[offset + c] = slowCell(cell, v, lineNo, c, ctx);
    }
  }
}

/** A cell that is not a plain in-range number: a missing value if allowed, else an error. */
function slowCell(cell: string, v: number, lineNo: number, c: number, ctx: RowContext): number {
  const loc = { file: ctx.source, line: lineNo, column: c + 1, field: ctx.header?.[c] };
  if (v === v) {
    throw new InputError(`expected a finite number within float32 range, got '${clip(cell.trim())}'`, loc);
  }
  const t = unquote(cell.trim());
  if (MISSING_TOKENS.includes(t)) {
    if (ctx.allowMissing) return NaN;
    const what = t === '' ? 'an empty cell' : `'${t}'`;
    throw new InputError(`expected a number, got ${what} (missing values are allowed only with allowMissing)`, loc);
  }
  throw new InputError(`expected a number, got '${clip(t)}'`, loc);
}

function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}

/**
 * `Number(cell)` restricted to plain decimal notation: NaN for blank cells (which `Number`
 * reads as 0) and for the `0x` / `0b` / `0o` integer forms `Number` also accepts.
 * `Infinity` passes through and is rejected by the caller's range check.
 */
function parseDecimal(cell: string): number {
  const v = Number(cell);
  if (v !== v) return NaN;
  let i = 0;
  const n = cell.length;
  while (i < n && isSpace(cell.charCodeAt(i))) i++;
  if (i === n) return NaN;
  if (cell.charCodeAt(i) === 48 && i + 1 < n) {
    const k = cell.charCodeAt(i + 1) | 0x20;
    if (k === 0x78 || k === 0x62 || k === 0x6f) return NaN;
  }
  return v;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 13 || code === 0xa0 || code === 0xfeff;
}

function isNumberOrMissing(cell: string): boolean {
  const t = unquote(cell.trim());
  if (MISSING_TOKENS.includes(t)) return true;
  const v = parseDecimal(t);
  return v === v;
}

function unquote(t: string): string {
  return t.length >= 2 && t.charCodeAt(0) === 34 && t.charCodeAt(t.length - 1) === 34 ? t.slice(1, -1).replaceAll('""', '"') : t;
}

function detectDelimiter(line: string): Delimiter {
  if (line.includes(';')) return ';';
  if (line.includes(',')) return ',';
  if (line.includes('\t')) return '\t';
  return line.trim().includes(' ') ? 'whitespace' : ',';
}

/**
 * Split a line into cells. Lines without a double quote use `String.split`; lines with one go
 * through an RFC 4180 splitter (quoted cells may contain the delimiter and `""`).
 */
export function splitCells(line: string, delimiter: Delimiter): string[] {
  if (delimiter === 'whitespace') return splitWhitespace(line);
  if (!line.includes('"')) return line.split(delimiter);
  const cells: string[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    let j = i;
    while (j < n && (line.charCodeAt(j) === 32 || line.charCodeAt(j) === 9) && line[j] !== delimiter) j++;
    if (j < n && line.charCodeAt(j) === 34) {
      let s = '';
      let k = j + 1;
      for (;;) {
        const q = line.indexOf('"', k);
        if (q < 0) {
          s += line.slice(k); // unterminated quote: keep the rest as the cell text
          k = n;
          break;
        }
        s += line.slice(k, q);
        if (line.charCodeAt(q + 1) === 34) {
          s += '"';
          k = q + 2;
        } else {
          k = q + 1;
          break;
        }
      }
      const end = line.indexOf(delimiter, k);
      const tail = end < 0 ? line.slice(k) : line.slice(k, end);
      cells.push(tail.trim() === '' ? s : s + tail);
      if (end < 0) return cells;
      i = end + 1;
    } else {
      const end = line.indexOf(delimiter, i);
      if (end < 0) {
        cells.push(line.slice(i));
        return cells;
      }
      cells.push(line.slice(i, end));
      i = end + 1;
    }
  }
}

function splitWhitespace(line: string): string[] {
  const cells: string[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) break;
    let j = i;
    while (j < n && !isSpace(line.charCodeAt(j))) j++;
    cells.push(unquote(line.slice(i, j)));
    i = j;
  }
  return cells;
}

/**
 * Walks the lines of a text, skipping blank ones but keeping the 1-based line number of the
 * line it returned. Handles a BOM, `\n`, `\r\n` and old-Mac `\r` line ends.
 */
export class LineCursor {
  private pos = 0;
  private readonly nl: string;
  private readonly text: string;
  /** 1-based number of the line last returned (0 before the first). */
  lineNo = 0;

  constructor(text: string) {
    this.text = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    this.nl = this.text.includes('\n') || !this.text.includes('\r') ? '\n' : '\r';
  }

  /** The next line that is not empty or all whitespace (without its line end), or null at the end. */
  nextNonBlank(): string | null {
    const text = this.text;
    while (this.pos < text.length) {
      let end = text.indexOf(this.nl, this.pos);
      if (end < 0) end = text.length;
      let line = text.slice(this.pos, end);
      this.pos = end + 1;
      this.lineNo++;
      if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
      if (!isBlank(line)) return line;
    }
    return null;
  }

  /** An upper bound on the number of lines not yet returned. */
  remainingLineBound(): number {
    let count = 0;
    let p = this.pos;
    while (p < this.text.length) {
      count++;
      const q = this.text.indexOf(this.nl, p);
      if (q < 0) break;
      p = q + 1;
    }
    return count;
  }
}

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) if (!isSpace(line.charCodeAt(i))) return false;
  return true;
}

/** Options of {@link writeCsv}. */
export interface WriteCsvOptions {
  /** Cell separator; default `,`. */
  delimiter?: ',' | ';' | '\t';
}

/**
 * Write a numeric table as CSV into a storage (atomically).
 *
 * `rows` is either an array of rows, or a row-major `Float32Array`/`Float64Array` with `cols`
 * columns. Float32 values are written with the fewest digits that read back to the same
 * float32 (so a write/read round trip is exact); NaN is written as `NaN`. `header` may be null.
 */
export async function writeCsv(
  storage: Storage,
  path: string,
  header: readonly string[] | null,
  rows: ReadonlyArray<ArrayLike<number>> | Float32Array | Float64Array,
  cols?: number,
  opts: WriteCsvOptions = {},
): Promise<void> {
  await storage.write(path, formatCsv(header, rows, cols, opts));
}

/** The text {@link writeCsv} writes. */
export function formatCsv(header: readonly string[] | null, rows: ReadonlyArray<ArrayLike<number>> | Float32Array | Float64Array, cols?: number, opts: WriteCsvOptions = {}): string {
  const d = opts.delimiter ?? ',';
  const out: string[] = [];
  let width: number;
  if (rows instanceof Float32Array || rows instanceof Float64Array) {
    if (cols === undefined || !Number.isInteger(cols) || cols <= 0) {
      throw new RangeError(`writeCsv: a flat array needs a positive integer cols, got ${cols}`);
    }
    if (rows.length % cols !== 0) {
      throw new RangeError(`writeCsv: array length ${rows.length} is not a multiple of cols ${cols}`);
    }
    width = cols;
  } else {
    width = cols ?? (rows.length > 0 ? rows[0]!.length : (header?.length ?? 0));
  }
  if (header !== null) {
    if (header.length !== width) throw new RangeError(`writeCsv: header has ${header.length} names but rows have ${width} cells`);
    out.push(header.map((h) => quoteName(h, d)).join(d));
  }
  if (rows instanceof Float32Array || rows instanceof Float64Array) {
    const fmt = rows instanceof Float32Array ? formatFloat32 : formatNumber;
    const cells: string[] = new Array<string>(width);
    for (let r = 0; r * width < rows.length; r++) {
      for (let c = 0; c < width; c++) cells[c] = fmt(rows[r * width + c]!);
      out.push(cells.join(d));
    }
  } else {
    rows.forEach((row, r) => {
      if (row.length !== width) throw new RangeError(`writeCsv: row ${r} has ${row.length} cells, expected ${width}`);
      out.push(Array.from(row, formatNumber).join(d));
    });
  }
  return out.join('\n') + '\n';
}

function quoteName(name: string, d: string): string {
  return name.includes(d) || name.includes('"') || name.includes('\n') || name.includes('\r') ? '"' + name.replaceAll('"', '""') + '"' : name;
}

function formatNumber(v: number): string {
  return String(v);
}

/** Shortest decimal text that reads back (as float32) to exactly `v`. */
export function formatFloat32(v: number): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  for (let p = 1; p < 9; p++) {
    const s = v.toPrecision(p);
    if (Math.fround(Number(s)) === v) return String(Number(s));
  }
  return String(Number(v.toPrecision(9)));
}

/** Quote a text cell when it holds a comma, a quote or a line break (RFC 4180). */
function quoteCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** A CSV of text cells (quoted where needed), with a header row and a trailing newline. */
export function formatCsvRows(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const out = [header.map(quoteCell).join(',')];
  for (const r of rows) out.push(r.map(quoteCell).join(','));
  return out.join('\n') + '\n';
}

/** Rows of a text CSV with a header, by column name. */
export interface TextCsv {
  columns: string[];
  rows: Array<{ line: number; cells: Record<string, string | undefined> }>;
}

/**
 * Parse a CSV of text cells with a header (comma, tab or semicolon, quoted cells allowed): the
 * `required` columns must be present (case-insensitive) and non-empty in every row; `optional`
 * ones are read when present. Errors name the file, line and column.
 */
export function parseTextCsv(text: string, file: string, required: readonly string[], optional: readonly string[] = []): TextCsv {
  const cursor = new LineCursor(text);
  const first = cursor.nextNonBlank();
  if (first === null) throw new InputError('file is empty', { file });
  const headerLine = cursor.lineNo;
  const delimiter: Delimiter = first.includes('\t') && !first.includes(',') ? '\t' : first.includes(';') && !first.includes(',') ? ';' : ',';
  const header = splitCells(first, delimiter).map((h) => h.trim().toLowerCase());
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length) throw new InputError(`the header has no ${missing.join(', ')} column (columns: ${header.join(', ')})`, { file, line: headerLine });
  const wanted = [...required, ...optional].filter((c) => header.includes(c));
  const rows: TextCsv['rows'] = [];
  for (let line = cursor.nextNonBlank(); line !== null; line = cursor.nextNonBlank()) {
    const ln = cursor.lineNo;
    const cells = splitCells(line, delimiter);
    if (cells.length !== header.length) throw new InputError(`${cells.length} cells, the header has ${header.length}`, { file, line: ln });
    const rec: Record<string, string | undefined> = {};
    for (const c of wanted) rec[c] = cells[header.indexOf(c)]!.trim();
    for (const c of required) if (!rec[c]) throw new InputError('empty cell', { file, line: ln, column: c });
    rows.push({ line: ln, cells: rec });
  }
  if (!rows.length) throw new InputError('no rows after the header', { file });
  return { columns: header, rows };
}
