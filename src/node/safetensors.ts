/** safetensors files on disk, synchronously (scripts, tests, Node-only importers). */
import { readFileSync } from 'node:fs';
import type * as tf from '@tensorflow/tfjs-core';
import { InputError } from '../util/errors.js';
import { safetensorsToTensors, tensorsToSafetensors, type SafetensorsMap } from '../io/safetensors.js';
import { writeFileAtomic } from './fs.js';

/** Write tfjs tensors to a safetensors file, atomically. */
export function saveSafetensorsFile(path: string, tensors: Map<string, tf.Tensor>, metadata?: Record<string, string>): void {
  writeFileAtomic(path, tensorsToSafetensors(tensors, metadata));
}

/** Read a safetensors file into tfjs tensors (owned by the caller), with its metadata attached. */
export function loadSafetensorsFile(path: string): SafetensorsMap {
  let buf: Uint8Array;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new InputError(`cannot read safetensors file: ${(e as Error).message}`, { file: path });
  }
  return safetensorsToTensors(buf, path);
}
