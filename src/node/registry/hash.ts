/** Content hashes (SHA-256, lowercase hex) used to pin the exact dataset a run saw. */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { InputError } from '../../util/errors.js';

/** SHA-256 of a byte buffer or string (UTF-8), as 64 lowercase hex characters. */
export function hashBuffer(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

const CHUNK = 1 << 20;

/**
 * SHA-256 of a file's bytes, as 64 lowercase hex characters. The file is read in 1 MiB chunks so
 * large datasets are not held in memory at once.
 */
export function hashFile(path: string): string {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw new InputError(`cannot read file for hashing: ${(err as Error).message}`, { file: path });
  }
  const hash = createHash('sha256');
  const buf = Buffer.allocUnsafe(CHUNK);
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
