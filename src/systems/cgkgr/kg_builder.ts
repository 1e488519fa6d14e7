/**
 * `sheaf cgkgr build-kg`: turn an item attribute table (CSV: item id, attribute columns, cells
 * with several values separated by `|`) into a knowledge graph in the KGCN layout, and raw
 * ratings into KGCN-style implicit feedback.
 *
 * KG. Items become entities 0..n_item−1 (ids in increasing order: numerically when every id is a
 * number, else as text); then, column by column, every distinct value of the column becomes one
 * entity (increasing order within the column). Each column is one relation named
 * `<item column>.<column>`; every (item, value) gives a triple `item relation value`, written
 * relation by relation. `--bucket year=10` additionally links each value of a numeric column to
 * a bucket entity (⌊v/10⌋·10, relation `year.bucket10`), giving 2-hop structure
 * (movie → year → decade).
 *
 * Implicit feedback (KGCN's preprocessing): rating ≥ threshold → positive; items the user rated
 * below the threshold are neither positives nor negative candidates; every user gets as many
 * negatives as positives, drawn uniformly without replacement from the items they never rated;
 * users without a positive are dropped. Users are numbered by increasing id. Without a rating
 * column every row is a positive (Last.FM / Book-Crossing style).
 */
import { InputError, UsageError } from '../../util/errors.js';
import { LineCursor, splitCells } from '../../data/csv.js';
import type { Storage } from '../../io/storage.js';
import type { Rng } from '../../util/random.js';
import type { Interactions, KnowledgeGraph } from './data.js';

/** A text table read from CSV: header names and rows of cell texts, with their line numbers. */
export interface TextTable {
  source: string;
  header: string[];
  rows: string[][];
  lines: number[];
}

/** Read a CSV with a header row into cell texts (quotes handled; every row must have the header's width). */
export async function readTextTable(storage: Storage, path: string, delimiter: ',' | ';' | '\t' = ','): Promise<TextTable> {
  return parseTextTable(await storage.readText(path), path, delimiter);
}

export function parseTextTable(text: string, source: string, delimiter: ',' | ';' | '\t' = ','): TextTable {
  const cur = new LineCursor(text);
  const first = cur.nextNonBlank();
  if (first === null) throw new InputError('the file is empty (expected a header row)', { file: source });
  const header = splitCells(first, delimiter).map((h) => h.trim());
  if (header.length < 2) {
    throw new InputError(`the header has ${header.length} column; expected at least 2 separated by '${delimiter === '\t' ? '\\t' : delimiter}'`, { file: source, line: cur.lineNo });
  }
  const rows: string[][] = [];
  const lines: number[] = [];
  for (let line = cur.nextNonBlank(); line !== null; line = cur.nextNonBlank()) {
    const cells = splitCells(line, delimiter).map((c) => c.trim());
    if (cells.length !== header.length) {
      throw new InputError(`expected ${header.length} cells (as the header), found ${cells.length}`, { file: source, line: cur.lineNo });
    }
    rows.push(cells);
    lines.push(cur.lineNo);
  }
  if (rows.length === 0) throw new InputError('no data rows after the header', { file: source });
  return { source, header, rows, lines };
}

function columnIndex(t: TextTable, name: string | undefined, fallback: number, what: string): number {
  if (name === undefined) return fallback;
  const k = t.header.indexOf(name);
  if (k < 0) throw new UsageError(`${what} column '${name}' is not in ${t.source} (columns: ${t.header.join(', ')})`);
  return k;
}

