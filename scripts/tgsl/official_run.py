"""Reference runs of the OFFICIAL TGSL code (github ViktorAxelsen/TGSL, MIT; `TGAT+TGSL/`) on Debian
torch (CPU).  The official files are never copied into Sheaf: point --official at the copy that
scripts/tgsl/setup_official.sh makes in /tmp (default: the 32-wide, 10-neighbour copy).

  --model tgsl   runs the official TGAT+TGSL/train.py unchanged (runpy, as `__main__`) with
                 `--dataset wikipedia --uniform --agg_method attn --attn_mode prod` and the TGSL
                 arguments given here; its prints are parsed (and echoed to stderr).
  --model tgat   the TGAT backbone alone (docs/research/graph.md §2e), written here: TGSL's own
                 TGAN / NeighborFinder(uniform) / EarlyStopMonitor / RandEdgeSampler / set_seed are
                 imported from the official folder, the split is rebuilt exactly as train.py builds it
                 (same seed -> same masked nodes), and the loop is TGAT's learn_edge.py (BCE on one
                 random negative, Adam, batch 200, early stop on val AP, its two unused
                 np.random.shuffle(idx_list) calls kept for RNG parity); evaluation = TGSL's
                 eval_one_epoch without the structure learning (mean over batches of 200 of AP and
                 ROC-AUC, one random negative each, `e_idx = min(n - 1, s + 200)` as in the original).

Input: a JODIE CSV (user,item,timestamp,state_label,f0,...; users 0..U-1, items 0..I-1).  It is
converted by the official process.py (`run('wikipedia')`, imported from the official folder) into
<workdir>/processed/ml_wikipedia{.csv,.npy,_node.npy}; the run happens in <workdir>.

Run-time patches (files on disk unchanged):
  * scripts/tgsl/dgl_standin first on sys.path (Debian has no DGL);
  * torch.Tensor.cuda is a no-op (MTL.py:219 calls .cuda() on the InfoNCE labels);
  * random.sample accepts a set by sorting it first (Python >= 3.11 rejects sets; train.py:277);
    --set-order insertion uses tuple(set) instead, which is what Python 3.8 did internally;
  * config.Config.EPOCH = --epochs (official 50);
  * torch.autograd.set_detect_anomaly(True) (train.py:21) is skipped unless --anomaly (it only
    slows the backward pass);
  * torch.save / torch.load are wrapped only to time-stamp them (for the evaluation CPU time).

Output (stdout): one JSON line per epoch and a final summary line; with --time the lines carry
process-CPU seconds (time.process_time; run single-threaded).

    PY="env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS=1 /usr/bin/python3"
    $PY scripts/tgsl/official_run.py --model tgsl --data /tmp/tgsl-data/syn1500.csv --epochs 1 --time
    $PY scripts/tgsl/official_run.py --model tgat --data /tmp/tgsl-data/syn1500.csv --epochs 1 --time
"""
import argparse
import copy
import inspect
import io
import json
import math
import os
import random
import re
import runpy
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ next to the stand-in or in /tmp copies
STANDIN = os.path.join(HERE, 'dgl_standin')
INFER_BS = 200  # train.py --infer_bs default


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--model', choices=['tgsl', 'tgat'], required=True)
    ap.add_argument('--official', default='/tmp/tgsl-official/w32-n10',
                    help='folder holding TGAT+TGSL/ (or the TGAT+TGSL folder itself)')
    ap.add_argument('--data', required=True, help='JODIE-format CSV')
    ap.add_argument('--workdir', default=None, help='scratch folder (default /tmp/tgsl-run/<model>-s<seed>)')
    ap.add_argument('--seed', type=int, default=2023)
    ap.add_argument('--epochs', type=int, default=50)
    ap.add_argument('--can-type', default='1st', choices=['1st', '3rd', 'random', 'mix'])
    ap.add_argument('--can-nn', type=int, default=10)
    ap.add_argument('--ratio', type=float, default=0.8)
    ap.add_argument('--rnn-layer', type=int, default=3)
    ap.add_argument('--rnn-nn', type=int, default=20)
    ap.add_argument('--coe', type=float, default=0.2)
    ap.add_argument('--K', type=int, default=512)
    ap.add_argument('--tau', type=float, default=0.1)
    ap.add_argument('--gtau', type=float, default=1.0)
    ap.add_argument('--width', type=int, default=None,
                    help='tgat: feature padding width (default: the folder\'s TimeMapping time_dim default, '
                         'i.e. the W setup_official.sh substituted)')
    ap.add_argument('--self-loop-fill', type=float, default=1.0,
                    help='DGL add_self_loop fill value: 1.0 = DGL 1.0.0 (pinned by TGSL), 0.0 = DGL <= 0.9')
    ap.add_argument('--set-order', choices=['sorted', 'insertion'], default='sorted')
    ap.add_argument('--anomaly', action='store_true', help='keep torch.autograd.set_detect_anomaly(True)')
    ap.add_argument('--time', action='store_true', help='add CPU/wall timings to the JSON lines')
    return ap.parse_args()


