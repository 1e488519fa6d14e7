/**
 * The training loop shared by every system: epochs of batches, validation, best-model selection,
 * early stopping, lr scheduling, checkpoints with resume, progress output and Ctrl-C handling.
 * The model-specific work stays in the caller's `step` (usually a `trainStep` call) and
 * `validate` functions.
 */
import * as tf from '@tensorflow/tfjs-core';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import type { Module } from '../nn/module.js';
import type { Rng } from '../util/random.js';
import { SheafError, UsageError } from '../util/errors.js';
import type { Optimizer } from '../optim/optimizers.js';
import type { Scheduler } from '../optim/schedulers.js';
import { findLatestCheckpoint, loadCheckpoint, restoreCheckpoint, saveCheckpoint } from './checkpoint.js';

/** Passed to `onEpochEnd`. */
export interface EpochEnd {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean of the batch losses of this epoch. */
  trainLoss: number;
  /** What `validate` returned ({} without it). */
  metrics: Record<string, number>;
  /** Wall time of the epoch, validation included. */
  seconds: number;
  /** This epoch set a new best monitored value. */
  isBest: boolean;
}

/** Passed to `onBatchEnd`. */
export interface BatchEnd {
  epoch: number;
  /** 0-based batch index within the epoch. */
  batch: number;
  loss: number;
  /** Optimiser steps so far in the whole run. */
  step: number;
}

export interface HistoryEntry {
  epoch: number;
  trainLoss: number;
  metrics: Record<string, number>;
}

export interface FitOptions<B> {
  /** Last epoch to train (epochs are numbered 1..epochs; a resumed run continues to this one). */
  epochs: number;
  /** The batches of an epoch (shuffle with an Rng so resume repeats them). */
  batches: (epoch: number) => Iterable<B>;
  /** Train on one batch, return its loss (typically `trainStep(...)`). */
  step: (batch: B) => number | Promise<number>;
  /** Metrics on the validation split, run in eval mode after each epoch. */
  validate?: (epoch: number) => Record<string, number> | Promise<Record<string, number>>;
  /**
   * Best-model selection on a metric returned by `validate` (or `'trainLoss'`). The best state dict
   * is kept in memory (and written to `<checkpoint.dir>/best` when checkpointing).
   */
  monitor?: { metric: string; mode: 'min' | 'max' };
  /** Stop after `patience` epochs without improvement of the monitored metric (by more than minDelta). */
  earlyStopping?: { patience: number; minDelta?: number };
  scheduler?: Scheduler;
  /** When the scheduler steps: after each epoch (default) or after each batch. */
  schedulerStep?: 'epoch' | 'batch';
  /**
   * Checkpoint to `dir` every `every` epochs (default 1) and at the end. If `dir` already holds a
   * checkpoint, training resumes from it: weights, optimiser and scheduler state, rng, history,
   * best metric and early-stopping counter. `config` must equal the stored one.
   */
  checkpoint?: { dir: string; every?: number; model?: Module; optimizer?: Optimizer; config: unknown; rng?: Rng; keep?: number; scaler?: unknown };
  callbacks?: { onEpochEnd?(e: EpochEnd): void; onBatchEnd?(b: BatchEnd): void };
  /**
   * Progress on stderr: a live bar on a TTY, one plain line per epoch otherwise. `true` and
   * `'auto'` both mean that; default false (silent).
   */
  progress?: boolean | 'auto';
  /**
   * Abort (e.g. on SIGINT): training stops after the current batch. The interrupted epoch is
   * dropped (its partial updates stay in the model but no checkpoint records them); completed
   * epochs are already checkpointed with `every` = 1. The loop yields to the event loop after
   * every batch so a signal handler can run.
   */
  signal?: AbortSignal;
  /** The model being trained: switched to train/eval mode, and given back the best weights. */
  model: Module;
  /** Load the best weights into `model` at the end (default true; needs `monitor`). */
  restoreBest?: boolean;
}

export interface FitResult {
  history: HistoryEntry[];
  /** Epoch of the best monitored value (0 if none; the last epoch without `monitor`). */
  bestEpoch: number;
  /** Best monitored value (NaN without `monitor` or before any epoch). */
  bestMetric: number;
  stoppedEarly: boolean;
  interrupted: boolean;
}

