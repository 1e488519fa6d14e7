/**
 * Training checkpoints. A run folder holds one sub-folder per checkpoint and a `latest` pointer:
 *
 *   <runDir>/epoch-0003/model.safetensors       model.stateDict() under PyTorch names
 *                       optimizer.safetensors   moment estimates (`<param>.<slot>`), when an optimiser is given
 *                       config.json             {config, epoch, step, rngState, scaler, bestMetric, extra, optimizer, scheduler}
 *                       complete                marker, written last
 *   <runDir>/latest                             name of the newest complete checkpoint folder
 *
 * A checkpoint is written into a hidden temporary folder and renamed into place only when every
 * file (each fsync'd) and the marker exist, so a run killed at any moment leaves either the old or
 * the new checkpoint, never a half-written one; `latest` is updated (atomically) after the rename.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, mkdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../nn/module.js';
import type { Rng } from '../util/random.js';
import { InputError, UsageError } from '../util/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../node/fs.js';
import { loadSafetensors, saveSafetensors } from '../io/safetensors.js';
import type { Optimizer, OptimizerState } from '../optim/optimizers.js';
import type { Scheduler } from '../optim/schedulers.js';

const FORMAT = 'sheaf-checkpoint';
const VERSION = 1;
const MARKER = 'complete';
const LATEST = 'latest';
let tmpCounter = 0;

export interface SaveCheckpointOptions {
  model: Module;
  optimizer?: Optimizer;
  scheduler?: Scheduler;
  /** The run's configuration (JSON-serialisable); checked on resume. */
  config: unknown;
  /** Epochs completed. */
  epoch: number;
  /** Optimiser steps taken. */
  step: number;
  rng?: Rng;
  /** Fitted data scaler state or anything else needed to use the model (JSON-serialisable). */
  scaler?: unknown;
  /** Best monitored metric so far (null/NaN = none). */
  bestMetric?: number | null;
  extra?: unknown;
  /** Folder name inside the run folder (default `epoch-<epoch, 4 digits>`). */
  name?: string;
  /** Point `latest` at this checkpoint (default true; false for e.g. a `best` copy). */
  setLatest?: boolean;
  /** Keep only the newest `keep` `epoch-*` folders (default: keep all). */
  keep?: number;
}

/** What a checkpoint holds, tensors included (owned by the caller). */
export interface LoadedCheckpoint extends CheckpointInfo {
  model: Map<string, tf.Tensor>;
  optimizer: OptimizerState | null;
}

/** The non-tensor part of a checkpoint. */
export interface CheckpointInfo {
  /** The checkpoint folder that was read. */
  dir: string;
  config: unknown;
  epoch: number;
  step: number;
  rngState: number[] | null;
  /** States of the generators inside the model (e.g. dropout), by module name. */
  moduleRng?: Record<string, number[]> | null;
  scaler: unknown;
  bestMetric: number | null;
  extra: unknown;
  scheduler: Record<string, number> | null;
}

/** config.json: the checkpoint's non-tensor part as written (no folder; plus format and optimizer meta). */
interface ConfigFile extends Omit<CheckpointInfo, 'dir'> {
  format: string;
  version: number;
  optimizer: Record<string, unknown> | null;
}

function checkpointName(epoch: number): string {
  return `epoch-${String(epoch).padStart(4, '0')}`;
}

/**
 * Write a checkpoint into `runDir` (see the module comment) and return its folder. An existing
 * folder of the same name is replaced.
 */
