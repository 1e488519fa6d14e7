/** `sheaf/bsm` in a browser: the system's library, with the browser set-up loaded first. */
import './setup.js';
export * from '../systems/bsm/index.js';
