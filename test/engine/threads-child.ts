// Child process of threads.test.ts: runs a matmul and its gradient with N WASM threads.
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import '../../src/node/setup.js';
const info = await initEngine({ backend: 'wasm', threads: Number(process.argv[2]) });
const a = tf.randomUniform([300, 200], -1, 1, 'float32', 1);
const b = tf.variable(tf.randomUniform([200, 100], -1, 1, 'float32', 2));
const y = tf.matMul(a, b);
const g = tf.variableGrads(() => tf.sum(tf.square(tf.matMul(a, b))), [b]).grads[b.name]!;
console.log(JSON.stringify({ threads: info.threads, y: Array.from(y.dataSync().slice(0, 50)), g: Array.from(g.dataSync().slice(0, 50)) }));
process.exit(0);
