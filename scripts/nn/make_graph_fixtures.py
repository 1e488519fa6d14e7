#!/usr/bin/python3
"""Reference values for src/nn/graph, written to test/fixtures/nn/graph.json.

Plain PyTorch (Debian python3-torch; torch_geometric is not available), independent of the
TypeScript code:
  * segment reductions with torch.scatter_reduce / index_add_ (sum, mean, amax, edge softmax,
    PyG's SoftmaxAggregation) and their autograd gradients;
  * the Hu et al. molecular GNN transcribed from snap-stanford/pretrain-gnns chem/model.py
    (self-loops appended with bond type 4 in every layer, edge embeddings added to the
    messages, MLP emb→2emb→emb, BatchNorm, ReLU except the last layer, JK, GNN_graphpred pooling
    incl. GlobalAttention), plus parallel bottleneck adapters added after each BatchNorm as
    docs/research/graph.md §1a describes AdapterGNN (under Sheaf's branch names);
  * TGAT's TimeEncode, MergeLayer and AttnModel('prod') transcribed from the official TGAT
    module.py (masked_fill(mask, -1e10), post-norm residual), with TGSL's value weights.

State dicts use PyTorch names. Every tensor is {"shape": [...], "data": [...]}.

Run: /usr/bin/python3 scripts/nn/make_graph_fixtures.py
"""
import json
import math
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'fixtures', 'nn', 'graph.json')

torch.manual_seed(0)


def t(x):
    x = x.detach().to(torch.float32)
    return {'shape': list(x.shape), 'data': [float(v) for v in x.reshape(-1).tolist()]}


def ti(x):
    return {'shape': list(x.shape), 'data': [int(v) for v in x.reshape(-1).tolist()]}


def seg_softmax(s, idx, n):
    mx = torch.full((n,) + s.shape[1:], -math.inf).scatter_reduce(0, idx.view(-1, *([1] * (s.dim() - 1))).expand_as(s), s, 'amax', include_self=True)
    e = torch.exp(s - mx[idx])
    den = torch.zeros((n,) + s.shape[1:]).index_add_(0, idx, e)
    return e / den[idx]


def scatter_fixture():
    E, Fd, n = 9, 3, 5  # segment 4 receives nothing
    idx = torch.tensor([0, 2, 1, 0, 3, 2, 2, 0, 1])
    x = torch.randn(E, Fd, requires_grad=True)
    R = torch.randn(n, Fd)
    out = {'x': t(x), 'index': idx.tolist(), 'numSegments': n, 'r': t(R)}
    ex = idx.view(-1, 1).expand(-1, Fd)
    res = {
        'sum': torch.zeros(n, Fd).index_add(0, idx, x),
        'mean': torch.zeros(n, Fd).scatter_reduce(0, ex, x, 'mean', include_self=False),
        'max': torch.zeros(n, Fd).scatter_reduce(0, ex, x, 'amax', include_self=False),
    }
    alpha = seg_softmax(x * 2.0, idx, n)
    res['softmaxT2'] = torch.zeros(n, Fd).index_add(0, idx, alpha * x)
    for k, y in res.items():
        g, = torch.autograd.grad((y * R).sum(), x)
        out[k] = {'y': t(y), 'gradX': t(g)}
    s = torch.randn(E, 2, requires_grad=True)
    Rs = torch.randn(E, 2)
    y = seg_softmax(s, idx, n)
    g, = torch.autograd.grad((y * Rs).sum(), s)
    out['edgeSoftmax'] = {'scores': t(s), 'r': t(Rs), 'y': t(y), 'gradScores': t(g)}
    return out


# ---- Hu et al. GNN ---------------------------------------------------------------------------

D, L = 8, 2


def molecules():
    """Three small 'molecules': nodes (atom type, chirality), undirected bonds (type, direction)."""
    mols = [
        {'x': [[5, 0], [7, 0], [5, 1], [6, 0]], 'bonds': [(0, 1, 0, 0), (1, 2, 1, 0), (2, 3, 3, 1), (0, 3, 3, 2)]},
        {'x': [[0, 0]], 'bonds': []},  # a single atom: no edges
        {'x': [[5, 0], [5, 2], [15, 0]], 'bonds': [(0, 1, 2, 0), (1, 2, 0, 0)]},
    ]
    out = []
    for m in mols:
        src, dst, attr = [], [], []
        for i, j, bt, bd in m['bonds']:
            src += [i, j]
            dst += [j, i]
            attr += [[bt, bd], [bt, bd]]
        out.append({'numNodes': len(m['x']), 'x': m['x'], 'src': src, 'dst': dst, 'edgeAttr': attr})
    return out


