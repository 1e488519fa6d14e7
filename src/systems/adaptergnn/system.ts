/**
 * AdapterGNN as a Sheaf system: molecule CSVs in, a pre-trained GIN fine-tuned in one of five
 * modes, ROC-AUC beside the Morgan-fingerprint baseline, the generalisation gap, checkpoints,
 * `predict` (scores per molecule and task), `pretrain` (attribute masking or edge prediction)
 * and `compare` (every mode on the same split, side by side).
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { formatCsvRows } from '../../data/csv.js';
import { morganFingerprint } from '../../data/chem/index.js';
import { getRDKit } from '../../data/chem/provider.js';
import { basenamePath, dirnamePath, joinPath } from '../../io/path.js';
import { checkpointTensors, saveCheckpoint } from '../../train/checkpoint.js';
import { InputError, UsageError } from '../../util/errors.js';
import { Rng } from '../../util/random.js';
import { defineSystem, defineVerb, trainCallOptions, type Evaluation, type RunEnv, type VerbResult } from '../../system/types.js';
import { saveModel } from '../../system/run.js';
import { mergeSchemas } from '../../system/schema.js';
import type { MetricsComparison, ReportSection } from '../../report/report.js';
import { MODES, configSchema, dataSchema, evalSchema, pretrainSchema, type AdapterGNNConfig, type AdapterGNNEvalOptions, type TuningMode } from './config.js';
import { loadMolecules, loadSmilesForPrediction, labelsOf, splitMolecules, type MoleculeData, type MoleculeSplit } from './data.js';
import { fineTune, type EpochScores, type FittedAdapterGNN } from './train.js';
import { buildNetwork } from './model.js';
import { fingerprintLogits, fitFingerprintBaseline, predictLogits, rocPoints, scoreLogits, type SplitScores } from './evaluate.js';
import { comparison, historySection, modesSection, rocSection, type ModeSummary, type ScoredRow } from './report.js';
import { backboneTensors, pretrain } from './pretrain.js';
import type { EpochRecord } from '../../train/fit.js';

/** Label of a mode in tables. */
export function modeLabel(mode: TuningMode): string {
  return {
    adapter: 'AdapterGNN (adapters)',
    full: 'full fine-tuning',
    linear: 'linear probe',
    lora: 'LoRA (GIN-MLP)',
    scratch: 'no pre-training',
  }[mode];
}

/** Morgan fingerprints of every molecule of a data set (cached on it). */
async function fingerprints(d: MoleculeData, radius: number, bits: number): Promise<Uint8Array> {
  const key = `${radius}:${bits}`;
  const cache = (d.fingerprints ??= new Map());
  let fp = cache.get(key);
  if (!fp) {
    const rdkit = await getRDKit();
    fp = new Uint8Array(d.smiles.length * bits);
    d.smiles.forEach((s, i) => fp!.set(morganFingerprint(rdkit, s, { radius, nBits: bits }), i * bits));
    cache.set(key, fp);
  }
  return fp;
}

/** The split of `data` a model scores: its own when `data` is its training data, else recomputed (or all molecules). */
async function splitFor(m: FittedAdapterGNN, data: MoleculeData, ev: AdapterGNNEvalOptions, seed: number): Promise<{ split: MoleculeSplit; notes: string[] }> {
  if (ev.split === 'all') {
    const all = data.smiles.map((_, i) => i);
    return { split: { train: m.data === data || data.hash === m.origin.hash ? m.split.train : [], valid: [], test: all }, notes: ['every molecule of the data scored as one split (all)'] };
  }
  if (data.hash !== null && data.hash === m.origin.hash && m.split.train.length + m.split.valid.length + m.split.test.length === data.smiles.length) return { split: m.split, notes: [] };
  const split = await splitMolecules(data, m.config, seed);
  return { split, notes: [`these data differ from the training data: the ${m.config.splitter} split was recomputed on them (use --split all to score every molecule)`] };
}

interface Scored {
  split: string;
  idx: number[];
  logits: Float32Array;
  labels: Int8Array;
  scores: SplitScores;
}

