/**
 * Where a run's data comes from, as a small JSON-serialisable spec (stored in checkpoints so that
 * `eval` and `recommend` rebuild exactly the same rows, split and neighbour sample):
 *
 * - `kgcn`: `ratings_final.txt` + `kg_final.txt` (KGCN / KGNN-LS layout, e.g. Last.FM,
 *   Book-Crossing, MovieLens-20M, or the shipped InstEval);
 * - `raw`: a ratings CSV + an item attribute table, turned into a KG and implicit feedback on the
 *   fly by the `build-kg` logic (negatives drawn with a stored seed);
 * - `synthetic`: the seeded generator.
 */
import type { Storage } from '../../io/storage.js';
import { dirnamePath, joinPath } from '../../io/path.js';
import { sha256Hex } from '../../io/hash.js';
import { InputError } from '../../util/errors.js';
import { Rng } from '../../util/random.js';
import { readKgcnDataset, validateDataset, type CgkgrDataset } from './data.js';
import { buildKg, implicitFeedback, readTextTable, type BuildKgOptions } from './kg_builder.js';
import { syntheticDataset, type SyntheticOptions } from './synthetic.js';

/** The shipped InstEval folder (KGCN layout plus raw CSVs). */
export const INSTEVAL_DIR = 'shipped:insteval';

export interface RawBuildOptions extends BuildKgOptions {
  userColumn?: string;
  /** Item column of the ratings CSV (default: its second column). */
  ratingItemColumn?: string;
  /** Rating column; null = every row is a positive. */
  ratingColumn?: string | null;
  threshold?: number;
  unknownItems?: 'error' | 'skip';
  delimiter?: ',' | ';' | '\t';
}

export type DataSpec =
  | { kind: 'kgcn'; name: string; ratings: string; kg: string; hash?: { ratings: string; kg: string } }
  | { kind: 'raw'; name: string; ratingsCsv: string; itemsCsv: string; build: RawBuildOptions; negativeSeed: number; hash?: { ratingsCsv: string; itemsCsv: string } }
  | { kind: 'synthetic'; name: string; options: SyntheticOptions };

/** Display names and raw ids, when known. */
export interface IdMaps {
  /** Raw user id of user index u. */
  users?: string[];
  /** Raw item id of item index i. */
  items?: string[];
  /** Relation names by id. */
  relations?: string[];
  /** Entity labels (`type=value`) by id. */
  entities?: string[];
}

async function readCsvColumns(storage: Storage, path: string): Promise<string[][] | undefined> {
  if ((await storage.stat(path))?.kind !== 'file') return undefined;
  return (await storage.readText(path))
    .split(/\r?\n/)
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(','));
}

/** A spec for a KGCN folder (absolute paths). */
export function kgcnSpec(dir: string, name?: string): DataSpec {
  const d = dir.replace(/\/+$/, '');
  return { kind: 'kgcn', name: name ?? (d === INSTEVAL_DIR ? 'InstEval' : d.split('/').pop()!), ratings: joinPath(d, 'ratings_final.txt'), kg: joinPath(d, 'kg_final.txt') };
}

async function hashOf(storage: Storage, path: string): Promise<string> {
  return sha256Hex(await storage.read(path));
}

/** Fill in content hashes (sha256) of the files behind a spec. */
export async function withHashes(storage: Storage, spec: DataSpec): Promise<DataSpec> {
  if (spec.kind === 'kgcn') return { ...spec, hash: { ratings: await hashOf(storage, spec.ratings), kg: await hashOf(storage, spec.kg) } };
  if (spec.kind === 'raw') return { ...spec, hash: { ratingsCsv: await hashOf(storage, spec.ratingsCsv), itemsCsv: await hashOf(storage, spec.itemsCsv) } };
  return spec;
}

