"""Minimal safetensors writer/reader (float32 only) with the standard library and numpy.

Format: 8-byte little-endian header length, a JSON header {name: {dtype, shape, data_offsets}},
then the raw little-endian tensor bytes. Used by the StemGNN fixture and conversion scripts so
that no extra Python package is needed.
"""
import json
import struct

import numpy as np


def write_safetensors(path, tensors, metadata=None):
    """Write {name: numpy array} as float32 safetensors (names sorted, as the reference library does)."""
    header = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(np.asarray(tensors[name], dtype='<f4'))
        raw = arr.tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(arr.shape), 'data_offsets': [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header['__metadata__'] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * ((8 - len(text) % 8) % 8)  # keep the data 8-byte aligned
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def read_safetensors(path):
    """Read a float32 safetensors file into {name: numpy array}."""
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        if info['dtype'] != 'F32':
            raise ValueError(f'{path}: tensor {name} has dtype {info["dtype"]}, only F32 is supported')
        s, e = info['data_offsets']
        out[name] = np.frombuffer(data[base + s:base + e], dtype='<f4').reshape(info['shape'])
    return out
