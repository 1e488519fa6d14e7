import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../../src/engine/index.js';
import { decodeSafetensors, encodeSafetensors, rawToTensor, float32ToFloat16Bits, float16BitsToFloat32, float32ToBfloat16Bits, type EncodableTensor } from '../../src/io/safetensors.js';
import { loadSafetensorsFile as loadSafetensors, saveSafetensorsFile as saveSafetensors } from '../../src/node/safetensors.js';
import { InputError } from '../../src/util/errors.js';
import '../../src/node/setup.js';

await initEngine({ backend: 'wasm' });

const SAMPLE = fileURLToPath(new URL('../fixtures/sample.safetensors', import.meta.url));
const expected = JSON.parse(readFileSync(SAMPLE + '.json', 'utf8')) as {
  metadata: Record<string, string>;
  tensors: Record<string, { dtype: string; shape: number[]; values: number[] }>;
};

test('reads the file written by the Python struct+json+numpy script', () => {
  const m = loadSafetensors(SAMPLE);
  assert.deepEqual(m.metadata, expected.metadata);
  assert.deepEqual([...m.keys()].sort(), Object.keys(expected.tensors).sort());
  for (const [name, want] of Object.entries(expected.tensors)) {
    const t = m.get(name)!;
    assert.deepEqual(t.shape, want.shape, name);
    const wantDtype = want.dtype === 'BOOL' ? 'bool' : ['I64', 'I32', 'U8'].includes(want.dtype) ? 'int32' : 'float32';
    assert.equal(t.dtype, wantDtype, name);
    const got = Array.from(t.dataSync(), Number);
    // Every fixture value is exactly representable in float32 after the documented conversion.
    assert.deepEqual(
      got.map((v) => Math.fround(v)),
      want.values.map((v) => Math.fround(v)),
      name,
    );
  }
  tf.dispose([...m.values()]);
});

test('round trip F32 / F16 / BF16 / F64 / I64 / I32 / BOOL / U8 through encode → decode', () => {
  const tensors = new Map<string, EncodableTensor>([
    ['b', { dtype: 'BOOL', shape: [3], data: new Uint8Array([1, 0, 1]) }],
    ['f32', { dtype: 'F32', shape: [2, 2], data: new Float32Array([1.5, -2, 3.25, 1e-30]) }],
    ['f16', { dtype: 'F16', shape: [4], data: new Float32Array([0.5, -3.140625, 65504, 70000]) }],
    ['bf16', { dtype: 'BF16', shape: [2], data: new Float32Array([1.0078125, -256]) }],
    ['f64', { dtype: 'F64', shape: [1], data: new Float64Array([0.1]) }],
    ['i64', { dtype: 'I64', shape: [3], data: new BigInt64Array([-5n, 0n, 2147483647n]) }],
    ['i32', { dtype: 'I32', shape: [], data: new Int32Array([-7]) }],
    ['u8', { dtype: 'U8', shape: [2], data: new Uint8Array([0, 255]) }],
    ['z', { dtype: 'F32', shape: [0], data: new Float32Array(0) }],
  ]);
  const bytes = encodeSafetensors(tensors, { hello: 'world' });
  const headerLen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + headerLen) % 8, 0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLen))) as Record<string, { data_offsets: [number, number]; dtype: string }>;
  assert.deepEqual(header['__metadata__'], { hello: 'world' });
  // Larger elements first, so every tensor is aligned to its element size.
  for (const [k, v] of Object.entries(header)) if (k !== '__metadata__') assert.equal(v.data_offsets[0] % ({ F64: 8, I64: 8, F32: 4, I32: 4, F16: 2, BF16: 2 }[v.dtype] ?? 1), 0, k);
  const { tensors: back, metadata } = decodeSafetensors(bytes);
  assert.deepEqual(metadata, { hello: 'world' });
  const vals = (name: string): number[] => {
    const t = rawToTensor(name, back.get(name)!);
    const v = Array.from(t.dataSync(), Number);
    t.dispose();
    return v;
  };
  assert.deepEqual(vals('b'), [1, 0, 1]);
  assert.deepEqual(vals('f32'), Array.from(new Float32Array([1.5, -2, 3.25, 1e-30])));
  assert.deepEqual(vals('f16'), [0.5, -3.140625, 65504, Infinity]);
  assert.deepEqual(vals('bf16'), [1.0078125, -256]);
  assert.deepEqual(vals('f64'), [Math.fround(0.1)]);
  assert.deepEqual(vals('i64'), [-5, 0, 2147483647]);
  assert.deepEqual(back.get('i64')!.data, new BigInt64Array([-5n, 0n, 2147483647n]));
  assert.deepEqual(vals('i32'), [-7]);
  assert.deepEqual(back.get('i32')!.shape, []);
  assert.deepEqual(vals('u8'), [0, 255]);
  assert.deepEqual(back.get('z')!.shape, [0]);
});

