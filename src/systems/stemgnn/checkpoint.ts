/**
 * StemGNN models in and out of checkpoints: the kit's format (weights under the official
 * PyTorch parameter names; scaler and series names in `extra`), the pre-kit format
 * (`sheaf-stemgnn-checkpoint`), and weights trained by the official code (its state dict saved as
 * safetensors by scripts/stemgnn/pt_to_safetensors.py, plus its `norm_stat.json`; the
 * architecture is read off the tensor shapes).
 */
import * as tf from '@tensorflow/tfjs-core';
import { scalerFromJSON, MinMaxScaler, ZScoreScaler, type Scaler, type ScalerJSON } from '../../data/index.js';
import { loadSafetensors, decodeSafetensors } from '../../io/safetensors.js';
import { readJson, type Storage } from '../../io/storage.js';
import { joinPath } from '../../io/path.js';
import { InputError } from '../../util/errors.js';
import { checkpointTensors, type LoadedCheckpoint } from '../../train/checkpoint.js';
import type { SavedModel } from '../../system/types.js';
import { CHEB_ORDERS, architectureOf, resolveConfig, type StemGNNConfig, type StemGNNModelConfig } from './config.js';
import { StemGNNNet } from './model.js';
import type { FittedStemGNN } from './train.js';

/** What the checkpoint's `extra.model` holds. */
interface StemGNNExtra {
  scaler: ScalerJSON;
  series: string[];
  keptEpoch: number;
  origin: Record<string, unknown>;
}

/** The checkpoint content of a trained model. */
export function saveStemGNN(m: FittedStemGNN): SavedModel {
  const extra: StemGNNExtra = { scaler: m.scaler.toJSON(), series: m.series, keptEpoch: m.keptEpoch, origin: m.origin };
  return { tensors: m.net.stateDict(), config: m.config, extra, epoch: Math.max(0, m.keptEpoch) };
}

/** Rebuild a trained model from its checkpoint. */
export async function loadStemGNN(ck: LoadedCheckpoint): Promise<FittedStemGNN> {
  const where = joinPath(ck.dir, 'config.json');
  const config = resolveConfig(ck.config as Partial<StemGNNConfig>);
  const x = ((ck.extra as { model?: StemGNNExtra } | null)?.model ?? null) as StemGNNExtra | null;
  if (!x || !Array.isArray(x.series)) throw new InputError('not a StemGNN checkpoint (no series names in extra.model)', { file: where, field: 'extra.model' });
  const scaler = scalerFromJSON(x.scaler, where);
  const net = new StemGNNNet(architectureOf(config, x.series.length));
  const tensors = checkpointTensors(ck);
  try {
    net.loadStateDict(tensors);
  } catch (e) {
    net.dispose();
    throw new InputError((e as Error).message, { file: joinPath(ck.dir, 'model.safetensors') });
  } finally {
    tf.dispose([...tensors.values()]);
  }
  net.eval();
  return { net, scaler, series: x.series, config, history: [], keptEpoch: x.keptEpoch ?? ck.epoch, origin: x.origin ?? {} };
}

/** The pre-kit format: `{format: 'sheaf-stemgnn-checkpoint', model, train, scaler, series, origin}`. */
interface LegacyConfig {
  format: string;
  model: { window: number; horizon: number; multiLayer: number; dropoutRate: number; leakyRate: number; speSeqConvKernel: number; residualBackcast: boolean };
  train?: Record<string, unknown>;
  scaler: ScalerJSON;
  series: string[];
  origin?: Record<string, unknown>;
}

