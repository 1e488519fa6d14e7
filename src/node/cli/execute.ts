/**
 * Running a verb as a run: open the registry row and folder, call the system, record metrics
 * and artefacts, write report.html, and close the row with its final status. A user error
 * (bad input, bad option) removes the run folder and row: nothing half-made is left behind.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { RunRegistry, hashFile } from '../registry/index.js';
import { writeReport, type MetricsComparison, type ReportInput } from '../../report/index.js';
import { SheafError } from '../../util/errors.js';
import type { VerbContext, VerbResult } from './system.js';
import { formatComparison } from './output.js';

export interface ExecuteOptions {
  system: string;
  systemTitle: string;
  verb: string;
  home?: string;
  seed: number;
  backend: string;
  quick: boolean;
  signal: AbortSignal;
  log: (line: string) => void;
  /** Options as validated (recorded as the run's config). */
  options: Record<string, unknown>;
  /** Resume this existing run (its folder and registry row) instead of creating one. */
  resumeRunId?: string;
  /** Heading of each printed metrics table (default: the system title). */
  headingOf?: (m: MetricsComparison) => string;
}

/** Run `fn` as a registered run. Returns the run id, folder and result. */
export async function executeRun(
  opts: ExecuteOptions,
  fn: (ctx: VerbContext) => Promise<VerbResult>,
): Promise<{ runId: string; runDir: string; result: VerbResult; reportPath: string }> {
  const registry = RunRegistry.open(opts.home);
  const dataOpt = typeof opts.options['data'] === 'string' ? (opts.options['data'] as string) : null;
  let datasetHash: string | null = null;
  if (dataOpt) {
    try {
      datasetHash = hashFile(dataOpt);
    } catch {
      datasetHash = null; // the verb reports a missing file with its own message
    }
  }
  const run = opts.resumeRunId
    ? registry.reopen(opts.resumeRunId)
    : registry.createRun({
        system: opts.system,
        verb: opts.verb,
        config: opts.options,
        dataset: dataOpt ?? 'shipped',
        datasetHash,
        seed: opts.seed,
        backend: opts.backend,
      });
  if (opts.resumeRunId) opts.log(`resuming run ${run.id} in ${run.dir}`);
  const ctx: VerbContext = {
    runId: run.id,
    runDir: run.dir,
    seed: opts.seed,
    backend: opts.backend,
    log: opts.log,
    signal: opts.signal,
    quick: opts.quick,
    resume: opts.resumeRunId !== undefined,
    logEpoch: (epoch, split, metrics) => {
      registry.logEpoch(run.id, epoch, split, metrics);
    },
  };
  try {
    const result = await fn(ctx);
    for (const m of result.metrics ?? []) {
      const model = m.rows.find((r) => r.kind === 'model') ?? m.rows[0];
      if (model) {
        const vals = Object.fromEntries(Object.entries(model.values).filter((e): e is [string, number] => typeof e[1] === 'number'));
        registry.logFinal(run.id, m.split, m.dataset, vals);
      }
    }
    for (const a of result.artifacts ?? []) registry.addArtifact(run.id, a.kind, a.path);
    const reportPath = join(run.dir, 'report.html');
    const status = opts.signal.aborted ? 'interrupted' : 'completed';
    const report: ReportInput = {
      title: `${opts.systemTitle} — ${opts.verb}`,
      subtitle: result.dataset ? `data: ${result.dataset.name}` : undefined,
      run: { ...run, status, endedAt: new Date().toISOString() },
      config: result.config ?? opts.options,
      metrics: result.metrics,
      // From the registry, so a resumed run's curves include the epochs before the kill.
      curves: [...registry.epochMetrics(run.id).map((r) => ({ epoch: r.epoch, split: r.split, name: r.name, value: r.value })), ...(result.curves ?? [])],
      sections: result.sections,
    };
    await writeReport(reportPath, report);
    registry.addArtifact(run.id, 'report', reportPath);
    registry.finish(run.id, status);
    for (const m of result.metrics ?? []) opts.log('\n' + formatComparison(m, opts.headingOf?.(m) ?? opts.systemTitle));
    for (const n of result.notes ?? []) opts.log(n);
    return { runId: run.id, runDir: run.dir, result, reportPath };
  } catch (err) {
    if (err instanceof SheafError && !opts.resumeRunId) {
      // The user's input was wrong: the run produced nothing worth keeping.
      registry.deleteRun(run.id);
      rmSync(run.dir, { recursive: true, force: true });
    } else if (err instanceof SheafError) {
      registry.finish(run.id, 'failed', err.message);
    } else {
      registry.finish(run.id, 'failed', (err as Error).message);
    }
    throw err;
  } finally {
    registry.close();
  }
}
