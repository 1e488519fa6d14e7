/**
 * Saving and loading fitted PLRM label models (and the optional end model).
 *
 * A checkpoint folder holds `model.safetensors` — `lfpgm.theta` and `plrm.theta` as F64
 * vectors (one weight per factor, in factor order) and, when an end model was trained, its
 * parameters as `end.<PyTorch name>` (F32) — and `config.json`: the label structure (labels,
 * desired, ILF label sets, the relations as given, the default for open pairs), both factor
 * graphs (factor list, abstain flags), the label permutations chosen on validation, the fitting
 * configuration, and the end model's architecture and feature scaler.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { decodeSafetensors, encodeSafetensors, type EncodableTensor } from '../../io/safetensors.js';
import { ZScoreScaler, type ZScoreJSON } from '../../data/index.js';
import { writeFileAtomic, writeJsonAtomic } from '../../node/fs.js';
import { InputError } from '../../util/errors.js';
import { Rng } from '../../util/random.js';
import type { RelationTriple } from './relations.js';
import type { PgmSpec } from './factor_graph.js';
import { checkDistinguishability } from './distinguishability.js';
import { taskGraph, type LabelModelName, type LabelModels, type PlrmConfig } from './label_models.js';
import { EndModel } from './end_model.js';

/** config.json of a PLRM checkpoint. */
export interface PlrmCheckpointConfig {
  format: 'sheaf-plrm-checkpoint';
  version: 1;
  labels: string[];
  desired: number[];
  ilfs: number[][];
  relations: RelationTriple[];
  config: PlrmConfig;
  lfpgm: { spec: PgmSpec; perm: number[]; bestStep: number; logLik: number };
  plrm: { spec: PgmSpec; perm: number[]; bestStep: number; logLik: number };
  endModel?: { kind: 'logreg' | 'mlp'; hidden: number; inFeatures: number; classes: number; scaler: ZScoreJSON; labelSource: LabelModelName; bestEpoch: number };
  origin?: Record<string, unknown>;
}

/** A trained end model as stored with the label models. */
export interface StoredEndModel {
  model: EndModel;
  scaler: ZScoreScaler;
  labelSource: LabelModelName;
  bestEpoch: number;
}

/** Write a checkpoint folder. Returns the paths written. */
export function savePlrmCheckpoint(
  dir: string,
  models: LabelModels,
  relations: readonly RelationTriple[],
  end?: StoredEndModel,
  origin?: Record<string, unknown>,
): { weights: string; config: string } {
  const weights = join(dir, 'model.safetensors');
  const config = join(dir, 'config.json');
  const tensors = new Map<string, EncodableTensor>();
  tensors.set('lfpgm.theta', { dtype: 'F64', shape: [models.lfpgm.theta.length], data: models.lfpgm.theta });
  tensors.set('plrm.theta', { dtype: 'F64', shape: [models.plrm.theta.length], data: models.plrm.theta });
  if (end) {
    for (const [name, t] of end.model.stateDict()) tensors.set(`end.${name}`, { dtype: 'F32', shape: t.shape, data: t.dataSync() as Float32Array });
  }
  const cfg: PlrmCheckpointConfig = {
    format: 'sheaf-plrm-checkpoint',
    version: 1,
    labels: models.labels,
    desired: models.desired,
    ilfs: models.ilfs,
    relations: [...relations],
    config: models.config,
    lfpgm: { spec: models.lfpgm.spec, perm: models.lfpgm.perm, bestStep: models.lfpgm.bestStep, logLik: models.lfpgm.logLik },
    plrm: { spec: models.plrm.spec, perm: models.plrm.perm, bestStep: models.plrm.bestStep, logLik: models.plrm.logLik },
    endModel: end
      ? {
          kind: end.model.kind,
          hidden: end.model.hidden,
          inFeatures: end.model.inFeatures,
          classes: end.model.classes,
          scaler: end.scaler.toJSON() as ZScoreJSON,
          labelSource: end.labelSource,
          bestEpoch: end.bestEpoch,
        }
      : undefined,
    origin,
  };
  writeFileAtomic(weights, encodeSafetensors(tensors, { format: 'sheaf', model: 'PLRM' }));
  writeJsonAtomic(config, cfg);
  return { weights, config };
}

