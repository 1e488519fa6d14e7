/**
 * Sheaf in a page: tfjs-core's gradients from its own ES modules (a bundler resolves them; Node
 * cannot, which is why Node loads a bundled copy instead, src/node/setup.ts). Memory is the
 * default storage (src/io/default.ts).
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients.js';
