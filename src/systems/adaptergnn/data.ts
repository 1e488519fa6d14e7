/**
 * Molecule tables for AdapterGNN: read a SMILES + tasks CSV, featurise every molecule once (the
 * Hu et al. features, src/data/chem), and split it as the configuration says. Featurised sets
 * are cached in memory by content, so `compare` and repeated library calls featurise once.
 */
import { featuriseAll, randomScaffoldSplit, randomSplit, readMoleculeCsv, readMoleculeSdf, readSdfRecords, readSmilesList, scaffoldSplit, type MolGraph } from '../../data/chem/index.js';
import { getRDKit } from '../../data/chem/provider.js';
import { sha256Hex } from '../../io/hash.js';
import { fromBytes } from '../../io/storage.js';
import { InputError, UsageError } from '../../util/errors.js';
import type { Storage } from '../../io/storage.js';
import { HERG, type AdapterGNNConfig, type AdapterGNNDataOptions } from './config.js';

/** A featurised molecule table. */
export interface MoleculeData {
  /** Where it came from (a path, `shipped:…`, or `memory`). */
  source: string;
  /** Name for tables and reports. */
  name: string;
  hash: string | null;
  /** SMILES of the kept molecules, in file order. */
  smiles: string[];
  /** 1-based file line of each kept molecule. */
  lines: number[];
  tasks: string[];
  /** [n, T] +1 positive, −1 negative, 0 missing (the official coding). */
  labels: Int8Array;
  graphs: MolGraph[];
  /** Bemis–Murcko scaffold of each molecule (includeChirality false). */
  scaffolds: string[];
  /** Split named per molecule by the data's split column, when it has one. */
  splitColumn: string[] | null;
  /** Molecules left out (`invalid: skip`). */
  skipped: Array<{ line: number; smiles: string; reason: string }>;
  /** Morgan fingerprints by `radius:bits`, filled by the baseline on first use. */
  fingerprints?: Map<string, Uint8Array>;
}

/** Molecule indices per split. */
export interface MoleculeSplit {
  train: number[];
  valid: number[];
  test: number[];
}

/** The name tables show for a data file. */
export function datasetName(source: string): string {
  return source === HERG ? 'hERG (ChEMBL, pIC50 ≥ 5)' : source;
}

const cache = new Map<string, Promise<MoleculeData>>();

/** Read and featurise a molecule CSV (cached by content and options). */
export async function loadMolecules(storage: Storage, o: AdapterGNNDataOptions): Promise<MoleculeData> {
  const bytes = await storage.read(o.data);
  const text = fromBytes(bytes);
  const hash = await sha256Hex(bytes);
  const key = JSON.stringify([hash, o.smilesColumn, o.tasks ?? null, o.threshold ?? null, o.splitColumn ?? null, o.invalid, o.limit ?? null, o.data === HERG]);
  let p = cache.get(key);
  if (!p) {
    p = buildMolecules(text, o, hash);
    cache.set(key, p);
    p.catch(() => cache.delete(key));
  }
  const d = await p;
  return { ...d, source: o.data, name: datasetName(o.data) };
}

