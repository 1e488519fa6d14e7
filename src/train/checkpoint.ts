/**
 * Checkpoints: the one format every system saves its models in, and the training loop its
 * progress in. A checkpoint is a folder in a `Storage`:
 *
 *   <dir>/model.safetensors       the weights, under the model's (PyTorch) parameter names
 *         optimizer.safetensors   moment estimates (`<param>.<slot>`), when an optimiser is saved
 *         <name>.safetensors      further tensor files a system needs (e.g. training scores)
 *         config.json             {format, version, system, config, epoch, step, rngState,
 *                                  moduleRng, bestMetric, extra, optimizer, scheduler, files}
 *         complete                marker, written last
 *
 * A run folder may hold several (`epoch-0003`, `best`, …) and a `latest` pointer. A checkpoint is
 * written into a hidden temporary folder and renamed into place only when every file and the
 * marker exist, so a run killed at any moment leaves the old or the new checkpoint, never half of
 * one; `latest` is updated (atomically) after the rename.
 *
 * Version 1 (the training loop's progress checkpoints before the system kit, with no `system`
 * field) still loads. The systems' older formats are read by their own `legacy` loaders.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../nn/module.js';
import type { Rng } from '../util/random.js';
import type { Optimizer, OptimizerState } from '../optim/optimizers.js';
import type { Scheduler } from '../optim/schedulers.js';
import { InputError, UsageError } from '../util/errors.js';
import { readJson, writeJson, type Storage } from '../io/storage.js';
import { joinPath } from '../io/path.js';
import { decodeSafetensors, rawToTensors, tensorsToSafetensors, type RawTensor, type WritableTensor } from '../io/safetensors.js';

export const CHECKPOINT_FORMAT = 'sheaf-checkpoint';
export const CHECKPOINT_VERSION = 2;
const MARKER = 'complete';
const LATEST = 'latest';
let tmpCounter = 0;

/** What to write. */
export interface SaveCheckpointOptions {
  /** The system that wrote it (`stemgnn`, …); `load(dir)` dispatches on it. */
  system?: string;
  /** Weights: a module's state dict, or a tensor map (tfjs tensors or raw arrays, e.g. F64). */
  model?: Module;
  tensors?: Map<string, WritableTensor>;
  /** Further tensor files, `<name>.safetensors`. */
  files?: Record<string, Map<string, WritableTensor>>;
  optimizer?: Optimizer;
  scheduler?: Scheduler;
  /** The configuration (JSON); compared on resume. */
  config: unknown;
  /** Epochs completed. */
  epoch?: number;
  /** Optimiser steps taken. */
  step?: number;
  rng?: Rng;
  /** Best monitored metric so far (null/NaN = none). */
  bestMetric?: number | null;
  /** Anything else the system needs to use the model (JSON). */
  extra?: unknown;
  /** Folder name inside `runDir` (default `epoch-<epoch, 4 digits>`). */
  name?: string;
  /** Point `latest` at this checkpoint (default true). */
  setLatest?: boolean;
  /** Keep only the newest `keep` `epoch-*` folders (default: all). */
  keep?: number;
}

/** The non-tensor part of a checkpoint. */
export interface CheckpointInfo {
  /** The checkpoint folder that was read. */
  dir: string;
  /** Format version it was written in. */
  version: number;
  system: string | null;
  config: unknown;
  epoch: number;
  step: number;
  rngState: number[] | null;
  /** States of the generators inside the model (e.g. dropout), by module name. */
  moduleRng: Record<string, number[]> | null;
  bestMetric: number | null;
  extra: unknown;
  scheduler: Record<string, number> | null;
  /** Version 1 only: a fitted scaler stored beside the model. */
  scaler?: unknown;
}

/** A loaded checkpoint: tensors as raw arrays in their file dtypes, by file name. */
export interface LoadedCheckpoint extends CheckpointInfo {
  /** `model` holds the weights; `optimizer` the optimiser slots; others as the system wrote them. */
  files: Record<string, Map<string, RawTensor>>;
  /** Optimiser metadata (lr, step counts); null without an optimiser. */
  optimizerMeta: Record<string, unknown> | null;
}

/** config.json as written. */
interface ConfigFile extends Omit<CheckpointInfo, 'dir'> {
  format: string;
  optimizer: Record<string, unknown> | null;
  /** Tensor files besides model.safetensors (names without extension). */
  files?: string[];
}

