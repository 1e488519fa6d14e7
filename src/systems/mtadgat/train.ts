/**
 * Training as the reference's `Trainer.fit` (training.py): sliding windows x = data[i : i+n],
 * y = data[i+n]; a random 10 % of the windows held out for validation (or the last 10 % with
 * `valMode: 'chronological'`); per batch loss √MSE(y, ŷ) + √MSE(x, x̂) on the target features
 * (the VAE variant: √MSE(y, ŷ) + Gaussian NLL + KL per element); Adam, no scheduler, no
 * clipping; epoch losses √(mean of squared batch RMSEs). The model kept is the last epoch's
 * (the reference's "best model" test is always true) unless `keepBest`. The loop is `fit`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { loadSafetensors } from '../../io/safetensors.js';
import type { Storage } from '../../io/storage.js';
import { Adam } from '../../optim/optimizers.js';
import { gatherWindows } from '../../data/windows.js';
import { batchIndices, lazyMap } from '../../data/batches.js';
import { fit, type ProgressSink } from '../../train/fit.js';
import { Rng } from '../../util/random.js';
import { InputError, UsageError } from '../../util/errors.js';
import { type ModelConfig, type TrainConfig, TRAIN_DEFAULTS, targetIndices } from './config.js';
import { MtadGatNet, type MtadGatOutput } from './model.js';
import type { Series } from './data.js';

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
  curve?: (epoch: number, split: string, metrics: Record<string, number>) => void;
  signal?: AbortSignal;
  progress?: ProgressSink;
  /** Where `train.initWeights` and the progress checkpoints live. */
  storage?: Storage;
  /** Resumable progress (a folder holding a checkpoint resumes); needs `storage`. */
  progressDir?: string;
}

