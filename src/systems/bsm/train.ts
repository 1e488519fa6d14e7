/**
 * Pre-training through the shared `fit` loop: every step takes `batchSize` packed rows of the
 * current round (next-token loss on the aligned targets, samples never scored across their
 * boundary), AdamW (β 0.9 / --beta2, decoupled decay), global-norm clipping, and the learning rate
 * of the step (warm-up + cosine for one mixture; per-round linear decay for the three rounds).
 * An "epoch" of `fit` is --eval-every steps, after which the held-out single-modal NLL is measured
 * (the paper's Fig. 1 curve).
 */
import * as tf from '@tensorflow/tfjs-core';
import { AdamW } from '../../optim/optimizers.js';
import { trainStep } from '../../train/step.js';
import { fit, type EpochRecord } from '../../train/fit.js';
import type { TrainCallOptions } from '../../system/types.js';
import { learningRateAt, roundAt, type MixRound } from '../../data/bio/index.js';
import { alignedLMLoss, type LlamaForCausalLM } from '../../nn/transformer/index.js';
import { Rng } from '../../util/random.js';
import type { BSMConfig } from './config.js';
import { trainingRows, type BSMData, type RoundRows } from './data.js';
import { buildBSM } from './model.js';
import { singleModalNll, validationWindows, type NllWindows } from './evaluate.js';

/** Held-out single-modal NLL after an evaluation interval. */
export interface EpochScores {
  proteinNll: number;
  dnaNll: number;
  step: number;
  round: string;
}

export interface FittedBSM {
  net: LlamaForCausalLM;
  config: BSMConfig;
  history: EpochRecord<EpochScores>[];
  seed: number;
  parameters: number;
  /** What each round trained on. */
  rounds: Array<{ name: string; steps: number; samples: number; tokens: number; kinds: Record<string, number> }>;
  interrupted: boolean;
}

/** The learning rate at a step. */
export function lrAt(cfg: BSMConfig, rounds: readonly MixRound[], step: number): number {
  if (cfg.schedule === 'rounds') return learningRateAt(rounds, step);
  if (step < cfg.warmup) return (cfg.lr * (step + 1)) / cfg.warmup;
  const span = Math.max(1, cfg.steps - cfg.warmup);
  const p = Math.min(1, (step - cfg.warmup) / span);
  const lo = cfg.lr * cfg.minLrRatio;
  return lo + (cfg.lr - lo) * 0.5 * (1 + Math.cos(Math.PI * p));
}

/** Row indices of the rows a step trains on (the round's rows in their seeded order, starting over when used up). */
function rowsOfStep(r: RoundRows, stepInRound: number, B: number): number[] {
  const R = r.rows.rows;
  return Array.from({ length: B }, (_, j) => (stepInRound * B + j) % R);
}

