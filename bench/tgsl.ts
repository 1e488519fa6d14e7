/**
 * TGSL benchmark on the synthetic graph at the acceptance setting (docs/research/graph.md §2e: 5 000
 * interactions, 32 wide, 10 neighbours, the official Wikipedia TGSL arguments, seed 2023): seconds and
 * process CPU seconds of one training epoch's training pass for TGAT alone and for TGSL, and link
 * queries scored per second on the test period (TGSL refines the graph for every batch of 200).
 * `quick`: 1 000 interactions — for smoke tests.
 */
import { engineInfo, initEngine } from '../src/engine/index.js';
import { nodeStorage } from '../src/node/storage.js';
import { configSchema, dataSchema, resolveConfig } from '../src/systems/tgsl/config.js';
import { buildContext, disposeContext, loadTemporalData } from '../src/systems/tgsl/data.js';
import { trainTGSL } from '../src/systems/tgsl/train.js';
import { drawQueries, scoreQueries, scoringRng } from '../src/systems/tgsl/evaluate.js';
import '../src/node/setup.js';

const round = (v: number, d = 3): number => Number(v.toFixed(d));

export async function bench(opts: { quick: boolean }): Promise<Record<string, number | string>> {
  if (!engineInfo()) await initEngine();
  const events = opts.quick ? 1000 : 5000;
  const data = await loadTemporalData(nodeStorage, dataSchema.parse({ syntheticEvents: events }));
  const out: Record<string, number | string> = {
    setting: `synthetic ${events} interactions${opts.quick ? ' (quick)' : ''}, width 32, 10 neighbours (uniform), official Wikipedia TGSL arguments, seed 2023; epoch 2 of 2 timed (epoch 1 warms up)`,
  };
  for (const tgsl of [false, true]) {
    const name = tgsl ? 'tgsl' : 'tgat';
    const cfg = resolveConfig(configSchema.parse({ width: 32, numNeighbors: 10, epochs: 2, tgsl, patience: 100 }), data.graph.edgeDim);
    const ctx = buildContext(data, cfg, 2023);
    let cpu0 = process.cpuUsage();
    let t0 = performance.now();
    const cpuTrain: number[] = [];
    const wall: number[] = [];
    const m = await trainTGSL(ctx, cfg, {
      seed: 2023,
      progress: {
        // The training pass only: from the first batch to the last (validation excluded).
        batch: (p) => {
          if (p.batch === 1) {
            cpu0 = process.cpuUsage();
            t0 = performance.now();
          }
          if (p.batch === p.batches) {
            const c = process.cpuUsage(cpu0);
            cpuTrain.push((c.user + c.system) / 1e6);
            wall.push((performance.now() - t0) / 1000);
          }
        },
      },
    });
    out[`${name}_train_seconds_per_epoch`] = round(wall[wall.length - 1]!);
    out[`${name}_train_cpu_seconds_per_epoch`] = round(cpuTrain[cpuTrain.length - 1]!);
    out[`${name}_trained_parameters`] = m.parameters.trainable;
    const q = drawQueries(ctx, ctx.split.test, ctx.samplers.all, scoringRng(2023, 'bench'), { batch: 200, mrr: 0, dropLast: false });
    const t1 = performance.now();
    const c1 = process.cpuUsage();
    scoreQueries(m.net, ctx, q, scoringRng(2023, 'bench-score'));
    const s = (performance.now() - t1) / 1000;
    const c = process.cpuUsage(c1);
    // A query = one scored pair (each positive and its negative), as the official driver counts them.
    out[`${name}_queries_per_second`] = round((2 * ctx.split.test.length) / s, 0);
    out[`${name}_queries_per_cpu_second`] = round((2 * ctx.split.test.length) / ((c.user + c.system) / 1e6), 0);
    m.net.dispose();
    disposeContext(ctx);
  }
  return out;
}
