/**
 * Records the metrics four systems reach at small settings through the CLI, so the system-kit
 * refactor can be checked to change nothing (test/systems/unchanged.test.ts compares).
 * Run: npx tsx scripts/kit/record_before.ts > test/fixtures/kit/before.json
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/node/cli/main.js';
import { RunRegistry } from '../../src/node/registry/index.js';

const root = join(import.meta.dirname, '..', '..');
const tmp = mkdtempSync(join(tmpdir(), 'kit-before-'));
const chicago = readFileSync(join(root, 'data/chicago-ridership/ridership.csv'), 'utf8').split('\n').slice(0, 401).join('\n') + '\n';
const chicagoSmall = join(tmp, 'chicago400.csv');
writeFileSync(chicagoSmall, chicago);

const runs: Record<string, string[]> = {
  stemgnn: ['stemgnn', 'train', '--data', chicagoSmall, '--multi-layer', '1', '--epochs', '3', '--lr', '1e-3', '--decay-every', '2', '--seed', '3'],
  mtadgat: ['mtadgat', 'train', '--lookback', '20', '--bs', '64', '--epochs', '2', '--gru-hid-dim', '16', '--fc-hid-dim', '16', '--recon-hid-dim', '16', '--seed', '3'],
  cgkgr: ['cgkgr', 'train', '--synthetic', '--n-epoch', '2', '--batch-size', '512', '--sample-size', '4', '--no-official-top-k', '--seed', '3', '--max-rank-users', '20'],
  plrm: ['plrm', 'fit', '--data', join(root, 'data/plrm-tasks/digits_00.json'), '--steps', '60', '--end-epochs', '40', '--seed', '3'],
};
const out: Record<string, unknown> = {};
for (const [name, argv] of Object.entries(runs)) {
  const home = join(tmp, name);
  let log = '';
  const t0 = Date.now();
  const code = await main([...argv, '--home', home], { out: (t) => void (log += t), err: (t) => void (log += t) });
  if (code !== 0) throw new Error(`${name}: exit ${code}\n${log}`);
  const reg = RunRegistry.open(home);
  const run = reg.list({})[0]!;
  const finals = reg.finalMetrics(run.id).map((f) => ({ split: f.split, dataset: f.dataset, name: f.name, value: f.value }));
  const epochs = reg
    .epochMetrics(run.id)
    .filter((e) => e.name !== 'seconds')
    .map((e) => ({ epoch: e.epoch, split: e.split, name: e.name, value: e.value }));
  reg.close();
  const file = existsSync(join(run.dir, 'metrics.json')) ? 'metrics.json' : 'summary.json';
  const metrics = JSON.parse(readFileSync(join(run.dir, file), 'utf8')) as unknown;
  out[name] = { argv, finals, epochs, metrics, seconds: (Date.now() - t0) / 1000 };
  process.stderr.write(`${name}: ${(Date.now() - t0) / 1000} s\n`);
}
process.stdout.write(JSON.stringify(out, null, 1) + '\n');
process.exit(0);
