/**
 * CG-KGR's inputs in the KGCN / KGNN-LS file formats, and everything the official data loader
 * derives from them: the 6:2:2 random split, the training interaction lists that neighbour
 * sampling draws from, and the undirected KG adjacency (docs/research/rec_ws.md §1a, `utility/data_loader.py`).
 *
 * - `ratings_final.txt`: `user item label` per line (tab or spaces), label 0/1. Users are
 *   0..n_user−1 and items 0..n_item−1; items are also KG entities 0..n_item−1.
 * - `kg_final.txt`: `head relation tail` per line; the KG is made undirected.
 *
 * Unlike the official loader, problems are errors that name the file and line: entities without
 * any KG triple (official: KeyError), user ids with no rating row (official: silently sampled as
 * item 0), duplicate (user, item) pairs, labels other than 0/1, items outside the KG.
 */
import { InputError, UsageError } from '../../util/errors.js';
import { LineCursor, splitCells } from '../../data/csv.js';
import type { Storage } from '../../io/storage.js';
import { joinPath } from '../../io/path.js';
import type { Rng } from '../../util/random.js';

/** Labelled (user, item) rows. */
export interface Interactions {
  users: Int32Array;
  items: Int32Array;
  /** 1 = positive, 0 = sampled negative. */
  labels: Uint8Array;
}

/** KG triples as read (each stored once; {@link buildKgAdjacency} makes them undirected). */
export interface KnowledgeGraph {
  heads: Int32Array;
  relations: Int32Array;
  tails: Int32Array;
  /** max entity id + 1 (as the official loader). */
  nEntity: number;
  /** max relation id + 1 (as the official loader); the model adds one more matrix for "interact". */
  nRelation: number;
}

/** A dataset ready for CG-KGR. */
export interface CgkgrDataset {
  /** Name for printouts ("insteval", "synthetic", a folder name). */
  name: string;
  ratings: Interactions;
  kg: KnowledgeGraph;
  nUser: number;
  nItem: number;
  /** Where it came from (for checkpoints and messages). */
  source?: { ratings?: string; kg?: string; dir?: string };
}

/** A compressed neighbour list: the neighbours of node v are `values[offsets[v] .. offsets[v+1])`. */
export interface Csr {
  offsets: Int32Array;
  values: Int32Array;
}

/** Parse whitespace/tab-separated integer triples, naming file and line on any problem. */
function parseIntTriples(text: string, source: string, names: readonly [string, string, string]): { a: Int32Array; b: Int32Array; c: Int32Array; lines: Int32Array } {
  const cur = new LineCursor(text);
  let cap = 1024;
  let a: Int32Array = new Int32Array(cap);
  let b: Int32Array = new Int32Array(cap);
  let c: Int32Array = new Int32Array(cap);
  let lines: Int32Array = new Int32Array(cap);
  let n = 0;
  for (let line = cur.nextNonBlank(); line !== null; line = cur.nextNonBlank()) {
    const cells = splitCells(line.trim(), 'whitespace');
    if (cells.length !== 3) {
      throw new InputError(`expected 3 whitespace-separated integers (${names.join(' ')}), found ${cells.length} cells: '${line.slice(0, 80)}'`, { file: source, line: cur.lineNo });
    }
    const vals = [0, 0, 0];
    for (let k = 0; k < 3; k++) {
      const s = cells[k]!;
      const v = Number(s);
      if (!/^[0-9]+$/.test(s) || !Number.isSafeInteger(v) || v > 2147483647) {
        throw new InputError(`expected a non-negative integer, got '${s}'`, { file: source, line: cur.lineNo, column: k + 1, field: names[k] });
      }
      vals[k] = v;
    }
    if (n === cap) {
      cap *= 2;
      const grow = (x: Int32Array): Int32Array => {
        const y = new Int32Array(cap);
        y.set(x);
        return y;
      };
      a = grow(a);
      b = grow(b);
      c = grow(c);
      lines = grow(lines);
    }
    a[n] = vals[0]!;
    b[n] = vals[1]!;
    c[n] = vals[2]!;
    lines[n] = cur.lineNo;
    n++;
  }
  if (n === 0) throw new InputError(`no rows: expected lines of '${names.join(' ')}'`, { file: source });
  return { a: a.slice(0, n), b: b.slice(0, n), c: c.slice(0, n), lines: lines.slice(0, n) };
}

