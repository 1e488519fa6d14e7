/**
 * `sheaf plrm fit|eval|label|check` and PLRM's part of `sheaf demo`. Thin wrappers on the
 * programmatic API (index.ts). Input is a JSON task file (`--data`) or ILF-output CSVs with a
 * relations CSV (`--train … --relations … --desired …`); see the README.
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { SystemDefinition, SystemVerb, VerbContext, VerbResult } from '../../node/cli/system.js';
import type { ReportSection } from '../../report/index.js';
import { writeFileAtomic, writeJsonAtomic } from '../../node/fs.js';
import { InputError, UsageError } from '../../util/errors.js';
import { readTaskCsv, readTaskJson, SPLITS, type SplitName, type WisTask } from './task.js';
import { DEFAULT_FIT, type FitOptions } from './fit.js';
import { DEFAULT_END_MODEL } from './end_model.js';
import { evaluateTask, LABEL_MODELS, predictProba, taskGraph, type LabelModelName, type LabelModels, type PlrmConfigInput } from './label_models.js';
import { analyseTask, scoreEndModel, trainPlrm, type TaskScores } from './pipeline.js';
import { loadPlrmCheckpoint, savePlrmCheckpoint } from './checkpoint.js';
import { checkDistinguishability } from './distinguishability.js';
import { historySection, ilfSection, metricsComparisons, preflightSection, weightsSection } from './report.js';
import { probsToPreds } from './predict.js';
import { SHIPPED_TASKS_DIR } from './shipped.js';

const input = {
  data: z.string().optional().describe('JSON task file {labels, desired, ilfs, relations, L_train, …} (or use --train/--relations/--desired)'),
  train: z.string().optional().describe('CSV of ILF outputs on training rows: header = ILF names, cells = label names, empty/-1 = abstain'),
  valid: z.string().optional().describe('CSV of ILF outputs on validation rows (gold in column --gold-column)'),
  test: z.string().optional().describe('CSV of ILF outputs on test rows (gold in column --gold-column)'),
  relations: z.string().optional().describe('CSV of label relations: a,b,relation (exclusive|overlap|subsuming|subsumed|equal)'),
  desired: z.string().optional().describe('comma-separated desired label names (CSV input)'),
  ilfLabels: z.string().optional().describe('CSV of ILF label sets: ilf,label1|label2|… (CSV input; default: the labels each ILF outputs)'),
  goldColumn: z.string().default('y').describe('name of the gold-label column in the CSVs'),
};
const defaultRelation = z.enum(['exclusive', 'overlap', 'unknown']).default('exclusive').describe('relation of label pairs left open by the input and the inference (official: exclusive)');

const fitShape = {
  ...input,
  defaultRelation,
  fitter: z.enum(['exact', 'exact-sgd', 'pcd']).default(DEFAULT_FIT.fitter).describe('exact: Adam on the exact likelihood; exact-sgd / pcd: the official per-example SGD with exact / Gibbs (PCD-1) statistics'),
  steps: z.coerce.number().int().min(1).default(DEFAULT_FIT.steps).describe('exact: Adam steps'),
  lr: z.coerce.number().positive().default(DEFAULT_FIT.lr).describe('exact: Adam learning rate'),
  evalEvery: z.coerce.number().int().min(1).default(DEFAULT_FIT.evalEvery).describe('exact: validate every n steps'),
  epochs: z.coerce.number().int().min(1).default(DEFAULT_FIT.epochs).describe('exact-sgd/pcd: epochs (official n_epochs)'),
  stepSize: z.coerce.number().default(DEFAULT_FIT.stepSize).describe('exact-sgd/pcd: SGD step; -1 = 1/n (official)'),
  decay: z.coerce.number().default(DEFAULT_FIT.decay).describe('exact-sgd/pcd: per-epoch step decay; -1 = 0.001^(1/epochs) (official)'),
  interval: z.coerce.number().int().min(1).default(DEFAULT_FIT.interval).describe('exact-sgd/pcd: validate every n SGD steps (official default 1)'),
  patience: z.coerce.number().int().min(0).default(DEFAULT_FIT.patience).describe('exact-sgd/pcd: validations without improvement before stopping (0 = never)'),
  nonNegative: z.enum(['none', 'relations', 'all']).default(DEFAULT_FIT.nonNegative).describe('clamp weights at 0: all (official project=True), relations only, or none (official default)'),
  regWeight: z.coerce.number().min(0).default(DEFAULT_FIT.regWeight).describe('L2 pull of the weights towards --alpha (official reg_weight)'),
  alpha: z.coerce.number().default(DEFAULT_FIT.alpha).describe('centre of the L2 pull (official alpha)'),
  allowIndistinguishable: z.boolean().default(false).describe('fit even when the pre-flight finds desired labels that cannot be told apart'),
  endModel: z.enum(['logreg', 'mlp', 'none']).default(DEFAULT_END_MODEL.kind).describe('end model on the features (X_*) of the covered rows'),
  endLabels: z.enum(['PLRM', 'LFPGM', 'LRMV', 'ALRMV']).default('PLRM').describe('label model whose probabilistic labels train the end model'),
  endEpochs: z.coerce.number().int().min(1).default(DEFAULT_END_MODEL.epochs).describe('end model: full-batch Adam epochs'),
  endLr: z.coerce.number().positive().default(DEFAULT_END_MODEL.lr).describe('end model: learning rate'),
  endHidden: z.coerce.number().int().min(1).default(DEFAULT_END_MODEL.hidden).describe('end model: MLP hidden width'),
  endWeightDecay: z.coerce.number().min(0).default(DEFAULT_END_MODEL.weightDecay).describe('end model: L2 weight decay'),
};
const fitOptions = z.object(fitShape);
type FitOpts = z.infer<typeof fitOptions>;

const evalOptions = z.object({
  checkpoint: z.string().describe('run folder or checkpoint folder written by `plrm fit`'),
  ...input,
});

const labelOptions = z.object({
  checkpoint: z.string().describe('run folder or checkpoint folder written by `plrm fit`'),
  ...input,
  split: z.enum(['train', 'valid', 'test', 'all']).default('train').describe('rows to label'),
  model: z.enum(['PLRM', 'LFPGM', 'LRMV', 'ALRMV']).default('PLRM').describe('label model'),
  out: z.string().optional().describe('CSV to write (default: labels_<split>.csv in the run folder)'),
});

const checkOptions = z.object({ ...input, defaultRelation });

type InputOpts = { data?: string; train?: string; valid?: string; test?: string; relations?: string; desired?: string; ilfLabels?: string; goldColumn: string };

/** Read the task from --data or the CSV options. */
export function readTaskFromOptions(o: InputOpts): WisTask {
  if (o.data !== undefined) {
    if (o.train || o.relations || o.desired) throw new UsageError('give either --data (a JSON task) or --train/--relations/--desired (CSVs), not both');
    return readTaskJson(o.data);
  }
  if (!o.train || !o.relations || !o.desired) {
    throw new UsageError('give --data <task.json>, or --train <outputs.csv> --relations <relations.csv> --desired <a,b,c> (plus optional --valid/--test/--ilf-labels)');
  }
  return readTaskCsv({
    train: o.train,
    valid: o.valid,
    test: o.test,
    relations: o.relations,
    desired: o.desired.split(',').map((s) => s.trim()).filter((s) => s !== ''),
    ilfLabels: o.ilfLabels,
    goldColumn: o.goldColumn,
  });
}

