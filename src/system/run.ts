/**
 * The flows every system shares, for the CLI and for library calls alike: train (read data, train
 * through `fit`, evaluate beside baselines, save the checkpoint, write metrics.json), eval (load a
 * checkpoint, reuse its data options and split, evaluate), predict, and saving and loading models
 * in the one checkpoint format.
 */
import { z } from 'zod';
import { InputError, UsageError } from '../util/errors.js';
import { basenamePath, dirnamePath, joinPath } from '../io/path.js';
import type { Storage } from '../io/storage.js';
import { loadCheckpoint, readCheckpointInfo, resolveCheckpoint, saveCheckpoint, type LoadedCheckpoint } from '../train/checkpoint.js';
import { makeRunResult, type RunResult } from './result.js';
import { validateOptions } from './schema.js';
import type { AnySystem, DataDescription, Evaluation, RunEnv, VerbResult } from './types.js';

/** What the kit keeps in a checkpoint's `extra` besides the system's own part. */
export interface CheckpointExtra {
  /** The data options the model was trained with (eval reuses them unless told otherwise). */
  data: Record<string, unknown>;
  /** The evaluation options at training (eval's defaults). */
  eval: Record<string, unknown>;
  /** The system's own part. */
  model: unknown;
}

/** A model loaded from a checkpoint, with the options it was trained with. */
export interface LoadedModel<M = unknown> {
  system: AnySystem;
  model: M;
  /** The checkpoint folder read. */
  dir: string;
  data: Record<string, unknown>;
  eval: Record<string, unknown>;
}

/** Save a trained model as a checkpoint folder `dir`. Returns `dir`. */
export async function saveModel(storage: Storage, dir: string, sys: AnySystem, model: unknown, opts: { data?: Record<string, unknown>; eval?: Record<string, unknown> } = {}): Promise<string> {
  const s = sys.save(model);
  const extra: CheckpointExtra = { data: opts.data ?? {}, eval: opts.eval ?? {}, model: s.extra ?? null };
  return saveCheckpoint(storage, dirnamePath(dir), {
    system: sys.name,
    tensors: s.tensors,
    files: s.files,
    config: s.config,
    epoch: s.epoch ?? 0,
    step: s.step ?? 0,
    extra,
    name: basenamePath(dir),
    setLatest: false,
  });
}

/**
 * Load a model from a checkpoint folder or a run folder (its `checkpoint/`), whichever system
 * wrote it — in the current format or a system's older one.
 */
export async function loadModel(storage: Storage, path: string, systems: readonly AnySystem[], opts: { expect?: string; log?: (line: string) => void } = {}): Promise<LoadedModel> {
  let ck: LoadedCheckpoint | null = null;
  let sys: AnySystem | undefined;
  let current: Error | null = null;
  try {
    const dir = await resolveCheckpoint(storage, path);
    const info = await readCheckpointInfo(storage, dir);
    sys = systems.find((s) => s.name === info.system);
    if (!sys)
      throw new InputError(`written by system '${String(info.system)}', which this Sheaf does not know (known: ${systems.map((s) => s.name).join(', ')})`, {
        file: joinPath(dir, 'config.json'),
        field: 'system',
      });
    ck = await loadCheckpoint(storage, dir);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    current = e;
  }
  if (!ck) {
    // Not a current checkpoint: perhaps one of a system's formats from before the kit.
    for (const s of systems) {
      const legacy = (await s.legacy?.(storage, path)) ?? null;
      if (legacy) {
        ck = legacy;
        sys = s;
        break;
      }
    }
  }
  if (ck && sys && ck.version === 1 && sys.legacy) {
    // Version 1 had no room for the kit's data and evaluation options: the system converts it.
    ck = (await sys.legacy(storage, ck.dir)) ?? ck;
  }
  if (!ck || !sys) throw current ?? new InputError('not a Sheaf checkpoint', { file: path });
  if (opts.expect && sys.name !== opts.expect) {
    throw new UsageError(`--checkpoint ${path} holds a ${sys.title} model, not a ${systems.find((s) => s.name === opts.expect)?.title ?? opts.expect} one (use sheaf ${sys.name} …)`);
  }
  const extra = (ck.extra ?? {}) as Partial<CheckpointExtra>;
  const model = await sys.load(ck, { storage, log: opts.log ?? (() => undefined) });
  return { system: sys, model, dir: ck.dir, data: extra.data ?? {}, eval: extra.eval ?? {} };
}

/** Options of a train run, validated with the system's schemas. */
export interface TrainOptions {
  data: Record<string, unknown>;
  config: Record<string, unknown>;
  eval: Record<string, unknown>;
}

