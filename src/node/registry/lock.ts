/**
 * Who owns a run folder: `<run>/lock.json` holds the pid, host and start time of the process
 * training in it, so a second process cannot resume a run that is still being written, and a run
 * whose process is gone (killed) shows as stale rather than running for ever. And the home check:
 * an unwritable home is a usage error before any work, not a SQLite stack trace.
 */
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UsageError } from '../../util/errors.js';
import { DB_FILE } from './registry.js';

export const LOCK_FILE = 'lock.json';

/** The owner of a run folder. */
export interface RunLock {
  pid: number;
  host: string;
  startedAt: string;
}

/** Claim a run folder for this process. */
export function writeLock(dir: string): RunLock {
  const lock: RunLock = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString() };
  writeFileSync(join(dir, LOCK_FILE), JSON.stringify(lock) + '\n');
  return lock;
}

/** The folder's lock, or null (none, or unreadable). */
export function readLock(dir: string): RunLock | null {
  const p = join(dir, LOCK_FILE);
  if (!existsSync(p)) return null;
  try {
    const v = JSON.parse(readFileSync(p, 'utf8')) as Partial<RunLock>;
    return typeof v.pid === 'number' && typeof v.host === 'string' ? { pid: v.pid, host: v.host, startedAt: String(v.startedAt ?? '') } : null;
  } catch {
    return null;
  }
}

/** Release the folder if this process holds it. */
export function removeLock(dir: string): void {
  const l = readLock(dir);
  if (l && l.pid === process.pid && l.host === hostname()) rmSync(join(dir, LOCK_FILE), { force: true });
}

/** Whether the lock's process is alive. A lock from another host is taken as alive (it cannot be checked from here). */
export function lockIsLive(l: RunLock): boolean {
  if (l.host !== hostname()) return true;
  if (l.pid === process.pid) return true;
  try {
    process.kill(l.pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Refuse to work in a run folder another live process owns. */
export function assertNotLive(dir: string, runId: string): void {
  const l = readLock(dir);
  if (l && lockIsLive(l)) throw new UsageError(`run ${runId} is still being trained by process ${l.pid} on ${l.host} (since ${l.startedAt}); wait for it to end or stop it first`);
}

/** A run marked running whose process is gone. */
export function isStale(run: { status: string; dir: string }): boolean {
  if (run.status !== 'running') return false;
  const l = readLock(run.dir);
  return l === null || !lockIsLive(l);
}

/** The home must be a folder this process can write (created if missing). */
export function assertWritableHome(home: string): void {
  try {
    mkdirSync(home, { recursive: true });
    accessSync(home, constants.W_OK);
    const db = join(home, DB_FILE);
    if (existsSync(db)) accessSync(db, constants.W_OK);
  } catch (e) {
    throw new UsageError(`the run home ${home} is not writable (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); choose another with --home or SHEAF_HOME`);
  }
}