export interface TrainModelResult {
  model: MtadGatNet;
  history: EpochLosses[];
  /** Epoch whose weights the model holds (1-based; 0 = untrained). */
  keptEpoch: number;
  trainWindows: number;
  valWindows: number;
  interrupted: boolean;
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
export function batchLosses(model: MtadGatNet, out: MtadGatOutput, y: tf.Tensor2D, xt: tf.Tensor3D): { forecast: tf.Scalar; recon: tf.Scalar } {
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
export function evaluateLosses(model: MtadGatNet, s: Series, starts: Int32Array, bs: number): { forecast: number; recon: number; total: number } {
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

interface Batch {
  x: Float32Array;
  y: Float32Array;
  xt: Float32Array;
  b: number;
}

/** Train an MTAD-GAT on a scaled training series. */
export async function trainModel(o: TrainModelOptions): Promise<TrainModelResult> {
  const tc: TrainConfig = { ...TRAIN_DEFAULTS, ...o.train };
  if (o.progressDir && !o.storage) throw new UsageError('trainModel: progressDir needs the storage it lives in');
  const rng = new Rng(o.seed ?? 0);
  const model = new MtadGatNet({ ...o.model, nFeatures: o.series.cols }, rng.fork());
  try {
    if (tc.initWeights) {
      if (!o.storage) throw new UsageError('initWeights needs a storage to read from');
      await loadReferenceWeights(o.storage, model, tc.initWeights);
    }
    const c = model.config;
    const n = c.lookback;
    const count = o.series.rows - n;
    if (count < 1) throw new UsageError(`the training series has ${o.series.rows} rows; lookback ${n} needs at least ${n + 1}`);
    const split = splitWindows(count, tc.valSplit, tc.valMode, rng);
    if (split.train.length === 0) throw new UsageError(`no training windows left after holding out ${split.val.length} for validation`);
    const targets = targetIndices(c);
    const named = model.namedTrainable();
    const vars = named.map(([, v]) => v);
    const opt = new Adam(named, { lr: tc.lr });
    const log = o.log ?? (() => undefined);
    const vae = c.recon === 'vae';
    const rms = (v: number[]): number => Math.sqrt(v.reduce((p, q) => p + q * q, 0) / v.length);
    try {
      const res = await fit<Batch, { forecast: number; recon: number; total: number }>({
        model,
        optimizer: opt,
        epochs: tc.epochs,
        rng,
        // Indices are drawn at the epoch's start (as the reference's DataLoader); windows are cut per batch.
        batches: () =>
          lazyMap(batchIndices(split.train.length, tc.batchSize, { shuffle: tc.shuffleDataset, rng }), (b) => {
            const st = Int32Array.from(b, (i) => split.train[i]!);
            return { ...windowArrays(o.series, st, n, targets), b: st.length };
          }),
        step: (a) => {
          const x = tf.tensor3d(a.x, [a.b, n, c.nFeatures]);
          const y = tf.tensor2d(a.y, [a.b, targets.length]);
          const xt = a.xt === a.x ? x : tf.tensor3d(a.xt, [a.b, n, targets.length]);
          let parts: tf.Tensor | null = null;
          const { value, grads } = tf.variableGrads(() => {
            const out = model.forward(x);
            const l = batchLosses(model, out, y, xt as tf.Tensor3D);
            parts = tf.keep(tf.stack([l.forecast, l.recon]));
            return tf.add(l.forecast, l.recon) as tf.Scalar;
          }, vars);
          const [f, r] = (parts as unknown as tf.Tensor).dataSync();
          const total = value.dataSync()[0]!;
          // A non-finite loss must not reach the weights; fit stops on it.
          if (Number.isFinite(total)) opt.step(grads);
          tf.dispose([value, parts as unknown as tf.Tensor, ...Object.values(grads), x, y, xt]);
          return { forecast: f!, recon: r! };
        },
        // The reference's epoch losses: √(mean of squared batch RMSEs); the VAE term is a plain mean.
        reduce: (p) => {
          const forecast = rms(p['forecast']!);
          const recon = vae ? p['recon']!.reduce((a, b) => a + b, 0) / p['recon']!.length : rms(p['recon']!);
          return { forecast, recon, loss: forecast + recon };
        },
        validate: split.val.length > 0 ? () => evaluateLosses(model, o.series, split.val, tc.batchSize) : undefined,
        monitor: tc.keepBest && split.val.length > 0 ? { value: (r) => r.valid?.total, mode: 'min' } : undefined,
        restore: tc.keepBest && split.val.length > 0 ? 'best' : 'last',
        // Training longer is still the same run: the epoch count is not part of the resume check.
        checkpoint:
          o.progressDir && o.storage ? { storage: o.storage, dir: o.progressDir, config: { model: c, train: { ...tc, epochs: undefined }, seed: o.seed ?? 0 }, system: 'mtadgat' } : undefined,
        signal: o.signal,
        progress: o.progress,
        epochEnd: (r) => {
          const t = r.train;
          o.curve?.(r.epoch, 'train', { forecast_loss: t['forecast']!, recon_loss: t['recon']!, total_loss: t['loss']!, seconds: r.trainSeconds });
          if (r.valid) o.curve?.(r.epoch, 'valid', { forecast_loss: r.valid.forecast, recon_loss: r.valid.recon, total_loss: r.valid.total });
          log(
            `[Epoch ${r.epoch}] forecast_loss = ${t['forecast']!.toFixed(5)}, recon_loss = ${t['recon']!.toFixed(5)}, total_loss = ${t['loss']!.toFixed(5)}` +
              (r.valid ? ` ---- val_forecast_loss = ${r.valid.forecast.toFixed(5)}, val_recon_loss = ${r.valid.recon.toFixed(5)}, val_total_loss = ${r.valid.total.toFixed(5)}` : '') +
              ` [${r.trainSeconds.toFixed(1)}s]`,
          );
        },
      });
      if (res.resumedFrom > 0) log(`resumed after epoch ${res.resumedFrom}`);
      model.eval();
      const history: EpochLosses[] = res.history.map((r) => ({
        epoch: r.epoch,
        trainForecast: r.train['forecast']!,
        trainRecon: r.train['recon']!,
        trainTotal: r.train['loss']!,
        valForecast: r.valid?.forecast ?? null,
        valRecon: r.valid?.recon ?? null,
        valTotal: r.valid?.total ?? null,
        seconds: r.trainSeconds,
      }));
      return { model, history, keptEpoch: res.keptEpoch, trainWindows: split.train.length, valWindows: split.val.length, interrupted: res.interrupted };
    } finally {
      opt.dispose();
    }
  } catch (e) {
    model.dispose();
    throw e;
  }
}

/**
 * Load weights saved by the reference PyTorch code (its `model.state_dict()` exported as
 * safetensors, e.g. with `scripts/mtadgat/make_official_fixture.py`) into a model built with the
 * same configuration. Names and shapes must match exactly.
 */
export async function loadReferenceWeights(storage: Storage, model: MtadGatNet, path: string): Promise<void> {
  const w = await loadSafetensors(storage, path);
  try {
    model.loadStateDict(w);
  } catch (e) {
    throw new InputError((e as Error).message, { file: path });
  } finally {
    tf.dispose([...w.values()]);
  }
}
