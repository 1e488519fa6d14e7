import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import { SGD } from '../../src/optim/optimizers.js';
import { trainStep } from '../../src/train/step.js';
import { fit, type FitOptions } from '../../src/train/fit.js';
import { loadCheckpoint } from '../../src/train/checkpoint.js';
import { nodeStorage } from '../../src/node/storage.js';
import { Rng } from '../../src/util/random.js';
import { SheafError, UsageError } from '../../src/util/errors.js';
import { TinyMLP, tinyData, shuffledBatches, snapshot } from './helpers.js';
import '../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

const data = tinyData();

/** A model, an SGD optimiser and fit options training it on the tiny problem. */
function problem(seed: number) {
  const model = new TinyMLP(new Rng(seed));
  const optimizer = new SGD(model.namedTrainable(), { lr: 0.05 });
  const rng = new Rng(seed + 1);
  const base: Pick<FitOptions<Int32Array, never>, 'model' | 'batches' | 'step' | 'optimizer' | 'rng'> = {
    model,
    optimizer,
    rng,
    batches: () => shuffledBatches(rng, 48, 16),
    step: (idx) => {
      const i = tf.tensor1d(idx, 'int32');
      const l = trainStep({ optimizer, loss: () => tf.losses.meanSquaredError(tf.gather(data.y, i), model.forward(tf.gather(data.x, i))) as tf.Scalar });
      i.dispose();
      return l;
    },
  };
  return { model, optimizer, rng, base, dispose: () => (optimizer.dispose(), model.dispose()) };
}

test('early stopping after `patience` epochs without improvement; best weights restored', async () => {
  const p = problem(1);
  // A scripted validation metric so the expected best epoch and stop epoch are known: best at
  // epoch 4 (1.0), then 3 epochs without improvement beyond minDelta 0.01 → stop after epoch 7.
  const script = [3, 2, 2.5, 1.0, 0.995, 1.2, 1.1, 0.5, 0.4];
  const weightsAt = new Map<number, number[]>();
  const seen: number[] = [];
  const r = await fit({
    ...p.base,
    epochs: 9,
    validate: (epoch) => ({ score: script[epoch - 1]!, other: epoch }),
    monitor: { value: (e) => e.valid?.score, mode: 'min' },
    earlyStopping: { patience: 3, minDelta: 0.01 },
    epochEnd: (e) => {
      weightsAt.set(e.epoch, snapshot(p.model));
      if (e.best) seen.push(e.epoch);
      assert.equal(e.valid?.other, e.epoch);
    },
  });
  assert.equal(r.stoppedEarly, true);
  assert.equal(r.interrupted, false);
  assert.deepEqual(
    r.history.map((h) => h.epoch),
    [1, 2, 3, 4, 5, 6, 7],
  );
  assert.deepEqual(seen, [1, 2, 4]);
  assert.equal(r.bestEpoch, 4);
  assert.equal(r.bestMetric, 1.0);
  // Training moved the weights after epoch 4, and the best ones came back.
  assert.notDeepEqual(weightsAt.get(7), weightsAt.get(4));
  assert.deepEqual(snapshot(p.model), weightsAt.get(4));
  assert.ok(r.history.every((h) => Number.isFinite(h.train['loss']!)));
  assert.ok(r.history[6]!.train['loss']! < r.history[0]!.train['loss']!, 'the model does learn');
  assert.equal(r.keptEpoch, 4);
  p.dispose();
});

test("mode max on a real validation metric; restore 'last' keeps the last weights", async () => {
  const p = problem(2);
  const negMse = (): number => tf.tidy(() => -tf.losses.meanSquaredError(data.vy, p.model.forward(data.vx)).dataSync()[0]!);
  const modes: boolean[] = [];
  const r = await fit({
    ...p.base,
    epochs: 5,
    validate: () => {
      modes.push(p.model.training);
      return { negMse: negMse() };
    },
    monitor: { value: (e) => e.valid?.negMse, mode: 'max' },
    restore: 'last',
  });
  assert.deepEqual(modes, [false, false, false, false, false], 'validate runs in eval mode');
  assert.equal(p.model.training, true);
  const best = Math.max(...r.history.map((h) => h.valid!.negMse));
  assert.equal(r.bestMetric, best);
  assert.equal(r.history[r.bestEpoch - 1]!.valid!.negMse, best);
  assert.equal(negMse(), r.history[4]!.valid!.negMse);
  assert.equal(r.keptEpoch, 5);
  p.dispose();
});

