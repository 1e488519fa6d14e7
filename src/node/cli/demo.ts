/**
 * `sheaf demo`: every system trains at a quick setting on the data we ship and is evaluated
 * beside its baselines; one run holds it all, with one combined HTML report.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { SystemDefinition, VerbResult } from './system.js';
import { executeRun } from './execute.js';
import type { MetricsComparison, ReportSection } from '../../report/index.js';

export interface DemoOptions {
  systems: SystemDefinition[];
  home?: string;
  seed: number;
  backend: string;
  quick: boolean;
  signal: AbortSignal;
  log: (line: string) => void;
}

export async function runDemo(o: DemoOptions): Promise<string> {
  const owner = new Map<MetricsComparison, string>();
  const { reportPath } = await executeRun(
    { system: 'demo', systemTitle: 'Sheaf demo', verb: 'demo', home: o.home, seed: o.seed, backend: o.backend, quick: o.quick, signal: o.signal, log: o.log, options: { systems: o.systems.map((s) => s.name), quick: o.quick, seed: o.seed }, headingOf: (m) => owner.get(m) ?? 'Sheaf demo' },
    async (ctx) => {
      const merged: VerbResult = { metrics: [], sections: [], artifacts: [], notes: [] };
      for (const s of o.systems) {
        if (o.signal.aborted) break;
        o.log(`\n== ${s.title}: ${s.summary}`);
        const dir = join(ctx.runDir!, s.name);
        mkdirSync(dir, { recursive: true });
        const started = Date.now();
        const r = await s.demo({
          ...ctx,
          runDir: dir,
          // Curves of different systems share one chart set; prefix the split with the system.
          logEpoch: (epoch, split, metrics) => ctx.logEpoch(epoch, `${s.name}/${split}`, metrics),
        });
        const secs = ((Date.now() - started) / 1000).toFixed(1);
        for (const m of r.metrics ?? []) {
          const tagged: MetricsComparison = { ...m, note: [s.title, m.note].filter(Boolean).join(' — ') };
          owner.set(tagged, s.title);
          merged.metrics!.push(tagged);
        }
        const sections: ReportSection[] = (r.sections ?? []).map((sec) => ({ ...sec, title: `${s.title}: ${sec.title}` }));
        merged.sections!.push(...sections);
        merged.artifacts!.push(...(r.artifacts ?? []));
        merged.notes!.push(`${s.title}: done in ${secs} s`);
      }
      return merged;
    },
  );
  o.log(`demo report written to ${reportPath}`);
  return reportPath;
}
