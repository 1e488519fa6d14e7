/**
 * StemGNN's training protocol (official `models/handler.py` `train`/`test`): MSE on normalised
 * values over all horizons and nodes, RMSprop (or Adam), lr × decayRate every `decayEvery`
 * epochs, shuffled batches of 32 (last one shorter), validation each epoch on raw-scale MAE, and
 * the best-validation model used for the test split.
 */
import * as tf from '@tensorflow/tfjs-core';
import { gatherWindows, windowBatches } from '../../data/index.js';
import { Adam, RMSprop, type Optimizer } from '../../optim/optimizers.js';
import { ExponentialLR } from '../../optim/schedulers.js';
import { trainStep } from '../../train/step.js';
import { findLatestCheckpoint, restoreCheckpoint, saveCheckpoint } from '../../train/checkpoint.js';
import { loadSafetensors, saveSafetensors } from '../../io/safetensors.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../util/random.js';
import { InputError } from '../../util/errors.js';
import { resolveTrainConfig, type StemGNNModelConfig, type StemGNNTrainConfig } from './config.js';
import { StemGNN } from './model.js';
import { evaluateSplit, type SplitEvaluation } from './evaluate.js';
import type { PreparedSeries } from './data.js';

/** One epoch's record. */
export interface EpochRecord {
  epoch: number;
  /** lr used during this epoch. */
  lr: number;
  /** Mean training MSE over the epoch's batches (normalised scale). */
  trainLoss: number;
  /** Validation scores (raw scale) when validated this epoch. */
  valid?: SplitEvaluation;
  /** Whether this epoch's weights became the best so far. */
  best: boolean;
  seconds: number;
}

/** Options of {@link trainStemGNN}. */
export interface TrainStemGNNOptions {
  /** Architecture except `nodes` (taken from the data). */
  model?: Partial<Omit<StemGNNModelConfig, 'nodes'>>;
  train?: Partial<StemGNNTrainConfig>;
  /** Seed for initialisation, dropout and shuffling. */
  seed?: number;
  /** Period of the seasonal-naive baseline (default 7). */
  seasonPeriod?: number;
  /** Stop after the current batch (the best model so far is kept). */
  signal?: AbortSignal;
  log?: (line: string) => void;
  onEpoch?: (rec: EpochRecord) => void;
  /**
   * Folder for resumable progress: after every epoch the model, optimiser, lr schedule, rng and
   * best weights so far are checkpointed there, so a killed run can continue.
   */
  progressDir?: string;
  /** Continue from the checkpoint in `progressDir` (if there is one). */
  resume?: boolean;
}

/** What training returns; `model` holds the best-validation weights. */
export interface TrainStemGNNResult {
  model: StemGNN;
  train: StemGNNTrainConfig;
  history: EpochRecord[];
  /** Epoch whose weights were kept (−1 if none finished). */
  bestEpoch: number;
  /** Scores of the kept model on the validation and test splits. */
  valid: SplitEvaluation;
  test: SplitEvaluation;
  /** Whether the run was stopped early by the signal. */
  interrupted: boolean;
}

function makeOptimizer(model: StemGNN, cfg: StemGNNTrainConfig): Optimizer {
  const params = model.namedTrainable();
  return cfg.optimizer === 'adam' ? new Adam(params, { lr: cfg.lr, betas: [0.9, 0.999] }) : new RMSprop(params, { lr: cfg.lr, eps: 1e-8, alpha: 0.99 });
}

/** One epoch of shuffled mini-batch training; returns the mean batch loss. */
export async function trainEpoch(
  model: StemGNN,
  data: PreparedSeries,
  optimizer: Optimizer,
  rng: Rng,
  batchSize: number,
  signal?: AbortSignal,
): Promise<number> {
  const { nodes: N, window: W, horizon: H } = model.config;
  model.train();
  let total = 0;
  let count = 0;
  for (const idx of windowBatches(data.starts.train, batchSize, { shuffle: true, rng })) {
    if (signal?.aborted) break;
    const x = tf.tensor3d(gatherWindows(data.scaled, N, idx, W), [idx.length, W, N]);
    const y = tf.tensor3d(gatherWindows(data.scaled, N, idx, H, W), [idx.length, H, N]);
    try {
      const loss = trainStep({ optimizer, loss: () => tf.losses.meanSquaredError(y, model.forward(x).forecast) as tf.Scalar });
      if (!Number.isFinite(loss)) throw new InputError(`training diverged: the loss became ${loss} in batch ${count + 1}; try a smaller --lr`);
      total += loss;
      count++;
    } finally {
      tf.dispose([x, y]);
    }
    // Give the event loop a turn so Ctrl-C (the abort signal) is seen between batches.
    await new Promise((r) => setImmediate(r));
  }
  return count > 0 ? total / count : NaN;
}

/**
 * Train StemGNN on a prepared series with the official protocol and return the best-validation
 * model with its validation and test scores (beside the baselines).
 */