test('float16 conversion: rounding to nearest even, subnormals, specials', () => {
  assert.equal(float32ToFloat16Bits(1), 0x3c00);
  assert.equal(float32ToFloat16Bits(-2), 0xc000);
  assert.equal(float32ToFloat16Bits(65504), 0x7bff);
  assert.equal(float32ToFloat16Bits(65520), 0x7c00); // rounds up to Inf
  assert.equal(float32ToFloat16Bits(2 ** -24), 0x0001); // smallest subnormal
  assert.equal(float32ToFloat16Bits(2 ** -25), 0x0000); // halfway → even (0)
  assert.equal(float32ToFloat16Bits(1.5 * 2 ** -25), 0x0001);
  assert.equal(float32ToFloat16Bits(1 + 2 ** -11), 0x3c00); // halfway → even
  assert.equal(float32ToFloat16Bits(1 + 3 * 2 ** -11), 0x3c02);
  assert.equal(float32ToFloat16Bits(-0), 0x8000);
  assert.equal(float32ToFloat16Bits(NaN) & 0x7c00, 0x7c00);
  assert.equal(float16BitsToFloat32(0x0001), 2 ** -24);
  assert.equal(float16BitsToFloat32(0x7c00), Infinity);
  assert.ok(Number.isNaN(float16BitsToFloat32(0x7e00)));
  for (let h = 0; h < 0x7c00; h += 37) assert.equal(float32ToFloat16Bits(float16BitsToFloat32(h)), h);
  assert.equal(float32ToBfloat16Bits(1 + 2 ** -8), 0x3f80); // halfway → even
  assert.equal(float32ToBfloat16Bits(1 + 3 * 2 ** -8), 0x3f82);
});

test('saveSafetensors/loadSafetensors with tfjs tensors; atomic write leaves no temp files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sheaf-st-'));
  try {
    const m = new Map<string, tf.Tensor>([
      [
        'w',
        tf.tensor2d([
          [1, 2],
          [3, 4],
        ]),
      ],
      ['idx', tf.tensor1d([1, -2], 'int32')],
      ['mask', tf.tensor1d([true, false], 'bool')],
    ]);
    const path = join(dir, 'm.safetensors');
    saveSafetensors(path, m, { format: 'pt' });
    assert.deepEqual(readdirSync(dir), ['m.safetensors']);
    const back = loadSafetensors(path);
    assert.deepEqual(back.metadata, { format: 'pt' });
    for (const [k, t] of m) {
      assert.equal(back.get(k)!.dtype, t.dtype);
      assert.deepEqual(back.get(k)!.arraySync(), t.arraySync());
    }
    tf.dispose([...m.values(), ...back.values()]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('malformed files are InputErrors naming the file and tensor', () => {
  const good = encodeSafetensors(new Map([['a', { dtype: 'F32' as const, shape: [2], data: new Float32Array([1, 2]) }]]));
  const withHeader = (h: unknown, data = new Uint8Array(8)): Uint8Array => {
    const json = new TextEncoder().encode(JSON.stringify(h));
    const out = new Uint8Array(8 + json.length + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
    out.set(json, 8);
    out.set(data, 8 + json.length);
    return out;
  };
  const bad = (buf: Uint8Array, re: RegExp): void => {
    assert.throws(
      () => decodeSafetensors(buf, 'x.safetensors'),
      (e: unknown) => e instanceof InputError && /x\.safetensors/.test(e.message) && re.test(e.message),
    );
  };
  bad(good.subarray(0, 5), /header length/);
  bad(good.subarray(0, good.length - 1), /cover|data_offsets/);
  bad(withHeader({ a: { dtype: 'F8', shape: [2], data_offsets: [0, 8] } }), /field "a".*unsupported dtype/);
  bad(withHeader({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }), /needs 12/);
  bad(withHeader({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [2, 6] } }), /overlaps|gap/);
  bad(withHeader({ __metadata__: { n: 1 } }, new Uint8Array(0)), /must be a string/);
  const big = withHeader({ a: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, new Uint8Array(new BigInt64Array([1n << 40n]).buffer));
  const { tensors } = decodeSafetensors(big);
  assert.throws(() => rawToTensor('a', tensors.get('a')!, 'x.safetensors'), /does not fit in int32/);
});
