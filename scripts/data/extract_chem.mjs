#!/usr/bin/env node
/**
 * Extract the AdapterGNN molecule sets from npm `@datagrok/chem` 1.17.15 (ChEMBL compounds;
 * docs/research/graph.md §1d) into
 * - `data/herg/herg.csv`: `smiles,chembl_id,pIC50,hERG`, the 6 192 rows of
 *   `files/demo_files/mmp_demo.csv` that have a hERG pIC50, in file order; `hERG` = 1 when
 *   pIC50 ≥ 5, else 0. SMILES, id and pIC50 are copied unchanged.
 * - `data/chem-pretrain/smiles.csv`: `smiles`, the first 20 000 SMILES of
 *   `files/tests/smiles_50K.csv` in file order, less those whose RDKit canonical SMILES is a hERG
 *   molecule's and those the Sheaf featuriser (src/data/chem) rejects.
 * Dev time only: Sheaf never reads the package at run time. Same input, same bytes.
 *
 * Usage (from the repository root; the featuriser is TypeScript, hence tsx):
 *   node --import tsx scripts/data/extract_chem.mjs [--package DIR] [--out DIR] [--pretrain 20000]
 * --package: a folder holding the unpacked package (`package/…`) or the `.tgz`; default: `npm pack`
 * it into a temporary folder. --out: the data folder (default data/).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { featuriseAll } from '../../src/data/chem/index.ts';
import { loadRDKit } from '../../src/node/chem.ts';

const PACKAGE = '@datagrok/chem@1.17.15';
const HERG_SOURCE = 'package/files/demo_files/mmp_demo.csv';
const PRETRAIN_SOURCE = 'package/files/tests/smiles_50K.csv';
const SHA256 = {
  [HERG_SOURCE]: '48d7d7f55fd79b4c8827ef14d18f5ccc24e5375d5c827af6685d404576e36a72',
  [PRETRAIN_SOURCE]: '9cd8a7ced162228f85260e462d972a5d9f8948511ba23d3b881b814bd4b83a4a',
};
const EXPECTED_HERG = 6192;

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(name);
  return i < 0 ? dflt : args[i + 1];
};
const outDir = resolve(arg('--out', join(repoRoot, 'data')));
const nPretrain = Number(arg('--pretrain', '20000'));

function fail(message) {
  process.stderr.write(`extract_chem: ${message}\n`);
  process.exit(1);
}

/** The folder holding `package/`. */
function unpacked() {
  const given = arg('--package');
  if (given && existsSync(join(given, 'package'))) return { dir: given, temp: null };
  const temp = mkdtempSync(join(tmpdir(), 'sheaf-chem-'));
  let tgz = given;
  if (!tgz) {
    execFileSync('npm', ['pack', PACKAGE, '--silent'], { cwd: temp, stdio: ['ignore', 'ignore', 'inherit'] });
    const f = readdirSync(temp).find((n) => n.endsWith('.tgz'));
    if (!f) fail(`npm pack ${PACKAGE} wrote no .tgz`);
    tgz = join(temp, f);
  }
  execFileSync('tar', ['xzf', resolve(tgz), '-C', temp, HERG_SOURCE, PRETRAIN_SOURCE, 'package/package.json', 'package/CREDITS.md']);
  return { dir: temp, temp };
}