def resolve_official(d):
    d = os.path.abspath(d)
    for cand in (d, os.path.join(d, 'TGAT+TGSL')):
        if os.path.isfile(os.path.join(cand, 'train.py')) and os.path.isfile(os.path.join(cand, 'TGAT.py')):
            return cand
    sys.exit(f'no TGAT+TGSL folder (train.py, TGAT.py) at {d}; run scripts/tgsl/setup_official.sh')


class Clock:
    """CPU-time markers set by patched torch.save / torch.load (the official script's file I/O)."""
    last = 0.0


def install_patches(official, args):
    os.environ['SHEAF_DGL_SELF_LOOP_FILL'] = repr(float(args.self_loop_fill))
    sys.path.insert(0, official)
    sys.path.insert(0, STANDIN)
    import torch
    torch.set_num_threads(1)
    torch.Tensor.cuda = lambda self, *a, **k: self
    orig_sample = random.sample

    def sample(population, k, *a, **kw):
        if isinstance(population, (set, frozenset)):
            population = sorted(population) if args.set_order == 'sorted' else tuple(population)
        return orig_sample(population, k, *a, **kw)

    random.sample = sample
    if not args.anomaly:
        torch.autograd.set_detect_anomaly = lambda *a, **k: None
    orig_save, orig_load = torch.save, torch.load

    def save(*a, **k):
        r = orig_save(*a, **k)
        Clock.last = time.process_time()
        return r

    def load(*a, **k):
        r = orig_load(*a, **k)
        Clock.last = time.process_time()
        return r

    torch.save, torch.load = save, load
    import dgl
    assert 'sheaf' in dgl.__version__, f'wrong dgl imported: {dgl.__file__}'
    import config
    config.Config.EPOCH = args.epochs


def prepare_data(csv, workdir):
    """Official process.py conversion of a JODIE CSV into workdir/processed (as --dataset wikipedia)."""
    os.makedirs(os.path.join(workdir, 'data'), exist_ok=True)
    os.makedirs(os.path.join(workdir, 'processed'), exist_ok=True)
    link = os.path.join(workdir, 'data', 'wikipedia.csv')
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(os.path.abspath(csv), link)
    os.chdir(workdir)
    import process  # official TGAT+TGSL/process.py
    out = sys.stdout
    sys.stdout = sys.stderr
    try:
        process.run('wikipedia')
    finally:
        sys.stdout = out


def scored_positives(n, bs=INFER_BS):
    """Queries the official evaluation scores: batches [s, min(n - 1, s + bs)) for s = 0, bs, ..."""
    return sum(min(n - 1, s + bs) - s for s in range(0, n, bs)) if n > 0 else 0


def emit(obj):
    sys.__stdout__.write(json.dumps(obj) + '\n')
    sys.__stdout__.flush()


def f(x):
    return None if x is None else float(x)


