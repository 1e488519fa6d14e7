#!/usr/bin/python3
"""Reference values for src/nn layers, written to test/fixtures/nn_layers.json.

Independent of the TypeScript code: LayerNorm, BatchNorm1d, Conv1d, MultiheadAttention and
F.glu are PyTorch's own modules (Debian python3-torch); RMSNorm, rotary embeddings (Hugging
Face's rotate_half form), the ML4ITS-style dense GAT/GATv2 scores (built with the explicit
[v_i || v_j] pair tensor) and the Hu et al. GIN layer (self-loops appended as real edges,
index_add_ aggregation) are direct torch transcriptions of the published formulas.

Weights are stored under PyTorch state-dict names, so the TS tests also check name and layout
compatibility. Every tensor is {"shape": [...], "data": [...]} with float32-rounded values.

Run: /usr/bin/python3 scripts/make_nn_fixtures.py
"""
import json
import math
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'nn_layers.json')

torch.manual_seed(0)


def t(x):
    x = x.detach().to(torch.float32)
    return {'shape': list(x.shape), 'data': [float(v) for v in x.reshape(-1).tolist()]}


def ti(x):
    return {'shape': list(x.shape), 'data': [int(v) for v in x.reshape(-1).tolist()]}


def sd(module):
    return {k: t(v) for k, v in module.state_dict().items()}


def layer_norm():
    ln = torch.nn.LayerNorm([3, 4])
    with torch.no_grad():
        ln.weight.copy_(torch.randn(3, 4))
        ln.bias.copy_(torch.randn(3, 4))
    x = torch.randn(2, 5, 3, 4) * 3 + 1
    return {'state': sd(ln), 'x': t(x), 'y': t(ln(x))}


def rms_norm():
    d = 6
    w = torch.randn(d)
    x = torch.randn(3, 4, d)
    eps = 1e-6
    y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps) * w
    # NutePrune's variant: divide the sum of squares by a fixed original width (here 8).
    y8 = x * torch.rsqrt(x.pow(2).sum(-1, keepdim=True) / 8 + eps) * w
    return {'state': {'weight': t(w)}, 'x': t(x), 'y': t(y), 'yWidth8': t(y8)}


def batch_norm():
    out = {}
    # [N, C, L] input, momentum 0.1: two training steps, then eval.
    bn = torch.nn.BatchNorm1d(3)
    with torch.no_grad():
        bn.weight.copy_(torch.randn(3))
        bn.bias.copy_(torch.randn(3))
    init = sd(bn)
    x1, x2, x3 = torch.randn(4, 3, 5) * 2 + 0.5, torch.randn(4, 3, 5) - 1, torch.randn(2, 3, 5)
    bn.train()
    y1 = bn(x1)
    y2 = bn(x2)
    bn.eval()
    y3 = bn(x3)
    out['rank3'] = {'init': init, 'x1': t(x1), 'x2': t(x2), 'x3': t(x3), 'y1': t(y1), 'y2': t(y2), 'y3': t(y3),
                    'final': {k: (t(v) if v.dtype.is_floating_point else int(v.item())) for k, v in bn.state_dict().items()}}
    # [N, C] input, momentum None (cumulative average): three training steps, then eval.
    bn = torch.nn.BatchNorm1d(3, momentum=None)
    xs = [torch.randn(6, 3) * (i + 1) + i for i in range(3)]
    bn.train()
    ys = [bn(x) for x in xs]
    bn.eval()
    xe = torch.randn(2, 3)
    ye = bn(xe)
    out['rank2Cumulative'] = {'xs': [t(x) for x in xs], 'ys': [t(y) for y in ys], 'xe': t(xe), 'ye': t(ye),
                              'final': {k: (t(v) if v.dtype.is_floating_point else int(v.item())) for k, v in bn.state_dict().items()}}
    return out


def conv1d():
    cases = []
    for name, pad, dil, L in [('same_dil2', 'same', 2, 9), ('pad1', 1, 1, 7), ('valid_k4', 0, 1, 8), ('same_even_k4', 'same', 1, 6)]:
        k = 4 if 'k4' in name else 3
        conv = torch.nn.Conv1d(3, 4, k, padding=pad, dilation=dil)
        x = torch.randn(2, 3, L, requires_grad=True)
        y = conv(x)
        r = torch.randn(*y.shape)
        (y * r).sum().backward()
        cases.append({'name': name, 'kernel': k, 'padding': pad, 'dilation': dil, 'state': sd(conv), 'x': t(x), 'y': t(y), 'r': t(r),
                      'gradWeight': t(conv.weight.grad), 'gradBias': t(conv.bias.grad), 'gradX': t(x.grad)})
    return cases


