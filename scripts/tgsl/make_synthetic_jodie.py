"""Write a small synthetic bipartite interaction graph as a JODIE-format CSV (for smoke runs of
scripts/tgsl/official_run.py).  Synthetic data, named as such; the generator follows the recipe of
docs/research/graph.md §2d (communities, Zipf activity/popularity, recency-weighted repeats,
edge features = ½ proto[c_item] + ½ proto[c_user] + N(0, I)) but is NOT bit-identical to
src/data/temporal/synthetic.ts -- for TS-vs-official parity export the port's own graph instead.

Output columns: user,item,timestamp,state_label,f0..f{d-1}; users 0..U-1 and items 0..I-1 are
renumbered so that every id occurs (the official process.py asserts contiguous ids); time starts at 0.

    /usr/bin/python3 scripts/tgsl/make_synthetic_jodie.py --out /tmp/tgsl-data/syn1500.csv \
        --events 1500 --users 120 --items 40 --communities 4 --dim 32 --seed 0
"""
import argparse
import os

import numpy as np


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', required=True)
    ap.add_argument('--events', type=int, default=1500)
    ap.add_argument('--users', type=int, default=120)
    ap.add_argument('--items', type=int, default=40)
    ap.add_argument('--communities', type=int, default=4)
    ap.add_argument('--dim', type=int, default=32)
    ap.add_argument('--p-repeat', type=float, default=0.55)
    ap.add_argument('--p-community', type=float, default=0.35)
    ap.add_argument('--mean-gap', type=float, default=100.0)
    ap.add_argument('--seed', type=int, default=0)
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)

    cu = rng.integers(0, a.communities, a.users)
    ci = rng.integers(0, a.communities, a.items)
    act = 1.0 / (rng.permutation(a.users) + 1.0) ** 1.6
    act = np.minimum(act, 10 * act.mean())
    act /= act.sum()
    pop = 1.0 / (rng.permutation(a.items) + 1.0) ** 1.4
    proto = rng.normal(size=(a.communities, a.dim))
    recent = [[] for _ in range(a.users)]
    rows = []
    t = 0.0
    for _ in range(a.events):
        t += rng.exponential(a.mean_gap)
        u = int(rng.choice(a.users, p=act))
        r = rng.random()
        if recent[u] and r < a.p_repeat:
            win = recent[u][-20:]
            w = np.exp(np.linspace(-2, 0, len(win)))
            i = win[int(rng.choice(len(win), p=w / w.sum()))]
        else:
            if r < a.p_repeat + a.p_community:
                cand = np.flatnonzero(ci == cu[u])
            else:
                cand = np.arange(a.items)
            if cand.size == 0:
                cand = np.arange(a.items)
            p = pop[cand] / pop[cand].sum()
            i = int(cand[rng.choice(cand.size, p=p)])
        recent[u].append(i)
        feat = 0.5 * proto[ci[i]] + 0.5 * proto[cu[u]] + rng.normal(size=a.dim)
        rows.append((u, i, t, feat))

    t0 = rows[0][2]
    users = {u: k for k, u in enumerate(sorted({r[0] for r in rows}))}
    items = {i: k for k, i in enumerate(sorted({r[1] for r in rows}))}
    os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
    with open(a.out, 'w') as f:
        f.write('user,item,timestamp,state_label,' + ','.join(f'f{k}' for k in range(a.dim)) + '\n')
        for u, i, tt, feat in rows:
            f.write(f'{users[u]},{items[i]},{tt - t0:.3f},0,' + ','.join(f'{x:.5f}' for x in feat) + '\n')
    print(f'{a.out}: {len(rows)} events, {len(users)} users, {len(items)} items, dim {a.dim}')


if __name__ == '__main__':
    main()
