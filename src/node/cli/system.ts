/**
 * How a system plugs into the `sheaf` CLI. Each system exports one `SystemDefinition` from
 * `src/models/<system>/cli.ts`; the front door (src/cli/main.ts) parses flags, validates them
 * with the verb's zod schema, opens a run (id, folder, registry row), calls `run`, then records
 * metrics and artefacts and writes the HTML report. Systems never touch argv, the registry or
 * process exit codes themselves.
 */
import type { z } from 'zod';
import type { MetricsComparison, ReportSection, CurvePoint } from '../../report/report.js';

/** What a verb gets from the front door. */
export interface VerbContext {
  /** The run's id (also the folder name), or null for verbs that do not create runs. */
  runId: string | null;
  /** The run's output folder (`<home>/<id>/`), already created; null when no run is created. */
  runDir: string | null;
  /** Seed for every random choice in the run. */
  seed: number;
  /** The tfjs backend in use. */
  backend: string;
  /** Print one line for the user (stderr when stdout carries machine output). */
  log: (line: string) => void;
  /** Aborted on Ctrl-C: stop after the current batch and return what is complete. */
  signal: AbortSignal;
  /** Record per-epoch metrics (they go to the registry and the report's curves). */
  logEpoch: (epoch: number, split: string, metrics: Record<string, number>) => void;
  /** Whether output should be quick (used by tests and `sheaf demo --quick`). */
  quick: boolean;
  /**
   * True when the user asked to resume this run (`--resume <id>`): `runDir` is the killed run's
   * folder, and a verb that checkpoints should continue from its last checkpoint there.
   */
  resume?: boolean;
}

/** What a verb returns; the front door records and reports it. */
export interface VerbResult {
  /** Dataset name and content hash for the registry (e.g. file path + sha256). */
  dataset?: { name: string; hash?: string };
  /** Final metrics beside baselines, one comparison per split/dataset. Printed as tables. */
  metrics?: MetricsComparison[];
  /** Files written in the run folder: kind → path. */
  artifacts?: Array<{ kind: string; path: string }>;
  /** The system's own report sections (plots, tables). */
  sections?: ReportSection[];
  /** Extra training curves (per-epoch values not sent through `logEpoch`). */
  curves?: CurvePoint[];
  /** Resolved configuration to record (defaults filled in); defaults to the parsed options. */
  config?: Record<string, unknown>;
  /** Lines to print at the end (e.g. where predictions were written). */
  notes?: string[];
}

/** One verb of a system, e.g. `sheaf stemgnn train`. */
export interface SystemVerb<S extends z.ZodObject = z.ZodObject> {
  name: string;
  /** One line for `--help`. */
  summary: string;
  /**
   * Options as a zod object. Each field should carry `.describe('…')` (shown in help); numbers
   * should use `z.coerce.number()` since flags arrive as strings. Flag `--foo-bar` maps to
   * field `fooBar`. Unknown flags are rejected by the front door.
   */
  options: S;
  /** Whether the verb creates a run (folder + registry row + report). `train`/`eval` do; `check` may not. */
  createsRun: boolean;
  run(opts: z.infer<S>, ctx: VerbContext): Promise<VerbResult>;
}

/** A system's CLI: its verbs and its part of `sheaf demo`. */
export interface SystemDefinition {
  /** CLI name, e.g. `stemgnn`. */
  name: string;
  /** Display name, e.g. `StemGNN`. */
  title: string;
  /** One line: what a user does with it. */
  summary: string;
  verbs: SystemVerb[];
  /**
   * The demo: train at a quick setting on shipped data and evaluate, returning the same result as
   * a verb (metrics beside baselines). `quick` is the fastest setting (used in the test suite).
   */
  demo(ctx: VerbContext): Promise<VerbResult>;
}

/** Define a verb with its options' types inferred from the schema (for use in `verbs: [...]`). */
export function defineVerb<S extends z.ZodObject>(verb: SystemVerb<S>): SystemVerb {
  return verb as unknown as SystemVerb;
}
