"""Write test/fixtures/adaptergnn/forward.json from the OFFICIAL AdapterGNN chemistry classes (imported
from --official, a /tmp checkout of github Lucius-lsr/AdapterGNN chem/; nothing of it is copied here)
run on Sheaf's torch_geometric stand-in (./pyg_standin). Numbers only (plus the 3 SMILES).

Contents
  molecules      3 SMILES featurised by the official loader.mol_to_graph_data_obj_simple (one with E/Z
                 slashes -> bond directions 1 and 2, one chiral -> chirality tag, one aromatic + triple),
                 and the collated batch arrays x, edge_index, edge_attr, batch.
  adapter        official adapterGNN.AdapterGNN_graphpred(num_layer 2, emb 16, 2 tasks, JK last, mean
                 pooling, dropout 0; bottleneck 15 is hard-coded in the official GNN), torch.manual_seed(0)
                 init, then every adapter up-projection, the 2x2 scalars, all BN affine params and all BN
                 running stats overwritten with random values (so that the adapters matter). Full state dict,
                 eval-mode logits, and a train-mode forward/backward (batch-stat BN) with the official masked
                 BCE against fixed labels in {-1, 0, 1}: loss, logits, gradients of every parameter in the
                 adapter-mode optimiser groups (finetune.main), and the BN running stats after that forward.
  adapter_zero_init   the same architecture with the official init (up-projections zero, scalars 0.01,
                 default BN): state = adapter.state_dict with state_dict_overrides applied; train/eval logits,
                 loss and gradients of the adapters and scalars (adapter BN sees variance 0: eps = 1e-5 matters;
                 the up-projection bias gradients are ~1e-8 noise, exactly 0 in exact arithmetic).
                 NB: biases that feed straight into a train-mode BatchNorm (gnns.*.mlp.2.bias and
                 prompts.*.*.2.bias) have an exactly-zero gradient (BN subtracts the batch mean); the stored
                 values are float32 round-off (<= 3e-7): compare them with an absolute tolerance.
  masking        official model.GNN(2, 16) + Linear(16, 119), masked atoms -> [119, 0]: state dicts, masked
                 indices, eval logits at the masked atoms, CE loss (eval and train mode).
  param_counts   official models, 1 task: AdapterGNN tuned/total at 5x300 and 5x64, full fine-tune totals,
                 LoRA variant (chem/model_lora.py at commit 7466229, --lora DIR) tuned/total.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 /usr/bin/python3 \
      scripts/adaptergnn/make_fixtures.py --official /tmp/adaptergnn-official/chem --lora /tmp/adaptergnn-official/lora
"""
import argparse
import importlib.util
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'pyg_standin'))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(1)

SMILES = ['C/C=C\\C(=O)O', 'C[C@H](N)C(=O)O', 'C#Cc1ccc(O)cc1']
LABELS = [[1, -1], [0, 1], [-1, 0]]  # {-1, 0 = missing, +1}, 3 molecules x 2 tasks
ARGS = argparse.Namespace(middle=2)  # model.GINConv reads args.middle (finetune.py never sets it)


def num(t):
    t = t.detach().cpu()
    if t.dtype.is_floating_point:
        return [float(f'{v:.9g}') for v in t.float().flatten().tolist()]
    return [int(v) for v in t.flatten().tolist()]


def arr(t):
    return {'shape': list(t.shape), 'data': num(t)}


def state(module):
    return {k: arr(v) for k, v in module.state_dict().items()}


def randomise_bn(bn, g):
    with torch.no_grad():
        bn.weight.copy_(torch.rand(bn.weight.shape, generator=g) + 0.5)
        bn.bias.copy_(torch.randn(bn.bias.shape, generator=g) * 0.2)
        bn.running_mean.copy_(torch.rand(bn.running_mean.shape, generator=g) * 0.5 + 0.05)
        bn.running_var.copy_(torch.rand(bn.running_var.shape, generator=g) * 1.5 + 0.5)


def adapter_param_groups(model):
    """finetune.main's AdapterGNN optimiser groups, as (name, parameter) pairs."""
    names = {id(p): n for n, p in model.named_parameters()}
    ps = list(model.gnn.prompts.parameters()) + [model.gnn.gating_parameter]
    for name, p in model.gnn.named_parameters():
        if name.startswith('batch_norms') or ('mlp' in name and name.endswith('bias')):
            ps.append(p)
    ps += list(model.graph_pred_linear.parameters())
    assert len({id(p) for p in ps}) == len(ps)
    return [(names[id(p)], p) for p in ps]


