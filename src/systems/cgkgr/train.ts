/**
 * Training as the official `exp.py` does it: neighbour samples re-drawn at the start of every
 * epoch, training rows reshuffled, only full batches (the trailing partial batch is dropped),
 * Adam (β 0.9/0.999, ε 1e-8), and after each epoch the official CTR evaluation on the eval and
 * test splits (with that epoch's sample) and, optionally, the official 100-user Top-K.
 *
 * Model selection, both protocols: official — test AUC/F1 at the epoch of best per-batch eval
 * AUC, Top-K test numbers per K at the epoch of best eval Recall@K; full — the weights (and the
 * sample) of the epoch with the best global eval AUC are kept and evaluated at the end. The loop is `fit`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Adam } from '../../optim/optimizers.js';
import { fit, type ProgressSink } from '../../train/fit.js';
import type { Storage } from '../../io/storage.js';
import { lazyMap } from '../../data/batches.js';
import { InputError } from '../../util/errors.js';
import { Rng } from '../../util/random.js';
import type { CgkgrConfig, SummaryRows } from './config.js';
import { CgkgrNet } from './model.js';
import { buildKgAdjacency, buildTrainGraph, splitRows, takeRows, type CgkgrDataset, type Interactions, type KgAdjacency, type KnowledgeGraph, type RowSplit, type TrainGraph } from './data.js';
import { coldCounts, disposeSampleTensors, sampleNeighbours, sampleToTensors, type NeighbourSample, type SampleTensors } from './sampling.js';
import { TOPK_KS, ctrScores, evaluateSplit, modelScorers, officialTopKUsers, type CtrScores, type RankingReport } from './evaluate.js';

/** A dataset split and indexed for training. */
export interface PreparedData {
  dataset: CgkgrDataset;
  split: RowSplit;
  splitSeed: number;
  splitRatios: [number, number, number];
  train: Interactions;
  eval: Interactions;
  test: Interactions;
  graph: TrainGraph;
  /** Which training rows `graph` holds. */
  summaryRows: SummaryRows;
  /** Users and items without any training row (their summaries follow the noInteraction policy). */
  cold: { users: number[]; items: number[] };
}

/**
 * Split the rows (official 6:2:2 random split, seeded) and index the training interactions the
 * summaries sample from (all train rows, as the official code, or only positives).
 */
export function prepareData(dataset: CgkgrDataset, opts: { splitSeed: number; splitRatios?: [number, number, number]; summaryRows?: SummaryRows }): PreparedData {
  const ratios = opts.splitRatios ?? [0.6, 0.2, 0.2];
  const split = splitRows(dataset.ratings.users.length, new Rng(opts.splitSeed), ratios);
  const train = takeRows(dataset.ratings, split.train);
  const summaryRows = opts.summaryRows === 'positives' ? takeRows(train, Int32Array.from(Array.from(train.labels.keys()).filter((k) => train.labels[k] === 1))) : train;
  const graph = buildTrainGraph(summaryRows, dataset.nUser, dataset.nItem);
  return {
    dataset,
    split,
    splitSeed: opts.splitSeed,
    splitRatios: ratios,
    train,
    eval: takeRows(dataset.ratings, split.eval),
    test: takeRows(dataset.ratings, split.test),
    graph,
    summaryRows: opts.summaryRows ?? 'all',
    cold: coldCounts(graph),
  };
}

/** One epoch's numbers. */
export interface EpochRecord {
  epoch: number;
  /** Mean training loss over the epoch's steps (BCE + L2, as the official log). */
  loss: number;
  bce: number;
  steps: number;
  trainSeconds: number;
  eval: CtrScores;
  test: CtrScores;
  /** Official 100-user Top-K on eval and test (when enabled). */
  topK: { eval: RankingReport; test: RankingReport } | null;
}

/** The official model-selection results. */
export interface OfficialSelection {
  /** Epoch with the best per-batch eval AUC, and the test AUC / F1 at that epoch. */
  bestEpoch: number;
  testAuc: number;
  testF1: number | null;
  /** Per K: epoch of best eval Recall@K and the test Recall/NDCG@K there. */
  topK: Array<{ k: number; bestEpoch: number; recall: number; ndcg: number }> | null;
}

export interface TrainOptions {
  config: CgkgrConfig;
  /** Seed for the initialisation, sampling, shuffling and Top-K user draws. */
  seed: number;
  /** Run the official 100-user Top-K after every epoch (default true, as the official 'ALL' task). */
  officialTopK?: boolean;
  /** Users in the official Top-K (default 100). */
  topKUsers?: number;
  /** Replace the KG (the random-KG ablation). */
  kg?: KnowledgeGraph;
  /** Label for log lines (e.g. "model", "random-KG"). */
  label?: string;
  log?: (line: string) => void;
  onEpoch?: (rec: EpochRecord) => void;
  signal?: AbortSignal;
  progress?: ProgressSink;
  /**
   * Resumable progress: after every epoch the model, optimiser, every generator (sampling,
   * shuffling, Top-K users, dropout), the history and the best weights so far are checkpointed
   * in `dir`; a folder holding a checkpoint resumes.
   */
  checkpoint?: { storage: Storage; dir: string };
}

