/**
 * What makes a system a system. Each of Sheaf's systems (StemGNN, MTAD-GAT, …) is one `System`:
 * its configuration schema, how it reads data, trains, evaluates beside its baselines, saves and
 * loads its model, and any verbs of its own. Everything a user touches is built from it: the CLI's
 * `train` / `eval` / `predict` verbs, the library facade (`StemGNN.fit(...)`), the README's option
 * tables, the conformance test and `sheaf demo`. Systems never import the CLI, the registry or
 * Node modules: they read and write through a `Storage`.
 */
import type { z } from 'zod';
import type { Storage } from '../io/storage.js';
import type { WritableTensor } from '../io/safetensors.js';
import type { LoadedCheckpoint } from '../train/checkpoint.js';
import type { ProgressSink } from '../train/fit.js';
import type { CurvePoint, MetricsComparison, ReportSection } from '../report/report.js';

/** What a system gets while it runs: where to read and write, the seed, logging, stopping. */
export interface RunEnv {
  storage: Storage;
  /** Seed for every random choice. */
  seed: number;
  /** One line for the user. */
  log: (line: string) => void;
  /** Aborted on Ctrl-C: stop after the current step and return what is complete. */
  signal?: AbortSignal;
  /** Batch and epoch progress (a bar on a terminal). */
  progress?: ProgressSink;
  /** Per-epoch values for the run's curves (the registry, the report, a live dashboard). */
  curve?: (epoch: number, split: string, values: Record<string, number>) => void;
  /** The run's folder for outputs (in `storage`), or null when nothing is to be written. */
  runDir: string | null;
  /** Folder for resumable training progress; a folder that holds a checkpoint resumes. Null: none. */
  progressDir: string | null;
  /** The fastest setting (tests, `sheaf demo --quick`). */
  quick: boolean;
  /** Write an output file of the run into `runDir` and record it; null when there is no run folder. */
  artifact: (name: string, data: string | Uint8Array, kind: string) => Promise<string | null>;
}

/** What a system's training function takes from the run (seed, logging, stopping, progress, resumable checkpoints). */
export interface TrainCallOptions {
  seed?: number;
  log?: (line: string) => void;
  signal?: AbortSignal;
  progress?: ProgressSink;
  /** Per-epoch curve values. */
  curve?: (epoch: number, split: string, values: Record<string, number>) => void;
  /** Resumable progress (a folder holding a checkpoint resumes). */
  checkpoint?: { storage: Storage; dir: string };
}

/** The training options of a run environment; `sub` puts the progress in a subfolder (one per model of a verb). */
export function trainCallOptions(env: RunEnv, sub?: string): TrainCallOptions {
  const dir = env.progressDir && sub ? `${env.progressDir}/${sub}` : env.progressDir;
  return { seed: env.seed, log: env.log, signal: env.signal, progress: env.progress, curve: env.curve, checkpoint: dir ? { storage: env.storage, dir } : undefined };
}

/** Metrics beside baselines per split, plus the system's report sections and closing notes. */
export interface Evaluation {
  results: MetricsComparison[];
  sections?: ReportSection[];
  notes?: string[];
  /** System-specific numbers for metrics.json (JSON). */
  extras?: Record<string, unknown>;
}

/** What a system stores in its checkpoint (the kit adds format, version, system, data and eval options). */
export interface SavedModel {
  /** Weights under the model's (official) parameter names; raw arrays keep their dtype (F64). */
  tensors: Map<string, WritableTensor>;
  /** Further tensor files (`<name>.safetensors`). */
  files?: Record<string, Map<string, WritableTensor>>;
  /** The resolved configuration the model was trained with. */
  config: unknown;
  /** Anything else needed to use the model (scalers, names, id maps, baseline numbers). */
  extra?: unknown;
  epoch?: number;
  step?: number;
}

/** A verb's result; the front door records and reports it. */
export interface VerbResult {
  /** Data set name (and content hash) for the registry. */
  dataset?: { name: string; hash?: string | null };
  /** Final metrics beside baselines, one comparison per split (and protocol). Printed as tables. */
  metrics?: MetricsComparison[];
  /** Files written in the run folder. */
  artifacts?: Array<{ kind: string; path: string }>;
  sections?: ReportSection[];
  /** Extra curves not sent through `curve`. */
  curves?: CurvePoint[];
  /** Configuration to record (defaults filled in). */
  config?: Record<string, unknown>;
  notes?: string[];
  /** System-specific numbers for metrics.json. */
  extras?: Record<string, unknown>;
}

/** What a verb gets from the front door. */
export interface VerbContext extends RunEnv {
  /** The run's id, or null for verbs that create no run. */
  runId: string | null;
  /** The tensor backend in use. */
  backend: string;
  /** The user asked to resume this run (`--resume <id>`). */
  resume: boolean;
}