/** A loaded checkpoint. */
export interface LoadedPlrm {
  models: LabelModels;
  relations: RelationTriple[];
  end?: StoredEndModel;
  config: PlrmCheckpointConfig;
  path: string;
}

/** Resolve a run folder or checkpoint folder to the checkpoint folder. */
export function resolveCheckpointDir(path: string): string {
  if (!existsSync(path)) throw new InputError('checkpoint not found', { file: path });
  if (statSync(path).isDirectory()) {
    if (existsSync(join(path, 'config.json')) && existsSync(join(path, 'model.safetensors'))) return path;
    const inner = join(path, 'checkpoint');
    if (existsSync(join(inner, 'config.json'))) return inner;
  }
  throw new InputError('expected a run folder or a checkpoint folder holding config.json and model.safetensors', { file: path });
}

/** Load a checkpoint written by `savePlrmCheckpoint` (run folder or checkpoint folder). */
export function loadPlrmCheckpoint(path: string): LoadedPlrm {
  const dir = resolveCheckpointDir(path);
  const cfgPath = join(dir, 'config.json');
  let cfg: PlrmCheckpointConfig;
  try {
    cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as PlrmCheckpointConfig;
  } catch (e) {
    throw new InputError(`cannot read: ${(e as Error).message}`, { file: cfgPath });
  }
  if (cfg.format !== 'sheaf-plrm-checkpoint') throw new InputError(`not a PLRM checkpoint (format ${String(cfg.format)})`, { file: cfgPath, field: 'format' });
  const wPath = join(dir, 'model.safetensors');
  const { tensors } = decodeSafetensors(readFileSync(wPath), wPath);
  const theta = (name: string, len: number): Float64Array => {
    const t = tensors.get(name);
    if (!t || t.dtype !== 'F64' || t.shape[0] !== len) throw new InputError(`missing or mis-shaped tensor '${name}' (expected F64 [${len}])`, { file: wPath });
    return Float64Array.from(t.data as Float64Array);
  };
  const graph = taskGraph({ labels: cfg.labels, desired: cfg.desired, ilfs: cfg.ilfs, relations: cfg.relations, source: cfgPath }, cfg.config.defaultRelation);
  const models: LabelModels = {
    labels: cfg.labels,
    desired: cfg.desired,
    ilfs: cfg.ilfs,
    graph,
    preflight: checkDistinguishability(graph, cfg.desired, cfg.ilfs),
    lfpgm: { ...cfg.lfpgm, theta: theta('lfpgm.theta', cfg.lfpgm.spec.factors.length), history: [] },
    plrm: { ...cfg.plrm, theta: theta('plrm.theta', cfg.plrm.spec.factors.length), history: [] },
    config: cfg.config,
  };
  let end: StoredEndModel | undefined;
  if (cfg.endModel) {
    const e = cfg.endModel;
    const model = new EndModel(e.inFeatures, e.classes, e.kind, e.hidden, new Rng(0));
    const dict = new Map<string, tf.Tensor>();
    for (const [name, t] of tensors) if (name.startsWith('end.')) dict.set(name.slice(4), tf.tensor(t.data as Float32Array, t.shape, 'float32'));
    try {
      model.loadStateDict(dict);
    } finally {
      tf.dispose([...dict.values()]);
    }
    end = { model, scaler: ZScoreScaler.fromJSON(e.scaler, cfgPath), labelSource: e.labelSource, bestEpoch: e.bestEpoch };
  }
  return { models, relations: cfg.relations, end, config: cfg, path: dir };
}
