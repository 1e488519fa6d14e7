/**
 * `npm run bench -- --vs-torch --official DIR [--rounds 3] [--epochs 2] [--only stemgnn-m5,stemgnn-m2,mtadgat]
 *  [--torch-avx512] [--baseline DIR]`
 *
 * Runs the official PyTorch code (scripts/torch/*_torch.py, importing the official repositories from
 * DIR/stemgnn and DIR/mtadgat) and Sheaf (bench/vs_torch_sheaf.ts) on the same data and config, one
 * fresh process each, alternated within every round, and reports per-round ratios of process CPU
 * seconds (Sheaf / torch) per training epoch (the last epoch of each run) and per inference, with
 * their medians. Torch runs Debian's `/usr/bin/python3` with OPENBLAS_NUM_THREADS=1 and with
 * OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from that command's environment. `--torch-avx512`
 * adds a third run per config with OPENBLAS_CORETYPE=SkylakeX: OpenBLAS 0.3.21 does not know newer
 * Xeons and falls back to its SSE3 kernels otherwise. `--baseline DIR` (a checkout of an older Sheaf
 * with node_modules) adds CG-KGR, which has no torch side: bench/cgkgr.ts in both trees, alternated.
 *
 * Writes bench/out/vs_torch.json and the table between the vs-torch markers in BENCHMARKS.md.
 * The official code is never part of this repository: fetch microsoft/StemGNN and
 * ML4ITS/mtad-gat-pytorch into a folder outside it (scripts/torch/README.md).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface RunResult {
  epochs: Array<{ cpu_s: number; steps: number; loss: number }>;
  infer_cpu_s?: number;
  infer_windows?: number;
  score_cpu_s?: number;
  scored_steps?: number;
  forward_cpu_s?: number;
  forward_windows?: number;
  [k: string]: unknown;
}
interface Config {
  name: string;
  /** Folder under --official the torch side needs. */
  needs: string;
  torch: (official: string, epochs: number) => string[];
  sheaf: (epochs: number) => string[];
}

const CONFIGS: Config[] = [
  // StemGNN on Chicago at the official lr for m = 5 and the small setting's for m = 2.
  ...(
    [
      ['5', '1e-4'],
      ['2', '1e-3'],
    ] as const
  ).map(
    ([m, lr]): Config => ({
      name: `stemgnn-m${m}`,
      needs: 'stemgnn',
      torch: (o, e) => ['scripts/torch/stemgnn_torch.py', '--official', join(o, 'stemgnn'), '--data', 'data/chicago-ridership/ridership.csv', '--multi_layer', m, '--lr', lr, '--epochs', String(e)],
      sheaf: (e) => ['stemgnn', '--multi_layer', m, '--lr', lr, '--epochs', String(e)],
    }),
  ),
  {
    name: 'mtadgat',
    needs: 'mtadgat',
    torch: (o, e) => ['scripts/torch/mtadgat_torch.py', '--official', join(o, 'mtadgat'), '--train', 'data/wsn/train.txt', '--test', 'data/wsn/test.txt', '--epochs', String(e)],
    sheaf: (e) => ['mtadgat', '--epochs', String(e)],
  },
  // AdapterGNN, run B (GIN 5 × 64, hERG, scaffold split, batch 32): the official chem/ code on Sheaf's
  // torch_geometric stand-in (scripts/adaptergnn/README.md), its masking checkpoint in /tmp/adaptergnn-ref.
  ...(['adapter', 'full'] as const).map(
    (mode): Config => ({
      name: `adaptergnn-${mode}`,
      needs: 'adaptergnn',
      torch: (o, e) => [
        'scripts/adaptergnn/official_run.py',
        '--official',
        join(o, 'adaptergnn', 'chem'),
        '--emb-dim',
        '64',
        '--seed',
        '0',
        'finetune',
        '--mode',
        mode,
        '--epochs',
        String(e),
        '--time',
      ],
      sheaf: (e) => ['adaptergnn', '--mode', mode, '--epochs', String(e)],
    }),
  ),
  // TGSL, docs/research/graph.md §2e: the official TGAT+TGSL/train.py (32-wide, 10-neighbour copy made by
  // scripts/tgsl/setup_official.sh in DIR/tgsl) and TGSL's TGAT alone, on the synthetic graph as a JODIE CSV.
  ...(['tgat', 'tgsl'] as const).map(
    (model): Config => ({
      name: `tgsl-${model}`,
      needs: 'tgsl',
      torch: (o, e) => ['scripts/tgsl/official_run.py', '--model', model, '--official', join(o, 'tgsl'), '--data', TGSL_DATA, '--epochs', String(e), '--seed', '2023', '--time'],
      sheaf: (e) => ['tgsl', '--model', model, '--data', TGSL_DATA, '--epochs', String(e)],
    }),
  ),
  // BSM (no official code): scripts/bsm/torch_bench.py, the same tiny decoder, optimiser and batch written in PyTorch.
  {
    name: 'bsm-tiny',
    needs: '',
    torch: (_o, e) => ['scripts/bsm/torch_bench.py', '--steps', String(25 * e)],
    sheaf: (e) => ['bsm', '--steps', String(25 * e)],
  },
];

