#!/usr/bin/python3
"""Build weak-indirect-supervision (WIS) tasks for PLRM from the shipped digit and letter data, the way the
PLRM paper built its ImageNet tasks (official code JieyuZ2/wis, `HierDataset.sample_dataset`; recipe in
docs/research/rec_ws.md §2d). Our own code; nothing is copied from the official repository.

Per data set:
  (i)   label universe = base classes + super-labels defined as sets of base classes (SUPER_LABELS below);
  (ii)  relations by set algebra on the member classes (disjoint -> exclusive, equal, proper subset ->
        subsumed, proper superset -> subsuming, else overlap);
  (iii) per task: k = 3 mutually exclusive desired labels; 5 seen labels, each non-exclusive to >= 1 desired
        label and not equal to any label of the task, passing the official distinguishability filter; then 10
        ILF label sets, each a clique of 2-3 mutually exclusive seen labels, together covering every seen label
        (the desired labels are unseen by every ILF);
  (iv)  rows are split 50/50 (stratified by class) into a source half and a target half; each ILF is a
        multinomial logistic regression trained on source rows whose class falls in one of its labels (a
        random subsample per label, so ILFs with the same label set differ), target = that label; it abstains
        when its top probability is below TAU;
  (v)   the ILFs label the target rows of the desired labels (balanced: the same count per desired label); those rows are
        shuffled and split train/valid/test.
Output: one JSON task file per task in data/plrm-tasks/ (format: src/models/plrm/README.md), with the
features of the rows (X_*) and a `meta` block (members of each label, ILF accuracy on target rows inside
their label set, settings). Deterministic: the same seed gives byte-identical files.

Usage: /usr/bin/python3 scripts/plrm/build_tasks.py [--out data/plrm-tasks] [--tasks 10] [--seed 2022]
"""
import argparse
import json
import os
import sys

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

DIGITS = [str(d) for d in range(10)]
LETTERS = [chr(ord("A") + i) for i in range(26)]

SUPER_LABELS = {
    "digits": {
        "even": "02468",
        "odd": "13579",
        "prime": "2357",
        "composite": "4689",
        "closed_loop": "0689",
        "small": "01234",
        "large": "56789",
        "straight_strokes": "147",
        "multiple_of_3": "0369",
        "perfect_square": "0149",
        "fibonacci": "12358",
    },
    "letters": {
        "vowel": "AEIOU",
        "consonant": "BCDFGHJKLMNPQRSTVWXYZ",
        "round": "CGOQ",
        "with_bowl": "BDPR",
        "closed_loop": "ABDOPQR",
        "vertical_symmetry": "AHIMOTUVWXY",
        "horizontal_symmetry": "BCDEHIKOX",
        "straight_strokes_only": "AEFHIKLMNTVWXYZ",
        "diagonal_stroke": "AKMNRVWXYZ",
        "first_half": "ABCDEFGHIJKLM",
        "second_half": "NOPQRSTUVWXYZ",
        "descender_free_narrow": "IJLT",
    },
}

SETTINGS = {
    # split of the target rows (train, valid, test); digits are small, so larger valid/test shares
    "digits": {"csv": "data/digits/digits.csv", "classes": DIGITS, "prefix": "digit_", "split": (0.5, 0.25, 0.25),
               "source_per_label": 100, "target_per_desired": 240},
    "letters": {"csv": "data/letters/letters.csv", "classes": LETTERS, "prefix": "letter_", "split": (0.6, 0.2, 0.2),
                "source_per_label": 300, "target_per_desired": 800},
}
N_DESIRED = 3
N_LABELS = 8           # labels per task: 3 desired + 5 seen (as the ImageNet tasks)
N_ILFS = 10
ILF_SIZES = (2, 3)
TAU = 0.5              # an ILF abstains when its top probability is below TAU (only 3-label ILFs can)
TOL = 1000             # sampling attempts, as the official sampler

EXCLUSIVE, OVERLAP, SUBSUMING, SUBSUMED, EQUAL = "exclusive", "overlap", "subsuming", "subsumed", "equal"


def relation(a, b):
    """Relation of label a to label b (sets of base classes)."""
    inter = a & b
    if not inter:
        return EXCLUSIVE
    if a == b:
        return EQUAL
    if inter == a:
        return SUBSUMED
    if inter == b:
        return SUBSUMING
    return OVERLAP


def universe(name):
    s = SETTINGS[name]
    labels = [(s["prefix"] + c, frozenset([c])) for c in s["classes"]]
    labels += [(k, frozenset(v)) for k, v in SUPER_LABELS[name].items()]
    return labels