# ------------------------------------------------------------------------------------------------
# --model tgsl: the official train.py, prints parsed
# ------------------------------------------------------------------------------------------------
class LineTap(io.TextIOBase):
    def __init__(self, on_line, echo):
        self.on_line = on_line
        self.echo = echo
        self.buf = ''

    def write(self, s):
        self.echo.write(s)
        self.buf += s
        while '\n' in self.buf:
            line, self.buf = self.buf.split('\n', 1)
            self.on_line(line, time.process_time(), time.time())
        return len(s)

    def flush(self):
        self.echo.flush()


TRIPLE = r'([-+0-9.eEnaN]+), val {m}: ([-+0-9.eEnaN]+), new node val {m}: ([-+0-9.eEnaN]+)'


def run_tgsl(args, official):
    st = {'epochs': [], 'cur': None, 'early_stopped': False, 'best_epoch': None, 'mark': 0.0}
    test = {}

    def on_line(line, cpu, wall):
        line = re.sub(r'\x1b\[[0-9;]*m', '', line).strip()
        m = re.search(r'start (\d+) epoch$', line)
        if m:
            st['cur'] = {'epoch': int(m.group(1)), '_cpu0': cpu, '_wall0': wall}
            return
        cur = st['cur']
        m = re.match(r'epoch: (\d+) took ([0-9.]+)s$', line)
        if m and cur is not None:
            cur['_cpu1'], cur['_wall1'] = cpu, wall
            return
        m = re.match(r'epoch: (\d+):$', line)
        if m and cur is not None:
            cur['_cpu2'] = cpu
            return
        m = re.match(r'Epoch mean loss: (.*)$', line)
        if m and cur is not None:
            cur['loss'] = float(m.group(1))
            return
        for key in ('acc', 'auc', 'ap'):
            m = re.match(r'train %s: ' % key + TRIPLE.format(m=key) + '$', line)
            if m and cur is not None:
                cur[f'train_{key}'], cur[f'val_{key}'], cur[f'nn_val_{key}'] = map(float, m.groups())
                if key == 'ap':
                    out = {'epoch': cur['epoch'], 'loss': cur.get('loss')}
                    for k in ('train_ap', 'train_auc', 'val_ap', 'val_auc', 'nn_val_ap', 'nn_val_auc'):
                        out[k] = cur.get(k)
                    if args.time:
                        out['cpu_train_s'] = round(cur['_cpu1'] - cur['_cpu0'], 3)
                        out['wall_train_s'] = round(cur['_wall1'] - cur['_wall0'], 3)
                        out['val_eval_cpu_s'] = round(cur['_cpu2'] - cur['_cpu1'], 3)
                    st['epochs'].append(out)
                    st['mark'] = cpu
                    emit(out)
                return
        if line.startswith('No improvment over'):
            st['early_stopped'] = True
            return
        m = re.match(r'Loading the best model at epoch (\d+)$', line)
        if m:
            st['best_epoch'] = int(m.group(1))
            return
        m = re.match(r'Test statistics: (Old|New) nodes -- acc: (.*), auc: (.*), ap: (.*)$', line)
        if m:
            pre = 'test' if m.group(1) == 'Old' else 'nn_test'
            test[f'{pre}_acc'], test[f'{pre}_auc'], test[f'{pre}_ap'] = map(float, m.groups()[1:])
            if pre == 'test':
                test['_eval_cpu'] = cpu - max(st['mark'], Clock.last)

    argv = ['train.py', '--dataset', 'wikipedia', '--uniform', '--agg_method', 'attn', '--attn_mode', 'prod',
            '--cuda', '0', '--prefix', f'sheaf_tgsl_s{args.seed}', '--seed', str(args.seed),
            '--tau', str(args.tau), '--ratio', str(args.ratio), '--can_type', args.can_type,
            '--can_nn', str(args.can_nn), '--rnn_layer', str(args.rnn_layer), '--rnn_nn', str(args.rnn_nn),
            '--coe', str(args.coe), '--K', str(args.K), '--gtau', str(args.gtau)]
    sys.argv = argv
    tap = LineTap(on_line, sys.stderr)
    sys.stdout = tap
    try:
        G = runpy.run_path(os.path.join(official, 'train.py'), run_name='__main__')
    finally:
        sys.stdout = sys.__stdout__
    import config
    cfg = config.WikiConfig()
    split = {
        'events': int(len(G['src_l'])), 'nodes': int(len(G['total_node_set'])),
        'masked_nodes': int(len(G['mask_node_set'])), 'train': int(len(G['train_src_l'])),
        'val': int(len(G['val_src_l'])), 'nn_val': int(len(G['nn_val_src_l'])),
        'test': int(len(G['test_src_l'])), 'nn_test': int(len(G['nn_test_src_l'])),
    }
    summary = {'summary': True, 'model': 'tgsl', 'seed': args.seed, 'width': int(G['n_feat'].shape[1]),
               'neighbors': cfg.N_DEGREE, 'epochs_run': len(st['epochs']), 'early_stopped': st['early_stopped'],
               'best_epoch': st['best_epoch']}
    for k in ('test_ap', 'test_auc', 'test_acc', 'nn_test_ap', 'nn_test_auc', 'nn_test_acc'):
        summary[k] = test.get(k)
    summary['split'] = split
    queries = 2 * (scored_positives(split['test']) + scored_positives(split['nn_test']))
    summary['test_queries'] = queries
    if args.time:
        summary['cpu_s_per_epoch'] = round(sum(e['cpu_train_s'] for e in st['epochs']) / max(1, len(st['epochs'])), 3)
        summary['eval_cpu_s'] = round(test['_eval_cpu'], 3)
        summary['queries_per_s'] = round(queries / test['_eval_cpu'], 2) if test['_eval_cpu'] > 0 else None
    emit(summary)


