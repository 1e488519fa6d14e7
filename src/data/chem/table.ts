/**
 * Molecule tables in the MoleculeNet / TDC layout: a header row, a SMILES column, one or more
 * binary task columns (blank = missing), optionally an id column and other columns. Labels use the
 * official pretrain-gnns coding: +1 positive, −1 negative, 0 missing. Every malformed cell stops
 * the read with an `InputError` naming the file, the 1-based line and the column.
 */
import type { RDKitModule } from './rdkit.js';
import { InputError } from '../../util/errors.js';
import { LineCursor, MISSING_TOKENS, splitCells, type Delimiter } from '../csv.js';

/** Options of {@link readMoleculeCsv}. */
export interface MoleculeCsvOptions {
  /** File name for messages. */
  file: string;
  /** Column holding the SMILES (default `smiles`; matched case-insensitively when no column has the exact name). */
  smilesColumn?: string;
  /**
   * Task columns, in this order. Default: every column other than the SMILES, id and `keepColumns`
   * columns whose non-blank cells are all 0 or 1 — or, with `threshold`, all numbers. Columns
   * left out are listed in `ignored`.
   */
  taskColumns?: readonly string[];
  /** Column of molecule ids (returned in `ids`; never a task). */
  idColumn?: string;
  /**
   * Binarise the task columns: a value ≥ threshold is positive, below is negative (e.g. 5 for a
   * pIC50 column). Without it, task values must be 0 or 1.
   */
  threshold?: number;
  /** Columns returned as text in `extra` (e.g. a split column); never tasks. */
  keepColumns?: readonly string[];
}

/** A molecule table. */
export interface MoleculeTable {
  smiles: string[];
  /** 1-based file line of each molecule. */
  lines: number[];
  tasks: string[];
  /** [n, T] row-major: +1 positive, −1 negative, 0 missing. */
  labels: Int8Array;
  /** Ids, when `idColumn` was given. */
  ids?: string[];
  /** Text of each `keepColumns` column. */
  extra?: Record<string, string[]>;
  /** Columns that are neither SMILES, id, kept nor a task. */
  ignored: string[];
}

const MISSING = new Set(MISSING_TOKENS);

function delimiterOf(header: string): Delimiter {
  if (header.includes('\t') && !header.includes(',')) return '\t';
  if (header.includes(';') && !header.includes(',')) return ';';
  return ',';
}

function unquoteTrim(c: string): string {
  return c.trim();
}

function findColumn(header: readonly string[], name: string, what: string, file: string, line: number): number {
  let i = header.indexOf(name);
  if (i < 0) {
    const lower = name.toLowerCase();
    const hits = header.flatMap((h, k) => (h.toLowerCase() === lower ? [k] : []));
    if (hits.length === 1) i = hits[0]!;
  }
  if (i < 0) throw new InputError(`no ${what} column '${name}' in the header (columns: ${header.join(', ')})`, { file, line });
  return i;
}

/** Read a molecule CSV (comma-, tab- or semicolon-separated; quoted cells as RFC 4180). */
export function readMoleculeCsv(text: string, o: MoleculeCsvOptions): MoleculeTable {
  const file = o.file;
  const cursor = new LineCursor(text);
  const first = cursor.nextNonBlank();
  if (first === null) throw new InputError('file is empty', { file });
  const headerLine = cursor.lineNo;
  const delimiter = delimiterOf(first);
  const header = splitCells(first, delimiter).map(unquoteTrim);
  const smilesCol = findColumn(header, o.smilesColumn ?? 'smiles', 'SMILES', file, headerLine);
  const rows: string[][] = [];
  const lines: number[] = [];
  for (let line = cursor.nextNonBlank(); line !== null; line = cursor.nextNonBlank()) {
    const cells = splitCells(line, delimiter).map(unquoteTrim);
    if (cells.length !== header.length) throw new InputError(`${cells.length} cells, the header has ${header.length}`, { file, line: cursor.lineNo });
    rows.push(cells);
    lines.push(cursor.lineNo);
  }
  return moleculeTableFromRows(header, rows, lines, headerLine, smilesCol, o);
}

