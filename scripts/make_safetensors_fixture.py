#!/usr/bin/python3
"""A small .safetensors file for test/train/safetensors.test.ts, written with struct + json + numpy
only (Debian has no python3-safetensors), straight from the format description:

    8 bytes   u64 little-endian N = header length
    N bytes   UTF-8 JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}},
              padded with spaces so 8 + N is a multiple of 8
    rest      raw little-endian tensor bytes; offsets are relative to the start of this region

Writes test/fixtures/sample.safetensors and test/fixtures/sample.safetensors.json (the values each
tensor must decode to, as float64/int lists, and the metadata).

Run: /usr/bin/python3 scripts/make_safetensors_fixture.py
"""
import json
import os
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'sample.safetensors')


def bf16_bytes(x):
    """bfloat16 = the top 16 bits of float32 (values chosen exactly representable, so no rounding)."""
    bits = np.asarray(x, dtype=np.float32).view(np.uint32) >> 16
    return bits.astype('<u2').tobytes()


def main():
    f32 = np.array([[1.5, -2.25, 3.0], [0.1, 1e-7, -65504.0]], dtype='<f4')
    f16 = np.array([0.5, -1.0, 65504.0, 6.103515625e-05, 5.960464477539063e-08, 0.0, -0.0, 3.140625], dtype='<f2')
    bf16 = np.array([1.0, -2.5, 3.3895313892515355e38, 0.0078125], dtype=np.float32)
    f64 = np.array([[0.1, -1e10], [2.5, 1e-300]], dtype='<f8')
    i64 = np.array([0, -1, 2147483647, -2147483648, 42], dtype='<i8')
    i32 = np.array([[7, -8], [9, 2147483647]], dtype='<i4')
    boolean = np.array([True, False, False, True, True], dtype=np.bool_)
    u8 = np.array([0, 1, 254, 255], dtype=np.uint8)
    scalar = np.array(2.75, dtype='<f4')

    # The BOOL tensor (5 bytes) sits in the middle so later tensors start unaligned: a reader must
    # not assume aligned offsets.
    entries = [
        ('encoder.weight', 'F32', list(f32.shape), f32.tobytes(), f32.astype(np.float64).ravel().tolist()),
        ('mask', 'BOOL', list(boolean.shape), boolean.tobytes(), boolean.astype(int).tolist()),
        ('half', 'F16', list(f16.shape), f16.tobytes(), f16.astype(np.float64).tolist()),
        ('brain', 'BF16', list(bf16.shape), bf16_bytes(bf16), bf16.astype(np.float64).tolist()),
        ('double', 'F64', list(f64.shape), f64.tobytes(), f64.astype(np.float32).astype(np.float64).ravel().tolist()),
        ('counts', 'I64', list(i64.shape), i64.tobytes(), i64.tolist()),
        ('ids', 'I32', list(i32.shape), i32.tobytes(), i32.ravel().tolist()),
        ('bytes', 'U8', list(u8.shape), u8.tobytes(), u8.tolist()),
        ('scalar', 'F32', [], scalar.tobytes(), [2.75]),
        ('empty', 'F32', [0, 3], b'', []),
    ]
    header = {}
    data = b''
    for name, dtype, shape, raw, _ in entries:
        header[name] = {'dtype': dtype, 'shape': shape, 'data_offsets': [len(data), len(data) + len(raw)]}
        data += raw
    metadata = {'format': 'pt', 'note': 'written by scripts/make_safetensors_fixture.py'}
    header['__metadata__'] = metadata
    hbytes = json.dumps(header, separators=(',', ':')).encode('utf-8')
    hbytes += b' ' * ((8 - (8 + len(hbytes)) % 8) % 8)
    with open(OUT, 'wb') as f:
        f.write(struct.pack('<Q', len(hbytes)))
        f.write(hbytes)
        f.write(data)
    expected = {
        'metadata': metadata,
        'tensors': {name: {'dtype': dtype, 'shape': shape, 'values': values} for name, dtype, shape, _, values in entries},
    }
    with open(OUT + '.json', 'w') as f:
        json.dump(expected, f, indent=1)
        f.write('\n')
    print('wrote', os.path.normpath(OUT), os.path.getsize(OUT), 'bytes')


if __name__ == '__main__':
    main()
