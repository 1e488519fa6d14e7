import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import { Adam, SGD } from '../../src/optim/optimizers.js';
import { StepLR } from '../../src/optim/schedulers.js';
import { trainStep } from '../../src/train/step.js';
import { fit } from '../../src/train/fit.js';
import { saveCheckpoint, loadCheckpoint, restoreCheckpoint, findLatestCheckpoint, checkpointTensors } from '../../src/train/checkpoint.js';
import { loadSafetensorsFile as loadSafetensors } from '../../src/node/safetensors.js';
import { nodeStorage as fsx } from '../../src/node/storage.js';
import { MemoryStorage } from '../../src/io/storage.js';
import { Rng } from '../../src/util/random.js';
import { InputError, UsageError } from '../../src/util/errors.js';
import { TinyMLP, tinyData, shuffledBatches, snapshot } from './helpers.js';
import '../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

const data = tinyData();
const CONFIG = { hidden: 8, lr: 0.02, batch: 12 };

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sheaf-ckpt-'));
}

/** One training run set-up; `initSeed`/`rngSeed` differ to prove that resume overwrites them. */
function setup(initSeed: number, rngSeed: number) {
  const model = new TinyMLP(new Rng(initSeed), CONFIG.hidden);
  const optimizer = new Adam(model.namedTrainable(), { lr: CONFIG.lr });
  const scheduler = new StepLR(optimizer, { stepSize: 1, gamma: 0.8 });
  const rng = new Rng(rngSeed);
  return { model, optimizer, scheduler, rng };
}

async function run(dir: string, epochs: number, s: ReturnType<typeof setup>, storage = fsx) {
  return fit<Int32Array>({
    epochs,
    model: s.model,
    optimizer: s.optimizer,
    rng: s.rng,
    batches: () => shuffledBatches(s.rng, 48, CONFIG.batch),
    step: (idx) => {
      const i = tf.tensor1d(idx, 'int32');
      const l = trainStep({
        optimizer: s.optimizer,
        loss: () => tf.losses.meanSquaredError(tf.gather(data.y, i), s.model.forward(tf.gather(data.x, i))) as tf.Scalar,
      });
      i.dispose();
      return l;
    },
    validate: () => ({ mse: tf.tidy(() => tf.losses.meanSquaredError(data.vy, s.model.forward(data.vx)).dataSync()[0]!) }),
    monitor: { value: (r) => r.valid?.mse, mode: 'min' },
    restore: 'last',
    scheduler: s.scheduler,
    checkpoint: { storage, dir, config: CONFIG },
  });
}

/** A history without its timings (which differ run to run). */
function untimed<T extends { seconds: number; trainSeconds: number }>(h: T[]): Array<Omit<T, 'seconds' | 'trainSeconds'>> {
  return h.map(({ seconds: _s, trainSeconds: _t, ...rest }) => rest);
}

function free(s: ReturnType<typeof setup>): void {
  s.optimizer.dispose();
  s.model.dispose();
}

test('4 epochs straight = 2 epochs, then a fresh process-like resume for 2 more (bit-identical)', async () => {
  const a = tempDir();
  const b = tempDir();
  try {
    const straight = setup(10, 1);
    const ra = await run(a, 4, straight);
    const first = setup(10, 1);
    const r1 = await run(b, 2, first);
    assert.equal(r1.history.length, 2);
    free(first);
    // Everything new and differently initialised: only the checkpoint can make it match.
    const resumed = setup(99, 12345);
    const before = tf.memory().numTensors;
    const rb = await run(b, 4, resumed);
    // The only new tensors are the restored Adam moments: 2 per parameter tensor.
    assert.equal(tf.memory().numTensors, before + 2 * resumed.model.namedTrainable().length, 'fit leaks no tensors');
    assert.deepEqual(snapshot(resumed.model), snapshot(straight.model));
    assert.deepEqual(untimed(rb.history), untimed(ra.history));
    assert.equal(rb.bestEpoch, ra.bestEpoch);
    assert.equal(rb.bestMetric, ra.bestMetric);
    assert.equal(resumed.optimizer.lr, straight.optimizer.lr);
    assert.deepEqual(resumed.rng.getState(), straight.rng.getState());
    assert.equal(readFileSync(join(b, 'latest'), 'utf8').trim(), 'epoch-0004');
    // Running again with the same target resumes at the end and trains nothing.
    const again = await run(b, 4, resumed);
    assert.deepEqual(untimed(again.history), untimed(ra.history));
    await assert.rejects(() => loadCheckpoint(fsx, join(b, 'nothing-here')), InputError);
    // A different configuration is refused, naming what differs.
    await assert.rejects(
      fit({ epochs: 5, model: resumed.model, optimizer: resumed.optimizer, batches: () => [], step: () => 0, checkpoint: { storage: fsx, dir: b, config: { ...CONFIG, lr: 1 } } }),
      (e: unknown) => e instanceof UsageError && /different configuration \(lr differs\)/.test((e as Error).message),
    );
    free(straight);
    free(resumed);
  } finally {
    rmSync(a, { recursive: true, force: true });
    rmSync(b, { recursive: true, force: true });
  }
});

