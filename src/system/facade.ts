/**
 * What the systems' library facades share: a trained model held together with the data it was
 * trained on, so `evaluate()`, `save()` and `load()` are one call each, in Node and in a page.
 */
import type { z } from 'zod';
import { defaultStorage } from '../io/default.js';
import type { Storage } from '../io/storage.js';
import type { ProgressSink } from '../train/fit.js';
import { libraryEnv, loadModel, saveModel } from './run.js';
import { makeRunResult, type RunResult } from './result.js';
import { validateOptions } from './schema.js';
import type { AnySystem, Evaluation, RunEnv } from './types.js';

/** Options of library calls that train or evaluate. */
export interface CallOptions {
  /** Seed for every random choice (default 0). */
  seed?: number;
  /** Where files are read and written (default: files in Node, memory in a browser). */
  storage?: Storage;
  log?: (line: string) => void;
  signal?: AbortSignal;
  progress?: ProgressSink;
  curve?: RunEnv['curve'];
  /** A folder for resumable progress checkpoints (a folder holding one resumes). */
  progressDir?: string;
}

function envOf(o: CallOptions): RunEnv {
  return libraryEnv(o.storage ?? defaultStorage(), { seed: o.seed, log: o.log, signal: o.signal, progress: o.progress, curve: o.curve, progressDir: o.progressDir ?? null });
}

/** A trained model of system `S` (with the data it was trained on, when known). */
export class TrainedModel<M, D> {
  protected constructor(
    /** The system. */
    readonly system: AnySystem,
    /** The trained model and what it needs (weights, scaler, names, …). */
    readonly model: M,
    /** The data it was trained on (evaluate() defaults to it). */
    readonly data: D | null,
    /** Evaluation options at training. */
    protected readonly evalOptions: Record<string, unknown>,
  ) {}

  /** Train through the system's protocol; `config` and `evalOptions` are partial (the rest defaults). */
  protected static async trainWith<M, D>(
    sys: AnySystem,
    data: D,
    config: Record<string, unknown>,
    evalOptions: Record<string, unknown>,
    o: CallOptions,
  ): Promise<{ model: M; eval: Record<string, unknown> }> {
    const cfg = validateOptions(sys.schemas.config, config, `${sys.title} config`) as Record<string, unknown>;
    const ev = validateOptions(sys.schemas.eval, evalOptions, `${sys.title} evaluation options`) as Record<string, unknown>;
    const model = (await sys.train(data, cfg, ev, envOf(o))) as M;
    return { model, eval: ev };
  }

  /** Load from a checkpoint folder (or a run folder). */
  protected static async loadWith<M>(sys: AnySystem, dir: string, o: { storage?: Storage } = {}): Promise<{ model: M; eval: Record<string, unknown> }> {
    const l = await loadModel(o.storage ?? defaultStorage(), dir, [sys], { expect: sys.name });
    return { model: l.model as M, eval: l.eval };
  }

  /**
   * Scores of the model beside its baselines on `data` (default: the training data), as the
   * run-result envelope (`results[i].model.metrics`, `results[i].baselines`).
   */
  async evaluate(data?: D, evalOptions: Record<string, unknown> = {}, o: CallOptions = {}): Promise<RunResult> {
    const ev = await this.evaluation(data, evalOptions, o);
    return makeRunResult({ system: this.system.name, verb: 'eval', dataset: this.system.describeData(data ?? this.data), seed: o.seed ?? 0, comparisons: ev.results, extras: ev.extras });
  }

  /** The full evaluation (report sections included). */
  async evaluation(data?: D, evalOptions: Record<string, unknown> = {}, o: CallOptions = {}): Promise<Evaluation> {
    const d = data ?? this.data;
    if (d === null || d === undefined) throw new TypeError(`${this.system.title}: evaluate() needs data (this model was loaded, not trained here)`);
    const ev = validateOptions(this.system.schemas.eval, { ...this.evalOptions, ...evalOptions }, `${this.system.title} evaluation options`);
    return this.system.evaluate(this.model, d, ev, envOf(o));
  }

  /** The configuration the model was trained with. */
  get config(): z.output<z.ZodObject> {
    return this.system.configOf(this.model) as z.output<z.ZodObject>;
  }

  /** Save as a checkpoint folder (loadable by `load` and by the CLI's `--checkpoint`). */
  async save(dir: string, o: { storage?: Storage } = {}): Promise<string> {
    return saveModel(o.storage ?? defaultStorage(), dir, this.system, this.model, { eval: this.evalOptions });
  }

  /** Free the model's tensors. */
  dispose(): void {
    this.system.dispose(this.model);
  }
}
