// Label a training set from indirect weak supervision with PLRM: fit on a task, compare with the
// majority votes and LFPGM, and get probabilistic labels.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { initEngine } from 'sheaf';
import { PLRM, parseTaskJson } from 'sheaf/plrm';

await initEngine();
// A task shipped with the package (data/plrm-tasks); your own is the same JSON shape.
const pkg = dirname(createRequire(import.meta.url).resolve('sheaf/package.json'));
const task = parseTaskJson(JSON.parse(readFileSync(join(pkg, 'data', 'plrm-tasks', 'digits_00.json'), 'utf8')));
const model = await PLRM.fit(task, { steps: 50, endModel: 'none' });
const result = await model.evaluate();
const test = result.results.find((r) => r.split === 'test');
const acc = (label) => [test.model, ...test.baselines].find((s) => s.label === label).metrics.accuracy;
console.log(`test accuracy: PLRM ${acc('PLRM').toFixed(3)}, LFPGM ${acc('LFPGM').toFixed(3)}, LRMV ${acc('LRMV').toFixed(3)}`);
const train = task.splits.train;
const probs = model.label(train.L, train.n);
console.log(`${train.n} training rows labelled; row 0: ${Array.from(probs.slice(0, task.desired.length), (p) => p.toFixed(2)).join(' ')}`);
model.dispose();
