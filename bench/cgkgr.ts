/**
 * CG-KGR benchmark on the shipped InstEval with the official Last.FM configuration (d 16, 1 layer,
 * S 16, batch 64, concat, max, lr 0.02, 8 heads): seconds per training epoch (the official loop:
 * fresh neighbour sample, full batches, BCE + full-table L2, Adam), full-ranking throughput (users
 * per second, every item scored for each of the 2 960 users), pairwise CTR scoring throughput,
 * and memory. `quick`: a small synthetic set, for smoke tests.
 */
import * as tf from '@tensorflow/tfjs-core';
import { engineInfo, initEngine } from '../src/engine/index.js';
import { resolveConfig } from '../src/systems/cgkgr/config.js';
import { INSTEVAL_DIR, kgcnSpec, loadDataSpec } from '../src/systems/cgkgr/datasets.js';
import { syntheticDataset } from '../src/systems/cgkgr/synthetic.js';
import { prepareData, trainCgkgr } from '../src/systems/cgkgr/train.js';
import { modelScorers } from '../src/systems/cgkgr/evaluate.js';
import { sampleToTensors, disposeSampleTensors } from '../src/systems/cgkgr/sampling.js';
import { nodeStorage } from '../src/node/storage.js';
import '../src/node/setup.js';

export async function bench(opts: { quick: boolean }): Promise<Record<string, number | string>> {
  if (!engineInfo()) await initEngine();
  const dataset = opts.quick ? syntheticDataset({ nUser: 100, nItem: 300, positives: 10, seed: 1 }) : (await loadDataSpec(nodeStorage, kgcnSpec(INSTEVAL_DIR))).dataset;
  const prep = prepareData(dataset, { splitSeed: 1 });
  const config = resolveConfig({ nEpoch: 1 }, 'music');
  let peakRss = process.memoryUsage().rss;
  let peakBytes = tf.memory().numBytes;
  const sample = (): void => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    peakBytes = Math.max(peakBytes, tf.memory().numBytes);
  };
  const cpu0 = process.cpuUsage();
  const run = await trainCgkgr(prep, { config, seed: 1, officialTopK: false, onEpoch: sample });
  const cpu = process.cpuUsage(cpu0);
  sample();
  const st = sampleToTensors(run.sample);
  const sc = modelScorers(run.model, st, dataset.nItem, { batchSize: config.batchSize });
  const users = Int32Array.from({ length: dataset.nUser }, (_, u) => u);
  const t0 = performance.now();
  for (let s = 0; s < users.length; s += 64) {
    sc.users(users.subarray(s, Math.min(users.length, s + 64)));
    sample();
  }
  const rankSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  sc.pairs(prep.test.users, prep.test.items);
  const pairSeconds = (performance.now() - t1) / 1000;
  sample();
  sc.dispose();
  disposeSampleTensors(st);
  const params = run.model.numParameters();
  run.model.dispose();
  return {
    setting: opts.quick
      ? 'quick: synthetic 100 users × 300 items, official Last.FM config'
      : 'InstEval (2 960 users × 1 128 items, 1 150 entities), official Last.FM config (d 16, S 16, batch 64, concat, max)',
    parameters: params,
    train_rows: prep.train.users.length,
    steps_per_epoch: run.steps,
    seconds_per_epoch: Number(run.secondsPerEpoch.toFixed(3)),
    ms_per_step: Number(((run.secondsPerEpoch * 1000) / Math.max(1, run.steps)).toFixed(3)),
    epoch_cpu_seconds_incl_eval: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
    full_ranking_users_per_second: Number((users.length / rankSeconds).toFixed(2)),
    full_ranking_pairs_per_second: Math.round((users.length * dataset.nItem) / rankSeconds),
    ctr_rows_per_second: Math.round(prep.test.users.length / pairSeconds),
    peak_rss_mb: Math.round(peakRss / 2 ** 20),
    peak_tensor_mb: Number((peakBytes / 2 ** 20).toFixed(1)),
  };
}
