/**
 * Training as the reference's `Trainer.fit` (training.py): sliding windows x = data[i : i+n],
 * y = data[i+n]; a random 10 % of the windows held out for validation (or the last 10 % with
 * `valMode: 'chronological'`); per batch loss √MSE(y, ŷ) + √MSE(x, x̂) on the target features
 * (the VAE variant: √MSE(y, ŷ) + Gaussian NLL + KL per element); Adam, no scheduler, no
 * clipping; epoch losses √(mean of squared batch RMSEs). The model kept is the last epoch's
 * (the reference's "best model" test is always true) unless `keepBest`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { findLatestCheckpoint, restoreCheckpoint, saveCheckpoint } from '../../train/checkpoint.js';
import { loadSafetensors, saveSafetensors } from '../../io/safetensors.js';
import { Adam } from '../../optim/optimizers.js';
import { gatherWindows } from '../../data/windows.js';
import { batchIndices } from '../../data/batches.js';
import { Rng } from '../../util/random.js';
import { UsageError } from '../../util/errors.js';
import { type ModelConfig, type TrainConfig, TRAIN_DEFAULTS, checkTrainConfig, targetIndices } from './config.js';
import { MTADGAT, type MtadGatOutput } from './model.js';
import type { Series } from './data.js';
import { InputError } from '../../util/errors.js';

/** Losses of one epoch (the reference's names). */
export interface EpochLosses {
  epoch: number;
  trainForecast: number;
  trainRecon: number;
  trainTotal: number;
  valForecast: number | null;
  valRecon: number | null;
  valTotal: number | null;
  /** Wall-clock seconds of the epoch's training pass (validation excluded). */
  seconds: number;
}

/** Options of {@link trainModel}. */
export interface TrainModelOptions {
  /** The scaled (and, for the paper variant, cleaned) training series. */
  series: Series;
  model: Partial<ModelConfig>;
  train?: Partial<TrainConfig>;
  seed?: number;
  log?: (line: string) => void;
  logEpoch?: (epoch: number, split: string, metrics: Record<string, number>) => void;
  signal?: AbortSignal;
  /** Start from these weights (e.g. a reference PyTorch state dict exported as safetensors). */
  initWeights?: string;
  /**
   * Folder for resumable progress: after every epoch the model, optimiser, generators, history
   * and best weights so far are checkpointed there, so a killed run can continue.
   */
  progressDir?: string;
  /** Continue from the checkpoint in `progressDir` (if there is one). */
  resume?: boolean;
}

export interface TrainModelResult {
  model: MTADGAT;
  history: EpochLosses[];
  /** Epoch whose weights the model holds (1-based; 0 = untrained). */
  keptEpoch: number;
  trainWindows: number;
  valWindows: number;
}

/** Input windows (b, n, k), next-step targets (b, out) and target windows (b, n, out) of the given starts. */
export function windowArrays(s: Series, starts: ArrayLike<number>, n: number, targets: number[]): { x: Float32Array; y: Float32Array; xt: Float32Array } {
  const b = starts.length;
  const k = s.cols;
  const d = targets.length;
  const x = gatherWindows(s.data, k, starts, n);
  const y = new Float32Array(b * d);
  const xt = new Float32Array(b * n * d);
  const all = d === k && targets.every((t, i) => t === i);
  for (let i = 0; i < b; i++) {
    const row = (starts[i]! + n) * k;
    for (let j = 0; j < d; j++) y[i * d + j] = s.data[row + targets[j]!]!;
    if (all) continue;
    for (let t = 0; t < n; t++) for (let j = 0; j < d; j++) xt[(i * n + t) * d + j] = x[(i * n + t) * k + targets[j]!]!;
  }
  return { x, y, xt: all ? x : xt };
}

/** The two loss terms of one batch (scalars, caller disposes). */
export function batchLosses(model: MTADGAT, out: MtadGatOutput, y: tf.Tensor2D, xt: tf.Tensor3D): { forecast: tf.Scalar; recon: tf.Scalar } {
  return tf.tidy(() => {
    const forecast = tf.sqrt(tf.mean(tf.squaredDifference(y, out.forecast))) as tf.Scalar;
    let recon: tf.Scalar;
    if (model.config.recon === 'vae') {
      const lv = out.reconLogVar!;
      // Gaussian NLL per element + KL(q(z|h) ‖ N(0, I)) per element of the window.
      const nll = tf.mean(tf.mul(0.5, tf.add(tf.add(lv, Math.log(2 * Math.PI)), tf.div(tf.squaredDifference(xt, out.recon), tf.exp(lv)))));
      const zm = out.zMean!;
      const zl = out.zLogVar!;
      const kl = tf.mean(tf.mul(-0.5, tf.sum(tf.sub(tf.sub(tf.add(1, zl), tf.square(zm)), tf.exp(zl)), 1)));
      const perElement = xt.shape[1] * xt.shape[2];
      recon = tf.add(nll, tf.div(kl, perElement)) as tf.Scalar;
    } else {
      recon = tf.sqrt(tf.mean(tf.squaredDifference(xt, out.recon))) as tf.Scalar;
    }
    return { forecast, recon };
  });
}


