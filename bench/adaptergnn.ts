/**
 * AdapterGNN benchmark on the shipped hERG set at run B's setting (GIN 5 × 64, the shipped
 * masking backbone, scaffold split, batch 32): featurisation molecules/s (RDKit parse + Hu et al.
 * features + scaffold), seconds and process CPU seconds of one fine-tuning epoch's training pass
 * per mode, and molecules scored per second (eval mode, batches of 256).
 * `quick`: the first 600 molecules — for smoke tests.
 */
import * as tf from '@tensorflow/tfjs-core';
import { engineInfo, initEngine } from '../src/engine/index.js';
import { loadMolecules, splitMolecules } from '../src/systems/adaptergnn/data.js';
import { configSchema, dataSchema, MODES } from '../src/systems/adaptergnn/config.js';
import { fineTune } from '../src/systems/adaptergnn/train.js';
import { predictLogits } from '../src/systems/adaptergnn/evaluate.js';
import { nodeStorage } from '../src/node/storage.js';
import '../src/node/setup.js';

const round = (v: number, d = 3): number => Number(v.toFixed(d));

export async function bench(opts: { quick: boolean }): Promise<Record<string, number | string>> {
  if (!engineInfo()) await initEngine();
  const t0 = performance.now();
  const data = await loadMolecules(nodeStorage, dataSchema.parse(opts.quick ? { limit: 600 } : {}));
  const featuriseSeconds = (performance.now() - t0) / 1000;
  const out: Record<string, number | string> = {
    setting: `hERG ${data.smiles.length} molecules${opts.quick ? ' (quick)' : ''}, GIN 5 × 64, shipped masking backbone, scaffold split, batch 32, 1 epoch per mode`,
    molecules: data.smiles.length,
    featurise_molecules_per_second: round(data.smiles.length / featuriseSeconds, 0),
  };
  for (const mode of MODES) {
    const cfg = configSchema.parse({ numLayer: 5, embDim: 64, epochs: 1, mode, pretrained: mode === 'scratch' ? 'none' : 'auto' });
    const split = await splitMolecules(data, cfg, 0);
    let cpu0 = process.cpuUsage();
    let cpuTrain = 0;
    const m = await fineTune(data, split, cfg, {
      storage: nodeStorage,
      seed: 0,
      progress: {
        // The training pass only: from the first batch to the last (validation excluded).
        batch: (p) => {
          if (p.batch === 1) cpu0 = process.cpuUsage();
          if (p.batch === p.batches) {
            const c = process.cpuUsage(cpu0);
            cpuTrain = (c.user + c.system) / 1e6;
          }
        },
      },
    });
    const h = m.history[0]!;
    out[`${mode}_train_seconds_per_epoch`] = round(h.trainSeconds);
    out[`${mode}_train_cpu_seconds_per_epoch`] = round(cpuTrain);
    out[`${mode}_ms_per_step`] = round((1000 * h.trainSeconds) / h.steps, 1);
    out[`${mode}_trained_parameters`] = m.parameters.trainable;
    if (mode === 'adapter') {
      m.net.eval();
      const t1 = performance.now();
      const c1 = process.cpuUsage();
      predictLogits(m.net, data.graphs);
      const s = (performance.now() - t1) / 1000;
      const c = process.cpuUsage(c1);
      out['scored_molecules_per_second'] = round(data.smiles.length / s, 0);
      out['score_cpu_ms_per_molecule'] = round((1000 * (c.user + c.system)) / 1e6 / data.smiles.length, 3);
    }
    m.net.dispose();
  }
  out['tensors_left'] = tf.memory().numTensors;
  return out;
}
