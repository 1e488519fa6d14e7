/**
 * Fixed-length windows of a token stream for causal-LM training and perplexity evaluation.
 *
 * Training (docs/research/sequence.md §2(e): context 64, batch 16): `randomWindows` draws windows of ctx + 1 tokens at uniform
 * random starts of the train split; inputs = tokens 0..ctx−1, targets = tokens 1..ctx.
 *
 * Evaluation protocol (`evalWindows`): the split is cut into consecutive windows of ctx + 1 tokens starting at
 * 0, ctx, 2·ctx, … (consecutive windows share one token), each scored independently from an empty context, so every
 * token after the first is predicted exactly once with between 0 and ctx − 1 tokens of context; the last window may be
 * shorter and is padded with a zero mask. Perplexity = exp(Σ NLL / Σ mask) over all windows
 * (`perplexityFromNll`). This is the non-overlapping-window protocol of NutePrune's `eval_ppl.py` (§2(a)
 * "Evaluation"), with char tokens. `sampleEvalWindows` picks a seeded subset of them (e.g. the 20 batches × 32
 * windows of the measured runs) when a full pass is too slow.
 */
import type { Rng } from '../../util/random.js';

/** Windows as row-major [rows, ctx] arrays. */
export interface LmWindows {
  rows: number;
  ctx: number;
  inputs: Int32Array;
  targets: Int32Array;
  /** 1 where the target is real, 0 for padding. */
  mask: Float32Array;
  /** Start offset of each window in the token stream. */
  starts: Int32Array;
}

function gather(ids: ArrayLike<number>, starts: ArrayLike<number>, ctx: number, pad: number): LmWindows {
  const rows = starts.length;
  const inputs = new Int32Array(rows * ctx).fill(pad);
  const targets = new Int32Array(rows * ctx).fill(pad);
  const mask = new Float32Array(rows * ctx);
  for (let r = 0; r < rows; r++) {
    const s = starts[r]!;
    for (let t = 0; t < ctx; t++) {
      if (s + t + 1 >= ids.length) break;
      inputs[r * ctx + t] = ids[s + t]!;
      targets[r * ctx + t] = ids[s + t + 1]!;
      mask[r * ctx + t] = 1;
    }
  }
  return { rows, ctx, inputs, targets, mask, starts: Int32Array.from(starts) };
}

/** `count` training windows of ctx + 1 tokens at seeded uniform starts. */
export function randomWindows(ids: ArrayLike<number>, ctx: number, count: number, rng: Rng): LmWindows {
  if (ids.length < ctx + 1) throw new RangeError(`randomWindows: ${ids.length} tokens, a window needs ${ctx + 1}`);
  const starts = new Int32Array(count);
  for (let i = 0; i < count; i++) starts[i] = rng.int(ids.length - ctx);
  return gather(ids, starts, ctx, 0);
}

/** All evaluation windows of the protocol above (`pad` fills the short last window; default 0). */
export function evalWindows(ids: ArrayLike<number>, ctx: number, pad = 0): LmWindows {
  if (!(ctx >= 1)) throw new RangeError(`evalWindows: ctx must be ≥ 1, got ${ctx}`);
  const starts: number[] = [];
  for (let s = 0; s + 1 < ids.length; s += ctx) starts.push(s);
  return gather(ids, starts, ctx, pad);
}

/** A seeded subset of `count` evaluation windows (without replacement, in stream order). */
export function sampleEvalWindows(ids: ArrayLike<number>, ctx: number, count: number, rng: Rng, pad = 0): LmWindows {
  const all: number[] = [];
  for (let s = 0; s + 1 < ids.length; s += ctx) all.push(s);
  const pick = Array.from(rng.choice(all.length, Math.min(count, all.length), false)).sort((a, b) => a - b);
  return gather(
    ids,
    pick.map((i) => all[i]!),
    ctx,
    pad,
  );
}

/** Perplexity from a summed negative log-likelihood (nats) over `count` predicted tokens. */
export function perplexityFromNll(sumNll: number, count: number): number {
  if (!(count > 0)) throw new RangeError('perplexityFromNll: no predicted tokens');
  return Math.exp(sumNll / count);
}
