/**
 * Learning-rate schedulers. Each one drives an optimiser's base `lr` (groups with their own lr
 * follow proportionally) as a closed-form function of the number of `step()` calls `t`:
 * constructing a scheduler sets lr(0), and the n-th `step()` sets lr(n). So a scheduler is fully
 * described by `t`, which is all its state dict needs.
 *
 * - `StepLR`, `ExponentialLR`: as `torch.optim.lr_scheduler`.
 * - `LinearLR`: linear warm-up from 0 over `warmupSteps`, then linear decay to `minLr` at
 *   `totalSteps` (as transformers' `get_linear_schedule_with_warmup` when minLr = 0).
 *   Note: this is not torch's `LinearLR(start_factor, end_factor)`.
 * - `CosineWithWarmup`: linear warm-up, then half a cosine from the base lr down to `minLr` at
 *   `totalSteps` (transformers' `get_cosine_schedule_with_warmup` when minLr = 0).
 */
import { UsageError } from '../util/errors.js';
import type { Optimizer } from './optimizers.js';

/** A learning-rate schedule bound to one optimiser. */
export interface Scheduler {
  /** Advance one step (one epoch or one batch, as the caller decides) and set the optimiser's lr. */
  step(): void;
  /** The lr set most recently. */
  get lastLr(): number;
  /** `{t, baseLr}`: enough to resume. */
  stateDict(): Record<string, number>;
  loadStateDict(s: Record<string, number>): void;
}

function need(name: string, v: unknown, min: number, integer = false): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
    throw new UsageError(`scheduler option '${name}' must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${String(v)}`);
  }
  return v;
}

/**
 * Shared machinery: `t` steps taken, `baseLr` = the optimiser's lr when the scheduler was made.
 * Subclasses set their fields, then call `init()` to apply lr(0).
 */
abstract class ClosedFormScheduler implements Scheduler {
  protected t = 0;
  protected baseLr: number;
  private last = NaN;
  constructor(protected readonly optimizer: Optimizer) {
    this.baseLr = optimizer.lr;
  }
  /** lr after `t` steps. */
  protected abstract lrAt(t: number): number;
  protected init(): void {
    this.apply();
  }
  private apply(): void {
    const lr = this.lrAt(this.t);
    this.optimizer.lr = lr;
    this.last = lr;
  }
  step(): void {
    this.t += 1;
    this.apply();
  }
  get lastLr(): number {
    return this.last;
  }
  stateDict(): Record<string, number> {
    return { t: this.t, baseLr: this.baseLr };
  }
  loadStateDict(s: Record<string, number>): void {
    this.t = need('t', s['t'], 0, true);
    this.baseLr = need('baseLr', s['baseLr'], 0);
    this.apply();
  }
}

/** lr = base · gamma^⌊t / stepSize⌋ (torch `StepLR`; gamma default 0.1). */
export class StepLR extends ClosedFormScheduler {
  private readonly stepSize: number;
  private readonly gamma: number;
  constructor(opt: Optimizer, o: { stepSize: number; gamma?: number }) {
    super(opt);
    this.stepSize = need('stepSize', o.stepSize, 1, true);
    this.gamma = need('gamma', o.gamma ?? 0.1, 0);
    this.init();
  }
  protected lrAt(t: number): number {
    return this.baseLr * this.gamma ** Math.floor(t / this.stepSize);
  }
}

/** lr = base · gamma^t (torch `ExponentialLR`). */
export class ExponentialLR extends ClosedFormScheduler {
  private readonly gamma: number;
  constructor(opt: Optimizer, o: { gamma: number }) {
    super(opt);
    this.gamma = need('gamma', o.gamma, 0);
    this.init();
  }
  protected lrAt(t: number): number {
    return this.baseLr * this.gamma ** t;
  }
}

/** Options of the warm-up schedules. */
export interface WarmupOptions {
  /** Steps of linear warm-up from 0 to the base lr (0 = none). */
  warmupSteps: number;
  /** Step at which the decay reaches `minLr`; the lr stays at `minLr` afterwards. */
  totalSteps: number;
  /** Final lr (default 0). */
  minLr?: number;
}

function checkWarmup(o: WarmupOptions): Required<WarmupOptions> {
  const warmupSteps = need('warmupSteps', o.warmupSteps, 0, true);
  const totalSteps = need('totalSteps', o.totalSteps, 1, true);
  if (warmupSteps > totalSteps) throw new UsageError(`scheduler warmupSteps (${warmupSteps}) exceeds totalSteps (${totalSteps})`);
  return { warmupSteps, totalSteps, minLr: need('minLr', o.minLr ?? 0, 0) };
}

/** Fraction of the decay phase done after `t` steps, in [0, 1]; null while warming up. */
function decayProgress(t: number, o: Required<WarmupOptions>): number | null {
  if (t < o.warmupSteps) return null;
  if (o.totalSteps === o.warmupSteps) return 1;
  return Math.min(1, (t - o.warmupSteps) / (o.totalSteps - o.warmupSteps));
}

/**
 * Linear warm-up then linear decay: lr(t) = base·t/warmup for t < warmup, then
 * minLr + (base − minLr)·(1 − progress), progress = (t − warmup)/(total − warmup) capped at 1.
 */
export class LinearLR extends ClosedFormScheduler {
  private readonly o: Required<WarmupOptions>;
  constructor(opt: Optimizer, o: WarmupOptions) {
    super(opt);
    this.o = checkWarmup(o);
    this.init();
  }
  protected lrAt(t: number): number {
    const p = decayProgress(t, this.o);
    if (p === null) return (this.baseLr * t) / this.o.warmupSteps;
    return this.o.minLr + (this.baseLr - this.o.minLr) * (1 - p);
  }
}

/**
 * Linear warm-up then cosine decay: lr(t) = base·t/warmup for t < warmup, then
 * minLr + (base − minLr)·½(1 + cos(π·progress)).
 */
export class CosineWithWarmup extends ClosedFormScheduler {
  private readonly o: Required<WarmupOptions>;
  constructor(opt: Optimizer, o: WarmupOptions) {
    super(opt);
    this.o = checkWarmup(o);
    this.init();
  }
  protected lrAt(t: number): number {
    const p = decayProgress(t, this.o);
    if (p === null) return (this.baseLr * t) / this.o.warmupSteps;
    return this.o.minLr + (this.baseLr - this.o.minLr) * 0.5 * (1 + Math.cos(Math.PI * p));
  }
}