/** Split window starts 0…count−1 into training and validation sets. */
export function splitWindows(count: number, valSplit: number, mode: 'random' | 'chronological', rng: Rng): { train: Int32Array; val: Int32Array } {
  const nVal = Math.floor(valSplit * count);
  const idx = mode === 'random' ? rng.permutation(count) : Int32Array.from({ length: count }, (_, i) => i);
  if (mode === 'random') return { val: idx.slice(0, nVal), train: idx.slice(nVal) };
  return { train: idx.slice(0, count - nVal), val: idx.slice(count - nVal) };
}

/** Mean loss terms over batches of the given windows, in eval mode (no dropout). */
export function evaluateLosses(model: MTADGAT, s: Series, starts: Int32Array, bs: number): { forecast: number; recon: number; total: number } {
  const c = model.config;
  const targets = targetIndices(c);
  const wasTraining = model.training;
  model.eval();
  const fs: number[] = [];
  const rs: number[] = [];
  for (const b of batchIndices(starts.length, bs)) {
    const st = Int32Array.from(b, (i) => starts[i]!);
    const a = windowArrays(s, st, c.lookback, targets);
    const vals = tf.tidy(() => {
      const x = tf.tensor3d(a.x, [st.length, c.lookback, c.nFeatures]);
      const out = model.forward(x);
      const l = batchLosses(model, out, tf.tensor2d(a.y, [st.length, targets.length]), tf.tensor3d(a.xt, [st.length, c.lookback, targets.length]));
      return tf.stack([l.forecast, l.recon]);
    });
    const [f, r] = vals.dataSync();
    vals.dispose();
    fs.push(f!);
    rs.push(r!);
  }
  model.train(wasTraining);
  const agg = (v: number[], vae: boolean): number => (vae ? v.reduce((p, q) => p + q, 0) / v.length : Math.sqrt(v.reduce((p, q) => p + q * q, 0) / v.length));
  const forecast = agg(fs, false);
  const recon = agg(rs, c.recon === 'vae');
  return { forecast, recon, total: forecast + recon };
}

