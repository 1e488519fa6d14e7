/**
 * The run-result envelope: every run writes `metrics.json` in this one shape, whatever the
 * system, so a script reads "the test metrics of run X, model and baselines" the same way for
 * all of them (`sheaf runs show <id> --json` returns it too).
 */
import type { MetricsComparison } from '../report/report.js';

export const RESULT_FORMAT = 'sheaf-run-result';
export const RESULT_VERSION = 1;

/** One scorer's numbers on one split. */
export interface ScorerMetrics {
  label: string;
  metrics: Record<string, number | null>;
}

/** One split (and protocol) of one data set: the model beside each baseline. */
export interface SplitResult {
  split: string;
  /** How the numbers were computed when a split has several ways (null otherwise). */
  protocol: string | null;
  dataset: string;
  model: ScorerMetrics | null;
  baselines: ScorerMetrics[];
  /** Which direction is better, per metric, when known. */
  better: Record<string, 'higher' | 'lower'>;
  note: string | null;
}

export interface RunResult {
  format: typeof RESULT_FORMAT;
  version: typeof RESULT_VERSION;
  system: string;
  verb: string;
  dataset: { name: string; hash: string | null };
  seed: number;
  results: SplitResult[];
  /** The system's own numbers (kept epoch, parameter count, protocol details, …). */
  extras: Record<string, unknown>;
}

function numbers(values: Readonly<Record<string, number | null | undefined>>): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(values)) out[k] = typeof v === 'number' && Number.isFinite(v) ? v : null;
  return out;
}

/** The envelope's per-split results of metric comparisons. */
export function splitResults(comparisons: readonly MetricsComparison[]): SplitResult[] {
  return comparisons.map((c) => {
    const model = c.rows.find((r) => r.kind === 'model');
    return {
      split: c.split,
      protocol: c.protocol ?? null,
      dataset: c.dataset,
      model: model ? { label: model.label, metrics: numbers(model.values) } : null,
      baselines: c.rows.filter((r) => r !== model).map((r) => ({ label: r.label, metrics: numbers(r.values) })),
      better: { ...(c.better ?? {}) },
      note: c.note ?? null,
    };
  });
}

/** Build a run's envelope. */
export function makeRunResult(o: {
  system: string;
  verb: string;
  dataset: { name: string; hash?: string | null };
  seed: number;
  comparisons: readonly MetricsComparison[];
  extras?: Record<string, unknown>;
}): RunResult {
  return {
    format: RESULT_FORMAT,
    version: RESULT_VERSION,
    system: o.system,
    verb: o.verb,
    dataset: { name: o.dataset.name, hash: o.dataset.hash ?? null },
    seed: o.seed,
    results: splitResults(o.comparisons),
    extras: o.extras ?? {},
  };
}

/** The model's metrics on a split (first protocol unless one is named), or null. */
export function modelMetrics(r: RunResult, split: string, protocol?: string): Record<string, number | null> | null {
  const s = r.results.find((x) => x.split === split && (protocol === undefined || x.protocol === protocol));
  return s?.model?.metrics ?? null;
}