test("restore 'best-if-stopped' (TGAT's loop): best weights only when early stopping fired; a relative minDelta", async () => {
  // Relative tolerance 0.1 (TGAT's EarlyStopMonitor): 1.0 → 1.05 is not a gain (0.05 < 0.1 · 1.0), 1.0 → 1.2 is.
  const runs = async (script: number[], epochs: number) => {
    const p = problem(5);
    const weightsAt = new Map<number, number[]>();
    const r = await fit({
      ...p.base,
      epochs,
      validate: (epoch) => ({ ap: script[epoch - 1]! }),
      monitor: { value: (e) => e.valid?.ap, mode: 'max' },
      restore: 'best-if-stopped',
      earlyStopping: { patience: 2, minDelta: 0.1, relative: true },
      epochEnd: (e) => void weightsAt.set(e.epoch, snapshot(p.model)),
    });
    const now = snapshot(p.model);
    p.dispose();
    return { r, weightsAt, now };
  };
  // Stops after epoch 4 (two epochs without a 10 % gain on 1.2): the best epoch's weights come back.
  const a = await runs([1.0, 1.2, 1.25, 1.3, 2, 2], 6);
  assert.equal(a.r.stoppedEarly, true);
  assert.equal(a.r.history.length, 4);
  assert.equal(a.r.bestEpoch, 2);
  assert.equal(a.r.keptEpoch, 2);
  assert.deepEqual(a.now, a.weightsAt.get(2));
  // Runs out of epochs first: the last weights stay, although epoch 2 was the best.
  const b = await runs([1.0, 1.2, 1.25], 3);
  assert.equal(b.r.stoppedEarly, false);
  assert.equal(b.r.bestEpoch, 2);
  assert.equal(b.r.keptEpoch, 3);
  assert.deepEqual(b.now, b.weightsAt.get(3));
  assert.notDeepEqual(b.now, b.weightsAt.get(2));
});

test('loss parts are reduced per epoch (mean by default, or as told); validate every k epochs', async () => {
  const p = problem(6);
  const r = await fit({
    ...p.base,
    epochs: 4,
    step: (idx) => ({ a: idx.length, b: 2 }),
    reduce: (parts) => ({ a: Math.max(...parts['a']!), b: parts['b']!.reduce((x, y) => x + y, 0) }),
    validateEvery: 2,
    validate: (epoch) => ({ epoch }),
  });
  assert.deepEqual(r.history[0]!.train, { a: 16, b: 6, loss: 22 });
  assert.deepEqual(
    r.history.map((h) => h.valid?.epoch ?? null),
    [null, 2, null, 4],
  );
  assert.deepEqual(
    r.history.map((h) => h.steps),
    [3, 3, 3, 3],
  );
  p.dispose();
});

test('abort signal stops after the current batch; completed epochs are checkpointed, best kept on disk', async () => {
  const p = problem(3);
  const dir = mkdtempSync(join(tmpdir(), 'sheaf-fit-'));
  try {
    const ac = new AbortController();
    const batches: Array<[number, number]> = [];
    const r = await fit({
      ...p.base,
      epochs: 10,
      validate: () => ({ mse: tf.tidy(() => tf.losses.meanSquaredError(data.vy, p.model.forward(data.vx)).dataSync()[0]!) }),
      monitor: { value: (e) => e.valid?.mse, mode: 'min' },
      checkpoint: { storage: nodeStorage, dir, config: { seed: 3 }, every: 1 },
      progress: {
        batch: (b) => {
          batches.push([b.epoch, b.batch]);
          if (b.epoch === 3 && b.batch === 2) ac.abort();
        },
      },
      signal: ac.signal,
    });
    assert.equal(r.interrupted, true);
    assert.equal(r.history.length, 2);
    assert.deepEqual(batches.at(-1), [3, 2]);
    assert.equal(batches.length, 3 + 3 + 2);
    assert.equal(readFileSync(join(dir, 'latest'), 'utf8').trim(), 'epoch-0002');
    assert.ok(!existsSync(join(dir, 'epoch-0003')));
    const best = await loadCheckpoint(nodeStorage, join(dir, 'best'));
    assert.equal(best.epoch, r.bestEpoch);
    assert.equal(best.bestMetric, r.bestMetric);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    p.dispose();
  }
});

test('a non-finite loss stops with an error naming epoch and batch; bad options are usage errors', async () => {
  const p = problem(4);
  let n = 0;
  await assert.rejects(fit({ ...p.base, epochs: 3, step: () => (++n === 5 ? NaN : 1) }), (e: unknown) => e instanceof SheafError && /NaN at epoch 2, batch 2/.test((e as Error).message));
  await assert.rejects(fit({ ...p.base, epochs: 1, earlyStopping: { patience: 1 } }), UsageError);
  await assert.rejects(fit({ ...p.base, epochs: 1, restore: 'best' }), /needs a monitor/);
  await assert.rejects(fit({ ...p.base, epochs: 1, validateEvery: 0 }), UsageError);
  p.dispose();
});

test("progress: a batch event per step with the epoch's batch count, an epoch event per epoch", async () => {
  const p = problem(5);
  const events: string[] = [];
  await fit({ ...p.base, epochs: 2, progress: { batch: (b) => events.push(`b${b.epoch}.${b.batch}/${b.batches}`), epoch: (r) => events.push(`e${r.epoch}`) } });
  assert.deepEqual(events, ['b1.1/3', 'b1.2/3', 'b1.3/3', 'e1', 'b2.1/3', 'b2.2/3', 'b2.3/3', 'e2']);
  p.dispose();
});
