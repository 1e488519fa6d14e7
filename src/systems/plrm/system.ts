/**
 * PLRM as a Sheaf system: a task (ILF outputs over their own label spaces, label relations,
 * desired labels) in; LRMV, ALRMV, LFPGM and PLRM fitted and scored side by side (plus an end
 * model); checkpoints; `label` (probabilistic labels as CSV) and `check` (the label graph and
 * the distinguishability pre-flight, without fitting).
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { ZScoreScaler, type ZScoreJSON } from '../../data/index.js';
import { joinPath } from '../../io/path.js';
import { readJson, type Storage } from '../../io/storage.js';
import { decodeSafetensors, type RawTensor, type WritableTensor } from '../../io/safetensors.js';
import { InputError, UsageError } from '../../util/errors.js';
import { Rng } from '../../util/random.js';
import type { LoadedCheckpoint } from '../../train/checkpoint.js';
import { defineSystem, defineVerb, type Evaluation, type RunEnv, type SavedModel } from '../../system/types.js';
import { opt, validateOptions } from '../../system/schema.js';
import type { ReportSection } from '../../report/report.js';
import { readTaskCsv, readTaskJson, SPLITS, type SplitName, type WisTask } from './task.js';
import { DEFAULT_FIT } from './fit.js';
import { DEFAULT_END_MODEL, EndModel, type StoredEndModel } from './end_model.js';
import { evaluateTask, predictProba, taskGraph, type LabelModelName, type LabelModels, type PlrmConfig } from './label_models.js';
import { analyseTask, scoreEndModel, trainPlrm, type TaskScores } from './pipeline.js';
import { checkDistinguishability } from './distinguishability.js';
import { historySection, ilfSection, metricsComparisons, preflightSection, weightsSection } from './report.js';
import { probsToPreds } from './predict.js';
import { SHIPPED_TASKS_DIR } from './shipped.js';
import type { RelationTriple } from './relations.js';
import type { PgmSpec } from './factor_graph.js';

/** Fitted label models, the relations they were fitted with, and the optional end model. */
export interface FittedPlrm {
  models: LabelModels;
  relations: RelationTriple[];
  end?: StoredEndModel;
  options: PlrmOptions;
  /** The task the models were fitted on (its name), for reports. */
  task: string;
}

export const dataSchema = z.object({
  data: z.string().optional().describe('JSON task file {labels, desired, ilfs, relations, L_train, …} (or use --train/--relations/--desired)'),
  train: z.string().optional().describe('CSV of ILF outputs on training rows: header = ILF names, cells = label names, empty/-1 = abstain'),
  valid: z.string().optional().describe('CSV of ILF outputs on validation rows (gold in column --gold-column)'),
  test: z.string().optional().describe('CSV of ILF outputs on test rows (gold in column --gold-column)'),
  relations: z.string().optional().describe('CSV of label relations: a,b,relation (exclusive|overlap|subsuming|subsumed|equal)'),
  desired: z.string().optional().describe('comma-separated desired label names (CSV input)'),
  ilfLabels: z.string().optional().describe('CSV of ILF label sets: ilf,label1|label2|… (CSV input; default: the labels each ILF outputs)'),
  goldColumn: z.string().default('y').describe('name of the gold-label column in the CSVs'),
});
type DataOptions = z.output<typeof dataSchema>;

const defaultRelation = z.enum(['exclusive', 'overlap', 'unknown']).default('exclusive').describe('relation of label pairs left open by the input and the inference (official: exclusive)');

