/**
 * The packed package works outside the repository: `npm pack`, install the tarball in an empty
 * folder, run every system's example (examples/*.mjs) against it, and run the `sheaf` bin. This
 * is what a user gets from npm; it once shipped without its gradient bundle.
 *
 * Needs dist/ and vendor/ built (`npm ci` does it; `npm run build` after changes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const REPO = resolve(import.meta.dirname, '..', '..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function sh(cmd: string, args: string[], cwd: string, timeout = 300_000) {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

test('npm pack → install in an empty folder → import every system → run the bin', { timeout: 600_000 }, () => {
  assert.ok(existsSync(join(REPO, 'dist', 'index.js')) && existsSync(join(REPO, 'vendor', 'tfjs-gradients.cjs')), 'dist/ or vendor/ missing: run npm run build');
  const work = mkdtempSync(join(tmpdir(), 'sheaf-pack-'));
  // The build is what npm ci made; packing runs no scripts so the test does not rebuild it.
  const pack = sh(NPM, ['pack', '--ignore-scripts', '--json', '--pack-destination', work], REPO);
  assert.equal(pack.code, 0, pack.out);
  const info = JSON.parse(pack.out.slice(pack.out.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const files = new Set(info[0]!.files.map((f) => f.path));
  for (const f of [
    'vendor/tfjs-gradients.cjs',
    'dist/index.js',
    'dist/node/cli/main.js',
    'dist/node/entries/stemgnn.js',
    'dist/node/entries/tgsl.js',
    'dist/node/entries/bsm.js',
    'data/bio/train.fasta',
    'bin/sheaf.js',
    'data/chicago-ridership/ridership.csv',
    'data/herg/herg.csv',
    'data/adaptergnn-backbone/masking-5x64/model.safetensors',
  ]) {
    assert.ok(files.has(f), `${f} is not in the tarball`);
  }
  assert.ok(![...files].some((f) => f.startsWith('test/') || f.startsWith('src/')), 'tests and TypeScript sources stay out of the tarball');

  const app = join(work, 'app');
  cpSync(join(REPO, 'examples'), app, { recursive: true });
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  // npm 11 blocks dependencies' install scripts unless approved; only better-sqlite3 (the run
  // registry of the CLI) needs one, and compiling SQLite again would add minutes, so its binary
  // is the one npm ci built for this Node.
  const install = sh(NPM, ['install', '--ignore-scripts', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', join(work, info[0]!.filename)], app);
  assert.equal(install.code, 0, install.out);
  cpSync(join(REPO, 'node_modules', 'better-sqlite3', 'build'), join(app, 'node_modules', 'better-sqlite3', 'build'), { recursive: true });

  const expect: Record<string, RegExp> = {
    'stemgnn.mjs': /reloaded forecast equal: true/,
    'mtadgat.mjs': /test ROC-AUC \d/,
    'cgkgr.mjs': /user 1 #3: item/,
    'plrm.mjs': /training rows labelled/,
    'adaptergnn.mjs': /reloaded scores equal: true/,
    'tgsl.mjs': /reloaded scores equal: true/,
    'bsm.mjs': /reloaded scores equal: true/,
  };
  for (const ex of readdirSync(app).filter((f) => f.endsWith('.mjs'))) {
    const r = sh(process.execPath, [ex, join(work, `${ex}-model`)], app);
    assert.equal(r.code, 0, `${ex}:\n${r.out}`);
    assert.match(r.out, expect[ex] ?? /./, `${ex}:\n${r.out}`);
  }

  const bin = join(app, 'node_modules', '.bin', 'sheaf');
  const help = sh(bin, ['--help'], app);
  assert.equal(help.code, 0, help.out);
  const csv = join(work, 'series.csv');
  writeFileSync(csv, ['a,b,c', ...Array.from({ length: 120 }, (_, t) => [0, 1, 2].map((j) => (5 + Math.sin(t / (2 + j))).toFixed(3)).join(','))].join('\n') + '\n');
  const train = sh(bin, ['stemgnn', 'train', '--quick', '--data', csv, '--window', '6', '--horizon', '2', '--season', '3', '--home', join(work, 'runs')], app);
  assert.equal(train.code, 0, train.out);
  assert.match(train.out, /report written to .*report\.html/);
  const check = sh(bin, ['plrm', 'check', '--data', 'shipped:plrm-tasks/digits_00.json'], app);
  assert.equal(check.code, 0, check.out);
  assert.match(check.out, /relations consistent/);
});