async function buildMolecules(text: string, o: AdapterGNNDataOptions, hash: string): Promise<MoleculeData> {
  const tasks =
    o.tasks
      ?.split(',')
      .map((t) => t.trim())
      .filter(Boolean) ?? (o.data === HERG ? ['hERG'] : undefined);
  const isSdf = /\.sdf$/i.test(o.data);
  const read = isSdf ? (t: string, opts: Parameters<typeof readMoleculeSdf>[2]) => readMoleculeSdf(rdkitForSdf!, t, opts) : readMoleculeCsv;
  const rdkitForSdf = isSdf ? await getRDKit() : null;
  const table = read(text, {
    file: o.data,
    smilesColumn: o.smilesColumn,
    ...(tasks ? { taskColumns: tasks } : {}),
    ...(o.threshold !== undefined ? { threshold: o.threshold } : {}),
    ...(o.splitColumn ? { keepColumns: [o.splitColumn] } : {}),
  });
  if (table.smiles.length === 0) throw new InputError('no molecules', { file: o.data });
  if (o.limit !== undefined && o.limit < table.smiles.length) {
    const T0 = table.tasks.length;
    table.smiles = table.smiles.slice(0, o.limit);
    table.lines = table.lines.slice(0, o.limit);
    table.labels = table.labels.slice(0, o.limit * T0);
  }
  const rdkit = await getRDKit();
  // Scaffolds come from the same RDKit parse (the scaffold splits need them; cheap beside featurising).
  const f = featuriseAll(rdkit, table.smiles, table.lines, { file: o.data, onInvalid: o.invalid, scaffolds: true });
  const labels = labelsOf(table, f.kept);
  let splitColumn: string[] | null = null;
  if (o.splitColumn) {
    const col = table.extra?.[o.splitColumn];
    if (!col) throw new InputError(`no column '${o.splitColumn}' (--split-column)`, { file: o.data });
    splitColumn = f.kept.map((i) => {
      const v = (col[i] ?? '').trim().toLowerCase();
      if (v !== 'train' && v !== 'valid' && v !== 'test') throw new InputError(`split must be train, valid or test, got '${col[i]}'`, { file: o.data, line: table.lines[i], column: o.splitColumn });
      return v;
    });
  }
  return {
    source: o.data,
    name: datasetName(o.data),
    hash,
    smiles: f.kept.map((i) => table.smiles[i]!),
    lines: f.kept.map((i) => table.lines[i]!),
    tasks: table.tasks,
    labels,
    graphs: f.graphs,
    scaffolds: f.scaffolds!,
    splitColumn,
    skipped: f.skipped,
  };
}

/** Featurise molecules for prediction (a SMILES file: one per line, a CSV with a smiles column, or an SD file). */
export async function loadSmilesForPrediction(
  storage: Storage,
  file: string,
  smilesColumn: string,
  invalid: 'error' | 'skip',
): Promise<{ smiles: string[]; lines: number[]; graphs: MolGraph[]; skipped: MoleculeData['skipped'] }> {
  const text = await storage.readText(file);
  let list: { smiles: string[]; lines: number[] };
  if (/\.sdf$/i.test(file)) {
    const r = readSdfRecords(await getRDKit(), text, file);
    list = { smiles: r.rows.map((row) => row[0]!), lines: r.lines };
  } else list = readSmilesList(text, { file, smilesColumn });
  if (list.smiles.length === 0) throw new InputError('no SMILES', { file });
  const f = featuriseAll(await getRDKit(), list.smiles, list.lines, { file, onInvalid: invalid });
  return { smiles: f.kept.map((i) => list.smiles[i]!), lines: f.kept.map((i) => list.lines[i]!), graphs: f.graphs, skipped: f.skipped };
}

/** The split a configuration asks for (deterministic for `scaffold` and `column`; seeded otherwise). */
export async function splitMolecules(d: MoleculeData, cfg: Pick<AdapterGNNConfig, 'splitter' | 'splitRatios'>, seed: number): Promise<MoleculeSplit> {
  const total = cfg.splitRatios.reduce((a, b) => a + b, 0);
  const fracs = cfg.splitRatios.map((r) => r / total) as [number, number, number];
  let s: MoleculeSplit;
  switch (cfg.splitter) {
    case 'scaffold':
      s = scaffoldSplit(d.scaffolds, fracs);
      break;
    case 'random-scaffold':
      s = randomScaffoldSplit(d.scaffolds, fracs, seed);
      break;
    case 'random':
      s = randomSplit(d.smiles.length, fracs, seed);
      break;
    case 'column': {
      if (!d.splitColumn) throw new UsageError('--splitter column needs --split-column naming the data’s split column');
      s = { train: [], valid: [], test: [] };
      d.splitColumn.forEach((v, i) => s[v as keyof MoleculeSplit].push(i));
      break;
    }
  }
  if (s.train.length === 0) throw new InputError(`the ${cfg.splitter} split leaves no training molecules`, { file: d.source });
  return s;
}

/** Labels of some molecules, [k, T]. */
export function labelsOf(d: Pick<MoleculeData, 'labels' | 'tasks'>, idx: readonly number[]): Int8Array {
  const T = d.tasks.length;
  const out = new Int8Array(idx.length * T);
  idx.forEach((i, r) => out.set(d.labels.subarray(i * T, (i + 1) * T), r * T));
  return out;
}
