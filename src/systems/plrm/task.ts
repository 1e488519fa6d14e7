/**
 * A weak-indirect-supervision task: the label universe, the desired labels, each indirect
 * labelling function's (ILF's) label set, the label relations, and per split the ILF outputs
 * (`L`), optional gold desired labels (`y`) and optional feature rows (`X`).
 *
 * Two input forms are read into the same `WisTask`:
 * - a JSON task file (see the README): `{labels, desired, ilfs, relations, L_train, L_valid,
 *   L_test, y_valid, y_test, X_train, ...}` with every label given as an index into `labels`;
 * - ILF outputs as CSV files (one column per ILF, cells are label names, empty/-1 = abstain,
 *   optional gold column `y`), a relations CSV (`a,b,relation` by name), the desired labels
 *   by name and optionally an ILF label-set CSV.
 * Every problem is an `InputError` naming the file and the field (e.g. `L_train[12][3]`).
 */
import { InputError } from '../../util/errors.js';
import { splitCells, LineCursor } from '../../data/csv.js';
import type { Storage } from '../../io/storage.js';
import { RELATIONS, type Relation, type RelationTriple } from './relations.js';

/** Split names a task can hold. */
export const SPLITS = ['train', 'valid', 'test'] as const;
export type SplitName = (typeof SPLITS)[number];

/** One split of a task. */
export interface TaskSplit {
  /** Rows. */
  n: number;
  /** ILF outputs, row-major n × nIlf: a global label index, or -1 for abstain. */
  L: Int32Array;
  /** Gold labels as positions in `desired` (0..k-1), when known. */
  y?: Int32Array;
  /** Features, row-major n × d, when given. */
  X?: Float64Array;
  /** Feature count of X. */
  d?: number;
}

/** A WIS task (see the module comment). */
export interface WisTask {
  name: string;
  /** Label names (unique). */
  labels: string[];
  /** Desired labels as indices into `labels` (the k classes of the end task, in output order). */
  desired: number[];
  /** Label set of each ILF, as indices into `labels`. */
  ilfs: number[][];
  /** Relations as given. */
  relations: RelationTriple[];
  splits: Partial<Record<SplitName, TaskSplit>>;
  /** Where the task came from (for messages). */
  source: string;
}

type Json = unknown;

function isObj(v: Json): v is Record<string, Json> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function intArray(v: Json, file: string, field: string): number[] {
  if (!Array.isArray(v)) throw new InputError('expected an array of integers', { file, field });
  return v.map((x, i) => {
    if (typeof x !== 'number' || !Number.isInteger(x)) {
      throw new InputError(`expected an integer, got ${JSON.stringify(x)}`, { file, field: `${field}[${i}]` });
    }
    return x;
  });
}

/**
 * Validate a parsed JSON task object and turn it into a `WisTask`. Checks: unique label names;
 * desired and ILF label indices in range and unique; no desired label in any ILF's label set;
 * relation triples well-formed; every L row has one entry per ILF, each -1 or a label of that
 * ILF's set; y in 0..k-1 with one entry per L row; X rectangular with one row per L row.
 */
