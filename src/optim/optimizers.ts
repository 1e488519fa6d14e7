/**
 * Optimisers with PyTorch's exact update rules (torch.optim 1.13–2.x, single-tensor path), so a
 * run here follows the same trajectory as the papers' official code given the same gradients:
 *
 * - `SGD`: momentum, dampening, nesterov; weight decay added to the gradient (L2).
 * - `Adam`: bias-corrected moments, eps added *outside* the sqrt after the bias correction,
 *   weight decay as L2 on the gradient, optional amsgrad.
 * - `AdamW`: as Adam, but decoupled decay `p ← p·(1 − lr·wd)` before the update (default wd 1e-2).
 * - `RMSprop`: alpha 0.99, eps 1e-8 outside the sqrt, optional centered and momentum.
 *
 * Parameters may be given as `[name, variable]` pairs (use `module.namedTrainable()`: the names
 * key the optimiser state in checkpoints, so they must be stable across processes), as bare
 * variables (state keyed by position, `param.<i>`), or as parameter groups with their own lr and
 * weight decay. Each step runs in `tf.tidy` and assigns in place, so nothing leaks.
 */
import * as tf from '@tensorflow/tfjs-core';
import { fusedOptimizerStep } from '../engine/ops.js';
import { UsageError } from '../util/errors.js';

/** A set of parameters sharing hyper-parameters (as a torch param group). */
export interface ParamGroup {
  params: Array<[string, tf.Variable]>;
  /** Learning rate of this group; defaults to the optimiser's `lr`. */
  lr?: number;
  /** Weight decay of this group; defaults to the optimiser's `weightDecay`. */
  weightDecay?: number;
  /** A frozen group is never updated and gets no state (like leaving it out of the optimiser). */
  frozen?: boolean;
}

/** What every optimiser accepts as parameters. */
export type OptimizerParams = Array<[string, tf.Variable]> | tf.Variable[] | ParamGroup[];

/** Options every optimiser shares. */
export interface BaseOptimizerOptions {
  /** Base learning rate (> 0 when any group sets its own lr). */
  lr: number;
  /** Default weight decay for groups that do not set one. */
  weightDecay?: number;
}

/** Serialisable optimiser state: tensors (moment estimates) by `<param name>.<slot>` plus JSON meta. */
export interface OptimizerState {
  tensors: Map<string, tf.Tensor>;
  meta: Record<string, unknown>;
}

interface GroupState {
  /** Group lr = optimiser base lr × lrScale, so changing `lr` keeps the groups' ratios. */
  lrScale: number;
  weightDecay: number;
  frozen: boolean;
  params: ParamState[];
}

/** Per-parameter state: step count and named slot tensors (exp_avg, momentum_buffer, …). */
export interface ParamState {
  readonly name: string;
  readonly variable: tf.Variable;
  step: number;
  readonly slots: Map<string, tf.Variable>;
}

function isGroupList(p: OptimizerParams): p is ParamGroup[] {
  return p.length > 0 && !Array.isArray(p[0]) && !(p[0] instanceof tf.Variable);
}

function checkNumber(name: string, v: unknown, min: number, max = Infinity, minInclusive = true): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (minInclusive ? v < min : v <= min) || v > max) {
    throw new UsageError(`optimizer option '${name}' must be a number in ${minInclusive ? '[' : '('}${min}, ${max}], got ${String(v)}`);
  }
  return v;
}

/**
 * Base class. Subclasses implement `update`, which computes one parameter's new value from its
 * gradient (called inside `tf.tidy`; slot tensors are updated with `setSlot`).
 */
export abstract class Optimizer {
  /** Class name stored in the state dict so a checkpoint is not loaded into another kind. */
  abstract readonly kind: string;
  protected readonly groups: GroupState[] = [];
  private readonly byVarName = new Map<string, ParamState>();
  private readonly byName = new Map<string, ParamState>();
  private baseLr: number;