/** Parse a KGCN `ratings_final.txt` (user item label per line). */
export function parseRatingsFinal(text: string, source = 'ratings_final.txt'): Interactions & { lines: Int32Array } {
  const { a, b, c, lines } = parseIntTriples(text, source, ['user', 'item', 'label']);
  const labels = new Uint8Array(c.length);
  for (let r = 0; r < c.length; r++) {
    if (c[r]! > 1) throw new InputError(`label must be 0 or 1, got ${c[r]}`, { file: source, line: lines[r], column: 3, field: 'label' });
    labels[r] = c[r]!;
  }
  return { users: a, items: b, labels, lines };
}

/** Parse a KGCN `kg_final.txt` (head relation tail per line). */
export function parseKgFinal(text: string, source = 'kg_final.txt'): KnowledgeGraph & { lines: Int32Array } {
  const { a, b, c, lines } = parseIntTriples(text, source, ['head', 'relation', 'tail']);
  let maxE = 0;
  let maxR = 0;
  for (let r = 0; r < a.length; r++) {
    maxE = Math.max(maxE, a[r]!, c[r]!);
    maxR = Math.max(maxR, b[r]!);
  }
  return { heads: a, relations: b, tails: c, nEntity: maxE + 1, nRelation: maxR + 1, lines };
}

/**
 * Check a ratings/KG pair the way the model needs it, with errors naming file and line:
 * every item is a KG entity, every user 0..n_user−1 has at least one rating row, no (user, item)
 * pair repeats, and every KG entity has at least one neighbour. Items without any row are
 * returned (cold items, handled by the `noInteraction` policy).
 */
export function validateDataset(
  ratings: Interactions & { lines?: Int32Array },
  kg: KnowledgeGraph & { lines?: Int32Array },
  sources: { ratings?: string; kg?: string } = {},
): { nUser: number; nItem: number; itemsWithoutRows: number[] } {
  const rf = sources.ratings ?? 'ratings_final.txt';
  const kf = sources.kg ?? 'kg_final.txt';
  const n = ratings.users.length;
  let maxU = -1;
  let maxI = -1;
  let maxIRow = 0;
  for (let r = 0; r < n; r++) {
    if (ratings.users[r]! > maxU) maxU = ratings.users[r]!;
    if (ratings.items[r]! > maxI) {
      maxI = ratings.items[r]!;
      maxIRow = r;
    }
  }
  const nUser = maxU + 1;
  const nItem = maxI + 1;
  if (nItem > kg.nEntity) {
    throw new InputError(`item ${maxI} is not a KG entity: ${kf} has entities 0..${kg.nEntity - 1} (items must be entities 0..n_item-1, as in KGCN's item_index2entity_id)`, {
      file: rf,
      line: ratings.lines?.[maxIRow],
      field: 'item',
    });
  }
  const uCount = new Int32Array(nUser);
  const iCount = new Int32Array(nItem);
  for (let r = 0; r < n; r++) {
    uCount[ratings.users[r]!]!++;
    iCount[ratings.items[r]!]!++;
  }
  const missingUsers: number[] = [];
  for (let v = 0; v < nUser; v++) if (uCount[v] === 0) missingUsers.push(v);
  if (missingUsers.length > 0) {
    throw new InputError(
      `${missingUsers.length} user id(s) between 0 and ${nUser - 1} have no row (first: ${missingUsers.slice(0, 5).join(', ')}); ` +
        'user ids must be contiguous 0..N-1 (the official code would silently sample item 0 as their neighbours)',
      { file: rf, field: 'user' },
    );
  }
  // Items without any row are cold items: the KG still describes them; the --no-interaction
  // policy decides (like items that lose all their rows to the split).
  const itemsWithoutRows: number[] = [];
  for (let v = 0; v < nItem; v++) if (iCount[v] === 0) itemsWithoutRows.push(v);
  // Duplicate pairs: sort the pair keys (exact in float64 up to 2^53) and scan neighbours.
  const keys = new Float64Array(n);
  for (let r = 0; r < n; r++) keys[r] = ratings.users[r]! * nItem + ratings.items[r]!;
  const sorted = Float64Array.from(keys).sort();
  for (let r = 1; r < n; r++) {
    if (sorted[r] === sorted[r - 1]) {
      const key = sorted[r]!;
      const u = Math.floor(key / nItem);
      const it = key - u * nItem;
      const rows: number[] = [];
      for (let q = 0; q < n && rows.length < 2; q++) if (keys[q] === key) rows.push(q);
      const where = ratings.lines ? `lines ${rows.map((q) => ratings.lines![q]).join(' and ')}` : `rows ${rows.join(' and ')}`;
      throw new InputError(`the pair (user ${u}, item ${it}) appears twice (${where}); each pair must be labelled once`, { file: rf, line: ratings.lines?.[rows[1]!] });
    }
  }
  // Every entity needs a KG neighbour (the official sampler raises KeyError otherwise).
  const deg = new Int32Array(kg.nEntity);
  for (let t = 0; t < kg.heads.length; t++) {
    deg[kg.heads[t]!]!++;
    deg[kg.tails[t]!]!++;
  }
  const isolated: number[] = [];
  let nIso = 0;
  for (let e = 0; e < kg.nEntity; e++) {
    if (deg[e] === 0) {
      nIso++;
      if (isolated.length < 5) isolated.push(e);
    }
  }
  if (nIso > 0) {
    throw new InputError(
      `${nIso} entit${nIso === 1 ? 'y has' : 'ies have'} no KG neighbour (first: ${isolated.join(', ')}); CG-KGR samples every entity's neighbours, ` +
        `so every entity 0..${kg.nEntity - 1} must appear in at least one triple (the official code crashes with a KeyError)`,
      { file: kf },
    );
  }
  return { nUser, nItem, itemsWithoutRows };
}