export function parseTaskJson(obj: Json, file = '<task>'): WisTask {
  if (!isObj(obj)) throw new InputError('a task file must hold a JSON object', { file });
  const allowed = new Set(['name', 'labels', 'desired', 'ilfs', 'relations', 'meta']);
  for (const s of SPLITS) for (const p of ['L', 'y', 'X']) allowed.add(`${p}_${s}`);
  for (const key of Object.keys(obj)) {
    if (!allowed.has(key)) throw new InputError(`unknown field (expected ${[...allowed].join(', ')})`, { file, field: key });
  }
  const labelsRaw = obj['labels'];
  if (!Array.isArray(labelsRaw) || labelsRaw.length === 0) {
    throw new InputError('expected a non-empty array of label names', { file, field: 'labels' });
  }
  const labels = labelsRaw.map((l, i) => {
    if (typeof l !== 'string' && typeof l !== 'number') throw new InputError('a label name must be a string', { file, field: `labels[${i}]` });
    return String(l);
  });
  const seen = new Map<string, number>();
  labels.forEach((l, i) => {
    if (seen.has(l)) throw new InputError(`duplicate label name '${l}' (also labels[${seen.get(l)}])`, { file, field: `labels[${i}]` });
    seen.set(l, i);
  });
  const nl = labels.length;
  const checkLabel = (x: number, field: string): void => {
    if (x < 0 || x >= nl) throw new InputError(`label index ${x} is out of range (there are ${nl} labels)`, { file, field });
  };
  if (obj['desired'] === undefined) throw new InputError('missing: the desired labels (indices into labels)', { file, field: 'desired' });
  const desired = intArray(obj['desired'], file, 'desired');
  desired.forEach((d, i) => checkLabel(d, `desired[${i}]`));
  if (desired.length < 2) throw new InputError(`need at least 2 desired labels, got ${desired.length}`, { file, field: 'desired' });
  if (new Set(desired).size !== desired.length) throw new InputError('a desired label is listed twice', { file, field: 'desired' });
  if (!Array.isArray(obj['ilfs']) || obj['ilfs'].length === 0) {
    throw new InputError('expected a non-empty array of ILF label sets', { file, field: 'ilfs' });
  }
  const desiredSet = new Set(desired);
  const ilfs = (obj['ilfs'] as Json[]).map((set, j) => {
    const s = intArray(set, file, `ilfs[${j}]`);
    if (s.length === 0) throw new InputError('an ILF needs at least one label', { file, field: `ilfs[${j}]` });
    s.forEach((x, t) => {
      checkLabel(x, `ilfs[${j}][${t}]`);
      if (desiredSet.has(x)) {
        throw new InputError(`desired label '${labels[x]}' is in the label set of ILF ${j}; in weak indirect supervision the desired labels must be unseen by every ILF`, {
          file,
          field: `ilfs[${j}][${t}]`,
        });
      }
    });
    if (new Set(s).size !== s.length) throw new InputError('a label is listed twice in one ILF label set', { file, field: `ilfs[${j}]` });
    return s;
  });
  const relRaw = obj['relations'] ?? [];
  if (!Array.isArray(relRaw)) throw new InputError('expected an array of [a, b, relation]', { file, field: 'relations' });
  const relations: RelationTriple[] = relRaw.map((t, i) => {
    const field = `relations[${i}]`;
    if (!Array.isArray(t) || t.length !== 3) throw new InputError('expected [a, b, relation]', { file, field });
    const [a, b, r] = t as [Json, Json, Json];
    if (typeof a !== 'number' || !Number.isInteger(a) || typeof b !== 'number' || !Number.isInteger(b)) {
      throw new InputError('a and b must be integer label indices', { file, field });
    }
    checkLabel(a, field);
    checkLabel(b, field);
    if (typeof r !== 'string' || !(RELATIONS as readonly string[]).includes(r)) {
      throw new InputError(`unknown relation ${JSON.stringify(r)}; expected one of ${RELATIONS.join(', ')}`, { file, field });
    }
    return [a, b, r as Relation] as const;
  });
  const splits: Partial<Record<SplitName, TaskSplit>> = {};
  for (const s of SPLITS) {
    const Lraw = obj[`L_${s}`];
    const yraw = obj[`y_${s}`];
    const Xraw = obj[`X_${s}`];
    if (Lraw === undefined) {
      if (yraw !== undefined || Xraw !== undefined) throw new InputError(`y_${s}/X_${s} given without L_${s}`, { file, field: `L_${s}` });
      continue;
    }
    splits[s] = parseSplit(Lraw, yraw, Xraw, s, ilfs, labels, desired.length, file);
  }
  if (splits.train === undefined) throw new InputError('missing: the ILF outputs of the training split', { file, field: 'L_train' });
  const name = typeof obj['name'] === 'string' ? obj['name'] : file;
  return { name, labels, desired, ilfs, relations, splits, source: file };
}

