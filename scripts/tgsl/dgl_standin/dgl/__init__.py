"""Sheaf's pure-torch stand-in for the small part of DGL (>= 1.0) that the official TGSL code uses.

Written for Sheaf (not DGL code).  Debian ships no DGL, so `scripts/tgsl/*.py` put the directory
that contains this package first on sys.path before importing the official `TGAT+TGSL/` or
`GraphMixer+TGSL/` modules.  Covered API (homogeneous graphs only):

  dgl.graph((src, dst), num_nodes=None)      edge i = (src[i], dst[i]); num_nodes = max id + 1
  g.num_nodes(), g.num_edges(), g.edges(), g.in_degrees(), g.nodes(), g.to(device), g.device
  g.ndata / g.edata                          dict-like frames (length-checked on assignment)
  dgl.add_self_loop(g, edge_feat_names=None, fill_data=1.0)
  dgl.add_reverse_edges(g, copy_ndata=True, copy_edata=False, exclude_self=True)
  g.update_all(message_udf, reduce_udf)      UDFs only (edges.src/dst/data, nodes.data/mailbox)
  g.apply_nodes(udf), g.apply_edges(udf)
  dgl.seed(s), dgl.random.seed(s)

Semantics follow DGL 1.0.0, the version pinned by the TGSL README (checked against
python/dgl/transforms/functional.py and python/dgl/core.py of dmlc/dgl tag 1.0.0):

  * add_self_loop appends one (v, v) edge per node, nodes in id order, AFTER the existing edges.
    DGL 1.0 fills every existing edge feature of the new edges with `fill_data` (default 1.0);
    DGL <= 0.9 had no fill_data argument and zero-filled them.  The default here is DGL 1.0's 1.0;
    set the environment variable SHEAF_DGL_SELF_LOOP_FILL=0 (or dgl.SELF_LOOP_FILL = 0.0) to get
    the DGL <= 0.9 behaviour.  Node data is kept (shared).
  * add_reverse_edges appends (v, u) for every edge (u, v) in edge-id order, skipping self-loops
    when exclude_self=True (the default), so edge ids are
    [original edges | self-loops | reversed original edges].  copy_edata gives each reversed edge
    the data of the edge it reverses; copy_ndata shares the node tensors.
  * update_all with a UDF reducer uses DGL's degree bucketing: nodes are grouped by in-degree,
    each node's mailbox holds the messages of its in-edges sorted by edge id, shape
    [nodes_in_bucket, degree, ...]; the reducer is called once per bucket; nodes with in-degree 0
    are skipped and their output rows are zero.  The results REPLACE g.ndata[key] for every node.
  * apply_edges sees the CURRENT node data (edges.src / edges.dst) and edge data; its result is
    written to g.edata; apply_nodes writes its result to g.ndata.
"""
import os

import numpy as np
import torch

__version__ = '1.0.0+sheaf-standin'

SELF_LOOP_FILL = float(os.environ.get('SHEAF_DGL_SELF_LOOP_FILL', '1.0'))


def _as_index(x):
    if isinstance(x, torch.Tensor):
        return x.detach().to(torch.long).reshape(-1).cpu()
    return torch.as_tensor(np.asarray(x).astype(np.int64).reshape(-1))


class _Frame(dict):
    """Feature storage for nodes or edges: a dict whose values must have `n` rows."""

    def __init__(self, n):
        super().__init__()
        self._n = n

    def __setitem__(self, key, value):
        if not isinstance(value, torch.Tensor):
            value = torch.as_tensor(value)
        if value.dim() == 0 or value.shape[0] != self._n:
            raise ValueError(f'feature {key!r} has {tuple(value.shape)} rows, expected {self._n}')
        super().__setitem__(key, value)


class _NodeBatch:
    def __init__(self, data, mailbox=None):
        self.data = data
        self.mailbox = mailbox


class _EdgeBatch:
    def __init__(self, src, dst, data):
        self.src = src
        self.dst = dst
        self.data = data


