"""Reference runs of the OFFICIAL AdapterGNN chemistry code (github Lucius-lsr/AdapterGNN, chem/; no
licence, so it is never copied here: point --official at a checkout in /tmp) on Debian torch (CPU),
with Sheaf's pure-torch torch_geometric/torch_scatter stand-in (./pyg_standin) first on sys.path.

Imported verbatim from --official: adapterGNN.AdapterGNN_graphpred, model.GNN / model.GNN_graphpred,
loader.mol_to_graph_data_obj_simple, splitters.scaffold_split_multask (the splitter finetune.main
uses), finetune.train (one training epoch, official loss), finetune.eval (cross-check only),
batch.BatchMasking via dataloader.DataLoaderMasking (pre-training collate).

Written here (the official repo's HEAD has no pre-training script): the attribute-masking loop and
mask transform, following Hu et al. (pretrain-gnns, MIT) as described: mask int(n*rate+1) atoms,
replace by [119, 0], CE of Linear(emb,119) on the masked atoms, separate Adam optimisers (lr 1e-3).

Run-time patches (the official files are unchanged on disk):
  * args.middle = 2 is supplied (model.GINConv needs it; finetune.py never defines it);
  * with --scaffold-chirality false (default) splitters.generate_scaffold is wrapped so the
    hard-coded include_chirality=True becomes False (our TypeScript port's setting);
  * the stand-in's DataLoader always uses num_workers=0.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 /usr/bin/python3 \
      scripts/adaptergnn/official_run.py --official /tmp/adaptergnn-official/chem pretrain-masking --emb-dim 64
    ... finetune --mode adapter --emb-dim 64 --epochs 2 --seed 0 --checkpoint /tmp/adaptergnn-ref/masking64.pth --time
"""
import argparse
import json
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, 'pyg_standin'))

import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(1)

DATAGROK = '/tmp/chem/package/files'


def load_official(path):
    sys.path.insert(1, os.path.abspath(path))
    import adapterGNN  # noqa: F401
    import model as official_model
    import loader
    import splitters
    import finetune
    import dataloader
    return adapterGNN, official_model, loader, splitters, finetune, dataloader


# ----------------------------------------------------------------------------------- featurising

def featurise(smiles_list, loader, labels=None):
    """Official featuriser on every SMILES; rows RDKit cannot parse or the official lookups reject
    (ValueError from list.index) or with chirality index 3 (embedding has 3 rows) are dropped."""
    from rdkit import Chem, RDLogger
    RDLogger.DisableLog('rdApp.*')
    kept, graphs, dropped = [], [], []
    for i, s in enumerate(smiles_list):
        mol = Chem.MolFromSmiles(s)
        try:
            if mol is None:
                raise ValueError('unparsable')
            g = loader.mol_to_graph_data_obj_simple(mol)
            if int(g.x[:, 1].max()) > 2:
                raise ValueError('CHI_OTHER')
        except ValueError as e:
            dropped.append((i, str(e)))
            continue
        kept.append(i)
        graphs.append(g)
    blob = {'rows': kept, 'smiles': [smiles_list[i] for i in kept], 'dropped': dropped,
            'n_nodes': [g.x.size(0) for g in graphs], 'n_edges': [g.edge_index.size(1) for g in graphs],
            'x': torch.cat([g.x for g in graphs]), 'edge_attr': torch.cat([g.edge_attr for g in graphs]),
            'edge_index': torch.cat([g.edge_index for g in graphs], dim=1)}
    if labels is not None:
        blob['y'] = torch.tensor([labels[i] for i in kept], dtype=torch.long).view(-1, 1)
    return blob


def unpack(blob):
    from torch_geometric.data import Data
    out, n0, e0 = [], 0, 0
    for k, (n, e) in enumerate(zip(blob['n_nodes'], blob['n_edges'])):
        d = Data(x=blob['x'][n0:n0 + n], edge_index=blob['edge_index'][:, e0:e0 + e],
                 edge_attr=blob['edge_attr'][e0:e0 + e])
        if 'y' in blob:
            d.y = blob['y'][k]
        out.append(d)
        n0, e0 = n0 + n, e0 + e
    return out


def cached(path, build):
    if os.path.exists(path):
        return torch.load(path)
    blob = build()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.save(blob, path)
    return blob


def herg_blob(args, loader):
    def build():
        import pandas as pd
        df = pd.read_csv(args.herg_csv)
        df = df[df['hERG_pIC50'].notna()].reset_index(drop=True)
        labels = [1 if v >= 5 else -1 for v in df['hERG_pIC50'].astype(float)]
        return featurise(list(df['smiles']), loader, labels)
    return cached(os.path.join(args.cache_dir, 'herg_graphs.pt'), build)