/** Ascending order of ids: numeric when all are numbers, else by text. */
export function sortIds(ids: Iterable<string>): string[] {
  const list = [...ids];
  const numeric = list.every((s) => s !== '' && Number.isFinite(Number(s)));
  return numeric ? list.sort((a, b) => Number(a) - Number(b) || (a < b ? -1 : a > b ? 1 : 0)) : list.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export interface BuildKgOptions {
  /** Column holding the item id (default: the first column). */
  itemColumn?: string;
  /** Attribute columns to use (default: all other columns). */
  columns?: string[];
  /** Separator of several values inside one cell (default `|`). */
  multiSep?: string;
  /** Numeric bucketing: column → width (adds value → bucket triples). */
  buckets?: Record<string, number>;
}

/** A KG built from an attribute table. */
export interface BuiltKg {
  kg: KnowledgeGraph;
  /** Item ids in entity order: item id `itemIds[e]` is entity e. */
  itemIds: string[];
  /** Entity id → index (items only). */
  itemIndex: Map<string, number>;
  /** Every entity's type (column name) and value. */
  entities: Array<{ type: string; value: string }>;
  relations: string[];
  itemColumn: string;
}

/** Build entities, relations and triples from an attribute table (see the module comment). */
export function buildKg(t: TextTable, opts: BuildKgOptions = {}): BuiltKg {
  const sep = opts.multiSep ?? '|';
  const idCol = columnIndex(t, opts.itemColumn, 0, 'item');
  const attrCols = opts.columns ? opts.columns.map((c) => columnIndex(t, c, -1, 'attribute')) : t.header.map((_, k) => k).filter((k) => k !== idCol);
  if (attrCols.length === 0) throw new UsageError(`${t.source}: no attribute columns besides the item column '${t.header[idCol]}'`);
  if (attrCols.includes(idCol)) throw new UsageError(`the item column '${t.header[idCol]}' cannot also be an attribute column`);
  for (const b of Object.keys(opts.buckets ?? {})) {
    if (!attrCols.some((k) => t.header[k] === b)) throw new UsageError(`--bucket names '${b}', which is not an attribute column (${attrCols.map((k) => t.header[k]).join(', ')})`);
  }
  const rowOf = new Map<string, number>();
  t.rows.forEach((row, r) => {
    const id = row[idCol]!;
    if (id === '') throw new InputError('empty item id', { file: t.source, line: t.lines[r], field: t.header[idCol] });
    if (rowOf.has(id)) throw new InputError(`item '${id}' appears twice (also line ${t.lines[rowOf.get(id)!]})`, { file: t.source, line: t.lines[r], field: t.header[idCol] });
    rowOf.set(id, r);
  });
  const itemIds = sortIds(rowOf.keys());
  const itemIndex = new Map(itemIds.map((id, e) => [id, e]));
  const entities: Array<{ type: string; value: string }> = itemIds.map((id) => ({ type: t.header[idCol]!, value: id }));
  const relations: string[] = [];
  const heads: number[] = [];
  const rels: number[] = [];
  const tails: number[] = [];
  const degree = new Int32Array(itemIds.length);
  const cellValues = (cell: string): string[] => [
    ...new Set(
      cell
        .split(sep)
        .map((v) => v.trim())
        .filter((v) => v !== '' && v !== 'NA'),
    ),
  ];
  for (const k of attrCols) {
    const name = t.header[k]!;
    const perItem = itemIds.map((id) => cellValues(t.rows[rowOf.get(id)!]![k]!));
    const values = sortIds(new Set(perItem.flat()));
    if (values.length === 0) continue;
    const base = entities.length;
    const valueId = new Map(values.map((v, j) => [v, base + j]));
    for (const v of values) entities.push({ type: name, value: v });
    const r = relations.length;
    relations.push(`${t.header[idCol]}.${name}`);
    perItem.forEach((vals, e) => {
      for (const v of vals) {
        heads.push(e);
        rels.push(r);
        tails.push(valueId.get(v)!);
        degree[e]!++;
      }
    });
    const width = opts.buckets?.[name];
    if (width !== undefined) {
      if (!(width > 0)) throw new UsageError(`--bucket ${name}=${width}: the width must be positive`);
      const bucketOf = (v: string): string => {
        const x = Number(v);
        if (!Number.isFinite(x)) {
          const e = perItem.findIndex((vals) => vals.includes(v));
          throw new InputError(`--bucket ${name}: value '${v}' is not a number`, { file: t.source, line: t.lines[rowOf.get(itemIds[e]!)!], field: name });
        }
        return String(Math.floor(x / width) * width);
      };
      const buckets = sortIds(new Set(values.map(bucketOf)));
      const bBase = entities.length;
      const bucketId = new Map(buckets.map((b, j) => [b, bBase + j]));
      for (const b of buckets) entities.push({ type: `${name}_bucket${width}`, value: b });
      const br = relations.length;
      relations.push(`${name}.bucket${width}`);
      for (const v of values) {
        heads.push(valueId.get(v)!);
        rels.push(br);
        tails.push(bucketId.get(bucketOf(v))!);
      }
    }
  }
  const bare = itemIds.findIndex((_, e) => degree[e] === 0);
  if (bare >= 0) {
    const id = itemIds[bare]!;
    throw new InputError(
      `item '${id}' has no attribute value in any of ${attrCols.map((k) => t.header[k]).join(', ')}; CG-KGR needs every entity to have a KG neighbour (fill a value or drop the item)`,
      { file: t.source, line: t.lines[rowOf.get(id)!], field: t.header[idCol] },
    );
  }
  return {
    kg: { heads: Int32Array.from(heads), relations: Int32Array.from(rels), tails: Int32Array.from(tails), nEntity: entities.length, nRelation: relations.length },
    itemIds,
    itemIndex,
    entities,
    relations,
    itemColumn: t.header[idCol]!,
  };
}

export interface ImplicitOptions {
  userColumn?: string;
  itemColumn?: string;
  /** Rating column; `null` = every row is a positive. Default: the third column. */
  ratingColumn?: string | null;
  /** rating ≥ threshold → positive (default 4, KGCN's MovieLens rule). */
  threshold?: number;
  /** Ratings of items missing from the attribute table: error (default) or skip. */
  unknownItems?: 'error' | 'skip';
  rng: Rng;
}

/** Implicit feedback in KGCN's format. */
export interface ImplicitData {
  interactions: Interactions;
  /** User ids in user-index order. */
  userIds: string[];
  /** Name of the user column (the header of user_index.csv). */
  userColumn: string;
  stats: { rows: number; positives: number; users: number; droppedUsers: number; skippedRows: number; shortUsers: number };
}

/** Ratings → positives by threshold plus 1:1 uniform negatives (see the module comment). */
export function implicitFeedback(t: TextTable, itemIndex: Map<string, number>, opts: ImplicitOptions): ImplicitData {
  const uc = columnIndex(t, opts.userColumn, 0, 'user');
  const ic = columnIndex(t, opts.itemColumn, 1, 'item');
  let rc: number | null;
  if (opts.ratingColumn === null) rc = null;
  else if (opts.ratingColumn === undefined) rc = t.header.length > 2 ? 2 : null;
  else rc = columnIndex(t, opts.ratingColumn, -1, 'rating');
  const threshold = opts.threshold ?? 4;
  const nItem = itemIndex.size;
  const rated = new Map<string, Set<number>>();
  const pos = new Map<string, Set<number>>();
  let skipped = 0;
  t.rows.forEach((row, r) => {
    const user = row[uc]!;
    const itemId = row[ic]!;
    if (user === '') throw new InputError('empty user id', { file: t.source, line: t.lines[r], field: t.header[uc] });
    const item = itemIndex.get(itemId);
    if (item === undefined) {
      if (opts.unknownItems === 'skip') {
        skipped++;
        return;
      }
      throw new InputError(`item '${itemId}' is not in the item attribute table (use --unknown-items skip to drop such rows)`, { file: t.source, line: t.lines[r], field: t.header[ic] });
    }
    let isPos = true;
    if (rc !== null) {
      const v = Number(row[rc]);
      if (row[rc] === '' || !Number.isFinite(v)) throw new InputError(`rating '${row[rc]}' is not a number`, { file: t.source, line: t.lines[r], field: t.header[rc] });
      isPos = v >= threshold;
    }
    let set = rated.get(user);
    if (!set) rated.set(user, (set = new Set()));
    if (set.has(item)) throw new InputError(`user '${user}' rates item '${itemId}' twice`, { file: t.source, line: t.lines[r] });
    set.add(item);
    if (isPos) {
      let p = pos.get(user);
      if (!p) pos.set(user, (p = new Set()));
      p.add(item);
    }
  });
  const userIds = sortIds(pos.keys());
  const us: number[] = [];
  const is: number[] = [];
  const ls: number[] = [];
  let positives = 0;
  let shortUsers = 0;
  userIds.forEach((user, u) => {
    const p = [...pos.get(user)!].sort((a, b) => a - b);
    const seen = rated.get(user)!;
    const cand: number[] = [];
    for (let it = 0; it < nItem; it++) if (!seen.has(it)) cand.push(it);
    const k = Math.min(p.length, cand.length);
    if (k < p.length) shortUsers++;
    const picks = opts.rng.choice(cand.length, k, false);
    for (const it of p) {
      us.push(u);
      is.push(it);
      ls.push(1);
    }
    for (let j = 0; j < k; j++) {
      us.push(u);
      is.push(cand[picks[j]!]!);
      ls.push(0);
    }
    positives += p.length;
  });
  if (userIds.length === 0) throw new InputError(`no rating reaches the threshold ${threshold}: no positives`, { file: t.source });
  return {
    interactions: { users: Int32Array.from(us), items: Int32Array.from(is), labels: Uint8Array.from(ls) },
    userIds,
    userColumn: t.header[uc]!,
    stats: { rows: t.rows.length, positives, users: userIds.length, droppedUsers: rated.size - userIds.length, skippedRows: skipped, shortUsers },
  };
}

function csvCell(s: string): string {
  return /[",\n\r]/.test(s) ? '"' + s.replaceAll('"', '""') + '"' : s;
}

/**
 * The KGCN layout as files: kg_final.txt, entities.csv, relations.csv, item_index2entity_id.txt,
 * and with implicit data ratings_final.txt and user_index.csv (name → text).
 */
export function kgcnFiles(built: BuiltKg, implicit?: ImplicitData, userColumn = implicit?.userColumn ?? 'user'): Record<string, string> {
  const out: Record<string, string> = {};
  const kgLines: string[] = [];
  for (let k = 0; k < built.kg.heads.length; k++) kgLines.push(`${built.kg.heads[k]}\t${built.kg.relations[k]}\t${built.kg.tails[k]}`);
  out['kg_final.txt'] = kgLines.join('\n') + '\n';
  out['entities.csv'] = ['entity,type,value', ...built.entities.map((e, k) => `${k},${csvCell(e.type)},${csvCell(e.value)}`)].join('\n') + '\n';
  out['relations.csv'] = ['relation,name', ...built.relations.map((r, k) => `${k},${csvCell(r)}`)].join('\n') + '\n';
  out['item_index2entity_id.txt'] = built.itemIds.map((id, e) => `${id}\t${e}`).join('\n') + '\n';
  if (implicit) {
    const r = implicit.interactions;
    const lines: string[] = [];
    for (let k = 0; k < r.users.length; k++) lines.push(`${r.users[k]}\t${r.items[k]}\t${r.labels[k]}`);
    out['ratings_final.txt'] = lines.join('\n') + '\n';
    out['user_index.csv'] = [`user,${csvCell(userColumn)}`, ...implicit.userIds.map((id, u) => `${u},${csvCell(id)}`)].join('\n') + '\n';
  }
  return out;
}

/** Parse `--bucket year=10,age=5`. */
export function parseBuckets(spec: string | undefined): Record<string, number> {
  if (!spec) return {};
  const out: Record<string, number> = {};
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([^=]+)=([0-9.]+)$/.exec(part);
    if (!m || !(Number(m[2]) > 0)) throw new UsageError(`--bucket expects column=width[,column=width], got '${part}'`);
    out[m[1]!.trim()] = Number(m[2]);
  }
  return out;
}
