/**
 * TGSL's report content: per-epoch validation AP of TGSL and of the backbone alone, the learned
 * edges (how many, their weights, how far apart their endpoints are in the training graph, how
 * many later appear for real), and AP over time for the model beside the memory baselines.
 */
import { barChart, lineChart, type MetricsComparison, type ReportSection } from '../../report/index.js';
import type { EpochRecord } from '../../train/fit.js';
import type { RunContext } from './data.js';
import type { AddedEdges } from './model.js';
import type { SplitMetrics } from './evaluate.js';
import type { EpochScores } from './train.js';

export const METRICS = ['AP', 'ROC-AUC', 'global AP', 'global AUC', 'MRR (random)', 'MRR (historical)'] as const;

/** One model's or baseline's numbers on a query set. */
export interface ScoredRow {
  label: string;
  kind: 'model' | 'baseline';
  m: SplitMetrics;
}

export function comparison(split: string, protocol: string, dataset: string, rows: readonly ScoredRow[], note: string): MetricsComparison {
  return {
    split,
    protocol,
    dataset,
    metrics: [...METRICS],
    better: Object.fromEntries(METRICS.map((k) => [k, 'higher' as const])),
    rows: rows.map((r) => ({
      label: r.label,
      kind: r.kind,
      values: { AP: r.m.ap, 'ROC-AUC': r.m.auc, 'global AP': r.m.globalAp, 'global AUC': r.m.globalAuc, 'MRR (random)': r.m.mrrRandom, 'MRR (historical)': r.m.mrrHistorical },
    })),
    note,
  };
}

/** Validation AP per epoch of each trained model (TGSL and the backbone alone), and their training losses. */
export function historySection(runs: ReadonlyArray<{ name: string; history: readonly EpochRecord<EpochScores>[]; keptEpoch: number }>): ReportSection {
  const x = (h: readonly EpochRecord<EpochScores>[]) => h.map((r) => r.epoch);
  return {
    title: 'Training',
    description: `Validation AP and ROC-AUC by the official protocol (mean over batches of 200, one random negative each) after every epoch; training loss = the mean over the epoch's batches (TGSL: BCE on the graph + BCE on the refined graph + coe·InfoNCE, so it is not on the backbone's scale). Kept weights: ${runs.map((r) => `${r.name} epoch ${r.keptEpoch}`).join(', ')}.`,
    charts: [
      lineChart({
        title: 'validation AP (transductive)',
        xLabel: 'epoch',
        yLabel: 'AP',
        series: runs.map((r) => ({ name: r.name, x: x(r.history), values: r.history.map((e) => e.valid?.ap ?? null) })),
      }),
      lineChart({
        title: 'validation AP (inductive)',
        xLabel: 'epoch',
        yLabel: 'AP',
        series: runs.map((r) => ({ name: r.name, x: x(r.history), values: r.history.map((e) => e.valid?.newAp ?? null) })),
      }),
      ...runs.map((r) =>
        lineChart({
          title: `training loss — ${r.name}`,
          xLabel: 'epoch',
          yLabel: 'loss',
          series: Object.keys(r.history[0]?.train ?? { loss: 0 }).map((k) => ({ name: k, x: x(r.history), values: r.history.map((e) => e.train[k] ?? null) })),
        }),
      ),
    ],
  };
}

/** Facts about the edges TGSL added while scoring a split. */
export interface LearnedEdgeSummary {
  added: number;
  perBatchNode: number;
  meanWeight: number;
  weightBins: number[];
  /** Endpoint distance in the training graph: 1 (an existing pair), 3, more than 3 (or unreachable). */
  hops: { one: number; three: number; further: number };
  /** Added pairs that occur as a real interaction after t_max (validation or test). */
  appearLater: number;
  examined: number;
}

