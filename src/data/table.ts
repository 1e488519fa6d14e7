/**
 * The T × N table every time-series system reads: one row per time step, one column per series,
 * row-major float32, missing cells NaN. `Matrix` is the bare shape; `SeriesTable` adds where it
 * came from, so errors can name the file, the line and the column.
 */
import type { Storage } from '../io/storage.js';
import { InputError } from '../util/errors.js';
import { countMissing } from './missing.js';
import { parseNumericCsv, type NumericCsvOptions } from './csv.js';

/** Row-major values [rows, cols]. */
export interface Matrix {
  data: Float32Array;
  rows: number;
  cols: number;
}

/** A T × N series read from a file (or built in memory). */
export interface SeriesTable extends Matrix {
  /** File it came from (used in error messages). */
  source: string;
  /** Column names from the file, or null when it had no header row. */
  header: string[] | null;
  /** 1-based file line of data row 0 (the header, if any, is the line before). */
  firstLine: number;
}

/** How to treat the first row: `auto` detects a row of names; `yes` always consumes it. */
export type HeaderMode = 'auto' | 'yes' | 'no';

/** Column names for output files and reports: the header, or `series_1 … series_N`. */
export function seriesNames(table: { header: string[] | null; cols: number }): string[] {
  return table.header ?? Array.from({ length: table.cols }, (_, i) => `series_${i + 1}`);
}

/**
 * Parse a T × N CSV. Empty and NA cells are NaN when `allowMissing` (the default here); a column
 * without a single value, ragged rows and non-numeric cells are errors naming file, line and column.
 */
export function parseSeriesTable(text: string, source: string, opts: { header?: HeaderMode; allowMissing?: boolean; delimiter?: NumericCsvOptions['delimiter'] } = {}): SeriesTable {
  const mode = opts.header ?? 'auto';
  const t = parseNumericCsv(text, { source, header: mode === 'auto' ? 'auto' : mode === 'yes', allowMissing: opts.allowMissing ?? true, delimiter: opts.delimiter });
  const firstLine = t.header ? 2 : 1;
  const table: SeriesTable = { source, header: t.header, data: t.data, rows: t.rows, cols: t.cols, firstLine };
  const missing = countMissing(t.data, t.cols);
  for (let c = 0; c < t.cols; c++) {
    if (missing[c] === t.rows) {
      throw new InputError(`column has no numeric value at all (all ${t.rows} data rows, lines ${firstLine}–${firstLine + t.rows - 1}, are empty or NA)`, {
        file: source,
        line: firstLine,
        column: c + 1,
        field: t.header?.[c],
      });
    }
  }
  return table;
}

/** Read a T × N CSV from a storage (see {@link parseSeriesTable}). */
export async function readSeriesTable(storage: Storage, path: string, opts: { header?: HeaderMode; allowMissing?: boolean } = {}): Promise<SeriesTable> {
  return parseSeriesTable(await storage.readText(path), path, opts);
}

/**
 * A table from values in memory: rows of numbers (or a flat row-major array with `cols`), with
 * optional column names. NaN marks a missing cell.
 */
export function seriesTableFrom(values: ReadonlyArray<ArrayLike<number>> | Float32Array, opts: { cols?: number; names?: string[]; source?: string } = {}): SeriesTable {
  const source = opts.source ?? '<memory>';
  let data: Float32Array;
  let cols: number;
  if (values instanceof Float32Array) {
    cols = opts.cols ?? opts.names?.length ?? 0;
    if (!Number.isInteger(cols) || cols < 1 || values.length % cols !== 0) throw new InputError(`a flat array of ${values.length} values needs cols (or names) dividing it`, { file: source });
    data = values;
  } else {
    cols = values[0]?.length ?? 0;
    if (cols < 1) throw new InputError('no values', { file: source });
    data = new Float32Array(values.length * cols);
    values.forEach((row, r) => {
      if (row.length !== cols) throw new InputError(`row ${r + 1} has ${row.length} values, expected ${cols}`, { file: source, line: r + 1 });
      for (let c = 0; c < cols; c++) data[r * cols + c] = row[c]!;
    });
  }
  if (opts.names && opts.names.length !== cols) throw new InputError(`${opts.names.length} names for ${cols} columns`, { file: source, field: 'names' });
  return { source, header: opts.names ?? null, data, rows: data.length / cols, cols, firstLine: 1 };
}
