/**
 * StemGNN's training protocol (official `models/handler.py` `train`): MSE on normalised values
 * over all horizons and nodes, RMSprop (or Adam), lr × decayRate every `decayEvery` epochs,
 * shuffled batches of 32 (the last one shorter), validation on raw-scale MAE, and the
 * best-validation weights kept — all through the shared `fit` loop.
 */
import * as tf from '@tensorflow/tfjs-core';
import { gatherWindows, windowBatches, type Scaler } from '../../data/index.js';
import { Adam, RMSprop, type Optimizer } from '../../optim/optimizers.js';
import { StepLR } from '../../optim/schedulers.js';
import { trainStep } from '../../train/step.js';
import { fit, type EpochRecord } from '../../train/fit.js';
import type { TrainCallOptions } from '../../system/types.js';
import { Rng } from '../../util/random.js';
import { architectureOf, type StemGNNConfig } from './config.js';
import { StemGNNNet } from './model.js';
import { evaluateSplit } from './evaluate.js';
import { seriesNames, type PreparedSeries } from './data.js';

/** Validation numbers of one epoch (raw scale; `loss` is the normalised MSE). */
export interface ValidScores {
  mae: number;
  rmse: number;
  mape: number;
  loss: number;
}

/** A trained StemGNN with what it needs to forecast raw data: the network, the scaler, the names. */
export interface FittedStemGNN {
  net: StemGNNNet;
  scaler: Scaler;
  /** Names of the N series, in column order. */
  series: string[];
  config: StemGNNConfig;
  history: EpochRecord<ValidScores>[];
  /** Epoch whose weights the network holds (the lowest validation MAE; 0 = untrained). */
  keptEpoch: number;
  /** Where the weights came from (data file, seed; or imported official weights). */
  origin: Record<string, unknown>;
  /** The prepared data of training (evaluation on the same table reuses it). */
  prepared?: PreparedSeries;
}

/** Options of {@link trainStemGNN}. */
export type TrainStemGNNOptions = TrainCallOptions;

function makeOptimizer(net: StemGNNNet, cfg: StemGNNConfig): Optimizer {
  const params = net.namedTrainable();
  return cfg.optimizer === 'adam' ? new Adam(params, { lr: cfg.lr, betas: [0.9, 0.999] }) : new RMSprop(params, { lr: cfg.lr, eps: 1e-8, alpha: 0.99 });
}

/** Train StemGNN on a prepared series with the official protocol; the network holds the best-validation weights. */
export async function trainStemGNN(data: PreparedSeries, cfg: StemGNNConfig, opts: TrainStemGNNOptions = {}): Promise<FittedStemGNN> {
  const seed = opts.seed ?? 0;
  const log = opts.log ?? (() => undefined);
  const { cols: N } = data.table;
  const W = data.window;
  const H = data.horizon;
  const net = new StemGNNNet(architectureOf(cfg, N), seed);
  const rng = new Rng(seed).fork();
  const optimizer = makeOptimizer(net, cfg);
  // lr × decayRate every decayEvery epochs (the official ExponentialLR stepped every decay_step epochs).
  const scheduler = new StepLR(optimizer, { stepSize: cfg.decayEvery, gamma: cfg.decayRate });
  log(`StemGNN: ${net.numParameters()} parameters; ${data.starts.train.length} train / ${data.starts.valid.length} valid / ${data.starts.test.length} test windows`);
  try {
    const res = await fit<Int32Array, ValidScores>({
      model: net,
      optimizer,
      scheduler,
      epochs: cfg.epochs,
      rng,
      batches: () => windowBatches(data.starts.train, cfg.batchSize, { shuffle: true, rng }),
      step: (idx) => {
        const x = tf.tensor3d(gatherWindows(data.scaled, N, idx, W), [idx.length, W, N]);
        const y = tf.tensor3d(gatherWindows(data.scaled, N, idx, H, W), [idx.length, H, N]);
        try {
          return trainStep({ optimizer, loss: () => tf.losses.meanSquaredError(y, net.forward(x).forecast) as tf.Scalar });
        } finally {
          tf.dispose([x, y]);
        }
      },
      validateEvery: cfg.validateEvery,
      validate: async () => {
        const v = await evaluateSplit(net, data, 'valid', { batchSize: cfg.batchSize, signal: opts.signal, baselines: false });
        return { mae: v.model.mae, rmse: v.model.rmse, mape: v.model.mape, loss: v.normalisedMse };
      },
      // The official code keeps the model with the lowest raw-scale validation MAE.
      monitor: { value: (r) => r.valid?.mae, mode: 'min' },
      // Training longer is still the same run: the epoch count is not part of the resume check.
      checkpoint: opts.checkpoint ? { ...opts.checkpoint, config: { config: { ...cfg, epochs: undefined }, seed, nodes: N }, system: 'stemgnn' } : undefined,
      signal: opts.signal,
      progress: opts.progress,
      epochEnd: (r) => {
        opts.curve?.(r.epoch, 'train', { loss: r.train['loss']!, lr: r.lr! });
        if (r.valid) opts.curve?.(r.epoch, 'valid', { loss: r.valid.loss, mae: r.valid.mae, rmse: r.valid.rmse, mape: r.valid.mape });
        const v = r.valid ? ` | valid MAE ${r.valid.mae.toFixed(4)} RMSE ${r.valid.rmse.toFixed(4)} MAPE ${(100 * r.valid.mape).toFixed(2)}%${r.best ? ' *' : ''}` : '';
        log(`epoch ${r.epoch}/${cfg.epochs} | lr ${r.lr!.toExponential(2)} | train MSE ${r.train['loss']!.toFixed(4)}${v} | ${r.seconds.toFixed(1)} s`);
      },
    });
    if (res.resumedFrom > 0) log(`resumed after epoch ${res.resumedFrom}`);
    return {
      net,
      scaler: data.scaler,
      series: seriesNames(data.table),
      config: cfg,
      history: res.history,
      keptEpoch: res.keptEpoch,
      origin: { data: data.table.source, seed, rows: data.table.rows, interrupted: res.interrupted },
      prepared: data,
    };
  } catch (e) {
    net.dispose();
    throw e;
  } finally {
    optimizer.dispose();
  }
}
