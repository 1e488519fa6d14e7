// Bundles tfjs-core's gradient registrations into vendor/tfjs-gradients.cjs.
//
// Why: tfjs-core's Node entry (tf-core.node.js) registers no gradients; they live only in its
// ES-module files (dist/register_all_gradients.js), which Node cannot load directly (extensionless
// imports). The @tensorflow/tfjs umbrella solves this the same way: it bundles those files. The
// bundled ops talk to the one global tfjs engine, so the gradients apply to our tensors.
// Runs on `npm ci` / `npm install` (the `prepare` script); the output is not committed.
import { build } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const corePkg = require.resolve('@tensorflow/tfjs-core/package.json');
const entry = join(dirname(corePkg), 'dist', 'register_all_gradients.js');
mkdirSync(join(root, 'vendor'), { recursive: true });
await build({
  entryPoints: [entry],
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  outfile: join(root, 'vendor', 'tfjs-gradients.cjs'),
  logLevel: 'warning',
  legalComments: 'inline',
});
console.log('bundled tfjs-core gradients -> vendor/tfjs-gradients.cjs');
