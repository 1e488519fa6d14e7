/**
 * `npm run bench [-- --quick] [-- --only engine,stemgnn]`: runs each benchmark module in
 * bench/ and writes bench/out/<name>.json (figures + machine + date). BENCHMARKS.md quotes them.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { writeJsonAtomic } from '../src/node/fs.js';
import { initEngine } from '../src/engine/index.js';
import '../src/node/setup.js';

const here = dirname(fileURLToPath(import.meta.url));
const MODULES = ['engine', 'stemgnn', 'mtadgat', 'plrm', 'cgkgr', 'adaptergnn', 'tgsl', 'bsm'];

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(
    `usage: npx tsx bench/run.ts [--quick] [--only ${MODULES.join(',')}]\n` +
      '       npx tsx bench/run.ts --vs-torch --official DIR [--rounds n] [--epochs n] [--torch-avx512] [--baseline DIR]\n' +
      '  --quick     small settings (smoke test), written to bench/out/<name>.quick.json\n' +
      '  --only      run only these benchmarks (default: all)\n' +
      '  --vs-torch  side by side with the official PyTorch code, alternated (bench/vs_torch.ts)',
  );
  process.exit(0);
}
if (args.includes('--vs-torch')) {
  // Side-by-side against the official PyTorch code (bench/vs_torch.ts); one process per run.
  const { vsTorch } = await import('./vs_torch.js');
  await vsTorch(args);
  process.exit(0);
}
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only'));
const only = onlyArg ? (onlyArg.includes('=') ? onlyArg.split('=')[1]! : args[args.indexOf(onlyArg) + 1]!).split(',') : MODULES;

await initEngine({ backend: 'wasm' });
mkdirSync(join(here, 'out'), { recursive: true });
for (const name of only) {
  const file = join(here, `${name}.ts`);
  if (!existsSync(file)) {
    console.log(`${name}: no benchmark (bench/${name}.ts missing)`);
    continue;
  }
  const mod = (await import(pathToFileURL(file).href)) as { bench: (o: { quick: boolean }) => Promise<Record<string, number | string>> };
  const started = Date.now();
  const figures = await mod.bench({ quick });
  const out = {
    name,
    quick,
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, backend: tf.getBackend() },
    seconds: (Date.now() - started) / 1000,
    figures,
  };
  writeJsonAtomic(join(here, 'out', `${name}${quick ? '.quick' : ''}.json`), out);
  console.log(`${name}:`);
  for (const [k, v] of Object.entries(figures)) console.log(`  ${k}: ${v}`);
}
process.exit(0);
