/**
 * Hard-concrete (L0) gates (Louizos, Welling & Kingma 2018), in the form CoFi / Compresso /
 * NutePrune use for structured pruning masks (docs/research/sequence.md §2(a)).
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from './module.js';
import { normal } from './init.js';
import type { Rng } from '../util/random.js';

/** Uniform noise is drawn from (ε, 1 − ε) so log u and log(1 − u) stay finite. */
const NOISE_EPS = 1e-6;

export interface HardConcreteOptions {
  /** Temperature β (default 2/3). */
  beta?: number;
  /** Stretch interval (l, r) (default (−0.1, 1.1)). */
  limits?: [number, number];
  /** Mean of the log α initialisation; default log(1 − p) − log p from `droprateInit`. */
  initMean?: number;
  /** Initial drop rate p (default 0.5, i.e. mean 0); ignored when `initMean` is given. */
  droprateInit?: number;
  /** Std of the log α initialisation (default 0.01, as CoFi). */
  initStd?: number;
  /**
   * What `forward()` returns in eval mode: 'expected' (default) Louizos's test-time gate
   * min(1, max(0, σ(log α)(r − l) + l)); 'cofi' the `deterministicMask()` of CoFi / NutePrune.
   */
  evalMode?: 'expected' | 'cofi';
}

/**
 * Hard-concrete sample from given uniform noise `u` (same shape as `logAlpha`):
 *   s = σ((log u − log(1 − u) + log α)/β),  z = min(1, max(0, s·(r − l) + l)).
 * Differentiable in log α almost everywhere. Exposed so tests and custom samplers can fix u.
 */
export function hardConcreteFromNoise(logAlpha: tf.Tensor, u: tf.Tensor, beta = 2 / 3, limits: [number, number] = [-0.1, 1.1]): tf.Tensor {
  const [l, r] = limits;
  return tf.tidy(() => {
    const s = tf.sigmoid(tf.div(tf.add(tf.sub(tf.log(u), tf.log1p(tf.neg(u))), logAlpha), beta));
    return tf.clipByValue(tf.add(tf.mul(s, r - l), l), 0, 1);
  });
}

/** Python's round(): halves go to the even neighbour (CoFi rounds the expected zero count with it). */
function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * A tensor of L0 gates z ∈ [0, 1] with one learnable `log_alpha` per gate (shape `shape`).
 * Training: a fresh hard-concrete sample per call (noise from `tf.randomUniform` seeded by the
 * Rng, so runs repeat). Eval: the deterministic gate chosen by `evalMode`. `l0Norm()` is the
 * expected number of nonzero gates, differentiable in log α (the sparsity penalty).
 */
export class HardConcrete extends Module {
  readonly shape: number[];
  readonly beta: number;
  readonly limits: [number, number];
  readonly evalMode: 'expected' | 'cofi';
  readonly logAlpha: tf.Variable;

  constructor(
    shape: number | number[],
    private readonly rng: Rng,
    opts: HardConcreteOptions = {},
  ) {
    super();
    this.shape = typeof shape === 'number' ? [shape] : [...shape];
    this.beta = opts.beta ?? 2 / 3;
    this.limits = opts.limits ?? [-0.1, 1.1];
    const [l, r] = this.limits;
    if (!(l < 0 && r > 1)) throw new Error(`HardConcrete: limits must satisfy l < 0 < 1 < r, got (${l}, ${r})`);
    this.evalMode = opts.evalMode ?? 'expected';
    const p = opts.droprateInit ?? 0.5;
    if (opts.initMean === undefined && !(p > 0 && p < 1)) throw new Error(`HardConcrete: droprateInit must be in (0, 1), got ${p}`);
    const mean = opts.initMean ?? Math.log(1 - p) - Math.log(p);
    this.logAlpha = this.param('log_alpha', normal(rng, this.shape, mean, opts.initStd ?? 0.01));
  }

  /** Gates, shaped `shape`: a sample in training, deterministic in eval. */
  forward(): tf.Tensor {
    if (!this.training) return this.evalMode === 'cofi' ? this.deterministicMask() : this.expectedGate();
    return this.sample();
  }

  /** A hard-concrete sample (differentiable in log α). */
  protected override ownRngs(): Array<[string, Rng]> {
    return [['rng', this.rng]];
  }

  sample(): tf.Tensor {
    const seed = this.rng.tfSeed();
    return tf.tidy(() => {
      const u = tf.randomUniform(this.shape, NOISE_EPS, 1 - NOISE_EPS, 'float32', seed);
      return hardConcreteFromNoise(this.logAlpha, u, this.beta, this.limits);
    });
  }

  /** Louizos's test-time gate: min(1, max(0, σ(log α)·(r − l) + l)). */
  expectedGate(): tf.Tensor {
    const [l, r] = this.limits;
    return tf.tidy(() => tf.clipByValue(tf.add(tf.mul(tf.sigmoid(this.logAlpha), r - l), l), 0, 1));
  }

  /** P(z > 0) per gate = σ(log α − β·log(−l/r)). Differentiable. */
  keepProbability(): tf.Tensor {
    const [l, r] = this.limits;
    return tf.tidy(() => tf.sigmoid(tf.sub(this.logAlpha, this.beta * Math.log(-l / r))));
  }

  /** Expected number of nonzero gates, Σ P(z > 0) (a scalar; the L0 penalty). */
  l0Norm(): tf.Scalar {
    return tf.tidy(() => tf.sum(this.keepProbability()) as tf.Scalar);
  }

  /**
   * CoFi / NutePrune's deterministic mask, per row of the last axis (e.g. per layer for an
   * [L, H] head mask): n0 = round(n − Σ_row P(z > 0)) entries with the smallest soft value
   * σ(0.8·log α/β) are set to 0; the others *keep* their soft value (< 1), as the official code.
   */
  deterministicMask(): tf.Tensor {
    const n = this.shape[this.shape.length - 1]!;
    const rows = this.logAlpha.size / n;
    // One small read (a number per row) to get the integer counts; the rest stays batched.
    const expectedKept = tf.tidy(() => tf.sum(tf.reshape(this.keepProbability(), [rows, n]), 1)).dataSync() as Float32Array;
    const keepCount = Int32Array.from(expectedKept, (k) => n - Math.max(0, Math.min(n, roundHalfEven(n - k))));
    return tf.tidy(() => {
      const soft = tf.reshape(tf.sigmoid(tf.mul(this.logAlpha, 0.8 / this.beta)), [rows, n]);
      const { indices } = tf.topk(soft, n, true); // [rows, n], largest first
      const rank = tf.reshape(tf.range(0, n, 1, 'int32'), [1, n]);
      const keepSorted = tf.cast(tf.less(rank, tf.reshape(tf.tensor1d(keepCount, 'int32'), [rows, 1])), 'float32');
      const flatIdx = tf.add(indices, tf.reshape(tf.range(0, rows * n, n, 'int32'), [rows, 1]));
      const keep = tf.unsortedSegmentSum(tf.reshape(keepSorted, [-1]), tf.reshape(flatIdx, [-1]) as tf.Tensor1D, rows * n);
      return tf.reshape(tf.mul(tf.reshape(soft, [-1]), keep), this.shape);
    });
  }

  /** Clamp log α into [min, max] after an optimiser step (NutePrune: [log 0.01, log 100]). */
  clampLogAlpha(min = Math.log(0.01), max = Math.log(100)): void {
    tf.tidy(() => {
      this.logAlpha.assign(tf.clipByValue(this.logAlpha, min, max));
    });
  }
}
