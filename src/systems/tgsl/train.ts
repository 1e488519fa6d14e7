/**
 * Training as the official `TGAT+TGSL/train.py` does it, through the shared `fit` loop: batches of
 * 200 training interactions in time order (not shuffled), one random destination per positive as
 * the negative, one Adam (lr 1e-4) over every trained module, and the loss
 *   BCE(f_q on G) + BCE(f_q on G_aug) + coe · InfoNCE(q on G_aug, k = f_k on G, queue)
 * (the backbone alone: the first term); validation AP (official protocol) after every epoch, early
 * stopping with patience 3 on a relative gain of 1e-3. The key encoder is updated (EMA) before its
 * keys are computed and the keys enter the queue after the step, as in the official forward.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Adam } from '../../optim/optimizers.js';
import { fit, type EpochRecord } from '../../train/fit.js';
import type { TrainCallOptions } from '../../system/types.js';
import { Rng } from '../../util/random.js';
import type { ResolvedTGSLConfig } from './config.js';
import type { RunContext } from './data.js';
import { TGSLNet, batchNodes, edgeEmbeddingTable, infoNce, l2normalize, linkBce, pairLogits, plainView, refine } from './model.js';
import { drawQueries, officialScores, scoreQueries, timeBatches } from './evaluate.js';

/** Validation numbers of one epoch (official protocol: mean of per-batch AP / AUC). */
export interface EpochScores {
  ap: number;
  auc: number;
  newAp: number;
  newAuc: number;
}

export interface FittedTGSL {
  net: TGSLNet;
  config: ResolvedTGSLConfig;
  history: EpochRecord<EpochScores>[];
  keptEpoch: number;
  stoppedEarly: boolean;
  interrupted: boolean;
  seed: number;
  parameters: { trainable: number; total: number };
}

