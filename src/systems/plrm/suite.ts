/**
 * Run the four label models (and optionally the end model) over a list of task files with one
 * fixed configuration — no per-task tuning — and summarise per task and on average. Used by the
 * shipped-task evaluation (scripts/plrm/evaluate_shipped.ts) and the ImageNet benchmark
 * (bench/plrm_wis_imagenet.ts).
 */
import type { Storage } from '../../io/storage.js';
import { basenamePath } from '../../io/path.js';
import { readTaskJson } from './task.js';
import { LABEL_MODELS, type PlrmConfigInput } from './label_models.js';
import { trainPlrm, type TaskScores } from './pipeline.js';
import type { EndModelOptions } from './end_model.js';

/** One task's test (and valid) scores. */
export interface SuiteRow {
  task: string;
  file: string;
  rows: { train: number; valid: number; test: number };
  scores: TaskScores;
  seconds: number;
}

/** Options of {@link runSuite}. */
export interface SuiteOptions {
  config?: PlrmConfigInput;
  /** End model options, or null (default) for none. */
  endModel?: Partial<EndModelOptions> | null;
  log?: (line: string) => void;
}

/** Fit and score every task file in order. */
export async function runSuite(storage: Storage, files: readonly string[], opts: SuiteOptions = {}): Promise<SuiteRow[]> {
  const out: SuiteRow[] = [];
  for (const file of files) {
    const t0 = performance.now();
    const task = await readTaskJson(storage, file);
    const run = trainPlrm(task, { config: opts.config, endModel: opts.endModel ?? null });
    run.end?.model.dispose();
    const row: SuiteRow = {
      task: task.name,
      file: basenamePath(file),
      rows: { train: task.splits.train?.n ?? 0, valid: task.splits.valid?.n ?? 0, test: task.splits.test?.n ?? 0 },
      scores: run.scores,
      seconds: (performance.now() - t0) / 1000,
    };
    out.push(row);
    const t = row.scores.test;
    if (t)
      opts.log?.(
        `${row.file}: test accuracy ${LABEL_MODELS.map((m) => `${m} ${pct(t[m]?.accuracy)}`).join(', ')}${t['end model'] ? `, end model ${pct(t['end model'].accuracy)}` : ''} (${row.seconds.toFixed(1)} s)`,
      );
  }
  return out;
}

function pct(v: number | undefined): string {
  return v === undefined ? '—' : (100 * v).toFixed(1);
}

/** Mean of a score over the rows that have it. */
export function suiteMean(rows: readonly SuiteRow[], split: 'valid' | 'test', model: string, metric: 'accuracy' | 'macroF1'): number {
  const vals = rows.map((r) => (r.scores[split] as Record<string, { accuracy: number; macroF1: number }> | undefined)?.[model]?.[metric]).filter((v): v is number => v !== undefined);
  return vals.length ? vals.reduce((a, b) => a + b, 0) / vals.length : NaN;
}

/** A markdown table: per task accuracy / macro-F1 (%) of every model on the test split, then the mean. */
export function suiteMarkdown(rows: readonly SuiteRow[], withEnd = false): string {
  const models: string[] = [...LABEL_MODELS, ...(withEnd ? ['end model'] : [])];
  const head = `| task | test rows | ${models.map((m) => `${m} acc / mF1`).join(' | ')} |`;
  const sep = `|---|---:|${models.map(() => '---:').join('|')}|`;
  const lines = [head, sep];
  for (const r of rows) {
    const t = (r.scores.test ?? {}) as Record<string, { accuracy: number; macroF1: number }>;
    lines.push(`| ${r.task} | ${r.rows.test} | ${models.map((m) => (t[m] ? `${pct(t[m].accuracy)} / ${pct(t[m].macroF1)}` : '—')).join(' | ')} |`);
  }
  lines.push(`| **mean (${rows.length} tasks)** | | ${models.map((m) => `**${pct(suiteMean(rows, 'test', m, 'accuracy'))} / ${pct(suiteMean(rows, 'test', m, 'macroF1'))}**`).join(' | ')} |`);
  return lines.join('\n') + '\n';
}