/** Read and validate a dataset in the KGCN layout (`ratings_final.txt`, `kg_final.txt`). */
export async function readKgcnDataset(storage: Storage, opts: { dir?: string; ratings?: string; kg?: string; name?: string }): Promise<CgkgrDataset> {
  const ratingsPath = opts.ratings ?? (opts.dir ? joinPath(opts.dir, 'ratings_final.txt') : undefined);
  const kgPath = opts.kg ?? (opts.dir ? joinPath(opts.dir, 'kg_final.txt') : undefined);
  if (!ratingsPath || !kgPath) throw new UsageError('give a data folder (with ratings_final.txt and kg_final.txt) or both --ratings and --kg');
  const ratings = parseRatingsFinal(await storage.readText(ratingsPath), ratingsPath);
  // Click-through AUC and the official training both need negatives (label 0) beside positives.
  let pos = 0;
  for (const l of ratings.labels) pos += l;
  if (pos === 0 || pos === ratings.labels.length)
    throw new InputError(
      `every row has label ${pos === 0 ? 0 : 1}: CG-KGR needs both positive (1) and negative (0) rows (KGCN's ratings_final.txt has one sampled negative per positive; \`sheaf cgkgr build-kg\` samples them from raw ratings)`,
      { file: ratingsPath, field: 'label' },
    );
  const kg = parseKgFinal(await storage.readText(kgPath), kgPath);
  const { nUser, nItem } = validateDataset(ratings, kg, { ratings: ratingsPath, kg: kgPath });
  return {
    name: opts.name ?? (opts.dir ? opts.dir.replace(/\/+$/, '').split('/').pop()! : ratingsPath),
    ratings: { users: ratings.users, items: ratings.items, labels: ratings.labels },
    kg: { heads: kg.heads, relations: kg.relations, tails: kg.tails, nEntity: kg.nEntity, nRelation: kg.nRelation },
    nUser,
    nItem,
    source: { ratings: ratingsPath, kg: kgPath, dir: opts.dir },
  };
}

/** Row indices of the train / eval / test splits. */
export interface RowSplit {
  train: Int32Array;
  eval: Int32Array;
  test: Int32Array;
}

/**
 * The official random split over rows (`data_split`): eval = ⌊n·r_eval⌋ rows drawn without
 * replacement, test = ⌊n·r_test⌋ of the rest, train = the remainder; default 6:2:2. Eval and
 * test keep their drawn order (the official per-batch AUC depends on it); train is in row order
 * (it is reshuffled every epoch).
 */
export function splitRows(n: number, rng: Rng, ratios: readonly [number, number, number] = [0.6, 0.2, 0.2]): RowSplit {
  const total = ratios[0] + ratios[1] + ratios[2];
  if (!(ratios.every((r) => r >= 0) && ratios[0] > 0 && total > 0)) throw new UsageError(`split ratios must be non-negative with a positive train share, got ${ratios.join(':')}`);
  const nEval = Math.floor((n * ratios[1]) / total);
  const nTest = Math.floor((n * ratios[2]) / total);
  const perm = rng.permutation(n);
  const evalRows = perm.slice(0, nEval);
  const testRows = perm.slice(nEval, nEval + nTest);
  const train = perm.slice(nEval + nTest).sort();
  if (train.length === 0) throw new InputError(`the train split is empty (${n} rows split ${ratios.join(':')})`);
  return { train, eval: evalRows, test: testRows };
}