  constructor(params: OptimizerParams, opts: BaseOptimizerOptions, defaultWeightDecay = 0) {
    this.baseLr = checkNumber('lr', opts.lr, 0);
    const wd = checkNumber('weightDecay', opts.weightDecay ?? defaultWeightDecay, 0);
    let groups: ParamGroup[];
    if (params.length === 0) throw new UsageError('optimizer got an empty parameter list');
    if (isGroupList(params)) groups = params;
    else if (Array.isArray(params[0])) groups = [{ params: params as Array<[string, tf.Variable]> }];
    else groups = [{ params: (params as tf.Variable[]).map((v, i) => [`param.${i}`, v] as [string, tf.Variable]) }];
    for (const [gi, g] of groups.entries()) {
      let lrScale = 1;
      if (g.lr !== undefined) {
        checkNumber(`groups[${gi}].lr`, g.lr, 0);
        if (this.baseLr === 0) throw new UsageError('optimizer lr must be > 0 when a parameter group sets its own lr (group lrs scale with it)');
        lrScale = g.lr / this.baseLr;
      }
      const state: GroupState = {
        lrScale,
        weightDecay: g.weightDecay === undefined ? wd : checkNumber(`groups[${gi}].weightDecay`, g.weightDecay, 0),
        frozen: g.frozen === true,
        params: [],
      };
      for (const [name, variable] of g.params) {
        if (!(variable instanceof tf.Variable)) throw new UsageError(`optimizer parameter '${name}' is not a tf.Variable`);
        if (this.byName.has(name)) throw new UsageError(`optimizer got the parameter name '${name}' twice`);
        if (this.byVarName.has(variable.name)) throw new UsageError(`optimizer got the variable of '${name}' twice`);
        if (variable.dtype !== 'float32') throw new UsageError(`optimizer parameter '${name}' has dtype ${variable.dtype}; only float32 can be trained`);
        const p: ParamState = { name, variable, step: 0, slots: new Map() };
        state.params.push(p);
        this.byName.set(name, p);
        this.byVarName.set(variable.name, p);
      }
      this.groups.push(state);
    }
  }

  /**
   * The base learning rate. Setting it scales every group proportionally: a group created with
   * its own lr keeps its ratio to the base (this is how schedulers drive per-group lrs, and equals
   * torch's per-group schedulers for multiplicative schedules).
   */
  get lr(): number {
    return this.baseLr;
  }
  set lr(v: number) {
    this.baseLr = checkNumber('lr', v, 0);
  }

  /** Current learning rate of each group. */
  groupLrs(): number[] {
    return this.groups.map((g) => this.baseLr * g.lrScale);
  }

  /** Names of the parameters this optimiser updates (frozen groups excluded). */
  paramNames(): string[] {
    return this.groups.filter((g) => !g.frozen).flatMap((g) => g.params.map((p) => p.name));
  }

  /** The variables this optimiser updates (frozen groups excluded), e.g. for `tf.variableGrads`. */
  variables(): tf.Variable[] {
    return this.groups.filter((g) => !g.frozen).flatMap((g) => g.params.map((p) => p.variable));
  }

  /**
   * Apply one update. `grads` is keyed by `variable.name`, as `tf.variableGrads` returns it.
   * Parameters without a gradient (missing or null), in a frozen group, or whose variable is not
   * trainable (`Module.freeze`) are skipped and their step count does not advance — like torch
   * skipping `p.grad is None`. The caller keeps ownership of `grads`.
   */
  step(grads: tf.NamedTensorMap): void {
    tf.tidy(() => {
      for (const g of this.groups) {
        if (g.frozen) continue;
        const lr = this.baseLr * g.lrScale;
        for (const p of g.params) {
          const grad = grads[p.variable.name] as tf.Tensor | null | undefined;
          if (grad == null || !p.variable.trainable) continue;
          if (grad.shape.join() !== p.variable.shape.join()) {
            throw new Error(`optimizer: gradient of '${p.name}' has shape [${grad.shape}], parameter is [${p.variable.shape}]`);
          }
          p.step += 1;
          const next = this.update(p, grad.dtype === 'float32' ? grad : tf.cast(grad, 'float32'), lr, g.weightDecay);
          p.variable.assign(next);
        }
      }
    });
  }

  /**
   * Compute the new value of one parameter (inside `tf.tidy`; `p.step` already counts this step).
   * Returns the tensor to assign to the parameter.
   */
  protected abstract update(p: ParamState, grad: tf.Tensor, lr: number, weightDecay: number): tf.Tensor;

  /** A slot tensor of a parameter, or null before it is first set. */
  protected slot(p: ParamState, key: string): tf.Variable | null {
    return p.slots.get(key) ?? null;
  }

  /** Store a slot value (copied into a persistent, non-trainable variable). */
  protected setSlot(p: ParamState, key: string, value: tf.Tensor): void {
    const s = p.slots.get(key);
    if (s) s.assign(value);
    // An unnamed variable gets a unique engine name; it shares (and keeps alive) value's data.
    else p.slots.set(key, tf.variable(value, false));
  }