/** Read a checkpoint folder (or a run folder's `checkpoint/`) written before the system kit. */
export async function legacyStemGNN(storage: Storage, path: string): Promise<LoadedCheckpoint | null> {
  for (const dir of [path, joinPath(path, 'checkpoint')]) {
    const cfgPath = joinPath(dir, 'config.json');
    if ((await storage.stat(cfgPath))?.kind !== 'file') continue;
    const c = (await readJson(storage, cfgPath)) as Partial<LegacyConfig> | null;
    if (c?.format !== 'sheaf-stemgnn-checkpoint' || !c.model) continue;
    const m = c.model;
    const config = resolveConfig({
      ...(c.train ?? {}),
      window: m.window,
      horizon: m.horizon,
      multiLayer: m.multiLayer,
      attentionDropout: m.dropoutRate,
      leakyRate: m.leakyRate,
      speSeqConv: m.speSeqConvKernel,
      residualBackcast: m.residualBackcast,
    });
    const weights = joinPath(dir, 'model.safetensors');
    const extra: StemGNNExtra = { scaler: c.scaler!, series: c.series ?? [], keptEpoch: 0, origin: c.origin ?? {} };
    return {
      dir,
      version: 1,
      system: 'stemgnn',
      config,
      epoch: 0,
      step: 0,
      rngState: null,
      moduleRng: null,
      bestMetric: null,
      extra: { data: typeof c.origin?.['data'] === 'string' ? { data: c.origin['data'] } : {}, eval: {}, model: extra },
      scheduler: null,
      files: { model: decodeSafetensors(await storage.read(weights), weights).tensors },
      optimizerMeta: null,
    };
  }
  return null;
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
  const cfg = resolveConfig({ window: T, horizon: H, multiLayer: w[3]! / T, speSeqConv: conv ? conv.shape[2]! : 0 });
  return architectureOf(cfg, N);
}

/**
 * Weights trained by the official code: its state dict as safetensors and its `norm_stat.json`.
 * The training protocol is unknown, so the configuration holds the official defaults.
 */
export async function importOfficialStemGNN(storage: Storage, weightsPath: string, normStatPath: string, series?: string[]): Promise<FittedStemGNN> {
  const tensors = await loadSafetensors(storage, weightsPath);
  let net: StemGNNNet;
  try {
    const mc = inferModelConfig(tensors, weightsPath);
    net = new StemGNNNet(mc);
    try {
      net.loadStateDict(tensors);
    } catch (e) {
      net.dispose();
      throw new InputError((e as Error).message, { file: weightsPath });
    }
  } finally {
    tf.dispose([...tensors.values()]);
  }
  net.eval();
  const { nodes, window, horizon, multiLayer, speSeqConv } = net.config;
  const scaler = officialNormStat(await readJson(storage, normStatPath), normStatPath, nodes);
  if (series && series.length !== nodes) throw new InputError(`${series.length} series names for a model of ${nodes} series`, { field: 'series' });
  const names = series ?? Array.from({ length: nodes }, (_, i) => `series_${i + 1}`);
  const config = resolveConfig({ window, horizon, multiLayer, speSeqConv, norm: scaler.kind });
  return { net, scaler, series: names, config, history: [], keptEpoch: 0, origin: { officialWeights: weightsPath, normStat: normStatPath } };
}

/**
 * The official `norm_stat.json`: `{mean, std}` (z-score; std 0 is kept and read as 1) or
 * `{min, max}` (min–max with the official epsilons and clipping).
 */
export function officialNormStat(json: unknown, path: string, nodes: number): Scaler {
  const o = (json ?? {}) as Record<string, unknown>;
  let scaler: Scaler;
  if (Array.isArray(o['mean']) && Array.isArray(o['std'])) scaler = ZScoreScaler.fromJSON({ kind: 'z-score', mean: o['mean'], std: o['std'] }, path);
  else if (Array.isArray(o['min']) && Array.isArray(o['max'])) {
    scaler = MinMaxScaler.fromJSON({ kind: 'min-max', min: o['min'], max: o['max'], eps: 1e-5, inverseEps: 1e-8, clip: true }, path);
  } else throw new InputError('expected {"mean": [...], "std": [...]} or {"min": [...], "max": [...]} (the official norm_stat.json)', { file: path });
  if (scaler.cols !== nodes) throw new InputError(`has statistics for ${scaler.cols} series but the weights are for ${nodes}`, { file: path });
  return scaler;
}
