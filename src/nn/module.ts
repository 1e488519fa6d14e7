/**
 * A small PyTorch-like module system on tfjs-core. A `Module` owns named parameters, buffers and
 * sub-modules; its flat state dict uses PyTorch's names (`encoder.layers.0.weight`) and layouts,
 * so weights trained by the papers' official PyTorch code load directly.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../util/random.js';

let variableCounter = 0;

/** Something `freeze`/`unfreeze` can match parameter names with. */
export type NamePattern = string | RegExp | ((name: string) => boolean);

function matches(pattern: NamePattern, name: string): boolean {
  if (typeof pattern === 'function') return pattern(name);
  if (pattern instanceof RegExp) return pattern.test(name);
  // A plain string matches the name exactly, a dotted prefix of it, or a glob with `*`.
  if (pattern.includes('*')) {
    const re = new RegExp('^' + pattern.split('*').map(escapeRe).join('.*') + '$');
    return re.test(name);
  }
  return name === pattern || name.startsWith(pattern + '.');
}

function escapeRe(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

export abstract class Module {
  /** Training mode (dropout active, batch statistics used). Set with `train()` / `eval()`. */
  training = true;
  private readonly _params = new Map<string, tf.Variable>();
  private readonly _frozen = new Set<string>();
  private readonly _buffers = new Map<string, tf.Variable>();
  private readonly _children = new Map<string, Module>();
  /** Modules whose members this one took over with `adopt` (kept in sync by `replaceChild`). */
  private readonly _adopted: Module[] = [];

  /** Register a trainable parameter (takes ownership of `value`). */
  protected param<R extends tf.Rank>(name: string, value: tf.Tensor<R>): tf.Variable<R> {
    if (this._params.has(name) || this._children.has(name) || this._buffers.has(name)) throw new Error(`duplicate member name '${name}'`);
    const v = tf.variable(value, true, `p${variableCounter++}_${name}`) as tf.Variable<R>;
    value.dispose();
    this._params.set(name, v as unknown as tf.Variable);
    return v;
  }

  /** Register a non-trainable tensor that is saved in the state dict (e.g. running statistics). */
  protected buffer<R extends tf.Rank>(name: string, value: tf.Tensor<R>): tf.Variable<R> {
    if (this._params.has(name) || this._children.has(name) || this._buffers.has(name)) throw new Error(`duplicate member name '${name}'`);
    const v = tf.variable(value, false, `b${variableCounter++}_${name}`) as tf.Variable<R>;
    value.dispose();
    this._buffers.set(name, v as unknown as tf.Variable);
    return v;
  }

  /** Register a sub-module; its members are named `<name>.<member>`. */
  protected module<M extends Module>(name: string, child: M): M {
    if (this._params.has(name) || this._children.has(name) || this._buffers.has(name)) throw new Error(`duplicate member name '${name}'`);
    this._children.set(name, child);
    return child;
  }

  /** Sub-modules, direct children only. */
  children(): Array<[string, Module]> {
    return [...this._children.entries()];
  }

  /**
   * Register a sub-module after construction (PyTorch's `add_module`), e.g. an adapter added to
   * a pre-built backbone. Its members are named `<name>.<member>`.
   */
  registerModule<M extends Module>(name: string, child: M): M {
    if (name === '' || name.includes('.')) throw new Error(`registerModule: '${name}' is not a plain member name`);
    return this.module(name, child);
  }

  /** This module and every descendant with its dotted name (the root is ''), depth first, as PyTorch's `named_modules`. */
  namedModules(prefix = ''): Array<[string, Module]> {
    const out: Array<[string, Module]> = [[prefix, this]];
    for (const [n, c] of this._children) out.push(...c.namedModules(prefix ? `${prefix}.${n}` : n));
    return out;
  }

  /** The descendant at a dotted path ('' is this module), as PyTorch's `get_submodule`. */
  getSubmodule(path: string): Module {
    if (path === '') return this;
    let m: Module = this;
    for (const part of path.split('.')) {
      const c = m._children.get(part);
      if (!c) throw new Error(`no sub-module '${path}' (stopped at '${part}'; children there: ${[...m._children.keys()].join(', ') || 'none'})`);
      m = c;
    }
    return m;
  }

  /**
   * Put `replacement` where the descendant at `path` is, under the same name, and return the
   * module it replaced (not disposed: the caller owns it now). Parameter names below the path
   * come from the replacement. Fields and arrays of the parent that held the old module (e.g.
   * `attn.qProj`, `Sequential.layers`) are re-pointed too, so the parent's forward uses the
   * replacement without knowing about it.
   */
  replaceChild(path: string, replacement: Module): Module {
    const dot = path.lastIndexOf('.');
    const parent = dot < 0 ? this : this.getSubmodule(path.slice(0, dot));
    const name = dot < 0 ? path : path.slice(dot + 1);
    const old = parent._children.get(name);
    if (!old) throw new Error(`replaceChild: no sub-module '${path}'`);
    if (old !== replacement) Module.swapChild(parent, name, old, replacement);
    return old;
  }

  private static swapChild(parent: Module, name: string, old: Module, replacement: Module): void {
    parent._children.set(name, replacement); // Map.set keeps the insertion order, so names keep their place
    const fields = parent as unknown as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      const v = fields[key];
      if (v === old) fields[key] = replacement;
      else if (Array.isArray(v)) v.forEach((item, i) => item === old && (v[i] = replacement));
    }
    // A wrapper that adopted the child's real owner: that owner's forward must see it too.
    for (const a of parent._adopted) if (a._children.get(name) === old) Module.swapChild(a, name, old, replacement);
  }

  /**
   * Take over another module's members as if they were this module's own (same local names),
   * for wrappers that must keep the wrapped module's state-dict names (a LoRA or adapter
   * wrapper around a pretrained layer). The wrapped module keeps working on the same
   * variables; this module now owns and disposes them.
   */
  protected adopt(other: Module): void {
    this._adopted.push(other);
    for (const [n, v] of other._params) {
      if (this._params.has(n) || this._children.has(n) || this._buffers.has(n)) throw new Error(`duplicate member name '${n}'`);
      this._params.set(n, v);
      if (other._frozen.has(n)) this._frozen.add(n);
    }
    for (const [n, v] of other._buffers) {
      if (this._params.has(n) || this._children.has(n) || this._buffers.has(n)) throw new Error(`duplicate member name '${n}'`);
      this._buffers.set(n, v);
    }
    for (const [n, c] of other._children) {
      if (this._params.has(n) || this._children.has(n) || this._buffers.has(n)) throw new Error(`duplicate member name '${n}'`);
      this._children.set(n, c);
    }
  }

  /** Every parameter with its full dotted name, frozen ones included. */
  namedParameters(prefix = ''): Array<[string, tf.Variable]> {
    const out: Array<[string, tf.Variable]> = [];
    for (const [n, v] of this._params) out.push([prefix + n, v]);
    for (const [n, c] of this._children) out.push(...c.namedParameters(prefix + n + '.'));
    return out;
  }

  /** Buffers with their full dotted names. */
  namedBuffers(prefix = ''): Array<[string, tf.Variable]> {
    const out: Array<[string, tf.Variable]> = [];
    for (const [n, v] of this._buffers) out.push([prefix + n, v]);
    for (const [n, c] of this._children) out.push(...c.namedBuffers(prefix + n + '.'));
    return out;
  }

  /** Trainable (not frozen) parameters with their names. */
  namedTrainable(prefix = ''): Array<[string, tf.Variable]> {
    const out: Array<[string, tf.Variable]> = [];
    for (const [n, v] of this._params) if (!this._frozen.has(n)) out.push([prefix + n, v]);
    for (const [n, c] of this._children) out.push(...c.namedTrainable(prefix + n + '.'));
    return out;
  }

  /** Trainable parameters (what an optimiser updates). */
  parameters(): tf.Variable[] {
    return this.namedTrainable().map(([, v]) => v);
  }

  /** Number of scalar parameters; `trainableOnly` counts only unfrozen ones. */
  numParameters(trainableOnly = false): number {
    const list = trainableOnly ? this.namedTrainable() : this.namedParameters();
    return list.reduce((s, [, v]) => s + v.size, 0);
  }

  /** Freeze the parameters whose names match (all of them when no pattern is given). Returns the count frozen. */
  freeze(pattern: NamePattern = () => true): number {
    return this.setFrozen(pattern, true, '');
  }

  /** Unfreeze the parameters whose names match (all when no pattern is given). Returns the count changed. */
  unfreeze(pattern: NamePattern = () => true): number {
    return this.setFrozen(pattern, false, '');
  }

  private setFrozen(pattern: NamePattern, frozen: boolean, prefix: string): number {
    let n = 0;
    for (const [name, v] of this._params) {
      if (!matches(pattern, prefix + name)) continue;
      if (frozen) this._frozen.add(name);
      else this._frozen.delete(name);
      // tfjs's own gradient helpers look at this flag too.
      (v as unknown as { trainable: boolean }).trainable = !frozen;
      n++;
    }
    for (const [cn, c] of this._children) n += c.setFrozen(pattern, frozen, prefix + cn + '.');
    return n;
  }

  /** Whether the parameter with this full name is frozen. */
  isFrozen(name: string): boolean {
    const dot = name.indexOf('.');
    if (dot >= 0) {
      const child = this._children.get(name.slice(0, dot));
      if (child) return child.isFrozen(name.slice(dot + 1));
    }
    return this._frozen.has(name);
  }

  /** Random generators this module owns directly (e.g. a dropout mask's), by local name. */
  protected ownRngs(): Array<[string, Rng]> {
    return [];
  }

  /** States of every generator in this module tree, by dotted name: saved in checkpoints for exact resume. */
  rngStates(prefix = ''): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [n, r] of this.ownRngs()) out[prefix + n] = r.getState();
    for (const [n, c] of this._children) Object.assign(out, c.rngStates(prefix + n + '.'));
    return out;
  }

  /** Restore generator states saved by `rngStates` (names that do not exist here are ignored). */
  setRngStates(states: Record<string, number[]>, prefix = ''): void {
    for (const [n, r] of this.ownRngs()) {
      const st = states[prefix + n];
      if (st) r.setState(st);
    }
    for (const [n, c] of this._children) c.setRngStates(states, prefix + n + '.');
  }

  /** Set training mode on this module and every descendant. */
  train(on = true): this {
    this.training = on;
    for (const c of this._children.values()) c.train(on);
    return this;
  }

  /** Evaluation mode (`train(false)`). */
  eval(): this {
    return this.train(false);
  }

  /** The state dict: parameters then buffers, by full name. Tensors are the live variables (do not dispose). */
  stateDict(): Map<string, tf.Tensor> {
    const m = new Map<string, tf.Tensor>();
    for (const [n, v] of this.namedParameters()) m.set(n, v);
    for (const [n, v] of this.namedBuffers()) m.set(n, v);
    return m;
  }

  /**
   * Copy values into parameters and buffers by name. With `strict` (default) every name must be
   * present on both sides and shapes must agree; the error lists what is missing or unexpected.
   */
  loadStateDict(dict: Map<string, tf.Tensor> | Record<string, tf.Tensor>, opts: { strict?: boolean } = {}): { missing: string[]; unexpected: string[] } {
    const strict = opts.strict ?? true;
    const src = dict instanceof Map ? dict : new Map(Object.entries(dict));
    const own = this.stateDict();
    const missing = [...own.keys()].filter((k) => !src.has(k));
    const unexpected = [...src.keys()].filter((k) => !own.has(k));
    if (strict && (missing.length || unexpected.length)) {
      throw new Error(`state dict mismatch: missing [${missing.join(', ')}], unexpected [${unexpected.join(', ')}]`);
    }
    for (const [k, v] of own) {
      const t = src.get(k);
      if (!t) continue;
      if (t.shape.join() !== v.shape.join()) throw new Error(`state dict: '${k}' has shape [${t.shape}] but the model expects [${v.shape}]`);
      (v as tf.Variable).assign(t.dtype === v.dtype ? t : tf.cast(t, v.dtype));
    }
    return { missing, unexpected };
  }

  /** Free every parameter and buffer. */
  dispose(): void {
    for (const v of this._params.values()) v.dispose();
    for (const v of this._buffers.values()) v.dispose();
    for (const c of this._children.values()) c.dispose();
  }
}

/** A list of modules named '0', '1', … as PyTorch's `nn.ModuleList`. */
export class ModuleList<M extends Module = Module> extends Module {
  readonly items: M[] = [];
  constructor(items: M[] = []) {
    super();
    for (const m of items) this.push(m);
  }
  push(m: M): void {
    this.module(String(this.items.length), m);
    this.items.push(m);
  }
  get length(): number {
    return this.items.length;
  }
  at(i: number): M {
    const m = this.items[i];
    if (!m) throw new RangeError(`ModuleList index ${i} out of range (${this.items.length})`);
    return m;
  }
}
