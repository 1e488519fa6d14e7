/**
 * Packing whole samples into fixed-length rows for causal-LM training (docs/research/sequence.md §1(g): "a packer
 * that fills fixed-length rows with whole samples (pad + loss mask)").
 *
 * Layout: each row is a stream of L+1 token slots filled with whole samples in order (a sample never straddles two
 * rows) and padded with `<pad>`. `inputs` = slots 0..L−1, `targets` = slots 1..L. `lossMask[t]` is 1 only when
 * target t is a real token of the same sample as input t (so neither padding nor the jump from one sample's `<eos>`
 * to the next sample's `<bos>` is trained) and the sample's own loss mask (if any) marks that token. `segmentIds`
 * (0 = padding, 1, 2, … per sample within the row) and `positions` (restarting at 0 for each sample) let a model
 * restrict attention to its own sample; BSM itself lets packed samples see each other, which is where in-context
 * demonstrations come from (§1(f)).
 */
import { InputError } from '../../util/errors.js';
import { PAD_ID } from './tokenizer.js';
import type { Sample } from './samples.js';

/** Packed rows, all arrays row-major of shape [rows, rowLength]. */
export interface PackedRows {
  rows: number;
  rowLength: number;
  inputs: Int32Array;
  targets: Int32Array;
  lossMask: Float32Array;
  segmentIds: Int32Array;
  positions: Int32Array;
  /** Index (into the input list) of the samples placed in each row. */
  rowSamples: number[][];
  /** Indices of samples left out because they are longer than rowLength + 1. */
  dropped: number[];
}

/** Options of `packSamples`. */
export interface PackOptions {
  /** Context length L (tokens per row fed to the model). */
  rowLength: number;
  /** A sample longer than L + 1 tokens: 'drop' it (default, listed in `dropped`) or 'error'. */
  overflow?: 'drop' | 'error';
  /** Stop after this many rows (samples that do not fit are left out); default: as many rows as needed. */
  maxRows?: number;
}

/**
 * Pack samples in the given order (shuffle first for random packing): next-fit, a new row starts when the next
 * sample does not fit in the current one.
 */
export function packSamples(samples: readonly Sample[], options: PackOptions): PackedRows {
  const L = options.rowLength;
  if (!Number.isInteger(L) || L < 1) throw new RangeError(`packSamples: rowLength must be a positive integer, got ${L}`);
  const slots = L + 1;
  const rowsContent: number[][] = [];
  const dropped: number[] = [];
  let current: number[] = [];
  let used = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i]!;
    const n = s.tokens.length;
    if (s.lossMask !== undefined && s.lossMask.length !== n) {
      throw new InputError(`sample ${i}: lossMask has ${s.lossMask.length} entries for ${n} tokens`);
    }
    if (n > slots) {
      if (options.overflow === 'error') throw new InputError(`sample ${i} has ${n} tokens, more than a row holds (${slots})`);
      dropped.push(i);
      continue;
    }
    if (used + n > slots) {
      rowsContent.push(current);
      current = [];
      used = 0;
      if (options.maxRows !== undefined && rowsContent.length >= options.maxRows) break;
    }
    current.push(i);
    used += n;
  }
  if (current.length > 0 && (options.maxRows === undefined || rowsContent.length < options.maxRows)) rowsContent.push(current);
  const rows = rowsContent.length;
  const inputs = new Int32Array(rows * L).fill(PAD_ID);
  const targets = new Int32Array(rows * L).fill(PAD_ID);
  const lossMask = new Float32Array(rows * L);
  const segmentIds = new Int32Array(rows * L);
  const positions = new Int32Array(rows * L);
  const streamTok = new Int32Array(slots);
  const streamSeg = new Int32Array(slots);
  const streamPos = new Int32Array(slots);
  const streamLoss = new Float32Array(slots);
  for (let r = 0; r < rows; r++) {
    streamTok.fill(PAD_ID);
    streamSeg.fill(0);
    streamPos.fill(0);
    streamLoss.fill(0);
    let p = 0;
    rowsContent[r]!.forEach((idx, k) => {
      const s = samples[idx]!;
      for (let t = 0; t < s.tokens.length; t++, p++) {
        streamTok[p] = s.tokens[t]!;
        streamSeg[p] = k + 1;
        streamPos[p] = t;
        streamLoss[p] = s.lossMask === undefined ? 1 : s.lossMask[t]!;
      }
    });
    const o = r * L;
    for (let t = 0; t < L; t++) {
      inputs[o + t] = streamTok[t]!;
      targets[o + t] = streamTok[t + 1]!;
      segmentIds[o + t] = streamSeg[t]!;
      positions[o + t] = streamPos[t]!;
      const same = streamSeg[t]! !== 0 && streamSeg[t]! === streamSeg[t + 1]!;
      lossMask[o + t] = same ? streamLoss[t + 1]! : 0;
    }
  }
  return { rows, rowLength: L, inputs, targets, lossMask, segmentIds, positions, rowSamples: rowsContent, dropped };
}

/** Total tokens of a list of samples. */
export function tokenCount(samples: readonly Sample[]): number {
  let n = 0;
  for (const s of samples) n += s.tokens.length;
  return n;
}
