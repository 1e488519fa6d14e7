#!/usr/bin/python3
"""Reference values for src/nn/lstm.ts and src/nn/mixer.ts, written to test/fixtures/nn/lstm_mixer.json.

Plain PyTorch (Debian python3-torch), independent of the TypeScript code:
  * torch.nn.LSTM itself (2 layers, seq-first, input 5 -> hidden 4, T 6, B 3), with and without
    an initial (h0, c0);
  * DyGLib's FeedForwardNet and MLPMixer transcribed from models/GraphMixer.py (B 2, N 6 tokens,
    C 8 channels, dropout 0), with LayerNorm affine parameters moved off ones / zeros so they matter;
  * Python's int(factor * dim) for a few widths, the hidden sizes DyGLib gives its FFNs.

Parameters and inputs are drawn in float32 (what the TypeScript side loads) and the references
computed in float64. Gradients are of sum(out * R) (plus the final states for the LSTM) w.r.t. the
inputs and every parameter. State dicts use PyTorch names; every tensor is {"shape", "data"}.

Run: env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/nn/make_tgsl_layer_fixtures.py
"""
import json
import os

import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'nn', 'lstm_mixer.json')

torch.manual_seed(0)


def t(x):
    x = x.detach().to(torch.float32)
    return {'shape': list(x.shape), 'data': [float(v) for v in x.reshape(-1).tolist()]}


def leaf(x):
    """A float64 copy of a float32 tensor (exact), tracked by autograd."""
    return x.detach().to(torch.float32).double().requires_grad_(True)


# ---- LSTM ----------------------------------------------------------------------------------

I, H, L, T, B = 5, 4, 2, 6, 3


def lstm_fixture():
    lstm = nn.LSTM(I, H, num_layers=L, batch_first=False)
    state = {k: v.detach().clone() for k, v in lstm.state_dict().items()}
    lstm = lstm.double()
    x = torch.randn(T, B, I)
    h0 = 0.5 * torch.randn(L, B, H)
    c0 = 0.5 * torch.randn(L, B, H)
    R, Rh, Rc = torch.randn(T, B, H), torch.randn(L, B, H), torch.randn(L, B, H)
    out = {'inputSize': I, 'hiddenSize': H, 'numLayers': L, 'state': {k: t(v) for k, v in state.items()},
           'x': t(x), 'h0': t(h0), 'c0': t(c0), 'r': t(R), 'rH': t(Rh), 'rC': t(Rc)}
    names = [n for n, _ in lstm.named_parameters()]
    for case in ['noState', 'withState']:
        xs = leaf(x)
        inputs = {'x': xs}
        if case == 'withState':
            inputs['h0'], inputs['c0'] = leaf(h0), leaf(c0)
            y, (hn, cn) = lstm(xs, (inputs['h0'], inputs['c0']))
        else:
            y, (hn, cn) = lstm(xs)
        loss = (y * R.double()).sum() + (hn * Rh.double()).sum() + (cn * Rc.double()).sum()
        wrt = list(inputs.values()) + [p for _, p in lstm.named_parameters()]
        grads = torch.autograd.grad(loss, wrt)
        out[case] = {'output': t(y), 'hN': t(hn), 'cN': t(cn), 'loss': float(loss),
                     'grads': {n: t(g) for n, g in zip(list(inputs.keys()) + names, grads)}}
    return out


# ---- DyGLib GraphMixer's MLPMixer ------------------------------------------------------------


class FeedForwardNet(nn.Module):
    def __init__(self, input_dim, dim_expansion_factor, dropout=0.0):
        super().__init__()
        self.ffn = nn.Sequential(nn.Linear(in_features=input_dim, out_features=int(dim_expansion_factor * input_dim)),
                                 nn.GELU(),
                                 nn.Dropout(dropout),
                                 nn.Linear(in_features=int(dim_expansion_factor * input_dim), out_features=input_dim),
                                 nn.Dropout(dropout))

    def forward(self, x):
        return self.ffn(x)


class MLPMixer(nn.Module):
    def __init__(self, num_tokens, num_channels, token_dim_expansion_factor=0.5, channel_dim_expansion_factor=4.0, dropout=0.0):
        super().__init__()
        self.token_norm = nn.LayerNorm(num_tokens)
        self.token_feedforward = FeedForwardNet(num_tokens, token_dim_expansion_factor, dropout)
        self.channel_norm = nn.LayerNorm(num_channels)
        self.channel_feedforward = FeedForwardNet(num_channels, channel_dim_expansion_factor, dropout)

    def forward(self, x):
        h = self.token_norm(x.permute(0, 2, 1))
        h = self.token_feedforward(h).permute(0, 2, 1)
        out = h + x
        h = self.channel_norm(out)
        h = self.channel_feedforward(h)
        return h + out


MB, MN, MC = 2, 6, 8


def mixer_fixture():
    mixer = MLPMixer(MN, MC, dropout=0.0)
    with torch.no_grad():
        for norm in [mixer.token_norm, mixer.channel_norm]:
            norm.weight.copy_(1 + 0.2 * torch.randn_like(norm.weight))
            norm.bias.copy_(0.1 * torch.randn_like(norm.bias))
    state = {k: v.detach().clone() for k, v in mixer.state_dict().items()}
    mixer = mixer.double().eval()
    x = torch.randn(MB, MN, MC)
    R = torch.randn(MB, MN, MC)
    xs = leaf(x)
    y = mixer(xs)
    loss = (y * R.double()).sum()
    names = [n for n, _ in mixer.named_parameters()]
    grads = torch.autograd.grad(loss, [xs] + [p for _, p in mixer.named_parameters()])
    return {'numTokens': MN, 'numChannels': MC, 'tokenDimExpansionFactor': 0.5, 'channelDimExpansionFactor': 4.0,
            'state': {k: t(v) for k, v in state.items()}, 'x': t(x), 'r': t(R), 'output': t(y), 'loss': float(loss),
            'grads': {n: t(g) for n, g in zip(['x'] + names, grads)}}


def widths():
    """[dim, factor, int(factor * dim)], including products that land just off an integer."""
    dims = [5, 6, 7, 10, 30, 172]
    factors = [0.5, 4.0, 0.3, 0.7, 1.1, 2.5, 0.1]
    return [[d, f, int(f * d)] for d in dims for f in factors if int(f * d) > 0]


def main():
    fx = {'torch': torch.__version__, 'lstm': lstm_fixture(), 'mixer': mixer_fixture(), 'widths': widths()}
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(fx, f, separators=(',', ':'))
    print('wrote', os.path.normpath(OUT))


if __name__ == '__main__':
    main()