export const configSchema = z.object({
  defaultRelation,
  fitter: z
    .enum(['exact', 'exact-sgd', 'pcd'])
    .default(DEFAULT_FIT.fitter)
    .describe('exact: Adam on the exact likelihood; exact-sgd / pcd: the official per-example SGD with exact / Gibbs (PCD-1) statistics'),
  steps: opt.int().min(1).default(DEFAULT_FIT.steps).describe('exact: Adam steps'),
  lr: opt.num().positive().default(DEFAULT_FIT.lr).describe('exact: Adam learning rate'),
  evalEvery: opt.int().min(1).default(DEFAULT_FIT.evalEvery).describe('exact: validate every n steps'),
  epochs: opt.int().min(1).default(DEFAULT_FIT.epochs).describe('exact-sgd/pcd: epochs (official n_epochs)'),
  stepSize: opt.num().default(DEFAULT_FIT.stepSize).describe('exact-sgd/pcd: SGD step; -1 = 1/n (official)'),
  decay: opt.num().default(DEFAULT_FIT.decay).describe('exact-sgd/pcd: per-epoch step decay; -1 = 0.001^(1/epochs) (official)'),
  interval: opt.int().min(1).default(DEFAULT_FIT.interval).describe('exact-sgd/pcd: validate every n SGD steps (official default 1)'),
  patience: opt.int().min(0).default(DEFAULT_FIT.patience).describe('exact-sgd/pcd: validations without improvement before stopping (0 = never)'),
  nonNegative: z.enum(['none', 'relations', 'all']).default(DEFAULT_FIT.nonNegative).describe('clamp weights at 0: all (official project=True), relations only, or none (official default)'),
  regWeight: opt.num().min(0).default(DEFAULT_FIT.regWeight).describe('L2 pull of the weights towards --alpha (official reg_weight)'),
  alpha: opt.num().default(DEFAULT_FIT.alpha).describe('centre of the L2 pull (official alpha)'),
  allowIndistinguishable: z.boolean().default(false).describe('fit even when the pre-flight finds desired labels that cannot be told apart'),
  endModel: z.enum(['logreg', 'mlp', 'none']).default(DEFAULT_END_MODEL.kind).describe('end model on the features (X_*) of the covered rows'),
  endLabels: z.enum(['PLRM', 'LFPGM', 'LRMV', 'ALRMV']).default('PLRM').describe('label model whose probabilistic labels train the end model'),
  endEpochs: opt.int().min(1).default(DEFAULT_END_MODEL.epochs).describe('end model: full-batch Adam epochs'),
  endLr: opt.num().positive().default(DEFAULT_END_MODEL.lr).describe('end model: learning rate'),
  endHidden: opt.int().min(1).default(DEFAULT_END_MODEL.hidden).describe('end model: MLP hidden width'),
  endWeightDecay: opt.num().min(0).default(DEFAULT_END_MODEL.weightDecay).describe('end model: L2 weight decay'),
});
export type PlrmOptions = z.output<typeof configSchema>;
export type PlrmOptionsInput = z.input<typeof configSchema>;

const evalSchema = z.object({});

/** Read the task the options describe: a JSON task file, or ILF-output CSVs with a relations CSV. */
export async function readTask(storage: Storage, o: DataOptions): Promise<WisTask> {
  if (o.data !== undefined) {
    if (o.train || o.relations || o.desired) throw new UsageError('give either --data (a JSON task) or --train/--relations/--desired (CSVs), not both');
    return readTaskJson(storage, o.data);
  }
  if (!o.train || !o.relations || !o.desired) {
    throw new UsageError('give --data <task.json>, or --train <outputs.csv> --relations <relations.csv> --desired <a,b,c> (plus optional --valid/--test/--ilf-labels)');
  }
  return readTaskCsv(storage, {
    train: o.train,
    valid: o.valid,
    test: o.test,
    relations: o.relations,
    desired: o.desired
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    ilfLabels: o.ilfLabels,
    goldColumn: o.goldColumn,
  });
}

function plrmConfig(o: PlrmOptions, seed: number): PlrmConfig {
  return {
    defaultRelation: o.defaultRelation,
    allowIndistinguishable: o.allowIndistinguishable,
    fit: {
      fitter: o.fitter,
      steps: o.steps,
      lr: o.lr,
      evalEvery: o.evalEvery,
      epochs: o.epochs,
      stepSize: o.stepSize,
      decay: o.decay,
      interval: o.interval,
      patience: o.patience,
      nonNegative: o.nonNegative,
      regWeight: o.regWeight,
      alpha: o.alpha,
      seed,
    },
  };
}

function scoreNotes(scores: TaskScores, dataset: string): string[] {
  const notes: string[] = [];
  for (const s of ['valid', 'test'] as const) {
    const sc = scores[s];
    if (!sc) continue;
    notes.push(
      `${dataset} ${s} accuracy / macro-F1 %: ${Object.entries(sc)
        .map(([m, v]) => `${m} ${(100 * v!.accuracy).toFixed(2)} / ${(100 * v!.macroF1).toFixed(2)}`)
        .join('; ')}`,
    );
  }
  return notes;
}

