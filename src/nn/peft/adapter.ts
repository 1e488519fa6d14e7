/**
 * Adapter injection into a built model: wrap the module at a path so that its output gets an
 * adapter's term, keeping the wrapped module's own parameter names (a pretrained checkpoint
 * still loads) and adding the adapter's under one new child. The bottleneck `Adapter` with a
 * learnable scale is ../adapter.ts; AdapterGNN's in-layer adapters use `GNN.addBranch`
 * (../graph/gnn.ts), this is the general form.
 */
import * as tf from '@tensorflow/tfjs-core';
import { Module } from '../module.js';
import type { Layer } from '../sequential.js';

export interface WithAdapterOptions {
  /**
   * 'parallel' (default): y = base(x) + adapter(x) — use an adapter that returns only its scaled
   * term (`Adapter` with `residual: false`). 'sequential': y = adapter(base(x)) — Houlsby
   * style, with an adapter that adds its own residual (`Adapter`'s default).
   */
  mode?: 'parallel' | 'sequential';
  /** Child name of the adapter (default 'adapter'). */
  name?: string;
}

/**
 * A module with an adapter attached. Its state dict is the base's names unchanged plus
 * `<name>.*` for the adapter; `base` and `adapter` are kept as fields for direct use.
 */
export class WithAdapter extends Module implements Layer {
  readonly mode: 'parallel' | 'sequential';
  readonly adapterName: string;

  constructor(
    readonly base: Layer,
    readonly adapter: Layer,
    opts: WithAdapterOptions = {},
  ) {
    super();
    this.mode = opts.mode ?? 'parallel';
    this.adapterName = opts.name ?? 'adapter';
    this.adopt(base);
    this.module(this.adapterName, adapter);
    this.train(base.training);
  }

  override train(on = true): this {
    super.train(on);
    // The base's own flag (e.g. a BatchNorm as the base) is not reached through adopted children.
    this.base.train(on);
    return this;
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => (this.mode === 'parallel' ? tf.add(this.base.forward(x), this.adapter.forward(x)) : this.adapter.forward(this.base.forward(x))));
  }
}

/**
 * Attach `adapter` to the module at `path` of `model` (in place, via `replaceChild`) and
 * return the wrapper. Only single-input modules (a `Layer`) can be wrapped.
 */
export function injectAdapter(model: Module, path: string, adapter: Layer, opts: WithAdapterOptions = {}): WithAdapter {
  const target = model.getSubmodule(path) as Module & Partial<Layer>;
  if (typeof target.forward !== 'function' || target.forward.length > 1) throw new Error(`injectAdapter: '${path}' is not a single-input layer`);
  const wrapper = new WithAdapter(target as Layer, adapter, opts);
  model.replaceChild(path, wrapper);
  return wrapper;
}
