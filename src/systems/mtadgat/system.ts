/**
 * MTAD-GAT as a Sheaf system: options, data, training, evaluation beside the z-score and
 * persistence detectors under every threshold, checkpoints, the `detect` verb and `inject`.
 */
import { z } from 'zod';
import { formatCsv } from '../../data/csv.js';
import { readLabels } from '../../data/labels.js';
import { UsageError, InputError } from '../../util/errors.js';
import { Rng } from '../../util/random.js';
import { defineSystem, defineVerb, type Evaluation, type RunEnv, type VerbResult } from '../../system/types.js';
import type { MetricsComparison, ReportSection } from '../../report/report.js';
import { opt } from '../../system/schema.js';
import { WSN, configSchema, dataSchema, evalSchema, scoreOf, scoreSchema, type MtadGatDataOptions, type MtadGatEvalOptions, type ScoreConfig } from './config.js';
import { loadAnomalyData, type AnomalyData } from './data.js';
import { type Detector, evaluateTest, fitDetector, legacyDetector, loadDetector, saveDetector, scaleSeries, scoreSeries, targetNames } from './detector.js';
import { type ThresholdConfig, alarmIntervals, fitThresholds, type AnomalyInterval } from './evaluate.js';
import { meanFeatureAttention, scoreErrors } from './scores.js';
import { comparisons, lossChart, plotSections } from './report.js';
import { ANOMALY_KINDS, type AnomalyKind, injectAnomalies, injectedFiles } from './inject.js';

/** The shipped Chicago ridership series (the injection generator's default input). */
export const CHICAGO = 'shipped:chicago-ridership/ridership.csv';

async function loadData(o: MtadGatDataOptions, storage: RunEnv['storage'], log: (l: string) => void, minRows = 2): Promise<AnomalyData> {
  const isDefault = o.data === WSN.train && o.test === undefined && o.trainRows === undefined;
  return loadAnomalyData(storage, {
    data: o.data,
    test: isDefault ? WSN.test : o.test,
    labels: isDefault && o.labels === undefined ? WSN.labels : o.labels,
    trainRows: o.trainRows,
    fillMissing: o.fillMissing,
    allowConstant: o.allowConstant,
    dropConstant: o.dropConstant,
    minRows,
    log,
  });
}

function thresholdConfig(s: ScoreConfig, solver: ThresholdConfig['potSolver']): ThresholdConfig {
  return { level: s.level, q: s.q, dynamicPot: s.dynamicPot, regLevel: s.regLevel, potSolver: solver };
}

/** Write per-step scores (global, per feature, alarm, label) and the alarm intervals. */
async function writeDetections(
  env: RunEnv,
  det: Detector,
  offset: number,
  global: Float64Array,
  feature: Float32Array,
  threshold: number,
  labels: ArrayLike<number> | null,
  intervals: AnomalyInterval[],
): Promise<string[]> {
  const names = targetNames(det);
  const dims = names.length;
  const header = ['row', 'score', 'threshold', 'alarm', ...(labels ? ['label'] : []), ...names.map((n) => `score_${n}`)];
  const w = header.length;
  const rows = new Float64Array(global.length * w);
  for (let i = 0; i < global.length; i++) {
    const o = i * w;
    rows[o] = i + offset;
    rows[o + 1] = global[i]!;
    rows[o + 2] = threshold;
    rows[o + 3] = global[i]! > threshold ? 1 : 0;
    let c = 4;
    if (labels) rows[o + c++] = labels[i]!;
    for (let j = 0; j < dims; j++) rows[o + c + j] = feature[i * dims + j]!;
  }
  const ivCsv = ['start_row,end_row,length,peak_score,mean_score,top_features'];
  for (const iv of intervals)
    ivCsv.push(
      [
        iv.start,
        iv.end,
        iv.length,
        iv.peakScore,
        iv.meanScore,
        `"${iv.topFeatures
          .map((f) => `${f.feature}:${f.share.toFixed(3)}`)
          .join(' ')
          .replaceAll('"', '""')}"`,
      ].join(','),
    );
  const paths = [
    await env.artifact('scores.csv', formatCsv(header, rows, w), 'scores'),
    await env.artifact('intervals.csv', ivCsv.join('\n') + '\n', 'intervals'),
    await env.artifact('intervals.json', JSON.stringify({ threshold, offset, intervals }, null, 2) + '\n', 'intervals-json'),
  ];
  return paths.filter((p): p is string => p !== null);
}

