/** Storage (files in Node, memory or OPFS in a page), paths, and the safetensors format. */
export { MemoryStorage, readJson, writeJson, toBytes, fromBytes } from './storage.js';
export type { Storage, StorageEntry } from './storage.js';
export { defaultStorage, setDefaultStorage } from './default.js';
export { joinPath, normalizePath, dirnamePath, basenamePath } from './path.js';
export {
  encodeSafetensors,
  decodeSafetensors,
  tensorsToSafetensors,
  safetensorsToTensors,
  rawToTensors,
  saveSafetensors,
  loadSafetensors,
  loadSafetensorsRaw,
  rawToTensor,
  tensorToRaw,
  float32ToFloat16Bits,
  float16BitsToFloat32,
  float32ToBfloat16Bits,
} from './safetensors.js';
export type { SafetensorsDtype, SafetensorsData, RawTensor, EncodableTensor, SafetensorsMap, WritableTensor } from './safetensors.js';
