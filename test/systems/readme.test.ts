/**
 * The READMEs say what the code does: each system's option tables are the ones its schemas
 * generate (`npm run docs`), and every `sheaf <system> <verb> …` command shown in a README parses
 * against that verb's options (so no README advertises a flag that does not exist).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { SYSTEMS, findSystem } from '../../src/systems/index.js';
import { booleanFields, canonicalKeys, validateOptions } from '../../src/system/schema.js';
import { cliVerbs, findVerb } from '../../src/node/cli/verbs.js';
import { globalOptions } from '../../src/node/cli/main.js';
import { parseArgv } from '../../src/node/cli/options.js';
import { readmePath, withOptions } from '../../scripts/docs/readme.js';

const ROOT = join(import.meta.dirname, '..', '..');

test('every system README holds the option tables its schemas generate', () => {
  for (const sys of SYSTEMS.filter((s) => s.name !== 'toy')) {
    const text = readFileSync(readmePath(sys), 'utf8');
    assert.equal(text, withOptions(text, sys), `${sys.name} README has drifted from its schemas: run npm run docs`);
  }
});

/** `sheaf …` commands in a Markdown file (code blocks and inline code), placeholders filled. */
function commands(md: string): string[][] {
  const out: string[][] = [];
  for (const raw of md.split('\n')) {
    const m = /(?:^|`|\$ )\s*(?:npx )?sheaf ([a-z-]+) ([a-z-]+)((?: [^`#|]*)?)/.exec(raw);
    if (!m || !findSystem(m[1]!)) continue;
    const args = (m[3] ?? '')
      .trim()
      .replace(/<[^>]+>/g, 'X')
      .replace(/…|\.\.\.|\[.*?\]/g, '')
      .split(/\s+/)
      .filter(Boolean);
    out.push([m[1]!, m[2]!, ...args]);
  }
  return out;
}

test('every sheaf command in the READMEs parses against its verb', () => {
  const files = ['README.md', ...SYSTEMS.filter((s) => s.name !== 'toy').map((s) => readmePath(s))];
  let n = 0;
  for (const f of files) {
    const md = readFileSync(f.startsWith('/') ? f : join(ROOT, f), 'utf8');
    for (const [sys, verbName, ...args] of commands(md)) {
      const verb = findVerb(cliVerbs(findSystem(sys!)!), verbName!);
      assert.ok(verb, `${f}: sheaf ${sys} ${verbName}: no such verb`);
      if (args.includes('--help')) continue;
      const { flags } = parseArgv(args, new Set([...booleanFields(verb.options), ...booleanFields(globalOptions)]));
      const rest = Object.fromEntries(Object.entries(flags).filter(([k]) => !(k in globalOptions.shape)));
      assert.doesNotThrow(() => validateOptions(verb.options.partial() as z.ZodObject, canonicalKeys(verb.options, rest, 'readme'), 'readme'), `${f}: sheaf ${sys} ${verbName} ${args.join(' ')}`);
      n++;
    }
  }
  assert.ok(n >= 10, `only ${n} commands found`);
});

test('every repository file a README names exists', () => {
  const files = ['README.md', 'BENCHMARKS.md', 'data/README.md', 'docs/adding-a-system.md', 'scripts/torch/README.md', ...SYSTEMS.filter((s) => s.name !== 'toy').map((s) => readmePath(s))];
  // Our own source and docs (upstream files a README mentions, e.g. an official repository's src/model.py, are not ours).
  const ours = /^(?:src|test|bench|scripts|docs|examples|native)\/[\w./-]+\.(?:ts|mts|mjs|md|cc|h|gyp)$|^(?:src|test|bench|scripts|docs|examples|native|data)\/[\w./-]+\/$/;
  const missing: string[] = [];
  let n = 0;
  for (const f of files) {
    const md = readFileSync(f.startsWith('/') ? f : join(ROOT, f), 'utf8');
    for (const m of md.matchAll(/`([\w./-]+)`|\]\(([\w./-]+)\)/g)) {
      const p = (m[1] ?? m[2])!;
      if (!ours.test(p)) continue;
      n++;
      if (!existsSync(join(ROOT, p))) missing.push(`${f}: ${p}`);
    }
  }
  assert.deepEqual(missing, []);
  assert.ok(n >= 20, `only ${n} paths found`);
});