def is_clique(rel, nodes):
    return all(rel[a][b] == EXCLUSIVE for i, a in enumerate(nodes) for b in nodes[i + 1:])


def check_unseen_valid(rel, desired, seen):
    """The official sampler's filter (`HierDataset._check_unseen_valid`), our own code."""
    m = np.array([[rel[d][s] for s in seen] for d in desired])
    non_excl = m != EXCLUSIVE
    single = 0
    for i in range(len(desired)):
        if all((not non_excl[i, j]) or non_excl[:, j].sum() <= 1 for j in range(len(seen))):
            single += 1
    if single == len(desired):
        return False
    for j in range(len(seen)):
        if np.all(m[:, j] == m[0, j]):
            return False
    for i in range(len(desired)):
        if not non_excl[i].any():
            return False
        for i2 in range(i + 1, len(desired)):
            if np.all(m[i] == m[i2]):
                return False
    return True


def sample_cliques(rng, rel, nodes, sizes, count, cover):
    """`count` cliques of exclusive labels (sizes drawn from `sizes`), covering `nodes` when `cover`."""
    degree = {a: sum(rel[a][b] == EXCLUSIVE for b in nodes if b != a) for a in nodes}
    if cover and any(degree[a] < min(sizes) - 1 for a in nodes):
        return None
    cliques = []
    for _ in range(TOL):
        size = int(rng.choice(sizes))
        cands = [a for a in nodes if degree[a] >= size - 1]
        if len(cands) < size:
            return None
        pick = [cands[i] for i in rng.choice(len(cands), size, replace=False)]
        if is_clique(rel, pick):
            cliques.append(pick)
            if len(cliques) == count:
                if not cover or set(x for c in cliques for x in c) == set(nodes):
                    return cliques
                cliques = []
    return None


def sample_structure(rng, labels, rel, support):
    """Desired labels, seen labels and ILF label sets of one task (indices into `labels`), or None."""
    cands = [i for i in range(len(labels)) if support[i] > 0]
    desired = sample_cliques(rng, rel, cands, (N_DESIRED,), 1, cover=False)
    if desired is None:
        return None
    desired = desired[0]
    neighbours = [c for c in cands if c not in desired and
                  any(rel[d][c] not in (EXCLUSIVE, EQUAL) for d in desired)]
    n_seen = N_LABELS - N_DESIRED
    if len(neighbours) < n_seen:
        return None
    seen = None
    for _ in range(TOL):
        pick = [neighbours[i] for i in rng.choice(len(neighbours), n_seen, replace=False)]
        if check_unseen_valid(rel, desired, pick):
            seen = pick
            break
    if seen is None:
        return None
    task_labels = desired + seen
    if any(rel[a][b] == EQUAL for i, a in enumerate(task_labels) for b in task_labels[i + 1:]):
        return None
    ilfs = sample_cliques(rng, rel, seen, ILF_SIZES, N_ILFS, cover=True)
    if ilfs is None:
        return None
    return desired, seen, ilfs


def stratified_halves(rng, y, classes):
    source, target = [], []
    for c in classes:
        idx = np.flatnonzero(y == c)
        idx = idx[rng.permutation(len(idx))]
        h = len(idx) // 2
        source.extend(idx[:h].tolist())
        target.extend(idx[h:].tolist())
    return np.array(sorted(source)), np.array(sorted(target))


