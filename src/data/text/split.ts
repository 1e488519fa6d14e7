/**
 * Position split of a text corpus (docs/research/sequence.md §2(d)/(e): "KJV split 90/5/5 by position"): train =
 * the first 90 % of the characters, valid the next 5 %, test the last 5 %. Boundaries are moved forward to the next
 * line start so that no verse is cut between two splits.
 */

/** Half-open character ranges [start, end) of the three splits. */
export interface TextSplit {
  train: [number, number];
  valid: [number, number];
  test: [number, number];
}

/**
 * Split `text` by position with `ratios` (default [0.9, 0.05, 0.05], normalised). With `snapToLines` (default true)
 * each cut moves forward to just after the next `\n`.
 */
export function positionSplit(text: string, ratios: [number, number, number] = [0.9, 0.05, 0.05], snapToLines = true): TextSplit {
  if (ratios.some((r) => !(r >= 0)) || ratios[0] + ratios[1] + ratios[2] <= 0) throw new RangeError('positionSplit: ratios must be ≥ 0 and not all 0');
  const n = text.length;
  const sum = ratios[0] + ratios[1] + ratios[2];
  const snap = (p: number): number => {
    if (!snapToLines || p <= 0 || p >= n) return Math.min(Math.max(p, 0), n);
    if (text[p - 1] === '\n') return p;
    const nl = text.indexOf('\n', p);
    return nl < 0 ? n : nl + 1;
  };
  const a = snap(Math.floor((n * ratios[0]) / sum));
  const b = Math.max(a, snap(Math.floor((n * (ratios[0] + ratios[1])) / sum)));
  return { train: [0, a], valid: [a, b], test: [b, n] };
}

/** The three split texts. */
export function splitText(text: string, split: TextSplit): { train: string; valid: string; test: string } {
  return { train: text.slice(...split.train), valid: text.slice(...split.valid), test: text.slice(...split.test) };
}
