/**
 * CG-KGR checkpoints: the kept weights (official variable names) in `model.safetensors`, and in
 * `config.json` the configuration plus what is needed to rebuild the exact evaluation setting —
 * the data spec with content hashes, the split seed and ratios, and the sampler state that
 * re-draws the neighbour sample the weights were selected with (the model is only defined
 * together with a neighbour sample; storing the sampler state keeps the checkpoint small).
 */
import * as tf from '@tensorflow/tfjs-core';
import { saveCheckpoint, loadCheckpoint } from '../../train/checkpoint.js';
import { InputError } from '../../util/errors.js';
import { Rng } from '../../util/random.js';
import { resolveConfig, type CgkgrConfig } from './config.js';
import { CGKGR, type CgkgrSizes } from './model.js';
import { buildKgAdjacency } from './data.js';
import { sampleNeighbours, type NeighbourSample } from './sampling.js';
import { prepareData, type PreparedData } from './train.js';
import { checkHashes, loadDataSpec, type DataSpec, type IdMaps } from './datasets.js';

/** What config.json's `extra` holds. */
export interface CgkgrCheckpointExtra {
  system: 'cgkgr';
  data: DataSpec;
  splitSeed: number;
  splitRatios: [number, number, number];
  /** Sampler state that re-draws the kept epoch's neighbour sample. */
  sampleState: number[];
  sizes: CgkgrSizes;
  nItem: number;
  seed: number;
  bestEpoch: number;
  /** Baseline numbers measured at training (the random-KG ablation needs its own training run). */
  baselines?: { randomKg: unknown };
}

/** Write the checkpoint into `<runDir>/checkpoint` and return that folder. */
export function saveCgkgrCheckpoint(runDir: string, model: CGKGR, extra: Omit<CgkgrCheckpointExtra, 'system' | 'sizes'>, steps: number): string {
  return saveCheckpoint(runDir, {
    model,
    config: model.config,
    epoch: extra.bestEpoch,
    step: steps,
    extra: { system: 'cgkgr', sizes: model.sizes, ...extra } satisfies CgkgrCheckpointExtra,
    name: 'checkpoint',
  });
}

export interface LoadedCgkgr {
  model: CGKGR;
  config: CgkgrConfig;
  extra: CgkgrCheckpointExtra;
  prep: PreparedData;
  sample: NeighbourSample;
  maps: IdMaps;
  dir: string;
}

/**
 * Load a checkpoint (run folder or checkpoint folder), re-read its data (checking the recorded
 * hashes), re-split it and re-draw the kept neighbour sample.
 */
export function loadCgkgrCheckpoint(path: string): LoadedCgkgr {
  const ck = loadCheckpoint(path);
  try {
    const extra = ck.extra as CgkgrCheckpointExtra | null;
    if (!extra || extra.system !== 'cgkgr') throw new InputError('not a CG-KGR checkpoint (config.json has no cgkgr section)', { file: ck.dir });
    const config = resolveConfig(ck.config as Partial<CgkgrConfig>);
    checkHashes(extra.data);
    const { dataset, maps } = loadDataSpec(extra.data);
    if (dataset.nUser !== extra.sizes.nUser || dataset.kg.nEntity !== extra.sizes.nEntity || dataset.kg.nRelation !== extra.sizes.nRelation || dataset.nItem !== extra.nItem) {
      throw new InputError(
        `the data no longer matches the checkpoint: ${dataset.nUser} users / ${dataset.nItem} items / ${dataset.kg.nEntity} entities / ${dataset.kg.nRelation} relations vs ` +
          `${extra.sizes.nUser} / ${extra.nItem} / ${extra.sizes.nEntity} / ${extra.sizes.nRelation} at training`,
        { file: ck.dir },
      );
    }
    const prep = prepareData(dataset, { splitSeed: extra.splitSeed, splitRatios: extra.splitRatios, summaryRows: config.summaryRows });
    const rng = new Rng(0);
    rng.setState(extra.sampleState);
    const sample = sampleNeighbours(prep.graph, buildKgAdjacency(dataset.kg), config.sampleSize, rng, config.noInteraction);
    const model = new CGKGR(config, extra.sizes, 0);
    model.loadStateDict(ck.model);
    model.eval();
    return { model, config, extra, prep, sample, maps, dir: ck.dir };
  } finally {
    tf.dispose([...ck.model.values()]);
  }
}
