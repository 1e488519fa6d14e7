#!/usr/bin/env node
/**
 * The `sheaf` command line: `sheaf <system> <verb> [options]`, `sheaf demo`, `sheaf runs …`.
 * Exit codes: 0 success, 1 bad input data or a failed run, 2 bad usage (unknown option, wrong
 * type, out-of-range value, malformed config), 130 interrupted.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { initEngine, BACKENDS, type BackendName } from '../engine/index.js';
import { RunRegistry, formatRunsJson, formatRunsTable, resolveHome } from '../registry/index.js';
import { writeReport, type CurvePoint } from '../report/index.js';
import { SheafError, UsageError } from '../util/errors.js';
import { SYSTEMS, findSystem } from './systems.js';
import { booleanFields, optionsHelp, parseArgv, readConfigFile, validateOptions } from './options.js';
import { executeRun } from './execute.js';
import { runDemo } from './demo.js';

/** Options every run-creating command accepts. */
export const globalOptions = z.object({
  backend: z.enum(BACKENDS).optional().describe('tensor backend (default: wasm in Node; env SHEAF_BACKEND)'),
  threads: z.coerce.number().int().min(1).max(8).optional().describe('WASM threads (default 1, env SHEAF_THREADS); 2 speeds large matmuls but spins the second core'),
  native: z.enum(['auto', 'on', 'off']).optional().describe('native CPU kernels for the WASM backend in Node (default auto, env SHEAF_NATIVE=0 turns them off)'),
  seed: z.coerce.number().int().min(0).max(2 ** 31 - 1).default(0).describe('seed for every random choice'),
  home: z.string().optional().describe('folder for runs and the registry (default: runs/, env SHEAF_HOME)'),
  config: z.string().optional().describe('JSON file of options (flags override it)'),
  resume: z.string().optional().describe('continue a killed or interrupted run (its id) from its last checkpoint, with its options'),
  quick: z.boolean().default(false).describe('fastest setting (smoke tests)'),
});
const GLOBAL_KEYS = Object.keys(globalOptions.shape);

function usage(): string {
  const lines = [
    'sheaf — eight research systems in TypeScript',
    '',
    'usage:',
    '  sheaf <system> <verb> [options]     run a verb (sheaf <system> --help lists them)',
    '  sheaf demo [--quick] [--systems a,b] train and evaluate every system on shipped data',
    '  sheaf runs list [--system s] [--limit n] [--json]',
    '  sheaf runs show <id> [--json]',
    '  sheaf runs report <id>               path of the run\'s HTML report (re-rendered if missing)',
    '',
    'systems:',
    ...SYSTEMS.map((s) => `  ${s.name.padEnd(12)} ${s.summary}`),
    '',
    'options for every run:',
    optionsHelp(globalOptions),
  ];
  return lines.join('\n');
}

function systemUsage(name: string): string {
  const s = findSystem(name)!;
  const lines = [`sheaf ${s.name} — ${s.title}: ${s.summary}`, '', 'verbs:'];
  for (const v of s.verbs) lines.push(`  ${v.name.padEnd(12)} ${v.summary}`);
  lines.push('', `sheaf ${s.name} <verb> --help shows a verb's options.`);
  return lines.join('\n');
}

function splitGlobal(flags: Record<string, string | boolean>): [Record<string, string | boolean>, Record<string, string | boolean>] {
  const g: Record<string, string | boolean> = {};
  const rest: Record<string, string | boolean> = {};
  for (const [k, v] of Object.entries(flags)) (GLOBAL_KEYS.includes(k) ? g : rest)[k] = v;
  return [g, rest];
}

function makeSignal(): AbortController {
  const ac = new AbortController();
  let count = 0;
  const onSigint = (): void => {
    count++;
    if (count === 1) {
      io.err('\ninterrupted: finishing the current step and writing what is complete (Ctrl-C again to abort now)\n');
      ac.abort();
    } else process.exit(130);
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);
  return ac;
}

/** Where the CLI writes; `main` takes another for tests and embedding. */
export interface CliIO {
  out: (text: string) => void;
  err: (text: string) => void;
}
const processIO: CliIO = { out: (t) => void process.stdout.write(t), err: (t) => void process.stderr.write(t) };
let io: CliIO = processIO;
const log = (line: string): void => io.out(line + '\n');