class DGLGraph:
    def __init__(self, src, dst, num_nodes):
        self._src = src
        self._dst = dst
        self._num_nodes = int(num_nodes)
        self._device = torch.device('cpu')
        self.ndata = _Frame(self._num_nodes)
        self.edata = _Frame(int(src.shape[0]))

    # -- structure ---------------------------------------------------------------------------
    def num_nodes(self, ntype=None):
        return self._num_nodes

    number_of_nodes = num_nodes

    def num_edges(self, etype=None):
        return int(self._src.shape[0])

    number_of_edges = num_edges

    def nodes(self, ntype=None):
        return torch.arange(self._num_nodes)

    def edges(self, form='uv', order='eid'):
        if form == 'uv':
            return self._src, self._dst
        if form == 'all':
            return self._src, self._dst, torch.arange(self.num_edges())
        if form == 'eid':
            return torch.arange(self.num_edges())
        raise ValueError(form)

    def in_degrees(self):
        return torch.bincount(self._dst, minlength=self._num_nodes)

    def out_degrees(self):
        return torch.bincount(self._src, minlength=self._num_nodes)

    @property
    def device(self):
        return self._device

    def to(self, device, **kwargs):
        g = DGLGraph(self._src, self._dst, self._num_nodes)
        g._device = torch.device(device)
        for k, v in self.ndata.items():
            g.ndata[k] = v.to(device)
        for k, v in self.edata.items():
            g.edata[k] = v.to(device)
        return g

    def local_scope(self):
        graph = self

        class _Scope:
            def __enter__(self_):
                self_.nd = dict(graph.ndata)
                self_.ed = dict(graph.edata)
                return graph

            def __exit__(self_, *exc):
                dict.clear(graph.ndata)
                dict.update(graph.ndata, self_.nd)
                dict.clear(graph.edata)
                dict.update(graph.edata, self_.ed)
                return False

        return _Scope()

    def __repr__(self):
        return (f'Graph(num_nodes={self._num_nodes}, num_edges={self.num_edges()}, '
                f'ndata={list(self.ndata)}, edata={list(self.edata)}) [sheaf dgl stand-in]')

    # -- message passing -----------------------------------------------------------------------
    def _edge_batch(self):
        src = {k: v[self._src] for k, v in self.ndata.items()}
        dst = {k: v[self._dst] for k, v in self.ndata.items()}
        return _EdgeBatch(src, dst, dict(self.edata))

    def apply_edges(self, func, edges='__ALL__'):
        if edges != '__ALL__':
            raise NotImplementedError('stand-in: apply_edges on all edges only')
        out = func(self._edge_batch())
        for k, v in out.items():
            self.edata[k] = v

    def apply_nodes(self, func, v='__ALL__'):
        if v != '__ALL__':
            raise NotImplementedError('stand-in: apply_nodes on all nodes only')
        out = func(_NodeBatch(dict(self.ndata)))
        for k, val in out.items():
            self.ndata[k] = val

    def update_all(self, message_func, reduce_func, apply_node_func=None):
        if not callable(message_func) or not callable(reduce_func):
            raise NotImplementedError('stand-in: update_all supports user-defined functions only')
        msgs = message_func(self._edge_batch())
        degs = self.in_degrees()
        # edges sorted by (destination, edge id): each node's in-edges are contiguous, in eid order
        eids = torch.arange(self.num_edges())
        order = torch.from_numpy(np.lexsort((eids.numpy(), self._dst.numpy())))
        start = torch.zeros(self._num_nodes + 1, dtype=torch.long)
        start[1:] = torch.cumsum(degs, 0)
        results = {}
        bucket_nodes = []
        bucket_out = []
        for deg in torch.unique(degs).tolist():
            if deg == 0:
                continue  # DGL skips the reducer for zero in-degree nodes
            nodes = torch.nonzero(degs == deg, as_tuple=False).reshape(-1)
            pos = start[nodes].unsqueeze(1) + torch.arange(deg).unsqueeze(0)  # [n, deg]
            bucket_eids = order[pos.reshape(-1)]
            mailbox = {k: m[bucket_eids].reshape((len(nodes), deg) + tuple(m.shape[1:]))
                       for k, m in msgs.items()}
            data = {k: v[nodes] for k, v in self.ndata.items()}
            bucket_nodes.append(nodes)
            bucket_out.append(reduce_func(_NodeBatch(data, mailbox)))
        if bucket_out:
            all_nodes = torch.cat(bucket_nodes)
            for k in bucket_out[0]:
                vals = torch.cat([b[k] for b in bucket_out], 0)
                full = vals.new_zeros((self._num_nodes,) + tuple(vals.shape[1:]))
                results[k] = full.index_copy(0, all_nodes, vals)
        for k, v in results.items():
            self.ndata[k] = v
        if apply_node_func is not None:
            self.apply_nodes(apply_node_func)


def graph(data, num_nodes=None, idtype=None, device=None, **kwargs):
    src, dst = data
    src = _as_index(src)
    dst = _as_index(dst)
    if src.shape != dst.shape:
        raise ValueError('src and dst must have the same length')
    if num_nodes is None:
        num_nodes = int(max(src.max().item(), dst.max().item())) + 1 if src.numel() else 0
    g = DGLGraph(src, dst, num_nodes)
    if device is not None:
        g = g.to(device)
    return g


def add_self_loop(g, edge_feat_names=None, fill_data=None, etype=None):
    if fill_data is None:
        fill_data = SELF_LOOP_FILL
    if not isinstance(fill_data, (int, float)):
        raise NotImplementedError('stand-in: only numeric fill_data')
    n = g.num_nodes()
    loops = torch.arange(n)
    new = DGLGraph(torch.cat([g._src, loops]), torch.cat([g._dst, loops]), n)
    new._device = g._device
    for k, v in g.ndata.items():
        new.ndata[k] = v
    names = list(g.edata.keys()) if edge_feat_names is None else list(edge_feat_names)
    for k, v in g.edata.items():
        fill = v.new_zeros((n,) + tuple(v.shape[1:]))
        if k in names:
            fill = fill + fill_data
        new.edata[k] = torch.cat([v, fill], 0)
    return new


def add_reverse_edges(g, readonly=None, copy_ndata=True, copy_edata=False, ignore_bipartite=False,
                      exclude_self=True):
    src, dst = g._src, g._dst
    eid = torch.arange(g.num_edges())
    keep = src != dst if exclude_self else torch.ones_like(src, dtype=torch.bool)
    new = DGLGraph(torch.cat([src, dst[keep]]), torch.cat([dst, src[keep]]), g.num_nodes())
    new._device = g._device
    if copy_ndata:
        for k, v in g.ndata.items():
            new.ndata[k] = v
    if copy_edata:
        rev_eids = torch.cat([eid, eid[keep]])
        for k, v in g.edata.items():
            new.edata[k] = v[rev_eids]
    return new


def seed(val):
    """DGL seeds only its own C++ RNG (not Python's, NumPy's or torch's); nothing here is random."""
    return None


class _RandomModule:
    @staticmethod
    def seed(val):
        seed(val)


random = _RandomModule()
