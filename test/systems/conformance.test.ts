/**
 * The check every registered system must pass, at its own tiny setting (`System.conformance`):
 * a killed and resumed training equals a straight one; save → load → eval gives the training
 * run's numbers on the stored split; the same seed repeats, another seed differs; training leaks
 * no tensors; every option shows in `--help`; a bad option value is a usage error naming it.
 * A new system gets all of this by registering in src/systems/index.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { initEngine } from '../../src/engine/index.js';
import { SYSTEMS } from '../../src/systems/index.js';
import { evalRun, libraryEnv, splitTrainOptions, trainRun } from '../../src/system/run.js';
import { optionInfos } from '../../src/system/schema.js';
import type { AnySystem, RunEnv } from '../../src/system/types.js';
import type { RunResult } from '../../src/system/result.js';
import { UsageError } from '../../src/util/errors.js';
import { main } from '../../src/node/cli/main.js';
import { OverlayStorage } from '../helpers/storage.js';
import '../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

/** The numbers of a run (notes and timings aside). */
const numbers = (r: RunResult): unknown => r.results;

for (const sys of SYSTEMS.filter((s) => s.name !== 'toy')) {
  test(`${sys.name}: conformance`, async () => {
    const storage = new OverlayStorage();
    const setting = await sys.conformance(storage);
    const opts = splitTrainOptions(sys, { ...setting.data, ...setting.config, ...(setting.eval ?? {}) }, `${sys.name} conformance`);
    const env = (seed: number, dir: string, extra: Partial<RunEnv> = {}): RunEnv => libraryEnv(storage, { seed, runDir: dir, progressDir: `${dir}/progress`, ...extra });

    // Training leaks no tensors: everything it made is gone once the model is disposed.
    const before = tf.memory().numTensors;
    const a = await trainRun(sys, opts, env(1, 'runs/a'));
    sys.dispose(a.model);
    assert.equal(tf.memory().numTensors, before, 'tensors left after train + dispose');
    assert.ok(a.result.results.length > 0, 'train reports results');
    assert.ok(
      a.result.results.every((r) => r.model && r.baselines.length > 0),
      'every result has the model beside a baseline',
    );

    // Same seed, same numbers; another seed, other numbers.
    const b = await trainRun(sys, opts, env(1, 'runs/b'));
    sys.dispose(b.model);
    assert.deepEqual(numbers(b.result), numbers(a.result));
    const c = await trainRun(sys, opts, env(2, 'runs/c'));
    sys.dispose(c.model);
    assert.notDeepEqual(numbers(c.result), numbers(a.result));

    // A run stopped after its first epoch and resumed in its folder equals a straight run.
    if (setting.resumable) {
      const ac = new AbortController();
      const killed = await trainRun(sys, opts, env(1, 'runs/d', { signal: ac.signal, curve: () => ac.abort() }));
      sys.dispose(killed.model);
      const resumed = await trainRun(sys, opts, env(1, 'runs/d'));
      sys.dispose(resumed.model);
      assert.deepEqual(numbers(resumed.result), numbers(a.result), 'resume differs from a straight run');
    }

    // save → load → eval: the checkpoint, evaluated on its stored data options and split, gives the training run's numbers.
    const e = await evalRun(sys, 'runs/a/checkpoint', { data: {}, eval: {} }, env(9, 'runs/e'));
    sys.dispose(e.model);
    assert.deepEqual(numbers(e.result), numbers(a.result));

    // Every option of train shows in its help.
    let help = '';
    assert.equal(await main([sys.name, 'train', '--help'], { out: (t) => void (help += t), err: (t) => void (help += t) }), 0);
    const all = z.object({ ...sys.schemas.data.shape, ...sys.schemas.config.shape, ...sys.schemas.eval.shape });
    for (const o of optionInfos(all)) assert.ok(help.includes(o.flag + ' ') || help.includes(o.flag + '\n'), `${o.flag} missing from sheaf ${sys.name} train --help`);

    // A bad value is a usage error that names the option.
    const numeric = optionInfos(sys.schemas.config).find((o) => o.type === 'integer' || o.type === 'number');
    if (numeric) {
      assert.throws(
        () => splitTrainOptions(sys, { ...setting.data, [numeric.name]: 'not-a-number' }, 'options'),
        (err: unknown) => err instanceof UsageError && err.message.includes(numeric.flag),
      );
    }
  });
}

test('every system is registered and has a conformance setting', () => {
  const names = SYSTEMS.map((s: AnySystem) => s.name);
  for (const n of ['stemgnn', 'mtadgat', 'cgkgr', 'plrm']) assert.ok(names.includes(n), n);
});
