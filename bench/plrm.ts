/**
 * PLRM benchmark: seconds to fit one task (LFPGM then PLRM, default exact fitter, with validation
 * selection) on a shipped letters task (≈ 700 training rows, 10 ILFs, 96 label states), the
 * official PCD path for comparison, inference throughput, and peak memory.
 * quick = a shipped digits task with fewer steps (smoke test).
 */
import { joinPath } from '../src/io/path.js';
import { nodeStorage } from '../src/node/storage.js';
import { readTaskJson } from '../src/systems/plrm/task.js';
import { trainLabelModels, predictProba } from '../src/systems/plrm/label_models.js';
import { SHIPPED_TASKS_DIR } from '../src/systems/plrm/shipped.js';

export async function bench(opts: { quick: boolean }): Promise<Record<string, number | string>> {
  const file = joinPath(SHIPPED_TASKS_DIR, opts.quick ? 'digits_00.json' : 'letters_00.json');
  const task = await readTaskJson(nodeStorage, file);
  const fit = opts.quick ? { steps: 50 } : {};
  let rss = process.memoryUsage().rss;
  const t0 = performance.now();
  const models = trainLabelModels(task, { fit });
  const fitSeconds = (performance.now() - t0) / 1000;
  rss = Math.max(rss, process.memoryUsage().rss);
  const t1 = performance.now();
  trainLabelModels(task, { fit: opts.quick ? { fitter: 'pcd', epochs: 1, interval: 100 } : { fitter: 'pcd', interval: 100 } });
  const pcdSeconds = (performance.now() - t1) / 1000;
  const tr = task.splits.train!;
  const t2 = performance.now();
  const reps = opts.quick ? 2 : 10;
  for (let r = 0; r < reps; r++) predictProba(models, 'PLRM', tr.L, tr.n);
  const inferSeconds = (performance.now() - t2) / 1000;
  rss = Math.max(rss, process.memoryUsage().rss);
  return {
    task: task.name,
    'train rows': tr.n,
    'label states': models.plrm.spec.k * 2 ** models.plrm.spec.seen.length,
    'PLRM factors': models.plrm.spec.factors.length,
    'seconds to fit one task (LFPGM + PLRM, exact)': Number(fitSeconds.toFixed(3)),
    'seconds to fit one task (LFPGM + PLRM, official PCD path)': Number(pcdSeconds.toFixed(3)),
    'PLRM inference rows/s': Math.round((reps * tr.n) / inferSeconds),
    'peak RSS MB': Math.round(rss / 2 ** 20),
  };
}

if (process.argv[1]?.endsWith('plrm.ts')) {
  const quick = process.argv.includes('--quick');
  console.log(await bench({ quick }));
}