async function runVerb(systemName: string, verbName: string, argv: string[]): Promise<number> {
  const system = findSystem(systemName)!;
  const verb = system.verbs.find((v) => v.name === verbName);
  if (!verb) throw new UsageError(`unknown verb '${verbName}' for ${systemName} (accepted: ${system.verbs.map((v) => v.name).join(', ')})`);
  const bools = new Set([...booleanFields(verb.options), ...booleanFields(globalOptions)]);
  const { positionals, flags } = parseArgv(argv, bools);
  if (flags['help'] || positionals.includes('--help')) {
    log(`sheaf ${systemName} ${verbName} — ${verb.summary}\n\noptions:\n${optionsHelp(verb.options)}\n\noptions for every run:\n${optionsHelp(globalOptions)}`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' (options are written --name value)`);
  const [gFlags, vFlags] = splitGlobal(flags);
  const g = validateOptions(globalOptions, gFlags, {}, 'options');
  let fileConfig = g.config ? readConfigFile(g.config) : {};
  let seed = g.seed;
  if (g.resume) {
    // Resume with the run's own options (flags given now override them).
    const registry = RunRegistry.open(g.home);
    const prev = registry.get(g.resume);
    registry.close();
    if (!prev) throw new UsageError(`--resume: no run '${g.resume}' in ${resolveHome(g.home)}`);
    if (prev.system !== systemName || prev.verb !== verbName) throw new UsageError(`--resume: run ${prev.id} is '${prev.system} ${prev.verb}', not '${systemName} ${verbName}'`);
    if (prev.status === 'completed') throw new UsageError(`--resume: run ${prev.id} already completed`);
    const { seed: prevSeed, ...prevOpts } = prev.config as Record<string, unknown>;
    fileConfig = { ...prevOpts, ...fileConfig };
    if (typeof prevSeed === 'number' && gFlags['seed'] === undefined) seed = prevSeed;
  }
  const opts = validateOptions(verb.options, vFlags, fileConfig, g.config ? `options (with config ${g.config})` : 'options');
  const engine = await initEngine({ ...(g.backend ? { backend: g.backend as BackendName } : {}), ...(g.threads ? { threads: g.threads } : {}), ...(g.native ? { native: g.native } : {}) });
  const ac = makeSignal();
  if (!verb.createsRun) {
    const result = await verb.run(opts, {
      runId: null, runDir: null, seed: g.seed, backend: engine.backend, log, signal: ac.signal, quick: g.quick, logEpoch: () => undefined,
    });
    for (const n of result.notes ?? []) log(n);
    return 0;
  }
  const { reportPath, runId } = await executeRun(
    { system: systemName, systemTitle: system.title, verb: verbName, home: g.home, seed, backend: engine.backend, quick: g.quick, signal: ac.signal, log, options: { ...opts, seed }, ...(g.resume ? { resumeRunId: g.resume } : {}) },
    (ctx) => verb.run(opts, ctx),
  );
  log(`run ${runId}: report written to ${reportPath}`);
  return ac.signal.aborted ? 130 : 0;
}

async function runRuns(argv: string[]): Promise<number> {
  const { positionals, flags } = parseArgv(argv, new Set(['json']));
  const schema = z.object({
    json: z.boolean().default(false),
    system: z.string().optional(),
    limit: z.coerce.number().int().positive().optional(),
    home: z.string().optional(),
  });
  const o = validateOptions(schema, flags, {}, 'runs');
  const sub = positionals[0];
  const registry = RunRegistry.open(o.home);
  try {
    if (sub === 'list' || sub === undefined) {
      const runs = registry.list({ system: o.system, limit: o.limit });
      io.out(o.json ? formatRunsJson(runs) : formatRunsTable(runs) + '\n');
      return 0;
    }
    const id = positionals[1];
    if (!id) throw new UsageError(`sheaf runs ${sub} needs a run id`);
    const run = registry.get(id);
    if (!run) throw new UsageError(`no run '${id}' in ${resolveHome(o.home)}`);
    if (sub === 'show') {
      const detail = { ...run, finalMetrics: registry.finalMetrics(id), artifacts: registry.artifacts(id) };
      if (o.json) io.out(JSON.stringify(detail, null, 2) + '\n');
      else {
        log(`${run.id}  ${run.system} ${run.verb}  ${run.status}  seed ${run.seed}  backend ${run.backend}`);
        log(`data: ${run.dataset}${run.datasetHash ? ` (sha256 ${run.datasetHash.slice(0, 12)}…)` : ''}`);
        for (const m of detail.finalMetrics) log(`  ${m.split} / ${m.dataset}: ${m.name} = ${m.value}`);
        for (const a of detail.artifacts) log(`  ${a.kind}: ${a.path}`);
      }
      return 0;
    }
    if (sub === 'report') {
      const path = join(run.dir, 'report.html');
      if (!existsSync(path)) {
        // Re-render what the registry holds (system plots live only in the original report).
        const curves: CurvePoint[] = registry.epochMetrics(id).map((r) => ({ epoch: r.epoch, split: r.split, name: r.name, value: r.value }));
        const finals = registry.finalMetrics(id);
        const bySplit = new Map<string, typeof finals>();
        for (const f of finals) bySplit.set(`${f.split}\u0000${f.dataset}`, [...(bySplit.get(`${f.split}\u0000${f.dataset}`) ?? []), f]);
        await writeReport(path, {
          title: `${run.system} — ${run.verb}`,
          run,
          config: run.config,
          curves,
          metrics: [...bySplit.values()].map((fs) => ({ split: fs[0]!.split, dataset: fs[0]!.dataset, rows: [{ label: run.system, kind: 'model' as const, values: Object.fromEntries(fs.map((f) => [f.name, f.value])) }] })),
        });
      }
      log(path);
      return 0;
    }
    throw new UsageError(`unknown runs command '${sub}' (accepted: list, show, report)`);
  } finally {
    registry.close();
  }
}

/** Entry point; returns the exit code. */
export async function main(argv: string[], cliIO: CliIO = processIO): Promise<number> {
  io = cliIO;
  try {
    const [first, second, ...rest] = argv;
    if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
      log(usage());
      return first === undefined ? 2 : 0;
    }
    if (first === '--version') {
      log('sheaf 0.1.0');
      return 0;
    }
    if (first === 'runs') return await runRuns(argv.slice(1));
    if (first === 'demo') {
      const bools = new Set([...booleanFields(globalOptions)]);
      const { positionals, flags } = parseArgv(argv.slice(1), bools);
      if (flags['help']) {
        log(`sheaf demo — train and evaluate every system at a quick setting on shipped data\n\noptions:\n  --systems <a,b>  only these systems\n${optionsHelp(globalOptions)}`);
        return 0;
      }
      if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
      const { systems, ...rest2 } = flags;
      const g = validateOptions(globalOptions, rest2, {}, 'demo');
      const engine = await initEngine({ ...(g.backend ? { backend: g.backend as BackendName } : {}), ...(g.threads ? { threads: g.threads } : {}), ...(g.native ? { native: g.native } : {}) });
      const ac = makeSignal();
      const names = typeof systems === 'string' ? systems.split(',').map((s) => s.trim()) : SYSTEMS.map((s) => s.name);
      for (const n of names) if (!findSystem(n)) throw new UsageError(`unknown system '${n}' in --systems (accepted: ${SYSTEMS.map((s) => s.name).join(', ')})`);
      await runDemo({ systems: names.map((n) => findSystem(n)!), home: g.home, seed: g.seed, backend: engine.backend, quick: g.quick, signal: ac.signal, log });
      return ac.signal.aborted ? 130 : 0;
    }
    const system = findSystem(first);
    if (!system) throw new UsageError(`unknown command '${first}' (accepted: ${[...SYSTEMS.map((s) => s.name), 'demo', 'runs'].join(', ')})`);
    if (second === undefined || second === '--help' || second === '-h') {
      log(systemUsage(first));
      return second === undefined ? 2 : 0;
    }
    return await runVerb(first, second, rest);
  } catch (err) {
    if (err instanceof SheafError) {
      io.err(`sheaf: ${err.message}\n`);
      return err.exitCode;
    }
    io.err(`sheaf: internal error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

// Run when executed directly (node dist/cli/main.js, tsx src/cli/main.ts); bin/sheaf.js imports
// this module and calls main() itself, so it must not match here.
const invoked = process.argv[1] ?? '';
if (/[\\/]cli[\\/]main\.(t|j)s$/.test(invoked)) {
  main(process.argv.slice(2)).then(
    (code) => {
      // The threaded WASM pool and chart renderers can keep the loop alive; exit explicitly.
      process.exit(code);
    },
    (err) => {
      process.stderr.write(`sheaf: ${String(err)}\n`);
      process.exit(1);
    },
  );
}
