/**
 * Identity and same-dtype Cast for the WASM backend as reference-count shares of the input's
 * buffer, as WASM's own Reshape already does. The stock kernels memcpy, and tfjs-core runs
 * Identity on every tensor it saves for the backward pass, so a training step copied every saved
 * activation (769 Identity kernels per StemGNN forward under `variableGrads`). Tensor buffers are
 * immutable in tfjs, so sharing is safe.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';

interface RefCounted {
  incRef(dataId: object): void;
}

/** Identity / Cast kernels that share when the dtype is unchanged; other cases go to the originals. */
export function makeShareKernels(originalIdentity: KernelFunc, originalCast: KernelFunc): KernelConfig[] {
  const identity: KernelFunc = (args) => {
    const x = args.inputs['x'] as TensorInfo;
    if (x.dtype === 'string') return originalIdentity(args);
    (args.backend as unknown as RefCounted).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
  };
  const cast: KernelFunc = (args) => {
    const x = args.inputs['x'] as TensorInfo;
    const { dtype } = args.attrs as unknown as { dtype: tf.DataType };
    if (dtype !== x.dtype || x.dtype === 'string' || x.dtype === 'complex64') return originalCast(args);
    (args.backend as unknown as RefCounted).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
  };
  return [
    { kernelName: tf.Identity, backendName: 'wasm', kernelFunc: identity },
    { kernelName: tf.Cast, backendName: 'wasm', kernelFunc: cast },
  ];
}
