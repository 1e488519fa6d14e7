/**
 * End model: a classifier on the features, trained on the label model's probabilistic labels
 * (soft-label cross-entropy) over the rows covered by at least one ILF, as the official text
 * script does. `logreg` is multinomial logistic regression, `mlp` one hidden ReLU layer.
 * Features are z-scored with statistics of the training rows. Full-batch Adam (the splits are a
 * few thousand rows); the epoch with the best validation accuracy is kept when gold validation
 * labels are given (the official image script keeps its best-validation checkpoint).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module, Linear } from '../../nn/index.js';
import { Adam } from '../../optim/optimizers.js';
import { trainStep } from '../../train/step.js';
import { ZScoreScaler } from '../../data/index.js';
import { Rng } from '../../util/random.js';
import type { LabelModelName } from './label_models.js';

/** End-model options. */
export interface EndModelOptions {
  kind: 'logreg' | 'mlp';
  /** MLP hidden width. */
  hidden: number;
  /** Full-batch epochs. */
  epochs: number;
  lr: number;
  /** L2 weight decay (Adam, as the official image end model's weight_decay). */
  weightDecay: number;
  seed: number;
}

/** Defaults: logistic regression, 300 full-batch Adam epochs at lr 0.01, weight decay 5e-5 (official image end model). */
export const DEFAULT_END_MODEL: EndModelOptions = { kind: 'logreg', hidden: 64, epochs: 300, lr: 0.01, weightDecay: 5e-5, seed: 42 };

/** Logistic regression or a one-hidden-layer MLP; parameters are PyTorch-named (`fc1.weight`, …). */
export class EndModel extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear | null;
  constructor(
    readonly inFeatures: number,
    readonly classes: number,
    readonly kind: 'logreg' | 'mlp',
    readonly hidden: number,
    rng: Rng,
  ) {
    super();
    if (kind === 'logreg') {
      this.fc1 = this.module('fc1', new Linear(inFeatures, classes, rng));
      this.fc2 = null;
    } else {
      this.fc1 = this.module('fc1', new Linear(inFeatures, hidden, rng));
      this.fc2 = this.module('fc2', new Linear(hidden, classes, rng));
    }
  }

  /** Logits [n, k] for standardised features [n, d]. */
  forward(x: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const h = this.fc1.forward(x);
      return (this.fc2 ? this.fc2.forward(tf.relu(h)) : h) as tf.Tensor2D;
    });
  }
}

/** A trained end model with its feature scaler. */
export interface TrainedEndModel {
  model: EndModel;
  scaler: ZScoreScaler;
  /** Epoch kept (best validation accuracy, or the last). */
  bestEpoch: number;
  /** Rows used for training (covered by ≥ 1 ILF). */
  trainRows: number;
  history: Array<{ epoch: number; loss: number; validAccuracy?: number }>;
}

/**
 * Train on features X (n × d, row-major) of the covered rows with soft labels P (n × k).
 * `valid` (features and gold labels) selects the epoch.
 */
export function trainEndModel(X: Float64Array, d: number, P: Float64Array, k: number, valid: { X: Float64Array; y: Int32Array } | undefined, options: Partial<EndModelOptions> = {}): TrainedEndModel {
  const o = { ...DEFAULT_END_MODEL, ...options };
  const n = P.length / k;
  if (X.length !== n * d) throw new RangeError(`end model: ${X.length} feature values for ${n} rows × ${d} features`);
  if (n === 0) throw new RangeError('end model: no covered training rows');
  const scaler = ZScoreScaler.fit(Float32Array.from(X), d);
  const model = new EndModel(d, k, o.kind, o.hidden, new Rng(o.seed));
  const opt = new Adam(model.namedParameters(), { lr: o.lr, weightDecay: o.weightDecay });
  const xs = tf.tensor2d(scaler.transform(Float32Array.from(X)), [n, d]);
  const ps = tf.tensor2d(Float32Array.from(P), [n, k]);
  const vx = valid ? tf.tensor2d(scaler.transform(Float32Array.from(valid.X)), [valid.y.length, d]) : null;
  const history: TrainedEndModel['history'] = [];
  let best = { acc: -1, epoch: o.epochs, state: null as Map<string, tf.Tensor> | null };
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      const loss = trainStep({
        optimizer: opt,
        loss: () => tf.neg(tf.mean(tf.sum(tf.mul(ps, tf.logSoftmax(model.forward(xs))), 1))) as tf.Scalar,
      });
      const point: { epoch: number; loss: number; validAccuracy?: number } = { epoch, loss };
      if (vx && valid) {
        const predT = tf.tidy(() => tf.argMax(model.forward(vx), 1));
        const pred = predT.dataSync() as Int32Array;
        predT.dispose();
        let hit = 0;
        for (let i = 0; i < pred.length; i++) if (pred[i] === valid.y[i]) hit++;
        point.validAccuracy = hit / pred.length;
        if (point.validAccuracy > best.acc) {
          if (best.state) tf.dispose([...best.state.values()]);
          best = { acc: point.validAccuracy, epoch, state: new Map([...model.stateDict()].map(([kk, v]) => [kk, tf.clone(v)])) };
        }
      }
      history.push(point);
    }
    if (best.state) model.loadStateDict(best.state);
  } finally {
    tf.dispose([xs, ps]);
    if (vx) vx.dispose();
    if (best.state) tf.dispose([...best.state.values()]);
    opt.dispose();
  }
  return { model, scaler, bestEpoch: best.state ? best.epoch : o.epochs, trainRows: n, history };
}

/** Class probabilities (n × k) of a trained end model for raw features X (n × d). */
export function endModelProba(t: { model: EndModel; scaler: ZScoreScaler }, X: Float64Array, d: number): Float64Array {
  const n = X.length / d;
  const probs = tf.tidy(() => tf.softmax(t.model.forward(tf.tensor2d(t.scaler.transform(Float32Array.from(X)), [n, d]))));
  try {
    return Float64Array.from(probs.dataSync());
  } finally {
    probs.dispose();
  }
}

/** Rows (indices) where at least one ILF votes. */
export function coveredRows(L: Int32Array, n: number, nIlf: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < nIlf; j++) {
      if (L[i * nIlf + j]! >= 0) {
        out.push(i);
        break;
      }
    }
  }
  return out;
}

/** A trained end model as stored with the label models. */
export interface StoredEndModel {
  model: EndModel;
  scaler: ZScoreScaler;
  labelSource: LabelModelName;
  bestEpoch: number;
}
