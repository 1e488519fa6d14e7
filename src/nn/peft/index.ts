/** Parameter-efficient fine-tuning: LoRA by name, adapter injection, and the layers they use. */
export { LoRALinear } from '../lora.js';
export type { LoRAOptions } from '../lora.js';
export { Adapter } from '../adapter.js';
export type { AdapterOptions } from '../adapter.js';
export * from './lora.js';
export * from './adapter.js';
