/**
 * Scoring temporal links. The official protocol (`train.py` `eval_one_epoch`): the split's
 * interactions in time order in batches of 200, one random destination per positive as its
 * negative, AP and ROC-AUC per batch, averaged over batches; TGSL refines the graph for every
 * batch (learned edges added to the full history) before scoring. Beside it: global AP / AUC over
 * all pairs, and MRR of each positive among random and historical negatives (destinations the
 * source met before, as TGB's historical negatives). Queries are drawn once, so every model and
 * baseline is scored on exactly the same pairs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { averagePrecision, rocAuc } from '../../metrics/auc.js';
import type { RandomDestinationSampler } from '../../data/temporal/split.js';
import { Rng } from '../../util/random.js';
import type { RunContext } from './data.js';
import { batchNodes, edgeEmbeddingTable, plainView, refine, type AddedEdges, type TGSLNet } from './model.js';

/** Batches of positions into the split's interactions (in time order), the official `e_idx = min(n − 1, s + bs)` when `dropLast`. */
export function timeBatches(n: number, size: number, dropLast: boolean): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const end = dropLast ? n - 1 : n;
  for (let s = 0; s < n; s += size) {
    const e = Math.min(end, s + size);
    if (e > s) out.push([s, e]);
  }
  return out;
}

/** One scoring batch: positives, their negatives and (for MRR) R random and R historical negatives each. */
export interface QueryBatch {
  idx: Int32Array;
  src: Int32Array;
  dst: Int32Array;
  t: Float64Array;
  neg: Int32Array;
  randNeg: Int32Array | null;
  histNeg: Int32Array | null;
}

export interface Queries {
  batches: QueryBatch[];
  /** Negatives of each kind per positive for MRR (0: none). */
  mrr: number;
}

export interface QueryOptions {
  batch: number;
  mrr: number;
  dropLast: boolean;
}

/** Draw the negatives of every positive at `positions` (in time order). */
export function drawQueries(ctx: RunContext, positions: Int32Array, sampler: RandomDestinationSampler, rng: Rng, o: QueryOptions): Queries {
  const g = ctx.graph;
  const R = o.mrr;
  const batches: QueryBatch[] = [];
  for (const [s, e] of timeBatches(positions.length, o.batch, o.dropLast)) {
    const idx = positions.subarray(s, e);
    const B = idx.length;
    const src = Int32Array.from(idx, (i) => g.src[i]!);
    const dst = Int32Array.from(idx, (i) => g.dst[i]!);
    const t = Float64Array.from(idx, (i) => g.t[i]!);
    const neg = sampler.sample(B, rng);
    let randNeg: Int32Array | null = null;
    let histNeg: Int32Array | null = null;
    if (R > 0) {
      randNeg = sampler.sample(B * R, rng);
      histNeg = new Int32Array(B * R);
      for (let i = 0; i < B; i++) {
        const seen = [...new Set(ctx.fullFinder.before(src[i]!, t[i]!).nodes)].filter((v) => v !== dst[i] && v !== 0);
        for (let j = 0; j < R; j++) histNeg[i * R + j] = j < seen.length ? seen.splice(rng.int(seen.length), 1)[0]! : sampler.sample(1, rng)[0]!;
      }
    }
    batches.push({ idx, src, dst, t, neg, randNeg, histNeg });
  }
  return { batches, mrr: R };
}

/** Scores (probabilities) of one batch. */
export interface ScoredBatch {
  pos: Float32Array;
  neg: Float32Array;
  randNeg: Float32Array | null;
  histNeg: Float32Array | null;
  /** Mean query time of the batch. */
  time: number;
}

export interface Scored {
  batches: ScoredBatch[];
  /** Learned edges added per batch (TGSL only). */
  added: AddedEdges[];
}

/** Score queries with a trained network (eval mode; the seeded `rng` draws neighbour samples, t* and Gumbel noise). */
export function scoreQueries(net: TGSLNet, ctx: RunContext, q: Queries, rng: Rng): Scored {
  const cfg = net.cfg;
  const enc = net.encoder;
  net.eval();
  const R = q.mrr;
  const emb = cfg.tgsl ? edgeEmbeddingTable(net, ctx) : null;
  const out: Scored = { batches: [], added: [] };
  try {
    for (const b of q.batches) {
      const B = b.src.length;
      let res: Omit<ScoredBatch, 'time'> | null = null;
      tf.tidy(() => {
        let view = plainView(ctx, ctx.fullFinder, cfg.sampling, rng);
        if (emb) {
          const nodes = batchNodes(b.src, b.dst, ctx.trainNodeMask);
          if (nodes.length) {
            const r = refine(net, ctx, emb, nodes, ctx.fullFinder, rng);
            view = r.view;
            out.added.push(r.added());
          }
        }
        const lists = [b.src, b.dst, b.neg, ...(b.randNeg ? [b.randNeg] : []), ...(b.histNeg ? [b.histNeg] : [])];
        const total = lists.reduce((s, l) => s + l.length, 0);
        const nodes = new Int32Array(total);
        const times = new Float64Array(total);
        let o = 0;
        for (const l of lists) {
          nodes.set(l, o);
          const per = l.length / B;
          for (let i = 0; i < l.length; i++) times[o + i] = b.t[Math.floor(i / per)]!;
          o += l.length;
        }
        const h = enc.embed(nodes, times, view);
        const hs = tf.slice(h, [0, 0], [B, -1]) as tf.Tensor2D;
        const part = (start: number, n: number) => tf.slice(h, [start, 0], [n, -1]) as tf.Tensor2D;
        const repeatSrc = (r: number) => tf.reshape(tf.tile(tf.expandDims(hs, 1), [1, r, 1]), [B * r, -1]) as tf.Tensor2D;
        const prob = (x: tf.Tensor) => tf.sigmoid(x).dataSync() as Float32Array;
        res = {
          pos: prob(enc.linkLogits(hs, part(B, B))),
          neg: prob(enc.linkLogits(hs, part(2 * B, B))),
          randNeg: b.randNeg ? prob(enc.linkLogits(repeatSrc(R), part(3 * B, B * R))) : null,
          histNeg: b.histNeg ? prob(enc.linkLogits(repeatSrc(R), part(3 * B + B * R, B * R))) : null,
        };
      });
      out.batches.push({ ...res!, time: b.t.reduce((s, x) => s + x, 0) / B });
    }
  } finally {
    emb?.dispose();
  }
  return out;
}

