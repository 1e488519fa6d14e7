/** Test storages: files written in memory, reads falling back to disk (shipped data). */
import { MemoryStorage, type Storage, type StorageEntry } from '../../src/io/storage.js';
import { nodeStorage } from '../../src/node/storage.js';

/** Writes go to memory; reads look in memory first, then on disk. */
export class OverlayStorage implements Storage {
  readonly top = new MemoryStorage();
  constructor(private readonly below: Storage = nodeStorage) {}
  async read(p: string): Promise<Uint8Array> {
    return (await this.top.stat(p)) ? this.top.read(p) : this.below.read(p);
  }
  async readText(p: string): Promise<string> {
    return (await this.top.stat(p)) ? this.top.readText(p) : this.below.readText(p);
  }
  write(p: string, d: Uint8Array | string): Promise<void> {
    return this.top.write(p, d);
  }
  async stat(p: string): Promise<StorageEntry | null> {
    return (await this.top.stat(p)) ?? (await this.below.stat(p));
  }
  async list(d: string): Promise<string[]> {
    return [...new Set([...(await this.top.list(d)), ...(await this.below.list(d))])].sort();
  }
  mkdir(p: string): Promise<void> {
    return this.top.mkdir(p);
  }
  remove(p: string): Promise<void> {
    return this.top.remove(p);
  }
  rename(a: string, b: string): Promise<void> {
    return this.top.rename(a, b);
  }
}
