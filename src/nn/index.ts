/**
 * Sheaf's neural-network layers: a PyTorch-like module system (names and layouts match
 * PyTorch state dicts) and the layers the eight systems are built from.
 */
export { Module, ModuleList } from './module.js';
export type { NamePattern } from './module.js';
export * from './init.js';
export { gradCheck } from './gradcheck.js';
export type { GradCheckOptions, GradCheckFailure } from './gradcheck.js';
export { Linear } from './linear.js';
export type { LinearOptions } from './linear.js';
export { Embedding } from './embedding.js';
export { Dropout } from './dropout.js';
export { GRU } from './gru.js';
export type { GRUOptions } from './gru.js';
export { LSTM } from './lstm.js';
export type { LSTMOptions, LSTMState } from './lstm.js';
export * from './activations.js';
export * from './sequential.js';
export * from './norm.js';
export * from './mixer.js';
export * from './glu.js';
export * from './conv.js';
export * from './rotary.js';
export * from './attention.js';
export * from './gat.js';
export * from './graph/index.js';
export * from './lora.js';
export * from './adapter.js';
export * from './hard_concrete.js';
export * from './transformer/index.js';
export * from './peft/index.js';
