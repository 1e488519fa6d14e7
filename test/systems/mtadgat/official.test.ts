/**
 * Weights saved by the reference PyTorch code (ML4ITS/mtad-gat-pytorch, via
 * scripts/mtadgat/make_official_fixture.py) load under their own names and give the reference's
 * outputs: forward pass, and Predictor.get_score's per-feature and global scores, to 1e-4.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../../src/engine/index.js';
import { MtadGatNet } from '../../../src/systems/mtadgat/model.js';
import { loadReferenceWeights } from '../../../src/systems/mtadgat/detector.js';
import { computeErrors, scoreErrors } from '../../../src/systems/mtadgat/scores.js';
import { SCORE_DEFAULTS, type ModelConfig } from '../../../src/systems/mtadgat/config.js';
import { InputError } from '../../../src/util/errors.js';
import { main } from '../../../src/node/cli/main.js';
import { nodeStorage } from '../../../src/node/storage.js';
import '../../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

interface OfficialCase {
  name: string;
  weights: string;
  n_features: number;
  window_size: number;
  target_dims: number[] | null;
  n_parameters: number;
  config: Record<string, number | boolean | null>;
  x: number[][][];
  forecast: number[][];
  recon: number[][][];
  series: number[][];
  gamma: number;
  scores: Record<'plain' | 'scaled', { feature: number[][]; global: number[]; forecast: number[][]; recon: number[][] }>;
}

const dir = new URL('../../fixtures/mtadgat/', import.meta.url);
const fixture = JSON.parse(readFileSync(new URL('official.json', dir), 'utf8')) as { cases: OfficialCase[] };

function configOf(c: OfficialCase): Partial<ModelConfig> & { nFeatures: number } {
  const k = c.config;
  return {
    nFeatures: c.n_features,
    lookback: c.window_size,
    targetDims: c.target_dims,
    kernelSize: k['kernel_size'] as number,
    useGatv2: k['use_gatv2'] as boolean,
    featGatEmbedDim: k['feat_gat_embed_dim'] as number | null,
    timeGatEmbedDim: k['time_gat_embed_dim'] as number | null,
    gruNLayers: k['gru_n_layers'] as number,
    gruHidDim: k['gru_hid_dim'] as number,
    fcNLayers: k['forecast_n_layers'] as number,
    fcHidDim: k['forecast_hid_dim'] as number,
    reconNLayers: k['recon_n_layers'] as number,
    reconHidDim: k['recon_hid_dim'] as number,
    dropout: k['dropout'] as number,
    alpha: k['alpha'] as number,
  };
}

function maxDiff(a: ArrayLike<number>, b: number[]): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < b.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

for (const c of fixture.cases) {
  test(`official weights load and reproduce the reference: ${c.name}`, async () => {
    const m = new MtadGatNet(configOf(c));
    assert.equal(m.numParameters(), c.n_parameters);
    await loadReferenceWeights(nodeStorage, m, fileURLToPath(new URL(c.weights, dir)));
    m.eval();
    const x = tf.tensor3d(c.x);
    const o = m.forward(x);
    assert.ok(maxDiff(o.forecast.dataSync(), c.forecast.flat()) < 1e-4, 'forecast');
    assert.ok(maxDiff(o.recon.dataSync(), c.recon.flat(2)) < 1e-4, 'reconstruction');
    tf.dispose([x, o.forecast, o.recon]);

    // Predictor.get_score on a short series, with and without scale_scores.
    const series = { data: Float32Array.from(c.series.flat()), rows: c.series.length, cols: c.n_features };
    const { errors, predictions } = computeErrors(m, series, { keepPredictions: true });
    assert.ok(maxDiff(predictions!.forecast, c.scores.plain.forecast.flat()) < 1e-4, 'get_score forecasts');
    assert.ok(maxDiff(predictions!.recon, c.scores.plain.recon.flat()) < 1e-4, 'get_score reconstructions (shifted window, last row)');
    for (const key of ['plain', 'scaled'] as const) {
      const s = scoreErrors(errors, { ...SCORE_DEFAULTS, gamma: c.gamma, scaleScores: key === 'scaled' }, c.window_size);
      assert.ok(maxDiff(s.feature, c.scores[key].feature.flat()) < 1e-4, `${key} per-feature scores`);
      assert.ok(maxDiff(s.global, c.scores[key].global) < 1e-4, `${key} global scores`);
    }
    m.dispose();
  });
}

test('reference weights into a model of another shape fail with a clear error', async () => {
  const c = fixture.cases[0]!;
  const m = new MtadGatNet({ ...configOf(c), gruHidDim: 33 });
  await assert.rejects(
    loadReferenceWeights(nodeStorage, m, fileURLToPath(new URL(c.weights, dir))),
    (e: unknown) => e instanceof InputError && /gru\.gru\.weight_ih_l0.*shape/.test((e as Error).message),
  );
  m.dispose();
});

test('`sheaf mtadgat train --init-weights <reference state dict> --epochs 0` scores as the reference', async () => {
  const c = fixture.cases[0]!;
  const k = c.config;
  const tmp = mkdtempSync(join(tmpdir(), 'mtadgat-official-'));
  const csv = join(tmp, 'series.csv');
  writeFileSync(csv, c.series.map((r) => r.join(',')).join('\n') + '\n');
  const argv = [
    'mtadgat',
    'train',
    '--data',
    csv,
    '--test',
    csv,
    '--init-weights',
    fileURLToPath(new URL(c.weights, dir)),
    '--epochs',
    '0',
    '--no-normalize',
    '--gamma',
    String(c.gamma),
    '--lookback',
    String(c.window_size),
    '--kernel-size',
    String(k['kernel_size']),
    '--gru-hid-dim',
    String(k['gru_hid_dim']),
    '--fc-hid-dim',
    String(k['forecast_hid_dim']),
    '--fc-n-layers',
    String(k['forecast_n_layers']),
    '--recon-hid-dim',
    String(k['recon_hid_dim']),
    '--home',
    join(tmp, 'home'),
  ];
  let log = '';
  const code = await main(argv, { out: (t) => void (log += t), err: (t) => void (log += t) });
  assert.equal(code, 0, log);
  const runDir = dirname(/report written to (\S+)/.exec(log)![1]!);
  const rows = readFileSync(join(runDir, 'scores.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split(',').map(Number));
  assert.equal(rows.length, c.scores.plain.global.length);
  const feature = rows.flatMap((r) => r.slice(4));
  assert.ok(maxDiff(feature, c.scores.plain.feature.flat()) < 1e-4, 'per-feature scores');
  assert.ok(
    maxDiff(
      rows.map((r) => r[1]!),
      c.scores.plain.global,
    ) < 1e-4,
    'global scores',
  );
});
