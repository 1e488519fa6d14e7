/**
 * MTAD-GAT acceptance runs through the real CLI front door (src/node/cli/main.ts), seed by seed:
 *   WSN (real labels), lookback 50, batch 64, 10 epochs — the smallest faithful setting of
 *   docs/research/timeseries.md §2.6 — and the injected Chicago set (sheaf mtadgat inject, same seed) at the
 *   same setting. Prints one line per run and writes every summary to <out>/acceptance.json.
 *
 * usage: npx tsx scripts/mtadgat/acceptance.ts <out dir> [seeds=0,1,2] [wsn|chicago|both] [epochs=10]
 * Each run is the CLI command printed before it (with --home <out>/runs).
 */
import { readFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/node/cli/main.js';
import { writeJsonAtomic } from '../../src/node/fs.js';
import { WSN } from '../../src/systems/mtadgat/config.js';

const out = process.argv[2] ?? '/tmp/mtadgat-acceptance';
const seeds = (process.argv[3] ?? '0,1,2').split(',').map(Number);
const which = process.argv[4] ?? 'both';
const epochs = process.argv[5] ?? '10';
const home = join(out, 'runs');
mkdirSync(home, { recursive: true });

async function run(args: string[]): Promise<string> {
  let text = '';
  process.stdout.write(`\n$ sheaf ${args.join(' ')}\n`);
  const code = await main(args, {
    out: (t) => {
      text += t;
      process.stdout.write(t);
    },
    err: (t) => process.stderr.write(t),
  });
  if (code !== 0) throw new Error(`sheaf ${args.join(' ')} exited with ${code}`);
  const m = /run (\S+): report written to (\S+)/.exec(text);
  if (!m) throw new Error('no run id in the output');
  return join(home, m[1]!);
}

const setting = ['--lookback', '50', '--batch-size', '64', '--epochs', epochs];
const results: Record<string, unknown>[] = [];
const short = (e: any) => ({
  rocAuc: e.rocAuc,
  prAuc: e.prAuc,
  epsilon: { thr: e.epsilon.threshold, paF1: e.epsilon.adjusted.f1, rawF1: e.epsilon.raw.f1 },
  pot: { thr: e.pot.threshold, paF1: e.pot.adjusted.f1, rawF1: e.pot.raw.f1 },
  bestF1: { thr: e.bestF1.threshold, paF1: e.bestF1.adjusted.f1, rawF1: e.bestF1.raw.f1 },
  bestRawF1: e.bestRaw.f1,
});
/** The numbers of one train run: metrics.json (its `extras.detail` holds every threshold's evaluation) and the checkpoint's history. */
function summary(dataset: string, seed: number, dir: string): Record<string, unknown> {
  const r = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8'));
  const ck = JSON.parse(readFileSync(join(dir, 'checkpoint', 'config.json'), 'utf8'));
  const history = ck.extra.model.history as Array<{ valTotal: number | null; seconds: number }>;
  const d = r.extras.detail;
  return {
    dataset,
    seed,
    run: dir,
    lastValTotal: history.at(-1)?.valTotal,
    epochSeconds: history.map((h) => h.seconds),
    model: short(d.model),
    zscore: short(d.zscore),
    persistence: short(d.persistence),
  };
}
for (const seed of seeds) {
  if (which !== 'chicago') {
    const dir = await run(['mtadgat', 'train', '--data', WSN.train, '--test', WSN.test, '--labels', WSN.labels, ...setting, '--seed', String(seed), '--home', home]);
    results.push(summary('wsn', seed, dir));
  }
  if (which !== 'wsn') {
    const inj = join(out, `chicago-injected-seed${seed}`);
    await run(['mtadgat', 'inject', '--out', inj, '--seed', String(seed), '--home', home]);
    const dir = await run([
      'mtadgat',
      'train',
      '--data',
      join(inj, 'train.csv'),
      '--test',
      join(inj, 'test.csv'),
      '--labels',
      join(inj, 'test_label.txt'),
      ...setting,
      '--seed',
      String(seed),
      '--home',
      home,
    ]);
    results.push(summary('chicago-injected', seed, dir));
  }
  writeJsonAtomic(join(out, 'acceptance.json'), results);
}
process.stdout.write('\n');
for (const r of results as any[]) {
  const f = (v: number | null) => (v === null ? '-' : v.toFixed(3));
  process.stdout.write(
    `${r.dataset} seed ${r.seed}: ROC ${f(r.model.rocAuc)} PR ${f(r.model.prAuc)} | eps PA ${f(r.model.epsilon.paF1)} raw ${f(r.model.epsilon.rawF1)} | POT PA ${f(r.model.pot.paF1)} raw ${f(r.model.pot.rawF1)} | best PA ${f(r.model.bestF1.paF1)} raw ${f(r.model.bestF1.rawF1)} | best raw ${f(r.model.bestRawF1)} || z ROC ${f(r.zscore.rocAuc)} PR ${f(r.zscore.prAuc)} | pers ROC ${f(r.persistence.rocAuc)} PR ${f(r.persistence.prAuc)} | val ${f(r.lastValTotal)}\n`,
  );
}
process.exit(0);
