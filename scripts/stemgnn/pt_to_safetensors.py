"""Convert a model saved by the official StemGNN code to safetensors for `sheaf stemgnn eval|predict`.

The official `handler.save_model` pickles the whole module (`output/<dataset>/train/_stemgnn.pt`),
so unpickling needs the official `models` package: pass the folder of the official repository.

    /usr/bin/python3 scripts/stemgnn/pt_to_safetensors.py \
        --official ~/StemGNN --model ~/StemGNN/output/PeMS07/train/_stemgnn.pt --out stemgnn.safetensors

Then: sheaf stemgnn eval --checkpoint stemgnn.safetensors \
        --norm-stat ~/StemGNN/output/PeMS07/train/norm_stat.json --data PeMS07.csv
A file holding a plain state dict (torch.save(model.state_dict(), ...)) works too.
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import write_safetensors  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--official', help='folder of the official StemGNN code (needed to unpickle a whole model)')
    ap.add_argument('--model', required=True, help='_stemgnn.pt written by the official code, or a state dict')
    ap.add_argument('--out', required=True, help='safetensors file to write')
    args = ap.parse_args()
    if args.official:
        sys.path.insert(0, args.official)
    obj = torch.load(args.model, map_location='cpu')
    state = obj.state_dict() if hasattr(obj, 'state_dict') else obj
    tensors = {k: v.detach().cpu().float().numpy() for k, v in state.items()}
    write_safetensors(args.out, tensors, {'source': os.path.basename(args.model)})
    print(f'wrote {len(tensors)} tensors to {args.out}')


if __name__ == '__main__':
    main()