function parseSplit(Lraw: Json, yraw: Json, Xraw: Json, s: SplitName, ilfs: number[][], labels: string[], k: number, file: string): TaskSplit {
  const field = `L_${s}`;
  if (!Array.isArray(Lraw)) throw new InputError('expected an array of rows (one label index per ILF, -1 = abstain)', { file, field });
  const m = ilfs.length;
  const n = Lraw.length;
  if (n === 0) throw new InputError('the split has no rows', { file, field });
  const L = new Int32Array(n * m);
  const members = ilfs.map((set) => new Set(set));
  Lraw.forEach((row, i) => {
    if (!Array.isArray(row)) throw new InputError('expected a row array', { file, field: `${field}[${i}]` });
    if (row.length !== m) {
      throw new InputError(`ragged matrix: row has ${row.length} entries but there are ${m} ILFs`, { file, field: `${field}[${i}]` });
    }
    row.forEach((v, j) => {
      const f = `${field}[${i}][${j}]`;
      if (typeof v !== 'number' || !Number.isInteger(v)) throw new InputError(`expected an integer label index, got ${JSON.stringify(v)}`, { file, field: f });
      if (v !== -1 && !members[j]!.has(v)) {
        const what = v >= 0 && v < labels.length ? `label '${labels[v]}' (${v})` : `index ${v}`;
        throw new InputError(`ILF ${j} output ${what}, which is outside its label set {${ilfs[j]!.map((x) => `'${labels[x]}'`).join(', ')}} (use -1 for abstain)`, { file, field: f });
      }
      L[i * m + j] = v;
    });
  });
  const out: TaskSplit = { n, L };
  if (yraw !== undefined) {
    const y = intArray(yraw, file, `y_${s}`);
    if (y.length !== n) throw new InputError(`has ${y.length} labels but L_${s} has ${n} rows`, { file, field: `y_${s}` });
    y.forEach((v, i) => {
      if (v < 0 || v >= k) throw new InputError(`gold label ${v} is not a position in desired (0..${k - 1})`, { file, field: `y_${s}[${i}]` });
    });
    out.y = Int32Array.from(y);
  }
  if (Xraw !== undefined) {
    const fx = `X_${s}`;
    if (!Array.isArray(Xraw) || Xraw.length !== n) {
      throw new InputError(`expected ${n} feature rows (one per row of L_${s})`, { file, field: fx });
    }
    const d = Array.isArray(Xraw[0]) ? (Xraw[0] as Json[]).length : 0;
    if (d === 0) throw new InputError('feature rows must be non-empty arrays of numbers', { file, field: `${fx}[0]` });
    const X = new Float64Array(n * d);
    (Xraw as Json[]).forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== d) {
        throw new InputError(`ragged matrix: expected ${d} features, got ${Array.isArray(row) ? row.length : 'a non-array'}`, { file, field: `${fx}[${i}]` });
      }
      row.forEach((v, c) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`expected a finite number, got ${JSON.stringify(v)}`, { file, field: `${fx}[${i}][${c}]` });
        X[i * d + c] = v;
      });
    });
    out.X = X;
    out.d = d;
  }
  return out;
}

/** Read and validate a JSON task file (a UTF-8 BOM is allowed). */
export async function readTaskJson(storage: Storage, path: string): Promise<WisTask> {
  const raw = await storage.readText(path);
  const text = raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
  let obj: Json;
  try {
    obj = JSON.parse(text);
  } catch (err) {
    const msg = (err as Error).message;
    const pos = /position (\d+)/.exec(msg);
    let line: number | undefined;
    if (pos) line = text.slice(0, Number(pos[1])).split('\n').length;
    throw new InputError(`not valid JSON: ${msg}`, { file: path, line });
  }
  return parseTaskJson(obj, path);
}

/** The JSON object of a task (the inverse of `parseTaskJson`). */
export function taskToJson(t: WisTask): Record<string, unknown> {
  const o: Record<string, unknown> = { name: t.name, labels: t.labels, desired: t.desired, ilfs: t.ilfs, relations: t.relations };
  const m = t.ilfs.length;
  for (const s of SPLITS) {
    const sp = t.splits[s];
    if (!sp) continue;
    o[`L_${s}`] = Array.from({ length: sp.n }, (_, i) => Array.from(sp.L.subarray(i * m, (i + 1) * m)));
    if (sp.y) o[`y_${s}`] = Array.from(sp.y);
    if (sp.X && sp.d) {
      const d = sp.d;
      o[`X_${s}`] = Array.from({ length: sp.n }, (_, i) => Array.from(sp.X!.subarray(i * d, (i + 1) * d)));
    }
  }
  return o;
}