def pretrain_blob(args, loader):
    def build():
        import pandas as pd
        smiles = list(pd.read_csv(args.pretrain_csv)['smiles'][:args.n_pretrain])
        return featurise(smiles, loader)
    return cached(os.path.join(args.cache_dir, f'pretrain{args.n_pretrain}_graphs.pt'), build)


# ----------------------------------------------------------------------------------- pre-training

class MaskAtoms:
    """Hu et al.'s attribute-masking transform (own code): int(n*rate + 1) distinct atoms sampled with
    Python's random, labels = their original [type, chirality], features replaced by [119, 0]."""

    def __init__(self, mask_rate, mask_token=119):
        self.mask_rate, self.mask_token = mask_rate, mask_token

    def __call__(self, data):
        n = data.x.size(0)
        idx = random.sample(range(n), int(n * self.mask_rate + 1))
        data.mask_node_label = data.x[idx].clone()
        data.masked_atom_indices = torch.tensor(idx)
        data.x[idx] = torch.tensor([self.mask_token, 0])
        return data


def cmd_pretrain(args, mods):
    _, official_model, loader, _, _, dataloader = mods
    from torch_geometric.data import InMemoryDataset
    t_wall, t_cpu = time.time(), time.process_time()
    blob = pretrain_blob(args, loader)
    print(f'pre-training molecules: {len(blob["rows"])} kept of {args.n_pretrain} '
          f'({len(blob["dropped"])} dropped), {len(blob["x"])} atoms', flush=True)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    random.seed(args.seed)
    ds = InMemoryDataset.from_data_list(unpack(blob), transform=MaskAtoms(args.mask_rate))
    dl = dataloader.DataLoaderMasking(ds, batch_size=args.batch_size, shuffle=True, num_workers=0)
    args.middle = 2
    gnn = official_model.GNN(args, args.num_layer, args.emb_dim, JK='last', drop_ratio=0, gnn_type='gin')
    head_atoms = torch.nn.Linear(args.emb_dim, 119)
    head_bonds = torch.nn.Linear(args.emb_dim, 4)  # created (and given an optimiser) as in Hu et al.; unused
    opts = [torch.optim.Adam(m.parameters(), lr=args.lr, weight_decay=0) for m in (gnn, head_atoms, head_bonds)]
    ce = torch.nn.CrossEntropyLoss()
    t_feat = time.process_time() - t_cpu
    t0 = time.process_time()
    for epoch in range(1, args.epochs + 1):
        gnn.train(), head_atoms.train()
        loss_sum = acc_sum = 0.0
        n_correct = n_masked = 0
        steps = 0
        for batch in dl:
            rep = gnn(batch.x, batch.edge_index, batch.edge_attr)
            pred = head_atoms(rep[batch.masked_atom_indices])
            target = batch.mask_node_label[:, 0]
            loss = ce(pred.double(), target)
            for o in opts:
                o.zero_grad()
            loss.backward()
            for o in opts:
                o.step()
            hit = int((pred.detach().argmax(1) == target).sum())
            loss_sum += float(loss)
            acc_sum += hit / len(pred)
            n_correct, n_masked, steps = n_correct + hit, n_masked + len(pred), steps + 1
        res = {'epoch': epoch, 'steps': steps, 'loss_mean': loss_sum / steps, 'acc_mean': acc_sum / steps,
               'loss_hu_style': loss_sum / (steps - 1), 'acc_hu_style': acc_sum / (steps - 1),
               'acc_pooled': n_correct / n_masked, 'last_batch_loss': float(loss), 'masked_atoms': n_masked}
        print(json.dumps(res), flush=True)
    torch.save(gnn.state_dict(), args.out)
    torch.save(head_atoms.state_dict(), os.path.splitext(args.out)[0] + '_head.pth')
    carbon = float((blob['x'][:, 0] == 5).float().mean())
    print(json.dumps({'cmd': 'pretrain-masking', 'emb_dim': args.emb_dim, 'num_layer': args.num_layer,
                      'molecules': len(blob['rows']), 'epochs': args.epochs, 'batch_size': args.batch_size,
                      'loss': res['loss_mean'], 'masked_atom_acc': res['acc_mean'],
                      'loss_hu_style': res['loss_hu_style'], 'acc_hu_style': res['acc_hu_style'],
                      'trivial_carbon_acc': carbon, 'train_cpu_s': time.process_time() - t0,
                      'featurise_cpu_s': t_feat, 'total_cpu_s': time.process_time() - t_cpu,
                      'wall_s': time.time() - t_wall, 'out': args.out}), flush=True)


# ----------------------------------------------------------------------------------- fine-tuning