/** A verb of a system's own (`mtadgat inject`, `cgkgr build-kg`, `plrm check`). */
export interface SystemVerb<S extends z.ZodObject = z.ZodObject> {
  name: string;
  /** Other names the verb answers to. */
  aliases?: readonly string[];
  /** One line for `--help`. */
  summary: string;
  /** Options; each field `.describe(…)`d. Flag `--foo-bar` is field `fooBar`. */
  options: S;
  /** Whether the verb creates a run (folder, registry row, report). */
  createsRun: boolean;
  run(opts: z.output<S>, ctx: VerbContext): Promise<VerbResult>;
}

/** Define a verb with its options' types inferred from the schema. */
export function defineVerb<S extends z.ZodObject>(verb: SystemVerb<S>): SystemVerb {
  return verb as unknown as SystemVerb;
}

/** Using a trained model on new input: `predict` (StemGNN), `detect` (MTAD-GAT), `recommend`, `label`. */
export interface PredictSpec<M, S extends z.ZodObject = z.ZodObject> {
  /** The verb's natural name; `predict` is always accepted too. */
  verb: string;
  summary: string;
  /** Input and output options (besides `--checkpoint`). */
  options: S;
  run(model: M, opts: z.output<S>, env: RunEnv): Promise<VerbResult>;
}

/** Where the data of a run came from, for the registry and metrics.json. */
export interface DataDescription {
  name: string;
  /** sha-256 of the main input file, when there is one. */
  hash?: string | null;
}

/** Options of `sheaf demo` for one system: a train run on shipped data. */
export interface DemoSetting {
  data: Record<string, unknown>;
  config: Record<string, unknown>;
  eval?: Record<string, unknown>;
  /** One line saying what setting this is (and that it is not the acceptance one). */
  note: string;
}

/**
 * A system. `C`, `D`, `E` are the schemas of its configuration (stored with the model), its data
 * options (where the data is) and its evaluation options (defaults at training, overridable at
 * `eval`). `Data` is what `loadData` reads; `M` a trained model with everything needed to use it.
 */
export interface System<C extends z.ZodObject = z.ZodObject, D extends z.ZodObject = z.ZodObject, E extends z.ZodObject = z.ZodObject, Data = unknown, M = unknown> {
  /** CLI name, e.g. `stemgnn`. */
  name: string;
  /** Display name, e.g. `StemGNN`. */
  title: string;
  /** One line: what a user does with it. */
  summary: string;
  /** The paper, and the official code the defaults follow. */
  reference: { paper: string; code: string };
  schemas: { config: C; data: D; eval: E };
  /** Other names of `train` (PLRM's `fit`). */
  trainAliases?: readonly string[];
  /** Read the data the options describe. */
  loadData(opts: z.output<D>, env: RunEnv): Promise<Data>;
  describeData(data: Data): DataDescription;
  /** Train through `fit` (progress in `env.progressDir`); the model holds the kept weights. */
  train(data: Data, config: z.output<C>, evalOpts: z.output<E>, env: RunEnv): Promise<M>;
  /** Metrics of the model beside its baselines on every scored split of `data`. */
  evaluate(model: M, data: Data, evalOpts: z.output<E>, env: RunEnv): Promise<Evaluation>;
  /** The configuration a model was trained with (e.g. its split, which `eval` must reuse). */
  configOf(model: M): z.output<C>;
  save(model: M): SavedModel;
  /** Rebuild a model from its checkpoint. */
  load(ck: LoadedCheckpoint, env: Pick<RunEnv, 'storage' | 'log'>): Promise<M>;
  /** Read a checkpoint written in this system's format before the kit, as a current one (or null: not one). */
  legacy?(storage: Storage, dir: string): Promise<LoadedCheckpoint | null>;
  /** Free the model's tensors. */
  dispose(model: M): void;
  predict?: PredictSpec<M>;
  /** Verbs of its own. */
  verbs?: readonly SystemVerb[];
  /** The `sheaf demo` setting (quick: the fastest that still trains). */
  demo(quick: boolean): DemoSetting;
  /**
   * The smallest setting that still exercises every part, for the conformance test every system
   * must pass (test/systems/conformance.test.ts). Any small input files it needs are written into
   * `storage` (synthetic, named as such).
   */
  conformance(storage: Storage): Promise<ConformanceSetting>;
}

/** A tiny setting for the conformance test. */
export interface ConformanceSetting extends DemoSetting {
  /** Whether training goes through `fit` with resumable progress (PLRM's closed-form fit does not). */
  resumable: boolean;
}

/** Any system (for lists and dispatch). */
// biome-ignore lint/suspicious/noExplicitAny: a list holds systems of different data and model types; each is used through its own methods only.
export type AnySystem = System<z.ZodObject, z.ZodObject, z.ZodObject, any, any>;

/** Define a system with its types inferred. */
export function defineSystem<C extends z.ZodObject, D extends z.ZodObject, E extends z.ZodObject, Data, M>(s: System<C, D, E, Data, M>): System<C, D, E, Data, M> {
  return s;
}
