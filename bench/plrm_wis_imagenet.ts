/**
 * External benchmark: PLRM, LFPGM, LRMV and ALRMV on the PLRM paper's own ImageNet WIS tasks
 * (official repo JieyuZ2/wis, converted to Sheaf's task format), read at run time from
 * ../shared/data/wis-imagenet — the files carry no licence, so they are never copied into the
 * project. One fixed configuration (the defaults) for every task; model selection and the
 * label permutation use the validation split. Writes bench/out/plrm-wis-imagenet.md.
 *
 * Usage: npx tsx bench/plrm_wis_imagenet.ts [--path /work/shared/data/wis-imagenet] [--tasks 0-29] [--out file.md]
 * (skips with a message when the folder is absent).
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '../src/node/fs.js';
import { nodeStorage } from '../src/node/storage.js';
import { runSuite, suiteMarkdown, suiteMean } from '../src/systems/plrm/suite.js';
import { DEFAULT_FIT } from '../src/systems/plrm/fit.js';
import { LABEL_MODELS } from '../src/systems/plrm/label_models.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Default location of the converted tasks (outside the project). */
export const WIS_IMAGENET_DIR = resolve(here, '..', '..', 'shared', 'data', 'wis-imagenet');

/** Parse "0-29" / "0,3,5" into task ids. */
function parseIds(s: string): number[] {
  const out: number[] = [];
  for (const part of s.split(',')) {
    const m = /^(\d+)-(\d+)$/.exec(part.trim());
    if (m) for (let i = Number(m[1]); i <= Number(m[2]); i++) out.push(i);
    else out.push(Number(part));
  }
  return out;
}

/** Run the benchmark; returns the markdown table, or null when the data folder is absent. */
export async function benchWisImagenet(opts: { path?: string; tasks?: string; out?: string; log?: (l: string) => void } = {}): Promise<string | null> {
  const dir = opts.path ?? WIS_IMAGENET_DIR;
  if (!existsSync(dir)) {
    (opts.log ?? console.log)(`skipped: ${dir} not found (the WIS ImageNet tasks are read from ../shared/data/wis-imagenet at run time)`);
    return null;
  }
  const ids = parseIds(opts.tasks ?? '0-29');
  const files = ids.map((i) => join(dir, `task_${String(i).padStart(3, '0')}.json`));
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) throw new Error(`missing task files: ${missing.join(', ')}`);
  const rows = await runSuite(nodeStorage, files, { log: opts.log });
  const mean = (m: string, k: 'accuracy' | 'macroF1') => (100 * suiteMean(rows, 'test', m, k)).toFixed(2);
  const f = DEFAULT_FIT;
  const md = [
    `# PLRM on the official WIS ImageNet tasks ${ids[0]}–${ids[ids.length - 1]}`,
    '',
    `Tasks from the PLRM paper's repository (JieyuZ2/wis, data/imagenet), converted to Sheaf's task format and read from ${dir}; ` +
      'not redistributed. Test split (≈300 rows per task), accuracy / macro-F1 in %.',
    '',
    `Protocol: one configuration for all tasks — fitter \`${f.fitter}\` (full-batch Adam on the exact factorised likelihood, ` +
      `${f.steps} steps, lr ${f.lr}, weights clamped ≥ 0 (\`${f.nonNegative}\`)), LFPGM initialised at θ = 1, PLRM warm-started from the fitted LFPGM; ` +
      `weights and label permutation selected by validation macro-F1 every ${f.evalEvery} steps (the official script selects on the test split). ` +
      'LRMV/ALRMV ties are broken by a fixed hash of the row index.',
    '',
    suiteMarkdown(rows),
    `Mean test accuracy / macro-F1: ${LABEL_MODELS.map((m) => `${m} ${mean(m, 'accuracy')} / ${mean(m, 'macroF1')}`).join('; ')}.`,
    '',
    `Fit time per task (all four models, this machine): mean ${(rows.reduce((s, r) => s + r.seconds, 0) / rows.length).toFixed(1)} s.`,
    '',
  ].join('\n');
  const out = opts.out ?? join(here, 'out', 'plrm-wis-imagenet.md');
  writeFileAtomic(out, md);
  (opts.log ?? console.log)(`written ${out}`);
  return md;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const get = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const md = await benchWisImagenet({ path: get('--path'), tasks: get('--tasks'), out: get('--out'), log: (l) => console.error(l) });
  if (md) console.log(md);
}