/** Train a backbone (cfg.tgsl false) or TGSL on the context's split. */
export async function trainTGSL(ctx: RunContext, cfg: ResolvedTGSLConfig, opts: TrainCallOptions & { label?: string }): Promise<FittedTGSL> {
  const seed = opts.seed ?? 0;
  const log = opts.log ?? (() => undefined);
  const label = opts.label ?? (cfg.tgsl ? 'TGSL' : cfg.backbone === 'tgat' ? 'TGAT' : 'GraphMixer');
  const net = new TGSLNet(cfg, seed);
  const total = net.numParameters();
  const trainable = net.numParameters(true);
  const optimizer = new Adam(net.namedTrainable(), { lr: cfg.lr });
  const root = new Rng(seed ^ 0x5eed);
  const rng = root.fork();
  const evalSeed = root.nextUint32();
  const g = ctx.graph;
  const train = ctx.split.train;
  const tMax1 = ctx.split.tMax + 1;
  const batches = timeBatches(train.length, cfg.batchSize, cfg.dropLast);
  const state = {
    save: () => ({ rng: rng.getState(), queuePtr: net.queuePtr }),
    load: (s: unknown) => {
      const v = s as { rng: number[]; queuePtr: number };
      rng.setState(v.rng);
      net.queuePtr = v.queuePtr;
      net.syncQueue();
    },
  };
  log(`${label}: ${trainable} trained parameters; ${train.length} training interactions in ${batches.length} batches; ${ctx.split.val.length} validation, ${ctx.split.test.length} test`);
  // Validation queries (negatives, MRR candidates) drawn once so every epoch is scored on the same ones.
  const qo = { batch: cfg.batchSize, mrr: 0, dropLast: cfg.dropLast };
  const valQueries = drawQueries(ctx, ctx.split.val, ctx.samplers.all, new Rng(evalSeed), qo);
  // The official new-node validation draws its negatives from all destinations too (graph.md §2f pitfall 2).
  const newValQueries = drawQueries(ctx, ctx.split.newVal, ctx.samplers.all, new Rng(evalSeed + 1), qo);
  try {
    const res = await fit<[number, number], EpochScores>({
      model: net,
      optimizer,
      epochs: cfg.epochs,
      rng,
      state,
      batches: () => batches,
      step: ([s, e]) => {
        const idx = train.subarray(s, e);
        const B = idx.length;
        const src = Int32Array.from(idx, (i) => g.src[i]!);
        const dst = Int32Array.from(idx, (i) => g.dst[i]!);
        const t = Float64Array.from(idx, (i) => g.t[i]!);
        const neg = ctx.samplers.train.sample(B, rng);
        const origView = plainView(ctx, ctx.trainFinder, cfg.sampling, rng);
        let nodes: Int32Array | null = null;
        let keys: tf.Tensor2D | null = null;
        if (cfg.tgsl) {
          nodes = batchNodes(src, dst, null);
          net.momentumUpdate();
          const nk = nodes;
          keys = tf.tidy(() => l2normalize(net.encoderK!.embed(nk, new Float64Array(nk.length).fill(tMax1), origView)));
        }
        const parts: Record<string, number> = {};
        const kept: tf.Scalar[] = [];
        const { value, grads } = tf.variableGrads(() => {
          const o = pairLogits(net.encoder, origView, src, dst, neg, t);
          const bceOrig = linkBce(o.pos, o.neg);
          kept.push(tf.keep(bceOrig));
          if (!cfg.tgsl) return bceOrig;
          const emb = edgeEmbeddingTable(net, ctx);
          const r = refine(net, ctx, emb, nodes!, ctx.trainFinder, rng);
          const a = pairLogits(net.encoder, r.view, src, dst, neg, t);
          const bceAug = linkBce(a.pos, a.neg);
          const q = l2normalize(net.encoder.embed(nodes!, new Float64Array(nodes!.length).fill(tMax1), r.view));
          const nce = infoNce(q, keys!, net.queue!, cfg.tau);
          kept.push(tf.keep(bceAug), tf.keep(nce));
          return tf.addN([bceOrig, bceAug, tf.mul(nce, cfg.coe)]) as tf.Scalar;
        }, optimizer.variables());
        try {
          const loss = value.dataSync()[0]!;
          parts['loss'] = loss;
          parts['bce'] = kept[0]!.dataSync()[0]!;
          if (cfg.tgsl) {
            parts['bceAug'] = kept[1]!.dataSync()[0]!;
            parts['infoNce'] = kept[2]!.dataSync()[0]!;
          }
          if (Number.isFinite(loss)) optimizer.step(grads);
          if (keys) net.enqueue(keys.dataSync() as Float32Array, keys.shape[0]);
          return parts;
        } finally {
          tf.dispose([value, ...kept, ...(keys ? [keys] : []), ...Object.values(grads).filter((x): x is tf.Tensor => x != null)]);
        }
      },
      validate: () => {
        const v = officialScores(scoreQueries(net, ctx, valQueries, new Rng(evalSeed + 2)));
        const nv = newValQueries.batches.length ? officialScores(scoreQueries(net, ctx, newValQueries, new Rng(evalSeed + 3))) : { ap: NaN, auc: NaN };
        return { ap: v.ap, auc: v.auc, newAp: nv.ap, newAuc: nv.auc };
      },
      monitor: { value: (r) => (r.valid && Number.isFinite(r.valid.ap) ? r.valid.ap : undefined), mode: 'max' },
      restore: cfg.restore === 'official' ? 'best-if-stopped' : 'best',
      // The official EarlyStopMonitor: a gain counts when (v − best)/|best| > tolerance.
      earlyStopping: { patience: cfg.patience, minDelta: cfg.tolerance, relative: true },
      checkpoint: opts.checkpoint ? { ...opts.checkpoint, config: { config: { ...cfg, epochs: undefined }, seed }, system: 'tgsl' } : undefined,
      signal: opts.signal,
      progress: opts.progress,
      epochEnd: (r) => {
        const tag = cfg.tgsl ? 'tgsl' : 'backbone';
        opts.curve?.(r.epoch, `train-${tag}`, r.train);
        if (r.valid) opts.curve?.(r.epoch, `valid-${tag}`, { ap: r.valid.ap, auc: r.valid.auc, newAp: r.valid.newAp });
        const parts = cfg.tgsl ? ` (BCE ${r.train['bce']!.toFixed(4)} + BCE aug ${r.train['bceAug']!.toFixed(4)} + ${cfg.coe}·InfoNCE ${r.train['infoNce']!.toFixed(4)})` : '';
        const v = r.valid
          ? ` | validation AP ${r.valid.ap.toFixed(4)} AUC ${r.valid.auc.toFixed(4)}, inductive AP ${Number.isFinite(r.valid.newAp) ? r.valid.newAp.toFixed(4) : '–'}${r.best ? ' *' : ''}`
          : '';
        log(`${label} epoch ${r.epoch}/${cfg.epochs} | train loss ${r.train['loss']!.toFixed(4)}${parts}${v} | ${r.seconds.toFixed(1)} s`);
      },
    });
    if (res.resumedFrom > 0) log(`${label}: resumed after epoch ${res.resumedFrom}`);
    net.eval();
    return { net, config: cfg, history: res.history, keptEpoch: res.keptEpoch, stoppedEarly: res.stoppedEarly, interrupted: res.interrupted, seed, parameters: { trainable, total } };
  } catch (e) {
    net.dispose();
    throw e;
  } finally {
    optimizer.dispose();
  }
}