function fitConfig(o: FitOpts, seed: number): PlrmConfigInput {
  const fit: FitOptions = {
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
  };
  return { defaultRelation: o.defaultRelation, fit, allowIndistinguishable: o.allowIndistinguishable };
}

function scoreNotes(scores: TaskScores, dataset: string): string[] {
  const notes: string[] = [];
  for (const s of ['valid', 'test'] as const) {
    const sc = scores[s];
    if (!sc) continue;
    const parts = Object.entries(sc).map(([m, v]) => `${m} ${(100 * v!.accuracy).toFixed(2)} / ${(100 * v!.macroF1).toFixed(2)}`);
    notes.push(`${dataset} ${s} accuracy / macro-F1 %: ${parts.join('; ')}`);
  }
  return notes;
}

/** Fit, save a checkpoint, report (shared by `fit` and the demo). */
export async function runFit(o: FitOpts, ctx: VerbContext): Promise<VerbResult> {
  if (!ctx.runDir) throw new UsageError('plrm fit needs a run folder');
  const task = readTaskFromOptions(o);
  const run = trainPlrm(task, {
    config: fitConfig(o, ctx.seed),
    endModel: o.endModel === 'none' ? null : { kind: o.endModel, epochs: o.endEpochs, lr: o.endLr, hidden: o.endHidden, weightDecay: o.endWeightDecay, seed: ctx.seed },
    endLabels: o.endLabels,
    log: ctx.log,
  });
  const m = run.models;
  for (const [name, f] of [['LFPGM', m.lfpgm], ['PLRM', m.plrm]] as const) {
    for (const h of f.history) {
      const vals: Record<string, number> = {};
      if (h.logLik !== undefined) vals[`${name} log-lik`] = h.logLik;
      if (h.validMacroF1 !== undefined) vals[`${name} macro-F1`] = h.validMacroF1;
      if (Object.keys(vals).length) ctx.logEpoch(h.step, h.validMacroF1 !== undefined ? 'valid' : 'train', vals);
    }
  }
  try {
    const ckDir = join(ctx.runDir, 'checkpoint');
    const ck = savePlrmCheckpoint(ckDir, m, task.relations, run.end, { data: o.data ?? o.train, seed: ctx.seed, task: task.name });
    const labelsPath = join(ctx.runDir, 'labels_train.csv');
    writeLabelsCsv(labelsPath, m, 'PLRM', task, ['train']);
    const summary = join(ctx.runDir, 'metrics.json');
    writeJsonAtomic(summary, {
      task: task.name,
      seed: ctx.seed,
      scores: run.scores,
      lfpgm: { bestStep: m.lfpgm.bestStep, logLik: m.lfpgm.logLik, perm: m.lfpgm.perm },
      plrm: { bestStep: m.plrm.bestStep, logLik: m.plrm.logLik, perm: m.plrm.perm },
      endModel: run.end ? { kind: run.end.model.kind, labels: run.end.labelSource, bestEpoch: run.end.bestEpoch, trainRows: run.end.trainRows } : null,
      ilfAnalysis: run.analysis,
    });
    const endLabel = run.end ? `end model (${run.end.model.kind} on ${run.end.labelSource} labels)` : undefined;
    const sections: ReportSection[] = [preflightSection(m), weightsSection(m), ilfSection(run.analysis)];
    const hist = historySection(m);
    if (hist) sections.push(hist);
    return {
      dataset: { name: task.name },
      metrics: metricsComparisons(run.scores, task.name, endLabel),
      artifacts: [
        { kind: 'checkpoint weights', path: ck.weights },
        { kind: 'checkpoint config', path: ck.config },
        { kind: 'PLRM probabilistic labels (train)', path: labelsPath },
        { kind: 'metrics', path: summary },
      ],
      sections,
      config: { ...o, seed: ctx.seed },
      notes: [...scoreNotes(run.scores, task.name), `checkpoint: ${ckDir}`, `probabilistic labels: ${labelsPath}`],
    };
  } finally {
    run.end?.model.dispose();
  }
}