  /** Hyper-parameters to record in the state dict (checked on load). */
  protected abstract hyperParams(): Record<string, unknown>;

  /**
   * State for checkpoints: slot tensors keyed `<param name>.<slot>` (copies, owned by the caller)
   * and meta `{kind, lr, hyper, groups, steps}`.
   */
  stateDict(): OptimizerState {
    const tensors = new Map<string, tf.Tensor>();
    const steps: Record<string, number> = {};
    for (const p of this.byName.values()) {
      steps[p.name] = p.step;
      for (const [k, v] of p.slots) tensors.set(`${p.name}.${k}`, tf.clone(v));
    }
    const meta = {
      kind: this.kind,
      lr: this.baseLr,
      hyper: this.hyperParams(),
      groups: this.groups.map((g) => ({ lrScale: g.lrScale, weightDecay: g.weightDecay, frozen: g.frozen, params: g.params.map((p) => p.name) })),
      steps,
    };
    return { tensors, meta };
  }

  /**
   * Restore a state saved by `stateDict` (from the same kind of optimiser over parameters with the
   * same names and shapes). Restores the lr, group settings, step counts and slots.
   */
  loadStateDict(s: OptimizerState): void {
    const meta = s.meta as { kind?: unknown; lr?: unknown; groups?: unknown; steps?: unknown };
    if (meta.kind !== this.kind) throw new UsageError(`optimizer state is for ${String(meta.kind)}, not ${this.kind}`);
    const groups = meta.groups as Array<{ lrScale: number; weightDecay: number; frozen: boolean; params: string[] }> | undefined;
    if (!Array.isArray(groups) || groups.length !== this.groups.length) {
      throw new UsageError(`optimizer state has ${Array.isArray(groups) ? groups.length : 'no'} parameter groups, this optimizer has ${this.groups.length}`);
    }
    for (const [i, g] of groups.entries()) {
      const own = this.groups[i]!;
      const names = own.params.map((p) => p.name);
      if (g.params.join('\n') !== names.join('\n')) {
        throw new UsageError(`optimizer state group ${i} has parameters [${g.params.join(', ')}], this optimizer has [${names.join(', ')}]`);
      }
    }
    const steps = (meta.steps ?? {}) as Record<string, number>;
    for (const key of s.tensors.keys()) {
      const dot = key.lastIndexOf('.');
      const p = this.byName.get(key.slice(0, dot));
      if (!p) throw new UsageError(`optimizer state has a tensor '${key}' for an unknown parameter`);
      const t = s.tensors.get(key)!;
      if (t.shape.join() !== p.variable.shape.join()) {
        throw new UsageError(`optimizer state '${key}' has shape [${t.shape}], parameter '${p.name}' is [${p.variable.shape}]`);
      }
    }
    // All checks passed: now mutate.
    this.baseLr = checkNumber('lr', meta.lr, 0);
    for (const [i, g] of groups.entries()) {
      const own = this.groups[i]!;
      own.lrScale = g.lrScale;
      own.weightDecay = g.weightDecay;
      own.frozen = g.frozen;
    }
    for (const p of this.byName.values()) {
      p.step = steps[p.name] ?? 0;
      for (const v of p.slots.values()) v.dispose();
      p.slots.clear();
    }
    for (const [key, t] of s.tensors) {
      const dot = key.lastIndexOf('.');
      const p = this.byName.get(key.slice(0, dot))!;
      tf.tidy(() => this.setSlot(p, key.slice(dot + 1), t.dtype === 'float32' ? t : tf.cast(t, 'float32')));
    }
  }

  /** Free the state tensors (not the parameters). */
  dispose(): void {
    for (const p of this.byName.values()) {
      for (const v of p.slots.values()) v.dispose();
      p.slots.clear();
    }
  }
}

/** `g + wd·p` (torch's L2 weight decay on the gradient). */
function withL2(grad: tf.Tensor, param: tf.Tensor, wd: number): tf.Tensor {
  return wd === 0 ? grad : tf.add(grad, tf.mul(param, wd));
}

