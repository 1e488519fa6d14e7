/**
 * Engine benchmarks (issue: numeric core): matmul 256/512/1024, a GRU over (32, 12, 64)
 * forward+backward, a dense GATv2 layer over 100 nodes forward+backward, and an embedding lookup
 * + backward over 20 000 rows — on every backend available here (wasm with the kernel pack, cpu).
 * Wall-clock ms, best of several trials (a shared 2-core VM varies ±30 %; compare ratios).
 */
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../src/engine/index.js';
import { GRU } from '../src/nn/gru.js';
import { Rng } from '../src/util/random.js';
import '../src/node/setup.js';

/** Best-of-trials wall ms per repetition; the process CPU ms of that trial is kept in `lastCpuMs`. */
let lastCpuMs = 0;
function bestMs(fn: () => void, reps: number, trials: number): number {
  fn(); // warm-up (kernel setup, XNNPACK packing)
  let best = Infinity;
  for (let t = 0; t < trials; t++) {
    const c = process.cpuUsage();
    const s = performance.now();
    for (let r = 0; r < reps; r++) fn();
    const wall = (performance.now() - s) / reps;
    if (wall < best) {
      best = wall;
      const u = process.cpuUsage(c);
      // CPU time is robust to other processes sharing the machine (docs/research/engine.md §1.1).
      lastCpuMs = (u.user + u.system) / 1000 / reps;
    }
  }
  return best;
}

function workloads(quick: boolean): Record<string, () => number> {
  const rng = new Rng(0);
  const trials = quick ? 1 : 5;
  const out: Record<string, () => number> = {};
  for (const n of quick ? [256] : [256, 512, 1024]) {
    out[`matmul_${n}_ms`] = () => {
      const a = tf.tensor2d(rng.uniformArray(n * n, -1, 1), [n, n]);
      const b = tf.tensor2d(rng.uniformArray(n * n, -1, 1), [n, n]);
      // Not tf.tidy(() => ….dataSync()): tidy walks a returned typed array element by element
      // looking for tensors, which costs more than the matmul itself.
      const ms = bestMs(
        () => {
          const c = tf.matMul(a, b);
          c.dataSync();
          c.dispose();
        },
        n >= 1024 ? 3 : 10,
        trials,
      );
      tf.dispose([a, b]);
      return ms;
    };
  }
  out['gru_32x12x64_fwd_bwd_ms'] = () => {
    const gru = new GRU(64, 64, rng);
    const x = tf.tensor3d(rng.uniformArray(32 * 12 * 64, -1, 1), [32, 12, 64]);
    const ms = bestMs(
      () => {
        const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(gru.forward(x).hN)) as tf.Scalar, gru.parameters());
        value.dataSync();
        tf.dispose([value, ...Object.values(grads)]);
      },
      quick ? 2 : 10,
      trials,
    );
    gru.dispose();
    x.dispose();
    return ms;
  };
  out['gatv2_100nodes_fwd_bwd_ms'] = () => {
    // Dense GATv2 (Brody et al.): e_ij = aᵀ LeakyReLU(W_l h_i + W_r h_j), softmax over j, 16 graphs.
    const B = 16,
      N = 100,
      F = 64;
    const h = tf.tensor3d(rng.uniformArray(B * N * F, -1, 1), [B, N, F]);
    const wl = tf.variable(tf.tensor2d(rng.uniformArray(F * F, -0.1, 0.1), [F, F]));
    const wr = tf.variable(tf.tensor2d(rng.uniformArray(F * F, -0.1, 0.1), [F, F]));
    const a = tf.variable(tf.tensor1d(rng.uniformArray(F, -0.1, 0.1)));
    const ms = bestMs(
      () => {
        const { value, grads } = tf.variableGrads(() => {
          const l = tf.matMul(h, wl); // [B,N,F]
          const r = tf.matMul(h, wr);
          const pair = tf.leakyRelu(tf.add(tf.expandDims(l, 2), tf.expandDims(r, 1)), 0.2); // [B,N,N,F]
          const e = tf.sum(tf.mul(pair, a), -1); // [B,N,N]
          const att = tf.softmax(e, -1);
          return tf.mean(tf.elu(tf.matMul(att, r))) as tf.Scalar;
        }, [wl, wr, a]);
        value.dataSync();
        tf.dispose([value, ...Object.values(grads)]);
      },
      quick ? 1 : 5,
      trials,
    );
    tf.dispose([h, wl, wr, a]);
    return ms;
  };
  out['embedding_20000x64_8192lookups_fwd_bwd_ms'] = () => {
    const V = 20000,
      D = 64,
      L = 8192;
    const e = tf.variable(tf.tensor2d(rng.uniformArray(V * D, -1, 1), [V, D]));
    const idx = tf.tensor1d(
      Int32Array.from({ length: L }, () => rng.int(V)),
      'int32',
    );
    const r = tf.tensor2d(rng.uniformArray(L * D, -1, 1), [L, D]);
    const ms = bestMs(
      () => {
        const { value, grads } = tf.variableGrads(() => tf.sum(tf.mul(tf.gather(e, idx), r)) as tf.Scalar, [e]);
        value.dataSync();
        tf.dispose([value, ...Object.values(grads)]);
      },
      quick ? 2 : 10,
      trials,
    );
    tf.dispose([e, idx, r]);
    return ms;
  };
  return out;
}

