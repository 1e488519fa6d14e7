export { initEngine, engineInfo, parseBackendName, setEngineHooks, BACKENDS } from './backend.js';
export type { BackendName, EngineInfo, EngineOptions, EngineHooks, NativeMode } from './backend.js';
export { registerGradients, setGradientProvider } from './gradients.js';
export { installKernelPack } from './kernels/index.js';
export * from './ops.js';
