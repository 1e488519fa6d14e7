"""Produce the StemGNN parity fixtures from the official PyTorch code.

Usage (Debian python3-torch; the official repository checked out OUTSIDE this project, with the two
FFT calls replaced by their torch >= 1.8 equivalents, see docs/research/timeseries.md section 1.3):

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/stemgnn/make_fixtures.py \
        --official /tmp/stemgnn-official --out test/fixtures/stemgnn

Writes only numbers: state dicts as safetensors (official parameter names) and inputs/outputs as JSON.
 - tiny: N=5, T=12, m=1, H=3, trained 40 RMSprop steps (train mode, attention dropout on) on a
   seeded synthetic series, then: eval-mode forward of one batch of 32 windows (forecast,
   attention, Chebyshev stack), and the gradients of the MSE loss in eval mode.
 - odd: N=4, T=7, m=1, H=2 (odd spectrum lengths), random init, eval forward of 13 windows.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

from safetensors_io import write_safetensors


def windows(series, w, h):
    xs, ys = [], []
    for hi in range(w, len(series) - h + 1):
        xs.append(series[hi - w:hi])
        ys.append(series[hi:hi + h])
    return np.stack(xs).astype(np.float32), np.stack(ys).astype(np.float32)


def state(model):
    return {k: v.detach().numpy() for k, v in model.state_dict().items()}


def flat(t):
    a = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    return {'shape': list(a.shape), 'data': [float(v) for v in a.reshape(-1)]}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--official', required=True, help='folder of the official StemGNN code')
    ap.add_argument('--out', required=True)
    args = ap.parse_args()
    sys.path.insert(0, args.official)
    from models.base_model import Model  # the official model class

    torch.set_num_threads(1)
    os.makedirs(args.out, exist_ok=True)

    # ---- tiny: trained a little, then forward + gradients -------------------------------------
    N, T, m, H = 5, 12, 1, 3
    rng = np.random.default_rng(7)
    t = np.arange(400)[:, None]
    series = np.sin(2 * np.pi * t / 7 + np.arange(N)) + 0.5 * np.cos(2 * np.pi * t / 23 * (1 + np.arange(N) / 5))
    series = series + 0.1 * rng.standard_normal(series.shape)
    series = (series - series.mean(0)) / series.std(0)
    X, Y = windows(series, T, H)
    torch.manual_seed(0)
    model = Model(N, 2, T, m, horizon=H)
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, eps=1e-8)
    loss_fn = torch.nn.MSELoss()
    model.train()
    losses = []
    for step in range(40):
        idx = rng.choice(len(X), 32, replace=False)
        model.zero_grad()
        out, _ = model(torch.from_numpy(X[idx]))
        loss = loss_fn(out, torch.from_numpy(Y[idx]))
        loss.backward()
        opt.step()
        losses.append(float(loss))
    write_safetensors(os.path.join(args.out, 'tiny.safetensors'), state(model),
                      {'N': N, 'T': T, 'multi_layer': m, 'horizon': H})

    model.eval()
    xb = torch.from_numpy(X[100:132])
    yb = torch.from_numpy(Y[100:132])
    with torch.no_grad():
        mul_L, attention = model.latent_correlation_layer(xb)
        forecast, _ = model(xb)
    model.zero_grad()
    out, _ = model(xb)
    loss = loss_fn(out, yb)
    loss.backward()
    grads = {k: p.grad.numpy() for k, p in model.named_parameters() if p.grad is not None}
    write_safetensors(os.path.join(args.out, 'tiny_grads.safetensors'), grads)
    tiny = {
        'config': {'nodes': N, 'window': T, 'multiLayer': m, 'horizon': H},
        'trainLosses': losses,
        'x': flat(xb), 'y': flat(yb), 'forecast': flat(forecast), 'attention': flat(attention),
        'mulL': flat(mul_L), 'loss': float(loss),
        'noGrad': sorted(k for k, p in model.named_parameters() if p.grad is None),
        'numParameters': sum(p.numel() for p in model.parameters()),
    }
    with open(os.path.join(args.out, 'tiny.json'), 'w') as f:
        json.dump(tiny, f)

    # ---- odd: odd lengths, random init, forward only -----------------------------------------
    N, T, m, H = 4, 7, 1, 2
    torch.manual_seed(1)
    model = Model(N, 2, T, m, horizon=H)
    model.eval()
    xb = torch.randn(13, T, N)
    with torch.no_grad():
        forecast, attention = model(xb)
    write_safetensors(os.path.join(args.out, 'odd.safetensors'), state(model),
                      {'N': N, 'T': T, 'multi_layer': m, 'horizon': H})
    with open(os.path.join(args.out, 'odd.json'), 'w') as f:
        json.dump({'config': {'nodes': N, 'window': T, 'multiLayer': m, 'horizon': H},
                   'x': flat(xb), 'forecast': flat(forecast), 'attention': flat(attention),
                   'numParameters': sum(p.numel() for p in model.parameters())}, f)
    print('tiny losses', losses[0], '->', losses[-1])


if __name__ == '__main__':
    main()
