/** `sheaf/adaptergnn` in a browser: the system's library, with the browser set-up loaded first (call provideRDKit before reading molecules). */
import './setup.js';
export * from '../systems/adaptergnn/index.js';
