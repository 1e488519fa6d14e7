/**
 * Fine-tuning as the official `chem/finetune.py` does it: Adam (lr 1e-3, no weight decay) over
 * the mode's parameter groups, shuffled batches of 32 molecules, masked BCE, validation and test
 * ROC-AUC after every epoch, and the weights of the best validation epoch (first maximum) kept —
 * through the shared `fit` loop.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { GNNGraphPred } from '../../nn/graph/gnn.js';
import { collate } from '../../nn/graph/batch.js';
import { batchIndices } from '../../data/batches.js';
import { Adam } from '../../optim/optimizers.js';
import { trainStep } from '../../train/step.js';
import { fit, type EpochRecord } from '../../train/fit.js';
import type { TrainCallOptions } from '../../system/types.js';
import type { Storage } from '../../io/storage.js';
import { Rng } from '../../util/random.js';
import type { AdapterGNNConfig } from './config.js';
import { buildNetwork, maskedBce, parameterCounts } from './model.js';
import { labelsOf, type MoleculeData, type MoleculeSplit } from './data.js';
import { loadBackbone, type BackboneInfo } from './backbone.js';
import { scoreSplit } from './evaluate.js';

/** Validation and test numbers of one epoch (the official code scores both every epoch). */
export interface EpochScores {
  validAuc: number;
  testAuc: number;
  validBce: number;
  testBce: number;
}

/** A fine-tuned model with what it needs to score molecules. */
export interface FittedAdapterGNN {
  net: GNNGraphPred;
  config: AdapterGNNConfig;
  tasks: string[];
  /** Molecule indices of each split of the training data (eval on the same data reuses them). */
  split: MoleculeSplit;
  history: EpochRecord<EpochScores>[];
  /** Epoch whose weights the network holds (best validation ROC-AUC; 0 = untrained). */
  keptEpoch: number;
  parameters: { trainable: number; total: number };
  /** The backbone it started from (null: random weights). */
  backbone: Pick<BackboneInfo, 'source' | 'note'> | null;
  /** Data file, content hash, seed. */
  origin: { data: string; hash: string | null; seed: number; molecules: number; interrupted?: boolean };
  /** The featurised data of training. */
  data?: MoleculeData;
}

/** The run's training options, and where backbones are read from. */
export interface FineTuneOptions extends TrainCallOptions {
  storage: Storage;
}

/** Fine-tune on a featurised data set with a given split. The network holds the best-validation weights. */
export async function fineTune(data: MoleculeData, split: MoleculeSplit, cfg: AdapterGNNConfig, opts: FineTuneOptions): Promise<FittedAdapterGNN> {
  const seed = opts.seed ?? 0;
  const log = opts.log ?? (() => undefined);
  const T = data.tasks.length;
  const net = buildNetwork(cfg, T, seed);
  let backbone: BackboneInfo | null = null;
  try {
    if (cfg.mode !== 'scratch') {
      backbone = await loadBackbone(opts.storage, cfg.pretrained, cfg);
      if (backbone) {
        net.loadPretrained(backbone.tensors);
        tf.dispose([...backbone.tensors.values()]);
        log(`AdapterGNN: backbone ${backbone.source}${backbone.note ? ` (${backbone.note})` : ''}`);
      } else log('AdapterGNN: no pre-trained backbone (--pretrained none): the backbone starts from random weights');
    }
  } catch (e) {
    net.dispose();
    throw e;
  }
  const counts = parameterCounts(net);
  const rng = new Rng(seed).fork();
  const optimizer = new Adam(net.namedTrainable(), { lr: cfg.lr, weightDecay: cfg.weightDecay });
  log(
    `AdapterGNN ${cfg.mode}: ${counts.trainable} of ${counts.total} parameters trained (${((100 * counts.trainable) / counts.total).toFixed(1)} %); ${split.train.length} train / ${split.valid.length} valid / ${split.test.length} test molecules, ${T} task${T === 1 ? '' : 's'}`,
  );
  try {
    const res = await fit<Int32Array, EpochScores>({
      model: net,
      optimizer,
      epochs: cfg.epochs,
      rng,
      batches: () => batchIndices(split.train.length, cfg.batchSize, { shuffle: true, rng }),
      step: (rows) => {
        // The linear probe keeps the backbone a fixed feature extractor (running statistics, no dropout): `fit` puts the
        // whole model in training mode before each epoch, so the backbone goes back to eval mode here.
        if (cfg.mode === 'linear') net.gnn.eval();
        const idx = Array.from(rows, (r) => split.train[r]!);
        const graphs = idx.map((i) => data.graphs[i]!);
        const b = collate(graphs, { xDtype: 'int32', edgeAttrDtype: 'int32', edgeAttrWidth: 2 });
        const y = tf.tensor2d(Float32Array.from(labelsOf(data, idx)), [rows.length, T]);
        try {
          return trainStep({ optimizer, loss: () => maskedBce(net.forwardBatch(b), y as tf.Tensor2D) });
        } finally {
          b.dispose();
          y.dispose();
        }
      },
      validate: () => {
        const v = scoreSplit(net, data, split.valid);
        const t = scoreSplit(net, data, split.test);
        return { validAuc: v.auc, testAuc: t.auc, validBce: v.bce, testBce: t.bce };
      },
      // Test at the best-validation epoch; `fit` keeps the first maximum (strict >), as the official argmax.
      monitor: { value: (r) => (r.valid && Number.isFinite(r.valid.validAuc) ? r.valid.validAuc : undefined), mode: 'max' },
      checkpoint: opts.checkpoint ? { ...opts.checkpoint, config: { config: { ...cfg, epochs: undefined }, seed, data: data.hash }, system: 'adaptergnn' } : undefined,
      signal: opts.signal,
      progress: opts.progress,
      epochEnd: (r) => {
        opts.curve?.(r.epoch, 'train', { loss: r.train['loss']! });
        if (r.valid) {
          opts.curve?.(r.epoch, 'valid', { auc: r.valid.validAuc, bce: r.valid.validBce });
          opts.curve?.(r.epoch, 'test', { auc: r.valid.testAuc, bce: r.valid.testBce });
        }
        const v = r.valid ? ` | valid ROC-AUC ${fmt(r.valid.validAuc)} test ${fmt(r.valid.testAuc)}${r.best ? ' *' : ''}` : '';
        log(`epoch ${r.epoch}/${cfg.epochs} | train BCE ${r.train['loss']!.toFixed(4)}${v} | ${r.seconds.toFixed(1)} s`);
      },
    });
    if (res.resumedFrom > 0) log(`resumed after epoch ${res.resumedFrom}`);
    net.eval();
    return {
      net,
      config: cfg,
      tasks: data.tasks,
      split,
      history: res.history,
      keptEpoch: res.keptEpoch,
      parameters: counts,
      backbone: backbone ? { source: backbone.source, note: backbone.note } : null,
      origin: { data: data.source, hash: data.hash, seed, molecules: data.smiles.length, interrupted: res.interrupted },
      data,
    };
  } catch (e) {
    net.dispose();
    throw e;
  } finally {
    optimizer.dispose();
  }
}

function fmt(v: number): string {
  return Number.isFinite(v) ? v.toFixed(4) : '–';
}