export interface SGDOptions extends BaseOptimizerOptions {
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Dampening of the momentum (default 0). */
  dampening?: number;
  /** Nesterov momentum (needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
}

/** Stochastic gradient descent, `torch.optim.SGD`. Slot: `momentum_buffer`. */
export class SGD extends Optimizer {
  readonly kind = 'SGD';
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  constructor(params: OptimizerParams, opts: SGDOptions) {
    super(params, opts);
    this.momentum = checkNumber('momentum', opts.momentum ?? 0, 0);
    this.dampening = checkNumber('dampening', opts.dampening ?? 0, 0);
    this.nesterov = opts.nesterov ?? false;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) throw new UsageError('Nesterov momentum requires momentum > 0 and dampening 0');
  }
  protected hyperParams(): Record<string, unknown> {
    return { momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov };
  }
  protected update(p: ParamState, grad: tf.Tensor, lr: number, wd: number): tf.Tensor {
    let d = withL2(grad, p.variable, wd);
    if (this.momentum !== 0) {
      const prev = this.slot(p, 'momentum_buffer');
      // torch starts the buffer as a copy of the first gradient (no dampening on step 1).
      const buf = prev ? tf.add(tf.mul(prev, this.momentum), tf.mul(d, 1 - this.dampening)) : d;
      this.setSlot(p, 'momentum_buffer', buf);
      d = this.nesterov ? tf.add(d, tf.mul(buf, this.momentum)) : buf;
    }
    return tf.add(p.variable, tf.mul(d, -lr));
  }
}

export interface AdamOptions extends BaseOptimizerOptions {
  /** Moment decay rates (default [0.9, 0.999]). */
  betas?: [number, number];
  /** Added to the bias-corrected sqrt of the second moment (default 1e-8). */
  eps?: number;
  /** Use the running maximum of the second moment (default false). */
  amsgrad?: boolean;
}

/** Shared Adam/AdamW update after weight decay has been handled. */
abstract class AdamBase extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly amsgrad: boolean;
  constructor(params: OptimizerParams, opts: AdamOptions, defaultWd: number) {
    super(params, opts, defaultWd);
    const [b1, b2] = opts.betas ?? [0.9, 0.999];
    this.beta1 = checkNumber('betas[0]', b1, 0, 1);
    this.beta2 = checkNumber('betas[1]', b2, 0, 1);
    if (this.beta1 >= 1 || this.beta2 >= 1) throw new UsageError('Adam betas must be < 1');
    this.eps = checkNumber('eps', opts.eps ?? 1e-8, 0);
    this.amsgrad = opts.amsgrad ?? false;
  }
  protected hyperParams(): Record<string, unknown> {
    return { betas: [this.beta1, this.beta2], eps: this.eps, amsgrad: this.amsgrad };
  }
  protected adam(p: ParamState, param: tf.Tensor, grad: tf.Tensor, lr: number): tf.Tensor {
    const m0 = this.slot(p, 'exp_avg');
    const v0 = this.slot(p, 'exp_avg_sq');
    if (!this.amsgrad) {
      // One kernel where the backend has it (Node native pack), same arithmetic as below.
      const h = [this.beta1, 1 - this.beta1, this.beta2, 1 - this.beta2, this.eps, Math.sqrt(1 - this.beta2 ** p.step), -lr / (1 - this.beta1 ** p.step)];
      const fused = fusedOptimizerStep('adam', param, grad, [m0, v0], h);
      if (fused) {
        this.setSlot(p, 'exp_avg', fused[1]!);
        this.setSlot(p, 'exp_avg_sq', fused[2]!);
        return fused[0]!;
      }
    }
    const g2 = tf.mul(grad, grad);
    const m = m0 ? tf.add(tf.mul(m0, this.beta1), tf.mul(grad, 1 - this.beta1)) : tf.mul(grad, 1 - this.beta1);
    const v = v0 ? tf.add(tf.mul(v0, this.beta2), tf.mul(g2, 1 - this.beta2)) : tf.mul(g2, 1 - this.beta2);
    this.setSlot(p, 'exp_avg', m);
    this.setSlot(p, 'exp_avg_sq', v);
    let vHat = v;
    if (this.amsgrad) {
      const vm0 = this.slot(p, 'max_exp_avg_sq');
      vHat = vm0 ? tf.maximum(vm0, v) : v;
      this.setSlot(p, 'max_exp_avg_sq', vHat);
    }
    // Bias corrections in float64 on the host, as torch does with Python floats.
    const bc1 = 1 - this.beta1 ** p.step;
    const bc2Sqrt = Math.sqrt(1 - this.beta2 ** p.step);
    const denom = tf.add(tf.div(tf.sqrt(vHat), bc2Sqrt), this.eps);
    return tf.add(param, tf.mul(tf.div(m, denom), -lr / bc1));
  }
}

