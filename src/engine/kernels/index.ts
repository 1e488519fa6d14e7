/**
 * The kernel pack: our replacements and additions to tfjs 4.22.0's WASM (and CPU) kernels,
 * registered through the public kernel registry at start-up. See docs/research/engine.md §1.4 for the
 * measurements behind each.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc } from '@tensorflow/tfjs-core';
import { makeBatchMatMulKernel } from './batch_mat_mul.js';
import { makeGatherKernel } from './gather.js';
import { makeSliceKernels } from './slice.js';
import { makeSegmentSumKernels } from './unsorted_segment_sum.js';
import { makeSegmentMaxKernels } from './unsorted_segment_max.js';
import { makeShareKernels } from './share.js';
import { makeSumKernel } from './sum.js';

const installed = new Set<string>();

function originalKernel(name: string, backend: string): KernelFunc {
  const k = tf.getKernel(name, backend);
  if (!k) throw new Error(`kernel pack: tfjs has no ${name} kernel for '${backend}' (is tfjs pinned at 4.22.0?)`);
  return k.kernelFunc;
}

function replace(cfg: KernelConfig): void {
  if (tf.getKernel(cfg.kernelName, cfg.backendName)) tf.unregisterKernel(cfg.kernelName, cfg.backendName);
  tf.registerKernel(cfg);
}

/**
 * Register the kernel pack for `backend` ('wasm' or 'cpu'). Must run after the backend is
 * initialised (the stock kernels' setup functions have run by then, and our wrappers call them).
 * Idempotent.
 */
export function installKernelPack(backend: string): string[] {
  if (installed.has(backend)) return [];
  const done: string[] = [];
  if (backend === 'wasm') {
    const matmul = makeBatchMatMulKernel(originalKernel(tf.BatchMatMul, 'wasm'), originalKernel(tf.Transpose, 'wasm'), originalKernel(tf.Reshape, 'wasm'));
    const cfgs = [
      matmul,
      ...makeSliceKernels(originalKernel(tf.Slice, 'wasm')),
      makeGatherKernel(originalKernel(tf.GatherV2, 'wasm')),
      ...makeShareKernels(originalKernel(tf.Identity, 'wasm'), originalKernel(tf.Cast, 'wasm')),
      makeSumKernel(originalKernel(tf.Sum, 'wasm'), matmul.kernelFunc),
    ];
    for (const cfg of cfgs) {
      replace(cfg);
      done.push(cfg.kernelName);
    }
  }
  for (const cfg of [...makeSegmentSumKernels(), ...makeSegmentMaxKernels()]) {
    if (cfg.backendName !== backend) continue;
    replace(cfg);
    done.push(cfg.kernelName);
  }
  installed.add(backend);
  return done;
}
