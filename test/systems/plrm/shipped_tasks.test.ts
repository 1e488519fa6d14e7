import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SHIPPED_TASKS_DIR } from '../../../src/systems/plrm/shipped.js';
import { readTaskJson } from '../../../src/systems/plrm/task.js';
import { taskGraph } from '../../../src/systems/plrm/label_models.js';
import { checkDistinguishability } from '../../../src/systems/plrm/distinguishability.js';
import { relOf } from './helpers.js';
import { joinPath } from '../../../src/io/path.js';
import { nodeStorage } from '../../../src/node/storage.js';

const files = (await nodeStorage.list(SHIPPED_TASKS_DIR)).filter((f) => f.endsWith('.json')).sort();

test('the shipped tasks: 10 digit and 10 letter tasks', () => {
  assert.equal(files.filter((f) => f.startsWith('digits_')).length, 10);
  assert.equal(files.filter((f) => f.startsWith('letters_')).length, 10);
});

test('every shipped task is valid WIS: relations = set algebra of its members, desired unseen, distinguishable', async () => {
  for (const f of files) {
    const path = joinPath(SHIPPED_TASKS_DIR, f);
    const t = await readTaskJson(nodeStorage, path);
    const meta = (JSON.parse(await nodeStorage.readText(path)) as { meta: { members: Record<string, Array<string>> } }).meta;
    const sets = t.labels.map((l) => new Set(meta.members[l]!.map((c) => c.charCodeAt(0))));
    const g = taskGraph(t, 'exclusive');
    for (let a = 0; a < t.labels.length; a++) for (let b = a + 1; b < t.labels.length; b++) assert.equal(g.relation(a, b), relOf(sets[a]!, sets[b]!), `${f}: ${t.labels[a]} – ${t.labels[b]}`);
    assert.equal(t.desired.length, 3);
    assert.equal(t.ilfs.length, 10);
    assert.equal(t.labels.length, 8);
    assert.ok(checkDistinguishability(g, t.desired, t.ilfs).ok, f);
    for (const s of ['train', 'valid', 'test'] as const) {
      const sp = t.splits[s]!;
      assert.ok(sp.y && sp.X && sp.d, `${f} ${s}`);
      const counts = [0, 0, 0];
      for (const v of sp.y) counts[v]!++;
      assert.ok(
        counts.every((c) => c > 0),
        `${f} ${s} has every class`,
      );
    }
  }
});