/** Inputs of {@link readTaskCsv}. */
export interface CsvTaskInput {
  /** ILF outputs of the training rows: header = ILF names, cells = label names; empty, `-1` or `abstain` = abstain. */
  train: string;
  valid?: string;
  test?: string;
  /** Relations CSV: optional header `a,b,relation`, rows of label names and a relation. */
  relations: string;
  /** Desired labels by name, in output order. */
  desired: readonly string[];
  /** Optional ILF label sets: rows `ilf,labels` with labels separated by `|`. Default: the labels each ILF outputs anywhere. */
  ilfLabels?: string;
  /** Name of the gold column in the ILF CSVs; default `y`. */
  goldColumn?: string;
  name?: string;
}

const ABSTAIN_TOKENS = new Set(['', '-1', 'abstain', 'ABSTAIN']);

interface RawCsv {
  file: string;
  header: string[];
  rows: { line: number; cells: string[] }[];
}

async function readRawCsv(storage: Storage, path: string): Promise<RawCsv> {
  const cursor = new LineCursor(await storage.readText(path));
  const first = cursor.nextNonBlank();
  if (first === null) throw new InputError('file is empty', { file: path });
  const header = splitCells(first, ',').map((c) => c.trim());
  const rows: { line: number; cells: string[] }[] = [];
  for (let line = cursor.nextNonBlank(); line !== null; line = cursor.nextNonBlank()) {
    const cells = splitCells(line, ',').map((c) => c.trim());
    if (cells.length !== header.length) {
      throw new InputError(`ragged row: ${cells.length} cells, the header has ${header.length}`, { file: path, line: cursor.lineNo });
    }
    rows.push({ line: cursor.lineNo, cells });
  }
  if (rows.length === 0) throw new InputError('no rows after the header', { file: path });
  return { file: path, header, rows };
}

/**
 * Build a task from ILF-output CSVs, a relations CSV and the desired label names. Label indices
 * are assigned in order: desired labels, then labels in order of first appearance in the ILF
 * label sets, then any other label named in the relations.
 */
