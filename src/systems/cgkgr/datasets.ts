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
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashFile } from '../../node/registry/hash.js';
import { InputError } from '../../util/errors.js';
import { Rng } from '../../util/random.js';
import { readKgcnDataset, validateDataset, type CgkgrDataset } from './data.js';
import { buildKg, implicitFeedback, readTextTable, type BuildKgOptions } from './kg_builder.js';
import { syntheticDataset, type SyntheticOptions } from './synthetic.js';

/** The shipped InstEval folder (KGCN layout plus raw CSVs). */
export const INSTEVAL_DIR = fileURLToPath(new URL('../../../data/insteval/', import.meta.url));

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

function readCsvColumns(path: string): string[][] | undefined {
  if (!existsSync(path)) return undefined;
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .slice(1)
    .filter((l) => l.trim() !== '')
    .map((l) => l.split(','));
}

/** A spec for a KGCN folder (absolute paths). */
export function kgcnSpec(dir: string, name?: string): DataSpec {
  const d = resolve(dir);
  return { kind: 'kgcn', name: name ?? (d === resolve(INSTEVAL_DIR) ? 'InstEval' : d.split('/').pop()!), ratings: join(d, 'ratings_final.txt'), kg: join(d, 'kg_final.txt') };
}

/** Fill in content hashes (sha256) of the files behind a spec. */
export function withHashes(spec: DataSpec): DataSpec {
  if (spec.kind === 'kgcn') return { ...spec, hash: { ratings: hashFile(spec.ratings), kg: hashFile(spec.kg) } };
  if (spec.kind === 'raw') return { ...spec, hash: { ratingsCsv: hashFile(spec.ratingsCsv), itemsCsv: hashFile(spec.itemsCsv) } };
  return spec;
}

/** Check that the files still have the hashes recorded at training time. */
export function checkHashes(spec: DataSpec): void {
  const check = (path: string, want: string | undefined): void => {
    if (!want) return;
    if (!existsSync(path)) throw new InputError('the data file recorded in the checkpoint is missing', { file: path });
    const got = hashFile(path);
    if (got !== want) throw new InputError(`the data file changed since training (sha256 ${got.slice(0, 12)}… ≠ recorded ${want.slice(0, 12)}…); the split and neighbour sample would differ`, { file: path });
  };
  if (spec.kind === 'kgcn') {
    check(spec.ratings, spec.hash?.ratings);
    check(spec.kg, spec.hash?.kg);
  } else if (spec.kind === 'raw') {
    check(spec.ratingsCsv, spec.hash?.ratingsCsv);
    check(spec.itemsCsv, spec.hash?.itemsCsv);
  }
}

function readIndexFile(path: string, sep: string, skipHeader: boolean): string[] | undefined {
  if (!existsSync(path)) return undefined;
  const lines = readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '');
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
export function loadDataSpec(spec: DataSpec): { dataset: CgkgrDataset; maps: IdMaps } {
  if (spec.kind === 'kgcn') {
    const dataset = readKgcnDataset({ ratings: spec.ratings, kg: spec.kg, name: spec.name });
    const dir = dirname(spec.ratings);
    const rels = readCsvColumns(join(dir, 'relations.csv'));
    const ents = readCsvColumns(join(dir, 'entities.csv'));
    return {
      dataset,
      maps: {
        users: readIndexFile(join(dir, 'user_index.csv'), ',', true),
        items: readIndexFile(join(dir, 'item_index2entity_id.txt'), '\t', false),
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
  const items = readTextTable(spec.itemsCsv, b.delimiter);
  const built = buildKg(items, b);
  const ratings = readTextTable(spec.ratingsCsv, b.delimiter);
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