function checkpointName(epoch: number): string {
  return `epoch-${String(epoch).padStart(4, '0')}`;
}

/**
 * Write a checkpoint into `runDir` (see the module comment) and return its folder. An existing
 * folder of the same name is replaced.
 */
export async function saveCheckpoint(storage: Storage, runDir: string, opts: SaveCheckpointOptions): Promise<string> {
  const epoch = opts.epoch ?? 0;
  const step = opts.step ?? 0;
  if (!Number.isInteger(epoch) || epoch < 0) throw new UsageError(`saveCheckpoint: epoch must be a non-negative integer, got ${epoch}`);
  if (!Number.isInteger(step) || step < 0) throw new UsageError(`saveCheckpoint: step must be a non-negative integer, got ${step}`);
  const name = opts.name ?? checkpointName(epoch);
  if (!name || name.startsWith('.') || name.includes('/') || name.includes('\\') || name === LATEST) {
    throw new UsageError(`saveCheckpoint: invalid checkpoint name '${name}'`);
  }
  if (opts.model && opts.tensors) throw new UsageError('saveCheckpoint: give model or tensors, not both');
  const tmp = joinPath(runDir, `.tmp-${name}-${Date.now()}-${tmpCounter++}`);
  await storage.remove(tmp);
  await storage.mkdir(tmp);
  try {
    const weights = opts.model ? opts.model.stateDict() : (opts.tensors ?? new Map<string, WritableTensor>());
    await storage.write(joinPath(tmp, 'model.safetensors'), tensorsToSafetensors(weights, { format: 'pt' }));
    const extraFiles = Object.keys(opts.files ?? {});
    for (const f of extraFiles) {
      if (!/^[A-Za-z0-9_-]+$/.test(f) || f === 'model' || f === 'optimizer') throw new UsageError(`saveCheckpoint: invalid file name '${f}'`);
      await storage.write(joinPath(tmp, `${f}.safetensors`), tensorsToSafetensors(opts.files![f]!));
    }
    let optimizerMeta: Record<string, unknown> | null = null;
    if (opts.optimizer) {
      const s = opts.optimizer.stateDict();
      try {
        await storage.write(joinPath(tmp, 'optimizer.safetensors'), tensorsToSafetensors(s.tensors));
      } finally {
        tf.dispose([...s.tensors.values()]);
      }
      optimizerMeta = s.meta;
    }
    const best = opts.bestMetric ?? null;
    const file: ConfigFile = {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      system: opts.system ?? null,
      config: opts.config ?? null,
      epoch,
      step,
      rngState: opts.rng ? opts.rng.getState() : null,
      moduleRng: opts.model ? opts.model.rngStates() : null,
      bestMetric: best !== null && Number.isFinite(best) ? best : null,
      extra: opts.extra ?? null,
      optimizer: optimizerMeta,
      scheduler: opts.scheduler ? opts.scheduler.stateDict() : null,
      files: extraFiles,
    };
    await writeJson(storage, joinPath(tmp, 'config.json'), file);
    await storage.write(joinPath(tmp, MARKER), `${new Date().toISOString()}\n`);
    const final = joinPath(runDir, name);
    if ((await storage.stat(final)) !== null) {
      // A folder cannot be renamed over a non-empty one: move the old aside first.
      const old = joinPath(runDir, `.old-${name}-${Date.now()}-${tmpCounter++}`);
      await storage.rename(final, old);
      await storage.rename(tmp, final);
      await storage.remove(old);
    } else {
      await storage.rename(tmp, final);
    }
  } catch (e) {
    await storage.remove(tmp);
    throw e;
  }
  if (opts.setLatest ?? true) await storage.write(joinPath(runDir, LATEST), name + '\n');
  if (opts.keep !== undefined) await pruneCheckpoints(storage, runDir, opts.keep, name);
  return joinPath(runDir, name);
}

async function epochFolders(storage: Storage, runDir: string): Promise<Array<{ name: string; n: number }>> {
  return (await storage.list(runDir))
    .map((name) => ({ name, m: /^epoch-(\d+)$/.exec(name) }))
    .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
    .map(({ name, m }) => ({ name, n: Number(m[1]) }))
    .sort((a, b) => a.n - b.n);
}

