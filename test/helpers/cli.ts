/** Running `sheaf …` in process in the CLI tests: output captured, the run found in the registry. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/node/cli/main.js';
import { RunRegistry } from '../../src/node/registry/index.js';
import type { RunResult } from '../../src/system/result.js';

export interface CliRun {
  code: number;
  out: string;
  err: string;
  /** The run the command made, if any, and its folder. */
  runId: string | null;
  dir: string | null;
}

/** Run `sheaf …argv --seed <seed> --home <home>`. */
export async function sheafIn(home: string, seed: number, argv: string[]): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await main([...argv, '--seed', String(seed), '--home', home], { out: (t) => void (out += t), err: (t) => void (err += t) });
  const runId = /^run (\S+): report written to/m.exec(out)?.[1] ?? null;
  let dir: string | null = null;
  if (runId) {
    const reg = RunRegistry.open(home);
    dir = reg.get(runId)!.dir;
    reg.close();
  }
  return { code, out, err, runId, dir };
}

/** Like {@link sheafIn}, but the command must succeed and create a run (whose metrics.json is read). */
export async function sheafOk(home: string, seed: number, argv: string[]): Promise<{ out: string; runId: string; dir: string; result: RunResult }> {
  const r = await sheafIn(home, seed, argv);
  assert.equal(r.code, 0, r.out + r.err);
  assert.ok(r.runId && r.dir, r.out);
  return { out: r.out, runId: r.runId, dir: r.dir, result: JSON.parse(readFileSync(join(r.dir, 'metrics.json'), 'utf8')) as RunResult };
}
