/**
 * The safetensors format (Hugging Face), our own implementation — no npm package reads and
 * writes it usefully. A file is:
 *
 *   8 bytes   N, unsigned 64-bit little-endian: length of the header
 *   N bytes   UTF-8 JSON `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}}`,
 *             padded with spaces so the data starts on an 8-byte boundary
 *   rest      raw little-endian tensor bytes, row-major; offsets are relative to the start of this
 *             region and must tile it exactly (no gaps, no overlaps)
 *
 * `encode`/`decode` work on raw typed arrays in the file's dtype; `save`/`load` convert to and
 * from tfjs tensors (F16, BF16 and F64 load as float32; I64 loads as int32 after a range check;
 * U8 loads as int32; BOOL as bool), so PyTorch state dicts load directly.
 */
import * as tf from '@tensorflow/tfjs-core';
import { InputError, UsageError } from '../util/errors.js';
import type { Storage } from './storage.js';

/** Element types this implementation reads and writes. */
export type SafetensorsDtype = 'F32' | 'F16' | 'BF16' | 'F64' | 'I64' | 'I32' | 'BOOL' | 'U8';

/** Raw data of one tensor. F16/BF16 hold the 16-bit patterns; BOOL holds 0/1 bytes. */
export type SafetensorsData = Float32Array | Float64Array | Uint16Array | BigInt64Array | Int32Array | Uint8Array;

/** One tensor as stored: dtype, shape and row-major data. */
export interface RawTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: SafetensorsData;
}

/**
 * What `encodeSafetensors` accepts: a `RawTensor`, except that for F16/BF16 `data` may also be a
 * Float32Array (rounded to nearest even), for I64 an Int32Array (widened) and for F64 a
 * Float32Array (widened).
 */
export type EncodableTensor = { dtype: SafetensorsDtype; shape: number[]; data: SafetensorsData };

/** A tensor map with the file's `__metadata__` attached. */
export type SafetensorsMap = Map<string, tf.Tensor> & { metadata: Record<string, string> };

const ITEM_SIZE: Record<SafetensorsDtype, number> = { F64: 8, I64: 8, F32: 4, I32: 4, F16: 2, BF16: 2, BOOL: 1, U8: 1 };
/** The header must be parsed before anything is trusted; the reference implementation caps it at 100 MB. */
const MAX_HEADER = 100_000_000;

function assertLittleEndianHost(): void {
  // Raw bytes are copied straight into typed arrays, which use the host's byte order.
  if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('safetensors: big-endian hosts are not supported');
}

const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

