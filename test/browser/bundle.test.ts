/**
 * The browser-safe core and every system's library bundle for a browser: esbuild resolves the
 * package's `browser` entries with `platform: 'browser'` and fails on any Node module; the
 * bundle's inputs must not include anything from src/node/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';

const REPO = resolve(import.meta.dirname, '..', '..');
const entries = readdirSync(join(REPO, 'src', 'browser')).filter((f) => f.endsWith('.ts') && f !== 'setup.ts');

test('every browser entry bundles without a Node module', async () => {
  assert.deepEqual(entries.sort(), ['adaptergnn.ts', 'bsm.ts', 'cgkgr.ts', 'core.ts', 'mtadgat.ts', 'plrm.ts', 'stemgnn.ts', 'tgsl.ts']);
  for (const e of entries) {
    const r = await build({
      entryPoints: [join(REPO, 'src', 'browser', e)],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
      // The optional backends a user adds themselves are loaded by name at run time.
      external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-backend-webgl', '@tensorflow/tfjs-backend-webgpu'],
    });
    assert.equal(r.errors.length, 0, `${e}: ${r.errors.map((x) => x.text).join('; ')}`);
    const inputs = Object.keys(r.metafile.inputs);
    const nodeOnly = inputs.filter((p) => p.includes('src/node/') || p.startsWith('node:'));
    assert.deepEqual(nodeOnly, [], `${e} pulls in Node-only code`);
    assert.ok(
      inputs.some((p) => p.includes('register_all_gradients')),
      `${e} does not register tfjs gradients`,
    );
  }
});
