/** `sheaf` in Node: the core, with Node's set-up (files as the default storage, gradients, threads) loaded first. */
import '../setup.js';
export * from '../../index.js';