/** The validation of one epoch: the official CTR scores on eval and test, and the official Top-K. */
type EpochScores = Pick<EpochRecord, 'eval' | 'test' | 'topK'>;

export interface TrainResult {
  model: CgkgrNet;
  /** Neighbour sample of the kept epoch and the sampler state that reproduces it. */
  sample: NeighbourSample;
  sampleState: number[];
  /** Epoch whose weights are kept (best global eval AUC); 0 = no epoch ran. */
  bestEpoch: number;
  history: EpochRecord[];
  official: OfficialSelection;
  kgAdj: KgAdjacency;
  steps: number;
  /** Mean wall seconds of one epoch's training steps. */
  secondsPerEpoch: number;
}

function formatCtr(c: CtrScores): string {
  return `AUC official(per-batch) ${c.aucOfficial.toFixed(4)} | AUC global ${c.aucGlobal.toFixed(4)} | F1 official ${c.f1Official?.toFixed(4) ?? '-'}`;
}

/** Train CG-KGR on prepared data (see the module comment). */
export async function trainCgkgr(prep: PreparedData, opts: TrainOptions): Promise<TrainResult> {
  const cfg = opts.config;
  const log = opts.log ?? (() => undefined);
  const label = opts.label ?? 'model';
  const ds = prep.dataset;
  const kg = opts.kg ?? ds.kg;
  const kgAdj = buildKgAdjacency(kg);
  const nTrain = prep.train.users.length;
  if ((prep.summaryRows ?? 'all') !== cfg.summaryRows) {
    throw new InputError(`the data was prepared with summaryRows '${prep.summaryRows ?? 'all'}' but the config asks for '${cfg.summaryRows}' (pass it to prepareData)`);
  }
  if (nTrain < cfg.batchSize) {
    throw new InputError(`the train split has ${nTrain} rows, fewer than one batch of ${cfg.batchSize} (the official loop drops partial batches, so nothing would train); lower --batch-size`);
  }
  const root = new Rng(opts.seed);
  const initSeed = root.nextUint32();
  const sampleRng = root.fork();
  const shuffleRng = root.fork();
  const topKRng = root.fork();
  const model = new CgkgrNet(cfg, { nUser: ds.nUser, nEntity: kg.nEntity, nRelation: kg.nRelation }, initSeed);
  const opt = new Adam(model.namedTrainable(), { lr: cfg.lr, betas: [0.9, 0.999], eps: 1e-8 });
  const vars = opt.variables();
  const officialUsers = opts.officialTopK === false ? null : { n: opts.topKUsers ?? 100 };
  const B = cfg.batchSize;
  // The epoch's neighbour sample (drawn at its start) and the sampler state that drew it.
  let epochState: number[] = sampleRng.getState();
  let st: SampleTensors | null = null;
  const bu = new Int32Array(B);
  const bi = new Int32Array(B);
  const bl = new Float32Array(B);
  try {
    const res = await fit<number, EpochScores>({
      model,
      optimizer: opt,
      epochs: cfg.nEpoch,
      epochStart: () => {
        epochState = sampleRng.getState();
        st = sampleToTensors(sampleNeighbours(prep.graph, kgAdj, cfg.sampleSize, sampleRng, cfg.noInteraction));
      },
      batches: () => {
        const order = shuffleRng.permutation(nTrain);
        // Only full batches, as the official loop.
        const starts = Array.from({ length: Math.floor(nTrain / B) }, (_, k) => k * B);
        return lazyMap(starts, (s0) => {
          for (let k = 0; k < B; k++) {
            const r = order[s0 + k]!;
            bu[k] = prep.train.users[r]!;
            bi[k] = prep.train.items[r]!;
            bl[k] = prep.train.labels[r]!;
          }
          return s0;
        });
      },
      step: () => {
        const users = tf.tensor1d(bu, 'int32');
        const items = tf.tensor1d(bi, 'int32');
        const labels = tf.tensor1d(bl, 'float32');
        let bce: tf.Scalar | null = null;
        const { value, grads } = tf.variableGrads(() => {
          const l = model.loss(users, items, labels, st!);
          bce = tf.keep(l.bce);
          return l.total;
        }, vars);
        opt.step(grads);
        const loss = value.dataSync()[0]!;
        const b = (bce as tf.Scalar | null)?.dataSync()[0] ?? NaN;
        tf.dispose([value, users, items, labels, ...Object.values(grads)]);
        if (bce) (bce as tf.Scalar).dispose();
        return { loss, bce: b };
      },
      // Official CTR evaluation with this epoch's sample.
      validate: () => {
        const sc = modelScorers(model, st!, ds.nItem, { batchSize: B });
        try {
          const evalCtr = ctrScores(prep.eval, sc.pairs(prep.eval.users, prep.eval.items), B, true);
          const testCtr = ctrScores(prep.test, sc.pairs(prep.test.users, prep.test.items), B, true);
          let topK: EpochRecord['topK'] = null;
          if (officialUsers) {
            const common = { batchSize: B, probabilities: true, nItem: ds.nItem, nUser: ds.nUser, fullRanking: false };
            const ev = evaluateSplit('eval', prep.eval, sc, prep, { ...common, officialUsers: officialTopKUsers(prep.train, prep.eval, officialUsers.n, topKRng) });
            const te = evaluateSplit('test', prep.test, sc, prep, { ...common, officialUsers: officialTopKUsers(prep.train, prep.test, officialUsers.n, topKRng) });
            topK = { eval: ev.official!, test: te.official! };
          }
          return { eval: evalCtr, test: testCtr, topK };
        } finally {
          sc.dispose();
        }
      },
      monitor: { value: (r) => r.valid?.eval.aucGlobal, mode: 'max' },
      bestState: () => epochState,
      state: {
        save: () => ({ sample: sampleRng.getState(), shuffle: shuffleRng.getState(), topK: topKRng.getState() }),
        load: (x) => {
          const r = x as { sample: number[]; shuffle: number[]; topK: number[] };
          sampleRng.setState(r.sample);
          shuffleRng.setState(r.shuffle);
          topKRng.setState(r.topK);
        },
      },
      // Training longer is still the same run: the epoch count is not part of the resume check.
      checkpoint: opts.checkpoint ? { ...opts.checkpoint, config: { config: { ...cfg, nEpoch: undefined }, seed: opts.seed, label }, system: 'cgkgr' } : undefined,
      signal: opts.signal,
      progress: opts.progress,
      epochEnd: (r) => {
        if (st) disposeSampleTensors(st);
        st = null;
        const rec = toRecord(r);
        log(`[${label}] epoch ${rec.epoch}/${cfg.nEpoch}  loss ${rec.loss.toFixed(4)}  train ${rec.trainSeconds.toFixed(1)} s`);
        log(`[${label}]   eval split: ${formatCtr(rec.eval)}`);
        log(`[${label}]   test split: ${formatCtr(rec.test)}`);
        if (rec.topK) {
          const r20 = (x: RankingReport): string => {
            const m = x.atK.find((y) => y.k === 20);
            return m ? `Recall@20 ${m.recall.toFixed(4)} NDCG@20 ${m.ndcg.toFixed(4)}` : '';
          };
          log(`[${label}]   official Top-K (${rec.topK.test.users} sampled users): eval ${r20(rec.topK.eval)} | test ${r20(rec.topK.test)}`);
        }
        opts.onEpoch?.(rec);
      },
    });
    if (res.resumedFrom > 0) log(`[${label}] resumed after epoch ${res.resumedFrom}`);
    const history = res.history.map(toRecord);
    // The kept epoch's neighbour sample, redrawn from the sampler state that made it; with no
    // epoch, the untrained model with a fresh sample.
    let sampleState: number[];
    if (res.bestEpoch > 0) sampleState = res.bestState as number[];
    else sampleState = sampleRng.getState();
    const r = new Rng(0);
    r.setState(sampleState);
    const sample = sampleNeighbours(prep.graph, kgAdj, cfg.sampleSize, r, cfg.noInteraction);
    model.eval();
    const trainSeconds = history.reduce((a, h) => a + h.trainSeconds, 0);
    return {
      model,
      sample,
      sampleState,
      bestEpoch: res.bestEpoch,
      history,
      official: officialSelection(history),
      kgAdj,
      steps: res.steps,
      secondsPerEpoch: history.length > 0 ? trainSeconds / history.length : NaN,
    };
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    if (st) disposeSampleTensors(st);
    opt.dispose();
  }
}

