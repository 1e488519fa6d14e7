#!/usr/bin/env node
/**
 * The `sheaf` command line: `sheaf <system> <verb> [options]`, `sheaf demo`, `sheaf runs …`.
 * Exit codes: 0 success, 1 bad input data or a failed run, 2 bad usage (unknown option, wrong
 * type, out-of-range value, malformed config), 130 interrupted.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { BACKENDS, type BackendName, type NativeMode } from '../../engine/index.js';
import { initNodeEngine } from '../setup.js';
import { RunRegistry, assertNotLive, formatRunsJson, formatRunsTable, hashFile, isStale, resolveHome } from '../registry/index.js';
import { renderReport, type CurvePoint } from '../../report/index.js';
import { InputError, SheafError, UsageError } from '../../util/errors.js';
import { booleanFields, canonicalKeys, optionsHelp, validateOptions } from '../../system/schema.js';
import type { AnySystem } from '../../system/types.js';
import { SYSTEMS, findSystem } from '../../systems/index.js';
import { writeFileAtomic } from '../fs.js';
import { localPath, nodeStorage } from '../storage.js';
import { parseArgv, readConfigFile } from './options.js';
import { executeRun } from './execute.js';
import { runDemo } from './demo.js';
import { cliVerbs, findVerb, type CliVerb } from './verbs.js';
import { terminalProgress } from './progress.js';

/** Options every run-creating command accepts. */
export const globalOptions = z.object({
  backend: z.enum(BACKENDS).optional().describe('tensor backend (default: wasm in Node; env SHEAF_BACKEND)'),
  threads: z.coerce.number().int().min(1).max(8).optional().describe('WASM threads (default 1, env SHEAF_THREADS); 2 speeds large matmuls but spins the second core'),
  native: z.enum(['auto', 'on', 'off']).optional().describe("native CPU kernels under the WASM backend (default auto: used when the addon loads; env SHEAF_NATIVE; 'on' fails when it cannot)"),
  seed: z.coerce
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(0)
    .describe('seed for every random choice'),
  home: z.string().optional().describe('folder for runs and the registry (default: runs/, env SHEAF_HOME)'),
  config: z.string().optional().describe('JSON file of options (flags override it)'),
  resume: z.string().optional().describe('continue a killed or interrupted training run (its id) from its last checkpoint, with its options'),
  quick: z.boolean().default(false).describe("fastest setting: train starts from the demo's quick configuration (smoke tests)"),
});
const GLOBAL_KEYS = Object.keys(globalOptions.shape);

function usage(): string {
  return [
    'sheaf — eight research systems in TypeScript',
    '',
    'usage:',
    '  sheaf <system> <verb> [options]     run a verb (sheaf <system> --help lists them)',
    '  sheaf demo [--quick] [--systems a,b] train and evaluate every system on shipped data',
    '  sheaf runs list [--system s] [--status s] [--limit n] [--json] | show <id> | report <id> | rm <id>',
    '  sheaf runs show <id> [--json]',
    "  sheaf runs report <id>               path of the run's HTML report (re-rendered if missing)",
    '',
    'systems:',
    ...SYSTEMS.map((s) => `  ${s.name.padEnd(12)} ${s.summary}`),
    '',
    'options for every run:',
    optionsHelp(globalOptions),
  ].join('\n');
}

function systemUsage(s: AnySystem): string {
  const lines = [`sheaf ${s.name} — ${s.title}: ${s.summary}`, `  paper: ${s.reference.paper}`, `  defaults follow the official code: ${s.reference.code}`, '', 'verbs:'];
  for (const v of cliVerbs(s)) lines.push(`  ${(v.name + (v.aliases.length ? ` (${v.aliases.join(', ')})` : '')).padEnd(22)} ${v.summary}`);
  lines.push('', `sheaf ${s.name} <verb> --help shows a verb's options.`);
  return lines.join('\n');
}

