/**
 * The whole PLRM workflow on one task: label models (label_models.ts), their scores on the
 * validation and test splits, the ILF analysis, and the end model trained on the chosen label
 * model's probabilistic labels over the covered training rows.
 */
import type { SplitName, WisTask } from './task.js';
import { SPLITS } from './task.js';
import { analyseIlfs, type LfAnalysis } from './lf_analysis.js';
import { evaluateTask, predictProba, trainLabelModels, type LabelModelName, type LabelModels, type ModelScores, type PlrmConfigInput } from './label_models.js';
import { coveredRows, endModelProba, trainEndModel, type EndModelOptions } from './end_model.js';
import type { StoredEndModel } from './end_model.js';
import { probsToPreds, scores } from './predict.js';

/** Options of {@link trainPlrm}. */
export interface TrainPlrmOptions {
  config?: PlrmConfigInput;
  /** End model options, or null for none. Ignored when the task has no X_train. */
  endModel?: Partial<EndModelOptions> | null;
  /** Whose probabilistic labels the end model learns from (default PLRM). */
  endLabels?: LabelModelName;
  log?: (line: string) => void;
}

/** Scores per split (valid/test with gold) of every label model and the end model. */
export type TaskScores = Partial<Record<SplitName, Partial<Record<LabelModelName | 'end model', ModelScores>>>>;

/** Result of {@link trainPlrm}. */
export interface PlrmRun {
  models: LabelModels;
  scores: TaskScores;
  /** ILF analysis per split present in the task. */
  analysis: Partial<Record<SplitName, LfAnalysis>>;
  end?: StoredEndModel & { trainRows: number; history: Array<{ epoch: number; loss: number; validAccuracy?: number }> };
}

/** ILF analysis of every split of a task (gold used when present). */
export function analyseTask(models: Pick<LabelModels, 'graph' | 'ilfs' | 'desired'>, task: WisTask): Partial<Record<SplitName, LfAnalysis>> {
  const out: Partial<Record<SplitName, LfAnalysis>> = {};
  for (const s of SPLITS) {
    const sp = task.splits[s];
    if (sp) out[s] = analyseIlfs(sp.L, sp.n, models.ilfs, models.graph, models.desired, sp.y);
  }
  return out;
}

/** End-model scores on every split with gold labels and features. */
export function scoreEndModel(end: Pick<StoredEndModel, 'model' | 'scaler'>, task: WisTask, scoresOut: TaskScores): void {
  const k = task.desired.length;
  for (const s of ['valid', 'test'] as const) {
    const sp = task.splits[s];
    if (!sp?.y || !sp.X || !sp.d) continue;
    if (sp.d !== end.model.inFeatures) throw new RangeError(`X_${s} has ${sp.d} features but the end model expects ${end.model.inFeatures}`);
    const pred = probsToPreds(endModelProba(end, sp.X, sp.d), k);
    (scoresOut[s] ??= {})['end model'] = scores(sp.y, pred);
  }
}

/** Fit the label models (and the end model), score them, analyse the ILFs. */
export function trainPlrm(task: WisTask, opts: TrainPlrmOptions = {}): PlrmRun {
  const models = trainLabelModels(task, opts.config ?? {}, opts.log);
  const scoresOut: TaskScores = evaluateTask(models, task);
  const analysis = analyseTask(models, task);
  const run: PlrmRun = { models, scores: scoresOut, analysis };
  const tr = task.splits.train!;
  if (opts.endModel !== null && tr.X && tr.d) {
    const source = opts.endLabels ?? 'PLRM';
    const k = task.desired.length;
    const J = task.ilfs.length;
    const rows = coveredRows(tr.L, tr.n, J);
    const probs = predictProba(models, source, tr.L, tr.n);
    const X = new Float64Array(rows.length * tr.d);
    const P = new Float64Array(rows.length * k);
    rows.forEach((r, i) => {
      X.set(tr.X!.subarray(r * tr.d!, (r + 1) * tr.d!), i * tr.d!);
      P.set(probs.subarray(r * k, (r + 1) * k), i * k);
    });
    const v = task.splits.valid;
    const valid = v?.X && v.y && v.d === tr.d ? { X: v.X, y: v.y } : undefined;
    const t = trainEndModel(X, tr.d, P, k, valid, opts.endModel ?? {});
    run.end = { model: t.model, scaler: t.scaler, labelSource: source, bestEpoch: t.bestEpoch, trainRows: t.trainRows, history: t.history };
    opts.log?.(`end model (${t.model.kind}) trained on ${source} labels of ${rows.length}/${tr.n} covered rows; kept epoch ${t.bestEpoch}`);
    scoreEndModel(run.end, task, scoresOut);
  }
  return run;
}