def mha():
    E, H = 8, 2
    m = torch.nn.MultiheadAttention(E, H, batch_first=True)
    with torch.no_grad():
        m.in_proj_bias.copy_(torch.randn(3 * E) * 0.1)
        m.out_proj.bias.copy_(torch.randn(E) * 0.1)
    x = torch.randn(2, 5, E)
    pad = torch.tensor([[False] * 5, [False, False, False, True, True]])
    causal = torch.triu(torch.ones(5, 5, dtype=torch.bool), diagonal=1)
    y, w = m(x, x, x, key_padding_mask=pad, attn_mask=causal, need_weights=True, average_attn_weights=False)
    W, b = m.in_proj_weight, m.in_proj_bias
    state = {
        'q_proj.weight': t(W[:E]), 'q_proj.bias': t(b[:E]),
        'k_proj.weight': t(W[E:2 * E]), 'k_proj.bias': t(b[E:2 * E]),
        'v_proj.weight': t(W[2 * E:]), 'v_proj.bias': t(b[2 * E:]),
        'o_proj.weight': t(m.out_proj.weight), 'o_proj.bias': t(m.out_proj.bias),
    }
    # Cross-attention without masks: query length 3, key length 5.
    q = torch.randn(2, 3, E)
    yc, wc = m(q, x, x, need_weights=True, average_attn_weights=False)
    return {'state': state, 'x': t(x), 'keyPaddingMask': ti(pad.to(torch.int32)), 'y': t(y), 'weights': t(w),
            'query': t(q), 'yCross': t(yc), 'weightsCross': t(wc)}


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


def rope(x, pos, base, rd=None):
    d = x.shape[-1] if rd is None else rd
    inv = 1.0 / (base ** (torch.arange(0, d, 2, dtype=torch.int64).float() / d))
    freqs = pos.float()[:, None] * inv[None, :]
    emb = torch.cat([freqs, freqs], dim=-1)
    xr, xp = x[..., :d], x[..., d:]
    out = xr * emb.cos() + rotate_half(xr) * emb.sin()
    return torch.cat([out, xp], dim=-1)


def rotary():
    x = torch.randn(2, 3, 4, 8)
    pos = torch.arange(5, 9)
    return {'x': t(x), 'positions': pos.tolist(), 'y': t(rope(x, pos, 10000.0)),
            'yPartialBase1e5': t(rope(x, pos, 1e5, rd=4))}