/** The TGSL side-by-side's data: `sheaf tgsl generate --out <this>` (the 5 000-interaction synthetic graph of `--data synthetic`). */
const TGSL_DATA = join(tmpdir(), 'tgsl-data', 'syn5000.csv');

/** The official TGSL driver's summary line in the harness's shape (mean training CPU-s per epoch; scoring = its test + new-node test pass). */
function fromTgslDriver(r: Record<string, unknown>): RunResult {
  return { ...r, epochs: [{ cpu_s: r['cpu_s_per_epoch'] as number, steps: 0, loss: NaN }], infer_cpu_s: r['eval_cpu_s'] as number, infer_windows: r['test_queries'] as number };
}

/** The official AdapterGNN driver's summary line in the harness's shape (training-pass CPU-s per epoch; scoring = its val + test evaluation). */
function fromAdapterDriver(r: Record<string, unknown>): RunResult {
  const perEpoch = r['cpu_s_per_epoch'] as number[];
  const sizes = r['split_sizes'] as number[];
  const evalVt = r['eval_val_test_cpu_s'] as number[];
  return { ...r, epochs: perEpoch.map((c) => ({ cpu_s: c, steps: Math.ceil(sizes[0]! / 32), loss: NaN })), infer_cpu_s: evalVt[evalVt.length - 1]!, infer_windows: sizes[1]! + sizes[2]! };
}

function lastJson(out: string): RunResult {
  const line = out
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .pop();
  if (!line) throw new Error(`no JSON result in:\n${out.slice(-2000)}`);
  const r = JSON.parse(line) as Record<string, unknown>;
  if ('test_queries' in r && 'cpu_s_per_epoch' in r) return fromTgslDriver(r);
  return 'cpu_s_per_epoch' in r ? fromAdapterDriver(r) : (r as RunResult);
}