/** IEEE binary16 bit pattern of a number, rounded to nearest even (overflow → ±Inf). */
export function float32ToFloat16Bits(v: number): number {
  f32Scratch[0] = v;
  const x = u32Scratch[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // Subnormal half: value = m·2^-24, m = (1.mant)·2^(exp−126), i.e. shift the 24-bit mantissa by 14 − e.
    const shift = 14 - e;
    if (shift > 25) return sign;
    mant |= 0x800000;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to Inf).
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** The number an IEEE binary16 bit pattern stands for. */
export function float16BitsToFloat32(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 0x1f) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** bfloat16 bit pattern (top half of float32), rounded to nearest even. */
export function float32ToBfloat16Bits(v: number): number {
  f32Scratch[0] = v;
  const x = u32Scratch[0]!;
  if (Number.isNaN(v)) return ((x >>> 16) & 0x8000) | 0x7fc0;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

function numel(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function toBytes(name: string, t: EncodableTensor): Uint8Array {
  const n = numel(t.shape);
  const d = t.data;
  if (d.length !== n) throw new UsageError(`safetensors: tensor '${name}' has ${d.length} values but shape [${t.shape}] needs ${n}`);
  let out: SafetensorsData;
  const wrong = (): never => {
    throw new UsageError(`safetensors: tensor '${name}' has dtype ${t.dtype} but data is a ${d.constructor.name}`);
  };
  switch (t.dtype) {
    case 'F32':
      out = d instanceof Float32Array ? d : wrong();
      break;
    case 'F64':
      out = d instanceof Float64Array ? d : d instanceof Float32Array ? Float64Array.from(d) : wrong();
      break;
    case 'F16':
    case 'BF16':
      if (d instanceof Uint16Array) out = d;
      else if (d instanceof Float32Array) {
        const conv = t.dtype === 'F16' ? float32ToFloat16Bits : float32ToBfloat16Bits;
        out = new Uint16Array(n);
        for (let i = 0; i < n; i++) out[i] = conv(d[i]!);
      } else out = wrong();
      break;
    case 'I64':
      if (d instanceof BigInt64Array) out = d;
      else if (d instanceof Int32Array) {
        out = new BigInt64Array(n);
        for (let i = 0; i < n; i++) out[i] = BigInt(d[i]!);
      } else out = wrong();
      break;
    case 'I32':
      out = d instanceof Int32Array ? d : wrong();
      break;
    case 'BOOL':
    case 'U8':
      out = d instanceof Uint8Array ? d : wrong();
      break;
    default:
      throw new UsageError(`safetensors: tensor '${name}' has unsupported dtype '${String(t.dtype)}'`);
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * Serialise tensors (and optional string→string metadata) to safetensors bytes. Tensors are laid
 * out by decreasing element size, then insertion order, so every tensor starts aligned to its
 * element size (as the reference writer does).
 */
export function encodeSafetensors(tensors: Map<string, EncodableTensor>, metadata?: Record<string, string>): Uint8Array {
  assertLittleEndianHost();
  const entries = [...tensors.entries()].map(([name, t], i) => ({ name, t, i }));
  for (const { name, t } of entries) {
    if (name === '' || name === '__metadata__') throw new UsageError(`safetensors: invalid tensor name '${name}'`);
    if (!Array.isArray(t.shape) || !t.shape.every((s) => Number.isInteger(s) && s >= 0)) {
      throw new UsageError(`safetensors: tensor '${name}' has an invalid shape [${String(t.shape)}]`);
    }
  }
  entries.sort((a, b) => ITEM_SIZE[b.t.dtype] - ITEM_SIZE[a.t.dtype] || a.i - b.i);
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new UsageError(`safetensors: metadata '${k}' must be a string, got ${typeof v}`);
    }
    header['__metadata__'] = metadata;
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const { name, t } of entries) {
    const bytes = toBytes(name, t);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes.byteLength] };
    chunks.push(bytes);
    offset += bytes.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const pad = (8 - ((8 + json.length) % 8)) % 8;
  if (pad > 0) {
    const padded = new Uint8Array(json.length + pad).fill(0x20);
    padded.set(json);
    json = padded;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let pos = 8 + json.length;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.byteLength;
  }
  return out;
}

/**
 * Parse safetensors bytes. Every structural problem (short file, bad JSON, unknown dtype, offsets
 * that do not match the shape or do not tile the data) is an `InputError` naming `source` (the
 * file name, for messages) and the tensor.
 */
export function decodeSafetensors(buf: Uint8Array, source = '<buffer>'): { tensors: Map<string, RawTensor>; metadata: Record<string, string> } {
  assertLittleEndianHost();
  const fail = (msg: string, field?: string): never => {
    throw new InputError(msg, field === undefined ? { file: source } : { file: source, field });
  };
  if (buf.byteLength < 8) fail(`not a safetensors file: ${buf.byteLength} bytes, the header length alone needs 8`);
  const n64 = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getBigUint64(0, true);
  if (n64 > BigInt(Math.min(MAX_HEADER, buf.byteLength - 8))) fail(`safetensors header length ${n64} exceeds the file (${buf.byteLength} bytes) or the 100 MB limit`);
  const n = Number(n64);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(8, 8 + n)));
  } catch (e) {
    fail(`safetensors header is not valid UTF-8 JSON: ${(e as Error).message}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('safetensors header must be a JSON object');
  const dataStart = 8 + n;
  const dataLen = buf.byteLength - dataStart;
  const metadata: Record<string, string> = {};
  const spans: Array<{ name: string; begin: number; end: number }> = [];
  const tensors = new Map<string, RawTensor>();
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('__metadata__ must be an object of strings', name);
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`metadata value must be a string, got ${typeof v}`, `__metadata__.${k}`);
        metadata[k] = v as string;
      }
      continue;
    }
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (info === null || typeof info !== 'object') fail('tensor entry must be an object', name);
    const dtype = info.dtype as SafetensorsDtype;
    if (typeof dtype !== 'string' || !(dtype in ITEM_SIZE)) fail(`unsupported dtype '${String(info.dtype)}' (supported: ${Object.keys(ITEM_SIZE).join(', ')})`, name);
    const shape = info.shape as number[];
    if (!Array.isArray(shape) || !shape.every((s) => Number.isSafeInteger(s) && s >= 0)) fail(`invalid shape ${JSON.stringify(info.shape)}`, name);
    const offs = info.data_offsets as number[];
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isSafeInteger(o) && o >= 0) || offs[0]! > offs[1]! || offs[1]! > dataLen) {
      fail(`invalid data_offsets ${JSON.stringify(info.data_offsets)} for a data region of ${dataLen} bytes`, name);
    }
    const [begin, end] = offs as [number, number];
    const size = numel(shape) * ITEM_SIZE[dtype];
    if (end - begin !== size) fail(`data_offsets span ${end - begin} bytes but ${dtype} [${shape}] needs ${size}`, name);
    spans.push({ name, begin, end });
    // Copy into a fresh, aligned buffer: offsets inside the file need not be aligned (and a Node
    // Buffer's slice() would be a view, not a copy).
    const bytes = new Uint8Array(end - begin);
    bytes.set(buf.subarray(dataStart + begin, dataStart + end));
    const count = numel(shape);
    let data: SafetensorsData;
    switch (dtype) {
      case 'F32':
        data = new Float32Array(bytes.buffer, 0, count);
        break;
      case 'F64':
        data = new Float64Array(bytes.buffer, 0, count);
        break;
      case 'F16':
      case 'BF16':
        data = new Uint16Array(bytes.buffer, 0, count);
        break;
      case 'I64':
        data = new BigInt64Array(bytes.buffer, 0, count);
        break;
      case 'I32':
        data = new Int32Array(bytes.buffer, 0, count);
        break;
      default:
        data = bytes;
    }
    tensors.set(name, { dtype, shape, data });
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const s of spans) {
    if (s.begin !== covered) fail(s.begin < covered ? `data overlaps the previous tensor (starts at ${s.begin}, previous ends at ${covered})` : `gap in the data before byte ${s.begin}`, s.name);
    covered = s.end;
  }
  if (covered !== dataLen) fail(`the tensors cover ${covered} of ${dataLen} data bytes`);
  return { tensors, metadata };
}

/**
 * A tfjs tensor from a raw tensor: F16/BF16/F64 → float32, I64 → int32 (values outside the int32
 * range are an InputError), U8 → int32, BOOL → bool.
 */
export function rawToTensor(name: string, t: RawTensor, source = '<buffer>'): tf.Tensor {
  const n = numel(t.shape);
  switch (t.dtype) {
    case 'F32':
      return tf.tensor(t.data as Float32Array, t.shape, 'float32');
    case 'F64':
      return tf.tensor(Float32Array.from(t.data as Float64Array), t.shape, 'float32');
    case 'F16': {
      const src = t.data as Uint16Array;
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = float16BitsToFloat32(src[i]!);
      return tf.tensor(out, t.shape, 'float32');
    }
    case 'BF16': {
      const src = t.data as Uint16Array;
      const bits = new Uint32Array(n);
      for (let i = 0; i < n; i++) bits[i] = src[i]! << 16;
      return tf.tensor(new Float32Array(bits.buffer), t.shape, 'float32');
    }
    case 'I64': {
      const src = t.data as BigInt64Array;
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const v = src[i]!;
        if (v > 2147483647n || v < -2147483648n) {
          throw new InputError(`I64 value ${v} at index ${i} does not fit in int32 (tfjs has no int64)`, { file: source, field: name });
        }
        out[i] = Number(v);
      }
      return tf.tensor(out, t.shape, 'int32');
    }
    case 'I32':
      return tf.tensor(t.data as Int32Array, t.shape, 'int32');
    case 'U8':
      return tf.tensor(Int32Array.from(t.data as Uint8Array), t.shape, 'int32');
    case 'BOOL':
      return tf.tensor(
        Uint8Array.from(t.data as Uint8Array, (b) => (b ? 1 : 0)),
        t.shape,
        'bool',
      );
  }
}

/** A raw tensor (F32, I32 or BOOL) holding a copy of a tfjs tensor's values. */
export function tensorToRaw(name: string, t: tf.Tensor): RawTensor {
  const shape = [...t.shape];
  switch (t.dtype) {
    case 'float32':
      return { dtype: 'F32', shape, data: Float32Array.from(t.dataSync() as Float32Array) };
    case 'int32':
      return { dtype: 'I32', shape, data: Int32Array.from(t.dataSync() as Int32Array) };
    case 'bool':
      return { dtype: 'BOOL', shape, data: Uint8Array.from(t.dataSync() as Uint8Array) };
    default:
      throw new UsageError(`safetensors: tensor '${name}' has dtype ${t.dtype}, which cannot be saved`);
  }
}

/** Tensors that can be written: tfjs tensors (copied out) or raw arrays in a file dtype. */
export type WritableTensor = tf.Tensor | EncodableTensor;

/** safetensors bytes of tfjs tensors (float32 → F32, int32 → I32, bool → BOOL) and/or raw arrays. */
export function tensorsToSafetensors(tensors: Map<string, WritableTensor>, metadata?: Record<string, string>): Uint8Array {
  const raw = new Map<string, EncodableTensor>();
  for (const [name, t] of tensors) raw.set(name, t instanceof tf.Tensor ? tensorToRaw(name, t) : t);
  return encodeSafetensors(raw, metadata);
}

/** tfjs tensors (owned by the caller) of raw tensors; `source` names the file in errors. */
export function rawToTensors(raw: Map<string, RawTensor>, source = '<buffer>'): Map<string, tf.Tensor> {
  const out = new Map<string, tf.Tensor>();
  try {
    for (const [name, t] of raw) out.set(name, rawToTensor(name, t, source));
  } catch (e) {
    tf.dispose([...out.values()]);
    throw e;
  }
  return out;
}

/** safetensors bytes → tfjs tensors (owned by the caller), with the file's metadata attached. */
export function safetensorsToTensors(buf: Uint8Array, source = '<buffer>'): SafetensorsMap {
  const { tensors, metadata } = decodeSafetensors(buf, source);
  const out = rawToTensors(tensors, source) as SafetensorsMap;
  out.metadata = metadata;
  return out;
}

/** Write tensors to a safetensors file in `storage`, atomically. */
export async function saveSafetensors(storage: Storage, path: string, tensors: Map<string, WritableTensor>, metadata?: Record<string, string>): Promise<void> {
  await storage.write(path, tensorsToSafetensors(tensors, metadata));
}

/** Read a safetensors file from `storage` into tfjs tensors (owned by the caller). */
export async function loadSafetensors(storage: Storage, path: string): Promise<SafetensorsMap> {
  return safetensorsToTensors(await storage.read(path), path);
}

/** Read a safetensors file from `storage` as raw arrays in their file dtypes (F64 stays F64). */
export async function loadSafetensorsRaw(storage: Storage, path: string): Promise<{ tensors: Map<string, RawTensor>; metadata: Record<string, string> }> {
  return decodeSafetensors(await storage.read(path), path);
}