/** Check that the files still have the hashes recorded at training time. */
export async function checkHashes(storage: Storage, spec: DataSpec): Promise<void> {
  const check = async (path: string, want: string | undefined): Promise<void> => {
    if (!want) return;
    if ((await storage.stat(path)) === null) throw new InputError('the data file recorded in the checkpoint is missing', { file: path });
    const got = await hashOf(storage, path);
    if (got !== want)
      throw new InputError(`the data file changed since training (sha256 ${got.slice(0, 12)}… ≠ recorded ${want.slice(0, 12)}…); the split and neighbour sample would differ`, { file: path });
  };
  if (spec.kind === 'kgcn') {
    await check(spec.ratings, spec.hash?.ratings);
    await check(spec.kg, spec.hash?.kg);
  } else if (spec.kind === 'raw') {
    await check(spec.ratingsCsv, spec.hash?.ratingsCsv);
    await check(spec.itemsCsv, spec.hash?.itemsCsv);
  }
}

async function readIndexFile(storage: Storage, path: string, sep: string, skipHeader: boolean): Promise<string[] | undefined> {
  if ((await storage.stat(path))?.kind !== 'file') return undefined;
  const lines = (await storage.readText(path)).split(/\r?\n/).filter((l) => l.trim() !== '');
  const rows = (skipHeader ? lines.slice(1) : lines).map((l) => l.split(sep));
  const out: string[] = [];
  for (const r of rows) {
    const idx = Number(skipHeader ? r[0] : r[1]);
    const raw = (skipHeader ? r[1] : r[0])?.trim();
    if (!Number.isInteger(idx) || raw === undefined) return undefined;
    out[idx] = raw;
  }
  return out;
}

/** Load the dataset a spec describes, with raw-id maps when available. */
export async function loadDataSpec(storage: Storage, spec: DataSpec): Promise<{ dataset: CgkgrDataset; maps: IdMaps }> {
  if (spec.kind === 'kgcn') {
    const dataset = await readKgcnDataset(storage, { ratings: spec.ratings, kg: spec.kg, name: spec.name });
    const dir = dirnamePath(spec.ratings);
    const rels = await readCsvColumns(storage, joinPath(dir, 'relations.csv'));
    const ents = await readCsvColumns(storage, joinPath(dir, 'entities.csv'));
    return {
      dataset,
      maps: {
        users: await readIndexFile(storage, joinPath(dir, 'user_index.csv'), ',', true),
        items: await readIndexFile(storage, joinPath(dir, 'item_index2entity_id.txt'), '\t', false),
        relations: rels?.map((r) => r.slice(1).join(',')),
        entities: ents?.map((r) => `${r[1]}=${r.slice(2).join(',')}`),
      },
    };
  }
  if (spec.kind === 'synthetic') {
    const { truth: _truth, ...dataset } = syntheticDataset(spec.options);
    return { dataset: { ...dataset, name: spec.name }, maps: { relations: ['item.type', 'item.year', 'year.decade'] } };
  }
  const b = spec.build;
  const items = await readTextTable(storage, spec.itemsCsv, b.delimiter);
  const built = buildKg(items, b);
  const ratings = await readTextTable(storage, spec.ratingsCsv, b.delimiter);
  const imp = implicitFeedback(ratings, built.itemIndex, {
    userColumn: b.userColumn,
    itemColumn: b.ratingItemColumn,
    ratingColumn: b.ratingColumn,
    threshold: b.threshold,
    unknownItems: b.unknownItems,
    rng: new Rng(spec.negativeSeed),
  });
  const { nUser, nItem } = validateDataset(imp.interactions, built.kg, { ratings: spec.ratingsCsv, kg: spec.itemsCsv });
  return {
    dataset: { name: spec.name, ratings: imp.interactions, kg: built.kg, nUser, nItem, source: { ratings: spec.ratingsCsv, kg: spec.itemsCsv } },
    maps: { users: imp.userIds, items: built.itemIds, relations: built.relations, entities: built.entities.map((e) => `${e.type}=${e.value}`) },
  };
}
