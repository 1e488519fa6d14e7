/**
 * `sheaf demo --quick` end to end: every registered system trains at its quickest setting on
 * shipped data, prints its metrics beside baselines (naming split and data set), and one HTML
 * report is written; the last line says where.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/node/cli/main.js';
import { SYSTEMS } from '../../../src/systems/index.js';

test('sheaf demo --quick runs every system and writes one report', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sheaf-demo-'));
  let out = '';
  let err = '';
  const code = await main(['demo', '--quick', '--home', home], { out: (t) => void (out += t), err: (t) => void (err += t) });
  assert.equal(code, 0, err);
  for (const s of SYSTEMS) assert.match(out, new RegExp(`== ${s.title}`), `${s.name} missing from the demo`);
  assert.match(out, / split of /);
  const last = out.trim().split('\n').pop()!;
  const m = /demo report written to (.*report\.html)$/.exec(last);
  assert.ok(m, `last line: ${last}`);
  assert.ok(existsSync(m[1]!));
  const html = readFileSync(m[1]!, 'utf8');
  for (const s of SYSTEMS) assert.ok(html.includes(s.title), `${s.title} not in the report`);
  assert.match(html, /<svg/);
});