def masked_bce(pred, y):
    """finetune.train's loss: BCE-with-logits in float64 on (y+1)/2, zero where y == 0, / #valid."""
    y = y.view(pred.shape).to(torch.float64)
    valid = y ** 2 > 0
    loss = F.binary_cross_entropy_with_logits(pred.double(), (y + 1) / 2, reduction='none')
    loss = torch.where(valid, loss, torch.zeros_like(loss))
    return loss.sum() / valid.sum()


def independent_forward(m, x, ei, ea, batch):
    """Plain-torch re-statement of the AdapterGNN forward (eval mode), written from the method
    description, used only to check the stand-in + official code path."""
    g = m.gnn
    n = x.size(0)
    h = g.x_embedding1(x[:, 0]) + g.x_embedding2(x[:, 1])
    src = torch.cat([ei[0], torch.arange(n)])
    dst = torch.cat([ei[1], torch.arange(n)])
    et = torch.cat([ea[:, 0], torch.full((n,), 4)])
    ed = torch.cat([ea[:, 1], torch.zeros(n, dtype=torch.long)])
    for l in range(g.num_layer):
        conv = g.gnns[l]
        msg = h[src] + conv.edge_embedding1(et) + conv.edge_embedding2(ed)
        aggr = torch.zeros_like(h).index_add_(0, dst, msg)
        out = g.batch_norms[l](conv.mlp(aggr))
        out = out + g.prompts[0][l](h) * g.gating_parameter[0, l] + g.prompts[1][l](aggr) * g.gating_parameter[1, l]
        h = F.relu(out) if l < g.num_layer - 1 else out
    pooled = torch.zeros(int(batch.max()) + 1, h.size(1)).index_add_(0, batch, h)
    pooled = pooled / torch.bincount(batch).unsqueeze(1).float()
    return m.graph_pred_linear(pooled)


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def count(model, groups):
    return {'tuned': sum(p.numel() for p in groups), 'total': sum(p.numel() for p in model.parameters())}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--official', required=True, help="official repo's chem/ folder (HEAD)")
    ap.add_argument('--lora', required=True, help='folder holding model_lora.py from commit 7466229')
    ap.add_argument('--out', default=os.path.join(HERE, '..', '..', 'test', 'fixtures', 'adaptergnn', 'forward.json'))
    args = ap.parse_args()
    sys.path.insert(1, os.path.abspath(args.official))
    import adapterGNN
    import model as official_model
    import loader
    from rdkit import Chem
    from torch_geometric.data import Batch

    graphs = [loader.mol_to_graph_data_obj_simple(Chem.MolFromSmiles(s)) for s in SMILES]
    b = Batch.from_data_list(graphs)
    x, ei, ea, bv = b.x, b.edge_index, b.edge_attr, b.batch
    y = torch.tensor(LABELS, dtype=torch.long)
    out = {'smiles': SMILES,
           'molecules': [{'x': arr(g.x), 'edge_index': arr(g.edge_index), 'edge_attr': arr(g.edge_attr)} for g in graphs],
           'batch': {'x': arr(x), 'edge_index': arr(ei), 'edge_attr': arr(ea), 'batch': arr(bv)}}

    # ------------------------------------------------------------------ adapter model, random adapters
    torch.manual_seed(0)
    m = adapterGNN.AdapterGNN_graphpred(ARGS, 2, 16, num_tasks=2, JK='last', drop_ratio=0, graph_pooling='mean')
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for branch in m.gnn.prompts:
            for seq in branch:
                seq[2].weight.copy_(torch.randn(seq[2].weight.shape, generator=gen) * 0.3)
                seq[2].bias.copy_(torch.randn(seq[2].bias.shape, generator=gen) * 0.1)
                randomise_bn(seq[3], gen)
        m.gnn.gating_parameter.copy_(torch.rand(m.gnn.gating_parameter.shape, generator=gen) * 0.8 + 0.2)
        for bn in m.gnn.batch_norms:
            randomise_bn(bn, gen)
    sd = state(m)
    m.eval()
    with torch.no_grad():
        _, logits_eval = m(x, ei, ea, bv)
        check = independent_forward(m, x, ei, ea, bv)
    assert torch.allclose(logits_eval, check, atol=1e-6), (logits_eval, check)
    m.train()
    _, logits_train = m(x, ei, ea, bv)
    loss = masked_bce(logits_train, y)
    m.zero_grad()
    loss.backward()
    groups = adapter_param_groups(m)
    out['adapter'] = {
        'config': {'num_layer': 2, 'emb_dim': 16, 'bottleneck': m.gnn.prompts[0][0][0].out_features, 'num_tasks': 2,
                   'bn_eps': m.gnn.batch_norms[0].eps, 'bn_momentum': m.gnn.batch_norms[0].momentum,
                   'labels': LABELS},
        'state_dict': sd,
        'eval_logits': arr(logits_eval),
        'train_logits': arr(logits_train),
        'train_loss': float(loss),
        'trainable': [n for n, _ in groups],
        'grads': {n: arr(p.grad) for n, p in groups},
        'running_stats_after_train_forward': {k: arr(v) for k, v in m.state_dict().items() if 'running' in k},
    }

    # ------------------------------------------------------------------ adapter model, official zero init
    torch.manual_seed(0)
    z = adapterGNN.AdapterGNN_graphpred(ARGS, 2, 16, num_tasks=2, JK='last', drop_ratio=0, graph_pooling='mean')
    zsd = state(z)
    z.eval()
    with torch.no_grad():
        _, zl_eval = z(x, ei, ea, bv)
    z.train()
    _, zl_train = z(x, ei, ea, bv)
    zloss = masked_bce(zl_train, y)
    zloss.backward()
    out['adapter_zero_init'] = {
        'state_dict_overrides': {k: v for k, v in zsd.items() if v != sd[k]},  # the rest equals adapter.state_dict 'eval_logits': arr(zl_eval), 'train_logits': arr(zl_train), 'train_loss': float(zloss),
        'grads': {n: arr(p.grad) for n, p in adapter_param_groups(z) if n.startswith('gnn.prompts') or n == 'gnn.gating_parameter'},
    }

    # ------------------------------------------------------------------ attribute masking
    torch.manual_seed(0)
    gnn = official_model.GNN(ARGS, 2, 16, JK='last', drop_ratio=0, gnn_type='gin')
    head = torch.nn.Linear(16, 119)
    gen = torch.Generator().manual_seed(2)
    for bn in gnn.batch_norms:
        randomise_bn(bn, gen)
    random.seed(4)  # seed 4: the masked atoms are C, N (the chiral molecule's), C, O
    masked, offset = [], 0
    for g in graphs:  # Hu et al.'s rule: int(n * 0.15 + 1) distinct atoms per molecule
        n = g.x.size(0)
        masked += [offset + i for i in random.sample(range(n), int(n * 0.15 + 1))]
        offset += n
    masked = torch.tensor(masked)
    labels = x[masked, 0].clone()
    xm = x.clone()
    xm[masked] = torch.tensor([119, 0])
    gsd, hsd = state(gnn), state(head)
    gnn.eval(), head.eval()
    with torch.no_grad():
        ml_eval = head(gnn(xm, ei, ea)[masked])
    ce_eval = F.cross_entropy(ml_eval.double(), labels)
    gnn.train(), head.train()
    ml_train = head(gnn(xm, ei, ea)[masked])
    ce_train = F.cross_entropy(ml_train.double(), labels)
    out['masking'] = {'config': {'num_layer': 2, 'emb_dim': 16, 'mask_token': [119, 0], 'mask_rate': 0.15},
                      'gnn_state_dict': gsd, 'head_state_dict': hsd, 'masked_atom_indices': num(masked),
                      'labels': num(labels), 'x_masked': arr(xm), 'eval_logits': arr(ml_eval),
                      'eval_ce': float(ce_eval), 'train_logits': arr(ml_train), 'train_ce': float(ce_train)}

    # ------------------------------------------------------------------ parameter counts (1 task)
    lora = load_module('official_model_lora', os.path.join(args.lora, 'model_lora.py'))
    counts = {}
    for emb in (300, 64):
        a = adapterGNN.AdapterGNN_graphpred(ARGS, 5, emb, 1)
        counts[f'adapter_5x{emb}'] = count(a, [p for _, p in adapter_param_groups(a)])
        full = official_model.GNN_graphpred(ARGS, 5, emb, 1)
        counts[f'full_5x{emb}'] = count(full, list(full.parameters()))
        counts[f'backbone_5x{emb}'] = sum(p.numel() for p in full.gnn.parameters())
        lm = lora.GNN_graphpred_lora(ARGS, 5, emb, 1)
        lg = [p for n, p in lm.gnn.gnns.named_parameters() if 'lora' in n or 'scale' in n or 'ia3' in n]
        lg += [p for n, p in lm.gnn.named_parameters()
               if n.startswith('batch_norms') or ('mlp' in n and n.endswith('bias'))]
        lg += list(lm.graph_pred_linear.parameters())
        counts[f'lora_5x{emb}'] = count(lm, lg)
        counts[f'lora_5x{emb}']['lora_branches'] = sum(p.numel() for n, p in lm.named_parameters() if 'lora' in n)
    out['param_counts'] = counts
    print(json.dumps(counts))

    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, 'w') as f:
        json.dump(out, f, separators=(',', ':'))
    print(f'wrote {args.out} ({os.path.getsize(args.out)} bytes); eval logits {num(logits_eval)}; '
          f'train loss {float(loss):.6f}; zero-init loss {float(zloss):.6f}; masking CE eval {float(ce_eval):.6f}')


if __name__ == '__main__':
    main()