async function evaluate(m: FittedAdapterGNN, data: MoleculeData, ev: AdapterGNNEvalOptions, env: RunEnv): Promise<Evaluation> {
  if (data.tasks.join(',') !== m.tasks.join(',')) throw new UsageError(`the model predicts tasks [${m.tasks.join(', ')}] but the data has [${data.tasks.join(', ')}] (set --tasks)`);
  const { split, notes } = await splitFor(m, data, ev, env.seed);
  const T = m.tasks.length;
  const names: Array<keyof MoleculeSplit> = ev.split === 'held-out' ? ['test', 'valid'] : ev.split === 'all' ? ['test'] : [ev.split];
  m.net.eval();
  const score = (name: string, idx: number[]): Scored => {
    const logits = predictLogits(
      m.net,
      idx.map((i) => data.graphs[i]!),
    );
    const labels = labelsOf(data, idx);
    return { split: name, idx, logits, labels, scores: scoreLogits(logits, labels, T) };
  };
  const train = split.train.length ? score('train', split.train) : null;
  const scored = names.filter((n) => split[n].length > 0).map((n) => score(ev.split === 'all' ? 'all' : n, split[n]));
  if (scored.length === 0) throw new InputError(`the ${ev.split} split holds no molecules`, { file: data.source });

  let baseline: { logits: Map<string, Float32Array>; train: SplitScores | null } | null = null;
  if (ev.baselines && train) {
    const fp = await fingerprints(data, ev.fpRadius, ev.fpBits);
    const b = fitFingerprintBaseline(fp, ev.fpBits, data, split.train);
    const trainLogits = fingerprintLogits(b, fp, split.train);
    baseline = { logits: new Map(scored.map((s) => [s.split, fingerprintLogits(b, fp, s.idx)])), train: scoreLogits(trainLogits, train.labels, T) };
  }
  const label = modeLabel(m.config.mode);
  const fpLabel = `Morgan FP (r ${ev.fpRadius}, ${ev.fpBits} bits) + logistic regression`;
  const results: MetricsComparison[] = [];
  const sections: ReportSection[] = [];
  const extras: Record<string, unknown> = {
    mode: m.config.mode,
    parameters: m.parameters,
    keptEpoch: m.keptEpoch,
    tasks: m.tasks,
    backbone: m.backbone ? `${m.backbone.source} (${m.backbone.note})` : null,
  };
  for (const s of scored) {
    const rows: ScoredRow[] = [{ label, kind: 'model', auc: s.scores.auc, bce: s.scores.bce, ...(train ? { gap: s.scores.bce - train.scores.bce } : {}) }];
    const bl = baseline?.logits.get(s.split);
    const bs = bl ? scoreLogits(bl, s.labels, T) : null;
    if (bs) rows.push({ label: fpLabel, kind: 'baseline', auc: bs.auc, bce: bs.bce, ...(baseline?.train ? { gap: bs.bce - baseline.train.bce } : {}) });
    results.push(
      comparison(
        s.split === 'all' ? 'test' : s.split,
        data.name,
        rows,
        `${s.scores.molecules} molecules; ROC-AUC per task over known labels, averaged over ${T} task${T === 1 ? '' : 's'}; BCE over known labels (the fingerprint model's BCE is that of its logistic-regression probabilities).${s.split === 'test' && train ? ` Gap = test − train BCE, train split ${train.scores.molecules} molecules in eval mode.` : ''}`,
      ),
    );
    extras[s.split] = { rocAuc: s.scores.auc, taskRocAuc: s.scores.taskAucs, bce: s.scores.bce, molecules: s.scores.molecules, ...(bs ? { baselineRocAuc: bs.auc, baselineBce: bs.bce } : {}) };
    if (s === scored[0]) {
      const curves: Array<{ name: string; fpr: number[]; tpr: number[] }> = [];
      const mc = rocPoints(s.logits, s.labels, T);
      if (mc) curves.push({ name: label, ...mc });
      const bc = bl ? rocPoints(bl, s.labels, T) : null;
      if (bc) curves.push({ name: 'fingerprint baseline', ...bc });
      if (curves.length) sections.push(rocSection(s.split, curves, m.tasks[0]!));
    }
  }
  if (train) {
    extras['train'] = { rocAuc: train.scores.auc, bce: train.scores.bce, molecules: train.scores.molecules };
    const test = scored.find((s) => s.split === 'test');
    if (test) extras['gap'] = test.scores.bce - train.scores.bce;
  }
  if (m.history.length) sections.push(historySection([{ name: label, history: m.history, keptEpoch: m.keptEpoch }]));
  const share = ((100 * m.parameters.trainable) / m.parameters.total).toFixed(1);
  return {
    results,
    sections,
    notes: [
      `${label}: ${m.parameters.trainable} of ${m.parameters.total} parameters trained (${share} %); kept epoch ${m.keptEpoch} (best validation ROC-AUC)${m.origin.interrupted ? '; interrupted early' : ''}`,
      ...(data.skipped.length ? [`${data.skipped.length} molecules skipped (invalid: skip)`] : []),
      ...notes,
    ],
    extras,
  };
}