/** The rows `idx` of `r`. */
export function takeRows(r: Interactions, idx: Int32Array): Interactions {
  const users = new Int32Array(idx.length);
  const items = new Int32Array(idx.length);
  const labels = new Uint8Array(idx.length);
  for (let k = 0; k < idx.length; k++) {
    users[k] = r.users[idx[k]!]!;
    items[k] = r.items[idx[k]!]!;
    labels[k] = r.labels[idx[k]!]!;
  }
  return { users, items, labels };
}

/** Group `values[k]` by `keys[k]` into a CSR over 0..nKeys−1, dropping repeated values per key. */
export function groupCsr(keys: Int32Array, values: Int32Array, nKeys: number): Csr {
  const counts = new Int32Array(nKeys + 1);
  for (let k = 0; k < keys.length; k++) counts[keys[k]! + 1]!++;
  for (let v = 0; v < nKeys; v++) counts[v + 1]! += counts[v]!;
  const fill = counts.slice(0, nKeys);
  const vals = new Int32Array(keys.length);
  for (let k = 0; k < keys.length; k++) vals[fill[keys[k]!]!++] = values[k]!;
  // Sort and de-duplicate each list (the official loader stores sets).
  const offsets = new Int32Array(nKeys + 1);
  let w = 0;
  for (let v = 0; v < nKeys; v++) {
    const seg = vals.subarray(counts[v]!, counts[v + 1]!).sort();
    offsets[v] = w;
    for (let k = 0; k < seg.length; k++) if (k === 0 || seg[k] !== seg[k - 1]) vals[w++] = seg[k]!;
  }
  offsets[nKeys] = w;
  return { offsets, values: vals.slice(0, w) };
}

/** Training interactions as the official loader keeps them: items per user and users per item, over all train rows (labels 0 and 1). */
export interface TrainGraph {
  userItems: Csr;
  itemUsers: Csr;
}

export function buildTrainGraph(train: Interactions, nUser: number, nItem: number): TrainGraph {
  return { userItems: groupCsr(train.users, train.items, nUser), itemUsers: groupCsr(train.items, train.users, nItem) };
}

/** The undirected KG (`construct_kg`): neighbour entity and relation per entity, both directions of every triple, in file order. */
export interface KgAdjacency {
  offsets: Int32Array;
  entities: Int32Array;
  relations: Int32Array;
}

export function buildKgAdjacency(kg: KnowledgeGraph): KgAdjacency {
  const nT = kg.heads.length;
  const offsets = new Int32Array(kg.nEntity + 1);
  for (let t = 0; t < nT; t++) {
    offsets[kg.heads[t]! + 1]!++;
    offsets[kg.tails[t]! + 1]!++;
  }
  for (let e = 0; e < kg.nEntity; e++) offsets[e + 1]! += offsets[e]!;
  const fill = offsets.slice(0, kg.nEntity);
  const entities = new Int32Array(2 * nT);
  const relations = new Int32Array(2 * nT);
  for (let t = 0; t < nT; t++) {
    const h = kg.heads[t]!;
    const r = kg.relations[t]!;
    const tl = kg.tails[t]!;
    let p = fill[h]!++;
    entities[p] = tl;
    relations[p] = r;
    p = fill[tl]!++;
    entities[p] = h;
    relations[p] = r;
  }
  return { offsets, entities, relations };
}

/**
 * The random-KG ablation: every triple keeps its head and relation, and the tails are permuted
 * at random across triples. Every entity keeps its degree (so none loses all neighbours) and the
 * relation/tail marginals stay the same, but which item links to which attribute is destroyed.
 */
export function randomizeKg(kg: KnowledgeGraph, rng: Rng): KnowledgeGraph {
  const perm = rng.permutation(kg.tails.length);
  const tails = new Int32Array(kg.tails.length);
  for (let t = 0; t < tails.length; t++) tails[t] = kg.tails[perm[t]!]!;
  return { heads: kg.heads.slice(), relations: kg.relations.slice(), tails, nEntity: kg.nEntity, nRelation: kg.nRelation };
}

/** Per-user item lists of positive rows (label 1) in `r`, over 0..nUser−1. */
export function positivesByUser(r: Interactions, nUser: number): Csr {
  const us: number[] = [];
  const is: number[] = [];
  for (let k = 0; k < r.users.length; k++) {
    if (r.labels[k] === 1) {
      us.push(r.users[k]!);
      is.push(r.items[k]!);
    }
  }
  return groupCsr(Int32Array.from(us), Int32Array.from(is), nUser);
}

/** The neighbours of `v` in a CSR. */
export function csrRow(c: Csr, v: number): Int32Array {
  return c.values.subarray(c.offsets[v]!, c.offsets[v + 1]!);
}