def mha_rotary_gqa():
    # LLaMA-style attention: no biases, 4 query heads sharing 2 kv heads, RoPE, causal.
    E, H, Hkv, d, T, B = 16, 4, 2, 4, 6, 2
    Wq, Wk, Wv, Wo = torch.randn(H * d, E) * 0.3, torch.randn(Hkv * d, E) * 0.3, torch.randn(Hkv * d, E) * 0.3, torch.randn(E, H * d) * 0.3
    x = torch.randn(B, T, E)
    q = (x @ Wq.T).view(B, T, H, d).transpose(1, 2)
    k = (x @ Wk.T).view(B, T, Hkv, d).transpose(1, 2)
    v = (x @ Wv.T).view(B, T, Hkv, d).transpose(1, 2)
    pos = torch.arange(T)
    q, k = rope(q, pos, 10000.0), rope(k, pos, 10000.0)
    k = k.repeat_interleave(H // Hkv, dim=1)
    v = v.repeat_interleave(H // Hkv, dim=1)
    s = q @ k.transpose(-1, -2) / math.sqrt(d)
    s = s.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float('-inf'))
    w = s.softmax(-1)
    head_mask = torch.tensor([1.0, 0.5, 0.0, 0.8])
    ctx = (w @ v) * head_mask[None, :, None, None]
    y = ctx.transpose(1, 2).reshape(B, T, H * d) @ Wo.T
    state = {'q_proj.weight': t(Wq), 'k_proj.weight': t(Wk), 'v_proj.weight': t(Wv), 'o_proj.weight': t(Wo)}
    return {'state': state, 'x': t(x), 'headMask': t(head_mask), 'y': t(y), 'weights': t(w)}


def pairs(v):
    """[b, K, D] → [b, K, K, 2D] with entry (i, j) = [v_i || v_j] (ML4ITS's construction)."""
    K = v.shape[1]
    left = v.repeat_interleave(K, dim=1)
    right = v.repeat(1, K, 1)
    return torch.cat((left, right), dim=2).view(v.shape[0], K, K, 2 * v.shape[2])


def gat():
    b, K, Fdim, alpha = 2, 5, 3, 0.2
    x = torch.randn(b, K, Fdim)
    out = {'x': t(x)}
    # GATv2 (ML4ITS default): lin 2F → 2F on the pair, a [2F, 1], bias [K, K], sigmoid of α·x.
    E = 2 * Fdim
    lin = torch.nn.Linear(2 * Fdim, E)
    a = torch.randn(E, 1)
    bias = torch.randn(K, K) * 0.3
    xg = x.clone().requires_grad_(True)
    a.requires_grad_(True)
    bias.requires_grad_(True)
    e = (F.leaky_relu(lin(pairs(xg)), alpha) @ a).squeeze(3) + bias
    att = torch.softmax(e, dim=2)
    h = torch.sigmoid(att @ xg)
    # Exact gradients of Σ h ⊙ R (finite differences are unreliable next to LeakyReLU kinks).
    R = torch.randn(*h.shape)
    (h * R).sum().backward()
    grads = {'lin.weight': t(lin.weight.grad), 'lin.bias': t(lin.bias.grad), 'a': t(a.grad), 'bias': t(bias.grad), 'x': t(xg.grad)}
    out['v2'] = {'state': {'lin.weight': t(lin.weight), 'lin.bias': t(lin.bias), 'a': t(a), 'bias': t(bias)}, 'y': t(h), 'weights': t(att),
                 'r': t(R), 'grads': grads}
    # GAT v1: lin F → E on nodes, a [2E, 1], no bias matrix; with an adjacency mask.
    E1 = 4
    lin1 = torch.nn.Linear(Fdim, E1)
    a1 = torch.randn(2 * E1, 1)
    a1.requires_grad_(True)
    xg = x.clone().requires_grad_(True)
    wx = lin1(xg)
    e1 = F.leaky_relu(pairs(wx) @ a1, alpha).squeeze(3)
    adj = (torch.rand(K, K) > 0.4).to(torch.int32)
    adj.fill_diagonal_(1)
    e1 = e1.masked_fill(adj == 0, float('-inf'))
    att1 = torch.softmax(e1, dim=2)
    y_in = torch.sigmoid(att1 @ xg)
    y_proj = F.elu(att1 @ wx)
    R = torch.randn(*y_proj.shape)
    (y_proj * R).sum().backward()
    grads = {'lin.weight': t(lin1.weight.grad), 'lin.bias': t(lin1.bias.grad), 'a': t(a1.grad), 'x': t(xg.grad)}
    out['v1'] = {'state': {'lin.weight': t(lin1.weight), 'lin.bias': t(lin1.bias), 'a': t(a1)}, 'adjacency': ti(adj),
                 'yInputSigmoid': t(y_in), 'yProjectedElu': t(y_proj), 'weights': t(att1), 'rProjected': t(R), 'gradsProjected': grads}
    return out


def gin_edge():
    N, D = 5, 4
    src = torch.tensor([0, 1, 1, 2, 3, 4, 2])
    dst = torch.tensor([1, 0, 2, 1, 4, 3, 3])
    attr = torch.tensor([[0, 0], [0, 0], [3, 1], [3, 2], [1, 0], [1, 0], [2, 1]])
    x = torch.randn(N, D)
    mlp = torch.nn.Sequential(torch.nn.Linear(D, 2 * D), torch.nn.ReLU(), torch.nn.Linear(2 * D, D))
    e1, e2 = torch.nn.Embedding(6, D), torch.nn.Embedding(3, D)
    torch.nn.init.xavier_uniform_(e1.weight.data)
    torch.nn.init.xavier_uniform_(e2.weight.data)
    # Self-loops as real edges with attributes (4, 0), as the reference code does.
    loops = torch.arange(N)
    src_all, dst_all = torch.cat([src, loops]), torch.cat([dst, loops])
    attr_all = torch.cat([attr, torch.tensor([[4, 0]] * N)])
    msg = x[src_all] + e1(attr_all[:, 0]) + e2(attr_all[:, 1])
    agg = torch.zeros(N, D).index_add_(0, dst_all, msg)
    state = {'mlp.' + k: t(v) for k, v in mlp.state_dict().items()}
    state['edge_embedding1.weight'] = t(e1.weight)
    state['edge_embedding2.weight'] = t(e2.weight)
    return {'state': state, 'x': t(x), 'src': src.tolist(), 'dst': dst.tolist(), 'edgeAttr': ti(attr.to(torch.int32)),
            'aggregate': t(agg), 'y': t(mlp(agg))}


def glu():
    x = torch.randn(3, 4, 6)
    left, right = torch.nn.Linear(6, 5), torch.nn.Linear(6, 5)
    y = left(x) * torch.sigmoid(right(x))
    state = {'linear_left.' + k: t(v) for k, v in left.state_dict().items()}
    state.update({'linear_right.' + k: t(v) for k, v in right.state_dict().items()})
    return {'x': t(x), 'gluLast': t(F.glu(x, -1)), 'gluDim1': t(F.glu(x, 1)), 'state': state, 'y': t(y)}


def main():
    with torch.no_grad():
        fixtures = {'torch': torch.__version__, 'layerNorm': layer_norm(), 'rmsNorm': rms_norm()}
    fixtures['batchNorm'] = batch_norm()
    fixtures['conv1d'] = conv1d()
    fixtures['gat'] = gat()
    with torch.no_grad():
        fixtures['mha'] = mha()
        fixtures['rotary'] = rotary()
        fixtures['mhaRotaryGqa'] = mha_rotary_gqa()
        fixtures['ginEdge'] = gin_edge()
        fixtures['glu'] = glu()
    with open(OUT, 'w') as f:
        json.dump(fixtures, f, separators=(',', ':'))
    print('wrote', OUT)


if __name__ == '__main__':
    main()