function saveAdapterGNN(m: FittedAdapterGNN) {
  return {
    tensors: m.net.stateDict() as Map<string, tf.Tensor>,
    config: m.config,
    epoch: m.keptEpoch,
    extra: {
      tasks: m.tasks,
      split: m.split,
      keptEpoch: m.keptEpoch,
      parameters: m.parameters,
      backbone: m.backbone ? { source: m.backbone.source, note: m.backbone.note } : null,
      origin: m.origin,
      history: m.history,
    },
  };
}

interface SavedExtra {
  tasks: string[];
  split: MoleculeSplit;
  keptEpoch: number;
  parameters: { trainable: number; total: number };
  backbone: { source: string; note: string } | null;
  origin: FittedAdapterGNN['origin'];
  history: EpochRecord<EpochScores>[];
}

const predictOptions = z.object({
  data: z.string().describe('molecules to score: a CSV with a SMILES column, one SMILES per line, or an SD file (.sdf)'),
  smilesColumn: dataSchema.shape.smilesColumn,
  invalid: dataSchema.shape.invalid,
  out: z.string().optional().describe('CSV to write (default: predictions.csv in the run folder)'),
});

const compareOptions = mergeSchemas(
  configSchema.omit({ mode: true }),
  dataSchema,
  z.object({
    modes: z
      .string()
      .default(MODES.join(','))
      .describe(`comma-separated modes to train on the same split (${MODES.join(', ')})`),
    fpRadius: evalSchema.shape.fpRadius,
    fpBits: evalSchema.shape.fpBits,
  }),
);

function parseModes(s: string): TuningMode[] {
  const modes = s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
  for (const m of modes) if (!(MODES as readonly string[]).includes(m)) throw new UsageError(`unknown mode '${m}' in --modes (accepted: ${MODES.join(', ')})`);
  if (modes.length === 0) throw new UsageError('--modes names no mode');
  return modes as TuningMode[];
}