export async function trainStemGNN(data: PreparedSeries, opts: TrainStemGNNOptions = {}): Promise<TrainStemGNNResult> {
  const cfg = resolveTrainConfig(opts.train);
  const seed = opts.seed ?? 0;
  const log = opts.log ?? (() => {});
  const model = new StemGNN({ ...opts.model, nodes: data.table.cols, window: data.window, horizon: data.horizon }, seed);
  const rng = new Rng(seed).fork();
  const optimizer = makeOptimizer(model, cfg);
  const scheduler = new ExponentialLR(optimizer, { gamma: cfg.decayRate });
  const evalOpts = { batchSize: cfg.batchSize, seasonPeriod: opts.seasonPeriod ?? 7, signal: opts.signal };
  log(`StemGNN: ${model.numParameters()} parameters; ${data.starts.train.length} train / ${data.starts.valid.length} valid / ${data.starts.test.length} test windows`);

  const history: EpochRecord[] = [];
  let best: Map<string, tf.Tensor> | null = null;
  let bestMae = Infinity;
  let bestEpoch = -1;
  let lastValid: SplitEvaluation | undefined;
  let firstEpoch = 0;
  const bestFile = opts.progressDir ? join(opts.progressDir, 'best.safetensors') : null;
  if (opts.resume && opts.progressDir) {
    const latest = findLatestCheckpoint(opts.progressDir);
    if (latest) {
      const info = restoreCheckpoint(latest, { model, optimizer, scheduler, rng });
      const extra = info.extra as { bestMae: number | null; bestEpoch: number; history: Array<Omit<EpochRecord, 'valid'>> };
      firstEpoch = info.epoch + 1;
      bestMae = extra.bestMae ?? Infinity;
      bestEpoch = extra.bestEpoch;
      history.push(...extra.history);
      if (bestFile && existsSync(bestFile)) best = loadSafetensors(bestFile);
      log(`resumed from ${latest}: continuing at epoch ${firstEpoch} (best so far: epoch ${bestEpoch})`);
    } else log(`no checkpoint in ${opts.progressDir}: starting from epoch 0`);
  }
  try {
    for (let epoch = firstEpoch; epoch < cfg.epochs; epoch++) {
      if (opts.signal?.aborted) break;
      const started = performance.now();
      const lr = optimizer.lr;
      const trainLoss = await trainEpoch(model, data, optimizer, rng, cfg.batchSize, opts.signal);
      if (opts.signal?.aborted) break;
      if ((epoch + 1) % cfg.decayEvery === 0) scheduler.step();
      const rec: EpochRecord = { epoch, lr, trainLoss, best: false, seconds: 0 };
      if ((epoch + 1) % cfg.validateEvery === 0) {
        rec.valid = lastValid = await evaluateSplit(model, data, 'valid', evalOpts);
        // The official code keeps the model with the lowest raw-scale validation MAE.
        if (rec.valid.model.mae < bestMae) {
          bestMae = rec.valid.model.mae;
          bestEpoch = epoch;
          rec.best = true;
          if (best) tf.dispose([...best.values()]);
          best = new Map([...model.stateDict()].map(([k, v]) => [k, tf.clone(v)]));
        }
      }
      rec.seconds = (performance.now() - started) / 1000;
      history.push(rec);
      const v = rec.valid ? ` | valid MAE ${rec.valid.model.mae.toFixed(4)} RMSE ${rec.valid.model.rmse.toFixed(4)} MAPE ${(100 * rec.valid.model.mape).toFixed(2)}%${rec.best ? ' *' : ''}` : '';
      log(`epoch ${epoch} | lr ${lr.toExponential(2)} | train MSE ${trainLoss.toFixed(4)}${v} | ${rec.seconds.toFixed(1)} s`);
      opts.onEpoch?.(rec);
      if (opts.progressDir && bestFile) {
        // Best weights first, then the epoch checkpoint: a kill between the two resumes from the
        // previous epoch with a best file that is at least as new, which is still consistent.
        if (rec.best && best) saveSafetensors(bestFile, best);
        saveCheckpoint(opts.progressDir, {
          model, optimizer, scheduler, rng, config: { model: model.config, train: cfg, seed }, epoch, step: epoch + 1, keep: 1,
          bestMetric: bestMae,
          extra: { bestMae: Number.isFinite(bestMae) ? bestMae : null, bestEpoch, history: history.map(({ valid: _v, ...r }) => r) },
        });
      }
    }
    if (best) model.loadStateDict(best);
  } finally {
    if (best) tf.dispose([...best.values()]);
    optimizer.dispose();
  }
  const evalNoSignal = { ...evalOpts, signal: undefined };
  // The kept model's validation scores: from its epoch when still in memory (not after a resume).
  const valid =
    bestEpoch >= 0
      ? history[bestEpoch]?.valid ?? (await evaluateSplit(model, data, 'valid', evalNoSignal))
      : lastValid ?? (await evaluateSplit(model, data, 'valid', evalNoSignal));
  const test = await evaluateSplit(model, data, 'test', evalNoSignal);
  return { model, train: cfg, history, bestEpoch, valid, test, interrupted: opts.signal?.aborted ?? false };
}