def collate(mols):
    xs, src, dst, attr, batch = [], [], [], [], []
    off = 0
    for g, m in enumerate(mols):
        xs += m['x']
        src += [s + off for s in m['src']]
        dst += [d + off for d in m['dst']]
        attr += m['edgeAttr']
        batch += [g] * m['numNodes']
        off += m['numNodes']
    return (torch.tensor(xs), torch.tensor([src, dst], dtype=torch.long).view(2, -1),
            torch.tensor(attr, dtype=torch.long).view(-1, 2), torch.tensor(batch))


def make_state():
    s = {'x_embedding1.weight': torch.randn(120, D) * 0.5, 'x_embedding2.weight': torch.randn(3, D) * 0.5}
    for l in range(L):
        p = f'gnns.{l}.'
        s[p + 'mlp.0.weight'] = torch.randn(2 * D, D) * 0.4
        s[p + 'mlp.0.bias'] = torch.randn(2 * D) * 0.1
        s[p + 'mlp.2.weight'] = torch.randn(D, 2 * D) * 0.4
        s[p + 'mlp.2.bias'] = torch.randn(D) * 0.1
        s[p + 'edge_embedding1.weight'] = torch.randn(6, D) * 0.5
        s[p + 'edge_embedding2.weight'] = torch.randn(3, D) * 0.5
    for l in range(L):
        p = f'batch_norms.{l}.'
        s[p + 'weight'] = 1 + 0.2 * torch.randn(D)
        s[p + 'bias'] = 0.1 * torch.randn(D)
        s[p + 'running_mean'] = 0.3 * torch.randn(D)
        s[p + 'running_var'] = 0.5 + torch.rand(D)
        s[p + 'num_batches_tracked'] = torch.tensor(3)
    return s


def batch_norm(h, s, p, training, new_stats):
    if training:
        mean = h.mean(0)
        var = h.var(0, unbiased=False)
        n = h.shape[0]
        new_stats[p + 'running_mean'] = 0.9 * s[p + 'running_mean'] + 0.1 * mean
        new_stats[p + 'running_var'] = 0.9 * s[p + 'running_var'] + 0.1 * h.var(0, unbiased=True)
    else:
        mean, var = s[p + 'running_mean'], s[p + 'running_var']
    return (h - mean) / torch.sqrt(var + 1e-5) * s[p + 'weight'] + s[p + 'bias']


def adapter(x, s, p, training, new_stats):
    h = F.relu(x @ s[p + 'down_proj.weight'].T + s[p + 'down_proj.bias'])
    h = h @ s[p + 'up_proj.weight'].T + s[p + 'up_proj.bias']
    return s[p + 'scale'] * batch_norm(h, s, p + 'norm.', training, new_stats)


def gnn(s, x, ei, ea, JK='last', training=False, adapters=False):
    """pretrain-gnns GNN.forward (gnn_type='gin', drop_ratio=0), optionally with AdapterGNN's adapters."""
    N = x.shape[0]
    new_stats = {}
    h = s['x_embedding1.weight'][x[:, 0]] + s['x_embedding2.weight'][x[:, 1]]
    hs = [h]
    loops = torch.arange(N)
    ei2 = torch.cat([ei, torch.stack([loops, loops])], 1)
    ea2 = torch.cat([ea, torch.tensor([[4, 0]] * N, dtype=torch.long).view(-1, 2)], 0)
    for l in range(L):
        p = f'gnns.{l}.'
        e = s[p + 'edge_embedding1.weight'][ea2[:, 0]] + s[p + 'edge_embedding2.weight'][ea2[:, 1]]
        msg = hs[l][ei2[0]] + e
        a = torch.zeros(N, D).index_add(0, ei2[1], msg)
        m = F.relu(a @ s[p + 'mlp.0.weight'].T + s[p + 'mlp.0.bias']) @ s[p + 'mlp.2.weight'].T + s[p + 'mlp.2.bias']
        h = batch_norm(m, s, f'batch_norms.{l}.', training, new_stats)
        if adapters:
            h = h + adapter(hs[l], s, f'adapters_in.{l}.', training, new_stats)
            h = h + adapter(a, s, f'adapters_msg.{l}.', training, new_stats)
        if l < L - 1:
            h = F.relu(h)
        hs.append(h)
    if JK == 'last':
        rep = hs[-1]
    elif JK == 'concat':
        rep = torch.cat(hs, 1)
    elif JK == 'max':
        rep = torch.stack(hs).max(0)[0]
    else:  # the intended sum (the official code's `[0]` keeps only node 0)
        rep = torch.stack(hs).sum(0)
    return rep, new_stats


