// Predict links in a temporal graph with TGSL: train TGSL on TGAT over the seeded synthetic
// interaction graph (a reduced setting: 1 500 interactions, 16 wide, 1 epoch), score it beside the
// baselines, predict a few (src, dst, t) queries, save and load.
// Run: node examples/tgsl.mjs (after npm ci), or against an installed package.
import { initEngine } from 'sheaf';
import { TGSL } from 'sheaf/tgsl';

await initEngine();
const data = await TGSL.readInteractions({ data: 'synthetic', syntheticEvents: 1500, syntheticFeatures: 16 });
const model = await TGSL.fit(data, { width: 16, numNeighbors: 5, canNn: 5, rnnNn: 10, epochs: 1 }, { seed: 1, baselines: false });
const result = await model.evaluate(undefined, { mrrNegatives: 0, split: 'test', baselines: true }); // EdgeBank and recency beside it
const test = result.results.find((r) => r.split === 'test');
console.log(`test AP (transductive, official protocol) ${test.model.metrics.AP.toFixed(3)} | EdgeBank ${test.baselines[0].metrics.AP.toFixed(3)}`);

const g = data.graph;
const last = g.src.length - 1;
const queries = [
  { src: g.nodeNames[g.src[last]], dst: g.nodeNames[g.dst[last]], t: g.t[last] + g.timeOffset + 1 },
  { src: g.nodeNames[g.src[0]], dst: g.nodeNames[g.dst[last]], t: g.t[last] + g.timeOffset + 1 },
];
const scores = await model.predict(queries);
console.log('link probability:', scores.probability.map((p) => p.toFixed(3)).join(', '), '| seen before:', scores.seenBefore.join(', '));

const dir = process.argv[2] ?? 'tgsl-model';
await model.save(dir);
const again = await TGSL.load(dir);
const same = await again.predict(queries, { history: data });
console.log(
  'reloaded scores equal:',
  same.probability.every((p, i) => p === scores.probability[i]),
);
model.dispose();
again.dispose();