/** AdapterGNN. */
export const adaptergnnSystem = defineSystem({
  name: 'adaptergnn',
  title: 'AdapterGNN',
  summary: 'fine-tune a pre-trained molecular GNN with a few % of its parameters (SMILES in, task scores out)',
  reference: { paper: 'Li, Han & Bai, AdapterGNN: Parameter-Efficient Fine-Tuning Improves Generalization in GNNs, AAAI 2024', code: 'Lucius-lsr/AdapterGNN (chem/), on snap-stanford/pretrain-gnns' },
  schemas: { config: configSchema, data: dataSchema, eval: evalSchema },
  trainAliases: ['finetune'],
  async loadData(o, env) {
    const d = await loadMolecules(env.storage, o);
    if (d.skipped.length) env.log(`${d.skipped.length} molecules skipped (first: line ${d.skipped[0]!.line}, ${d.skipped[0]!.reason})`);
    return d;
  },
  describeData: (d: MoleculeData) => ({ name: d.name, hash: d.hash }),
  async train(data, cfg, _ev, env) {
    const split = await splitMolecules(data, cfg, env.seed);
    return fineTune(data, split, cfg, { ...trainCallOptions(env), storage: env.storage });
  },
  evaluate,
  configOf: (m: FittedAdapterGNN) => m.config,
  save: saveAdapterGNN,
  async load(ck) {
    const cfg = configSchema.parse(ck.config) as AdapterGNNConfig;
    const ex = (ck.extra as { model?: SavedExtra } | null)?.model;
    if (!ex?.tasks) throw new InputError('not a fine-tuned AdapterGNN checkpoint (a backbone of `pretrain` is used with --pretrained)', { file: ck.dir });
    const net = buildNetwork(cfg, ex.tasks.length, 0);
    const weights = checkpointTensors(ck);
    try {
      net.loadStateDict(weights);
      net.eval();
    } catch (e) {
      net.dispose();
      throw new InputError(`weights do not fit the stored configuration: ${(e as Error).message}`, { file: ck.dir });
    } finally {
      tf.dispose([...weights.values()]);
    }
    return {
      net,
      config: cfg,
      tasks: ex.tasks,
      split: ex.split,
      history: ex.history ?? [],
      keptEpoch: ex.keptEpoch,
      parameters: ex.parameters,
      backbone: ex.backbone,
      origin: ex.origin,
    } satisfies FittedAdapterGNN;
  },
  dispose: (m) => m.net.dispose(),
  predict: {
    verb: 'predict',
    summary: 'score molecules (a SMILES file) with a fine-tuned model: one probability per molecule and task, in a CSV',
    options: predictOptions,
    async run(m: FittedAdapterGNN, o: z.output<typeof predictOptions>, env) {
      const mols = await loadSmilesForPrediction(env.storage, o.data, o.smilesColumn, o.invalid);
      m.net.eval();
      const logits = predictLogits(m.net, mols.graphs);
      const T = m.tasks.length;
      const rows = mols.smiles.map((s, i) => [String(mols.lines[i]), s, ...m.tasks.map((_, t) => (1 / (1 + Math.exp(-logits[i * T + t]!))).toFixed(6))]);
      const text = formatCsvRows(['line', 'smiles', ...m.tasks.map((t) => `${t}_probability`)], rows);
      let out: string | null;
      if (o.out) {
        await env.storage.write(o.out, text);
        out = o.out;
      } else out = await env.artifact('predictions.csv', text, 'predictions');
      if (!out) throw new UsageError('adaptergnn predict needs --out when no run folder is created');
      return {
        dataset: { name: o.data },
        artifacts: o.out ? [{ kind: 'predictions', path: o.out }] : [],
        notes: [`${mols.smiles.length} molecules scored for ${T} task${T === 1 ? '' : 's'} → ${out}${mols.skipped.length ? `; ${mols.skipped.length} skipped (invalid: skip)` : ''}`],
      };
    },
  },
  verbs: [
    defineVerb({
      name: 'pretrain',
      summary: 'pre-train the GIN backbone on unlabelled SMILES (attribute masking or edge prediction) and save it for --pretrained',
      options: pretrainSchema,
      createsRun: true,
      async run(o, ctx): Promise<VerbResult> {
        const mols = await loadSmilesForPrediction(ctx.storage, o.data, o.smilesColumn, o.invalid);
        const graphs = o.limit ? mols.graphs.slice(0, o.limit) : mols.graphs;
        if (mols.skipped.length) ctx.log(`${mols.skipped.length} molecules skipped (invalid: skip)`);
        const res = await pretrain(graphs, o, { ...trainCallOptions(ctx), seed: ctx.seed, log: ctx.log });
        try {
          const out = o.out ?? (ctx.runDir ? joinPath(ctx.runDir, 'backbone') : null);
          if (!out) throw new UsageError('adaptergnn pretrain needs --out when no run folder is created');
          const t = backboneTensors(res.net);
          const dir = await saveCheckpoint(ctx.storage, dirnamePath(out), {
            system: 'adaptergnn',
            tensors: t.gnn,
            files: t.head.size ? { head: t.head } : undefined,
            config: res.config,
            epoch: res.history.length,
            extra: { accuracy: res.accuracy, trivialAccuracy: res.trivialAccuracy, history: res.history.map((r) => ({ epoch: r.epoch, ...r.train })), seed: ctx.seed },
            name: basenamePath(out),
            setLatest: false,
          });
          tf.dispose([...t.gnn.values(), ...t.head.values()]);
          const what = o.strategy === 'masking' ? 'masked-atom accuracy' : 'pair accuracy';
          return {
            dataset: { name: o.data },
            artifacts: [{ kind: 'backbone', path: dir }],
            config: { ...o, seed: ctx.seed },
            metrics: [
              {
                split: 'train',
                protocol: 'last epoch, training mode',
                dataset: o.data,
                rows: [
                  { label: `GIN ${o.numLayer} × ${o.embDim}, ${o.strategy}`, kind: 'model', values: { [what]: res.accuracy } },
                  { label: o.strategy === 'masking' ? 'always the most common atom type' : 'chance', values: { [what]: res.trivialAccuracy } },
                ],
                better: { [what]: 'higher' },
              },
            ],
            notes: [`backbone saved as ${dir}; fine-tune from it with: sheaf adaptergnn train --pretrained ${dir} --num-layer ${o.numLayer} --emb-dim ${o.embDim}`],
          };
        } finally {
          res.net.dispose();
        }
      },
    }),
    defineVerb({
      name: 'compare',
      summary: 'fine-tune several modes (adapter, full, linear, lora, scratch) on the same data and split, side by side with the fingerprint baseline',
      options: compareOptions,
      createsRun: true,
      async run(o, ctx): Promise<VerbResult> {
        const modes = parseModes(o['modes'] as string);
        const dataOpts = dataSchema.parse(Object.fromEntries(Object.keys(dataSchema.shape).map((k) => [k, o[k]])));
        const data = await loadMolecules(ctx.storage, dataOpts);
        const base = configSchema.parse({ ...Object.fromEntries(Object.keys(configSchema.shape).map((k) => [k, o[k]])), mode: 'adapter' }) as AdapterGNNConfig;
        const split = await splitMolecules(data, base, ctx.seed);
        const summaries: ModeSummary[] = [];
        const runs: Array<{ name: string; history: EpochRecord<EpochScores>[]; keptEpoch: number }> = [];
        const byMode = new Map<string, Evaluation>();
        const artifacts: Array<{ kind: string; path: string }> = [];
        let baselineRow: { auc: number; gap: number } | null = null;
        for (const mode of modes) {
          const cfg: AdapterGNNConfig = { ...base, mode, pretrained: mode === 'scratch' ? 'none' : base.pretrained };
          ctx.log(`— ${modeLabel(mode)} —`);
          const m = await fineTune(data, split, cfg, { ...trainCallOptions(ctx, mode), curve: undefined, storage: ctx.storage });
          try {
            const ev = await evaluate(m, data, { split: 'held-out', baselines: mode === modes[0], fpRadius: o['fpRadius'] as number, fpBits: o['fpBits'] as number }, ctx);
            byMode.set(mode, ev);
            const x = ev.extras as Record<string, { rocAuc: number; bce: number; baselineRocAuc?: number; baselineBce?: number }>;
            summaries.push({
              mode,
              trainable: m.parameters.trainable,
              total: m.parameters.total,
              keptEpoch: m.keptEpoch,
              trainAuc: x['train']!.rocAuc,
              validAuc: x['valid']?.rocAuc ?? NaN,
              testAuc: x['test']!.rocAuc,
              trainBce: x['train']!.bce,
              testBce: x['test']!.bce,
            });
            if (mode === modes[0] && x['test']?.baselineRocAuc !== undefined) {
              const testRow = ev.results.find((r) => r.split === 'test')?.rows[1];
              baselineRow = { auc: x['test'].baselineRocAuc, gap: (testRow?.values['gap (test − train BCE)'] as number | undefined) ?? NaN };
            }
            runs.push({ name: mode, history: m.history, keptEpoch: m.keptEpoch });
            if (ctx.runDir) {
              const dir = await saveModel(ctx.storage, joinPath(ctx.runDir, 'checkpoints', mode), adaptergnnSystem, m, {
                data: dataOpts,
                eval: { split: 'held-out', baselines: true, fpRadius: o['fpRadius'], fpBits: o['fpBits'] },
              });
              artifacts.push({ kind: `${mode} checkpoint`, path: dir });
            }
          } finally {
            m.net.dispose();
          }
          if (ctx.signal?.aborted) break;
        }
        // One table per split: every mode as a model row, the fingerprint baseline once.
        const results: MetricsComparison[] = [];
        for (const split of ['test', 'valid']) {
          const rows = [...byMode.values()].flatMap((ev, k) => {
            const c = ev.results.find((r) => r.split === split);
            return c ? (k === 0 ? c.rows : c.rows.filter((r) => r.kind === 'model')) : [];
          });
          const first = [...byMode.values()][0]?.results.find((r) => r.split === split);
          if (first) results.push({ ...first, rows: [...rows.filter((r) => r.kind === 'model'), ...rows.filter((r) => r.kind !== 'model')] });
        }
        const sections = [modesSection(summaries, baselineRow), historySection(runs), ...([...byMode.values()][0]?.sections?.filter((s) => s.title.startsWith('ROC')) ?? [])];
        return {
          dataset: { name: data.name, hash: data.hash },
          metrics: results,
          sections,
          artifacts,
          config: { ...o, seed: ctx.seed },
          extras: { modes: summaries, split: { train: split.train.length, valid: split.valid.length, test: split.test.length } },
          notes: [`${modes.length} modes on one ${base.splitter} split (${split.train.length} / ${split.valid.length} / ${split.test.length} molecules), seed ${ctx.seed}`],
        };
      },
    }),
  ],
  demo: (quick) => ({
    data: quick ? { limit: 800 } : {},
    // Run B of docs/research/graph.md §1e (GIN 5 × 64, the shipped masking backbone, full hERG, scaffold split, 10 epochs); quick: 800 molecules, 1 epoch.
    config: { numLayer: 5, embDim: 64, epochs: quick ? 1 : 10 },
    note: quick
      ? 'quick demo: GIN 5 × 64, first 800 hERG molecules, 1 epoch (not the acceptance setting)'
      : 'demo: GIN 5 × 64 from the shipped masking backbone, full hERG, scaffold split, 10 epochs (the acceptance setting, one seed)',
  }),
  async conformance(storage) {
    await storage.write('conformance/molecules.csv', syntheticMolecules(11));
    return {
      data: { data: 'conformance/molecules.csv', tasks: 'ring,heavy' },
      config: { numLayer: 2, embDim: 8, bottleneck: 3, epochs: 3, batchSize: 16, pretrained: 'none', splitter: 'random' },
      eval: { fpBits: 64 },
      note: 'synthetic molecules (chains, rings, hetero atoms) with two computed labels',
      resumable: true,
    };
  },
});

/**
 * Synthetic molecules for tests: random chains with branches, hetero atoms and optional
 * benzene rings; labels `ring` (has a ring) and `heavy` (more than 8 heavy atoms), one label
 * left blank now and then to exercise missing labels.
 */
export function syntheticMolecules(seed: number, n = 80): string {
  const rng = new Rng(seed);
  const atoms = ['C', 'C', 'C', 'N', 'O', 'C(C)', 'C(=O)', 'C(F)'];
  const lines = ['smiles,ring,heavy'];
  for (let i = 0; i < n; i++) {
    const len = 2 + rng.int(8);
    let s = '';
    let heavy = 0;
    for (let k = 0; k < len; k++) {
      const a = atoms[rng.int(atoms.length)]!;
      s += a;
      heavy += a.replace(/[^A-Z]/g, '').length;
    }
    const ring = rng.uniform() < 0.5;
    if (ring) {
      s = 'c1ccccc1' + s;
      heavy += 6;
    }
    const blank = rng.uniform() < 0.05;
    lines.push(`${s},${ring ? 1 : 0},${blank ? '' : heavy > 8 ? 1 : 0}`);
  }
  return lines.join('\n') + '\n';
}