function runTorch(args: string[], coretype: string | null): RunResult {
  const env: NodeJS.ProcessEnv = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1' };
  delete env['OPENBLAS_CORETYPE'];
  delete env['OPENBLAS_L2_SIZE'];
  if (coretype) env['OPENBLAS_CORETYPE'] = coretype;
  const r = spawnSync('/usr/bin/python3', args, { cwd: root, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`torch run failed (${args.join(' ')}):\n${r.stderr.slice(-3000)}`);
  return lastJson(r.stdout);
}

function runSheaf(args: string[], cwd = root, script = 'bench/vs_torch_sheaf.ts'): RunResult {
  const tsx = join(cwd, 'node_modules', 'tsx', 'dist', 'cli.mjs');
  const r = spawnSync(process.execPath, [tsx, script, ...args], { cwd, env: process.env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`sheaf run failed (${args.join(' ')}):\n${r.stderr.slice(-3000)}`);
  return lastJson(r.stdout);
}

const median = (v: number[]): number => {
  const s = v.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const r3 = (v: number) => Math.round(v * 1000) / 1000;

/** Inference CPU-s per window: StemGNN forecasts a window per sample; MTAD-GAT scores a step each. */
function inferPerWindow(r: RunResult, which: 'score' | 'forward'): number {
  if (r.infer_cpu_s !== undefined) return r.infer_cpu_s / r.infer_windows!;
  return which === 'score' ? r.score_cpu_s! / r.scored_steps! : r.forward_cpu_s! / r.forward_windows!;
}

export async function vsTorch(argv: string[]): Promise<void> {
  const opt = (n: string): string | undefined => {
    const i = argv.indexOf(`--${n}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const official = opt('official');
  const rounds = Number(opt('rounds') ?? 3);
  const epochs = Number(opt('epochs') ?? 2);
  const only = opt('only')?.split(',') ?? CONFIGS.filter((c) => !['adaptergnn', 'tgsl', 'bsm'].some((p) => c.name.startsWith(p))).map((c) => c.name);
  for (const c of CONFIGS.filter((x) => only.includes(x.name))) {
    if (c.needs && (!official || !existsSync(join(official, c.needs)))) {
      throw new Error(
        `--official DIR must hold ${c.needs}/ for ${c.name} (stemgnn/: microsoft/StemGNN, mtadgat/: ML4ITS/mtad-gat-pytorch, see scripts/torch/README.md; adaptergnn/chem: Lucius-lsr/AdapterGNN, see scripts/adaptergnn/README.md; tgsl/: the reduced copy of ViktorAxelsen/TGSL, sh scripts/tgsl/setup_official.sh -o DIR/tgsl-src then link DIR/tgsl to its w32-n10, see scripts/tgsl/README.md)`,
      );
    }
  }
  const avx512 = argv.includes('--torch-avx512');
  const baseline = opt('baseline');
  const configs = CONFIGS.filter((c) => only.includes(c.name));
  // AdapterGNN's and TGSL's side-by-sides have their own JSON and BENCHMARKS.md blocks, so each can be re-measured alone.
  const own = ['adaptergnn', 'tgsl', 'bsm'].find((p) => configs.every((c) => c.name.startsWith(p)));
  const tag = own ? `vs_torch_${own}` : 'vs_torch';
  if (own === 'tgsl' && !existsSync(TGSL_DATA)) throw new Error(`${TGSL_DATA} is missing: make it with sheaf tgsl generate --out ${TGSL_DATA}`);
  const sides = ['torch', 'sheaf', ...(avx512 ? ['torch-avx512'] : [])];
  const runs: Array<{ round: number; config: string; side: string; load: number[]; result: RunResult }> = [];
  mkdirSync(join(root, 'bench', 'out'), { recursive: true });
  // Every run is saved as it finishes, so an interrupted session keeps what it measured.
  const partial = join(tmpdir(), `sheaf-vs-torch-${process.pid}.json`);
  console.log(`runs so far are kept in ${partial}`);
  const keep = () => writeFileSync(partial, JSON.stringify(runs, null, 2) + '\n');
  for (let round = 1; round <= rounds; round++) {
    for (const c of configs) {
      for (const side of sides) {
        const load = loadavg().map(r3);
        const result = side === 'sheaf' ? runSheaf(c.sheaf(epochs)) : runTorch(c.torch(official ?? '', epochs), side === 'torch' ? null : 'SkylakeX');
        runs.push({ round, config: c.name, side, load, result });
        keep();
        const ep = result.epochs[result.epochs.length - 1]!;
        console.log(`round ${round} ${c.name} ${side}: epoch ${r3(ep.cpu_s)} CPU-s (loss ${ep.loss.toFixed(4)}), load ${load.join(' ')}`);
      }
    }
    if (baseline && (!opt('only') || only.includes('cgkgr'))) {
      for (const [side, cwd] of [
        ['sheaf-baseline', resolve(baseline)],
        ['sheaf', root],
      ] as const) {
        const load = loadavg().map(r3);
        const r = spawnSync(process.execPath, [join(cwd, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'bench/run.ts', '--only', 'cgkgr'], { cwd, encoding: 'utf8', maxBuffer: 64 << 20 });
        if (r.status !== 0) throw new Error(`cgkgr run failed in ${cwd}:\n${r.stderr.slice(-2000)}`);
        const cpuS = Number(/epoch_cpu_seconds_incl_eval: ([\d.]+)/.exec(r.stdout)?.[1]);
        runs.push({ round, config: 'cgkgr', side, load, result: { epochs: [{ cpu_s: cpuS, steps: 0, loss: NaN }] } });
        keep();
        console.log(`round ${round} cgkgr ${side}: epoch ${cpuS} CPU-s (incl. evaluation), load ${load.join(' ')}`);
      }
    }
  }

  // Per-round ratios, then medians.
  const summary: Record<string, Record<string, unknown>> = {};
  const names = [...configs.map((c) => c.name), ...(baseline ? ['cgkgr'] : [])];
  for (const name of names) {
    const get = (side: string, round: number) => runs.find((r) => r.config === name && r.side === side && r.round === round)?.result;
    const row: Record<string, unknown> = {};
    const refs = name === 'cgkgr' ? ['sheaf-baseline'] : sides.filter((s) => s !== 'sheaf');
    for (const ref of refs) {
      const train: number[] = [];
      const infer: number[] = [];
      const inferFwd: number[] = [];
      for (let round = 1; round <= rounds; round++) {
        const s = get('sheaf', round);
        const t = get(ref, round);
        if (!s || !t) continue;
        train.push(s.epochs[s.epochs.length - 1]!.cpu_s / t.epochs[t.epochs.length - 1]!.cpu_s);
        if (name !== 'cgkgr') {
          infer.push(inferPerWindow(s, 'score') / inferPerWindow(t, 'score'));
          inferFwd.push(inferPerWindow(s, 'forward') / inferPerWindow(t, 'forward'));
        }
      }
      row[`train_ratio_vs_${ref}`] = train.map(r3);
      row[`train_ratio_vs_${ref}_median`] = r3(median(train));
      if (infer.length) {
        row[`infer_ratio_vs_${ref}`] = infer.map(r3);
        row[`infer_ratio_vs_${ref}_median`] = r3(median(infer));
        if (name === 'mtadgat') row[`forward_ratio_vs_${ref}_median`] = r3(median(inferFwd));
      }
    }
    for (const side of name === 'cgkgr' ? ['sheaf', 'sheaf-baseline'] : sides) {
      const v = runs.filter((r) => r.config === name && r.side === side).map((r) => r.result.epochs[r.result.epochs.length - 1]!.cpu_s);
      row[`${side}_epoch_cpu_s`] = v.map(r3);
      if (name !== 'cgkgr') {
        const inf = runs.filter((r) => r.config === name && r.side === side).map((r) => 1000 * inferPerWindow(r.result, 'score'));
        row[`${side}_infer_cpu_ms_per_window`] = inf.map(r3);
      }
    }
    summary[name] = row;
  }
  const out = { date: new Date().toISOString(), machine: { cpu: cpus()[0]?.model, cpus: cpus().length, node: process.version }, rounds, epochs, sides, summary, runs };
  writeFileSync(join(root, 'bench', 'out', `${tag}.json`), JSON.stringify(out, null, 2) + '\n');
  const md = renderMarkdown(out.date, rounds, sides, summary, runs);
  console.log(md);
  const bm = join(root, 'BENCHMARKS.md');
  const text = readFileSync(bm, 'utf8');
  const marker = tag === 'vs_torch' ? 'vs-torch' : tag.replace(/_/g, '-');
  const begin = `<!-- ${marker}:begin -->`;
  const end = `<!-- ${marker}:end -->`;
  if (text.includes(begin) && text.includes(end)) {
    writeFileSync(bm, text.slice(0, text.indexOf(begin) + begin.length) + '\n' + md + '\n' + text.slice(text.indexOf(end)));
  }
}

function renderMarkdown(date: string, rounds: number, sides: string[], summary: Record<string, Record<string, unknown>>, runs: Array<{ load: number[] }>): string {
  const loads = runs.map((r) => r.load[0]!);
  const lines = [
    `Measured ${date.slice(0, 16).replace('T', ' ')} UTC, ${rounds} alternated rounds, last epoch of each run; load average (1 min) ${Math.min(...loads)}–${Math.max(...loads)} during the runs.`,
    '',
    '| config | side | epoch CPU-s per round | inference CPU ms per window per round |',
    '| --- | --- | --- | --- |',
  ];
  for (const [name, row] of Object.entries(summary)) {
    for (const side of name === 'cgkgr' ? ['sheaf-baseline', 'sheaf'] : sides) {
      const inf = row[`${side}_infer_cpu_ms_per_window`] as number[] | undefined;
      lines.push(`| ${name} | ${side} | ${(row[`${side}_epoch_cpu_s`] as number[]).join(', ')} | ${inf ? inf.join(', ') : '—'} |`);
    }
  }
  lines.push('', '| config | reference | training ratio Sheaf / reference (median) | inference ratio (median) |', '| --- | --- | --- | --- |');
  for (const [name, row] of Object.entries(summary)) {
    for (const ref of name === 'cgkgr' ? ['sheaf-baseline'] : sides.filter((s) => s !== 'sheaf')) {
      const tr = row[`train_ratio_vs_${ref}`] as number[];
      const inf = row[`infer_ratio_vs_${ref}`] as number[] | undefined;
      lines.push(`| ${name} | ${ref} | ${tr.join(', ')} (**${row[`train_ratio_vs_${ref}_median`]}**) | ${inf ? `${inf.join(', ')} (**${row[`infer_ratio_vs_${ref}_median`]}**)` : '—'} |`);
    }
  }
  return lines.join('\n');
}