/** Validate raw option values (any accepted spelling) against a system's three schemas. */
export function splitTrainOptions(sys: AnySystem, values: Record<string, unknown>, source: string): TrainOptions {
  const all = z.object({ ...sys.schemas.data.shape, ...sys.schemas.config.shape, ...sys.schemas.eval.shape });
  const v = validateOptions(all, values, source) as Record<string, unknown>;
  const pick = (s: z.ZodObject): Record<string, unknown> =>
    Object.fromEntries(
      Object.keys(s.shape)
        .filter((k) => k in v)
        .map((k) => [k, v[k]]),
    );
  return { data: pick(sys.schemas.data), config: pick(sys.schemas.config), eval: pick(sys.schemas.eval) };
}

/** What a train or eval run gives back. */
export interface RunOutcome<M = unknown> {
  model: M;
  data: DataDescription;
  evaluation: Evaluation;
  result: RunResult;
  /** The checkpoint folder written (train with a run folder), else null. */
  checkpoint: string | null;
}

async function writeResult(env: RunEnv, result: RunResult): Promise<void> {
  if (env.runDir) await env.artifact('metrics.json', JSON.stringify(result, null, 2) + '\n', 'metrics');
}

/**
 * Train: read the data, train, evaluate, save `<runDir>/checkpoint` and `<runDir>/metrics.json`.
 * The caller owns (and disposes) the returned model.
 */
export async function trainRun(sys: AnySystem, o: TrainOptions, env: RunEnv): Promise<RunOutcome> {
  const data = await sys.loadData(o.data, env);
  const model = await sys.train(data, o.config, o.eval, env);
  try {
    const evaluation = await sys.evaluate(model, data, o.eval, env);
    const desc = sys.describeData(data);
    let checkpoint: string | null = null;
    if (env.runDir) checkpoint = await saveModel(env.storage, joinPath(env.runDir, 'checkpoint'), sys, model, { data: o.data, eval: o.eval });
    const result = makeRunResult({ system: sys.name, verb: 'train', dataset: desc, seed: env.seed, comparisons: evaluation.results, extras: evaluation.extras });
    await writeResult(env, result);
    return { model, data: desc, evaluation, result, checkpoint };
  } catch (e) {
    sys.dispose(model);
    throw e;
  }
}

/**
 * Evaluate a checkpoint. Data and evaluation options default to the ones stored at training
 * (so the same split is scored); `given` holds only what the caller chose to change.
 */
export async function evalRun(sys: AnySystem, checkpoint: string, given: { data: Record<string, unknown>; eval: Record<string, unknown> }, env: RunEnv): Promise<RunOutcome> {
  const loaded = await loadModel(env.storage, checkpoint, [sys], { expect: sys.name, log: env.log });
  try {
    const dataOpts = validateOptions(sys.schemas.data, { ...loaded.data, ...given.data }, 'data options') as Record<string, unknown>;
    const evalOpts = validateOptions(sys.schemas.eval, { ...loaded.eval, ...given.eval }, 'evaluation options') as Record<string, unknown>;
    const data = await sys.loadData(dataOpts, env);
    const evaluation = await sys.evaluate(loaded.model, data, evalOpts, env);
    const desc = sys.describeData(data);
    const result = makeRunResult({ system: sys.name, verb: 'eval', dataset: desc, seed: env.seed, comparisons: evaluation.results, extras: { checkpoint: loaded.dir, ...evaluation.extras } });
    await writeResult(env, result);
    return { model: loaded.model, data: desc, evaluation, result, checkpoint: loaded.dir };
  } catch (e) {
    sys.dispose(loaded.model);
    throw e;
  }
}

/** Run a system's predict verb on a checkpoint. */
export async function predictRun(sys: AnySystem, checkpoint: string, opts: Record<string, unknown>, env: RunEnv): Promise<VerbResult> {
  if (!sys.predict) throw new UsageError(`${sys.title} has no predict verb`);
  const loaded = await loadModel(env.storage, checkpoint, [sys], { expect: sys.name, log: env.log });
  try {
    return await sys.predict.run(loaded.model, opts, env);
  } finally {
    sys.dispose(loaded.model);
  }
}

/** A RunEnv for library calls: in-memory defaults, no run folder. */
export function libraryEnv(storage: Storage, o: Partial<RunEnv> = {}): RunEnv {
  return {
    storage,
    seed: o.seed ?? 0,
    log: o.log ?? (() => undefined),
    signal: o.signal,
    progress: o.progress,
    curve: o.curve,
    runDir: o.runDir ?? null,
    progressDir: o.progressDir ?? null,
    quick: o.quick ?? false,
    artifact:
      o.artifact ??
      (async (name, content) => {
        if (!o.runDir) return null;
        const path = joinPath(o.runDir, name);
        await storage.write(path, content);
        return path;
      }),
  };
}
