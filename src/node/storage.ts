/**
 * The `Storage` of files on disk. Relative paths are resolved against the working folder; the
 * `shipped:` scheme names the data sets in the package's own `data/` folder, wherever the package
 * is installed (e.g. `shipped:chicago-ridership/ridership.csv`).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError } from '../util/errors.js';
import { decodeText, type Storage, type StorageEntry } from '../io/storage.js';
import { writeFileAtomic } from './fs.js';

/** The package's root folder (src/node and dist/node are both two levels below it). */
export const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The shipped data folder. */
export const SHIPPED_DATA_DIR = join(PACKAGE_ROOT, 'data');

/** A file-system path for a storage path (`shipped:` → the package's data folder). */
export function localPath(path: string): string {
  if (path.startsWith('shipped:')) return join(SHIPPED_DATA_DIR, path.slice('shipped:'.length));
  return path;
}

function fail(e: unknown, path: string, what: string): never {
  const code = (e as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT'
      ? 'file not found'
      : code === 'EISDIR'
        ? 'is a folder, not a file'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : code === 'ENOTDIR'
            ? 'a parent is not a folder'
            : (e as Error).message;
  throw new InputError(`cannot ${what}: ${reason}`, { file: path });
}

/** Files on disk. */
export class NodeStorage implements Storage {
  async read(path: string): Promise<Uint8Array> {
    try {
      return readFileSync(localPath(path));
    } catch (e) {
      fail(e, path, 'read');
    }
  }
  async readText(path: string): Promise<string> {
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(localPath(path));
    } catch (e) {
      fail(e, path, 'read');
    }
    return decodeText(bytes, path);
  }
  async write(path: string, data: Uint8Array | string): Promise<void> {
    try {
      writeFileAtomic(localPath(path), data);
    } catch (e) {
      fail(e, path, 'write');
    }
  }
  async stat(path: string): Promise<StorageEntry | null> {
    const p = localPath(path);
    if (!existsSync(p)) return null;
    const s = statSync(p);
    return { kind: s.isDirectory() ? 'dir' : 'file', size: s.size };
  }
  async list(dir: string): Promise<string[]> {
    const p = localPath(dir);
    if (!existsSync(p) || !statSync(p).isDirectory()) return [];
    return readdirSync(p).sort();
  }
  async mkdir(path: string): Promise<void> {
    try {
      mkdirSync(localPath(path), { recursive: true });
    } catch (e) {
      fail(e, path, 'create folder');
    }
  }
  async remove(path: string): Promise<void> {
    rmSync(localPath(path), { recursive: true, force: true });
  }
  async rename(from: string, to: string): Promise<void> {
    if (existsSync(localPath(to))) throw new InputError('rename: the target exists', { file: to });
    try {
      renameSync(localPath(from), localPath(to));
    } catch (e) {
      fail(e, from, 'move');
    }
  }
}

/** One shared instance. */
export const nodeStorage = new NodeStorage();
