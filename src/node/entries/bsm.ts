/** `sheaf/bsm` in Node: the system's library, with Node's set-up (files, gradients, native kernels) loaded first. */
import '../setup.js';
export * from '../../systems/bsm/index.js';