def scaffold_split(args, mods, ds, smiles):
    splitters = mods[3]
    tag = 'chiral' if args.scaffold_chirality else 'achiral'
    path = os.path.join(args.cache_dir, f'herg_split_{tag}.json')
    if os.path.exists(path):
        with open(path) as f:
            idx = json.load(f)
    else:
        if not args.scaffold_chirality:  # run-time patch: hard-coded include_chirality=True -> False
            orig = splitters.generate_scaffold
            splitters.generate_scaffold = lambda s, include_chirality=False: orig(s, include_chirality=False)
        # the official splitter returns dataset[tensor]; record indices by tagging each graph
        for i, d in enumerate(ds.data_list):
            d.row = i
        parts = splitters.scaffold_split_multask(args, ds, smiles, null_value=0, frac_train=0.8,
                                                 frac_valid=0.1, frac_test=0.1)
        idx = [[d.row for d in p.data_list] for p in parts]
        for d in ds.data_list:
            del d.row
        if not args.scaffold_chirality:
            splitters.generate_scaffold = orig
        with open(path, 'w') as f:
            json.dump(idx, f)
    return [ds[torch.tensor(i)] for i in idx], idx


def evaluate(model, loader):
    """One eval-mode pass: ROC-AUC exactly as finetune.eval (tasks lacking a class skipped, mean over
    tasks) and the masked BCE over all valid labels of the split."""
    from sklearn.metrics import roc_auc_score
    model.eval()
    ys, ps = [], []
    with torch.no_grad():
        for b in loader:
            _, pred = model(b.x, b.edge_index, b.edge_attr, b.batch)
            ys.append(b.y.view(pred.shape))
            ps.append(pred)
    y, p = torch.cat(ys), torch.cat(ps)
    valid = y ** 2 > 0
    bce = torch.nn.functional.binary_cross_entropy_with_logits(p.double(), (y.double() + 1) / 2, reduction='none')
    bce = float(bce[valid].sum() / valid.sum())
    yn, pn = y.numpy(), p.numpy()
    aucs = [roc_auc_score((yn[yn[:, t] != 0, t] + 1) / 2, pn[yn[:, t] != 0, t]) for t in range(yn.shape[1])
            if (yn[:, t] == 1).any() and (yn[:, t] == -1).any()]
    return sum(aucs) / len(aucs), bce


def param_groups(model, mode, adapter_cls):
    """finetune.main's groups: AdapterGNN = prompts, gating_parameter, batch_norms.*, *mlp*bias, head;
    GNN_graphpred = gnn + head."""
    if mode == 'adapter':
        assert type(model) is adapter_cls
        groups = [{'params': model.gnn.prompts.parameters()}, {'params': model.gnn.gating_parameter}]
        for name, p in model.gnn.named_parameters():
            if name.startswith('batch_norms'):
                groups.append({'params': p})
            if 'mlp' in name and name.endswith('bias'):
                groups.append({'params': p})
        groups.append({'params': model.graph_pred_linear.parameters()})
    else:
        groups = [{'params': model.gnn.parameters()}, {'params': model.graph_pred_linear.parameters()}]
    return groups


