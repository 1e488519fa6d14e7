"""Convert a pretrain-gnns backbone (`model_gin/masking.pth`, `contextpred.pth`, `edgepred.pth`,
`infomax.pth`, or GraphCL's `graphcl_80.pth`: a `GNN` state dict saved with torch.save) to
safetensors under the same parameter names, for `sheaf adaptergnn train --pretrained <file>`.

    /usr/bin/python3 scripts/adaptergnn/pth_to_safetensors.py --pth masking.pth --out masking.safetensors

BatchNorm's `num_batches_tracked` counters are kept (Sheaf's BatchNorm has them too). A state dict of a
whole `GNN_graphpred` (keys `gnn.*`) is reduced to its backbone.
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'stemgnn'))
from safetensors_io import write_safetensors  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--pth', required=True, help='the GNN state dict saved by pretrain-gnns')
    ap.add_argument('--out', required=True, help='safetensors file to write')
    args = ap.parse_args()
    state = torch.load(args.pth, map_location='cpu')
    if hasattr(state, 'state_dict'):
        state = state.state_dict()
    if any(k.startswith('gnn.') for k in state):
        state = {k[4:]: v for k, v in state.items() if k.startswith('gnn.')}
    tensors = {k: v.detach().cpu().float().numpy() for k, v in state.items()}
    write_safetensors(args.out, tensors, {'source': os.path.basename(args.pth)})
    layers = len({k.split('.')[1] for k in tensors if k.startswith('gnns.')})
    width = tensors['x_embedding1.weight'].shape[1]
    print(f'wrote {len(tensors)} tensors ({layers} layers x {width}) to {args.out}; use: sheaf adaptergnn train --pretrained {args.out} --num-layer {layers} --emb-dim {width}')


if __name__ == '__main__':
    main()
