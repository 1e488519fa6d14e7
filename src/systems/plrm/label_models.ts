/**
 * The label-model pipeline of the official run scripts, on a `WisTask`: build and check the
 * label graph, run the distinguishability pre-flight, then LRMV and ALRMV (no fitting), LFPGM
 * (θ = 1, fitted) and PLRM (warm-started from the fitted LFPGM), with model selection and the
 * label-permutation fix on the validation split — never on the test split.
 */
import { InputError } from '../../util/errors.js';
import { LabelGraph, type DefaultRelation, type ExclusiveGroup } from './relations.js';
import type { SplitName, TaskSplit, WisTask } from './task.js';
import { checkDistinguishability, type DistinguishabilityReport } from './distinguishability.js';
import { buildLfpgmSpec, buildPlrmSpec, CompiledPgm, initialTheta, patterns, type PgmSpec } from './factor_graph.js';
import { DEFAULT_FIT, fitPgm, type FitHistoryPoint, type FitOptions } from './fit.js';
import { posterior } from './likelihood.js';
import { alrmvMap, lrmvMap, majorityVote } from './majority_vote.js';
import { permuteColumns, probsToPreds, scores } from './predict.js';

/** The four label models, in report order. */
export const LABEL_MODELS = ['LRMV', 'ALRMV', 'LFPGM', 'PLRM'] as const;
export type LabelModelName = (typeof LABEL_MODELS)[number];

/** Configuration of the label-model pipeline. */
export interface PlrmConfig {
  /** Relation for pairs left open by the input and the inference (official: exclusive). */
  defaultRelation: DefaultRelation;
  /** Fitting options for LFPGM and PLRM. */
  fit: FitOptions;
  /** Fit even when the pre-flight finds indistinguishable desired labels. */
  allowIndistinguishable: boolean;
}

/** Partial configuration as callers pass it (fit options may be partial too). */
export type PlrmConfigInput = Partial<Omit<PlrmConfig, 'fit'>> & { fit?: Partial<FitOptions> };

/** Defaults: official graph default, exact fitter (see fit.ts). */
export const DEFAULT_CONFIG: PlrmConfig = { defaultRelation: 'exclusive', fit: { ...DEFAULT_FIT }, allowIndistinguishable: false };

/** A fitted PGM label model. */
export interface FittedPgm {
  spec: PgmSpec;
  theta: Float64Array;
  /** Label permutation chosen on validation (perm[c] = model column used as class c). */
  perm: number[];
  bestStep: number;
  logLik: number;
  history: FitHistoryPoint[];
}

/** Everything needed to label new rows: the task's label structure, the graph and both PGMs. */
export interface LabelModels {
  labels: string[];
  desired: number[];
  ilfs: number[][];
  graph: LabelGraph;
  preflight: DistinguishabilityReport;
  lfpgm: FittedPgm;
  plrm: FittedPgm;
  config: PlrmConfig;
}

/**
 * Build the label graph of a task: the given relations plus "desired labels are mutually
 * exclusive" and "the labels of one ILF are mutually exclusive", checked and completed.
 */
export function taskGraph(task: Pick<WisTask, 'labels' | 'desired' | 'ilfs' | 'relations' | 'source'>, defaultRelation: DefaultRelation): LabelGraph {
  const groups: ExclusiveGroup[] = [{ labels: task.desired, why: 'desired labels must be mutually exclusive' }];
  task.ilfs.forEach((set, j) => groups.push({ labels: set, why: `the labels of ILF ${j} must be mutually exclusive (an ILF outputs one of them)` }));
  return LabelGraph.build(task.labels, task.relations, { defaultRelation, exclusiveGroups: groups, file: task.source });
}

function abstainFlags(task: WisTask): boolean[] {
  const tr = task.splits.train!;
  const J = task.ilfs.length;
  const flags = new Array<boolean>(J).fill(false);
  for (let i = 0; i < tr.n; i++) for (let j = 0; j < J; j++) if (tr.L[i * J + j] === -1) flags[j] = true;
  return flags;
}

/**
 * Fit LFPGM then PLRM on the task's training split (selection on its validation split when it
 * has gold labels). Throws `InputError` when the pre-flight finds indistinguishable desired
 * labels, unless `allowIndistinguishable`.
 */