function fmt(v: number | null): string {
  return v === null ? '-' : v.toFixed(4);
}

/** Score the test part (beside the baselines when labelled), write detections and plots. */
async function evaluate(det: Detector, data: AnomalyData, ev: MtadGatEvalOptions, env: RunEnv): Promise<Evaluation> {
  const sections: ReportSection[] = [];
  if (det.history.length > 0) {
    sections.push({
      title: 'Training',
      description: `Model of epoch ${det.keptEpoch} kept (${det.config.keepBest ? 'lowest validation loss' : 'last epoch, as the reference'}).`,
      charts: [lossChart(det.history)],
    });
  }
  const notes = [`${det.model.numParameters()} parameters; ${det.windows.train} training / ${det.windows.val} validation windows`];
  const test = data.test;
  if (!test) return { results: [], sections, notes: [...notes, 'no test rows (give --test or --train-rows): nothing scored'] };
  const n = det.model.config.lookback;
  if (test.cols !== det.model.config.nFeatures) throw new UsageError(`the test data has ${test.cols} columns but the model was trained on ${det.model.config.nFeatures}`);
  checkColumnNames(det, data.featureNames, data.sources.test ?? data.sources.train);
  const cfg = scoreOf(ev);
  const thr = thresholdConfig(cfg, ev.potSolver);
  const names = targetNames(det);
  const metrics: MetricsComparison[] = [];
  const extras: Record<string, unknown> = {};
  let global: Float64Array;
  let feature: Float32Array;
  let threshold: number;
  let labels: Float32Array | null = null;
  let scaledTargets: Float32Array;
  if (data.labels) {
    const r = evaluateTest(det, test, data.labels, cfg, thr);
    global = r.series.scores.global;
    feature = r.series.scores.feature;
    labels = r.labels;
    threshold = ev.alarm === 'pot' ? r.model.pot.threshold : r.model.epsilon.threshold;
    metrics.push(
      ...comparisons('test', data.name, [
        { label: 'MTAD-GAT', kind: 'model', e: r.model },
        { label: 'z-score', kind: 'baseline', e: r.zscore },
        { label: 'persistence', kind: 'baseline', e: r.persistence },
      ]),
    );
    scaledTargets = r.series.predictions!.actual;
    const p = r.model;
    env.log(`test ROC-AUC ${fmt(p.rocAuc)}  PR-AUC ${fmt(p.prAuc)}  | z-score ${fmt(r.zscore.rocAuc)}/${fmt(r.zscore.prAuc)}  persistence ${fmt(r.persistence.rocAuc)}/${fmt(r.persistence.prAuc)}`);
    for (const [name, e] of [
      ['epsilon', p.epsilon],
      ['POT', p.pot],
      ['best-F1 (oracle)', p.bestF1],
    ] as const) {
      env.log(
        `  ${name.padEnd(17)} thr ${e.threshold.toPrecision(6)}  PA P/R/F1 ${fmt(e.adjusted.precision)}/${fmt(e.adjusted.recall)}/${fmt(e.adjusted.f1)}  raw P/R/F1 ${fmt(e.raw.precision)}/${fmt(e.raw.recall)}/${fmt(e.raw.f1)}`,
      );
    }
    env.log(`  best raw F1 (oracle) ${fmt(p.bestRaw.f1)} at score ≥ ${p.bestRaw.threshold.toPrecision(6)}`);
    Object.assign(extras, { scoredSteps: global.length, anomalousSteps: labels.reduce((a, b) => a + b, 0), detail: { model: r.model, zscore: r.zscore, persistence: r.persistence } });
  } else {
    const s = scoreSeries(det, test, cfg, true);
    global = s.scores.global;
    feature = s.scores.feature;
    const t = fitThresholds(scoreErrors(det.trainErrors, cfg, n).global, global, thr);
    threshold = ev.alarm === 'pot' ? t.pot.threshold : t.epsilon;
    scaledTargets = s.predictions!.actual;
    notes.push('no labels given: scores and alarms written, no metrics');
  }
  const alarms = Uint8Array.from(global, (v) => (v > threshold ? 1 : 0));
  const intervals = alarmIntervals(alarms, global, feature, names, n);
  const files = await writeDetections(env, det, n, global, feature, threshold, labels, intervals);
  const attention = meanFeatureAttention(
    det.model,
    scaleSeries(det, test),
    Array.from({ length: test.rows - n }, (_, i) => i),
  );
  sections.push(
    ...plotSections({
      dataset: data.name,
      offset: n,
      score: global,
      threshold,
      thresholdName: ev.alarm === 'pot' ? 'POT' : 'epsilon',
      labels,
      alarms,
      targets: scaledTargets,
      targetNames: names,
      intervals,
      attention,
      featureNames: det.featureNames,
    }),
  );
  if (files.length) notes.push(`scores: ${files[0]} (${names.length} per-feature columns); ${intervals.length} alarm interval(s): ${files[1]}`);
  return { results: metrics, sections, notes, extras: { parameters: det.model.numParameters(), keptEpoch: det.keptEpoch, threshold, ...extras } };
}

