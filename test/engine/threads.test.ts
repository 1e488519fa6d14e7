/**
 * The opt-in threaded WASM build: in a fresh process (threads must be chosen before WASM
 * starts), two threads run and give the same matmul and gradient values as one thread.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

test('threaded WASM: 2 threads start and agree with 1 thread', () => {
  const file = resolve('test/engine/threads-child.ts');
  const run = (n: number) => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', file, String(n)], { encoding: 'utf8', cwd: process.cwd(), timeout: 60_000 });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout.trim().split('\n').pop()!) as { threads: number; y: number[]; g: number[] };
  };
  const one = run(1);
  const two = run(2);
  assert.equal(one.threads, 1);
  assert.equal(two.threads, 2);
  for (let i = 0; i < one.y.length; i++) {
    assert.ok(Math.abs(one.y[i]! - two.y[i]!) <= 1e-5 * Math.max(1, Math.abs(one.y[i]!)));
    assert.ok(Math.abs(one.g[i]! - two.g[i]!) <= 1e-4 * Math.max(1, Math.abs(one.g[i]!)));
  }
});