export function saveCheckpoint(runDir: string, opts: SaveCheckpointOptions): string {
  if (!Number.isInteger(opts.epoch) || opts.epoch < 0) throw new UsageError(`saveCheckpoint: epoch must be a non-negative integer, got ${opts.epoch}`);
  if (!Number.isInteger(opts.step) || opts.step < 0) throw new UsageError(`saveCheckpoint: step must be a non-negative integer, got ${opts.step}`);
  const name = opts.name ?? checkpointName(opts.epoch);
  if (!name || name.startsWith('.') || name.includes('/') || name.includes('\\') || name === LATEST) {
    throw new UsageError(`saveCheckpoint: invalid checkpoint name '${name}'`);
  }
  mkdirSync(runDir, { recursive: true });
  const tmp = join(runDir, `.tmp-${name}-${process.pid}-${tmpCounter++}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    saveSafetensors(join(tmp, 'model.safetensors'), opts.model.stateDict(), { format: 'pt' });
    let optimizerMeta: Record<string, unknown> | null = null;
    if (opts.optimizer) {
      const s = opts.optimizer.stateDict();
      try {
        saveSafetensors(join(tmp, 'optimizer.safetensors'), s.tensors);
      } finally {
        tf.dispose([...s.tensors.values()]);
      }
      optimizerMeta = s.meta;
    }
    const best = opts.bestMetric ?? null;
    const file: ConfigFile = {
      format: FORMAT,
      version: VERSION,
      config: opts.config ?? null,
      epoch: opts.epoch,
      step: opts.step,
      rngState: opts.rng ? opts.rng.getState() : null,
      moduleRng: opts.model.rngStates(),
      scaler: opts.scaler ?? null,
      bestMetric: best !== null && Number.isFinite(best) ? best : null,
      extra: opts.extra ?? null,
      optimizer: optimizerMeta,
      scheduler: opts.scheduler ? opts.scheduler.stateDict() : null,
    };
    writeJsonAtomic(join(tmp, 'config.json'), file);
    writeFileAtomic(join(tmp, MARKER), `${new Date().toISOString()}\n`);
    const final = join(runDir, name);
    if (existsSync(final)) {
      // A directory cannot be renamed over a non-empty one: move the old aside first.
      const old = join(runDir, `.old-${name}-${process.pid}-${tmpCounter++}`);
      renameSync(final, old);
      renameSync(tmp, final);
      rmSync(old, { recursive: true, force: true });
    } else {
      renameSync(tmp, final);
    }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  if (opts.setLatest ?? true) writeFileAtomic(join(runDir, LATEST), name + '\n');
  if (opts.keep !== undefined) pruneCheckpoints(runDir, opts.keep, name);
  return join(runDir, name);
}

function epochFolders(runDir: string): Array<{ name: string; n: number }> {
  if (!existsSync(runDir)) return [];
  return readdirSync(runDir)
    .map((name) => ({ name, m: /^epoch-(\d+)$/.exec(name) }))
    .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
    .map(({ name, m }) => ({ name, n: Number(m[1]) }))
    .sort((a, b) => a.n - b.n);
}

function pruneCheckpoints(runDir: string, keep: number, current: string): void {
  if (!Number.isInteger(keep) || keep < 1) throw new UsageError(`saveCheckpoint: keep must be a positive integer, got ${keep}`);
  const all = epochFolders(runDir);
  for (const { name } of all.slice(0, Math.max(0, all.length - keep))) {
    if (name !== current) rmSync(join(runDir, name), { recursive: true, force: true });
  }
}

function isComplete(dir: string): boolean {
  return existsSync(join(dir, MARKER)) && existsSync(join(dir, 'config.json'));
}

/**
 * The newest complete checkpoint folder in `runDir`, or null. Follows `latest`; if that is missing
 * or points at an incomplete folder, falls back to the highest-numbered complete `epoch-*` folder.
 */
export function findLatestCheckpoint(runDir: string): string | null {
  const pointer = join(runDir, LATEST);
  if (existsSync(pointer)) {
    const name = readFileSync(pointer, 'utf8').trim();
    if (name && !name.includes('/') && isComplete(join(runDir, name))) return join(runDir, name);
  }
  const complete = epochFolders(runDir).filter(({ name }) => isComplete(join(runDir, name)));
  return complete.length ? join(runDir, complete[complete.length - 1]!.name) : null;
}

/** A checkpoint folder itself, or the latest checkpoint of a run folder. */
function resolveCheckpoint(dir: string): string {
  if (isComplete(dir)) return dir;
  const latest = existsSync(dir) && statSync(dir).isDirectory() ? findLatestCheckpoint(dir) : null;
  if (!latest) throw new InputError('no complete checkpoint here (expected config.json and a "complete" marker, or a run folder with one)', { file: dir });
  return latest;
}

function readConfig(dir: string): ConfigFile {
  const path = join(dir, 'config.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InputError(`cannot read checkpoint config: ${(e as Error).message}`, { file: path });
  }
  const c = raw as Partial<ConfigFile>;
  if (c?.format !== FORMAT) throw new InputError(`not a Sheaf checkpoint (format is ${JSON.stringify(c?.format)})`, { file: path, field: 'format' });
  if (c.version !== VERSION) throw new InputError(`unsupported checkpoint version ${String(c.version)} (this build reads ${VERSION})`, { file: path, field: 'version' });
  for (const f of ['epoch', 'step'] as const) {
    if (!Number.isInteger(c[f]) || (c[f] as number) < 0) throw new InputError(`must be a non-negative integer, got ${JSON.stringify(c[f])}`, { file: path, field: f });
  }
  const okRng = (st: unknown): boolean =>
    Array.isArray(st) && (st.length === 4 || st.length === 5) && st.slice(0, 4).every((v) => Number.isInteger(v)) && (st.length === 4 || Number.isFinite(st[4]));
  if (c.rngState != null && !okRng(c.rngState)) {
    throw new InputError('must be null or 4 integers (and an optional cached normal value)', { file: path, field: 'rngState' });
  }
  if (c.moduleRng != null && !(typeof c.moduleRng === 'object' && Object.values(c.moduleRng).every(okRng))) {
    throw new InputError('must map module names to rng states', { file: path, field: 'moduleRng' });
  }
  return c as ConfigFile;
}

/**
 * Read a checkpoint (a checkpoint folder, or a run folder → its latest). The caller owns the
 * returned tensors.
 */
export function loadCheckpoint(dir: string): LoadedCheckpoint {
  const ckpt = resolveCheckpoint(resolve(dir));
  const c = readConfig(ckpt);
  const model = loadSafetensors(join(ckpt, 'model.safetensors'));
  let optimizer: OptimizerState | null = null;
  if (c.optimizer) {
    const path = join(ckpt, 'optimizer.safetensors');
    if (!existsSync(path)) {
      tf.dispose([...model.values()]);
      throw new InputError('config.json records an optimizer but optimizer.safetensors is missing', { file: path });
    }
    optimizer = { tensors: loadSafetensors(path), meta: c.optimizer };
  }
  return {
    dir: ckpt,
    config: c.config,
    epoch: c.epoch,
    step: c.step,
    rngState: c.rngState ?? null,
    moduleRng: c.moduleRng ?? null,
    scaler: c.scaler ?? null,
    bestMetric: c.bestMetric ?? null,
    extra: c.extra ?? null,
    scheduler: c.scheduler ?? null,
    model,
    optimizer,
  };
}

/**
 * Load a checkpoint into live objects: model weights (strict names and shapes), optimiser state,
 * scheduler position and rng state, for whichever of these are given. Asking for a part the
 * checkpoint does not have is an error. Returns the rest (epoch, step, config, …).
 */
export function restoreCheckpoint(
  dir: string,
  targets: { model: Module; optimizer?: Optimizer; scheduler?: Scheduler; rng?: Rng },
): CheckpointInfo {
  const loaded = loadCheckpoint(dir);
  const { model, optimizer, ...info } = loaded;
  try {
    const where = { file: join(loaded.dir, 'config.json') };
    if (targets.optimizer && !optimizer) throw new InputError('checkpoint has no optimizer state', { ...where, field: 'optimizer' });
    if (targets.scheduler && !info.scheduler) throw new InputError('checkpoint has no scheduler state', { ...where, field: 'scheduler' });
    if (targets.rng && !info.rngState) throw new InputError('checkpoint has no rng state', { ...where, field: 'rngState' });
    targets.model.loadStateDict(model);
    if (targets.optimizer) targets.optimizer.loadStateDict(optimizer!);
    if (targets.scheduler) targets.scheduler.loadStateDict(info.scheduler!);
    if (targets.rng) targets.rng.setState(info.rngState!);
    // Generators inside the model (dropout masks) continue where they were.
    if (info.moduleRng) targets.model.setRngStates(info.moduleRng);
  } finally {
    tf.dispose([...model.values()]);
    if (optimizer) tf.dispose([...optimizer.tensors.values()]);
  }
  return info;
}

