import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import { SGD, Adam, AdamW, RMSprop, type Optimizer, type ParamGroup } from '../../src/optim/optimizers.js';
import { ExponentialLR } from '../../src/optim/schedulers.js';
import { UsageError } from '../../src/util/errors.js';
import '../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

interface Case {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop';
  options: Record<string, unknown>;
  groups?: Array<Record<string, number>>;
  exponentialGamma?: number;
  steps: Array<{ w1: number[]; w2: number[]; loss: number }>;
}
const fx = JSON.parse(readFileSync(new URL('../fixtures/optim.json', import.meta.url), 'utf8')) as {
  init: { w1: number[]; w2: number[][] };
  constants: { a: number[]; c: number[]; t: number[] };
  cases: Case[];
};

const CLASSES = { SGD, Adam, AdamW, RMSprop } as const;

function makeParams(): { w1: tf.Variable; w2: tf.Variable } {
  return { w1: tf.variable(tf.tensor1d(fx.init.w1)), w2: tf.variable(tf.tensor2d(fx.init.w2)) };
}

/** The fixture's loss: sum(a (w1 − c)²) + ½ sum((W2 w1 − t)²) + 0.1 sum(W2⁴). */
function lossOf(w1: tf.Tensor, w2: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const { a, c, t } = fx.constants;
    const fit = tf.sum(tf.mul(tf.tensor1d(a), tf.square(tf.sub(w1, tf.tensor1d(c)))));
    const r = tf.sub(tf.sum(tf.mul(w2, w1), 1), tf.tensor1d(t));
    return tf.add(tf.add(fit, tf.mul(0.5, tf.sum(tf.square(r)))), tf.mul(0.1, tf.sum(tf.pow(w2, 4)))) as tf.Scalar;
  });
}

function build(c: Case, w1: tf.Variable, w2: tf.Variable): Optimizer {
  const Cls = CLASSES[c.optimizer] as unknown as new (p: unknown, o: unknown) => Optimizer;
  const params: Array<[string, tf.Variable]> | ParamGroup[] = c.groups
    ? [
        { params: [['w1', w1]], ...c.groups[0] },
        { params: [['w2', w2]], ...c.groups[1] },
      ]
    : [
        ['w1', w1],
        ['w2', w2],
      ];
  return new Cls(params, c.options);
}

