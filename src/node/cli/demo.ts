/**
 * `sheaf demo`: every system trains at a quick setting on the data we ship and is evaluated
 * beside its baselines; one run holds it all, with one combined HTML report.
 */
import { z } from 'zod';
import type { AnySystem, VerbResult } from '../../system/types.js';
import { trainRun } from '../../system/run.js';
import { validateOptions } from '../../system/schema.js';
import type { MetricsComparison, ReportSection } from '../../report/index.js';
import { joinPath } from '../../io/path.js';
import { executeRun, type ExecuteOptions } from './execute.js';

/** What the demo run shares with any registered run, plus the systems to show. */
export interface DemoOptions extends Pick<ExecuteOptions, 'home' | 'seed' | 'backend' | 'quick' | 'signal' | 'log' | 'progress'> {
  systems: AnySystem[];
}

export async function runDemo(o: DemoOptions): Promise<string> {
  const owner = new Map<MetricsComparison, string>();
  const { reportPath } = await executeRun(
    {
      system: 'demo',
      systemTitle: 'Sheaf demo',
      verb: 'demo',
      home: o.home,
      seed: o.seed,
      backend: o.backend,
      quick: o.quick,
      signal: o.signal,
      log: o.log,
      progress: o.progress,
      options: { systems: o.systems.map((s) => s.name), quick: o.quick, seed: o.seed },
      headingOf: (m) => owner.get(m) ?? 'Sheaf demo',
    },
    async (ctx) => {
      const merged: VerbResult = { metrics: [], sections: [], notes: [] };
      for (const s of o.systems) {
        if (o.signal.aborted) break;
        const setting = s.demo(o.quick);
        o.log(`\n== ${s.title}: ${s.summary}\n   (${setting.note})`);
        const started = Date.now();
        const dir = joinPath(ctx.runDir!, s.name);
        const values = validateOptions(
          // One schema over the three, so the demo's setting is checked like a user's flags.
          z.object({ ...s.schemas.data.shape, ...s.schemas.config.shape, ...s.schemas.eval.shape }),
          { ...setting.data, ...setting.config, ...(setting.eval ?? {}) },
          `${s.name} demo`,
        ) as Record<string, unknown>;
        const pick = (keys: string[]) => Object.fromEntries(keys.filter((k) => k in values).map((k) => [k, values[k]]));
        const out = await trainRun(
          s,
          { data: pick(Object.keys(s.schemas.data.shape)), config: pick(Object.keys(s.schemas.config.shape)), eval: pick(Object.keys(s.schemas.eval.shape)) },
          {
            ...ctx,
            runDir: dir,
            progressDir: joinPath(dir, 'progress'),
            artifact: (name, data, kind) => ctx.artifact(`${s.name}/${name}`, data, `${s.title} ${kind}`),
            // Curves of different systems share one chart set; prefix the split with the system.
            curve: (epoch, split, v) => ctx.curve?.(epoch, `${s.name}/${split}`, v),
          },
        );
        s.dispose(out.model);
        for (const m of out.evaluation.results) {
          const tagged: MetricsComparison = { ...m, note: [s.title, m.note].filter(Boolean).join(' — ') };
          owner.set(tagged, s.title);
          merged.metrics!.push(tagged);
        }
        const sections: ReportSection[] = (out.evaluation.sections ?? []).map((sec) => ({ ...sec, title: `${s.title}: ${sec.title}` }));
        merged.sections!.push(...sections);
        merged.notes!.push(...(out.evaluation.notes ?? []).map((n) => `${s.title}: ${n}`), `${s.title}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
      return merged;
    },
  );
  o.log(`demo report written to ${reportPath}`);
  return reportPath;
}
