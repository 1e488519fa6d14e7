export { initEngine, engineInfo, parseBackendName, BACKENDS } from './backend.js';
export type { BackendName, EngineInfo, EngineOptions } from './backend.js';
export { installKernelPack } from './kernels/index.js';
export * from './ops.js';