async function pruneCheckpoints(storage: Storage, runDir: string, keep: number, current: string): Promise<void> {
  if (!Number.isInteger(keep) || keep < 1) throw new UsageError(`saveCheckpoint: keep must be a positive integer, got ${keep}`);
  const all = await epochFolders(storage, runDir);
  for (const { name } of all.slice(0, Math.max(0, all.length - keep))) {
    if (name !== current) await storage.remove(joinPath(runDir, name));
  }
}

/** Whether `dir` holds a complete checkpoint. */
export async function isCheckpoint(storage: Storage, dir: string): Promise<boolean> {
  return (await storage.stat(joinPath(dir, MARKER)))?.kind === 'file' && (await storage.stat(joinPath(dir, 'config.json')))?.kind === 'file';
}

/**
 * The newest complete checkpoint folder in `runDir`, or null. Follows `latest`; if that is missing
 * or points at an incomplete folder, falls back to the highest-numbered complete `epoch-*` folder.
 */
export async function findLatestCheckpoint(storage: Storage, runDir: string): Promise<string | null> {
  const pointer = joinPath(runDir, LATEST);
  if ((await storage.stat(pointer))?.kind === 'file') {
    const name = (await storage.readText(pointer)).trim();
    if (name && !name.includes('/') && (await isCheckpoint(storage, joinPath(runDir, name)))) return joinPath(runDir, name);
  }
  const folders = await epochFolders(storage, runDir);
  for (let i = folders.length - 1; i >= 0; i--) {
    const d = joinPath(runDir, folders[i]!.name);
    if (await isCheckpoint(storage, d)) return d;
  }
  return null;
}

/** A checkpoint folder itself, the latest checkpoint of a run's progress, or a run's `checkpoint/`. */
export async function resolveCheckpoint(storage: Storage, dir: string): Promise<string> {
  if (await isCheckpoint(storage, dir)) return dir;
  const inner = joinPath(dir, 'checkpoint');
  if (await isCheckpoint(storage, inner)) return inner;
  const latest = (await storage.stat(dir))?.kind === 'dir' ? await findLatestCheckpoint(storage, dir) : null;
  if (!latest) {
    const what = (await storage.stat(dir)) === null ? 'does not exist' : 'holds no complete checkpoint (expected config.json and a "complete" marker, or a run folder with checkpoint/)';
    throw new InputError(what, { file: dir });
  }
  return latest;
}

function checkInfo(c: Partial<ConfigFile>, path: string): void {
  for (const f of ['epoch', 'step'] as const) {
    if (!Number.isInteger(c[f]) || (c[f] as number) < 0) throw new InputError(`must be a non-negative integer, got ${JSON.stringify(c[f])}`, { file: path, field: f });
  }
  const okRng = (st: unknown): boolean => Array.isArray(st) && (st.length === 4 || st.length === 5) && st.slice(0, 4).every((v) => Number.isInteger(v)) && (st.length === 4 || Number.isFinite(st[4]));
  if (c.rngState != null && !okRng(c.rngState)) throw new InputError('must be null or 4 integers (and an optional cached normal value)', { file: path, field: 'rngState' });
  if (c.moduleRng != null && !(typeof c.moduleRng === 'object' && Object.values(c.moduleRng).every(okRng))) {
    throw new InputError('must map module names to rng states', { file: path, field: 'moduleRng' });
  }
}

/** Read the config.json of a checkpoint folder (no tensors); another format is an InputError naming it. */
export async function readCheckpointInfo(storage: Storage, dir: string): Promise<CheckpointInfo & { optimizer: Record<string, unknown> | null; fileNames: string[] }> {
  const path = joinPath(dir, 'config.json');
  const c = (await readJson(storage, path)) as Partial<ConfigFile> | null;
  if (!c || typeof c !== 'object') throw new InputError('config.json must hold a JSON object', { file: path });
  if (c.format !== CHECKPOINT_FORMAT) throw new InputError(`not a Sheaf checkpoint (format is ${JSON.stringify(c.format)})`, { file: path, field: 'format' });
  if (c.version !== 1 && c.version !== CHECKPOINT_VERSION)
    throw new InputError(`unsupported checkpoint version ${String(c.version)} (this build reads 1 and ${CHECKPOINT_VERSION})`, { file: path, field: 'version' });
  checkInfo(c, path);
  const info: CheckpointInfo & { optimizer: Record<string, unknown> | null; fileNames: string[] } = {
    dir,
    version: c.version,
    system: c.system ?? (c.version === 1 ? legacySystemOf(c.extra) : null),
    config: c.config ?? null,
    epoch: c.epoch!,
    step: c.step!,
    rngState: c.rngState ?? null,
    moduleRng: c.moduleRng ?? null,
    bestMetric: c.bestMetric ?? null,
    extra: c.extra ?? null,
    scheduler: c.scheduler ?? null,
    optimizer: c.optimizer ?? null,
    fileNames: Array.isArray(c.files) ? c.files.filter((f): f is string => typeof f === 'string') : [],
  };
  if (c.version === 1) info.scaler = c.scaler ?? null;
  return info;
}