def build_task(name, task_id, seed, X, y):
    s = SETTINGS[name]
    rng = np.random.RandomState(seed)
    labels = universe(name)
    n_lab = len(labels)
    rel = [[relation(labels[a][1], labels[b][1]) if a != b else EQUAL for b in range(n_lab)] for a in range(n_lab)]
    source, target = stratified_halves(rng, y, s["classes"])
    support = [int(np.isin(y[target], list(members)).sum()) for _, members in labels]
    while True:
        st = sample_structure(rng, labels, rel, support)
        if st is not None:
            break
    desired, seen, ilf_sets = st
    task_labels = desired + seen                      # task label index -> universe index
    pos = {u: i for i, u in enumerate(task_labels)}

    # Target rows of the desired labels, the same number per desired label (as the official 1 000 per class):
    # the smallest desired label's target rows, at most target_per_desired.
    pools = [target[np.isin(y[target], list(labels[d][1]))] for d in desired]
    per = min(s["target_per_desired"], min(len(p) for p in pools))
    rows, gold = [], []
    for c, idx in enumerate(pools):
        idx = idx[rng.permutation(len(idx))][:per]
        rows.extend(idx.tolist())
        gold.extend([c] * len(idx))
    rows, gold = np.array(rows), np.array(gold)
    perm = rng.permutation(len(rows))
    rows, gold = rows[perm], gold[perm]

    # ILFs.
    L = np.full((len(rows), N_ILFS), -1, dtype=int)
    ilf_acc = []
    for j, ls in enumerate(ilf_sets):
        tr_idx, tr_y = [], []
        for t, u in enumerate(ls):
            idx = source[np.isin(y[source], list(labels[u][1]))]
            idx = idx[rng.permutation(len(idx))][: s["source_per_label"]]
            tr_idx.extend(idx.tolist())
            tr_y.extend([t] * len(idx))
        scaler = StandardScaler().fit(X[tr_idx])
        clf = LogisticRegression(C=1.0, max_iter=5000).fit(scaler.transform(X[tr_idx]), tr_y)
        proba = clf.predict_proba(scaler.transform(X[rows]))
        pred = clf.classes_[proba.argmax(1)]
        out = np.array([pos[ls[t]] for t in pred])
        out[proba.max(1) < TAU] = -1
        L[:, j] = out
        # accuracy on target rows whose class lies inside one of its labels (its own task)
        inside = [(i, t) for i, r in enumerate(rows) for t, u in enumerate(ls) if y[r] in labels[u][1]]
        acc = float(np.mean([pred[i] == t for i, t in inside])) if inside else None
        ilf_acc.append(None if acc is None else round(acc, 4))

    n = len(rows)
    a = int(round(n * s["split"][0]))
    b = int(round(n * (s["split"][0] + s["split"][1])))
    parts = {"train": slice(0, a), "valid": slice(a, b), "test": slice(b, n)}
    relations = []
    for i in range(len(task_labels)):
        for k in range(i + 1, len(task_labels)):
            relations.append([i, k, rel[task_labels[i]][task_labels[k]]])
    task = {
        "name": f"{name}-wis-{task_id}",
        "labels": [labels[u][0] for u in task_labels],
        "desired": list(range(N_DESIRED)),
        "ilfs": [[pos[u] for u in ls] for ls in ilf_sets],
        "relations": relations,
    }
    for sp, sl in parts.items():
        task[f"L_{sp}"] = L[sl].tolist()
        task[f"y_{sp}"] = gold[sl].tolist()
    for sp, sl in parts.items():
        task[f"X_{sp}"] = X[rows[sl]].astype(int).tolist()
    task["meta"] = {
        "source": s["csv"],
        "builder": "scripts/plrm/build_tasks.py",
        "seed": seed,
        "members": {labels[u][0]: sorted(labels[u][1]) for u in task_labels},
        "ilf_inside_accuracy": ilf_acc,
        "abstain_threshold": TAU,
        "split": list(s["split"]),
        "sklearn": sklearn.__version__,
    }
    return task


def dump(task):
    """Compact JSON, one matrix row per line."""
    lines = ["{"]
    keys = list(task.keys())
    for i, k in enumerate(keys):
        v = task[k]
        end = "," if i < len(keys) - 1 else ""
        if isinstance(v, list) and v and isinstance(v[0], list):
            body = ",\n".join("  " + json.dumps(r, separators=(",", ":")) for r in v)
            lines.append(f"{json.dumps(k)}: [\n{body}\n]{end}")
        else:
            lines.append(f"{json.dumps(k)}: {json.dumps(v, separators=(',', ':'), sort_keys=True)}{end}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.join(ROOT, "data", "plrm-tasks"))
    ap.add_argument("--tasks", type=int, default=10)
    ap.add_argument("--seed", type=int, default=2022)
    ap.add_argument("--datasets", default="digits,letters")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for d, name in enumerate(args.datasets.split(",")):
        s = SETTINGS[name]
        raw = np.genfromtxt(os.path.join(ROOT, s["csv"]), delimiter=",", skip_header=1, dtype=str)
        X = raw[:, :-1].astype(float)
        y = raw[:, -1]
        for t in range(args.tasks):
            seed = args.seed + 1000 * d + t
            task = build_task(name, t, seed, X, y)
            path = os.path.join(args.out, f"{name}_{t:02d}.json")
            tmp = f"{path}.tmp-{os.getpid()}"
            with open(tmp, "w", newline="\n") as f:
                f.write(dump(task))
            os.replace(tmp, path)
            n = {sp: len(task[f"y_{sp}"]) for sp in ("train", "valid", "test")}
            cov = float(np.mean(np.array(task["L_train"]) != -1))
            print(f"{path}: desired {[task['labels'][i] for i in task['desired']]}, seen {task['labels'][3:]}, "
                  f"rows {n}, ILF coverage {cov:.3f}, inside-acc {task['meta']['ilf_inside_accuracy']}")


if __name__ == "__main__":
    sys.exit(main())
