// Score molecules with AdapterGNN: fine-tune the shipped pre-trained GIN (5 × 64) on a slice of the
// shipped hERG set, score it beside the fingerprint baseline, predict, save and load.
// Run: node examples/adaptergnn.mjs (after npm ci), or against an installed package.
import { initEngine } from 'sheaf';
import { AdapterGNN } from 'sheaf/adaptergnn';

await initEngine();
const data = await AdapterGNN.readMolecules({ limit: 400 }); // the first 400 hERG molecules
const model = await AdapterGNN.fit(data, { numLayer: 5, embDim: 64, epochs: 1, splitter: 'random' });
const result = await model.evaluate();
const test = result.results.find((r) => r.split === 'test');
console.log(`test ROC-AUC ${test.model.metrics['ROC-AUC'].toFixed(3)} | fingerprint baseline ${test.baselines[0].metrics['ROC-AUC'].toFixed(3)}`);
console.log(`trained ${model.parameters.trainable} of ${model.parameters.total} parameters`);

const scores = await model.predict(['CCN(CC)CCNC(=O)c1ccc(N)cc1', 'c1ccccc1O', 'not a molecule']);
console.log('hERG probability:', scores.probabilities.map((p) => p[0].toFixed(3)).join(', '), `(${scores.skipped.length} skipped)`);

const dir = process.argv[2] ?? 'adaptergnn-model';
await model.save(dir);
const again = await AdapterGNN.load(dir);
const same = await again.predict(['CCN(CC)CCNC(=O)c1ccc(N)cc1', 'c1ccccc1O']);
console.log(
  'reloaded scores equal:',
  same.probabilities.every((p, i) => p[0] === scores.probabilities[i][0]),
);
model.dispose();
again.dispose();