function toRecord(r: { epoch: number; train: Record<string, number>; valid: EpochScores | null; steps: number; trainSeconds: number }): EpochRecord {
  return { epoch: r.epoch, loss: r.train['loss']!, bce: r.train['bce']!, steps: r.steps, trainSeconds: r.trainSeconds, eval: r.valid!.eval, test: r.valid!.test, topK: r.valid!.topK };
}

/** Official model selection over the epoch records (`Exp_all`). */
export function officialSelection(history: EpochRecord[]): OfficialSelection {
  let bestAuc = 0;
  let sel: OfficialSelection = { bestEpoch: 0, testAuc: NaN, testF1: null, topK: null };
  for (const h of history) {
    if (h.eval.aucOfficial > bestAuc) {
      bestAuc = h.eval.aucOfficial;
      sel = { bestEpoch: h.epoch, testAuc: h.test.aucOfficial, testF1: h.test.f1Official, topK: null };
    }
  }
  if (history.length > 0 && history.every((h) => h.topK)) {
    const ks = history[0]!.topK!.eval.atK.map((m) => m.k);
    sel.topK = ks.map((k, q) => {
      let bestR = 0;
      let at = history[0]!;
      let found = false;
      for (const h of history) {
        const r = h.topK!.eval.atK[q]!.recall;
        if (r > bestR) {
          bestR = r;
          at = h;
          found = true;
        }
      }
      const t = at.topK!.test.atK[q]!;
      return { k, bestEpoch: found ? at.epoch : 0, recall: found ? t.recall : NaN, ndcg: found ? t.ndcg : NaN };
    });
  }
  return sel;
}

export { TOPK_KS };
