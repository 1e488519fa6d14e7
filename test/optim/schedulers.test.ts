import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import { SGD } from '../../src/optim/optimizers.js';
import { StepLR, ExponentialLR, LinearLR, CosineWithWarmup, type Scheduler } from '../../src/optim/schedulers.js';
import { UsageError } from '../../src/util/errors.js';
import '../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

const fx = JSON.parse(readFileSync(new URL('../fixtures/optim.json', import.meta.url), 'utf8')) as {
  schedulers: Array<{ scheduler: 'StepLR' | 'ExponentialLR'; baseLr: number; options: { stepSize?: number; gamma: number }; lrs: number[] }>;
};

const close = (a: number, b: number, tol = 1e-12): boolean => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

function trace(s: Scheduler, opt: SGD, n: number): number[] {
  const out = [opt.lr];
  for (let i = 0; i < n; i++) {
    s.step();
    assert.equal(opt.lr, s.lastLr);
    out.push(opt.lr);
  }
  return out;
}

for (const c of fx.schedulers) {
  test(`${c.scheduler} matches torch.optim.lr_scheduler`, () => {
    const v = tf.variable(tf.scalar(0));
    const opt = new SGD([v], { lr: c.baseLr });
    const s = c.scheduler === 'StepLR' ? new StepLR(opt, { stepSize: c.options.stepSize!, gamma: c.options.gamma }) : new ExponentialLR(opt, { gamma: c.options.gamma });
    const lrs = trace(s, opt, c.lrs.length - 1);
    lrs.forEach((lr, i) => assert.ok(close(lr, c.lrs[i]!), `step ${i}: ${lr} vs ${c.lrs[i]}`));
    v.dispose();
  });
}

test('LinearLR: warm-up from 0, linear decay to minLr, then flat', () => {
  const v = tf.variable(tf.scalar(0));
  const opt = new SGD([v], { lr: 1 });
  const lrs = trace(new LinearLR(opt, { warmupSteps: 4, totalSteps: 12, minLr: 0.1 }), opt, 15);
  const want: Record<number, number> = { 0: 0, 1: 0.25, 2: 0.5, 4: 1, 8: 0.55, 10: 0.325, 12: 0.1, 15: 0.1 };
  for (const [t, lr] of Object.entries(want)) assert.ok(close(lrs[Number(t)]!, lr), `t=${t}: ${lrs[Number(t)]} vs ${lr}`);
  v.dispose();
});

test('CosineWithWarmup: half cosine from base to minLr; group lrs follow', () => {
  const a = tf.variable(tf.scalar(0));
  const b = tf.variable(tf.scalar(0));
  const opt = new SGD([{ params: [['a', a]] }, { params: [['b', b]], lr: 0.2 }], { lr: 1 });
  const s = new CosineWithWarmup(opt, { warmupSteps: 4, totalSteps: 12, minLr: 0.1 });
  const lrs = trace(s, opt, 13);
  const want: Record<number, number> = { 0: 0, 2: 0.5, 4: 1, 6: 0.1 + 0.45 * (1 + Math.SQRT1_2), 8: 0.55, 12: 0.1, 13: 0.1 };
  for (const [t, lr] of Object.entries(want)) assert.ok(close(lrs[Number(t)]!, lr), `t=${t}: ${lrs[Number(t)]} vs ${lr}`);
  assert.ok(close(opt.groupLrs()[1]!, 0.02));
  // Without warm-up the first lr is the base lr.
  const s2 = new CosineWithWarmup(opt, { warmupSteps: 0, totalSteps: 10 });
  assert.equal(s2.lastLr, 0.1);
  tf.dispose([a, b]);
});

test('scheduler state dict resumes the schedule', () => {
  const v = tf.variable(tf.scalar(0));
  const opt = new SGD([v], { lr: 0.5 });
  const s = new StepLR(opt, { stepSize: 2, gamma: 0.1 });
  for (let i = 0; i < 5; i++) s.step();
  const state = s.stateDict();
  assert.deepEqual(state, { t: 5, baseLr: 0.5 });
  const opt2 = new SGD([v], { lr: 0.5 });
  const s2 = new StepLR(opt2, { stepSize: 2, gamma: 0.1 });
  s2.loadStateDict(state);
  assert.ok(close(opt2.lr, 0.005));
  s.step();
  s2.step();
  assert.equal(opt2.lr, opt.lr);
  assert.throws(() => new LinearLR(opt, { warmupSteps: 5, totalSteps: 4 }), UsageError);
  assert.throws(() => new StepLR(opt, { stepSize: 0 }), UsageError);
  v.dispose();
});
