"""Sheaf's own pure-torch stand-in for the small part of torch_geometric / torch_scatter (PyG 2.0-era
API) that the Hu et al. / AdapterGNN chemistry code imports. Not PyG: written from the documented
behaviour only. Covers: MessagePassing (source->target, argument routing by the message()/update()
signatures, add/mean/max aggregation), add_self_loops (loops appended last, returns a tuple), degree,
softmax, global add/mean/max pooling, GlobalAttention, Set2Set, glorot/zeros, Data, Batch, Dataset /
InMemoryDataset (list-backed), DataLoader over lists, scatter_add."""
import copy
import inspect
import math
import re

import torch
import torch.utils.data


def scatter_add(src, index, dim=0, out=None, dim_size=None):
    assert dim == 0 or (dim == -1 and src.dim() == 1), 'stand-in supports dim 0 only'
    n = int(index.max()) + 1 if dim_size is None and index.numel() else (dim_size or 0)
    res = src.new_zeros((n,) + tuple(src.shape[1:])).index_add_(0, index, src)
    return res if out is None else out.add_(res)


def _scatter(src, index, n, aggr):
    if aggr in ('add', 'sum'):
        return scatter_add(src, index, dim_size=n)
    if aggr == 'mean':
        cnt = scatter_add(torch.ones_like(index, dtype=src.dtype), index, dim_size=n).clamp(min=1)
        return scatter_add(src, index, dim_size=n) / cnt.view((-1,) + (1,) * (src.dim() - 1))
    if aggr == 'max':  # empty groups give 0, as torch_scatter does
        idx = index.view((-1,) + (1,) * (src.dim() - 1)).expand_as(src)
        return src.new_zeros((n,) + tuple(src.shape[1:])).scatter_reduce(0, idx, src, 'amax', include_self=False)
    raise ValueError(aggr)


def _params(fn):
    return [p for p in inspect.signature(fn).parameters if p != 'self']


class MessagePassing(torch.nn.Module):
    def __init__(self, aggr='add', flow='source_to_target', node_dim=0):
        super().__init__()
        assert flow in ('source_to_target', 'target_to_source')
        self.aggr, self.flow = aggr, flow
        self._msg_args, self._upd_args = _params(self.message), _params(self.update)[1:]

    def propagate(self, edge_index, size=None, **kwargs):
        j, i = (0, 1) if self.flow == 'source_to_target' else (1, 0)
        n = size[i] if size is not None else None
        args = []
        for name in self._msg_args:
            if name.endswith('_j') or name.endswith('_i'):
                t = kwargs[name[:-2]]
                n = t.size(0) if n is None else n
                args.append(t.index_select(0, edge_index[j if name.endswith('_j') else i]))
            elif name == 'edge_index':
                args.append(edge_index)
            elif name == 'size':
                args.append(size)
            else:
                args.append(kwargs.get(name))
        if n is None:
            n = int(edge_index.max()) + 1
        out = _scatter(self.message(*args), edge_index[i], n, self.aggr)
        return self.update(out, *[kwargs.get(k) for k in self._upd_args])

    def message(self, x_j):
        return x_j

    def update(self, aggr_out):
        return aggr_out


def add_self_loops(edge_index, edge_weight=None, fill_value=1, num_nodes=None):
    n = int(edge_index.max()) + 1 if num_nodes is None else num_nodes
    loop = torch.arange(n, dtype=edge_index.dtype, device=edge_index.device)
    edge_index = torch.cat([edge_index, torch.stack([loop, loop])], dim=1)
    if edge_weight is not None:
        edge_weight = torch.cat([edge_weight, edge_weight.new_full((n,), fill_value)])
    return edge_index, edge_weight


def degree(index, num_nodes=None, dtype=None):
    n = int(index.max()) + 1 if num_nodes is None else num_nodes
    return scatter_add(torch.ones(index.numel(), dtype=dtype or torch.float), index, dim_size=n)


def softmax(src, index, num_nodes=None):
    n = int(index.max()) + 1 if num_nodes is None else num_nodes
    m = _scatter(src, index, n, 'max').index_select(0, index)
    e = (src - m).exp()
    return e / (scatter_add(e, index, dim_size=n).index_select(0, index) + 1e-16)


def _size(batch, size):
    return int(batch.max()) + 1 if size is None else size


def global_add_pool(x, batch, size=None):
    return _scatter(x, batch, _size(batch, size), 'add')


def global_mean_pool(x, batch, size=None):
    return _scatter(x, batch, _size(batch, size), 'mean')


def global_max_pool(x, batch, size=None):
    return _scatter(x, batch, _size(batch, size), 'max')


class GlobalAttention(torch.nn.Module):
    def __init__(self, gate_nn, nn=None):
        super().__init__()
        self.gate_nn, self.nn = gate_nn, nn

    def forward(self, x, batch, size=None):
        n = _size(batch, size)
        gate = softmax(self.gate_nn(x).view(-1, 1), batch, n)
        return scatter_add(gate * (self.nn(x) if self.nn is not None else x), batch, dim_size=n)