function oneStep(opt: Optimizer, w1: tf.Variable, w2: tf.Variable): number {
  const { value, grads } = tf.variableGrads(() => lossOf(w1, w2), [w1, w2]);
  opt.step(grads);
  const l = value.dataSync()[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  return l;
}

function maxDiff(got: tf.Tensor, want: number[]): number {
  const g = got.dataSync();
  assert.equal(g.length, want.length);
  let m = 0;
  for (let i = 0; i < want.length; i++) m = Math.max(m, Math.abs(g[i]! - want[i]!));
  return m;
}

for (const c of fx.cases) {
  test(`${c.name}: 5 steps match torch.optim to 1e-6`, () => {
    const { w1, w2 } = makeParams();
    const opt = build(c, w1, w2);
    const sched = c.exponentialGamma !== undefined ? new ExponentialLR(opt, { gamma: c.exponentialGamma }) : null;
    for (const [i, want] of c.steps.entries()) {
      const loss = oneStep(opt, w1, w2);
      sched?.step();
      assert.ok(Math.abs(loss - want.loss) <= 1e-5 * Math.max(1, Math.abs(want.loss)), `step ${i + 1} loss ${loss} vs ${want.loss}`);
      const d1 = maxDiff(w1, want.w1);
      const d2 = maxDiff(w2, want.w2);
      assert.ok(d1 <= 1e-6 && d2 <= 1e-6, `step ${i + 1}: max |Δw1| ${d1}, |Δw2| ${d2}`);
    }
    opt.dispose();
    tf.dispose([w1, w2]);
  });
}

test('stateDict/loadStateDict: 2 steps + restore into a fresh optimizer + 3 steps = 5 steps', () => {
  for (const name of ['Adam default', 'SGD nesterov+weight_decay', 'RMSprop centered+momentum+weight_decay', 'Adam param groups + ExponentialLR']) {
    const c = fx.cases.find((x) => x.name === name)!;
    const { w1, w2 } = makeParams();
    const opt = build(c, w1, w2);
    const sched = c.exponentialGamma !== undefined ? new ExponentialLR(opt, { gamma: c.exponentialGamma }) : null;
    for (let i = 0; i < 2; i++) {
      oneStep(opt, w1, w2);
      sched?.step();
    }
    const saved = opt.stateDict();
    const schedState = sched?.stateDict();
    opt.dispose();
    // A fresh optimiser with different hyper-state (lr) must be fully overwritten by the load.
    const opt2 = build({ ...c, options: { ...c.options, lr: 0.5 } }, w1, w2);
    const sched2 = c.exponentialGamma !== undefined ? new ExponentialLR(opt2, { gamma: c.exponentialGamma }) : null;
    opt2.loadStateDict(saved);
    if (sched2 && schedState) sched2.loadStateDict(schedState);
    tf.dispose([...saved.tensors.values()]);
    for (let i = 2; i < 5; i++) {
      oneStep(opt2, w1, w2);
      sched2?.step();
    }
    assert.ok(maxDiff(w1, c.steps[4]!.w1) <= 1e-6, name);
    assert.ok(maxDiff(w2, c.steps[4]!.w2) <= 1e-6, name);
    opt2.dispose();
    tf.dispose([w1, w2]);
  }
});

test('state dict names slots by parameter name and records step counts', () => {
  const { w1, w2 } = makeParams();
  const opt = new Adam(
    [
      ['enc.w1', w1],
      ['enc.w2', w2],
    ],
    { lr: 0.1, amsgrad: true },
  );
  oneStep(opt, w1, w2);
  const s = opt.stateDict();
  assert.deepEqual([...s.tensors.keys()].sort(), ['enc.w1.exp_avg', 'enc.w1.exp_avg_sq', 'enc.w1.max_exp_avg_sq', 'enc.w2.exp_avg', 'enc.w2.exp_avg_sq', 'enc.w2.max_exp_avg_sq']);
  assert.deepEqual(s.meta['steps'], { 'enc.w1': 1, 'enc.w2': 1 });
  assert.equal(s.meta['kind'], 'Adam');
  const sgd = new SGD(
    [
      ['enc.w1', w1],
      ['enc.w2', w2],
    ],
    { lr: 0.1 },
  );
  assert.throws(() => sgd.loadStateDict(s), /Adam, not SGD/);
  const other = new Adam(
    [
      ['x', w1],
      ['enc.w2', w2],
    ],
    { lr: 0.1 },
  );
  assert.throws(() => other.loadStateDict(s), /parameters/);
  tf.dispose([...s.tensors.values()]);
  [opt, sgd, other].forEach((o) => o.dispose());
  tf.dispose([w1, w2]);
});

test('parameters without gradients, in frozen groups, or not trainable are skipped', () => {
  const a = tf.variable(tf.tensor1d([1, 2]));
  const b = tf.variable(tf.tensor1d([3, 4]));
  const c = tf.variable(tf.tensor1d([5, 6]));
  const d = tf.variable(tf.tensor1d([7, 8]));
  const opt = new Adam(
    [
      {
        params: [
          ['a', a],
          ['b', b],
          ['d', d],
        ],
      },
      { params: [['c', c]], frozen: true },
    ],
    { lr: 0.1 },
  );
  (d as unknown as { trainable: boolean }).trainable = false;
  const g = tf.tensor1d([1, -1]);
  opt.step({ [a.name]: g, [c.name]: g, [d.name]: g });
  // Adam's first step moves each coordinate by lr·sign(g) (up to eps).
  assert.deepEqual(
    Array.from(a.dataSync()).map((x) => Math.round(x * 1e4) / 1e4),
    [0.9, 2.1],
  );
  assert.deepEqual(Array.from(b.dataSync()), [3, 4]);
  assert.deepEqual(Array.from(c.dataSync()), [5, 6]);
  assert.deepEqual(Array.from(d.dataSync()), [7, 8]);
  assert.deepEqual(opt.stateDict().meta['steps'], { a: 1, b: 0, c: 0, d: 0 });
  assert.deepEqual(opt.paramNames(), ['a', 'b', 'd']);
  opt.dispose();
  tf.dispose([a, b, c, d, g]);
});

test('lr setter scales every group proportionally; positional names for bare variables', () => {
  const a = tf.variable(tf.scalar(0));
  const b = tf.variable(tf.scalar(0));
  const opt = new SGD([{ params: [['a', a]] }, { params: [['b', b]], lr: 0.3 }], { lr: 0.1 });
  assert.deepEqual(opt.groupLrs(), [0.1, 0.3]);
  opt.lr = 0.05;
  assert.equal(opt.lr, 0.05);
  assert.ok(Math.abs(opt.groupLrs()[1]! - 0.15) < 1e-15);
  const g = tf.scalar(1);
  opt.step({ [a.name]: g, [b.name]: g });
  assert.ok(Math.abs(a.dataSync()[0]! + 0.05) < 1e-7);
  assert.ok(Math.abs(b.dataSync()[0]! + 0.15) < 1e-7);
  const bare = new SGD([a, b], { lr: 1, momentum: 0.9 });
  bare.step({ [a.name]: g });
  assert.deepEqual([...bare.stateDict().tensors.keys()], ['param.0.momentum_buffer']);
  [opt, bare].forEach((o) => o.dispose());
  tf.dispose([a, b, g]);
});

test('bad options are usage errors', () => {
  const a = tf.variable(tf.scalar(0));
  assert.throws(() => new SGD([a], { lr: 0.1, nesterov: true }), UsageError);
  assert.throws(() => new Adam([a], { lr: -1 }), UsageError);
  assert.throws(() => new Adam([a], { lr: 0.1, betas: [0.9, 1] }), UsageError);
  assert.throws(() => new RMSprop([], { lr: 0.1 }), UsageError);
  assert.throws(
    () =>
      new AdamW(
        [
          ['x', a],
          ['y', a],
        ],
        { lr: 0.1 },
      ),
    /twice/,
  );
  assert.throws(() => new SGD([{ params: [['x', a]], lr: 0.1 }], { lr: 0 }), UsageError);
  a.dispose();
});

test('a step makes no lasting tensors', () => {
  const { w1, w2 } = makeParams();
  const opt = new RMSprop(
    [
      ['w1', w1],
      ['w2', w2],
    ],
    { lr: 0.01, centered: true, momentum: 0.9 },
  );
  oneStep(opt, w1, w2); // creates the slots
  const before = tf.memory().numTensors;
  for (let i = 0; i < 5; i++) oneStep(opt, w1, w2);
  assert.equal(tf.memory().numTensors, before);
  opt.dispose();
  assert.equal(tf.memory().numTensors, before - 6);
  tf.dispose([w1, w2]);
});
