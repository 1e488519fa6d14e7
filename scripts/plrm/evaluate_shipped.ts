/**
 * Acceptance run on the shipped WIS tasks (data/plrm-tasks): every label model with the default
 * configuration (model selection and label permutation on the validation split), plus the
 * logistic-regression end model trained on PLRM's labels. Prints a markdown table per data set
 * and writes it to bench/out/plrm-shipped.md.
 *
 * Usage: npx tsx scripts/plrm/evaluate_shipped.ts [--out bench/out/plrm-shipped.md] [--no-end-model]
 */
import { join } from 'node:path';
import { initEngine } from '../../src/engine/index.js';
import { joinPath } from '../../src/io/path.js';
import { writeFileAtomic } from '../../src/node/fs.js';
import { PACKAGE_ROOT, nodeStorage } from '../../src/node/storage.js';
import { SHIPPED_TASKS_DIR } from '../../src/systems/plrm/shipped.js';
import { runSuite, suiteMarkdown, suiteMean } from '../../src/systems/plrm/suite.js';
import { LABEL_MODELS } from '../../src/systems/plrm/label_models.js';
import '../../src/node/setup.js';

const args = process.argv.slice(2);
const outIdx = args.indexOf('--out');
const out = outIdx >= 0 ? args[outIdx + 1]! : join(PACKAGE_ROOT, 'bench', 'out', 'plrm-shipped.md');
const withEnd = !args.includes('--no-end-model');
await initEngine();
const parts: string[] = [
  '# PLRM on the shipped digit and letter WIS tasks',
  '',
  'Default configuration (exact likelihood, Adam 300 steps, θ ≥ 0, selection and label permutation on the validation split; ' +
    'end model: logistic regression on PLRM labels of the covered training rows). Test split, accuracy / macro-F1 in %.',
  '',
];
for (const prefix of ['digits', 'letters']) {
  const files = (await nodeStorage.list(SHIPPED_TASKS_DIR))
    .filter((f) => f.startsWith(prefix + '_') && f.endsWith('.json'))
    .sort()
    .map((f) => joinPath(SHIPPED_TASKS_DIR, f));
  const rows = await runSuite(nodeStorage, files, { endModel: withEnd ? {} : null, log: (l) => console.error(l) });
  const table = suiteMarkdown(rows, withEnd);
  parts.push(`## ${prefix}`, '', table);
  console.log(`## ${prefix}\n${table}`);
  const mean = (m: string) => 100 * suiteMean(rows, 'test', m, 'accuracy');
  console.log(
    `${prefix}: mean test accuracy ${LABEL_MODELS.map((m) => `${m} ${mean(m).toFixed(2)}`).join(', ')}; ` +
      `PLRM ≥ LFPGM: ${mean('PLRM') >= mean('LFPGM')}, LFPGM ≥ LRMV + 5: ${mean('LFPGM') >= mean('LRMV') + 5}`,
  );
}
writeFileAtomic(out, parts.join('\n'));
console.log(`written ${out}`);