/** A header that names the columns differently from the training data is a mistake worth stopping for. */
function checkColumnNames(det: Detector, names: string[], file: string): void {
  const generic = names.every((n, i) => n === `f${i}`);
  if (generic || names.length !== det.featureNames.length) return;
  const c = names.findIndex((n, i) => n !== det.featureNames[i]);
  if (c >= 0) throw new InputError(`column ${c + 1} is '${names[c]}' but the model was trained with '${det.featureNames[c]}' there`, { file, line: 1, column: c + 1 });
}

/** Score options for `detect`: each defaults to the checkpoint's. */
const detectScore = Object.fromEntries(
  Object.entries(scoreSchema.shape).map(([k, f]) => [
    k,
    ((f as unknown as { _zod: { def: { innerType: z.ZodType } } })._zod.def.innerType ?? (f as z.ZodType)).optional().describe(`${(f as z.ZodType).description ?? ''} (default: as at training)`),
  ]),
);

const detectOptions = z.object({
  data: z.string().describe('series to score (SMD layout or CSV with a header, the training columns)'),
  labels: z.string().optional().describe('optional labels, one 0/1 per row (shaded in the plot)'),
  fillMissing: dataSchema.shape.fillMissing,
  ...detectScore,
  potSolver: evalSchema.shape.potSolver,
  alarm: z.enum(['epsilon', 'pot', 'value']).default('epsilon').describe('alarm threshold: fitted on the training scores (epsilon, POT) or --threshold'),
  threshold: opt.num().optional().describe('alarm threshold with --alarm value'),
});

