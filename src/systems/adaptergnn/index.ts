/**
 * AdapterGNN (Li, Han & Bai, AAAI 2024) as the official code computes it: a Hu et al. GIN
 * pre-trained on unlabelled molecules, fine-tuned on a labelled set by two small parallel
 * adapters per layer (or fully, by a linear probe, LoRA, or from scratch), scored by ROC-AUC beside
 * a Morgan-fingerprint logistic regression.
 *
 * ```ts
 * import { AdapterGNN } from 'sheaf/adaptergnn';
 * const data = await AdapterGNN.readMolecules({ data: 'my.csv', tasks: 'active' }); // SMILES + label columns
 * const m = await AdapterGNN.fit(data, { numLayer: 5, embDim: 64, epochs: 10 }); // the shipped 5 × 64 backbone
 * const r = await m.evaluate();              // test and valid ROC-AUC beside the fingerprint baseline
 * const p = await m.predict(['CCO', 'c1ccccc1O']); // probability per molecule and task
 * await m.save('my-model');  const again = await AdapterGNN.load('my-model');
 * ```
 * In a page, call `provideRDKit(() => initRDKitModule(...))` first (`sheaf/node` does it in Node).
 */
import type { Storage } from '../../io/storage.js';
import { defaultStorage } from '../../io/default.js';
import { TrainedModel, type CallOptions } from '../../system/facade.js';
import { validateOptions } from '../../system/schema.js';
import { featuriseAll } from '../../data/chem/index.js';
import { getRDKit } from '../../data/chem/provider.js';
import { dataSchema, type AdapterGNNConfig, type AdapterGNNConfigInput } from './config.js';
import { adaptergnnSystem } from './system.js';
import { loadMolecules, type MoleculeData } from './data.js';
import type { FittedAdapterGNN } from './train.js';
import { predictLogits } from './evaluate.js';

/** Scores of molecules: probabilities [molecule][task]. */
export interface MoleculeScores {
  smiles: string[];
  tasks: string[];
  probabilities: number[][];
  /** Molecules that could not be featurised (index into the input, reason). */
  skipped: Array<{ index: number; smiles: string; reason: string }>;
}

/** A fine-tuned AdapterGNN: the network, its tasks and split, and the data it was trained on. */
export class AdapterGNN extends TrainedModel<FittedAdapterGNN, MoleculeData> {
  /** Read and featurise a molecule CSV (options as `sheaf adaptergnn train`'s data options; default the shipped hERG set). */
  static async readMolecules(options: Record<string, unknown> = {}, o: { storage?: Storage } = {}): Promise<MoleculeData> {
    return loadMolecules(o.storage ?? defaultStorage(), validateOptions(dataSchema, options, 'AdapterGNN data options'));
  }

  /** Fine-tune with the official protocol (any config field may be given; the rest are the official defaults). */
  static async fit(data: MoleculeData, config: AdapterGNNConfigInput = {}, o: CallOptions = {}): Promise<AdapterGNN> {
    const r = await TrainedModel.trainWith<FittedAdapterGNN, MoleculeData>(adaptergnnSystem, data, config, {}, o);
    return new AdapterGNN(adaptergnnSystem, r.model, data, r.eval);
  }

  /** Load a checkpoint folder or a run folder written by `save` or `sheaf adaptergnn train`. */
  static async load(dir: string, o: { storage?: Storage } = {}): Promise<AdapterGNN> {
    const r = await TrainedModel.loadWith<FittedAdapterGNN>(adaptergnnSystem, dir, o);
    return new AdapterGNN(adaptergnnSystem, r.model, null, r.eval);
  }

  /** Probability of each task for each SMILES (molecules RDKit cannot read are listed in `skipped`). */
  async predict(smiles: readonly string[]): Promise<MoleculeScores> {
    const f = featuriseAll(
      await getRDKit(),
      [...smiles],
      smiles.map((_, i) => i + 1),
      { file: 'input', onInvalid: 'skip' },
    );
    this.model.net.eval();
    const logits = predictLogits(this.model.net, f.graphs);
    const T = this.model.tasks.length;
    return {
      smiles: f.kept.map((i) => smiles[i]!),
      tasks: this.model.tasks,
      probabilities: f.kept.map((_, r) => Array.from({ length: T }, (_, t) => 1 / (1 + Math.exp(-logits[r * T + t]!)))),
      skipped: f.skipped.map((s) => ({ index: s.line - 1, smiles: s.smiles, reason: s.reason })),
    };
  }

  /** The resolved configuration. */
  override get config(): AdapterGNNConfig {
    return this.model.config;
  }

  /** Trained and total parameters. */
  get parameters(): { trainable: number; total: number } {
    return this.model.parameters;
  }
}

export { adaptergnnSystem, modeLabel, syntheticMolecules } from './system.js';
export { configSchema, dataSchema, evalSchema, pretrainSchema, backboneSchema, tuningSchema, protocolSchema, resolveConfig, MODES, HERG, PRETRAIN_SMILES, SHIPPED_BACKBONES } from './config.js';
export type { AdapterGNNConfig, AdapterGNNConfigInput, AdapterGNNDataOptions, AdapterGNNEvalOptions, PretrainOptions, TuningMode } from './config.js';
export { buildNetwork, setTrainable, parameterCounts, maskedBce, ADAPTER_BRANCHES } from './model.js';
export { loadMolecules, splitMolecules, type MoleculeData, type MoleculeSplit } from './data.js';
export { fineTune, type FittedAdapterGNN, type EpochScores, type FineTuneOptions } from './train.js';
export { pretrain, maskAtoms, negativeEdges, PretrainNet, NUM_ATOM_TYPES, type PretrainResult } from './pretrain.js';
export { loadBackbone, shippedBackbone, type BackboneInfo, type BackboneConfig } from './backbone.js';
export { predictLogits, scoreLogits, fitFingerprintBaseline, fingerprintLogits, type SplitScores } from './evaluate.js';
export { provideRDKit } from '../../data/chem/provider.js';
