/**
 * Running a verb as a run: open the registry row and folder, call the verb, record metrics
 * (model and baselines), curves and artefacts, write metrics.json and report.html, and close the
 * row with its final status. A user error (bad input, bad option) removes the run folder and row:
 * nothing half-made is left behind.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { RunRegistry, assertNotLive, assertWritableHome, hashFile, removeLock, resolveHome, writeLock } from '../registry/index.js';
import { renderReport, type MetricsComparison, type ReportInput } from '../../report/index.js';
import { SheafError } from '../../util/errors.js';
import { joinPath } from '../../io/path.js';
import { makeRunResult } from '../../system/result.js';
import type { VerbContext, VerbResult } from '../../system/types.js';
import type { ProgressSink } from '../../train/fit.js';
import { nodeStorage, localPath } from '../storage.js';
import { writeFileAtomic } from '../fs.js';
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
  progress?: ProgressSink;
  /** Options as validated (recorded as the run's config). */
  options: Record<string, unknown>;
  /** The main input file (its sha-256 is recorded). */
  dataFile?: string;
  /** Resume this existing run (its folder and registry row) instead of creating one. */
  resumeRunId?: string;
  /** Heading of each printed metrics table (default: the system title). */
  headingOf?: (m: MetricsComparison) => string;
  /** Remove `<run>/progress` once the run completes (default true). */
  dropProgress?: boolean;
}

/** Run `fn` as a registered run. Returns the run id, folder, result and report path. */
export async function executeRun(opts: ExecuteOptions, fn: (ctx: VerbContext) => Promise<VerbResult>): Promise<{ runId: string; runDir: string; result: VerbResult; reportPath: string }> {
  assertWritableHome(resolveHome(opts.home));
  const registry = RunRegistry.open(opts.home);
  let datasetHash: string | null = null;
  if (opts.dataFile) {
    try {
      datasetHash = hashFile(localPath(opts.dataFile));
    } catch {
      datasetHash = null; // the verb reports a missing file with its own message
    }
  }
  if (opts.resumeRunId) {
    const prev = registry.get(opts.resumeRunId);
    if (prev) {
      try {
        assertNotLive(prev.dir, prev.id);
      } catch (e) {
        registry.close();
        throw e;
      }
    }
  }
  const run = opts.resumeRunId
    ? registry.reopen(opts.resumeRunId)
    : registry.createRun({ system: opts.system, verb: opts.verb, config: opts.options, dataset: opts.dataFile ?? 'shipped', datasetHash, seed: opts.seed, backend: opts.backend });
  writeLock(run.dir);
  if (opts.resumeRunId) opts.log(`resuming run ${run.id} in ${run.dir}`);
  const artifacts: Array<{ kind: string; path: string }> = [];
  const ctx: VerbContext = {
    runId: run.id,
    runDir: run.dir,
    progressDir: joinPath(run.dir, 'progress'),
    storage: nodeStorage,
    seed: opts.seed,
    backend: opts.backend,
    log: opts.log,
    signal: opts.signal,
    progress: opts.progress,
    quick: opts.quick,
    resume: opts.resumeRunId !== undefined,
    curve: (epoch, split, values) => registry.logEpoch(run.id, epoch, split, values),
    artifact: async (name, data, kind) => {
      const path = joinPath(run.dir, name);
      await nodeStorage.write(path, data);
      artifacts.push({ kind, path });
      return path;
    },
  };
  try {
    const result = await fn(ctx);
    const metrics = result.metrics ?? [];
    if (result.dataset?.name && !opts.dataFile) registry.setDataset(run.id, result.dataset.name);
    registry.logResults(
      run.id,
      makeRunResult({ system: opts.system, verb: opts.verb, dataset: result.dataset ?? { name: opts.dataFile ?? 'shipped' }, seed: opts.seed, comparisons: metrics }).results,
    );
    for (const a of [...artifacts, ...(result.artifacts ?? [])]) registry.addArtifact(run.id, a.kind, a.path);
    if (!artifacts.some((a) => a.kind === 'metrics')) {
      // Verbs that do not write the envelope themselves (own verbs) still get one.
      const envelope = makeRunResult({
        system: opts.system,
        verb: opts.verb,
        dataset: result.dataset ?? { name: opts.dataFile ?? 'shipped' },
        seed: opts.seed,
        comparisons: metrics,
        extras: result.extras,
      });
      const path = join(run.dir, 'metrics.json');
      writeFileAtomic(path, JSON.stringify(envelope, null, 2) + '\n');
      registry.addArtifact(run.id, 'metrics', path);
    }
    const reportPath = join(run.dir, 'report.html');
    const status = opts.signal.aborted ? 'interrupted' : 'completed';
    const report: ReportInput = {
      title: `${opts.systemTitle} — ${opts.verb}`,
      subtitle: result.dataset ? `data: ${result.dataset.name}` : undefined,
      run: { ...run, status, endedAt: new Date().toISOString() },
      config: result.config ?? opts.options,
      metrics,
      // From the registry, so a resumed run's curves include the epochs before the kill.
      curves: [...registry.epochMetrics(run.id).map((r) => ({ epoch: r.epoch, split: r.split, name: r.name, value: r.value })), ...(result.curves ?? [])],
      sections: result.sections,
    };
    writeFileAtomic(reportPath, await renderReport(report));
    registry.addArtifact(run.id, 'report', reportPath);
    registry.finish(run.id, status);
    if (status === 'completed' && (opts.dropProgress ?? true)) rmSync(join(run.dir, 'progress'), { recursive: true, force: true });
    for (const m of metrics) opts.log('\n' + formatComparison(m, opts.headingOf?.(m) ?? opts.systemTitle));
    for (const n of result.notes ?? []) opts.log(n);
    return { runId: run.id, runDir: run.dir, result, reportPath };
  } catch (err) {
    if (err instanceof SheafError && !opts.resumeRunId) {
      // The user's input was wrong: the run produced nothing worth keeping.
      registry.deleteRun(run.id);
      rmSync(run.dir, { recursive: true, force: true });
    } else {
      registry.finish(run.id, 'failed', (err as Error).message);
    }
    throw err;
  } finally {
    removeLock(run.dir);
    registry.close();
  }
}
