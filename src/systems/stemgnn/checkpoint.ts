/**
 * Saving and loading trained StemGNN models.
 *
 * A checkpoint folder holds `model.safetensors` (the state dict under the official PyTorch
 * parameter names) and `config.json` (architecture, training protocol, normalisation statistics,
 * series names). Weights trained by the official code load too: save its state dict as
 * safetensors (scripts/stemgnn/pt_to_safetensors.py) and pass that file with the official
 * `norm_stat.json`; the architecture is read off the tensor shapes.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs-core';
import { scalerFromJSON, MinMaxScaler, ZScoreScaler, type Scaler, type ScalerJSON } from '../../data/index.js';
import { loadSafetensors, saveSafetensors } from '../../io/safetensors.js';
import { writeJsonAtomic } from '../../node/fs.js';
import { InputError, UsageError } from '../../util/errors.js';
import { CHEB_ORDERS, MODEL_DEFAULTS, type StemGNNModelConfig, type StemGNNTrainConfig } from './config.js';
import { StemGNN } from './model.js';

/** config.json of a checkpoint. */
export interface StemGNNCheckpointConfig {
  format: 'sheaf-stemgnn-checkpoint';
  version: 1;
  model: StemGNNModelConfig;
  train?: StemGNNTrainConfig;
  scaler: ScalerJSON;
  /** Names of the N series, in column order. */
  series: string[];
  /** Where the weights came from (a data file, or an imported official state dict). */
  origin?: Record<string, unknown>;
}

/** A loaded model with what is needed to use it on raw data. */
export interface LoadedStemGNN {
  model: StemGNN;
  scaler: Scaler;
  series: string[];
  config: StemGNNCheckpointConfig;
  /** Folder or file it was loaded from. */
  path: string;
}

/** Write a checkpoint folder (atomically, file by file). Returns the paths written. */
export function saveStemGNNCheckpoint(
  dir: string,
  model: StemGNN,
  info: { scaler: Scaler; series: string[]; train?: StemGNNTrainConfig; origin?: Record<string, unknown> },
): { weights: string; config: string } {
  const weights = join(dir, 'model.safetensors');
  const config = join(dir, 'config.json');
  const cfg: StemGNNCheckpointConfig = {
    format: 'sheaf-stemgnn-checkpoint',
    version: 1,
    model: model.config,
    train: info.train,
    scaler: info.scaler.toJSON(),
    series: info.series,
    origin: info.origin,
  };
  saveSafetensors(weights, model.stateDict(), { format: 'pt', framework: 'sheaf', model: 'StemGNN' });
  writeJsonAtomic(config, cfg);
  return { weights, config };
}

/**
 * Load a model. `path` may be a checkpoint folder, a run folder containing `checkpoint/`, or a
 * `.safetensors` file of official weights (then `normStat`, the official `norm_stat.json`, is
 * required and the architecture is inferred from the shapes).
 */
export function loadStemGNN(path: string, opts: { normStat?: string; series?: string[] } = {}): LoadedStemGNN {
  if (!existsSync(path)) throw new InputError('checkpoint not found', { file: path });
  if (statSync(path).isFile()) {
    if (!path.endsWith('.safetensors')) throw new InputError('expected a checkpoint folder or a .safetensors file of official weights', { file: path });
    if (!opts.normStat) throw new UsageError(`loading official weights (${path}) needs --norm-stat <norm_stat.json> (saved by the official code next to its model)`);
    return loadOfficial(path, opts.normStat, opts.series);
  }
  const dir = existsSync(join(path, 'config.json')) ? path : join(path, 'checkpoint');
  const cfgPath = join(dir, 'config.json');
  if (!existsSync(cfgPath)) throw new InputError('no config.json here or in its checkpoint/ folder: not a StemGNN checkpoint or run folder', { file: path });
  const cfg = readJson(cfgPath) as StemGNNCheckpointConfig;
  if (cfg.format !== 'sheaf-stemgnn-checkpoint') throw new InputError(`not a StemGNN checkpoint (format ${JSON.stringify(cfg.format)})`, { file: cfgPath, field: 'format' });
  const scaler = scalerFromJSON(cfg.scaler, cfgPath);
  const model = new StemGNN(cfg.model);
  loadWeights(model, join(dir, 'model.safetensors'));
  model.eval();
  return { model, scaler, series: cfg.series, config: cfg, path: dir };
}