def cmd_finetune(args, mods):
    adapterGNN, official_model, loader, _, finetune, _ = mods
    from torch_geometric.data import DataLoader, InMemoryDataset
    t_wall = time.time()
    blob = herg_blob(args, loader)
    ds = InMemoryDataset.from_data_list(unpack(blob))
    args.middle = 2
    torch.manual_seed(args.seed)  # finetune.main seeds first, then builds data, loaders and model
    np.random.seed(args.seed)
    (train_ds, val_ds, test_ds), _ = scaffold_split(args, mods, ds, blob['smiles'])
    sizes = [len(train_ds), len(val_ds), len(test_ds)]
    print(f'hERG: {len(ds)} molecules ({len(blob["dropped"])} dropped); scaffold split '
          f'(includeChirality={args.scaffold_chirality}) {sizes[0]} / {sizes[1]} / {sizes[2]}', flush=True)
    train_loader = DataLoader(train_ds, batch_size=args.batch_size, shuffle=True)
    eval_loaders = {k: DataLoader(d, batch_size=args.batch_size, shuffle=False)
                    for k, d in (('train', train_ds), ('val', val_ds), ('test', test_ds))}
    kw = dict(JK='last', drop_ratio=args.dropout, graph_pooling='mean', gnn_type='gin')
    if args.mode == 'adapter':
        model = adapterGNN.AdapterGNN_graphpred(args, args.num_layer, args.emb_dim, 1, **kw)
    else:
        model = official_model.GNN_graphpred(args, args.num_layer, args.emb_dim, 1, **kw)
    if args.mode != 'scratch':
        model.from_pretrained(args.checkpoint)
    groups = param_groups(model, args.mode, adapterGNN.AdapterGNN_graphpred)
    optimizer = torch.optim.Adam(groups, lr=args.lr, weight_decay=0)
    tuned = sum(p.numel() for g in optimizer.param_groups for p in g['params'])
    total = sum(p.numel() for p in model.parameters())
    print(f'mode {args.mode}: tuned {tuned} of {total} parameters', flush=True)

    best_val, sel, hist, cpu_train, cpu_eval, cpu_eval_vt = -1, None, [], [], [], []
    for epoch in range(1, args.epochs + 1):
        t0 = time.process_time()
        finetune.train(args, model, 'cpu', train_loader, optimizer)  # official training epoch
        t1 = time.process_time()
        tr_auc, tr_bce = evaluate(model, eval_loaders['train'])
        t2 = time.process_time()
        va_auc, va_bce = evaluate(model, eval_loaders['val'])
        te_auc, te_bce = evaluate(model, eval_loaders['test'])
        t3 = time.process_time()
        cpu_train.append(t1 - t0), cpu_eval.append(t3 - t1), cpu_eval_vt.append(t3 - t2)
        if epoch == 1:  # cross-check our AUC against the official eval()
            off = finetune.eval(args, model, 'cpu', eval_loaders['val'])
            assert abs(off - va_auc) < 1e-9, (off, va_auc)
        row = {'epoch': epoch, 'train_auc': tr_auc, 'val_auc': va_auc, 'test_auc': te_auc,
               'train_bce': tr_bce, 'val_bce': va_bce, 'test_bce': te_bce}
        if args.time:
            row.update(cpu_train_s=t1 - t0, cpu_eval_s=t3 - t1)
        hist.append(row)
        print(json.dumps(row), flush=True)
        if va_auc > best_val:  # strict >, first maximum wins (as finetune.main)
            best_val, sel = va_auc, row
    out = {'mode': args.mode, 'emb_dim': args.emb_dim, 'num_layer': args.num_layer, 'epochs': args.epochs,
           'seed': args.seed, 'scaffold_chirality': args.scaffold_chirality, 'split_sizes': sizes,
           'tuned_params': tuned, 'total_params': total, 'best_epoch': sel['epoch'],
           'train_auc': sel['train_auc'], 'val_auc': sel['val_auc'], 'test_auc': sel['test_auc'],
           'last_test_auc': hist[-1]['test_auc'], 'train_bce': sel['train_bce'], 'test_bce': sel['test_bce'],
           'bce_gap': sel['test_bce'] - sel['train_bce'], 'wall_s': time.time() - t_wall}
    if args.time:
        out.update(cpu_s_per_epoch=cpu_train, eval_cpu_s=cpu_eval, eval_val_test_cpu_s=cpu_eval_vt)
    print(json.dumps(out), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--official', required=True, help="the official repo's chem/ folder (a /tmp checkout)")
    ap.add_argument('--cache-dir', default='/tmp/adaptergnn-ref')
    ap.add_argument('--num-layer', type=int, default=5)
    ap.add_argument('--emb-dim', type=int, default=64)
    ap.add_argument('--seed', type=int, default=0)
    sub = ap.add_subparsers(dest='cmd', required=True)
    p = sub.add_parser('pretrain-masking')
    p.add_argument('--pretrain-csv', default=f'{DATAGROK}/tests/smiles_50K.csv')
    p.add_argument('--n-pretrain', type=int, default=20000)
    p.add_argument('--batch-size', type=int, default=256)
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--mask-rate', type=float, default=0.15)
    p.add_argument('--epochs', type=int, default=1)
    p.add_argument('--out', default=None, help='default <cache-dir>/masking<emb>.pth')
    f = sub.add_parser('finetune')
    f.add_argument('--mode', choices=['adapter', 'full', 'scratch'], required=True)
    f.add_argument('--checkpoint', default=None, help='default <cache-dir>/masking<emb>.pth')
    f.add_argument('--herg-csv', default=f'{DATAGROK}/demo_files/mmp_demo.csv')
    f.add_argument('--epochs', type=int, default=10)
    f.add_argument('--batch-size', type=int, default=32)
    f.add_argument('--lr', type=float, default=1e-3)
    f.add_argument('--dropout', type=float, default=0.5)
    f.add_argument('--scaffold-chirality', type=lambda s: s.lower() in ('1', 'true', 'yes'), default=False)
    f.add_argument('--time', action='store_true', help='CPU seconds per epoch (train pass, eval pass)')
    args = ap.parse_args()
    mods = load_official(args.official)
    default_ckpt = os.path.join(args.cache_dir, f'masking{args.emb_dim}.pth')
    if args.cmd == 'pretrain-masking':
        args.out = args.out or default_ckpt
        cmd_pretrain(args, mods)
    else:
        args.checkpoint = args.checkpoint or default_ckpt
        cmd_finetune(args, mods)


if __name__ == '__main__':
    main()
