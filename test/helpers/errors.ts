/** Assertions on Sheaf's input errors, shared by the reader tests. */
import assert from 'node:assert/strict';
import { InputError } from '../../src/util/errors.js';

/** Run `fn`, expect an InputError whose message has every fragment; returns it for location checks. */
export function throwsInput(fn: () => unknown, ...fragments: string[]): InputError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof InputError, `expected InputError, got ${String(caught)}`);
  for (const f of fragments) assert.ok(caught.message.includes(f), `message ${JSON.stringify(caught.message)} lacks ${JSON.stringify(f)}`);
  return caught;
}
