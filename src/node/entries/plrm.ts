/** `sheaf/plrm` in Node: the system's library, with Node's set-up (files, gradients, threads) loaded first. */
import '../setup.js';
export * from '../../systems/plrm/index.js';