/** Fit state stored in `extra.fit` of each checkpoint so a resume continues exactly. */
interface FitState {
  history: HistoryEntry[];
  bestEpoch: number;
  bestMetric: number | null;
  badEpochs: number;
  stoppedEarly: boolean;
}

/** JSON with sorted keys, for comparing configs. */
function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? x.toExponential(3) : x.toPrecision(5);
}

function yieldToEventLoop(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** Clone a state dict (kept outside any tidy). */
function cloneState(model: Module): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [k, v] of model.stateDict()) out.set(k, tf.clone(v));
  return out;
}

/**
 * Train. Epochs run from 1 (or the resumed checkpoint's epoch + 1) to `epochs`. A non-finite
 * batch loss stops training with a SheafError naming the epoch and batch.
 */
export async function fit<B>(opts: FitOptions<B>): Promise<FitResult> {
  const { model, monitor, earlyStopping, scheduler, checkpoint: ck } = opts;
  if (!Number.isInteger(opts.epochs) || opts.epochs < 0) throw new UsageError(`fit: epochs must be a non-negative integer, got ${opts.epochs}`);
  if (earlyStopping && !monitor) throw new UsageError('fit: earlyStopping needs a monitor metric');
  if (earlyStopping && !(Number.isInteger(earlyStopping.patience) && earlyStopping.patience >= 1)) {
    throw new UsageError(`fit: earlyStopping.patience must be a positive integer, got ${earlyStopping.patience}`);
  }
  if (monitor && monitor.mode !== 'min' && monitor.mode !== 'max') throw new UsageError(`fit: monitor.mode must be 'min' or 'max', got '${String(monitor.mode)}'`);
  if (monitor && monitor.metric !== 'trainLoss' && !opts.validate) throw new UsageError(`fit: monitor metric '${monitor.metric}' needs a validate function`);
  const every = ck?.every ?? 1;
  if (!Number.isInteger(every) || every < 1) throw new UsageError(`fit: checkpoint.every must be a positive integer, got ${every}`);
  const schedulerStep = opts.schedulerStep ?? 'epoch';
  const minDelta = earlyStopping?.minDelta ?? 0;
  const ckModel = ck?.model ?? model;
  const restoreBest = opts.restoreBest ?? true;
  const show = opts.progress === true || opts.progress === 'auto';
  const tty = show && process.stderr.isTTY === true;

  let state: FitState = { history: [], bestEpoch: 0, bestMetric: null, badEpochs: 0, stoppedEarly: false };
  let globalStep = 0;
  let startEpoch = 1;
  let bestState: Map<string, tf.Tensor> | null = null;
  let interrupted = false;

  if (ck) {
    const latest = findLatestCheckpoint(ck.dir);
    if (latest) {
      const info = restoreCheckpoint(latest, { model: ckModel, optimizer: ck.optimizer, scheduler, rng: ck.rng });
      if (canonical(info.config) !== canonical(ck.config ?? null)) {
        throw new UsageError(`fit: the checkpoint in ${ck.dir} was written with a different config; use a new checkpoint folder to start over`);
      }
      const saved = (info.extra as { fit?: FitState } | null)?.fit;
      if (saved) state = saved;
      globalStep = info.step;
      startEpoch = info.epoch + 1;
      const bestDir = join(ck.dir, 'best');
      if (monitor && state.bestEpoch > 0 && existsSync(join(bestDir, 'complete'))) bestState = loadCheckpoint(bestDir).model;
      if (show) process.stderr.write(`resuming from ${latest} (epoch ${info.epoch})\n`);
    }
  }

  const improved = (v: number): boolean => {
    if (!Number.isFinite(v)) return false;
    if (state.bestMetric === null) return true;
    return monitor!.mode === 'min' ? v < state.bestMetric - minDelta : v > state.bestMetric + minDelta;
  };

  const save = (epoch: number): void => {
    if (!ck) return;
    saveCheckpoint(ck.dir, {
      model: ckModel,
      optimizer: ck.optimizer,
      scheduler,
      config: ck.config,
      epoch,
      step: globalStep,
      rng: ck.rng,
      scaler: ck.scaler,
      bestMetric: state.bestMetric,
      extra: { fit: state },
      keep: ck.keep,
    });
  };

  try {
    for (let epoch = startEpoch; epoch <= opts.epochs && !state.stoppedEarly; epoch++) {
      const t0 = performance.now();
      model.train();
      const batches = opts.batches(epoch);
      const total = Array.isArray(batches) ? batches.length : undefined;
      let sum = 0;
      let count = 0;
      for (const batch of batches) {
        const loss = await opts.step(batch);
        if (!Number.isFinite(loss)) throw new SheafError(`training loss is ${loss} at epoch ${epoch}, batch ${count + 1}; lower the learning rate or check the data`);
        sum += loss;
        count++;
        globalStep++;
        if (scheduler && schedulerStep === 'batch') scheduler.step();
        opts.callbacks?.onBatchEnd?.({ epoch, batch: count - 1, loss, step: globalStep });
        if (tty) drawBar(epoch, opts.epochs, count, total, sum / count);
        await yieldToEventLoop();
        if (opts.signal?.aborted) {
          interrupted = true;
          break;
        }
      }
      if (interrupted) break;
      const trainLoss = count > 0 ? sum / count : NaN;
      let metrics: Record<string, number> = {};
      if (opts.validate) {
        model.eval();
        metrics = { ...(await opts.validate(epoch)) };
        model.train();
      }
      let isBest = false;
      if (monitor) {
        const v = monitor.metric === 'trainLoss' ? trainLoss : metrics[monitor.metric];
        if (typeof v !== 'number') throw new UsageError(`fit: monitor metric '${monitor.metric}' is not among the validation metrics [${Object.keys(metrics).join(', ')}]`);
        isBest = improved(v);
        if (isBest) {
          state.bestMetric = v;
          state.bestEpoch = epoch;
          state.badEpochs = 0;
          if (bestState) tf.dispose([...bestState.values()]);
          bestState = cloneState(model);
          if (ck) saveCheckpoint(ck.dir, { model: ckModel, config: ck.config, epoch, step: globalStep, bestMetric: v, scaler: ck.scaler, name: 'best', setLatest: false });
        } else {
          state.badEpochs++;
        }
      } else {
        state.bestEpoch = epoch;
      }
      if (scheduler && schedulerStep === 'epoch') scheduler.step();
      state.history.push({ epoch, trainLoss, metrics });
      if (earlyStopping && state.badEpochs >= earlyStopping.patience) state.stoppedEarly = true;
      const aborted = opts.signal?.aborted === true;
      if (epoch % every === 0 || epoch === opts.epochs || state.stoppedEarly || aborted) save(epoch);
      const seconds = (performance.now() - t0) / 1000;
      opts.callbacks?.onEpochEnd?.({ epoch, trainLoss, metrics, seconds, isBest });
      if (show) {
        const parts = [`epoch ${epoch}/${opts.epochs}`, `loss ${fmt(trainLoss)}`, ...Object.entries(metrics).map(([k, v]) => `${k} ${fmt(v)}`)];
        if (scheduler) parts.push(`lr ${fmt(scheduler.lastLr)}`);
        parts.push(`${seconds.toFixed(1)}s`);
        if (isBest) parts.push('*');
        if (state.stoppedEarly) parts.push(`(early stop: no improvement in ${state.badEpochs} epochs)`);
        process.stderr.write((tty ? '\r\x1b[2K' : '') + parts.join('  ') + '\n');
      }
      if (aborted) {
        interrupted = true;
        break;
      }
    }
    if (interrupted && show) process.stderr.write((tty ? '\r\x1b[2K' : '') + 'interrupted; stopped after the current batch\n');
    if (restoreBest && bestState) model.loadStateDict(bestState);
  } finally {
    if (bestState) tf.dispose([...bestState.values()]);
  }
  return {
    history: state.history,
    bestEpoch: state.bestEpoch,
    bestMetric: state.bestMetric ?? NaN,
    stoppedEarly: state.stoppedEarly,
    interrupted,
  };
}

function drawBar(epoch: number, epochs: number, done: number, total: number | undefined, loss: number): void {
  const width = 24;
  let bar = `${done}`;
  if (total) {
    const filled = Math.round((width * done) / total);
    bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}`;
  }
  process.stderr.write(`\r\x1b[2Kepoch ${epoch}/${epochs} ${bar}  loss ${fmt(loss)}`);
}