def pool(kind, h, batch, G, s=None):
    if kind == 'sum':
        return torch.zeros(G, h.shape[1]).index_add(0, batch, h)
    if kind == 'mean':
        cnt = torch.zeros(G).index_add(0, batch, torch.ones(h.shape[0])).clamp(min=1)
        return torch.zeros(G, h.shape[1]).index_add(0, batch, h) / cnt[:, None]
    if kind == 'max':
        return torch.zeros(G, h.shape[1]).scatter_reduce(0, batch.view(-1, 1).expand_as(h), h, 'amax', include_self=False)
    gate = h @ s['pool.gate_nn.weight'].T + s['pool.gate_nn.bias']
    gate = seg_softmax(gate, batch, G)
    return torch.zeros(G, h.shape[1]).index_add(0, batch, gate * h)


def gnn_fixture():
    mols = molecules()
    x, ei, ea, batch = collate(mols)
    G = len(mols)
    s = make_state()
    out = {'graphs': mols, 'state': {k: t(v) if v.dtype.is_floating_point else int(v.item()) for k, v in s.items()}}
    with torch.no_grad():
        out['nodeRep'] = {jk: t(gnn(s, x, ei, ea, JK=jk)[0]) for jk in ['last', 'concat', 'max', 'sum']}
        heads = {}
        for kind in ['mean', 'sum', 'max', 'attention']:
            hs = {}
            if kind == 'attention':
                hs['pool.gate_nn.weight'] = torch.randn(1, D) * 0.5
                hs['pool.gate_nn.bias'] = torch.randn(1) * 0.1
            hs['graph_pred_linear.weight'] = torch.randn(2, D) * 0.5
            hs['graph_pred_linear.bias'] = torch.randn(2) * 0.1
            rep = gnn(s, x, ei, ea)[0]
            logits = pool(kind, rep, batch, G, hs) @ hs['graph_pred_linear.weight'].T + hs['graph_pred_linear.bias']
            heads[kind] = {'state': {k: t(v) for k, v in hs.items()}, 'logits': t(logits)}
        out['graphPred'] = heads
    # Training mode: batch statistics, running-stat update, and gradients through the segment ops.
    sg = {k: (v.clone().requires_grad_(True) if v.dtype.is_floating_point and 'running' not in k else v) for k, v in s.items()}
    rep, stats = gnn(sg, x, ei, ea, training=True)
    R = torch.randn(*rep.shape)
    names = ['x_embedding1.weight', 'gnns.0.mlp.0.weight', 'gnns.0.edge_embedding1.weight', 'gnns.1.mlp.2.bias', 'batch_norms.0.weight']
    grads = torch.autograd.grad((rep * R).sum(), [sg[n] for n in names])
    out['train'] = {'nodeRep': t(rep), 'r': t(R), 'stats': {k: t(v) for k, v in stats.items()}, 'grads': {n: t(g) for n, g in zip(names, grads)}}
    # AdapterGNN-style parallel adapters (bottleneck 3), non-zero up-projections so they matter.
    sa = dict(s)
    for name in ['adapters_in', 'adapters_msg']:
        for l in range(L):
            p = f'{name}.{l}.'
            sa[p + 'scale'] = torch.tensor([0.3 + 0.1 * l])
            sa[p + 'down_proj.weight'] = torch.randn(3, D) * 0.5
            sa[p + 'down_proj.bias'] = torch.randn(3) * 0.1
            sa[p + 'up_proj.weight'] = torch.randn(D, 3) * 0.5
            sa[p + 'up_proj.bias'] = torch.randn(D) * 0.1
            sa[p + 'norm.weight'] = 1 + 0.2 * torch.randn(D)
            sa[p + 'norm.bias'] = 0.1 * torch.randn(D)
            sa[p + 'norm.running_mean'] = 0.2 * torch.randn(D)
            sa[p + 'norm.running_var'] = 0.5 + torch.rand(D)
            sa[p + 'norm.num_batches_tracked'] = torch.tensor(0)
    with torch.no_grad():
        ev = gnn(sa, x, ei, ea, adapters=True)[0]
        tr = gnn(sa, x, ei, ea, training=True, adapters=True)[0]
    out['adapters'] = {'state': {k: t(v) if v.dtype.is_floating_point else int(v.item()) for k, v in sa.items() if k.startswith('adapters')},
                       'eval': t(ev), 'train': t(tr)}
    return out


# ---- TGAT ----------------------------------------------------------------------------------


def time_encode(ts, w, b):
    return torch.cos(ts.unsqueeze(-1) * w + b)


