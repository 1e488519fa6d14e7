/**
 * The training loop — the only one: every system trains through `fit`. Epochs (numbered from 1)
 * of batches, a step that may return several loss parts, validation every k epochs, best-model
 * selection (or keep the last), early stopping, lr scheduling, progress, Ctrl-C, and resumable
 * checkpoints that hold everything needed to continue exactly: weights, optimiser and scheduler
 * state, the loop's generator, the system's own generators and sampler state (`state`), the
 * history, and the best weights so far. A resume with a different configuration is refused.
 *
 * What is model-specific stays in the caller's `batches`, `step` and `validate`.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../nn/module.js';
import type { Rng } from '../util/random.js';
import { SheafError, UsageError } from '../util/errors.js';
import type { Optimizer } from '../optim/optimizers.js';
import type { Scheduler } from '../optim/schedulers.js';
import type { Storage } from '../io/storage.js';
import { joinPath } from '../io/path.js';
import { checkpointTensors, findLatestCheckpoint, isCheckpoint, loadCheckpoint, restoreCheckpoint, saveCheckpoint } from './checkpoint.js';

/** What a step returns: the loss, or named loss parts (`loss` is the total when present). */
export type StepValue = number | Readonly<Record<string, number>>;

/** One epoch of training, as the history records it. */
export interface EpochRecord<V = Record<string, number>> {
  /** 1-based epoch number. */
  epoch: number;
  /** The epoch's loss parts, reduced over its batches (mean unless `reduce` says otherwise); always has `loss`. */
  train: Record<string, number>;
  /** What `validate` returned, on epochs that validated; else null. */
  valid: V | null;
  /** Learning rate during the epoch (null without an optimiser). */
  lr: number | null;
  /** Batches in the epoch. */
  steps: number;
  /** Seconds of the training batches alone. */
  trainSeconds: number;
  /** Seconds of the epoch, validation included. */
  seconds: number;
  /** This epoch set a new best monitored value. */
  best: boolean;
}

/** Where progress goes (the CLI draws a bar on a terminal; a page may draw a chart). */
export interface ProgressSink {
  batch?(p: { epoch: number; epochs: number; batch: number; batches: number | undefined; loss: number }): void;
  epoch?(r: EpochRecord<unknown>, epochs: number): void;
}

/** State a system keeps outside the model (generators, sampler state), saved with each checkpoint. */
export interface FitState {
  save(): unknown;
  load(state: unknown): void;
}

export interface FitOptions<B, V> {
  /** The model being trained: switched to train/eval mode, checkpointed, given back the kept weights. */
  model: Module;
  /** The optimiser (its state is checkpointed; its lr is recorded per epoch). */
  optimizer?: Optimizer;
  scheduler?: Scheduler;
  /** When the scheduler steps: after each epoch (default) or after each batch. */
  schedulerStep?: 'epoch' | 'batch';
  /** Last epoch to train (a resumed run continues to this one). 0 trains nothing. */
  epochs: number;
  /** The batches of an epoch (shuffle with an Rng that `rng` or `state` checkpoints). */
  batches: (epoch: number) => Iterable<B>;
  /** Train on one batch; return its loss or its loss parts. */
  step: (batch: B, epoch: number) => StepValue | Promise<StepValue>;
  /** Reduce each part's batch values to the epoch's (default: the mean of each part). */
  reduce?: (parts: Readonly<Record<string, number[]>>) => Record<string, number>;
  /** Validation in eval mode after the epochs that `validateEvery` selects. Must be JSON-serialisable. */
  validate?: (epoch: number) => V | Promise<V>;
  /** Validate every k epochs (default 1). */
  validateEvery?: number;
  /**
   * Best-epoch selection: the value to compare (undefined on epochs where it is not known, e.g.
   * without validation) and its direction. With `restore: 'best'` (the default when monitoring)
   * the best weights are given back at the end.
   */
  monitor?: { value: (r: EpochRecord<V>) => number | undefined; mode: 'min' | 'max' };
  /** 'best-if-stopped': the best weights only when early stopping fired, else the last (TGSL's official loop). */
  restore?: 'best' | 'last' | 'best-if-stopped';
  /**
   * Stop after `patience` monitored epochs without improvement by more than `minDelta` (with
   * `relative`, by more than `minDelta · |best|`, as TGAT's EarlyStopMonitor).
   */
  earlyStopping?: { patience: number; minDelta?: number; relative?: boolean };
  /** Called before an epoch's batches (e.g. to draw the epoch's neighbour sample). */
  epochStart?: (epoch: number) => void | Promise<void>;
  /** Called after an epoch is recorded (curves, logs, freeing the epoch's tensors). */
  epochEnd?: (r: EpochRecord<V>) => void | Promise<void>;
  /** The loop's generator, checkpointed and restored. */
  rng?: Rng;
  /** Further state saved with every checkpoint and restored on resume. */
  state?: FitState;
  /** State captured when an epoch becomes the best (e.g. its sampler state); returned in the result. */
  bestState?: () => unknown;
  /**
   * Checkpoint to `dir` after every `every` epochs (default 1) and at the end; a `dir` that holds a
   * checkpoint resumes. `config` must equal the stored one.
   */
  checkpoint?: { storage: Storage; dir: string; config: unknown; every?: number; system?: string };
  progress?: ProgressSink;
  /** Stop after the current batch; the interrupted epoch is dropped (completed ones are checkpointed). */
  signal?: AbortSignal;
}