export async function readTaskCsv(storage: Storage, input: CsvTaskInput): Promise<WisTask> {
  const gold = input.goldColumn ?? 'y';
  const train = await readRawCsv(storage, input.train);
  const others: Partial<Record<SplitName, RawCsv>> = {};
  if (input.valid) others.valid = await readRawCsv(storage, input.valid);
  if (input.test) others.test = await readRawCsv(storage, input.test);
  const ilfNames = train.header.filter((h) => h !== gold);
  if (ilfNames.length === 0) throw new InputError('no ILF columns in the header', { file: input.train, line: 1 });
  for (const [s, raw] of Object.entries(others)) {
    const names = raw!.header.filter((h) => h !== gold);
    if (names.length !== ilfNames.length || !ilfNames.every((nm) => names.includes(nm))) {
      throw new InputError(`the ILF columns differ from the training file's (${ilfNames.join(', ')}) in the ${s} file`, { file: raw!.file, line: 1 });
    }
  }
  const labels: string[] = [];
  const index = new Map<string, number>();
  const add = (l: string): number => {
    let i = index.get(l);
    if (i === undefined) {
      i = labels.length;
      labels.push(l);
      index.set(l, i);
    }
    return i;
  };
  if (input.desired.length === 0) throw new InputError('no desired labels given', { field: 'desired' });
  input.desired.forEach(add);
  const desired = input.desired.map((d) => index.get(d)!);
  // ILF label sets.
  const ilfSets: number[][] = ilfNames.map(() => []);
  if (input.ilfLabels) {
    const raw = await readRawCsv(storage, input.ilfLabels);
    const pos = new Map(ilfNames.map((n, j) => [n, j]));
    for (const r of raw.rows) {
      const j = pos.get(r.cells[0]!);
      if (j === undefined) throw new InputError(`unknown ILF '${r.cells[0]}' (ILF columns: ${ilfNames.join(', ')})`, { file: raw.file, line: r.line });
      const ls = (r.cells[1] ?? '')
        .split('|')
        .map((x) => x.trim())
        .filter((x) => x !== '');
      if (ls.length === 0) throw new InputError('empty label set', { file: raw.file, line: r.line, column: 2 });
      ilfSets[j] = ls.map(add);
    }
    ilfSets.forEach((s, j) => {
      if (s.length === 0) throw new InputError(`no label set given for ILF '${ilfNames[j]}'`, { file: raw.file });
    });
  } else {
    const all = [train, ...Object.values(others)] as RawCsv[];
    for (const raw of all) {
      const cols = raw.header.map((h, _c) => (h === gold ? -1 : ilfNames.indexOf(h)));
      for (const r of raw.rows) {
        r.cells.forEach((cell, c) => {
          const j = cols[c]!;
          if (j < 0 || ABSTAIN_TOKENS.has(cell)) return;
          const l = add(cell);
          if (!ilfSets[j]!.includes(l)) ilfSets[j]!.push(l);
        });
      }
    }
    ilfSets.forEach((s, j) => {
      if (s.length === 0) throw new InputError(`ILF '${ilfNames[j]}' abstains on every row, so its label set is unknown (give --ilf-labels)`, { file: input.train });
    });
  }
  // Relations.
  const relRaw = await readRawCsv(storage, input.relations);
  const relRows = [...relRaw.rows];
  const looksLikeHeader = relRaw.header.length === 3 && !(RELATIONS as readonly string[]).includes(relRaw.header[2]!);
  if (!looksLikeHeader) relRows.unshift({ line: 1, cells: relRaw.header });
  if (relRaw.header.length !== 3) throw new InputError('expected 3 columns: a,b,relation', { file: relRaw.file, line: 1 });
  const relations: RelationTriple[] = relRows.map((r) => {
    const [a, b, rel] = r.cells as [string, string, string];
    if (!(RELATIONS as readonly string[]).includes(rel)) {
      throw new InputError(`unknown relation '${rel}'; expected one of ${RELATIONS.join(', ')}`, { file: relRaw.file, line: r.line, column: 3 });
    }
    return [add(a), add(b), rel as Relation] as const;
  });
  // Assemble as JSON so the same validation applies.
  const obj: Record<string, unknown> = { name: input.name ?? input.train, labels, desired, ilfs: ilfSets, relations };
  const desiredPos = new Map(desired.map((d, c) => [labels[d]!, c]));
  const splitsRaw: [SplitName, RawCsv][] = [['train', train], ...(Object.entries(others) as [SplitName, RawCsv][])];
  for (const [s, raw] of splitsRaw) {
    const cols = ilfNames.map((nme) => raw.header.indexOf(nme));
    const gcol = raw.header.indexOf(gold);
    obj[`L_${s}`] = raw.rows.map((r) =>
      cols.map((c, j) => {
        const cell = r.cells[c]!;
        if (ABSTAIN_TOKENS.has(cell)) return -1;
        const l = index.get(cell);
        if (l === undefined || !ilfSets[j]!.includes(l)) {
          throw new InputError(`ILF '${ilfNames[j]}' output '${cell}', which is outside its label set {${ilfSets[j]!.map((x) => labels[x]).join(', ')}}`, {
            file: raw.file,
            line: r.line,
            column: ilfNames[j],
          });
        }
        return l;
      }),
    );
    if (gcol >= 0) {
      obj[`y_${s}`] = raw.rows.map((r) => {
        const c = desiredPos.get(r.cells[gcol]!);
        if (c === undefined) {
          throw new InputError(`gold label '${r.cells[gcol]}' is not a desired label (${input.desired.join(', ')})`, { file: raw.file, line: r.line, column: gold });
        }
        return c;
      });
    }
  }
  return parseTaskJson(obj, input.train);
}