async function detect(det: Detector, o: z.output<typeof detectOptions>, env: RunEnv): Promise<VerbResult> {
  const n = det.model.config.lookback;
  const data = await loadAnomalyData(env.storage, { data: o.data, fillMissing: o.fillMissing, allowConstant: true, minRows: n + 1 });
  const series = data.train;
  if (series.cols !== det.model.config.nFeatures) throw new UsageError(`${o.data} has ${series.cols} columns but the checkpoint was trained on ${det.model.config.nFeatures}`);
  checkColumnNames(det, data.featureNames, o.data);
  const labels = o.labels ? (await readLabels(env.storage, o.labels, { binary: true, expectedCount: series.rows })).slice(n) : null;
  const given = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
  const cfg = scoreOf({ ...det.scoreConfig, ...given });
  const s = scoreSeries(det, series, cfg, true);
  let threshold: number;
  if (o.alarm === 'value') {
    if (o.threshold === undefined) throw new UsageError('--alarm value needs --threshold');
    threshold = o.threshold;
  } else {
    const t = fitThresholds(scoreErrors(det.trainErrors, cfg, n).global, s.scores.global, thresholdConfig(cfg, o.potSolver));
    threshold = o.alarm === 'pot' ? t.pot.threshold : t.epsilon;
  }
  const names = targetNames(det);
  const alarms = Uint8Array.from(s.scores.global, (v) => (v > threshold ? 1 : 0));
  const intervals = alarmIntervals(alarms, s.scores.global, s.scores.feature, names, n);
  const files = await writeDetections(env, det, n, s.scores.global, s.scores.feature, threshold, labels, intervals);
  const attention = meanFeatureAttention(
    det.model,
    s.scaled,
    Array.from({ length: series.rows - n }, (_, i) => i),
  );
  const sections = plotSections({
    dataset: o.data,
    offset: n,
    score: s.scores.global,
    threshold,
    thresholdName: o.alarm,
    labels,
    alarms,
    targets: s.predictions!.actual,
    targetNames: names,
    intervals,
    attention,
    featureNames: det.featureNames,
  });
  const alarmSteps = alarms.reduce((a, b) => a + b, 0);
  env.log(`${s.scores.global.length} steps scored (rows ${n}…${series.rows - 1}); threshold ${threshold.toPrecision(6)} (${o.alarm}); ${alarmSteps} alarm steps in ${intervals.length} interval(s)`);
  for (const iv of intervals.slice(0, 10))
    env.log(`  rows ${iv.start}–${iv.end}: peak ${iv.peakScore.toPrecision(4)}; top ${iv.topFeatures.map((f) => `${f.feature} ${(100 * f.share).toFixed(0)}%`).join(', ')}`);
  return { dataset: { name: o.data }, sections, config: { ...o, score: cfg, threshold }, notes: files.length ? [`scores: ${files[0]}`, `intervals: ${files[1]}`] : [] };
}

const injectOptions = z.object({
  data: z.string().default(CHICAGO).describe('real series to inject into (default: the shipped Chicago ridership)'),
  trainRows: opt.int().min(2).default(2000).describe('clean training rows'),
  testRows: opt.int().positive().default(1500).describe('test rows (after the training rows) that get the anomalies'),
  skip: opt.int().min(0).default(0).describe('leading rows to skip'),
  count: opt.int().positive().default(16).describe('number of injected events'),
  kinds: z.string().default(ANOMALY_KINDS.join(',')).describe('anomaly kinds to cycle through'),
  gap: opt.int().min(0).default(30).describe('minimum normal steps between events'),
  out: z.string().optional().describe('folder to write into (default: the run folder)'),
});

