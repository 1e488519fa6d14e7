"""Write test/fixtures/tgsl/forward.json: reference numbers from the OFFICIAL TGSL modules
(github ViktorAxelsen/TGSL, MIT) at a tiny width, for the TypeScript port's parity tests.
Only numbers are written; the official code is imported from --official (setup_official.sh's
unchanged copy, default /tmp/tgsl-official/src) and never copied.

Sections (feature width 8, 2 heads, 4 neighbours; eval mode; float32):
  graph       12 nodes (users 1-5, items 6-12; 0 = padding), 40 events, 1-based edge ids,
              edge features [41, 8] (row 0 = padding), node features [13, 8] (row 0 zeros, others random)
  tgat        TGAT+TGSL/TGAT.py TGAN.tem_conv (2 layers) with NeighborFinder(full adjacency,
              uniform=False): sampled blocks, embeddings, embeddings with full_aug_edge_weight,
              affinity_score logits for (src, dst, t) pairs, gradients of sum(logits * r)
              w.r.t. every parameter and w.r.t. the edge-weight vector
  etgnn       view_learner.py ETGNN on the training graph (first 30 events) built like train.py
              (dgl stand-in: graph, add_self_loop, add_reverse_edges), the graph's edge list, output
              edge embeddings for self-loop fill 1.0 (DGL 1.0.0) and 0.0 (DGL <= 0.9), gradients
  time_mapping  view_learner.TimeMapping on deltas; the MTL scoring step on fixed tensors; the
              Gumbel top-k with fixed noise; torch.nn.LSTM (3 layers) context
  graphmixer  GraphMixer+TGSL models/GraphMixer.py compute_node_temporal_embeddings with DyGLib's
              NeighborSampler('recent'), num_neighbors 4, time_gap 6, with and without edge
              weights; MergeLayer link predictor as train_link_prediction.py wires it; gradients

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 /usr/bin/python3 \
        scripts/tgsl/make_fixtures.py --official /tmp/tgsl-official/src
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ next to the stand-in or in /tmp copies
sys.path.insert(0, os.path.join(HERE, 'dgl_standin'))

import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)

W = 8
HEADS = 2
NBRS = 4
TIME_GAP = 6
GM_TIME_DIM = 5  # GraphMixer time_feat_dim (deliberately != W)
N_TRAIN = 30


def num(t):
    if isinstance(t, np.ndarray):
        t = torch.from_numpy(t)
    t = t.detach().cpu()
    if t.dtype.is_floating_point:
        return [float(f'{v:.9g}') for v in t.float().flatten().tolist()]
    return [int(v) for v in t.flatten().tolist()]


def arr(t):
    if isinstance(t, np.ndarray):
        t = torch.from_numpy(np.ascontiguousarray(t))
    return {'shape': list(t.shape), 'data': num(t)}


def state(module):
    return {k: arr(v) for k, v in module.state_dict().items()}


def grads(module):
    out, none = {}, []
    for k, p in module.named_parameters():
        if p.grad is None:
            none.append(k)
        else:
            out[k] = arr(p.grad)
    return out, none


def block(triple):
    nodes, eids, times = triple
    return {'nodes': arr(np.asarray(nodes).astype(np.int64)), 'eids': arr(np.asarray(eids).astype(np.int64)),
            'times': arr(np.asarray(times).astype(np.float32))}


def use_folder(path):
    """Point imports at one official folder (the two copies share module names)."""
    for name in list(sys.modules):
        root = name.split('.')[0]
        if root in ('utils', 'config', 'TGAT', 'MTL', 'view_learner', 'neighbor_finder', 'process', 'models'):
            del sys.modules[name]
    sys.path[:] = [p for p in sys.path if not p.endswith(('TGAT+TGSL', 'GraphMixer+TGSL'))]
    sys.path.insert(1, path)


def make_graph():
    rs = np.random.RandomState(7)
    users, items = np.arange(1, 6), np.arange(6, 13)
    src = rs.choice(users, 40, p=[0.3, 0.25, 0.2, 0.15, 0.1])
    dst = np.empty(40, dtype=np.int64)
    for k in range(40):  # repeats of an earlier item with prob 0.5 (recurrence, as in JODIE data)
        prev = dst[:k][src[:k] == src[k]]
        dst[k] = rs.choice(prev) if len(prev) and rs.rand() < 0.5 else rs.choice(items)
    t = np.cumsum(rs.choice([0, 1, 1, 2, 3], 40)).astype(np.float64) + 1.0  # ties included
    t[20] = t[19] + 0.5  # one non-integer time
    t[21:] += 0.5
    eid = np.arange(1, 41)
    e_feat = np.vstack([np.zeros((1, W)), rs.normal(size=(40, W))]).astype(np.float32).astype(np.float64)
    n_feat = np.vstack([np.zeros((1, W)), rs.normal(size=(12, W)) * 0.5]).astype(np.float32).astype(np.float64)
    return src.astype(np.int64), dst, t, eid, e_feat, n_feat


def adjacency(src, dst, eid, t, n):
    adj = [[] for _ in range(n + 1)]
    for a, b, e, tt in zip(src, dst, eid, t):
        adj[a].append((b, e, tt))
        adj[b].append((a, e, tt))
    return adj


# ------------------------------------------------------------------------------------------------
def tgat_section(G):
    from TGAT import TGAN
    from neighbor_finder import NeighborFinder
    src, dst, t, eid, e_feat, n_feat = G
    finder = NeighborFinder(adjacency(src, dst, eid, t, 12), uniform=False)
    torch.manual_seed(0)
    tgan = TGAN(finder, n_feat, e_feat, num_layers=2, use_time='time', agg_method='attn', attn_mode='prod',
                seq_len=NBRS, n_head=HEADS, drop_out=0.1)
    tgan.eval()
    # queries: busy user late, item mid-way, a time equal to an event time (strict <), a node with
    # two earlier events (find_before returns one), a node before its first event (all padding),
    # a node with exactly one earlier event (find_before returns none)
    q_nodes = np.array([1, 7, 2, 4, 12, 3, 10], dtype=np.int64)
    first = {v: t[(src == v) | (dst == v)] for v in range(1, 13)}
    q_times = np.array([t[-1] + 1.0, t[20], t[np.flatnonzero(src == 2)[3]], first[4][1] + 0.25,
                        first[12][0] - 0.5, t[-1] + 1.0, first[10][0] + 0.25])
    hop1 = finder.get_temporal_neighbor(q_nodes, q_times, NBRS)
    hop2 = finder.get_temporal_neighbor(hop1[0].flatten(), hop1[2].flatten(), NBRS)
    with torch.no_grad():
        emb = tgan.tem_conv(q_nodes, q_times, 2, NBRS)
    rs = np.random.RandomState(11)
    w = torch.tensor(rs.uniform(0.05, 0.95, size=len(e_feat)).astype(np.float32), requires_grad=True)
    emb_w = tgan.tem_conv(q_nodes, q_times, 2, NBRS, full_aug_edge_weight=w)
    # pairs (src, dst, t)
    p_src = np.array([1, 2, 3, 5, 1], dtype=np.int64)
    p_dst = np.array([6, 9, 7, 12, 11], dtype=np.int64)
    p_t = np.array([t[-1] + 1.0, t[30], t[25] + 0.5, t[-1] + 2.0, t[12]])
    r = torch.tensor(rs.normal(size=len(p_src)).astype(np.float32))
    tgan.zero_grad()
    logits = tgan.affinity_score(tgan.tem_conv(p_src, p_t, 2, NBRS), tgan.tem_conv(p_dst, p_t, 2, NBRS)).squeeze(-1)
    (logits * r).sum().backward()
    g, g_none = grads(tgan)
    tgan.zero_grad()
    logits_w = tgan.affinity_score(tgan.tem_conv(p_src, p_t, 2, NBRS, full_aug_edge_weight=w),
                                   tgan.tem_conv(p_dst, p_t, 2, NBRS, full_aug_edge_weight=w)).squeeze(-1)
    (logits_w * r).sum().backward()
    g_w, _ = grads(tgan)
    return {
        'config': {'width': W, 'heads': HEADS, 'neighbors': NBRS, 'layers': 2, 'uniform': False,
                   'time_encoder': 'GraphMixerTE: MLP(cos(dt * w)), w_i = a^(-(i-1)/a), a = floor(sqrt(W))',
                   'edge_weight_index': 'weight of edge id e is w[e-1]; padding id 0 reads w[-1] = w[40]'},
        'state_dict': state(tgan),
        'queries': {'nodes': arr(q_nodes), 'times': arr(q_times.astype(np.float32))},
        'blocks': {'hop1': block(hop1), 'hop2': block(hop2),
                   'note': 'get_temporal_neighbor(uniform=False): the FIRST (oldest) n of find_before(), '
                           'right-aligned, left-padded with 0; find_before drops the most recent neighbour. '
                           'hop2 = neighbours of hop1 nodes cut at the hop1 edge times (flattened row-major).'},
        'embeddings': arr(emb),
        'edge_weight': arr(w),
        'embeddings_weighted': arr(emb_w),
        'pairs': {'src': arr(p_src), 'dst': arr(p_dst), 'times': arr(p_t.astype(np.float32))},
        'pair_logits': arr(logits), 'pair_probs': arr(torch.sigmoid(logits)),
        'pair_logits_weighted': arr(logits_w),
        'grad_r': arr(r),
        'grads': g, 'grads_none': g_none,
        'grads_weighted': g_w,
        'grad_edge_weight': arr(w.grad),
    }


def build_train_graph(dgl, tr_src, tr_dst, tr_eid, tr_t, e_feat, n_feat):
    """The DGL graph train.py:361-379 builds (written here): training edges, node features of
    training nodes (zeros otherwise), edge features e_feat[eid], ts [E, 1]; self-loops; reverse edges."""
    g = dgl.graph((tr_src, tr_dst))
    train_nodes = set(tr_src) | set(tr_dst)
    nd = np.stack([n_feat[v] if v in train_nodes else np.zeros(n_feat.shape[1]) for v in range(g.num_nodes())])
    g.ndata['feat'] = torch.tensor(nd, dtype=torch.float32)
    g.edata['edge_feat'] = torch.tensor(e_feat[tr_eid], dtype=torch.float32)
    g.edata['ts'] = torch.tensor(tr_t.reshape(-1, 1), dtype=torch.float32)
    g = dgl.add_self_loop(g)
    return dgl.add_reverse_edges(g, copy_ndata=True, copy_edata=True)


def etgnn_reference(model, g, n_train):
    """Independent scatter-mean re-implementation (checks the stand-in's degree bucketing)."""
    sd = {k: v.detach() for k, v in model.state_dict().items()}
    src, dst = g.edges()
    lin = torch.nn.functional.linear
    te = torch.sin(g.edata['ts'] * sd['time_encoder.w'].view(1, -1))
    te = lin(torch.relu(lin(te, sd['time_encoder.transformation.0.weight'], sd['time_encoder.transformation.0.bias'])),
             sd['time_encoder.transformation.2.weight'], sd['time_encoder.transformation.2.bias'])
    h, e = g.ndata['feat'], g.edata['edge_feat']
    deg = torch.bincount(dst, minlength=g.num_nodes()).clamp(min=1).float().unsqueeze(1)
    for layer in ('gcn1', 'gcn2'):
        msg = torch.cat([h[src], e, te], 1)
        agg = torch.zeros(g.num_nodes(), msg.shape[1]).index_add(0, dst, msg) / deg
        hn = lin(torch.cat([agg, h], 1), sd[f'{layer}.apply_mod.fc.weight'], sd[f'{layer}.apply_mod.fc.bias'])
        en = lin(torch.cat([hn[src], e, te, hn[dst]], 1), sd[f'{layer}.apply_mod_e.fc.weight'],
                 sd[f'{layer}.apply_mod_e.fc.bias'])
        if layer == 'gcn1':
            hn, en = torch.relu(hn), torch.relu(en)
        h, e = hn, en
    return e[:n_train]


def etgnn_section(G):
    import dgl
    from view_learner import ETGNN
    src, dst, t, eid, e_feat, n_feat = G
    tr = slice(0, N_TRAIN)
    out = {'train_events': N_TRAIN, 'config': {'in_dim': W, 'hidden_dim': W, 'time_dim': W}}
    torch.manual_seed(1)
    model = ETGNN(in_dim=W, hidden_dim=W, train_src_l=src[tr], train_dst_l=dst[tr], time_dim=W)
    out['state_dict'] = state(model)
    rs = np.random.RandomState(12)
    R = torch.tensor(rs.normal(size=(N_TRAIN, W)).astype(np.float32))
    out['grad_r'] = arr(R)
    for fill, key in ((1.0, 'fill1'), (0.0, 'fill0')):
        dgl.SELF_LOOP_FILL = fill
        g = build_train_graph(dgl, src[tr], dst[tr], eid[tr], t[tr], e_feat, n_feat)
        model.zero_grad()
        eres = model(g)
        ref = etgnn_reference(model, g, N_TRAIN)
        assert torch.allclose(eres, ref, atol=1e-5), (eres - ref).abs().max()
        (eres * R).sum().backward()
        gr, gr_none = grads(model)
        s, d = g.edges()
        out[key] = {
            'self_loop_fill': fill,
            'graph': {'num_nodes': g.num_nodes(), 'src': arr(s), 'dst': arr(d), 'ts': arr(g.edata['ts'].reshape(-1)),
                      'edge_feat': arr(g.edata['edge_feat']), 'node_feat': arr(g.ndata['feat'])},
            'edge_embeddings': arr(eres), 'grads': gr, 'grads_none': gr_none,
        }
    dgl.SELF_LOOP_FILL = 1.0
    out['note'] = ('edge order: 30 training edges, then one self-loop per node 0..num_nodes-1, then the 30 '
                   'training edges reversed (DGL add_reverse_edges exclude_self=True skips self-loops). '
                   'DGL 1.0.0 (pinned by TGSL) fills self-loop edge_feat and ts with 1.0 -> fill1; '
                   'DGL <= 0.9 zero-fills -> fill0. Output = rows 0..29 of the edge embeddings.')
    return out


def time_mapping_section():
    from view_learner import TimeMapping
    torch.manual_seed(2)
    tm = TimeMapping(time_dim=W)
    deltas = torch.tensor([[-30.5], [-3.0], [0.0], [0.5], [7.0], [41.25]])
    with torch.no_grad():
        psi = tm(deltas)
    rs = np.random.RandomState(13)
    n, C, k = 3, 5, int(0.8 * 5)
    t_max = 50.0
    ctx = torch.tensor(rs.normal(size=(n, W)).astype(np.float32))
    cand = torch.tensor(rs.normal(size=(n, C, W)).astype(np.float32))
    t_star = rs.rand(n, C) * t_max
    t_c = np.round(rs.rand(n, C) * t_max)
    eps = torch.tensor(rs.uniform(1e-4, 1 - 1e-4, size=(n, C)).astype(np.float32))
    gtau = 1.0
    # the scoring step of MTL.py:136-145 and the Gumbel top-k of MTL.py:147-163, written here
    with torch.no_grad():
        e_c = tm(torch.tensor((t_star - t_c).reshape(-1, 1), dtype=torch.float32)).reshape(n, C, -1)
        e_x = tm(torch.tensor((t_star - t_max).reshape(-1, 1), dtype=torch.float32)).reshape(n, C, -1)
        logits = torch.sum((ctx.unsqueeze(1).expand_as(cand) * e_x) * (cand * e_c), dim=-1)
        z = torch.sigmoid((torch.log(eps) - torch.log(1 - eps) + logits) / gtau)
        keep = z.sort(dim=-1, descending=True)[1][:, :k]
        kept = torch.gather(z, 1, keep)
    torch.manual_seed(3)
    lstm = torch.nn.LSTM(input_size=W, hidden_size=W, num_layers=3, bidirectional=False)
    seq = torch.tensor(rs.normal(size=(6, n, W)).astype(np.float32))  # [rnn_nn, nodes, W], time-sorted
    with torch.no_grad():
        _, (h_n, _) = lstm(seq)
    return {
        'state_dict': state(tm), 'deltas': arr(deltas.reshape(-1)), 'psi': arr(psi),
        'scoring': {'context': arr(ctx), 'cand_feat': arr(cand), 't_star': arr(t_star.astype(np.float32)),
                    't_cand': arr(t_c.astype(np.float32)), 't_max': t_max, 'logits': arr(logits),
                    'formula': 'logits[u,c] = sum(context[u] * psi(t*-t_max) * cand[u,c] * psi(t*-t_c))'},
        'gumbel_topk': {'eps': arr(eps), 'gtau': gtau, 'k': k, 'z': arr(z), 'keep': arr(keep), 'weights': arr(kept),
                        'formula': 'z = sigmoid((log eps - log(1-eps) + logits)/gtau); keep = top-k of z per row'},
        'lstm': {'state_dict': state(lstm), 'input': arr(seq), 'context': arr(h_n[-1]),
                 'note': 'torch.nn.LSTM(W, W, num_layers=3), input [L, nodes, W]; context = h_n[-1]'},
    }


def graphmixer_section(G):
    from models.GraphMixer import GraphMixer
    from models.modules import MergeLayer
    from utils.DataLoader import Data
    from utils.utils import get_neighbor_sampler
    src, dst, t, eid, e_feat, n_feat = G
    data = Data(src_node_ids=src, dst_node_ids=dst, node_interact_times=t, edge_ids=eid, labels=np.zeros(40))
    sampler, _ = get_neighbor_sampler(data=data, sample_neighbor_strategy='recent', seed=1)
    torch.manual_seed(4)
    backbone = GraphMixer(node_raw_features=n_feat, edge_raw_features=e_feat, neighbor_sampler=sampler,
                          time_feat_dim=GM_TIME_DIM, num_tokens=NBRS, num_layers=2, dropout=0.1, device='cpu')
    predictor = MergeLayer(input_dim1=W, input_dim2=W, hidden_dim=W, output_dim=1)
    model = torch.nn.Sequential(backbone, predictor)
    model.eval()
    q_nodes = np.array([1, 7, 2, 4, 12, 3, 10], dtype=np.int64)
    q_times = np.array([t[-1] + 1.0, t[20], t[np.flatnonzero(src == 2)[3]], t[10], 0.5, t[-1] + 1.0, 32.25])
    recent = sampler.get_historical_neighbors(q_nodes, q_times, NBRS)
    gap = sampler.get_historical_neighbors(q_nodes, q_times, TIME_GAP)
    rs = np.random.RandomState(14)
    w = torch.tensor(rs.uniform(0.05, 0.95, size=len(e_feat)).astype(np.float32), requires_grad=True)
    with torch.no_grad():
        emb = backbone.compute_node_temporal_embeddings(q_nodes, q_times, NBRS, TIME_GAP)
        emb_w = backbone.compute_node_temporal_embeddings(q_nodes, q_times, NBRS, TIME_GAP, full_aug_edge_weight=w)
    p_src = np.array([1, 2, 3, 5, 1], dtype=np.int64)
    p_dst = np.array([6, 9, 7, 12, 11], dtype=np.int64)
    p_t = np.array([t[-1] + 1.0, t[30], t[25] + 0.5, t[-1] + 2.0, t[12]])
    r = torch.tensor(rs.normal(size=len(p_src)).astype(np.float32))
    model.zero_grad()
    s_emb, d_emb = backbone.compute_src_dst_node_temporal_embeddings(p_src, p_dst, p_t, NBRS, TIME_GAP)
    logits = model[1](input_1=s_emb, input_2=d_emb).squeeze(dim=-1)
    (logits * r).sum().backward()
    g, g_none = grads(model)
    model.zero_grad()
    s_w, d_w = backbone.compute_src_dst_node_temporal_embeddings(p_src, p_dst, p_t, NBRS, TIME_GAP, full_aug_edge_weight=w)
    logits_w = model[1](input_1=s_w, input_2=d_w).squeeze(dim=-1)
    (logits_w * r).sum().backward()
    g_w, _ = grads(model)
    return {
        'config': {'width': W, 'num_neighbors': NBRS, 'time_gap': TIME_GAP, 'time_feat_dim': GM_TIME_DIM,
                   'num_layers': 2, 'token_dim_expansion_factor': 0.5, 'channel_dim_expansion_factor': 4.0,
                   'sampler': 'recent', 'parameter_prefix': '0. = GraphMixer backbone, 1. = MergeLayer link predictor',
                   'time_encoder': 'modules.TimeEncoder: sin(dt * w + b), w = 1/10^linspace(0, 9, d), b = 0, frozen'},
        'state_dict': state(model),
        'queries': {'nodes': arr(q_nodes), 'times': arr(q_times.astype(np.float32))},
        'blocks': {'recent': block(recent), 'time_gap': block(gap),
                   'note': "DyGLib NeighborSampler 'recent': the n most recent strictly before t (searchsorted left), "
                           'oldest first, right-aligned, left-padded with 0'},
        'embeddings': arr(emb), 'edge_weight': arr(w), 'embeddings_weighted': arr(emb_w),
        'pairs': {'src': arr(p_src), 'dst': arr(p_dst), 'times': arr(p_t.astype(np.float32))},
        'pair_logits': arr(logits), 'pair_probs': arr(torch.sigmoid(logits)),
        'pair_logits_weighted': arr(logits_w), 'grad_r': arr(r),
        'grads': g, 'grads_none': g_none, 'grads_weighted': g_w, 'grad_edge_weight': arr(w.grad),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--official', default='/tmp/tgsl-official/src', help='folder with TGAT+TGSL/ and GraphMixer+TGSL/')
    ap.add_argument('--out', default=os.path.join(HERE, '..', '..', 'test', 'fixtures', 'tgsl', 'forward.json'))
    a = ap.parse_args()
    import dgl
    assert 'sheaf' in dgl.__version__
    G = make_graph()
    src, dst, t, eid, e_feat, n_feat = G
    commit = None
    cf = os.path.join(a.official, 'COMMIT')
    if os.path.exists(cf):
        commit = open(cf).read().strip()
    out = {
        'meta': {'source': 'github.com/ViktorAxelsen/TGSL (MIT), official modules imported unchanged',
                 'commit': commit, 'torch': torch.__version__, 'generator': 'scripts/tgsl/make_fixtures.py',
                 'dtype': 'float32 (times float64 in the official code; stored as float32-exact values)'},
        'graph': {'num_nodes': 12, 'users': [1, 5], 'items': [6, 12], 'src': arr(src), 'dst': arr(dst),
                  'times': arr(t.astype(np.float32)), 'eids': arr(eid), 'edge_feat': arr(e_feat.astype(np.float32)),
                  'node_feat': arr(n_feat.astype(np.float32))},
    }
    use_folder(os.path.join(a.official, 'TGAT+TGSL'))
    out['tgat'] = tgat_section(G)
    out['etgnn'] = etgnn_section(G)
    out['time_mapping'] = time_mapping_section()
    use_folder(os.path.join(a.official, 'GraphMixer+TGSL'))
    out['graphmixer'] = graphmixer_section(G)
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, 'w') as fh:
        json.dump(out, fh, separators=(',', ':'))
    print(f'wrote {os.path.abspath(a.out)} ({os.path.getsize(a.out)} bytes)')


if __name__ == '__main__':
    main()
