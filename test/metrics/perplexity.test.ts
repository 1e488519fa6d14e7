import { test } from 'node:test';
import assert from 'node:assert/strict';
import { perplexityFromMeanNll, perplexityFromNll } from '../../src/metrics/index.js';
import { assertClose } from './fixture.js';

test('perplexity of token probabilities 1/2 and 1/4 is 2^1.5', () => {
  const sum = -Math.log(0.5) - Math.log(0.25);
  assertClose(perplexityFromNll(sum, 2), 2 ** 1.5, 'from sum');
  assertClose(perplexityFromMeanNll(sum / 2), 2 ** 1.5, 'from mean');
});

test('a uniform model over V tokens has perplexity V; a certain one has 1', () => {
  assertClose(perplexityFromMeanNll(Math.log(50257)), 50257, 'uniform');
  assert.equal(perplexityFromNll(0, 10), 1);
  assert.equal(perplexityFromMeanNll(Infinity), Infinity);
});

test('bad arguments throw RangeError', () => {
  assert.throws(() => perplexityFromMeanNll(Number.NaN), RangeError);
  assert.throws(() => perplexityFromMeanNll(-0.1), RangeError);
  assert.throws(() => perplexityFromNll(1, 0), RangeError);
  assert.throws(() => perplexityFromNll(1, 2.5), RangeError);
});