/** The task columns and labels of parsed rows (shared by the CSV and SDF readers). */
function moleculeTableFromRows(header: readonly string[], rows: readonly string[][], lines: readonly number[], headerLine: number, smilesCol: number, o: MoleculeCsvOptions): MoleculeTable {
  const file = o.file;
  const idCol = o.idColumn !== undefined ? findColumn(header, o.idColumn, 'id', file, headerLine) : -1;
  const keepCols = (o.keepColumns ?? []).map((k) => findColumn(header, k, 'requested', file, headerLine));
  const threshold = o.threshold;
  if (threshold !== undefined && !Number.isFinite(threshold)) throw new InputError(`threshold must be a number, got ${threshold}`, { file });
  const reserved = new Set([smilesCol, idCol, ...keepCols]);
  let taskCols: number[];
  if (o.taskColumns !== undefined) {
    taskCols = o.taskColumns.map((t) => findColumn(header, t, 'task', file, headerLine));
    for (const c of taskCols) {
      if (c === smilesCol) throw new InputError(`the SMILES column '${header[c]}' cannot be a task`, { file, line: headerLine });
    }
    if (taskCols.length === 0) throw new InputError('no task columns given', { file });
  } else {
    const ok = (v: string): boolean => MISSING.has(v) || (threshold !== undefined ? v !== '' && Number.isFinite(Number(v)) : v !== '' && (Number(v) === 0 || Number(v) === 1));
    taskCols = header.flatMap((_, c) => (!reserved.has(c) && rows.some((r) => !MISSING.has(r[c]!)) && rows.every((r) => ok(r[c]!)) ? [c] : []));
    if (taskCols.length === 0) {
      throw new InputError(
        `no task column found: no column other than the SMILES column has only ${threshold !== undefined ? 'numbers' : '0/1 values'} (blank = missing); name the task columns (columns: ${header.join(', ')})`,
        { file, line: headerLine },
      );
    }
  }
  const T = taskCols.length;
  const labels = new Int8Array(rows.length * T);
  rows.forEach((r, i) => {
    taskCols.forEach((c, t) => {
      const v = r[c]!;
      if (MISSING.has(v)) return;
      const x = Number(v);
      if (threshold !== undefined) {
        if (v === '' || !Number.isFinite(x)) throw new InputError(`task value '${v}' is not a number (blank = missing)`, { file, line: lines[i]!, column: `${c + 1} (${header[c]})` });
        labels[i * T + t] = x >= threshold ? 1 : -1;
      } else {
        if (x !== 0 && x !== 1) {
          throw new InputError(`task value '${v}' is not 0 or 1 (blank = missing; give a threshold to binarise a numeric column)`, { file, line: lines[i]!, column: `${c + 1} (${header[c]})` });
        }
        labels[i * T + t] = x === 1 ? 1 : -1;
      }
    });
  });
  const table: MoleculeTable = {
    smiles: rows.map((r) => r[smilesCol]!),
    lines: [...lines],
    tasks: taskCols.map((c) => header[c]!),
    labels,
    ignored: header.filter((_, c) => !reserved.has(c) && !taskCols.includes(c)),
  };
  if (idCol >= 0) table.ids = rows.map((r) => r[idCol]!);
  if (keepCols.length > 0) table.extra = Object.fromEntries(keepCols.map((c) => [header[c]!, rows.map((r) => r[c]!)]));
  return table;
}

/** Options of {@link readSmilesList}. */
export interface SmilesListOptions {
  /** File name for messages. */
  file: string;
  /** The SMILES column when the file is a CSV (default `smiles`, any case). */
  smilesColumn?: string;
}

/**
 * Read SMILES for prediction: a CSV whose header has the SMILES column, or else one SMILES per
 * line (the first whitespace-separated token, as in a `.smi` file of `SMILES name` lines).
 */