function readSource(dir, path) {
  const bytes = readFileSync(join(dir, path));
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== SHA256[path]) fail(`${path}: sha256 ${sha}, expected ${SHA256[path]} (another package version?)`);
  const text = bytes.toString('utf8');
  if (text.includes('"')) fail(`${path}: quoted cells are not expected`);
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function writeAtomic(path, text) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp-${process.pid}`, text);
  renameSync(`${path}.tmp-${process.pid}`, path);
  const sha = createHash('sha256').update(text).digest('hex');
  process.stdout.write(`  ${path}: ${Buffer.byteLength(text)} bytes, sha256 ${sha}\n`);
}

const { dir, temp } = unpacked();
try {
  const version = JSON.parse(readFileSync(join(dir, 'package/package.json'), 'utf8')).version;
  if (version !== '1.17.15') fail(`package version ${version}, expected 1.17.15`);

  // hERG
  const mmp = readSource(dir, HERG_SOURCE);
  if (mmp[0] !== 'smiles,CMPD_CHEMBLID,CYP3A4,hERG_pIC50') fail(`${HERG_SOURCE}: unexpected header ${mmp[0]}`);
  const herg = [];
  mmp.slice(1).forEach((line, i) => {
    const cells = line.split(',');
    if (cells.length !== 4) fail(`${HERG_SOURCE} line ${i + 2}: ${cells.length} cells`);
    const [smiles, id, , p] = cells;
    if (p === 'NA' || p === '') return;
    const v = Number(p);
    if (!Number.isFinite(v)) fail(`${HERG_SOURCE} line ${i + 2}: hERG_pIC50 '${p}' is not a number`);
    herg.push({ smiles, id, p, label: v >= 5 ? 1 : 0 });
  });
  if (herg.length !== EXPECTED_HERG) fail(`${herg.length} hERG rows, expected ${EXPECTED_HERG}`);

  // Pre-training SMILES
  const list = readSource(dir, PRETRAIN_SOURCE);
  if (list[0] !== 'smiles') fail(`${PRETRAIN_SOURCE}: unexpected header ${list[0]}`);
  const candidates = list.slice(1, 1 + nPretrain);
  if (candidates.length !== nPretrain) fail(`${PRETRAIN_SOURCE} has only ${candidates.length} SMILES`);

  const rdkit = await loadRDKit();
  const canonical = (s) => {
    const m = rdkit.get_mol(s);
    if (!m) return null;
    try {
      return m.get_smiles();
    } finally {
      m.delete();
    }
  };
  const hergFeat = featuriseAll(
    rdkit,
    herg.map((r) => r.smiles),
    herg.map((_, i) => i + 2),
    { file: 'herg.csv', onInvalid: 'skip' },
  );
  const hergCanon = new Set(herg.map((r) => canonical(r.smiles)).filter((s) => s !== null));
  const feat = featuriseAll(
    rdkit,
    candidates,
    candidates.map((_, i) => i + 2),
    { file: PRETRAIN_SOURCE, onInvalid: 'skip' },
  );
  const kept = [];
  let overlap = 0;
  for (const i of feat.kept) {
    const s = candidates[i];
    if (hergCanon.has(canonical(s))) overlap++;
    else kept.push(s);
  }

  process.stdout.write(`extract_chem: ${PACKAGE}\n`);
  writeAtomic(join(outDir, 'herg', 'herg.csv'), 'smiles,chembl_id,pIC50,hERG\n' + herg.map((r) => `${r.smiles},${r.id},${r.p},${r.label}`).join('\n') + '\n');
  writeAtomic(join(outDir, 'chem-pretrain', 'smiles.csv'), 'smiles\n' + kept.join('\n') + '\n');
  const pos = herg.filter((r) => r.label === 1).length;
  process.stdout.write(
    `  hERG: ${herg.length} molecules, ${pos} positive (pIC50 ≥ 5), ${herg.length - pos} negative; featuriser rejects ${hergFeat.skipped.length}\n` +
      `  pre-training: first ${nPretrain} SMILES; ${feat.skipped.length} rejected by the featuriser, ${overlap} equal to a hERG molecule (canonical SMILES); ${kept.length} written\n`,
  );
  for (const s of [...hergFeat.skipped.map((s) => ({ ...s, file: 'herg' })), ...feat.skipped.map((s) => ({ ...s, file: 'smiles_50K' }))]) {
    process.stdout.write(`    rejected (${s.file} line ${s.line}): ${s.reason}: ${s.smiles}\n`);
  }
} finally {
  if (temp) rmSync(temp, { recursive: true, force: true });
}