/** Pre-train BSM on the data's training set. */
export async function trainBSM(data: BSMData, cfg: BSMConfig, opts: TrainCallOptions): Promise<FittedBSM> {
  const seed = opts.seed ?? 0;
  const log = opts.log ?? (() => undefined);
  const rounds = trainingRows(data.train, cfg, seed);
  const schedule = rounds.map((r) => r.round);
  for (const r of rounds) {
    const steps = r.round.endStep - r.round.startStep;
    if (steps > 0 && r.rows.rows === 0) throw new Error(`BSM: round ${r.round.name} packed no rows`);
    log(
      `BSM ${cfg.corpus} ${r.round.name}: steps ${r.round.startStep + 1}–${r.round.endStep}, ${r.samples} samples, ${r.tokens} tokens in ${r.rows.rows} rows of ${cfg.context} (${Object.entries(
        r.kinds,
      )
        .map(([k, v]) => `${k} ${((100 * v) / Math.max(1, r.tokens)).toFixed(0)} %`)
        .join(', ')})${r.rows.dropped.length ? `; ${r.rows.dropped.length} samples longer than the context left out` : ''}`,
    );
  }
  const net = buildBSM(cfg, seed);
  const parameters = net.numParameters();
  const optimizer = new AdamW(net.namedTrainable(), { lr: cfg.lr, betas: [0.9, cfg.beta2], weightDecay: cfg.weightDecay });
  const val: NllWindows = validationWindows(data.heldout, cfg, new Rng(seed ^ 0x7a1));
  const E = Math.ceil(cfg.steps / cfg.evalEvery);
  const B = cfg.batchSize;
  const L = cfg.context;
  log(
    `BSM: ${parameters} parameters; ${cfg.steps} steps of ${B} × ${L} tokens; validation every ${cfg.evalEvery} steps on ${val.protein.length} protein and ${val.dna.length} DNA windows of ${data.heldout.source}`,
  );
  try {
    const res = await fit<number, EpochScores>({
      model: net,
      optimizer,
      epochs: E,
      batches: (epoch) => {
        const out: number[] = [];
        for (let s = (epoch - 1) * cfg.evalEvery; s < Math.min(cfg.steps, epoch * cfg.evalEvery); s++) out.push(s);
        return out;
      },
      step: (step) => {
        const round = roundAt(schedule, step);
        const rr = rounds.find((r) => r.round === round)!;
        const rows = rowsOfStep(rr, step - round.startStep, B);
        const inp = new Int32Array(B * L);
        const tgt = new Int32Array(B * L);
        const w = new Float32Array(B * L);
        rows.forEach((r, j) => {
          inp.set(rr.rows.inputs.subarray(r * L, (r + 1) * L), j * L);
          tgt.set(rr.rows.targets.subarray(r * L, (r + 1) * L), j * L);
          w.set(rr.rows.lossMask.subarray(r * L, (r + 1) * L), j * L);
        });
        optimizer.lr = lrAt(cfg, schedule, step);
        const x = tf.tensor2d(inp, [B, L], 'int32');
        const y = tf.tensor2d(tgt, [B, L], 'int32');
        const m = tf.tensor2d(w, [B, L]);
        try {
          return trainStep({ optimizer, loss: () => alignedLMLoss(net.forward(x).logits, y, m), ...(cfg.clip > 0 ? { clipNorm: cfg.clip } : {}) });
        } finally {
          tf.dispose([x, y, m]);
        }
      },
      validate: (epoch) => {
        const step = Math.min(cfg.steps, epoch * cfg.evalEvery);
        const n = singleModalNll(net, val);
        return { proteinNll: n.protein, dnaNll: n.dna, step, round: roundAt(schedule, step - 1).name };
      },
      checkpoint: opts.checkpoint ? { ...opts.checkpoint, config: { config: cfg, seed }, system: 'bsm' } : undefined,
      signal: opts.signal,
      progress: opts.progress,
      epochEnd: (r) => {
        opts.curve?.(r.epoch * cfg.evalEvery, `train-${cfg.corpus}`, r.train);
        if (r.valid) opts.curve?.(r.epoch * cfg.evalEvery, `heldout-${cfg.corpus}`, { proteinNll: r.valid.proteinNll, dnaNll: r.valid.dnaNll });
        const v = r.valid ? ` | held-out NLL protein ${r.valid.proteinNll.toFixed(4)} DNA ${r.valid.dnaNll.toFixed(4)}` : '';
        log(
          `BSM ${cfg.corpus} step ${Math.min(cfg.steps, r.epoch * cfg.evalEvery)}/${cfg.steps} (${r.valid?.round ?? ''}) | train loss ${r.train['loss']!.toFixed(4)} | lr ${optimizer.lr.toExponential(2)}${v} | ${r.seconds.toFixed(1)} s`,
        );
      },
    });
    if (res.resumedFrom > 0) log(`BSM: resumed after step ${res.resumedFrom * cfg.evalEvery}`);
    net.eval();
    return {
      net,
      config: cfg,
      history: res.history,
      seed,
      parameters,
      interrupted: res.interrupted,
      rounds: rounds.map((r) => ({ name: r.round.name, steps: r.round.endStep - r.round.startStep, samples: r.samples, tokens: r.tokens, kinds: r.kinds })),
    };
  } catch (e) {
    net.dispose();
    throw e;
  } finally {
    optimizer.dispose();
  }
}