function loadWeights(model: StemGNN, file: string): void {
  const tensors = loadSafetensors(file);
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    throw new InputError((e as Error).message, { file });
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
}

/** Architecture of an official state dict, read off its tensor shapes. */
export function inferModelConfig(tensors: Map<string, tf.Tensor>, source: string): StemGNNModelConfig {
  const shape = (name: string): number[] => {
    const t = tensors.get(name);
    if (!t) throw new InputError(`tensor '${name}' is missing: not a StemGNN state dict`, { file: source, field: name });
    return t.shape;
  };
  const N = shape('weight_key')[0]!;
  const T = shape('GRU.weight_ih_l0')[1]!;
  const w = shape('stock_block.0.weight');
  if (w.length !== 5 || w[1] !== CHEB_ORDERS || w[3] !== w[4] || w[3]! % T !== 0) {
    throw new InputError(`tensor 'stock_block.0.weight' has shape [${w}], expected [1, 4, 1, m·${T}, m·${T}]`, { file: source, field: 'stock_block.0.weight' });
  }
  const H = shape('fc.2.weight')[0]!;
  const conv = tensors.get('stock_block.0.conv_real.weight');
  return {
    ...MODEL_DEFAULTS,
    nodes: N,
    window: T,
    horizon: H,
    multiLayer: w[3]! / T,
    speSeqConvKernel: conv ? conv.shape[2]! : 0,
  };
}

function loadOfficial(file: string, normStat: string, series?: string[]): LoadedStemGNN {
  const tensors = loadSafetensors(file);
  let model: StemGNN;
  try {
    const mc = inferModelConfig(tensors, file);
    model = new StemGNN(mc);
    try {
      model.loadStateDict(tensors);
    } catch (e) {
      model.dispose();
      throw new InputError((e as Error).message, { file });
    }
  } finally {
    for (const t of tensors.values()) t.dispose();
  }
  model.eval();
  const scaler = officialNormStat(normStat, model.config.nodes);
  const names = series ?? Array.from({ length: model.config.nodes }, (_, i) => `series_${i + 1}`);
  const config: StemGNNCheckpointConfig = {
    format: 'sheaf-stemgnn-checkpoint',
    version: 1,
    model: model.config,
    scaler: scaler.toJSON(),
    series: names,
    origin: { officialWeights: file, normStat },
  };
  return { model, scaler, series: names, config, path: file };
}

/**
 * The official `norm_stat.json`: `{mean, std}` (z-score; std 0 is kept and read as 1) or
 * `{min, max}` (min–max with the official epsilons and clipping).
 */
export function officialNormStat(path: string, nodes: number): Scaler {
  const o = readJson(path) as Record<string, unknown>;
  let scaler: Scaler;
  if (Array.isArray(o['mean']) && Array.isArray(o['std'])) scaler = ZScoreScaler.fromJSON({ kind: 'z-score', mean: o['mean'], std: o['std'] }, path);
  else if (Array.isArray(o['min']) && Array.isArray(o['max'])) {
    scaler = MinMaxScaler.fromJSON({ kind: 'min-max', min: o['min'], max: o['max'], eps: 1e-5, inverseEps: 1e-8, clip: true }, path);
  } else throw new InputError('expected {"mean": [...], "std": [...]} or {"min": [...], "max": [...]} (the official norm_stat.json)', { file: path });
  if (scaler.cols !== nodes) throw new InputError(`has statistics for ${scaler.cols} series but the weights are for ${nodes}`, { file: path });
  return scaler;
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read: ${(e as Error).message}`, { file: path });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`not valid JSON: ${(e as Error).message}`, { file: path });
  }
}
