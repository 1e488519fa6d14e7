/** `sheaf/adaptergnn` in Node: the system's library, with Node's set-up (files, gradients, RDKit, native kernels) loaded first. */
import '../setup.js';
export * from '../../systems/adaptergnn/index.js';
