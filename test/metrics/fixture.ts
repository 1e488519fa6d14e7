/** Loads test/fixtures/metrics.json (made by scripts/make_metric_fixtures.py) and compares numbers. */
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';

interface Prf {
  precision: number;
  recall: number;
  f1: number;
}
export interface MetricFixture {
  binaryScores: { name: string; yTrue: number[]; scores: number[]; rocAuc: number; averagePrecision: number; prAucTrapezoid: number }[];
  classification: {
    name: string;
    yTrue: number[];
    yPred: number[];
    accuracy: number;
    macro: Prf;
    confusion: { labels: number[]; matrix: number[][] };
    binary?: Prf;
    binaryPos0?: Prf;
    macroWithLabels?: Prf & { labels: number[] };
    confusionWithLabels?: { labels: number[]; matrix: number[][] };
  }[];
  regression: {
    name: string;
    target: number[];
    forecast: number[];
    mae: number;
    rmse: number;
    mape: number;
    maskedMape: number;
    eps: number;
    maskedMapeEps: number;
  }[];
  ranking: {
    name: string;
    nItems: number;
    scores: number[];
    positives: number[][];
    exclude: number[][];
    ks: number[];
    nUsers: number;
    atK: { k: number; recall: number; precision: number; ndcg: number; ndcgRetrieved: number; hitRatio: number }[];
  }[];
}

export const fixture = JSON.parse(readFileSync(new URL('../fixtures/metrics.json', import.meta.url), 'utf8')) as MetricFixture;

/** |actual − expected| ≤ 1e-9 · max(1, |expected|). */
export function assertClose(actual: number, expected: number, what: string, tol = 1e-9): void {
  const ok = Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected));
  assert.ok(ok, `${what}: got ${actual}, expected ${expected}`);
}