export interface FitResult<V> {
  history: EpochRecord<V>[];
  /** Epoch whose weights the model holds at the end (0 if none). */
  keptEpoch: number;
  /** Epoch of the best monitored value (0 if none). */
  bestEpoch: number;
  /** Best monitored value (NaN without one). */
  bestMetric: number;
  /** What `bestState` returned at the best epoch (null without). */
  bestState: unknown;
  stoppedEarly: boolean;
  interrupted: boolean;
  /** Optimiser steps in the whole run. */
  steps: number;
  /** The epoch a resume started from (0 for a fresh run). */
  resumedFrom: number;
}

/** What `extra.fit` holds in each checkpoint. */
interface SavedFit<V> {
  history: EpochRecord<V>[];
  bestEpoch: number;
  bestMetric: number | null;
  bestState: unknown;
  badEpochs: number;
  stoppedEarly: boolean;
  state: unknown;
}

/** JSON with sorted keys, for comparing configurations. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : x,
  );
}

/** The first dotted key whose value differs between two JSON values (for messages). */
export function firstDifference(a: unknown, b: unknown, prefix = ''): string | null {
  if (canonicalJson(a) === canonicalJson(b)) return null;
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k);
      if (d) return d;
    }
  }
  return prefix || '(the whole configuration)';
}

/** Let the event loop run (a Ctrl-C handler, a page's UI) between batches. */
export function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (f: () => void) => void }).setImmediate;
  return new Promise((r) => (immediate ? immediate(r) : setTimeout(r, 0)));
}

function meanParts(parts: Readonly<Record<string, number[]>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(parts)) out[k] = v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
  return out;
}

function cloneState(model: Module): Map<string, tf.Tensor> {
  return new Map([...model.stateDict()].map(([k, v]) => [k, tf.clone(v)]));
}

/**
 * Train (see the module comment). A non-finite loss part stops training with a SheafError naming
 * the epoch and batch.
 */