function splitGlobal(flags: Record<string, unknown>): [Record<string, unknown>, Record<string, unknown>] {
  const g: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
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

/** Start the engine; returns how it runs as the registry records it, e.g. `wasm+native(avx512)` (results differ in the last bits between kernels). */
async function startEngine(g: { backend?: string; threads?: number; native?: NativeMode }): Promise<string> {
  const engine = await initNodeEngine({ ...(g.backend ? { backend: g.backend as BackendName } : {}), ...(g.threads ? { threads: g.threads } : {}), ...(g.native ? { native: g.native } : {}) });
  return `${engine.backend}${engine.native ? `+native(${engine.native})` : ''}${engine.threads > 1 ? ` ×${engine.threads} threads` : ''}`;
}

async function runVerb(system: AnySystem, verbName: string, argv: string[]): Promise<number> {
  const verbs = cliVerbs(system);
  const verb: CliVerb | undefined = findVerb(verbs, verbName);
  if (!verb) throw new UsageError(`unknown verb '${verbName}' for ${system.name} (accepted: ${verbs.map((v) => v.name).join(', ')})`);
  const bools = new Set([...booleanFields(verb.options), ...booleanFields(globalOptions)]);
  const { positionals, flags } = parseArgv(argv, bools);
  if (flags['help'] || positionals.includes('--help')) {
    log(`sheaf ${system.name} ${verb.name} — ${verb.summary}\n\noptions:\n${optionsHelp(verb.options)}\n\noptions for every run:\n${optionsHelp(globalOptions)}`);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}' (options are written --name value)`);
  const [gFlags, vFlags] = splitGlobal(flags);
  // A config file may set global options too (seed, backend), under their flag names.
  const rawFile = typeof gFlags['config'] === 'string' ? readConfigFile(gFlags['config']) : {};
  const [gFile, vFile] = splitGlobal(canonicalKeys(globalOptions, rawFile, `config file ${String(gFlags['config'])}`));
  const g = validateOptions(globalOptions, { ...gFile, ...gFlags }, 'options');
  let base: Record<string, unknown> = {};
  let seed = g.seed;
  if (g.resume) {
    if (!verb.resumable) throw new UsageError(`--resume applies to training runs, not '${verb.name}'`);
    // Resume with the run's own options (flags given now override them).
    const registry = RunRegistry.open(g.home);
    const prev = registry.get(g.resume);
    registry.close();
    if (!prev) throw new UsageError(`--resume: no run '${g.resume}' in ${resolveHome(g.home)}`);
    if (prev.system !== system.name || findVerb(verbs, prev.verb) !== verb) throw new UsageError(`--resume: run ${prev.id} is '${prev.system} ${prev.verb}', not '${system.name} ${verb.name}'`);
    if (prev.status === 'completed') throw new UsageError(`--resume: run ${prev.id} already completed`);
    assertNotLive(prev.dir, prev.id);
    // The data must be what the run trained on: weights and scalers chosen on other data would be resumed silently.
    const file = typeof prev.config['data'] === 'string' ? (prev.config['data'] as string) : null;
    if (prev.datasetHash && file && !file.startsWith('shipped:') && !(typeof vFlags['data'] === 'string' && vFlags['data'] !== file)) {
      let now: string | null = null;
      try {
        now = hashFile(localPath(file));
      } catch {
        throw new InputError(`--resume: the training data of run ${prev.id} is gone`, { file });
      }
      if (now !== prev.datasetHash)
        throw new InputError(`--resume: the training data changed since run ${prev.id} started (sha-256 ${prev.datasetHash.slice(0, 12)}… then, ${now.slice(0, 12)}… now); start a new run`, { file });
    }
    const { seed: prevSeed, ...prevOpts } = prev.config;
    base = prevOpts;
    if (typeof prevSeed === 'number' && gFlags['seed'] === undefined && gFile['seed'] === undefined) seed = prevSeed;
  } else if (g.quick && verb.name === 'train') {
    const d = system.demo(true);
    base = { ...d.data, ...d.config, ...(d.eval ?? {}) };
  }
  const values = { ...base, ...canonicalKeys(verb.options, vFile, 'config file'), ...canonicalKeys(verb.options, vFlags, 'options') };
  const given = new Set([...Object.keys(canonicalKeys(verb.options, vFile, 'config file')), ...Object.keys(canonicalKeys(verb.options, vFlags, 'options'))]);
  // Check the options before starting the engine or opening a run.
  validateOptions(verb.name === 'train' ? verb.options : verb.options.partial(), values, g.config ? `options (with config ${g.config})` : 'options');
  const backend = await startEngine(g);
  const ac = makeSignal();
  const progress = terminalProgress(io);
  if (!verb.createsRun) {
    const result = await verb.run(values, given, {
      runId: null,
      runDir: null,
      progressDir: null,
      storage: nodeStorage,
      seed,
      backend,
      log,
      signal: ac.signal,
      quick: g.quick,
      resume: false,
      progress,
      artifact: async () => null,
    });
    for (const n of result.notes ?? []) log(n);
    return 0;
  }
  const dataFile = typeof values['data'] === 'string' ? values['data'] : undefined;
  const { reportPath, runId } = await executeRun(
    {
      system: system.name,
      systemTitle: system.title,
      verb: verb.name,
      home: g.home,
      seed,
      backend,
      quick: g.quick,
      signal: ac.signal,
      log,
      progress,
      options: { ...values, seed },
      dataFile,
      ...(g.resume ? { resumeRunId: g.resume } : {}),
    },
    (ctx) => verb.run(values, given, ctx),
  );
  log(`run ${runId}: report written to ${reportPath}`);
  return ac.signal.aborted ? 130 : 0;
}

async function runRuns(argv: string[]): Promise<number> {
  const { positionals, flags } = parseArgv(argv, new Set(['json']));
  const schema = z.object({
    json: z.boolean().default(false).describe('machine-readable output'),
    system: z.string().optional().describe('only runs of this system'),
    limit: z.coerce.number().int().positive().optional().describe('at most this many runs'),
    status: z.enum(['running', 'completed', 'failed', 'interrupted', 'stale']).optional().describe('only runs with this status (stale: marked running, process gone)'),
    home: z.string().optional().describe('folder of the registry (default runs/, env SHEAF_HOME)'),
  });
  const sub = positionals[0];
  if (flags['help'] || sub === '--help') {
    log(`sheaf runs list|show <id>|report <id>|rm <id> — the run registry\n\noptions:\n${optionsHelp(schema)}`);
    return 0;
  }
  const o = validateOptions(schema, flags, 'runs');
  const registry = RunRegistry.open(o.home);
  try {
    if (sub === 'list' || sub === undefined) {
      const all = registry.list({ system: o.system, ...(o.status && o.status !== 'stale' ? { status: o.status } : o.status === 'stale' ? { status: 'running' as const } : {}) });
      const filtered = o.status === 'stale' ? all.filter((r) => isStale(r)) : o.status === 'running' ? all.filter((r) => !isStale(r)) : all;
      const runs = o.limit ? filtered.slice(0, o.limit) : filtered;
      io.out(o.json ? formatRunsJson(runs) : formatRunsTable(runs) + '\n');
      return 0;
    }
    const id = positionals[1];
    if (!id) throw new UsageError(`sheaf runs ${sub} needs a run id`);
    const run = registry.get(id);
    if (!run) throw new UsageError(`no run '${id}' in ${resolveHome(o.home)}`);
    if (sub === 'show') {
      const resultPath = join(run.dir, 'metrics.json');
      const result = existsSync(resultPath) ? (JSON.parse(readFileSync(resultPath, 'utf8')) as unknown) : null;
      const detail = { ...run, result, finalMetrics: registry.finalMetrics(id), artifacts: registry.artifacts(id) };
      if (o.json) io.out(JSON.stringify(detail, null, 2) + '\n');
      else {
        log(`${run.id}  ${run.system} ${run.verb}  ${run.status}  seed ${run.seed}  backend ${run.backend}`);
        log(`data: ${run.dataset}${run.datasetHash ? ` (sha256 ${run.datasetHash.slice(0, 12)}…)` : ''}`);
        if (run.error) log(`error: ${run.error}`);
        for (const m of detail.finalMetrics) log(`  ${m.split}${m.protocol ? ` (${m.protocol})` : ''} / ${m.dataset} / ${m.kind === 'model' ? '*' : ' '} ${m.label}: ${m.name} = ${m.value}`);
        for (const a of detail.artifacts) log(`  ${a.kind}: ${a.path}`);
      }
      return 0;
    }
    if (sub === 'report') {
      const path = join(run.dir, 'report.html');
      if (!existsSync(path)) {
        // Re-render what the registry holds (system plots live only in the original report).
        const curves: CurvePoint[] = registry.epochMetrics(id).map((r) => ({ epoch: r.epoch, split: r.split, name: r.name, value: r.value }));
        const groups = new Map<string, { split: string; dataset: string; protocol?: string; rows: Array<{ label: string; kind: 'model' | 'baseline'; values: Record<string, number> }> }>();
        for (const f of registry.finalMetrics(id)) {
          const key = `${f.split}\u0000${f.protocol}\u0000${f.dataset}`;
          const g: { split: string; dataset: string; protocol?: string; rows: Array<{ label: string; kind: 'model' | 'baseline'; values: Record<string, number> }> } = groups.get(key) ?? {
            split: f.split,
            dataset: f.dataset,
            ...(f.protocol ? { protocol: f.protocol } : {}),
            rows: [],
          };
          groups.set(key, g);
          let row = g.rows.find((r) => r.label === f.label);
          if (!row) g.rows.push((row = { label: f.label, kind: f.kind, values: {} }));
          row.values[f.name] = f.value;
        }
        writeFileAtomic(path, await renderReport({ title: `${run.system} — ${run.verb}`, run, config: run.config, curves, metrics: [...groups.values()] }));
      }
      log(path);
      return 0;
    }
    if (sub === 'rm') {
      // A run another live process is writing is not removed under it.
      assertNotLive(run.dir, run.id);
      registry.deleteRun(id);
      rmSync(run.dir, { recursive: true, force: true });
      log(`run ${id} removed (registry row and ${run.dir})`);
      return 0;
    }
    throw new UsageError(`unknown runs command '${sub}' (accepted: list, show, report, rm)`);
  } finally {
    registry.close();
  }
}

async function demo(argv: string[]): Promise<number> {
  const bools = new Set([...booleanFields(globalOptions)]);
  const { positionals, flags } = parseArgv(argv, bools);
  if (flags['help']) {
    log(`sheaf demo — train and evaluate every system at a quick setting on shipped data\n\noptions:\n  --systems <a,b>  only these systems\n${optionsHelp(globalOptions)}`);
    return 0;
  }
  if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  const { systems, ...rest } = flags;
  const g = validateOptions(globalOptions, rest, 'demo');
  if (g.config || g.resume) throw new UsageError(`sheaf demo takes neither --config nor --resume (it runs fixed settings on shipped data; use sheaf <system> train for your own)`);
  const names = typeof systems === 'string' ? systems.split(',').map((s) => s.trim()) : SYSTEMS.map((s) => s.name);
  for (const n of names) if (!findSystem(n)) throw new UsageError(`unknown system '${n}' in --systems (accepted: ${SYSTEMS.map((s) => s.name).join(', ')})`);
  const backend = await startEngine(g);
  const ac = makeSignal();
  await runDemo({ systems: names.map((n) => findSystem(n)!), home: g.home, seed: g.seed, backend, quick: g.quick, signal: ac.signal, log, progress: terminalProgress(io) });
  return ac.signal.aborted ? 130 : 0;
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
    if (first === 'demo') return await demo(argv.slice(1));
    const system = findSystem(first);
    if (!system) throw new UsageError(`unknown command '${first}' (accepted: ${[...SYSTEMS.map((s) => s.name), 'demo', 'runs'].join(', ')})`);
    if (second === undefined || second === '--help' || second === '-h') {
      log(systemUsage(system));
      return second === undefined ? 2 : 0;
    }
    return await runVerb(system, second, rest);
  } catch (err) {
    if (err instanceof SheafError) {
      io.err(`sheaf: ${err.message}\n`);
      return err.exitCode;
    }
    io.err(`sheaf: internal error: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

// Run when executed directly (node dist/node/cli/main.js, tsx src/node/cli/main.ts); bin/sheaf.js
// imports this module and calls main() itself, so it must not match here.
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
