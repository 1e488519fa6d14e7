/**
 * Multiple-choice sets built from held-out text (docs/research/sequence.md §2(d)): no zero-shot benchmark of
 * NutePrune's seven tasks exists offline, so a HellaSwag-like cloze set is built from held-out KJV verses: context =
 * the first half of a verse (cut at the word boundary nearest its middle), choices = the true second half and
 * three second halves of other held-out verses of similar length; plus a LAMBADA-like last-word set.
 *
 * Scoring protocol: for each choice, the sum of the log-probabilities of its characters given the context, divided
 * by its length in characters (length-normalised LL, as lm-evaluation-harness's acc_norm); the prediction is the
 * argmax; report accuracy. Chance is 1 / number of choices (25 % with 4).
 */
import type { Rng } from '../../util/random.js';

/** One multiple-choice item. */
export interface ClozeItem {
  /** Index (into the input list) of the verse the context comes from. */
  source: number;
  context: string;
  /** Candidate continuations; each starts with the space that separated it from the context. */
  choices: string[];
  /** Index of the true continuation in `choices`. */
  answer: number;
}

/** Options of `buildCloze`. */
export interface ClozeOptions {
  /** Items to build (default 500, or fewer when there are fewer eligible verses). */
  count?: number;
  /** Choices per item (default 4). */
  choices?: number;
  /** Verses with fewer words are not used as items (default 8). */
  minWords?: number;
  /** Distractors are drawn from this many endings closest in length (default 20). */
  pool?: number;
}

function halves(text: string): { context: string; ending: string } | null {
  const spaces: number[] = [];
  for (let i = 0; i < text.length; i++) if (text[i] === ' ') spaces.push(i);
  if (spaces.length === 0) return null;
  const mid = text.length / 2;
  let best = spaces[0]!;
  for (const s of spaces) if (Math.abs(s - mid) < Math.abs(best - mid)) best = s;
  return { context: text.slice(0, best), ending: text.slice(best) };
}

/**
 * Build cloze items from `texts` (held-out verses). Distractors are second halves of other verses, never equal to
 * the true ending; items and choice order are seeded.
 */
export function buildCloze(texts: readonly string[], rng: Rng, options: ClozeOptions = {}): ClozeItem[] {
  const nChoices = options.choices ?? 4;
  const minWords = options.minWords ?? 8;
  const poolSize = options.pool ?? 20;
  const split = texts.map((t, i) => ({ i, h: t.split(' ').length >= minWords ? halves(t) : null }));
  const eligible = split.filter((x): x is { i: number; h: { context: string; ending: string } } => x.h !== null);
  if (eligible.length < nChoices) throw new RangeError(`buildCloze: ${eligible.length} eligible texts, need at least ${nChoices}`);
  const byLength = [...eligible].sort((a, b) => a.h.ending.length - b.h.ending.length || a.i - b.i);
  const rank = new Map(byLength.map((x, k) => [x.i, k]));
  const count = Math.min(options.count ?? 500, eligible.length);
  const order = rng.choice(eligible.length, count, false);
  const items: ClozeItem[] = [];
  for (const oi of order) {
    const item = eligible[oi]!;
    const k = rank.get(item.i)!;
    // The `poolSize` endings nearest in length (by rank), excluding the item itself and duplicates of its ending.
    const lo = Math.max(0, Math.min(k - Math.floor(poolSize / 2), byLength.length - poolSize - 1));
    const pool = byLength.slice(lo, lo + poolSize + 1).filter((x) => x.i !== item.i && x.h.ending !== item.h.ending);
    const distinct = [...new Map(pool.map((x) => [x.h.ending, x])).values()];
    if (distinct.length < nChoices - 1) continue;
    const picks = rng.choice(distinct.length, nChoices - 1, false);
    const choices = [item.h.ending, ...Array.from(picks, (p) => distinct[p]!.h.ending)];
    const perm = rng.permutation(nChoices);
    const shuffled = Array.from(perm, (p) => choices[p]!);
    items.push({ source: item.i, context: item.h.context, choices: shuffled, answer: Array.from(perm).indexOf(0) });
  }
  return items;
}

/** One last-word item: predict `target` (a word without trailing punctuation) after `context`. */
export interface LastWordItem {
  source: number;
  context: string;
  target: string;
}

/**
 * LAMBADA-like items: context = the verse up to and including the space before its last word; target = the last word
 * with trailing punctuation removed. Score: greedy decoding of the target (exact match) or its LL. Seeded subset of
 * `count` (default all) verses with at least `minWords` words (default 8).
 */
export function buildLastWord(texts: readonly string[], rng: Rng, options: { count?: number; minWords?: number } = {}): LastWordItem[] {
  const minWords = options.minWords ?? 8;
  const out: LastWordItem[] = [];
  texts.forEach((t, i) => {
    const words = t.split(' ');
    if (words.length < minWords) return;
    const last = words[words.length - 1]!.replace(/[^A-Za-z']+$/, '');
    if (!/^[A-Za-z]/.test(last)) return;
    out.push({ source: i, context: words.slice(0, -1).join(' ') + ' ', target: last });
  });
  if (options.count === undefined || options.count >= out.length) return out;
  return Array.from(rng.choice(out.length, options.count, false))
    .sort((a, b) => a - b)
    .map((k) => out[k]!);
}