/**
 * Single-thread GEMM throughput through tf.matMul (the registered BatchMatMul kernel), GFLOP/s of
 * process CPU time, best of 5 trials, for A·B, A·Bᵀ and Aᵀ·B at 512² and 1024². The kernels run
 * synchronously, so no read-back is needed to time them.
 */
function gemmFigures(prefix: string, quick: boolean, out: Record<string, number | string>): void {
  const rng = new Rng(1);
  for (const n of quick ? [256] : [512, 1024]) {
    const a = tf.tensor2d(rng.uniformArray(n * n, -1, 1), [n, n]);
    const b = tf.tensor2d(rng.uniformArray(n * n, -1, 1), [n, n]);
    for (const [form, ta, tb] of [
      ['nn', false, false],
      ['nt', false, true],
      ['tn', true, false],
    ] as const) {
      const reps = n >= 1024 ? 4 : 16;
      tf.matMul(a, b, ta, tb).dispose();
      let best = Infinity;
      for (let t = 0; t < (quick ? 1 : 5); t++) {
        const c = process.cpuUsage();
        for (let r = 0; r < reps; r++) tf.matMul(a, b, ta, tb).dispose();
        const u = process.cpuUsage(c);
        best = Math.min(best, (u.user + u.system) / 1e6 / reps);
      }
      out[`${prefix}.gemm_${n}_${form}_gflops`] = Number(((2 * n * n * n) / best / 1e9).toFixed(1));
    }
    tf.dispose([a, b]);
  }
}

export async function bench(opts: { quick: boolean }): Promise<Record<string, number | string>> {
  const result: Record<string, number | string> = {};
  // GEMM with the native kernel pack (Node default) and without it (the WASM kernels).
  for (const native of ['on', 'off'] as const) {
    const info = await initEngine({ backend: 'wasm', native });
    if (native === 'on' && !info.native) continue;
    gemmFigures(native === 'on' ? `wasm+native(${info.native})` : 'wasm', opts.quick, result);
  }
  // The workloads on the WASM backend with the native pack (Node's default) and without it, and on cpu.
  const setups: Array<{ label: string; backend: 'wasm' | 'cpu'; native: 'on' | 'off' }> = [];
  if ((await initEngine({ backend: 'wasm', native: 'auto' })).native) setups.push({ label: 'wasm+native', backend: 'wasm', native: 'on' });
  setups.push({ label: 'wasm', backend: 'wasm', native: 'off' }, { label: 'cpu', backend: 'cpu', native: 'off' });
  for (const { label, backend, native } of setups) {
    await initEngine({ backend, native });
    for (const [name, fn] of Object.entries(workloads(opts.quick))) {
      // The cpu backend takes minutes on the large cases; measure it only where it finishes.
      if (backend === 'cpu' && !opts.quick && (name.startsWith('matmul_1024') || name.startsWith('embedding'))) {
        result[`${label}.${name}`] = 'skipped (minutes on the cpu backend)';
        continue;
      }
      result[`${label}.${name}`] = Number(fn().toFixed(3));
      result[`${label}.${name.replace(/_ms$/, '_cpu_ms')}`] = Number(lastCpuMs.toFixed(3));
    }
  }
  await initEngine({ backend: 'wasm' });
  return result;
}
