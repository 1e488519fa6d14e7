/** `sheaf` in a browser: the core, with the browser set-up loaded first. */
import './setup.js';
export * from '../index.js';