/**
 * Write probabilistic labels as CSV: `split,row,covered,p_<desired>…,label` (label = argmax
 * desired name; ties broken as in scoring).
 */
export function writeLabelsCsv(path: string, models: LabelModels, which: LabelModelName, task: WisTask, splits: readonly SplitName[]): number {
  const k = models.desired.length;
  const J = models.ilfs.length;
  const names = models.desired.map((d) => models.labels[d]!);
  const lines = [['split', 'row', 'covered', ...names.map((nme) => `p_${csvCell(nme)}`), 'label'].join(',')];
  let count = 0;
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
      count++;
    }
  }
  writeFileAtomic(path, lines.join('\n') + '\n');
  return count;
}

function formatProb(v: number): string {
  return Number(v.toPrecision(10)).toString();
}

function csvCell(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The checkpoint's label structure must match the task's. */
function checkSameStructure(models: LabelModels, task: WisTask): void {
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  if (!same(models.labels, task.labels)) throw new InputError('the task labels differ from the checkpoint\'s', { file: task.source, field: 'labels' });
  if (!same(models.desired, task.desired)) throw new InputError('the desired labels differ from the checkpoint\'s', { file: task.source, field: 'desired' });
  if (!same(models.ilfs, task.ilfs)) throw new InputError('the ILF label sets differ from the checkpoint\'s', { file: task.source, field: 'ilfs' });
}

const fitVerb: SystemVerb<typeof fitOptions> = {
  name: 'fit',
  summary: 'fit LFPGM and PLRM (plus LRMV/ALRMV and an end model), report them side by side, save a checkpoint',
  options: fitOptions,
  createsRun: true,
  run: (o, ctx) => runFit(o, ctx),
};

const evalVerb: SystemVerb<typeof evalOptions> = {
  name: 'eval',
  summary: 'score a fitted checkpoint on the valid/test splits of a task (all label models and the end model)',
  options: evalOptions,
  createsRun: true,
  async run(o, ctx) {
    const task = readTaskFromOptions(o);
    const loaded = loadPlrmCheckpoint(o.checkpoint);
    try {
      checkSameStructure(loaded.models, task);
      const scores: TaskScores = evaluateTask(loaded.models, task);
      if (loaded.end) scoreEndModel(loaded.end, task, scores);
      if (Object.keys(scores).length === 0) throw new InputError('no split with gold labels (y_valid / y_test) to score', { file: task.source });
      const analysis = analyseTask(loaded.models, task);
      const endLabel = loaded.end ? `end model (${loaded.end.model.kind} on ${loaded.end.labelSource} labels)` : undefined;
      return {
        dataset: { name: task.name },
        metrics: metricsComparisons(scores, task.name, endLabel),
        sections: [preflightSection(loaded.models), weightsSection(loaded.models), ilfSection(analysis)],
        config: { ...o },
        notes: scoreNotes(scores, task.name),
      };
    } finally {
      loaded.end?.model.dispose();
    }
  },
};

const labelVerb: SystemVerb<typeof labelOptions> = {
  name: 'label',
  summary: 'write the probabilistic labels of a fitted label model as CSV',
  options: labelOptions,
  createsRun: true,
  async run(o, ctx) {
    const task = readTaskFromOptions(o);
    const loaded = loadPlrmCheckpoint(o.checkpoint);
    try {
      checkSameStructure(loaded.models, task);
      const splits: SplitName[] = o.split === 'all' ? SPLITS.filter((s) => task.splits[s]) : [o.split];
      for (const s of splits) if (!task.splits[s]) throw new InputError(`the task has no ${s} split (L_${s})`, { file: task.source, field: `L_${s}` });
      const out = o.out ?? (ctx.runDir ? join(ctx.runDir, `labels_${o.split}.csv`) : `labels_${o.split}.csv`);
      const rows = writeLabelsCsv(out, loaded.models, o.model, task, splits);
      return {
        dataset: { name: task.name },
        artifacts: [{ kind: `${o.model} probabilistic labels`, path: out }],
        config: { ...o },
        notes: [`${rows} rows of ${o.model} probabilistic labels (${splits.join(', ')}) written to ${out}`],
      };
    } finally {
      loaded.end?.model.dispose();
    }
  },
};

const checkVerb: SystemVerb<typeof checkOptions> = {
  name: 'check',
  summary: 'check the label graph (consistency, inferred relations) and the distinguishability of the desired labels, without fitting',
  options: checkOptions,
  createsRun: false,
  async run(o, ctx) {
    const task = readTaskFromOptions(o);
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
    const models = { graph, ilfs: task.ilfs, desired: task.desired };
    const analysis = analyseTask(models, task);
    for (const s of SPLITS) {
      const a = analysis[s];
      if (a) lines.push(`${s}: ${a.rows} rows, ${(100 * a.coverage).toFixed(1)} % covered by ≥ 1 ILF, ${(100 * a.overlap).toFixed(1)} % by ≥ 2, ${(100 * a.conflict).toFixed(1)} % with exclusive votes`);
    }
    if (!report.ok) throw new InputError(`the desired labels cannot all be told apart:\n${lines.join('\n')}`, { file: task.source });
    for (const l of lines) ctx.log(l);
    return { dataset: { name: task.name }, notes: ['check passed: consistent graph, distinguishable desired labels'] };
  },
};

/** PLRM's CLI. */
export const plrmSystem: SystemDefinition = {
  name: 'plrm',
  title: 'PLRM',
  summary: 'weak indirect supervision: probabilistic labels for unseen classes from labelling functions over related label spaces',
  verbs: [fitVerb, evalVerb, labelVerb, checkVerb] as unknown as SystemVerb[],
  async demo(ctx) {
    const file = join(SHIPPED_TASKS_DIR, ctx.quick ? 'digits_00.json' : 'letters_00.json');
    const o = fitOptions.parse({ data: file, ...(ctx.quick ? { steps: 50, endEpochs: 50 } : {}) });
    return runFit(o, ctx);
  },
};

export { LABEL_MODELS };
