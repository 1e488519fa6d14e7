/**
 * Label files: one value per line (0/1 anomaly flags, or any number), as shipped with anomaly
 * benchmarks (e.g. SMD's `test_label/*.txt`). Errors name the file and the 1-based line.
 */
import { InputError, UsageError } from '../util/errors.js';
import type { Storage } from '../io/storage.js';
import { LineCursor, MISSING_TOKENS } from './csv.js';

/** Options of {@link readLabelsFile} / {@link parseLabels}. */
export interface LabelsOptions {
  /** Require every label to be 0 or 1 (1.0 and 0.0 are accepted). Default false. */
  binary?: boolean;
  /**
   * Whether the first non-blank line is a name such as `label`. `'auto'` (default): it is when
   * it is not a number.
   */
  header?: 'auto' | boolean;
  /** Fail unless the file holds exactly this many labels (e.g. the number of data rows). */
  expectedCount?: number;
}

/** Read a label file from a storage; returns one value per non-blank line, in order. */
export async function readLabels(storage: Storage, path: string, opts: LabelsOptions = {}): Promise<Float32Array> {
  return parseLabels(await storage.readText(path), { ...opts, source: path });
}

/** Parse label text held in memory (same rules as {@link readLabelsFile}). */
export function parseLabels(text: string, opts: LabelsOptions & { source?: string } = {}): Float32Array {
  const file = opts.source ?? '<text>';
  const headerMode = opts.header ?? 'auto';
  if (headerMode !== 'auto' && headerMode !== true && headerMode !== false) {
    throw new UsageError(`header must be 'auto', true or false, got ${String(headerMode)}`);
  }
  const lines = new LineCursor(text);
  const values: number[] = [];
  let first = true;
  let headerLine = 0;
  for (let line = lines.nextNonBlank(); line !== null; line = lines.nextNonBlank()) {
    const t = unquoteTrim(line);
    const v = parseLabel(t);
    if (first) {
      first = false;
      if (headerMode === true || (headerMode === 'auto' && Number.isNaN(v) && !MISSING_TOKENS.includes(t))) {
        headerLine = lines.lineNo;
        continue;
      }
    }
    const loc = { file, line: lines.lineNo };
    if (Number.isNaN(v)) {
      if (/[,;\t ]/.test(t)) {
        throw new InputError(`expected one label per line, got several values '${clip(t)}'`, loc);
      }
      throw new InputError(`expected a number${opts.binary ? ' (0 or 1)' : ''}, got ${t === '' ? 'an empty value' : `'${clip(t)}'`}`, loc);
    }
    if (opts.binary && v !== 0 && v !== 1) throw new InputError(`expected 0 or 1, got '${clip(t)}'`, loc);
    values.push(v);
  }
  if (values.length === 0) {
    throw new InputError(headerLine > 0 ? `no labels after the header on line ${headerLine}` : 'file is empty (no labels)', { file });
  }
  if (opts.expectedCount !== undefined && values.length !== opts.expectedCount) {
    throw new InputError(`expected ${opts.expectedCount} labels (one per data row), got ${values.length}`, { file });
  }
  return Float32Array.from(values);
}

function unquoteTrim(line: string): string {
  const t = line.trim();
  return t.length >= 2 && t.startsWith('"') && t.endsWith('"') ? t.slice(1, -1).trim() : t;
}

/** A finite decimal number, or NaN (blank, hex, Infinity and other non-numbers). */
function parseLabel(t: string): number {
  if (t === '' || /^[+-]?0[xXbBoO]/.test(t)) return NaN;
  const v = Number(t);
  return Number.isFinite(Math.fround(v)) ? Math.fround(v) : NaN;
}

function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}