def temporal_fixture():
    Dn, De, Dt, H, B, N = 4, 2, 2, 2, 3, 4
    dm = Dn + De + Dt
    dk = dm // H
    w = torch.tensor([1 / 10 ** (9 * i / (Dt - 1)) for i in range(Dt)])  # TGAT's 1 / 10 ** linspace(0, 9, Dt)
    st = {
        'time.basis_freq': w + 0.1 * torch.randn(Dt),
        'time.phase': 0.2 * torch.randn(Dt),
        'attn.merger.fc1.weight': torch.randn(Dn, dm + Dn) * 0.4,
        'attn.merger.fc1.bias': torch.randn(Dn) * 0.1,
        'attn.merger.fc2.weight': torch.randn(Dn, Dn) * 0.4,
        'attn.merger.fc2.bias': torch.randn(Dn) * 0.1,
        'attn.multi_head_target.w_qs.weight': torch.randn(H * dk, dm) * 0.4,
        'attn.multi_head_target.w_ks.weight': torch.randn(H * dk, dm) * 0.4,
        'attn.multi_head_target.w_vs.weight': torch.randn(H * dk, dm) * 0.4,
        'attn.multi_head_target.layer_norm.weight': 1 + 0.2 * torch.randn(dm),
        'attn.multi_head_target.layer_norm.bias': 0.1 * torch.randn(dm),
        'attn.multi_head_target.fc.weight': torch.randn(dm, H * dk) * 0.4,
        'attn.multi_head_target.fc.bias': torch.randn(dm) * 0.1,
    }
    src = torch.randn(B, Dn)
    seq = torch.randn(B, N, Dn)
    seq_e = torch.randn(B, N, De)
    dts = torch.rand(B, N) * 50
    mask = torch.tensor([[0, 0, 1, 1], [1, 1, 1, 1], [0, 0, 0, 0]], dtype=torch.bool)  # row 1: only padding
    weight = torch.rand(B, N)
    src_t = time_encode(torch.zeros(B, 1), st['time.basis_freq'], st['time.phase'])
    seq_t = time_encode(dts, st['time.basis_freq'], st['time.phase'])

    def attn_model(v_weight):
        p = 'attn.multi_head_target.'
        q = torch.cat([src.unsqueeze(1), torch.zeros(B, 1, De), src_t], 2)
        k = torch.cat([seq, seq_e, seq_t], 2)
        v = k if v_weight is None else k * v_weight.unsqueeze(2)
        qh = (q @ st[p + 'w_qs.weight'].T).view(B, 1, H, dk).permute(2, 0, 1, 3).reshape(-1, 1, dk)
        kh = (k @ st[p + 'w_ks.weight'].T).view(B, N, H, dk).permute(2, 0, 1, 3).reshape(-1, N, dk)
        vh = (v @ st[p + 'w_vs.weight'].T).view(B, N, H, dk).permute(2, 0, 1, 3).reshape(-1, N, dk)
        m = mask.unsqueeze(1).repeat(H, 1, 1)
        a = torch.bmm(qh, kh.transpose(1, 2)) / math.sqrt(dk)
        a = a.masked_fill(m, -1e10).softmax(2)
        o = torch.bmm(a, vh).view(H, B, 1, dk).permute(1, 2, 0, 3).reshape(B, 1, -1)
        o = o @ st[p + 'fc.weight'].T + st[p + 'fc.bias']
        o = F.layer_norm(o + q, (dm,), st[p + 'layer_norm.weight'], st[p + 'layer_norm.bias'], 1e-5).squeeze(1)
        mp = 'attn.merger.'
        hcat = torch.cat([o, src], 1)
        out = F.relu(hcat @ st[mp + 'fc1.weight'].T + st[mp + 'fc1.bias']) @ st[mp + 'fc2.weight'].T + st[mp + 'fc2.bias']
        return out, a.view(H, B, N).permute(1, 0, 2)

    y, wts = attn_model(None)
    yw, wtsw = attn_model(weight)
    return {'state': {k: t(v) for k, v in st.items()}, 'dims': [Dn, De, Dt, H],
            'src': t(src), 'seq': t(seq), 'seqEdge': t(seq_e), 'dts': t(dts), 'mask': ti(mask.int()), 'weight': t(weight),
            'srcTime': t(src_t), 'seqTime': t(seq_t), 'y': t(y), 'weights': t(wts), 'yWeighted': t(yw), 'weightsWeighted': t(wtsw)}


def main():
    fx = {'torch': torch.__version__, 'scatter': scatter_fixture(), 'gnn': gnn_fixture()}
    with torch.no_grad():
        fx['temporal'] = temporal_fixture()
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as f:
        json.dump(fx, f, separators=(',', ':'))
    print('wrote', os.path.normpath(OUT))


if __name__ == '__main__':
    main()