# ------------------------------------------------------------------------------------------------
# --model tgat: the backbone alone (TGAT learn_edge.py loop), written here
# ------------------------------------------------------------------------------------------------
def run_tgat(args, official):
    import numpy as np
    import pandas as pd
    import torch
    from sklearn.metrics import average_precision_score, roc_auc_score

    import config
    from TGAT import TGAN
    from neighbor_finder import NeighborFinder
    from utils import EarlyStopMonitor, RandEdgeSampler, set_seed
    from view_learner import TimeMapping

    cfg = config.WikiConfig()
    width = args.width or inspect.signature(TimeMapping.__init__).parameters['time_dim'].default
    nbrs, B = cfg.N_DEGREE, cfg.BATCH_SIZE

    set_seed(args.seed)  # train.py:91, before the data are read
    g_df = pd.read_csv('./processed/ml_wikipedia.csv')
    e_feat = np.load('./processed/ml_wikipedia.npy')
    n_feat = np.load('./processed/ml_wikipedia_node.npy')
    if e_feat.shape[1] < width:
        e_feat = np.concatenate([e_feat, np.zeros((e_feat.shape[0], width - e_feat.shape[1]))], axis=1)
    if n_feat.shape[1] < width:
        n_feat = np.concatenate([n_feat, np.zeros((n_feat.shape[0], width - n_feat.shape[1]))], axis=1)

    # --- the TGAT/TGSL split (train.py:263-352) -------------------------------------------------
    val_time, test_time = list(np.quantile(g_df.ts, [0.70, 0.85]))
    src_l, dst_l, e_idx_l, ts_l = g_df.u.values, g_df.i.values, g_df.idx.values, g_df.ts.values
    max_idx = max(src_l.max(), dst_l.max())
    total_node_set = set(np.unique(np.hstack([src_l, dst_l])))
    late = set(src_l[ts_l > val_time]).union(set(dst_l[ts_l > val_time]))
    mask_node_set = set(random.sample(late, int(0.1 * len(total_node_set))))
    masked = np.array([(a in mask_node_set) or (b in mask_node_set) for a, b in zip(src_l, dst_l)])
    train_flag = (ts_l <= val_time) & ~masked
    tr = {k: v[train_flag] for k, v in dict(src=src_l, dst=dst_l, ts=ts_l, eid=e_idx_l).items()}
    train_node_set = set(tr['src']).union(tr['dst'])
    assert not (train_node_set & mask_node_set)
    new_node_set = total_node_set - train_node_set
    val_flag = (ts_l <= test_time) & (ts_l > val_time)
    test_flag = ts_l > test_time
    is_new = np.array([(a in new_node_set or b in new_node_set) for a, b in zip(src_l, dst_l)])

    def part(flag):
        return src_l[flag], dst_l[flag], ts_l[flag]

    val, test = part(val_flag), part(test_flag)
    nn_val, nn_test = part(val_flag & is_new), part(test_flag & is_new)

    def adjacency(s, d, e, t):
        adj = [[] for _ in range(max_idx + 1)]
        for a, b, i, tt in zip(s, d, e, t):
            adj[a].append((b, i, tt))
            adj[b].append((a, i, tt))
        return adj

    train_ngh_finder = NeighborFinder(adjacency(tr['src'], tr['dst'], tr['eid'], tr['ts']), uniform=True)
    full_ngh_finder = NeighborFinder(adjacency(src_l, dst_l, e_idx_l, ts_l), uniform=True)
    train_rand_sampler = RandEdgeSampler(tr['src'], tr['dst'])
    val_rand_sampler = RandEdgeSampler(src_l, dst_l)
    test_rand_sampler = RandEdgeSampler(src_l, dst_l)
    nn_test_rand_sampler = RandEdgeSampler(nn_test[0], nn_test[1])

    # --- model and TGAT's learn_edge.py loop ------------------------------------------------------
    tgan = TGAN(train_ngh_finder, n_feat, e_feat, num_layers=cfg.N_LAYER, use_time='time', agg_method='attn',
                attn_mode='prod', seq_len=nbrs, n_head=cfg.N_HEAD, drop_out=cfg.DROPOUT)
    optimizer = torch.optim.Adam(tgan.parameters(), lr=cfg.LR)
    criterion = torch.nn.BCELoss()
    early_stopper = EarlyStopMonitor(max_round=3, tolerance=1e-3)  # train.py --patience / --tolerance

    def evaluate(sampler, data):
        src, dst, ts = data
        accs, aps, aucs = [], [], []
        with torch.no_grad():
            tgan.eval()
            n = len(src)
            for k in range(math.ceil(n / INFER_BS)):
                s = k * INFER_BS
                e = min(n - 1, s + INFER_BS)
                size = e - s
                _, dst_fake = sampler.sample(size)
                pos, neg = tgan.contrast(src[s:e], dst[s:e], dst_fake, ts[s:e], nbrs)
                score = np.concatenate([pos.cpu().numpy(), neg.cpu().numpy()])
                label = np.concatenate([np.ones(size), np.zeros(size)])
                accs.append(((score > 0.5) == label).mean())
                aps.append(average_precision_score(label, score))
                aucs.append(roc_auc_score(label, score))
        return np.mean(accs), np.mean(aps), np.mean(aucs)

    n_train = len(tr['src'])
    num_batch = math.ceil(n_train / B)
    idx_list = np.arange(n_train)
    np.random.shuffle(idx_list)  # unused by TGAT, kept for RNG parity with learn_edge.py
    checkpoints, epochs, best_loaded = {}, [], None
    for epoch in range(args.epochs):
        tgan.ngh_finder = train_ngh_finder
        aps, aucs, losses = [], [], []
        np.random.shuffle(idx_list)
        cpu0, wall0 = time.process_time(), time.time()
        for k in range(num_batch):
            s = k * B
            e = min(n_train - 1, s + B)
            src_cut, dst_cut, ts_cut = tr['src'][s:e], tr['dst'][s:e], tr['ts'][s:e]
            size = len(src_cut)
            _, dst_fake = train_rand_sampler.sample(size)
            with torch.no_grad():
                pos_label = torch.ones(size, dtype=torch.float)
                neg_label = torch.zeros(size, dtype=torch.float)
            optimizer.zero_grad()
            tgan.train()
            pos, neg = tgan.contrast(src_cut, dst_cut, dst_fake, ts_cut, nbrs)
            loss = criterion(pos, pos_label)
            loss += criterion(neg, neg_label)
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                tgan.eval()
                score = np.concatenate([pos.detach().numpy(), neg.detach().numpy()])
                label = np.concatenate([np.ones(size), np.zeros(size)])
                aps.append(average_precision_score(label, score))
                aucs.append(roc_auc_score(label, score))
                losses.append(loss.item())
        cpu1, wall1 = time.process_time(), time.time()
        tgan.ngh_finder = full_ngh_finder
        _, val_ap, val_auc = evaluate(val_rand_sampler, val)
        _, nn_val_ap, nn_val_auc = evaluate(val_rand_sampler, nn_val)  # sic: all-node sampler (train.py:456)
        cpu2 = time.process_time()
        out = {'epoch': epoch, 'loss': f(np.mean(losses)), 'train_ap': f(np.mean(aps)), 'train_auc': f(np.mean(aucs)),
               'val_ap': f(val_ap), 'val_auc': f(val_auc), 'nn_val_ap': f(nn_val_ap), 'nn_val_auc': f(nn_val_auc)}
        if args.time:
            out.update(cpu_train_s=round(cpu1 - cpu0, 3), wall_train_s=round(wall1 - wall0, 3),
                       val_eval_cpu_s=round(cpu2 - cpu1, 3))
        epochs.append(out)
        emit(out)
        if early_stopper.early_stop_check(val_ap):
            best_loaded = early_stopper.best_epoch
            tgan.load_state_dict(checkpoints[best_loaded])
            tgan.eval()
            break
        checkpoints[epoch] = copy.deepcopy(tgan.state_dict())

    tgan.ngh_finder = full_ngh_finder
    cpu0 = time.process_time()
    test_acc, test_ap, test_auc = evaluate(test_rand_sampler, test)
    nn_test_acc, nn_test_ap, nn_test_auc = evaluate(nn_test_rand_sampler, nn_test)
    eval_cpu = time.process_time() - cpu0
    split = {'events': int(len(src_l)), 'nodes': len(total_node_set), 'masked_nodes': len(mask_node_set),
             'train': n_train, 'val': int(len(val[0])), 'nn_val': int(len(nn_val[0])),
             'test': int(len(test[0])), 'nn_test': int(len(nn_test[0]))}
    queries = 2 * (scored_positives(split['test']) + scored_positives(split['nn_test']))
    summary = {'summary': True, 'model': 'tgat', 'seed': args.seed, 'width': int(n_feat.shape[1]), 'neighbors': nbrs,
               'epochs_run': len(epochs), 'early_stopped': best_loaded is not None, 'best_epoch': best_loaded,
               'test_ap': f(test_ap), 'test_auc': f(test_auc), 'test_acc': f(test_acc),
               'nn_test_ap': f(nn_test_ap), 'nn_test_auc': f(nn_test_auc), 'nn_test_acc': f(nn_test_acc),
               'split': split, 'test_queries': queries}
    if args.time:
        summary['cpu_s_per_epoch'] = round(sum(e['cpu_train_s'] for e in epochs) / max(1, len(epochs)), 3)
        summary['eval_cpu_s'] = round(eval_cpu, 3)
        summary['queries_per_s'] = round(queries / eval_cpu, 2) if eval_cpu > 0 else None
    emit(summary)


def main():
    args = parse_args()
    official = resolve_official(args.official)
    data = os.path.abspath(args.data)
    workdir = os.path.abspath(args.workdir or f'/tmp/tgsl-run/{args.model}-s{args.seed}')
    install_patches(official, args)
    prepare_data(data, workdir)
    if args.model == 'tgsl':
        run_tgsl(args, official)
    else:
        run_tgat(args, official)


if __name__ == '__main__':
    main()
