/**
 * The storage library calls use when none is given: files in Node (set by `sheaf/node`'s set-up,
 * which the package's Node entries load), memory in a browser.
 */
import { MemoryStorage, type Storage } from './storage.js';

let current: Storage = new MemoryStorage();

/** The default storage. */
export function defaultStorage(): Storage {
  return current;
}

/** Replace the default storage (e.g. with OPFS in a page). */
export function setDefaultStorage(s: Storage): void {
  current = s;
}
