/**
 * Where Sheaf reads and writes files: checkpoints, data, run outputs. Systems and the training
 * loop only ever talk to a `Storage`, so the same code runs in Node (files, `sheaf/node`'s
 * `NodeStorage`) and in a browser (`MemoryStorage`, or OPFS behind the same interface).
 *
 * Paths are '/'-separated (see `path.ts`). Writes are atomic per file: a reader never sees half a
 * file. A missing file is an `InputError` naming it.
 */
import { InputError } from '../util/errors.js';
import { dirnamePath, normalizePath } from './path.js';

/** What a path points at. */
export interface StorageEntry {
  kind: 'file' | 'dir';
  size: number;
}

export interface Storage {
  /** Read a whole file. */
  read(path: string): Promise<Uint8Array>;
  /** Read a whole file as UTF-8 text (a leading BOM is kept; parsers strip it). */
  readText(path: string): Promise<string>;
  /** Write a whole file atomically, creating its folder. */
  write(path: string, data: Uint8Array | string): Promise<void>;
  /** What is at `path`, or null. */
  stat(path: string): Promise<StorageEntry | null>;
  /** Names (not paths) of the entries of a folder; [] for a missing folder. */
  list(dir: string): Promise<string[]>;
  /** Create a folder and its parents. */
  mkdir(path: string): Promise<void>;
  /** Remove a file or a folder with everything in it; nothing if missing. */
  remove(path: string): Promise<void>;
  /** Move a file or folder; the target must not exist. */
  rename(from: string, to: string): Promise<void>;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** UTF-8 bytes of a string (or the bytes themselves). */
export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

/** Text of UTF-8 bytes. */
export function fromBytes(data: Uint8Array): string {
  return decoder.decode(data);
}

const strict = new TextDecoder('utf-8', { fatal: true });

/**
 * Text of a file's bytes, which must be UTF-8: another encoding (a Latin-1 export, say) is an
 * InputError naming the file and the line of the first bad byte, rather than text quietly holding
 * replacement characters.
 */
export function decodeText(data: Uint8Array, file: string): string {
  try {
    return strict.decode(data);
  } catch {
    const loose = decoder.decode(data);
    const at = loose.indexOf('\uFFFD');
    const line = at < 0 ? undefined : loose.slice(0, at).split('\n').length;
    throw new InputError('not UTF-8 text (a byte that UTF-8 does not allow; the file may be Latin-1 or Windows-1252): save it as UTF-8', { file, ...(line ? { line } : {}) });
  }
}

/** Read and parse a JSON file; errors name the file. */
export async function readJson(storage: Storage, path: string): Promise<unknown> {
  const text = await storage.readText(path);
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new InputError(`not valid JSON: ${(e as Error).message}`, { file: path });
  }
}

/** Write JSON (2-space indented, trailing newline) atomically. */
export function writeJson(storage: Storage, path: string, value: unknown): Promise<void> {
  return storage.write(path, JSON.stringify(value, null, 2) + '\n');
}

/**
 * Files in memory: the browser default, and a scratch storage for tests. Folders exist
 * implicitly (a file's parents always exist) or explicitly (`mkdir`).
 */
export class MemoryStorage implements Storage {
  private readonly files = new Map<string, Uint8Array>();
  private readonly dirs = new Set<string>(['.', '/']);

  /** Files and their contents, e.g. to offer them for download. */
  entries(): Array<[string, Uint8Array]> {
    return [...this.files.entries()];
  }

  async read(path: string): Promise<Uint8Array> {
    const f = this.files.get(normalizePath(path));
    if (!f) throw new InputError('file not found', { file: path });
    return f;
  }
  async readText(path: string): Promise<string> {
    return decodeText(await this.read(path), path);
  }
  async write(path: string, data: Uint8Array | string): Promise<void> {
    const p = normalizePath(path);
    if (this.isDir(p)) throw new InputError('is a folder, not a file', { file: path });
    this.addParents(p);
    // A copy, so later changes to the caller's buffer do not reach the stored file.
    this.files.set(p, Uint8Array.from(toBytes(data)));
  }
  async stat(path: string): Promise<StorageEntry | null> {
    const p = normalizePath(path);
    const f = this.files.get(p);
    if (f) return { kind: 'file', size: f.length };
    return this.isDir(p) ? { kind: 'dir', size: 0 } : null;
  }
  async list(dir: string): Promise<string[]> {
    const d = normalizePath(dir);
    const prefix = d === '.' ? '' : d.endsWith('/') ? d : d + '/';
    const names = new Set<string>();
    for (const p of [...this.files.keys(), ...this.dirs]) {
      if (p.startsWith(prefix) && p !== d) {
        const rest = p.slice(prefix.length);
        const name = rest.split('/')[0];
        if (name) names.add(name);
      }
    }
    return [...names].sort();
  }
  async mkdir(path: string): Promise<void> {
    const p = normalizePath(path);
    if (this.files.has(p)) throw new InputError('exists and is a file, not a folder', { file: path });
    this.addParents(p + '/x');
  }
  async remove(path: string): Promise<void> {
    const p = normalizePath(path);
    this.files.delete(p);
    this.dirs.delete(p);
    for (const k of [...this.files.keys()]) if (k.startsWith(p + '/')) this.files.delete(k);
    for (const k of [...this.dirs]) if (k.startsWith(p + '/')) this.dirs.delete(k);
  }
  async rename(from: string, to: string): Promise<void> {
    const a = normalizePath(from);
    const b = normalizePath(to);
    if ((await this.stat(b)) !== null) throw new InputError('rename: the target exists', { file: to });
    const f = this.files.get(a);
    if (f) {
      this.files.delete(a);
      this.addParents(b);
      this.files.set(b, f);
      return;
    }
    if (!this.isDir(a)) throw new InputError('rename: nothing to move', { file: from });
    for (const [k, v] of [...this.files.entries()]) {
      if (k.startsWith(a + '/')) {
        this.files.delete(k);
        const nk = b + k.slice(a.length);
        this.addParents(nk);
        this.files.set(nk, v);
      }
    }
    for (const k of [...this.dirs]) {
      if (k === a || k.startsWith(a + '/')) {
        this.dirs.delete(k);
        this.dirs.add(b + k.slice(a.length));
      }
    }
    this.addParents(b + '/x');
  }

  private isDir(p: string): boolean {
    if (this.dirs.has(p)) return true;
    const prefix = p + '/';
    for (const k of this.files.keys()) if (k.startsWith(prefix)) return true;
    return false;
  }
  private addParents(p: string): void {
    for (let d = dirnamePath(p); d !== '.' && d !== '/' && !this.dirs.has(d); d = dirnamePath(d)) this.dirs.add(d);
  }
}