/** Version-1 CG-KGR checkpoints named their system inside `extra`. */
function legacySystemOf(extra: unknown): string | null {
  const s = (extra as { system?: unknown } | null)?.system;
  return typeof s === 'string' ? s : null;
}

/** Read a checkpoint (a checkpoint folder, or a run folder → its checkpoint). */
export async function loadCheckpoint(storage: Storage, dir: string): Promise<LoadedCheckpoint> {
  const ckpt = await resolveCheckpoint(storage, dir);
  const { optimizer, fileNames, ...info } = await readCheckpointInfo(storage, ckpt);
  const files: Record<string, Map<string, RawTensor>> = {};
  const read = async (name: string): Promise<void> => {
    const path = joinPath(ckpt, `${name}.safetensors`);
    if ((await storage.stat(path)) === null) throw new InputError(`config.json lists ${name}.safetensors but it is missing`, { file: path });
    files[name] = decodeSafetensors(await storage.read(path), path).tensors;
  };
  await read('model');
  if (optimizer) await read('optimizer');
  for (const f of fileNames) await read(f);
  return { ...info, dir: ckpt, files, optimizerMeta: optimizer };
}

/** The tfjs tensors (owned by the caller) of one file of a loaded checkpoint. */
export function checkpointTensors(ck: LoadedCheckpoint, file = 'model'): Map<string, tf.Tensor> {
  const raw = ck.files[file];
  if (!raw) throw new InputError(`the checkpoint has no ${file}.safetensors`, { file: ck.dir });
  return rawToTensors(raw, joinPath(ck.dir, `${file}.safetensors`));
}

/** Load weights into a module (strict names and shapes); a mismatch is an InputError naming the file. */
export function loadWeights(model: Module, ck: LoadedCheckpoint, file = 'model', opts: { strict?: boolean } = {}): void {
  const tensors = checkpointTensors(ck, file);
  try {
    model.loadStateDict(tensors, opts);
  } catch (e) {
    throw new InputError((e as Error).message, { file: joinPath(ck.dir, `${file}.safetensors`) });
  } finally {
    tf.dispose([...tensors.values()]);
  }
}

/**
 * Load a checkpoint into live objects: weights (strict), optimiser state, scheduler position, rng
 * state, module generators — for whichever targets are given. Asking for a part the checkpoint
 * does not have is an error. Returns the rest.
 */
export async function restoreCheckpoint(storage: Storage, dir: string, targets: { model: Module; optimizer?: Optimizer; scheduler?: Scheduler; rng?: Rng }): Promise<CheckpointInfo> {
  const ck = await loadCheckpoint(storage, dir);
  const where = { file: joinPath(ck.dir, 'config.json') };
  if (targets.optimizer && !ck.optimizerMeta) throw new InputError('checkpoint has no optimizer state', { ...where, field: 'optimizer' });
  if (targets.scheduler && !ck.scheduler) throw new InputError('checkpoint has no scheduler state', { ...where, field: 'scheduler' });
  if (targets.rng && !ck.rngState) throw new InputError('checkpoint has no rng state', { ...where, field: 'rngState' });
  loadWeights(targets.model, ck);
  if (targets.optimizer) {
    const state: OptimizerState = { tensors: checkpointTensors(ck, 'optimizer'), meta: ck.optimizerMeta! };
    try {
      targets.optimizer.loadStateDict(state);
    } finally {
      tf.dispose([...state.tensors.values()]);
    }
  }
  if (targets.scheduler) targets.scheduler.loadStateDict(ck.scheduler!);
  if (targets.rng) targets.rng.setState(ck.rngState!);
  // Generators inside the model (dropout masks) continue where they were.
  if (ck.moduleRng) targets.model.setRngStates(ck.moduleRng);
  const { files: _f, optimizerMeta: _o, ...info } = ck;
  return info;
}
