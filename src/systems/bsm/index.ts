/**
 * BSM (Xiang, Han, Chai & Bai, 2024) by description (no code was released): a small LLaMA-style
 * decoder over one vocabulary of nucleotides and residues, pre-trained on single-modal and
 * mixed-modal samples (a gene's DNA / RNA / protein joined by `<sep>`, gene-related pairs,
 * interleaved documents), scored on a held-out organism by translation accuracy, Central-Dogma
 * AUC at k shots and single-modal NLL.
 *
 * ```ts
 * import { BSM } from 'sheaf/bsm';
 * const data = await BSM.readRecords();                       // the shipped records, C. trachomatis held out
 * const m = await BSM.fit(data, { steps: 800 }, { seed: 1 }); // §1(e) configuration B
 * const r = await m.evaluate();                               // translation, Central Dogma, NLL beside the baselines
 * const p = m.translate(['ATGAAACGCATTAGCACCACC']);          // greedy, residues only
 * const s = m.score([{ prompt: 'ATGAAA', target: 'MK' }]);    // log p(target | <bos> prompt <sep>)
 * await m.save('my-bsm');  const again = await BSM.load('my-bsm');
 * ```
 */
import type { Storage } from '../../io/storage.js';
import { defaultStorage } from '../../io/default.js';
import { TrainedModel, type CallOptions } from '../../system/facade.js';
import { validateOptions } from '../../system/schema.js';
import { BOS_ID, EOS_ID, SEP_ID, decodeString, encodeSequence, type Modality } from '../../data/bio/index.js';
import { dataSchema, type BSMConfig, type BSMConfigInput } from './config.js';
import { bsmSystem } from './system.js';
import { loadBSMData, type BSMData } from './data.js';
import type { FittedBSM } from './train.js';
import { alphabetIds, continuationLogProbsAny } from './model.js';

/** A k-shot prompt: demonstration pairs `<bos> x <sep> y <eos>` then `<bos> query <sep>`. */
export function kShotPrompt(
  demos: ReadonlyArray<{ prompt: string; target: string }>,
  query: string,
  modalities: { prompt: Modality; target: Modality } = { prompt: 'dna', target: 'protein' },
): number[] {
  const out: number[] = [];
  for (const d of demos) out.push(BOS_ID, ...encodeSequence(d.prompt.toUpperCase(), modalities.prompt), SEP_ID, ...encodeSequence(d.target.toUpperCase(), modalities.target), EOS_ID);
  out.push(BOS_ID, ...encodeSequence(query.toUpperCase(), modalities.prompt), SEP_ID);
  return out;
}

/** A pre-trained BSM with the data it was trained on. */
export class BSM extends TrainedModel<FittedBSM, BSMData> {
  /** Read training and held-out records (options as `sheaf bsm train`'s data options; default the shipped sets). */
  static async readRecords(options: Record<string, unknown> = {}, o: { storage?: Storage } = {}): Promise<BSMData> {
    return loadBSMData(o.storage ?? defaultStorage(), validateOptions(dataSchema, options, 'BSM data options'));
  }

  /** Pre-train (any config field may be given; the rest are the defaults of sequence.md §1(e) configuration B). */
  static async fit(data: BSMData, config: BSMConfigInput = {}, o: CallOptions = {}): Promise<BSM> {
    const r = await TrainedModel.trainWith<FittedBSM, BSMData>(bsmSystem, data, config, {}, o);
    return new BSM(bsmSystem, r.model, data, r.eval);
  }

  /** Load a checkpoint folder or a run folder written by `save` or `sheaf bsm train`. */
  static async load(dir: string, o: { storage?: Storage } = {}): Promise<BSM> {
    const r = await TrainedModel.loadWith<FittedBSM>(bsmSystem, dir, o);
    return new BSM(bsmSystem, r.model, null, r.eval);
  }

  /** Greedy translation of DNA (or RNA) sequences to protein, one residue per codon, residues only. */
  translate(sequences: readonly string[], from: 'dna' | 'rna' = 'dna'): string[] {
    this.model.net.eval();
    return sequences.map((s) => {
      const ids = [BOS_ID, ...encodeSequence(s.toUpperCase(), from), SEP_ID];
      const out = this.model.net.generate([ids], { maxNewTokens: Math.max(1, Math.floor(s.length / 3)), allowedTokens: alphabetIds('protein') });
      return decodeString(out[0]!);
    });
  }

  /** Sum and mean log-probability of each target after `<bos> prompt <sep>` (or after a k-shot prompt's tokens). */
  score(items: ReadonlyArray<{ prompt: string | number[]; target: string; promptModality?: Modality; targetModality?: Modality }>): Array<{ logProb: number; meanLogProb: number }> {
    this.model.net.eval();
    const prompts = items.map((i) => (typeof i.prompt === 'string' ? [BOS_ID, ...encodeSequence(i.prompt.toUpperCase(), i.promptModality ?? 'dna'), SEP_ID] : i.prompt));
    const targets = items.map((i) => encodeSequence(i.target.toUpperCase(), i.targetModality ?? 'protein'));
    const r = continuationLogProbsAny(this.model.net, prompts, targets);
    return items.map((_, k) => ({ logProb: r.sum[k]!, meanLogProb: r.mean[k]! }));
  }

  /** The configuration. */
  override get config(): BSMConfig & Record<string, unknown> {
    return this.model.config as BSMConfig & Record<string, unknown>;
  }

  /** Parameters of the decoder. */
  get parameters(): number {
    return this.model.parameters;
  }
}

export { bsmSystem, bsmLabel, scoreBSM, type BSMScores } from './system.js';
export { configSchema, dataSchema, evalSchema, parseConfig, modelShape, SIZES, SHIPPED_TRAIN, SHIPPED_HELDOUT } from './config.js';
export type { BSMConfig, BSMConfigInput, BSMDataOptions, BSMEvalOptions, SizeName } from './config.js';
export { loadBSMData, generators, trainingRows, schedule, type BSMData, type GeneSet, type RoundRows } from './data.js';
export { buildBSM, llamaConfigOf, bsmParameterCount, alphabetIds, continuationLogProbs, continuationLogProbsAny } from './model.js';
export { trainBSM, lrAt, type FittedBSM, type EpochScores } from './train.js';
export { translationScores, centralDogmaScores, singleModalNll, fitUnigram, heldoutWindows, validationWindows, unigramNll } from './evaluate.js';