class Set2Set(torch.nn.Module):
    def __init__(self, in_channels, processing_steps, num_layers=1):
        super().__init__()
        self.in_channels, self.out_channels, self.processing_steps = in_channels, 2 * in_channels, processing_steps
        self.lstm = torch.nn.LSTM(self.out_channels, in_channels, num_layers)

    def forward(self, x, batch):
        b = int(batch.max()) + 1
        h = (x.new_zeros(self.lstm.num_layers, b, self.in_channels),) * 2
        q_star = x.new_zeros(b, self.out_channels)
        for _ in range(self.processing_steps):
            q, h = self.lstm(q_star.unsqueeze(0), h)
            q = q.view(b, self.in_channels)
            a = softmax((x * q.index_select(0, batch)).sum(-1, keepdim=True), batch, b)
            q_star = torch.cat([q, scatter_add(a * x, batch, dim_size=b)], dim=-1)
        return q_star


def glorot(t):
    if t is not None:
        a = math.sqrt(6.0 / (t.size(-2) + t.size(-1)))
        with torch.no_grad():
            t.uniform_(-a, a)


def zeros(t):
    if t is not None:
        with torch.no_grad():
            t.zero_()


class Data:
    def __init__(self, x=None, edge_index=None, edge_attr=None, y=None, **kwargs):
        self.x, self.edge_index, self.edge_attr, self.y = x, edge_index, edge_attr, y
        for k, v in kwargs.items():
            setattr(self, k, v)

    @property
    def keys(self):
        return [k for k, v in self.__dict__.items() if v is not None and not k.startswith('_')]

    def __getitem__(self, key):
        return getattr(self, key, None)

    def __setitem__(self, key, value):
        setattr(self, key, value)

    def __contains__(self, key):
        return key in self.keys

    @property
    def num_nodes(self):
        return self.__dict__.get('_num_nodes') or (self.x.size(0) if self.x is not None else None)

    def __cat_dim__(self, key, value):
        return -1 if re.search('(index|face)', key) else 0

    def __inc__(self, key, value):
        return self.num_nodes if re.search('(index|face)', key) else 0

    def _apply(self, fn):
        for k in self.keys:
            if torch.is_tensor(self[k]):
                self[k] = fn(self[k])
        return self

    def to(self, device):
        return self._apply(lambda t: t.to(device))

    def contiguous(self):
        return self._apply(lambda t: t.contiguous())

    def clone(self):
        return copy.copy(self)._apply(lambda t: t.clone())

    def __repr__(self):
        return f'{type(self).__name__}({", ".join(f"{k}={list(self[k].shape) if torch.is_tensor(self[k]) else self[k]}" for k in self.keys)})'


class Batch(Data):
    def __init__(self, batch=None, **kwargs):
        super().__init__(**kwargs)
        self.batch = batch

    @staticmethod
    def from_data_list(data_list):
        keys = sorted(set().union(*[d.keys for d in data_list]))
        out, parts, vec, inc = Batch(), {k: [] for k in keys}, [], {k: 0 for k in keys}
        for i, d in enumerate(data_list):
            vec.append(torch.full((d.num_nodes,), i, dtype=torch.long))
            for k in d.keys:
                v = d[k]
                parts[k].append(v + inc[k] if torch.is_tensor(v) and inc[k] else v)
                inc[k] += d.__inc__(k, v)
        for k in keys:
            v = parts[k]
            out[k] = torch.cat(v, dim=data_list[0].__cat_dim__(k, v[0])) if torch.is_tensor(v[0]) else v
        out.batch, out.num_graphs = torch.cat(vec), len(data_list)
        return out


class Dataset(torch.utils.data.Dataset):
    """List-backed: Dataset(root, transform, ...) as in PyG; fill with .data_list or from_data_list()."""

    def __init__(self, root=None, transform=None, pre_transform=None, pre_filter=None):
        self.root, self.transform, self.pre_transform, self.pre_filter = root, transform, pre_transform, pre_filter
        self.data_list = []

    @classmethod
    def from_data_list(cls, data_list, transform=None):
        ds = cls.__new__(cls)
        Dataset.__init__(ds, transform=transform)
        ds.data_list = list(data_list)
        return ds

    def __len__(self):
        return len(self.data_list)

    def __getitem__(self, idx):
        if isinstance(idx, int) or (torch.is_tensor(idx) and idx.dim() == 0):
            d = self.data_list[int(idx)]
            return self.transform(d.clone()) if self.transform is not None else d
        sub = copy.copy(self)
        rows = range(len(self))[idx] if isinstance(idx, slice) else [int(i) for i in idx]
        sub.data_list = [self.data_list[i] for i in rows]
        return sub


class InMemoryDataset(Dataset):
    pass


class DataLoader(torch.utils.data.DataLoader):
    def __init__(self, dataset, batch_size=1, shuffle=False, **kwargs):
        kwargs['num_workers'] = 0  # the stand-in keeps everything in one process
        super().__init__(dataset, batch_size, shuffle, collate_fn=Batch.from_data_list, **kwargs)