/** MTAD-GAT. */
export const mtadgatSystem = defineSystem({
  name: 'mtadgat',
  title: 'MTAD-GAT',
  summary: 'multivariate time-series anomaly detection with feature and temporal graph attention',
  reference: {
    paper: 'Zhao et al., Multivariate Time-series Anomaly Detection via Graph Attention Network, ICDM 2020',
    code: 'ML4ITS/mtad-gat-pytorch (no official code; the reference everyone compares with)',
  },
  schemas: { config: configSchema, data: dataSchema, eval: evalSchema },
  loadData: (o, env) => loadData(o, env.storage, env.log),
  describeData: (d: AnomalyData) => ({ name: d.name }),
  async train(data, cfg, ev, env) {
    if (data.train.rows < cfg.lookback + 1) throw new InputError(`the training part has ${data.train.rows} rows; at least ${cfg.lookback + 1} are needed (lookback + 1)`, { file: data.sources.train });
    if (data.test && data.test.rows < cfg.lookback + 1)
      throw new InputError(`the test part has ${data.test.rows} rows; at least ${cfg.lookback + 1} are needed (lookback + 1)`, { file: data.sources.test ?? data.sources.train });
    env.log(
      `MTAD-GAT on ${data.name}: ${data.train.rows} training rows × ${data.train.cols} features${data.test ? `, ${data.test.rows} test rows` : ''}${data.labels ? ` (${data.labels.reduce((a, b) => a + b, 0)} labelled anomalous)` : ''}`,
    );
    return fitDetector(data, cfg, {
      score: scoreOf(ev),
      seed: env.seed,
      log: env.log,
      curve: env.curve,
      signal: env.signal,
      progress: env.progress,
      storage: env.storage,
      progressDir: env.progressDir ?? undefined,
    });
  },
  evaluate,
  configOf: (d: Detector) => d.config,
  save: saveDetector,
  load: async (ck) => loadDetector(ck),
  legacy: legacyDetector,
  dispose: (d) => d.model.dispose(),
  predict: { verb: 'detect', summary: 'score a series: per-step and per-feature scores, alarms, intervals with their top features', options: detectOptions, run: detect },
  verbs: [
    defineVerb({
      name: 'inject',
      summary: 'write a labelled synthetic set: anomalies injected into a real series (seeded)',
      options: injectOptions,
      createsRun: true,
      async run(o, ctx) {
        const kinds = o.kinds.split(',').map((k) => k.trim()) as AnomalyKind[];
        for (const k of kinds) if (!ANOMALY_KINDS.includes(k)) throw new UsageError(`--kinds: unknown kind '${k}' (accepted: ${ANOMALY_KINDS.join(', ')})`);
        const src = await loadAnomalyData(ctx.storage, { data: o.data, allowConstant: true });
        const inj = injectAnomalies(src.train, src.featureNames, { seed: ctx.seed, trainRows: o.trainRows, testRows: o.testRows, skip: o.skip, count: o.count, kinds, gap: o.gap });
        const meta = { source: o.data, seed: ctx.seed, trainRows: o.trainRows, testRows: o.testRows, skip: o.skip, count: o.count, kinds, gap: o.gap };
        const paths: string[] = [];
        const artifacts: Array<{ kind: string; path: string }> = [];
        for (const f of injectedFiles(inj, src.featureNames, meta)) {
          if (o.out) {
            const path = `${o.out}/${f.name}`;
            await ctx.storage.write(path, f.text);
            paths.push(path);
            artifacts.push({ kind: f.kind, path });
          } else {
            const p = await ctx.artifact(f.name, f.text, f.kind);
            if (!p) throw new UsageError('mtadgat inject needs --out when no run folder is created');
            paths.push(p);
          }
        }
        const anomalous = inj.labels.reduce((a, b) => a + b, 0);
        ctx.log(`injected ${inj.events.length} events (${anomalous} of ${inj.labels.length} test steps labelled) into ${o.data}; seed ${ctx.seed}`);
        return { dataset: { name: o.data }, artifacts, config: { ...o, seed: ctx.seed }, notes: [`train on it: sheaf mtadgat train --data ${paths[0]} --test ${paths[1]} --labels ${paths[2]}`] };
      },
    }),
  ],
  demo: (quick) => ({
    data: {},
    config: quick ? { lookback: 10, batchSize: 64, epochs: 1, gruHidDim: 16, fcHidDim: 16, reconHidDim: 16, fcNLayers: 1 } : { lookback: 50, batchSize: 64, epochs: 3 },
    note: quick ? 'quick demo: lookback 10, 1 epoch, hidden 16 (not the acceptance setting)' : 'demo: lookback 50, batch 64, 3 epochs (acceptance uses 10)',
  }),
  async conformance(storage) {
    // Synthetic: 3 correlated sines; the test part has two injected level shifts, labelled.
    const rng = new Rng(12);
    const row = (t: number, shift: number) => [0, 1, 2].map((j) => (0.5 + 0.3 * Math.sin(t / (3 + j)) + shift + 0.02 * rng.normal()).toFixed(4)).join(',');
    const train = Array.from({ length: 120 }, (_, t) => row(t, 0));
    const labels: number[] = [];
    const test = Array.from({ length: 80 }, (_, k) => {
      const bad = (k >= 30 && k < 34) || (k >= 60 && k < 63);
      labels.push(bad ? 1 : 0);
      return row(120 + k, bad ? 0.8 : 0);
    });
    await storage.write('conformance/mtadgat/train.txt', train.join('\n') + '\n');
    await storage.write('conformance/mtadgat/test.txt', test.join('\n') + '\n');
    await storage.write('conformance/mtadgat/labels.txt', labels.join('\n') + '\n');
    return {
      data: { data: 'conformance/mtadgat/train.txt', test: 'conformance/mtadgat/test.txt', labels: 'conformance/mtadgat/labels.txt' },
      config: { lookback: 8, batchSize: 32, epochs: 3, gruHidDim: 8, fcHidDim: 8, reconHidDim: 8, fcNLayers: 1 },
      eval: {},
      note: 'synthetic sines with two level shifts',
      resumable: true,
    };
  },
});
