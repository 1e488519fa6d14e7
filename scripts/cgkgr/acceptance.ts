/**
 * CG-KGR acceptance runs: for each seed, CG-KGR, the random-KG ablation and item popularity on the
 * same split, both protocols; prints one line per seed and writes all numbers as JSON (each seed's
 * run-result envelope: `results[]` per split and protocol, model beside baselines, and `extras`).
 *
 *   npx tsx scripts/cgkgr/acceptance.ts insteval [seeds=1,2,3] [out.json] [options JSON]
 *   npx tsx scripts/cgkgr/acceptance.ts synthetic 1,2,3 out.json '{"aggType":"ngh","epochs":15}'
 *
 * The options JSON (any `sheaf cgkgr train` option, camelCase; `nEpoch` is accepted for `epochs`)
 * overrides the official Last.FM configuration (`preset` picks another one). Each seed is the
 * system's own train and evaluation (as `sheaf cgkgr train`), without a run folder.
 */
import { initEngine } from '../../src/engine/index.js';
import { writeJsonAtomic } from '../../src/node/fs.js';
import { nodeStorage } from '../../src/node/storage.js';
import { libraryEnv, splitTrainOptions, trainRun } from '../../src/system/run.js';
import type { SplitResult } from '../../src/system/result.js';
import { cgkgrSystem, type FittedCgkgr } from '../../src/systems/cgkgr/system.js';
import { modelConfigOf, type CgkgrOptions } from '../../src/systems/cgkgr/config.js';
import '../../src/node/setup.js';

const [which = 'insteval', seedArg = '1,2,3', out = `/tmp/cgkgr-acceptance-${which}.json`, cfgArg = '{}'] = process.argv.slice(2);
if (which !== 'insteval' && which !== 'synthetic') throw new Error(`unknown data set '${which}' (accepted: insteval, synthetic)`);
await initEngine({ backend: 'wasm' });
const { preset, ...over } = JSON.parse(cfgArg) as Record<string, unknown> & { preset?: string };
// The synthetic generator is fixed (seed 2021); the run seed changes split, init and sampling.
const options = splitTrainOptions(cgkgrSystem, { ...(which === 'synthetic' ? { synthetic: true } : {}), preset: preset ?? 'music', ...over }, 'options JSON');
const config = modelConfigOf(options.config as CgkgrOptions);
const seeds = seedArg.split(',').map(Number);
const rows: unknown[] = [];
const f = (v: number | null | undefined): string => (v === null || v === undefined ? '-' : v.toFixed(4));
console.log(`${which}: config ${JSON.stringify(config)}`);
for (const seed of seeds) {
  const t0 = Date.now();
  const run = await trainRun(cgkgrSystem, options, libraryEnv(nodeStorage, { seed }));
  const m = run.model as FittedCgkgr;
  const byProtocol = (p: string): SplitResult => run.result.results.find((r) => r.split === 'test' && r.protocol === p)!;
  const full = byProtocol('full ranking');
  const official = byProtocol('official');
  const scorers = [full.model!, ...full.baselines].map((s) => s.label);
  const metric = (r: SplitResult, label: string, name: string): number | null => [r.model!, ...r.baselines].find((s) => s.label === label)?.metrics[name] ?? null;
  const line = scorers
    .map(
      (l) =>
        `${l}: AUC global ${f(metric(full, l, 'AUC (global)'))} / official ${f(metric(official, l, 'AUC (official, per-batch)'))}, ` +
        `full R@20 ${f(metric(full, l, 'Recall@20 (full ranking)'))} N@20 ${f(metric(full, l, 'NDCG@20 (full ranking)'))}, ` +
        `official R@20 ${f(metric(official, l, 'Recall@20 (official, 100 users)'))} N@20 ${f(metric(official, l, 'NDCG@20 (official, 100 users)'))}`,
    )
    .join(' | ');
  console.log(`seed ${seed} (${((Date.now() - t0) / 1000).toFixed(0)} s, kept epoch ${m.bestEpoch}, ${m.secondsPerEpoch.toFixed(1)} s/epoch): ${line}`);
  console.log(`  official selection: CG-KGR test AUC ${f(m.official.testAuc)} (epoch ${m.official.bestEpoch}); random-KG ${f(m.randomKg?.official.testAuc)}`);
  rows.push({
    seed,
    bestEpoch: m.bestEpoch,
    secondsPerEpoch: m.secondsPerEpoch,
    results: run.result.results,
    extras: run.result.extras,
    official: { model: m.official, randomKg: m.randomKg?.official ?? null },
  });
  cgkgrSystem.dispose(m);
  writeJsonAtomic(out, { dataset: which, config, options, runs: rows });
}
process.exit(0);
