/**
 * Child process for registry.test.ts: waits until every sibling is ready (so the writes really
 * overlap), then records one run with 50 epochs of metrics, one commit per epoch, and prints the
 * run id. Usage: node --import tsx concurrent-writer.ts <home> <name> <barrierDir> <expectedSiblings>
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunRegistry } from '../../../src/node/registry/registry.js';

const [home, name, barrier, siblingsArg] = process.argv.slice(2);
if (home === undefined || name === undefined || barrier === undefined || siblingsArg === undefined) {
  throw new Error('usage: concurrent-writer.ts <home> <name> <barrierDir> <expectedSiblings>');
}
const siblings = Number(siblingsArg);
const sleeper = new Int32Array(new SharedArrayBuffer(4));

const registry = RunRegistry.open(home);
writeFileSync(join(barrier, `${name}.ready`), '');
for (let i = 0; readdirSync(barrier).filter((f) => f.endsWith('.ready')).length < siblings; i++) {
  if (i > 6000) throw new Error('sibling writer never became ready');
  Atomics.wait(sleeper, 0, 0, 5);
}

const run = registry.createRun({
  system: name,
  verb: 'train',
  config: { writer: name, epochs: 50 },
  dataset: 'toy',
  datasetHash: null,
  seed: 7,
  backend: 'cpu',
});
const offset = name === 'a' ? 1000 : 2000;
for (let epoch = 0; epoch < 50; epoch++) {
  registry.logEpoch(run.id, epoch, 'train', { loss: offset + epoch, acc: epoch / 50 });
}
registry.logFinal(run.id, 'test', 'toy', { mae: offset / 1000 });
registry.finish(run.id, 'completed');
registry.close();
if (!existsSync(join(home, run.id))) throw new Error('run folder missing');
process.stdout.write(JSON.stringify({ id: run.id }) + '\n');