/** Summarise added edges (at most `cap` examined for distances). */
export function summariseAdded(ctx: RunContext, added: readonly AddedEdges[], perBatchNode: number, cap = 3000): LearnedEdgeSummary {
  const g = ctx.graph;
  const N = g.numNodes + 1;
  const trainPairs = new Set<number>();
  const adj = new Map<number, Set<number>>();
  const link = (a: number, b: number) => {
    let s = adj.get(a);
    if (!s) adj.set(a, (s = new Set()));
    s.add(b);
  };
  for (const i of ctx.split.train) {
    trainPairs.add(g.src[i]! * N + g.dst[i]!).add(g.dst[i]! * N + g.src[i]!);
    link(g.src[i]!, g.dst[i]!);
    link(g.dst[i]!, g.src[i]!);
  }
  const laterPairs = new Set<number>();
  for (let i = 0; i < g.src.length; i++) if (g.t[i]! > ctx.split.tMax) laterPairs.add(g.src[i]! * N + g.dst[i]!).add(g.dst[i]! * N + g.src[i]!);
  const within3 = (u: number, c: number): boolean => {
    for (const v of adj.get(u) ?? []) for (const w of adj.get(v) ?? []) if (adj.get(w)?.has(c)) return true;
    return false;
  };
  const bins = new Array<number>(10).fill(0);
  let n = 0;
  let wSum = 0;
  let appear = 0;
  const hops = { one: 0, three: 0, further: 0 };
  let examined = 0;
  for (const a of added) {
    for (let j = 0; j < a.src.length; j++) {
      const w = a.weight[j]!;
      n++;
      wSum += w;
      bins[Math.min(9, Math.floor(w * 10))]!++;
      const key = a.src[j]! * N + a.dst[j]!;
      if (laterPairs.has(key)) appear++;
      if (examined < cap) {
        examined++;
        if (trainPairs.has(key)) hops.one++;
        else if (within3(a.src[j]!, a.dst[j]!)) hops.three++;
        else hops.further++;
      }
    }
  }
  return { added: n, perBatchNode, meanWeight: n ? wSum / n : NaN, weightBins: bins, hops, appearLater: appear, examined };
}

export function learnedEdgesSection(split: string, s: LearnedEdgeSummary): ReportSection {
  const pct = (x: number, of: number) => (of ? `${((100 * x) / of).toFixed(1)} %` : '–');
  return {
    title: `Learned edges — ${split} split`,
    description: `Edges TGSL added to the full history while scoring the ${split} split (the graph is refined again for every batch of 200): k = ${s.perBatchNode} per batch node, each with weight σ((ℓ + g)/τ_g) ∈ (0, 1) and a time t* < t_max. Distances are in the static training graph (first ${s.examined} edges). "Appear later" = the pair really interacts after t_max (validation or test period).`,
    tables: [
      {
        columns: ['edges added', 'mean weight', '1 hop (existing pair)', '3 hops', 'further / unreachable', 'appear later for real'],
        rows: [[s.added, s.meanWeight, pct(s.hops.one, s.examined), pct(s.hops.three, s.examined), pct(s.hops.further, s.examined), `${s.appearLater} (${pct(s.appearLater, s.added)})`]],
      },
    ],
    charts: [
      barChart({
        title: 'weights of the added edges',
        xLabel: 'weight',
        yLabel: 'edges',
        categories: s.weightBins.map((_, i) => `${(i / 10).toFixed(1)}–${((i + 1) / 10).toFixed(1)}`),
        values: s.weightBins,
      }),
    ],
  };
}

/** AP per scoring batch against the batch's mean time, for every scorer. */
export function apOverTimeSection(split: string, series: ReadonlyArray<{ name: string; perBatch: ReadonlyArray<{ time: number; ap: number }> }>): ReportSection {
  return {
    title: `AP over time — ${split} split`,
    description: 'AP of each batch of 200 (official protocol) at the batch’s mean time (seconds from the first interaction).',
    charts: [
      lineChart({
        title: `AP per batch, ${split}`,
        xLabel: 'time',
        yLabel: 'AP',
        points: true,
        series: series.map((s) => ({ name: s.name, x: s.perBatch.map((b) => b.time), values: s.perBatch.map((b) => b.ap) })),
      }),
    ],
  };
}