export function trainLabelModels(task: WisTask, config: PlrmConfigInput = {}, log?: (line: string) => void): LabelModels {
  const cfg: PlrmConfig = { ...DEFAULT_CONFIG, ...config, fit: { ...DEFAULT_FIT, ...(config.fit ?? {}) } };
  const graph = taskGraph(task, cfg.defaultRelation);
  const preflight = checkDistinguishability(graph, task.desired, task.ilfs);
  if (!preflight.ok && !cfg.allowIndistinguishable) {
    throw new InputError(`the desired labels cannot all be told apart:\n${preflight.lines.join('\n')}`, { file: task.source, field: 'relations' });
  }
  const abstains = abstainFlags(task);
  const train = task.splits.train!;
  const valid = task.splits.valid?.y ? task.splits.valid : undefined;
  if (!valid) log?.('no gold labels on the validation split: no model selection, the final weights and the identity label order are kept');

  const fitOne = (spec: PgmSpec, theta0: Float64Array): FittedPgm => {
    const model = new CompiledPgm(spec);
    const trainPats = patterns(model.encode(train.L, train.n), train.n, model.nIlf);
    const sel = valid ? { pats: patterns(model.encode(valid.L, valid.n), valid.n, model.nIlf), y: valid.y! } : undefined;
    const r = fitPgm(model, trainPats, theta0, sel, cfg.fit);
    const last = r.history[r.history.length - 1];
    log?.(
      `${spec.kind}: ${spec.factors.length} factors, ${model.nStates} label states, ${trainPats.U} distinct training patterns; ` +
        `kept step ${r.bestStep}` +
        (last?.validMacroF1 !== undefined ? ` (valid macro-F1 ${(Math.max(...r.history.map((h) => h.validMacroF1 ?? -1)) * 100).toFixed(2)}%)` : '') +
        `, train log-lik ${r.logLik.toFixed(4)}`,
    );
    return { spec, theta: r.theta, perm: r.perm, bestStep: r.bestStep, logLik: r.logLik, history: r.history };
  };
  const lfSpec = buildLfpgmSpec(graph, task.desired, task.ilfs, abstains);
  const lfpgm = fitOne(lfSpec, initialTheta(lfSpec));
  const plSpec = buildPlrmSpec(graph, task.desired, task.ilfs, abstains);
  const plrm = fitOne(plSpec, initialTheta(plSpec, lfpgm));
  return { labels: task.labels, desired: task.desired, ilfs: task.ilfs, graph, preflight, lfpgm, plrm, config: cfg };
}

/** Probabilistic labels (n × k, row-major) of one label model for ILF outputs L (global ids, -1 = abstain). */
export function predictProba(models: LabelModels, which: LabelModelName, L: Int32Array, n: number): Float64Array {
  const J = models.ilfs.length;
  const k = models.desired.length;
  if (L.length !== n * J) throw new RangeError(`expected ${n}×${J} ILF outputs, got ${L.length} values`);
  if (which === 'LRMV') return majorityVote(L, n, J, k, lrmvMap(models.graph, models.desired, models.ilfs));
  if (which === 'ALRMV') return majorityVote(L, n, J, k, alrmvMap(models.graph, models.desired, models.ilfs));
  const fitted = which === 'LFPGM' ? models.lfpgm : models.plrm;
  const model = new CompiledPgm(fitted.spec);
  const probs = posterior(model, fitted.theta, patterns(model.encode(L, n), n, J));
  return permuteColumns(probs, k, fitted.perm);
}

/** Accuracy and macro-F1 of one model's hard labels against a split's gold labels. */
export interface ModelScores {
  accuracy: number;
  macroF1: number;
}

/** Score every label model on a split that has gold labels. */
export function evaluateLabelModels(models: LabelModels, split: TaskSplit): Record<LabelModelName, ModelScores> {
  if (!split.y) throw new RangeError('the split has no gold labels');
  const k = models.desired.length;
  const out = {} as Record<LabelModelName, ModelScores>;
  for (const m of LABEL_MODELS) out[m] = scores(split.y, probsToPreds(predictProba(models, m, split.L, split.n), k));
  return out;
}

/** Scores of every label model on every split of the task that has gold labels. */
export function evaluateTask(models: LabelModels, task: WisTask): Partial<Record<SplitName, Record<LabelModelName, ModelScores>>> {
  const out: Partial<Record<SplitName, Record<LabelModelName, ModelScores>>> = {};
  for (const s of ['valid', 'test'] as const) {
    const sp = task.splits[s];
    if (sp?.y) out[s] = evaluateLabelModels(models, sp);
  }
  return out;
}
