// One small language model over DNA, RNA and protein: pre-train a tiny BSM on the shipped records for a
// few steps (a reduced setting: 60 steps, not the 800 of the acceptance runs), score it on the held-out
// organism beside the baselines, translate and score a sequence, save and load.
// Run: node examples/bsm.mjs (after npm ci), or against an installed package.
import { initEngine } from 'sheaf';
import { BSM } from 'sheaf/bsm';

await initEngine();
const data = await BSM.readRecords(); // shipped records; C. trachomatis held out
const model = await BSM.fit(data, { steps: 60, evalEvery: 30, warmup: 10 }, { seed: 1 });
const result = await model.evaluate(undefined, { translationWindows: 20, cdPositives: 20, shots: '0', nllWindows: 20 });
const tr = result.results.find((r) => r.protocol.startsWith('translation'));
console.log(
  `held-out DNA→protein residue accuracy ${tr.model.metrics['DNA→protein residue accuracy'].toFixed(3)} | commonest residue ${tr.baselines[0].metrics['DNA→protein residue accuracy'].toFixed(3)}`,
);
console.log('translation:', model.translate(['ATGAAACGCATTAGCACCACC'])[0]);
const scores = model.score([{ prompt: 'ATGAAACGC', target: 'MKR' }]);

const dir = process.argv[2] ?? 'bsm-model';
await model.save(dir);
const again = await BSM.load(dir);
const same = again.score([{ prompt: 'ATGAAACGC', target: 'MKR' }]);
console.log('reloaded scores equal:', same[0].logProb === scores[0].logProb);
model.dispose();
again.dispose();
