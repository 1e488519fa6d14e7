/** LLaMA-style decoder-only language models (BSM, NutePrune). */
export * from './config.js';
export * from './llama.js';
export * from './causal_lm.js';