/** Adam, `torch.optim.Adam` (weight decay as L2 on the gradient). Slots: `exp_avg`, `exp_avg_sq`, `max_exp_avg_sq`. */
export class Adam extends AdamBase {
  readonly kind = 'Adam';
  constructor(params: OptimizerParams, opts: AdamOptions) {
    super(params, opts, 0);
  }
  protected update(p: ParamState, grad: tf.Tensor, lr: number, wd: number): tf.Tensor {
    return this.adam(p, p.variable, withL2(grad, p.variable, wd), lr);
  }
}

/** AdamW, `torch.optim.AdamW`: decoupled weight decay `p·(1 − lr·wd)` (default wd 0.01). */
export class AdamW extends AdamBase {
  readonly kind = 'AdamW';
  constructor(params: OptimizerParams, opts: AdamOptions) {
    super(params, opts, 1e-2);
  }
  protected update(p: ParamState, grad: tf.Tensor, lr: number, wd: number): tf.Tensor {
    const decayed = wd === 0 ? p.variable : tf.mul(p.variable, 1 - lr * wd);
    return this.adam(p, decayed, grad, lr);
  }
}

export interface RMSpropOptions extends BaseOptimizerOptions {
  /** Smoothing constant of the squared-gradient average (default 0.99). */
  alpha?: number;
  /** Added to the sqrt of the average (default 1e-8). */
  eps?: number;
  /** Momentum factor (default 0). */
  momentum?: number;
  /** Normalise by the variance estimate (subtracting the squared mean gradient). */
  centered?: boolean;
}

/** RMSprop, `torch.optim.RMSprop`. Slots: `square_avg`, `grad_avg`, `momentum_buffer`. */
export class RMSprop extends Optimizer {
  readonly kind = 'RMSprop';
  readonly alpha: number;
  readonly eps: number;
  readonly momentum: number;
  readonly centered: boolean;
  constructor(params: OptimizerParams, opts: RMSpropOptions) {
    super(params, opts);
    this.alpha = checkNumber('alpha', opts.alpha ?? 0.99, 0, 1);
    this.eps = checkNumber('eps', opts.eps ?? 1e-8, 0);
    this.momentum = checkNumber('momentum', opts.momentum ?? 0, 0);
    this.centered = opts.centered ?? false;
  }
  protected hyperParams(): Record<string, unknown> {
    return { alpha: this.alpha, eps: this.eps, momentum: this.momentum, centered: this.centered };
  }
  protected update(p: ParamState, grad0: tf.Tensor, lr: number, wd: number): tf.Tensor {
    const grad = withL2(grad0, p.variable, wd);
    const s0 = this.slot(p, 'square_avg');
    if (!this.centered && this.momentum === 0) {
      // One kernel where the backend has it (Node native pack), same arithmetic as below.
      const fused = fusedOptimizerStep('rmsprop', p.variable, grad, [s0], [this.alpha, 1 - this.alpha, this.eps, -lr]);
      if (fused) {
        this.setSlot(p, 'square_avg', fused[1]!);
        return fused[0]!;
      }
    }
    const g2 = tf.mul(grad, grad);
    const sq = s0 ? tf.add(tf.mul(s0, this.alpha), tf.mul(g2, 1 - this.alpha)) : tf.mul(g2, 1 - this.alpha);
    this.setSlot(p, 'square_avg', sq);
    let avg: tf.Tensor;
    if (this.centered) {
      const a0 = this.slot(p, 'grad_avg');
      const ga = a0 ? tf.add(tf.mul(a0, this.alpha), tf.mul(grad, 1 - this.alpha)) : tf.mul(grad, 1 - this.alpha);
      this.setSlot(p, 'grad_avg', ga);
      avg = tf.sqrt(tf.sub(sq, tf.mul(ga, ga)));
    } else {
      avg = tf.sqrt(sq);
    }
    avg = tf.add(avg, this.eps);
    if (this.momentum > 0) {
      const b0 = this.slot(p, 'momentum_buffer');
      const ratio = tf.div(grad, avg);
      const buf = b0 ? tf.add(tf.mul(b0, this.momentum), ratio) : ratio;
      this.setSlot(p, 'momentum_buffer', buf);
      return tf.add(p.variable, tf.mul(buf, -lr));
    }
    return tf.add(p.variable, tf.mul(tf.div(grad, avg), -lr));
  }
}