/** Train an MTAD-GAT on a scaled training series. */
export async function trainModel(o: TrainModelOptions): Promise<TrainModelResult> {
  const tc: TrainConfig = { ...TRAIN_DEFAULTS, ...o.train };
  checkTrainConfig(tc);
  const rng = new Rng(o.seed ?? 0);
  const model = new MTADGAT({ ...o.model, nFeatures: o.series.cols }, rng.fork());
  if (o.initWeights) loadReferenceWeights(model, o.initWeights);
  const c = model.config;
  const n = c.lookback;
  const count = o.series.rows - n;
  if (count < 1) throw new UsageError(`the training series has ${o.series.rows} rows; lookback ${n} needs at least ${n + 1}`);
  const split = splitWindows(count, tc.valSplit, tc.valMode, rng);
  if (split.train.length === 0) throw new UsageError(`no training windows left after holding out ${split.val.length} for validation`);
  const targets = targetIndices(c);
  const named = model.namedTrainable();
  const vars = named.map(([, v]) => v);
  const opt = new Adam(named, { lr: tc.initLr });
  const history: EpochLosses[] = [];
  let best: { loss: number; epoch: number; weights: Map<string, tf.Tensor> } | null = null;
  const log = o.log ?? (() => undefined);
  let keptEpoch = 0;
  let firstEpoch = 1;
  const bestFile = o.progressDir ? join(o.progressDir, 'best.safetensors') : null;
  if (o.resume && o.progressDir) {
    const latest = findLatestCheckpoint(o.progressDir);
    if (latest) {
      const info = restoreCheckpoint(latest, { model, optimizer: opt, rng });
      const extra = info.extra as { history: EpochLosses[]; best: { loss: number; epoch: number } | null };
      firstEpoch = info.epoch + 1;
      keptEpoch = info.epoch;
      history.push(...extra.history);
      if (extra.best && bestFile && existsSync(bestFile)) best = { ...extra.best, weights: loadSafetensors(bestFile) };
      log(`resumed from ${latest}: continuing at epoch ${firstEpoch}`);
    } else log(`no checkpoint in ${o.progressDir}: starting from epoch 1`);
  }
  for (let epoch = firstEpoch; epoch <= tc.epochs; epoch++) {
    if (o.signal?.aborted) break;
    model.train();
    const started = performance.now();
    const fs: number[] = [];
    const rs: number[] = [];
    const batches = batchIndices(split.train.length, tc.bs, { shuffle: tc.shuffleDataset, rng });
    for (const b of batches) {
      if (o.signal?.aborted) break;
      const st = Int32Array.from(b, (i) => split.train[i]!);
      const a = windowArrays(o.series, st, n, targets);
      const x = tf.tensor3d(a.x, [st.length, n, c.nFeatures]);
      const y = tf.tensor2d(a.y, [st.length, targets.length]);
      const xt = a.xt === a.x ? x : tf.tensor3d(a.xt, [st.length, n, targets.length]);
      let parts: tf.Tensor | null = null;
      const { value, grads } = tf.variableGrads(() => {
        const out = model.forward(x);
        const l = batchLosses(model, out, y, xt as tf.Tensor3D);
        parts = tf.keep(tf.stack([l.forecast, l.recon]));
        return tf.add(l.forecast, l.recon) as tf.Scalar;
      }, vars);
      const [f, r] = (parts as unknown as tf.Tensor).dataSync();
      const total = value.dataSync()[0]!;
      if (Number.isFinite(total)) opt.step(grads);
      tf.dispose([value, parts as unknown as tf.Tensor, ...Object.values(grads), x, y, xt]);
      if (!Number.isFinite(total)) throw new Error(`MTAD-GAT: the loss became ${total} in epoch ${epoch}; lower --init-lr or check the input scaling`);
      fs.push(f!);
      rs.push(r!);
    }
    if (fs.length === 0) break;
    const seconds = (performance.now() - started) / 1000;
    const vae = c.recon === 'vae';
    const trainForecast = Math.sqrt(fs.reduce((p, q) => p + q * q, 0) / fs.length);
    const trainRecon = vae ? rs.reduce((p, q) => p + q, 0) / rs.length : Math.sqrt(rs.reduce((p, q) => p + q * q, 0) / rs.length);
    const e: EpochLosses = { epoch, trainForecast, trainRecon, trainTotal: trainForecast + trainRecon, valForecast: null, valRecon: null, valTotal: null, seconds };
    if (split.val.length > 0) {
      const v = evaluateLosses(model, o.series, split.val, tc.bs);
      e.valForecast = v.forecast;
      e.valRecon = v.recon;
      e.valTotal = v.total;
    }
    history.push(e);
    keptEpoch = epoch;
    o.logEpoch?.(epoch, 'train', { forecast_loss: e.trainForecast, recon_loss: e.trainRecon, total_loss: e.trainTotal, seconds });
    if (e.valTotal !== null) o.logEpoch?.(epoch, 'valid', { forecast_loss: e.valForecast!, recon_loss: e.valRecon!, total_loss: e.valTotal });
    log(
      `[Epoch ${epoch}] forecast_loss = ${e.trainForecast.toFixed(5)}, recon_loss = ${e.trainRecon.toFixed(5)}, total_loss = ${e.trainTotal.toFixed(5)}` +
        (e.valTotal !== null ? ` ---- val_forecast_loss = ${e.valForecast!.toFixed(5)}, val_recon_loss = ${e.valRecon!.toFixed(5)}, val_total_loss = ${e.valTotal.toFixed(5)}` : '') +
        ` [${seconds.toFixed(1)}s]`,
    );
    if (tc.keepBest && e.valTotal !== null && (best === null || e.valTotal < best.loss)) {
      if (best) tf.dispose([...best.weights.values()]);
      best = { loss: e.valTotal, epoch, weights: new Map(model.namedParameters().map(([k, v]) => [k, tf.clone(v)])) };
      if (bestFile) saveSafetensors(bestFile, best.weights);
    }
    if (o.progressDir) {
      saveCheckpoint(o.progressDir, {
        model, optimizer: opt, rng, config: { model: c, train: tc, seed: o.seed ?? 0 }, epoch, step: epoch, keep: 1,
        extra: { history, best: best ? { loss: best.loss, epoch: best.epoch } : null },
      });
    }
    // Let Ctrl-C and other events through between epochs.
    await new Promise((res) => setImmediate(res));
  }
  if (best) {
    model.loadStateDict(best.weights, { strict: false });
    tf.dispose([...best.weights.values()]);
    keptEpoch = best.epoch;
  }
  opt.dispose();
  model.eval();
  return { model, history, keptEpoch, trainWindows: split.train.length, valWindows: split.val.length };
}

/**
 * Load weights saved by the reference PyTorch code (its `model.state_dict()` exported as
 * safetensors, e.g. with `scripts/mtadgat/make_official_fixture.py`) into a model built with the
 * same configuration. Names and shapes must match exactly.
 */
export function loadReferenceWeights(model: MTADGAT, path: string): void {
  const w = loadSafetensors(path);
  try {
    model.loadStateDict(w);
  } catch (e) {
    throw new InputError((e as Error).message, { file: path });
  } finally {
    tf.dispose([...w.values()]);
  }
}
