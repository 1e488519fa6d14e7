// Builds the native kernel addon (native/binding.gyp) with node-gyp. Run by `npm install` /
// `npm ci` (the package's install script) and by `npm pack` (prepack, with --prebuilt, which also
// copies the binary to native/prebuilt/<platform>-<arch>/ so that the tarball carries it).
//
// It never fails the install: without a compiler or Node's headers it prints one line and Sheaf
// runs on its WASM kernels. SHEAF_NATIVE=0 skips the build. No network: node-gyp is pointed at
// the local Node headers (npm's `nodedir` setting, else <node prefix>/include/node).
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const prebuilt = process.argv.includes('--prebuilt');
const say = (msg) => console.log(`sheaf native: ${msg}`);

if (['0', 'off', 'false'].includes(process.env.SHEAF_NATIVE ?? '') && !prebuilt) {
  say('skipped (SHEAF_NATIVE=0)');
  process.exit(0);
}

function nodeGyp() {
  // npm tells lifecycle scripts where its bundled node-gyp is; otherwise look next to npm.
  const candidates = [
    process.env.npm_config_node_gyp,
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    join(dirname(process.execPath), 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
  ];
  return candidates.find((c) => c && existsSync(c)) ?? null;
}

function nodeDir() {
  const fromNpm = process.env.npm_config_nodedir;
  if (fromNpm && existsSync(join(fromNpm, 'include', 'node', 'node_api.h'))) return fromNpm;
  const prefix = join(dirname(process.execPath), '..');
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) return prefix;
  return null;
}

const gyp = nodeGyp();
const dir = nodeDir();
if (!gyp || !dir) {
  say(`not built (${!gyp ? 'node-gyp not found' : "Node's headers (include/node/node_api.h) not found"}); Sheaf will use its WASM kernels`);
  process.exit(prebuilt ? 1 : 0);
}
const started = Date.now();
const r = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${dir}`, '--directory', here], {
  stdio: ['ignore', 'pipe', 'pipe'],
  encoding: 'utf8',
  env: { ...process.env, npm_config_nodedir: dir },
});
if (r.status !== 0) {
  const tail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-8).join('\n');
  say(`build failed; Sheaf will use its WASM kernels. Last lines of node-gyp:\n${tail}`);
  process.exit(prebuilt ? 1 : 0);
}
const built = join(here, 'build', 'Release', 'sheaf_native.node');
say(`built ${built} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (prebuilt) {
  const dest = join(here, 'prebuilt', `${process.platform}-${process.arch}`);
  mkdirSync(dest, { recursive: true });
  copyFileSync(built, join(dest, 'sheaf_native.node'));
  say(`copied to ${join(dest, 'sheaf_native.node')} for the package tarball`);
}