export async function fit<B, V = Record<string, number>>(opts: FitOptions<B, V>): Promise<FitResult<V>> {
  const { model, optimizer, scheduler, monitor, earlyStopping, checkpoint: ck } = opts;
  if (!Number.isInteger(opts.epochs) || opts.epochs < 0) throw new UsageError(`fit: epochs must be a non-negative integer, got ${opts.epochs}`);
  const validateEvery = opts.validateEvery ?? 1;
  if (!Number.isInteger(validateEvery) || validateEvery < 1) throw new UsageError(`fit: validateEvery must be a positive integer, got ${validateEvery}`);
  if (earlyStopping && !monitor) throw new UsageError('fit: earlyStopping needs a monitor');
  if (earlyStopping && !(Number.isInteger(earlyStopping.patience) && earlyStopping.patience >= 1)) {
    throw new UsageError(`fit: earlyStopping.patience must be a positive integer, got ${earlyStopping.patience}`);
  }
  if (monitor && monitor.mode !== 'min' && monitor.mode !== 'max') throw new UsageError(`fit: monitor.mode must be 'min' or 'max', got '${String(monitor.mode)}'`);
  const every = ck?.every ?? 1;
  if (!Number.isInteger(every) || every < 1) throw new UsageError(`fit: checkpoint.every must be a positive integer, got ${every}`);
  const restore = opts.restore ?? (monitor ? 'best' : 'last');
  if (restore !== 'last' && !monitor) throw new UsageError(`fit: restore '${restore}' needs a monitor`);
  const minDelta = earlyStopping?.minDelta ?? 0;
  const reduce = opts.reduce ?? meanParts;

  let saved: SavedFit<V> = { history: [], bestEpoch: 0, bestMetric: null, bestState: null, badEpochs: 0, stoppedEarly: false, state: null };
  let steps = 0;
  let startEpoch = 1;
  let best: Map<string, tf.Tensor> | null = null;
  let interrupted = false;
  const bestDir = ck ? joinPath(ck.dir, 'best') : '';

  if (ck) {
    const latest = await findLatestCheckpoint(ck.storage, ck.dir);
    if (latest) {
      const info = await restoreCheckpoint(ck.storage, latest, { model, optimizer, scheduler, rng: opts.rng });
      const diff = firstDifference(info.config, ck.config ?? null);
      if (diff) {
        throw new UsageError(`the checkpoint in ${ck.dir} was written with a different configuration (${diff} differs); resume with the run's own options, or start a new run`);
      }
      const s = (info.extra as { fit?: SavedFit<V> } | null)?.fit;
      if (s) saved = s;
      if (s && opts.state) opts.state.load(s.state);
      steps = info.step;
      startEpoch = info.epoch + 1;
      if (monitor && saved.bestEpoch > 0 && (await isCheckpoint(ck.storage, bestDir))) best = checkpointTensors(await loadCheckpoint(ck.storage, bestDir));
    }
  }
  const resumedFrom = startEpoch - 1;

  const improved = (v: number): boolean => {
    if (!Number.isFinite(v)) return false;
    if (saved.bestMetric === null) return true;
    const delta = earlyStopping?.relative ? minDelta * Math.abs(saved.bestMetric) : minDelta;
    return monitor!.mode === 'min' ? v < saved.bestMetric - delta : v > saved.bestMetric + delta;
  };
  const saveProgress = async (epoch: number): Promise<void> => {
    if (!ck) return;
    if (opts.state) saved.state = opts.state.save();
    await saveCheckpoint(ck.storage, ck.dir, {
      system: ck.system,
      model,
      optimizer,
      scheduler,
      rng: opts.rng,
      config: ck.config,
      epoch,
      step: steps,
      bestMetric: saved.bestMetric,
      extra: { fit: saved },
      keep: 1,
    });
  };

  try {
    for (let epoch = startEpoch; epoch <= opts.epochs && !saved.stoppedEarly; epoch++) {
      const t0 = performance.now();
      await opts.epochStart?.(epoch);
      model.train();
      const lr = optimizer ? optimizer.lr : null;
      const batches = opts.batches(epoch);
      const total = Array.isArray(batches) ? batches.length : (batches as { length?: number }).length;
      const parts: Record<string, number[]> = {};
      let count = 0;
      for (const batch of batches) {
        const v = await opts.step(batch, epoch);
        const named: Readonly<Record<string, number>> = typeof v === 'number' ? { loss: v } : v;
        for (const [k, x] of Object.entries(named)) {
          if (!Number.isFinite(x)) {
            throw new SheafError(`training diverged: ${k === 'loss' ? 'the loss' : `loss part '${k}'`} is ${x} at epoch ${epoch}, batch ${count + 1}; lower the learning rate or check the data`);
          }
          (parts[k] ??= []).push(x);
        }
        count++;
        steps++;
        if (scheduler && opts.schedulerStep === 'batch') scheduler.step();
        opts.progress?.batch?.({ epoch, epochs: opts.epochs, batch: count, batches: total, loss: named['loss'] ?? Object.values(named)[0] ?? NaN });
        await yieldToEventLoop();
        if (opts.signal?.aborted) {
          interrupted = true;
          break;
        }
      }
      if (interrupted) break;
      const trainSeconds = (performance.now() - t0) / 1000;
      const train = reduce(parts);
      if (train['loss'] === undefined) {
        const sum = Object.values(train).reduce((a, b) => a + b, 0);
        train['loss'] = count > 0 ? sum : NaN;
      }
      let valid: V | null = null;
      if (opts.validate && epoch % validateEvery === 0) {
        model.eval();
        valid = await opts.validate(epoch);
        model.train();
      }
      const rec: EpochRecord<V> = { epoch, train, valid, lr, steps: count, trainSeconds, seconds: 0, best: false };
      if (monitor) {
        const v = monitor.value(rec);
        if (v !== undefined) {
          if (improved(v)) {
            rec.best = true;
            saved.bestMetric = v;
            saved.bestEpoch = epoch;
            saved.badEpochs = 0;
            saved.bestState = opts.bestState ? opts.bestState() : null;
            if (restore !== 'last') {
              if (best) tf.dispose([...best.values()]);
              best = cloneState(model);
              if (ck) await saveCheckpoint(ck.storage, ck.dir, { system: ck.system, model, config: ck.config, epoch, step: steps, bestMetric: v, name: 'best', setLatest: false });
            }
          } else saved.badEpochs++;
        }
      }
      if (scheduler && (opts.schedulerStep ?? 'epoch') === 'epoch') scheduler.step();
      if (earlyStopping && saved.badEpochs >= earlyStopping.patience) saved.stoppedEarly = true;
      rec.seconds = (performance.now() - t0) / 1000;
      saved.history.push(rec);
      const aborted = opts.signal?.aborted === true;
      if (epoch % every === 0 || epoch === opts.epochs || saved.stoppedEarly || aborted) await saveProgress(epoch);
      await opts.epochEnd?.(rec);
      opts.progress?.epoch?.(rec as EpochRecord<unknown>, opts.epochs);
      if (aborted) {
        interrupted = true;
        break;
      }
    }
    const useBest = restore === 'best' || (restore === 'best-if-stopped' && saved.stoppedEarly);
    if (useBest && best) model.loadStateDict(best);
  } finally {
    if (best) tf.dispose([...best.values()]);
  }
  const last = saved.history.length ? saved.history[saved.history.length - 1]!.epoch : 0;
  return {
    history: saved.history,
    keptEpoch: (restore === 'best' || (restore === 'best-if-stopped' && saved.stoppedEarly)) && saved.bestEpoch > 0 ? saved.bestEpoch : last,
    bestEpoch: saved.bestEpoch,
    bestMetric: saved.bestMetric ?? NaN,
    bestState: saved.bestState,
    stoppedEarly: saved.stoppedEarly,
    interrupted,
    steps,
    resumedFrom,
  };
}