export function readSmilesList(text: string, o: SmilesListOptions): { smiles: string[]; lines: number[] } {
  const cursor = new LineCursor(text);
  const first = cursor.nextNonBlank();
  if (first === null) throw new InputError('file is empty', { file: o.file });
  const name = (o.smilesColumn ?? 'smiles').toLowerCase();
  const delimiter = delimiterOf(first);
  const header = splitCells(first, delimiter).map((c) => c.trim());
  const col = header.findIndex((h) => h.toLowerCase() === name);
  const smiles: string[] = [];
  const lines: number[] = [];
  if (col >= 0) {
    const headerLine = cursor.lineNo;
    for (let line = cursor.nextNonBlank(); line !== null; line = cursor.nextNonBlank()) {
      const cells = splitCells(line, delimiter);
      if (cells.length !== header.length) throw new InputError(`${cells.length} cells, the header (line ${headerLine}) has ${header.length}`, { file: o.file, line: cursor.lineNo });
      smiles.push(cells[col]!.trim());
      lines.push(cursor.lineNo);
    }
    return { smiles, lines };
  }
  for (let line: string | null = first; line !== null; line = cursor.nextNonBlank()) {
    smiles.push(line.trim().split(/\s+/)[0]!);
    lines.push(cursor.lineNo);
  }
  return { smiles, lines };
}

/**
 * Read an SD file (MDL molblocks with `> <name>` data fields, records ended by `$$$$`) as a
 * molecule table: each record's structure becomes canonical SMILES (RDKit), its data fields are
 * the columns (tasks, ids, split) as in `readMoleculeCsv`. A record RDKit cannot read keeps the
 * text `invalid molblock` as its SMILES, so featurising names its line. `lines` are the records'
 * first lines.
 */
export function readMoleculeSdf(rdkit: RDKitModule, text: string, o: Omit<MoleculeCsvOptions, 'smilesColumn'>): MoleculeTable {
  const r = readSdfRecords(rdkit, text, o.file);
  return moleculeTableFromRows(r.header, r.rows, r.lines, 1, 0, { ...o });
}

/** The records of an SD file as rows: canonical SMILES first, then every data field (see {@link readMoleculeSdf}). */
export function readSdfRecords(rdkit: RDKitModule, text: string, file: string): { header: string[]; rows: string[][]; lines: number[] } {
  const all = text.split(/\r?\n/);
  const records: Array<{ line: number; mol: string; props: Map<string, string> }> = [];
  let start = 0;
  for (let i = 0; i < all.length; i++) {
    if (all[i]!.trim() !== '$$$$') continue;
    const body = all.slice(start, i);
    const end = body.findIndex((l) => l.trimEnd() === 'M  END');
    if (end < 0) throw new InputError('SD record without an "M  END" line', { file, line: start + 1 });
    const props = new Map<string, string>();
    for (let k = end + 1; k < body.length; k++) {
      const m = /^>.*<([^>]+)>/.exec(body[k]!);
      if (!m) continue;
      const vals: string[] = [];
      for (k++; k < body.length && body[k]!.trim() !== ''; k++) vals.push(body[k]!.trim());
      props.set(m[1]!, vals.join(' '));
    }
    records.push({ line: start + 1, mol: body.slice(0, end + 1).join('\n'), props });
    start = i + 1;
  }
  if (records.length === 0) throw new InputError('no SD records (each ends with a "$$$$" line)', { file });
  const names = [...new Set(records.flatMap((r) => [...r.props.keys()]))];
  const header = ['smiles', ...names];
  const rows = records.map((r) => {
    const mol = rdkit.get_mol(r.mol);
    let smiles = 'invalid molblock';
    if (mol) {
      try {
        if (mol.is_valid()) smiles = mol.get_smiles();
      } finally {
        mol.delete();
      }
    }
    return [smiles, ...names.map((n) => r.props.get(n) ?? '')];
  });
  return { header, rows, lines: records.map((r) => r.line) };
}
