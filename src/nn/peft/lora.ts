/**
 * LoRA applied to a built model by name (Hugging Face peft's `target_modules`): every matching
 * `Linear` is replaced in place by a `LoRALinear` (../lora.ts) under the same name, so a
 * pretrained state dict still loads and only the low-rank factors are new.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Module } from '../module.js';
import { Linear } from '../linear.js';
import { LoRALinear, type LoRAOptions } from '../lora.js';
import type { Rng } from '../../util/random.js';

/**
 * Which modules to adapt: a list of names matched against the last component of the module
 * path (peft style: ['q_proj', 'v_proj']), a glob on the full path ('model.layers.*.mlp.up_proj'),
 * a RegExp on the full path, or a predicate.
 */
export type ModuleTarget = string | string[] | RegExp | ((name: string, module: Module) => boolean);

function escapeRe(s: string): string {
  return s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether the module at `name` is targeted. */
export function matchesTarget(target: ModuleTarget, name: string, module: Module): boolean {
  if (typeof target === 'function') return target(name, module);
  if (target instanceof RegExp) return target.test(name);
  const list = Array.isArray(target) ? target : [target];
  const last = name.slice(name.lastIndexOf('.') + 1);
  return list.some((t) => {
    if (t.includes('*')) return new RegExp('^' + t.split('*').map(escapeRe).join('[^]*') + '$').test(name);
    return t.includes('.') ? name === t || name.endsWith('.' + t) : last === t;
  });
}

export interface ApplyLoRAOptions extends LoRAOptions {
  /**
   * Freeze every parameter of the model that is not a LoRA factor (default true, as peft's
   * `mark_only_lora_as_trainable`); false leaves the rest as it was (the wrapped base weights
   * are frozen either way).
   */
  freezeOthers?: boolean;
}

/**
 * Wrap every `Linear` of `model` matched by `target` in a `LoRALinear` (rank, alpha, dropout,
 * layout as `LoRAOptions`), in place and under the same name. Returns the wrapped module names.
 * Throws when nothing matches (usually a typo in the target).
 */
export function applyLoRA(model: Module, target: ModuleTarget, rng: Rng, opts: ApplyLoRAOptions = {}): string[] {
  // The base layer inside an existing peft-layout LoRA wrapper is not a target again.
  const inLoRA = loraModules(model).map(([n]) => n + '.');
  const hits = model.namedModules().filter(([name, m]) => name !== '' && m instanceof Linear && !inLoRA.some((p) => name.startsWith(p)) && matchesTarget(target, name, m));
  if (hits.length === 0) {
    const linears = model
      .namedModules()
      .filter(([, m]) => m instanceof Linear)
      .map(([n]) => n);
    throw new Error(`applyLoRA: no Linear matches ${String(target)}; Linear modules: ${linears.slice(0, 20).join(', ')}${linears.length > 20 ? ', …' : ''}`);
  }
  const { freezeOthers, ...loraOpts } = opts;
  const training = model.training;
  for (const [name, m] of hits) {
    const wrapped = new LoRALinear(m as Linear, rng, loraOpts);
    wrapped.train(training);
    model.replaceChild(name, wrapped);
  }
  if (freezeOthers ?? true) {
    model.freeze();
    model.unfreeze((n) => isLoRAParameter(n));
  }
  return hits.map(([n]) => n);
}

/** Whether a parameter name is a LoRA factor (`lora_A`, `lora_B`, flat or peft layout). */
export function isLoRAParameter(name: string): boolean {
  return /(^|\.)lora_[AB](\.weight|_bias)?$/.test(name);
}

/** The LoRA layers of a model with their names. */
export function loraModules(model: Module): Array<[string, LoRALinear]> {
  return model.namedModules().filter((e): e is [string, LoRALinear] => e[1] instanceof LoRALinear);
}

/** Fold every LoRA update into its base weight (`LoRALinear.merge`). Returns the number merged. */
export function mergeLoRA(model: Module): number {
  const ls = loraModules(model);
  for (const [, l] of ls) l.merge();
  return ls.length;
}

/** Undo `mergeLoRA`. */
export function unmergeLoRA(model: Module): number {
  const ls = loraModules(model);
  for (const [, l] of ls) l.unmerge();
  return ls.length;
}

/** Switch every LoRA branch on or off (off = the intact base model; NutePrune's teacher pass). */
export function setLoRAEnabled(model: Module, on: boolean): void {
  for (const [, l] of loraModules(model)) l.enabled = on;
}

/**
 * Only the LoRA factors, by full name — what a LoRA checkpoint or a NutePrune teacher snapshot
 * stores. The tensors are the live variables (clone them to snapshot).
 */
export function loraStateDict(model: Module): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  for (const [n, v] of model.namedParameters()) if (isLoRAParameter(n)) out.set(n, v);
  return out;
}

/**
 * Replace every LoRA layer by a plain `Linear` holding the merged weight W + (alpha/r)·B·A
 * (the export step of peft's `merge_and_unload`). Returns the names unwrapped.
 */
export function mergeAndUnloadLoRA(model: Module): string[] {
  const ls = loraModules(model);
  for (const [name, l] of ls) {
    const w = tf.tidy(() => (l.merged ? tf.clone(l.weight) : tf.add(l.weight, l.deltaWeight())) as tf.Tensor2D);
    const lin = Linear.fromTensors(w, l.bias);
    w.dispose();
    lin.train(l.training);
    model.replaceChild(name, lin).dispose();
  }
  return ls.map(([n]) => n);
}