function formatProb(v: number): string {
  return Number(v.toPrecision(10)).toString();
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Probabilistic labels as CSV: `split,row,covered,p_<desired>…,label` (label = argmax desired
 * name; ties broken as in scoring). Returns the text and the number of rows.
 */
export function labelsCsv(models: LabelModels, which: LabelModelName, task: WisTask, splits: readonly SplitName[]): { text: string; rows: number } {
  const k = models.desired.length;
  const J = models.ilfs.length;
  const names = models.desired.map((d) => models.labels[d]!);
  const lines = [['split', 'row', 'covered', ...names.map((nme) => `p_${csvCell(nme)}`), 'label'].join(',')];
  let rows = 0;
  for (const s of splits) {
    const sp = task.splits[s];
    if (!sp) continue;
    const probs = predictProba(models, which, sp.L, sp.n);
    const pred = probsToPreds(probs, k);
    for (let i = 0; i < sp.n; i++) {
      let covered = 0;
      for (let j = 0; j < J; j++) if (sp.L[i * J + j]! >= 0) covered = 1;
      const ps = Array.from({ length: k }, (_, c) => formatProb(probs[i * k + c]!));
      lines.push([s, String(i), String(covered), ...ps, csvCell(names[pred[i]!]!)].join(','));
      rows++;
    }
  }
  return { text: lines.join('\n') + '\n', rows };
}

/** The checkpoint's label structure must match the task's. */
function checkSameStructure(models: LabelModels, task: WisTask): void {
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  if (!same(models.labels, task.labels)) throw new InputError("the task labels differ from the checkpoint's", { file: task.source, field: 'labels' });
  if (!same(models.desired, task.desired)) throw new InputError("the desired labels differ from the checkpoint's", { file: task.source, field: 'desired' });
  if (!same(models.ilfs, task.ilfs)) throw new InputError("the ILF label sets differ from the checkpoint's", { file: task.source, field: 'ilfs' });
}

function endLabel(m: FittedPlrm): string | undefined {
  return m.end ? `end model (${m.end.model.kind} on ${m.end.labelSource} labels)` : undefined;
}

async function evaluate(m: FittedPlrm, task: WisTask, _ev: unknown, env: RunEnv): Promise<Evaluation> {
  checkSameStructure(m.models, task);
  const scores: TaskScores = evaluateTask(m.models, task);
  if (m.end) scoreEndModel(m.end, task, scores);
  if (Object.keys(scores).length === 0) throw new InputError('no split with gold labels (y_valid / y_test) to score', { file: task.source });
  const analysis = analyseTask(m.models, task);
  if (task.splits.train) {
    const l = labelsCsv(m.models, 'PLRM', task, ['train']);
    await env.artifact('labels_train.csv', l.text, 'PLRM probabilistic labels (train)');
  }
  const sections: ReportSection[] = [preflightSection(m.models), weightsSection(m.models), ilfSection(analysis)];
  const hist = historySection(m.models);
  if (hist) sections.push(hist);
  const lm = m.models;
  return {
    results: metricsComparisons(scores, task.name, endLabel(m)),
    sections,
    notes: scoreNotes(scores, task.name),
    extras: {
      lfpgm: { bestStep: lm.lfpgm.bestStep, logLik: lm.lfpgm.logLik, perm: lm.lfpgm.perm },
      plrm: { bestStep: lm.plrm.bestStep, logLik: lm.plrm.logLik, perm: lm.plrm.perm },
      endModel: m.end ? { kind: m.end.model.kind, labels: m.end.labelSource, bestEpoch: m.end.bestEpoch } : null,
      ilfAnalysis: analysis,
    },
  };
}

/** What the checkpoint's `extra.model` holds. */
interface PlrmExtra {
  labels: string[];
  desired: number[];
  ilfs: number[][];
  relations: RelationTriple[];
  config: PlrmConfig;
  lfpgm: { spec: PgmSpec; perm: number[]; bestStep: number; logLik: number };
  plrm: { spec: PgmSpec; perm: number[]; bestStep: number; logLik: number };
  endModel?: { kind: 'logreg' | 'mlp'; hidden: number; inFeatures: number; classes: number; scaler: ZScoreJSON; labelSource: LabelModelName; bestEpoch: number };
  task: string;
}

function save(m: FittedPlrm): SavedModel {
  const lm = m.models;
  const tensors = new Map<string, WritableTensor>();
  tensors.set('lfpgm.theta', { dtype: 'F64', shape: [lm.lfpgm.theta.length], data: lm.lfpgm.theta });
  tensors.set('plrm.theta', { dtype: 'F64', shape: [lm.plrm.theta.length], data: lm.plrm.theta });
  if (m.end) for (const [name, t] of m.end.model.stateDict()) tensors.set(`end.${name}`, t);
  const extra: PlrmExtra = {
    labels: lm.labels,
    desired: lm.desired,
    ilfs: lm.ilfs,
    relations: [...m.relations],
    config: lm.config,
    lfpgm: { spec: lm.lfpgm.spec, perm: lm.lfpgm.perm, bestStep: lm.lfpgm.bestStep, logLik: lm.lfpgm.logLik },
    plrm: { spec: lm.plrm.spec, perm: lm.plrm.perm, bestStep: lm.plrm.bestStep, logLik: lm.plrm.logLik },
    task: m.task,
  };
  if (m.end) {
    const e = m.end;
    extra.endModel = {
      kind: e.model.kind,
      hidden: e.model.hidden,
      inFeatures: e.model.inFeatures,
      classes: e.model.classes,
      scaler: e.scaler.toJSON() as ZScoreJSON,
      labelSource: e.labelSource,
      bestEpoch: e.bestEpoch,
    };
  }
  return { tensors, config: m.options, extra };
}

/** Rebuild label models (and end model) from stored tensors (F64 thetas kept exact) and JSON. */
function fromParts(x: PlrmExtra, tensors: Map<string, RawTensor>, options: PlrmOptions, where: { config: string; weights: string }): FittedPlrm {
  const theta = (name: string, len: number): Float64Array => {
    const t = tensors.get(name);
    if (t?.dtype !== 'F64' || t.shape[0] !== len) throw new InputError(`missing or mis-shaped tensor '${name}' (expected F64 [${len}])`, { file: where.weights });
    return Float64Array.from(t.data as Float64Array);
  };
  const graph = taskGraph({ labels: x.labels, desired: x.desired, ilfs: x.ilfs, relations: x.relations, source: where.config }, x.config.defaultRelation);
  const models: LabelModels = {
    labels: x.labels,
    desired: x.desired,
    ilfs: x.ilfs,
    graph,
    preflight: checkDistinguishability(graph, x.desired, x.ilfs),
    lfpgm: { ...x.lfpgm, theta: theta('lfpgm.theta', x.lfpgm.spec.factors.length), history: [] },
    plrm: { ...x.plrm, theta: theta('plrm.theta', x.plrm.spec.factors.length), history: [] },
    config: x.config,
  };
  let end: StoredEndModel | undefined;
  if (x.endModel) {
    const e = x.endModel;
    const model = new EndModel(e.inFeatures, e.classes, e.kind, e.hidden, new Rng(0));
    const dict = new Map<string, tf.Tensor>();
    for (const [name, t] of tensors) if (name.startsWith('end.')) dict.set(name.slice(4), tf.tensor(t.data as Float32Array, t.shape, 'float32'));
    try {
      model.loadStateDict(dict);
    } catch (err) {
      model.dispose();
      throw new InputError((err as Error).message, { file: where.weights });
    } finally {
      tf.dispose([...dict.values()]);
    }
    end = { model, scaler: ZScoreScaler.fromJSON(e.scaler, where.config), labelSource: e.labelSource, bestEpoch: e.bestEpoch };
  }
  return { models, relations: x.relations, end, options, task: x.task };
}

async function load(ck: LoadedCheckpoint): Promise<FittedPlrm> {
  const where = { config: joinPath(ck.dir, 'config.json'), weights: joinPath(ck.dir, 'model.safetensors') };
  const x = (ck.extra as { model?: PlrmExtra } | null)?.model;
  if (!x?.labels) throw new InputError('not a PLRM checkpoint (no label structure in extra.model)', { file: where.config, field: 'extra.model' });
  const options = validateOptions(configSchema, ck.config as Record<string, unknown>, `${where.config}: config`);
  return fromParts(x, ck.files['model']!, options, where);
}

/** The pre-kit format (`sheaf-plrm-checkpoint`) as a current checkpoint, or null. */
async function legacy(storage: Storage, path: string): Promise<LoadedCheckpoint | null> {
  for (const dir of [path, joinPath(path, 'checkpoint')]) {
    const cfgPath = joinPath(dir, 'config.json');
    if ((await storage.stat(cfgPath))?.kind !== 'file') continue;
    const c = (await readJson(storage, cfgPath)) as (Omit<PlrmExtra, 'task'> & { format?: string; origin?: Record<string, unknown> }) | null;
    if (c?.format !== 'sheaf-plrm-checkpoint') continue;
    const f = c.config.fit;
    const options = validateOptions(
      configSchema,
      {
        defaultRelation: c.config.defaultRelation,
        allowIndistinguishable: c.config.allowIndistinguishable,
        fitter: f.fitter,
        steps: f.steps,
        lr: f.lr,
        evalEvery: f.evalEvery,
        epochs: f.epochs,
        stepSize: f.stepSize,
        decay: f.decay,
        interval: f.interval,
        patience: f.patience,
        nonNegative: f.nonNegative,
        regWeight: f.regWeight,
        alpha: f.alpha,
        ...(c.endModel ? { endModel: c.endModel.kind, endLabels: c.endModel.labelSource, endHidden: c.endModel.hidden } : { endModel: 'none' }),
      },
      cfgPath,
    );
    const { format: _f, origin, ...rest } = c;
    const extra: PlrmExtra = { ...rest, task: typeof origin?.['task'] === 'string' ? (origin['task'] as string) : '' };
    const weights = joinPath(dir, 'model.safetensors');
    return {
      dir,
      version: 1,
      system: 'plrm',
      config: options,
      epoch: 0,
      step: 0,
      rngState: null,
      moduleRng: null,
      bestMetric: null,
      extra: { data: typeof origin?.['data'] === 'string' ? { data: origin['data'] } : {}, eval: {}, model: extra },
      scheduler: null,
      files: { model: decodeSafetensors(await storage.read(weights), weights).tensors },
      optimizerMeta: null,
    };
  }
  return null;
}

const labelOptions = z.object({
  ...dataSchema.shape,
  split: z.enum(['train', 'valid', 'test', 'all']).default('train').describe('rows to label'),
  model: z.enum(['PLRM', 'LFPGM', 'LRMV', 'ALRMV']).default('PLRM').describe('label model'),
  out: z.string().optional().describe('CSV to write (default: labels_<split>.csv in the run folder)'),
});

const checkOptions = z.object({ ...dataSchema.shape, defaultRelation });

/** PLRM. */
export const plrmSystem = defineSystem({
  name: 'plrm',
  title: 'PLRM',
  summary: 'weak indirect supervision: probabilistic labels for unseen classes from labelling functions over related label spaces',
  reference: { paper: 'Zhang et al., Creating Training Sets via Weak Indirect Supervision, ICLR 2022', code: 'JieyuZ2/wis' },
  schemas: { config: configSchema, data: dataSchema, eval: evalSchema },
  trainAliases: ['fit'],
  loadData: (o, env) => readTask(env.storage, o),
  describeData: (t: WisTask) => ({ name: t.name }),
  async train(task, o, _ev, env) {
    const run = trainPlrm(task, {
      config: plrmConfig(o, env.seed),
      endModel: o.endModel === 'none' ? null : { kind: o.endModel, epochs: o.endEpochs, lr: o.endLr, hidden: o.endHidden, weightDecay: o.endWeightDecay, seed: env.seed },
      endLabels: o.endLabels,
      log: env.log,
    });
    const m = run.models;
    // The fits' histories are per optimisation step, not per epoch: they go in as "epoch" = step.
    for (const [name, f] of [
      ['LFPGM', m.lfpgm],
      ['PLRM', m.plrm],
    ] as const) {
      for (const h of f.history) {
        const vals: Record<string, number> = {};
        if (h.logLik !== undefined) vals[`${name} log-lik`] = h.logLik;
        if (h.validMacroF1 !== undefined) vals[`${name} macro-F1`] = h.validMacroF1;
        if (Object.keys(vals).length) env.curve?.(h.step, h.validMacroF1 !== undefined ? 'valid' : 'train', vals);
      }
    }
    return { models: m, relations: task.relations, end: run.end, options: o, task: task.name };
  },
  evaluate,
  configOf: (m: FittedPlrm) => m.options,
  save,
  load: (ck) => load(ck),
  legacy,
  dispose: (m) => m.end?.model.dispose(),
  predict: {
    verb: 'label',
    summary: 'write the probabilistic labels of a fitted label model as CSV',
    options: labelOptions,
    async run(m: FittedPlrm, o: z.output<typeof labelOptions>, env) {
      const task = await readTask(env.storage, o);
      checkSameStructure(m.models, task);
      const splits: SplitName[] = o.split === 'all' ? SPLITS.filter((s) => task.splits[s]) : [o.split];
      for (const s of splits) if (!task.splits[s]) throw new InputError(`the task has no ${s} split (L_${s})`, { file: task.source, field: `L_${s}` });
      const l = labelsCsv(m.models, o.model, task, splits);
      let out: string | null;
      if (o.out) {
        await env.storage.write(o.out, l.text);
        out = o.out;
      } else out = await env.artifact(`labels_${o.split}.csv`, l.text, `${o.model} probabilistic labels`);
      if (!out) throw new UsageError('plrm label needs --out when no run folder is created');
      return {
        dataset: { name: task.name },
        artifacts: o.out ? [{ kind: `${o.model} probabilistic labels`, path: o.out }] : [],
        notes: [`${l.rows} rows of ${o.model} probabilistic labels (${splits.join(', ')}) written to ${out}`],
      };
    },
  },
  verbs: [
    defineVerb({
      name: 'check',
      summary: 'check the label graph (consistency, inferred relations) and the distinguishability of the desired labels, without fitting',
      options: checkOptions,
      createsRun: false,
      async run(o, ctx) {
        const task = await readTask(ctx.storage, o);
        const graph = taskGraph(task, o.defaultRelation);
        const c = graph.originCounts();
        const lines = [
          `task ${task.name}: ${task.labels.length} labels, ${task.desired.length} desired, ${task.ilfs.length} ILFs; relations consistent.`,
          `label pairs: ${c.given} given, ${c.implied} implied by the others, ${c.default} set by the default (${o.defaultRelation}), ${c.ambiguous} open.`,
        ];
        for (const t of graph.triples()) if (t.origin === 'implied') lines.push(`  implied: '${task.labels[t.a]}' ${t.relation} '${task.labels[t.b]}'`);
        for (const [a, b] of graph.ambiguous) lines.push(`  open: '${task.labels[a]}' – '${task.labels[b]}' (${graph.possible(a, b).join(' or ')})`);
        const report = checkDistinguishability(graph, task.desired, task.ilfs);
        lines.push(...report.lines);
        const analysis = analyseTask({ graph, ilfs: task.ilfs, desired: task.desired }, task);
        for (const s of SPLITS) {
          const a = analysis[s];
          if (a)
            lines.push(
              `${s}: ${a.rows} rows, ${(100 * a.coverage).toFixed(1)} % covered by ≥ 1 ILF, ${(100 * a.overlap).toFixed(1)} % by ≥ 2, ${(100 * a.conflict).toFixed(1)} % with exclusive votes`,
            );
        }
        if (!report.ok) throw new InputError(`the desired labels cannot all be told apart:\n${lines.join('\n')}`, { file: task.source });
        for (const l of lines) ctx.log(l);
        return { dataset: { name: task.name }, notes: ['check passed: consistent graph, distinguishable desired labels'] };
      },
    }),
  ],
  demo: (quick) => ({
    data: { data: `${SHIPPED_TASKS_DIR}/${quick ? 'digits_00.json' : 'letters_00.json'}` },
    config: quick ? { steps: 50, endEpochs: 50 } : {},
    note: quick ? 'quick demo: shipped digits task 0, 50 steps' : 'demo: shipped letters task 0, the default fit',
  }),
  conformance: async () => ({ data: { data: `${SHIPPED_TASKS_DIR}/digits_00.json` }, config: { steps: 30, endEpochs: 20 }, eval: {}, note: 'shipped digits task 0', resumable: false }),
});
