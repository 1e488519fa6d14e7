/**
 * Perplexity of a language model: exp of the mean per-token negative log-likelihood, with NLLs in
 * nats (natural log, as `tf.losses.softmaxCrossEntropy` and PyTorch's `cross_entropy` give them).
 * If your NLLs are in bits, use 2^mean instead; these functions do not convert.
 */

/**
 * Perplexity from the mean per-token NLL in nats: exp(meanNll).
 * @param meanNll mean of −ln p(token) over tokens; ≥ 0 (Infinity gives Infinity).
 */
export function perplexityFromMeanNll(meanNll: number): number {
  if (Number.isNaN(meanNll) || meanNll < 0) {
    throw new RangeError(`perplexityFromMeanNll: mean NLL must be a non-negative number of nats, got ${meanNll}`);
  }
  return Math.exp(meanNll);
}

/**
 * Perplexity from the summed NLL over `nTokens` tokens, in nats: exp(sumNll / nTokens).
 * Use this when accumulating over batches of different sizes, so every token weighs the same.
 * @param sumNll Σ −ln p(token) over all tokens; ≥ 0.
 * @param nTokens number of tokens summed over; a positive integer.
 */
export function perplexityFromNll(sumNll: number, nTokens: number): number {
  if (!Number.isInteger(nTokens) || nTokens < 1) {
    throw new RangeError(`perplexityFromNll: nTokens must be a positive integer, got ${nTokens}`);
  }
  if (Number.isNaN(sumNll) || sumNll < 0) {
    throw new RangeError(`perplexityFromNll: summed NLL must be a non-negative number of nats, got ${sumNll}`);
  }
  return Math.exp(sumNll / nTokens);
}