test('the same resume through an in-memory storage (the browser path)', async () => {
  const mem = new MemoryStorage();
  const straight = setup(10, 1);
  const ra = await run('runs/a', 3, straight, mem);
  const first = setup(10, 1);
  await run('runs/b', 1, first, mem);
  free(first);
  const resumed = setup(3, 3);
  const rb = await run('runs/b', 3, resumed, mem);
  assert.deepEqual(snapshot(resumed.model), snapshot(straight.model));
  assert.deepEqual(untimed(rb.history), untimed(ra.history));
  assert.deepEqual(await mem.list('runs/b'), ['epoch-0003', 'latest']);
  free(straight);
  free(resumed);
});

test('checkpoint folder layout, PyTorch names, latest pointer, pruning, incomplete folders ignored', async () => {
  const dir = tempDir();
  try {
    const s = setup(5, 5);
    const x = data.x;
    trainStep({ optimizer: s.optimizer, loss: () => tf.mean(s.model.forward(x)) as tf.Scalar });
    for (const epoch of [1, 2, 3]) {
      await saveCheckpoint(fsx, dir, {
        system: 'toy',
        model: s.model,
        optimizer: s.optimizer,
        scheduler: s.scheduler,
        config: CONFIG,
        epoch,
        step: epoch * 4,
        rng: s.rng,
        bestMetric: 0.5,
        extra: { note: 'x' },
        keep: 2,
      });
    }
    assert.deepEqual(readdirSync(dir).sort(), ['epoch-0002', 'epoch-0003', 'latest']);
    assert.deepEqual(readdirSync(join(dir, 'epoch-0003')).sort(), ['complete', 'config.json', 'model.safetensors', 'optimizer.safetensors']);
    const weights = loadSafetensors(join(dir, 'epoch-0003', 'model.safetensors'));
    assert.deepEqual([...weights.keys()], ['l1.weight', 'l1.bias', 'l2.weight', 'l2.bias']);
    assert.deepEqual(weights.metadata, { format: 'pt' });
    tf.dispose([...weights.values()]);
    const opt = loadSafetensors(join(dir, 'epoch-0003', 'optimizer.safetensors'));
    assert.ok(opt.has('l1.weight.exp_avg') && opt.has('l2.bias.exp_avg_sq'));
    tf.dispose([...opt.values()]);

    // A killed save: a temp folder and a folder without the marker must both be ignored.
    mkdirSync(join(dir, '.tmp-epoch-0004-1-1'));
    mkdirSync(join(dir, 'epoch-0005'));
    writeFileSync(join(dir, 'epoch-0005', 'config.json'), '{"trunc');
    assert.equal(await findLatestCheckpoint(fsx, dir), join(dir, 'epoch-0003'));
    rmSync(join(dir, 'latest'));
    assert.equal(await findLatestCheckpoint(fsx, dir), join(dir, 'epoch-0003'));

    const info = await loadCheckpoint(fsx, dir);
    assert.equal(info.version, 2);
    assert.equal(info.system, 'toy');
    assert.equal(info.epoch, 3);
    assert.equal(info.step, 12);
    assert.deepEqual(info.extra, { note: 'x' });
    assert.equal(info.bestMetric, 0.5);
    assert.deepEqual(info.rngState, s.rng.getState());
    const w = checkpointTensors(info);
    assert.deepEqual([...w.keys()], ['l1.weight', 'l1.bias', 'l2.weight', 'l2.bias']);
    tf.dispose([...w.values()]);

    const fresh = setup(77, 77);
    const r = await restoreCheckpoint(fsx, join(dir, 'epoch-0002'), { model: fresh.model, optimizer: fresh.optimizer, scheduler: fresh.scheduler, rng: fresh.rng });
    assert.equal(r.epoch, 2);
    assert.deepEqual(snapshot(fresh.model), snapshot(s.model));
    assert.deepEqual(fresh.optimizer.stateDict().meta, s.optimizer.stateDict().meta);
    // Model-only checkpoints cannot restore an optimiser.
    await saveCheckpoint(fsx, dir, { model: s.model, config: CONFIG, epoch: 0, step: 0, name: 'weights-only', setLatest: false });
    const sgd = new SGD(fresh.model.namedTrainable(), { lr: 0.1 });
    await assert.rejects(() => restoreCheckpoint(fsx, join(dir, 'weights-only'), { model: fresh.model, optimizer: sgd }), /no optimizer state/);
    // The wrong optimiser kind is refused too.
    await assert.rejects(() => restoreCheckpoint(fsx, join(dir, 'epoch-0003'), { model: fresh.model, optimizer: sgd }), /Adam, not SGD/);
    // Raw arrays keep their dtype (F64 stays F64).
    await saveCheckpoint(fsx, dir, { tensors: new Map([['theta', { dtype: 'F64' as const, shape: [2], data: Float64Array.from([0.1, 1 / 3]) }]]), config: {}, name: 'raw', setLatest: false });
    const raw = (await loadCheckpoint(fsx, join(dir, 'raw'))).files['model']!.get('theta')!;
    assert.equal(raw.dtype, 'F64');
    assert.deepEqual(Array.from(raw.data as Float64Array), [0.1, 1 / 3]);
    assert.ok(existsSync(join(dir, 'epoch-0003', 'complete')));
    free(s);
    free(fresh);
    sgd.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

process.on('exit', () => data.dispose());