/** Baseline scores on the same queries: EdgeBank (a pair seen before scores 1) and recency (1 / (1 + time since the pair last met), 0 if never). */
export function baselineScores(ctx: RunContext, q: Queries, kind: 'edgebank' | 'recency'): Scored {
  const g = ctx.graph;
  const N = g.numNodes + 1;
  const pairs = new Map<number, number[]>();
  for (let i = 0; i < g.src.length; i++) {
    const k = g.src[i]! * N + g.dst[i]!;
    let a = pairs.get(k);
    if (!a) pairs.set(k, (a = []));
    a.push(g.t[i]!);
  }
  const score = (s: number, d: number, t: number): number => {
    const a = pairs.get(s * N + d);
    if (!a) return 0;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (a[m]! < t) lo = m + 1;
      else hi = m;
    }
    if (lo === 0) return 0;
    return kind === 'edgebank' ? 1 : 1 / (1 + (t - a[lo - 1]!));
  };
  const R = q.mrr;
  return {
    added: [],
    batches: q.batches.map((b) => {
      const B = b.src.length;
      const many = (list: Int32Array | null) => (list ? Float32Array.from(list, (d, j) => score(b.src[Math.floor(j / R)]!, d, b.t[Math.floor(j / R)]!)) : null);
      return {
        pos: Float32Array.from(b.dst, (d, i) => score(b.src[i]!, d, b.t[i]!)),
        neg: Float32Array.from(b.neg, (d, i) => score(b.src[i]!, d, b.t[i]!)),
        randNeg: many(b.randNeg),
        histNeg: many(b.histNeg),
        time: b.t.reduce((s, x) => s + x, 0) / B,
      };
    }),
  };
}

function labelsFor(B: number): Float32Array {
  const y = new Float32Array(2 * B);
  y.fill(1, 0, B);
  return y;
}

/** The official numbers: mean over batches of the per-batch AP and ROC-AUC. */
export function officialScores(s: Scored): { ap: number; auc: number; perBatch: Array<{ time: number; ap: number; auc: number }> } {
  const perBatch = s.batches.map((b) => {
    const y = labelsFor(b.pos.length);
    const x = new Float32Array(2 * b.pos.length);
    x.set(b.pos);
    x.set(b.neg, b.pos.length);
    return { time: b.time, ap: averagePrecision(y, x), auc: rocAuc(y, x) };
  });
  const mean = (f: (r: { ap: number; auc: number }) => number) => (perBatch.length ? perBatch.reduce((a, r) => a + f(r), 0) / perBatch.length : NaN);
  return { ap: mean((r) => r.ap), auc: mean((r) => r.auc), perBatch };
}

/** AP and ROC-AUC over all pairs of all batches. */
export function globalScores(s: Scored): { ap: number; auc: number } {
  const pos = s.batches.flatMap((b) => Array.from(b.pos));
  const neg = s.batches.flatMap((b) => Array.from(b.neg));
  if (!pos.length) return { ap: NaN, auc: NaN };
  const y = labelsFor(pos.length);
  const x = Float32Array.from([...pos, ...neg]);
  return { ap: averagePrecision(y, x), auc: rocAuc(y, x) };
}

/** Mean reciprocal rank of each positive among its R negatives (ties count half, as an average of the optimistic and pessimistic ranks). */
export function meanReciprocalRank(s: Scored, kind: 'randNeg' | 'histNeg', R: number): number {
  let sum = 0;
  let n = 0;
  for (const b of s.batches) {
    const negs = b[kind];
    if (!negs) return NaN;
    for (let i = 0; i < b.pos.length; i++) {
      let above = 0;
      let ties = 0;
      for (let j = 0; j < R; j++) {
        const v = negs[i * R + j]!;
        if (v > b.pos[i]!) above++;
        else if (v === b.pos[i]!) ties++;
      }
      sum += 1 / (1 + above + ties / 2);
      n++;
    }
  }
  return n ? sum / n : NaN;
}

/** Every number of one model on one query set. */
export interface SplitMetrics {
  ap: number;
  auc: number;
  globalAp: number;
  globalAuc: number;
  mrrRandom: number;
  mrrHistorical: number;
  queries: number;
}

export function splitMetrics(s: Scored, R: number): SplitMetrics {
  const o = officialScores(s);
  const gl = globalScores(s);
  return {
    ap: o.ap,
    auc: o.auc,
    globalAp: gl.ap,
    globalAuc: gl.auc,
    mrrRandom: R > 0 ? meanReciprocalRank(s, 'randNeg', R) : NaN,
    mrrHistorical: R > 0 ? meanReciprocalRank(s, 'histNeg', R) : NaN,
    queries: s.batches.reduce((a, b) => a + b.pos.length, 0),
  };
}

/** A fresh generator for scoring, derived from the evaluation seed and the split's name (repeatable per split). */
export function scoringRng(seed: number, split: string): Rng {
  let h = seed >>> 0;
  for (let i = 0; i < split.length; i++) h = Math.imul(h ^ split.charCodeAt(i), 0x01000193) >>> 0;
  return new Rng(h);
}
