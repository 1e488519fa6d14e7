#!/usr/bin/python3
"""Reference values for src/metrics, written to test/fixtures/metrics.json.

Independent of the TypeScript code: classification and threshold-free scores come from
scikit-learn (Debian python3-sklearn), regression from scikit-learn plus a numpy transcription of
the StemGNN MAPE rule as documented (ratio + 1e-5, capped at 5), ranking from a straightforward
numpy full-sort implementation of the LightGCN-style definitions.

Every score is float32-representable (multiples of a power of two, small range) so the TS tests
may feed the same values through Float32Array without changing ties or order.

Run: /usr/bin/python3 scripts/make_metric_fixtures.py
"""
import json
import os
import sys

import numpy as np
import sklearn
from sklearn import metrics as skm

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'metrics.json')


def f32(x):
    """Round to float32 and back so JSON holds exactly the float32 values."""
    return np.asarray(x, dtype=np.float32).astype(np.float64)


def binary_score_cases(rng):
    cases = []

    def add(name, y, s):
        y = np.asarray(y, dtype=np.int64)
        s = f32(s)
        precision, recall, _ = skm.precision_recall_curve(y, s)
        cases.append({
            'name': name,
            'yTrue': y.tolist(),
            'scores': s.tolist(),
            'rocAuc': float(skm.roc_auc_score(y, s)),
            'averagePrecision': float(skm.average_precision_score(y, s)),
            'prAucTrapezoid': float(skm.auc(recall, precision)),
        })

    add('small-no-ties', [0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1],
        [0.1, 0.4, 0.35, 0.8, 0.2, 0.7, 0.65, 0.3, 0.9, 0.05, 0.5, 0.6])
    n = 200
    y = (rng.random(n) < 0.4).astype(int)
    add('ties-eighths', y, np.round((rng.normal(size=n) + 0.8 * y) * 8) / 8)
    n = 500
    y = (rng.random(n) < 0.5).astype(int)
    add('heavy-ties-integers', y, np.clip(np.round(rng.normal(size=n) + y), -2, 3))
    n = 1000
    y = (rng.random(n) < 0.03).astype(int)
    add('imbalanced-3pct', y, np.round((rng.normal(size=n) + 1.5 * y) * 64) / 64)
    n = 300
    y = (rng.random(n) < 0.7).astype(int)
    add('top-scores-negative', y, np.where(np.arange(n) < 10, 5.0, np.round(rng.normal(size=n) * 4) / 4))
    add('all-tied', [0, 1, 1, 0, 1], [0.5] * 5)
    add('perfect', [0, 0, 1, 1], [-1.0, 0.0, 2.0, 3.0])
    add('inverted', [1, 1, 0, 0], [-1.0, 0.0, 2.0, 3.0])
    return cases


def classification_cases(rng):
    cases = []

    def prf(y, p, **kw):
        pr, rc, f1, _ = skm.precision_recall_fscore_support(y, p, zero_division=0, **kw)
        return {'precision': float(pr), 'recall': float(rc), 'f1': float(f1)}

    def add(name, y, p, binary, labels=None):
        y = np.asarray(y, dtype=np.int64)
        p = np.asarray(p, dtype=np.int64)
        case = {
            'name': name,
            'yTrue': y.tolist(),
            'yPred': p.tolist(),
            'accuracy': float(skm.accuracy_score(y, p)),
            'macro': prf(y, p, average='macro'),
            'confusion': {
                'labels': sorted(set(y.tolist()) | set(p.tolist())),
                'matrix': skm.confusion_matrix(y, p).tolist(),
            },
        }
        if binary:
            case['binary'] = prf(y, p, average='binary', pos_label=1)
            case['binaryPos0'] = prf(y, p, average='binary', pos_label=0)
        if labels is not None:
            case['macroWithLabels'] = {'labels': labels, **prf(y, p, average='macro', labels=labels)}
            case['confusionWithLabels'] = {'labels': labels, 'matrix': skm.confusion_matrix(y, p, labels=labels).tolist()}
        cases.append(case)

    n = 50
    y = (rng.random(n) < 0.5).astype(int)
    add('binary-50', y, np.where(rng.random(n) < 0.75, y, 1 - y), True)
    n = 300
    y = (rng.random(n) < 0.1).astype(int)
    add('binary-imbalanced', y, np.where(rng.random(n) < 0.85, y, 1 - y), True)
    add('binary-never-predicts-positive', [0, 1, 1, 0, 0, 1], [0, 0, 0, 0, 0, 0], True)
    add('binary-no-positives-at-all', [0, 0, 0], [0, 0, 0], True)
    n = 200
    y = rng.integers(0, 4, n)
    add('multiclass-4', y, np.where(rng.random(n) < 0.6, y, rng.integers(0, 4, n)), False, labels=[3, 0, 1, 2, 5])
    n = 120
    y = rng.integers(0, 5, n)
    p = np.where(rng.random(n) < 0.5, y, rng.integers(0, 5, n))
    p[p == 2] = 6  # class 2 never predicted, class 6 only predicted
    add('multiclass-missing-classes', y, p, False, labels=list(range(7)))
    return cases


def regression_cases(rng):
    cases = []

    def stemgnn_mape(t, f):
        with np.errstate(divide='ignore', invalid='ignore'):
            r = np.abs(f - t) / np.abs(t) + 1e-5
        r[r > 5] = 5
        return float(np.mean(r))

    def masked_mape(t, f, eps):
        keep = np.abs(t) > eps
        return float(np.mean(np.abs(f[keep] - t[keep]) / np.abs(t[keep])))

    def add(name, t, f, eps):
        t = f32(t)
        f = f32(f)
        cases.append({
            'name': name,
            'target': t.tolist(),
            'forecast': f.tolist(),
            'mae': float(skm.mean_absolute_error(t, f)),
            'rmse': float(np.sqrt(skm.mean_squared_error(t, f))),
            'mape': stemgnn_mape(t, f),
            'maskedMape': masked_mape(t, f, 0.0),
            'eps': eps,
            'maskedMapeEps': masked_mape(t, f, eps),
        })

    t = rng.normal(60, 10, 3 * 12 * 5)
    add('speed-like', t, t + rng.normal(0, 3, t.size), 1.0)
    t = np.round(np.maximum(rng.normal(2, 2, 400), 0))  # counts with many zeros
    f = np.round(t + rng.normal(0, 1.5, t.size), 2)
    f[(t == 0) & (f == 0)] = 0.5  # keep 0/0 out of the fixture: it makes the official MAPE NaN
    add('counts-with-zeros', t, f, 1.0)
    t = rng.normal(0, 1, 300)
    add('signed-near-zero', t, t + rng.normal(0, 0.5, t.size), 0.1)
    return cases


def ranking_case(rng, name, n_users, n_items, ks, max_pos, max_ex):
    noise = rng.normal(size=(n_users, n_items))
    positives, exclude = [], []
    for u in range(n_users):
        perm = rng.permutation(n_items)
        n_pos = int(rng.integers(0, max_pos + 1))
        n_ex = int(rng.integers(0, max_ex + 1))
        pos = sorted(perm[:n_pos].tolist())
        ex = sorted(perm[n_pos:n_pos + n_ex].tolist())
        if u % 7 == 3 and n_pos > 0:
            ex.append(pos[0])  # an excluded positive: can never be hit, still counts in |positives|
        positives.append(pos)
        exclude.append(ex)
    # a user with a duplicated positive id (must be counted once)
    positives[1] = positives[1] + positives[1][:1] if positives[1] else [0, 0]
    for u in range(n_users):
        noise[u, positives[u]] += 1.5  # positives tend to rank high, so every K is informative
    scores = f32(np.round(noise * 16) / 16)  # multiples of 1/16: many ties

    results = {k: {'recall': [], 'precision': [], 'ndcg': [], 'ndcgRetrieved': [], 'hitRatio': []} for k in ks}
    for u in range(n_users):
        pos = set(positives[u])
        if not pos:
            continue
        ex = set(exclude[u])
        cand = np.array([i for i in range(n_items) if i not in ex], dtype=np.int64)
        order = cand[np.argsort(-scores[u, cand], kind='stable')]  # ties: lower item index first
        for k in ks:
            top = order[:k]
            hits = np.array([1.0 if i in pos else 0.0 for i in top])
            disc = 1.0 / np.log2(np.arange(len(top)) + 2)
            dcg = float(np.sum(hits * disc))
            ideal = 1.0 / np.log2(np.arange(min(len(pos), k)) + 2)
            retrieved = np.sort(hits)[::-1]
            idcg_r = float(np.sum(retrieved * disc))
            res = results[k]
            res['recall'].append(hits.sum() / len(pos))
            res['precision'].append(hits.sum() / k)
            res['ndcg'].append(dcg / ideal.sum())
            res['ndcgRetrieved'].append(dcg / idcg_r if idcg_r > 0 else 0.0)
            res['hitRatio'].append(1.0 if hits.sum() > 0 else 0.0)
    n_eval = sum(1 for p in positives if p)
    return {
        'name': name,
        'nItems': n_items,
        'scores': scores.ravel().tolist(),
        'positives': positives,
        'exclude': exclude,
        'ks': ks,
        'nUsers': n_eval,
        'atK': [{'k': k, **{m: float(np.mean(v)) for m, v in results[k].items()}} for k in ks],
    }


def main():
    rng = np.random.default_rng(20240611)
    fixture = {
        'generator': 'scripts/make_metric_fixtures.py',
        'versions': {'sklearn': sklearn.__version__, 'numpy': np.__version__, 'python': sys.version.split()[0]},
        'binaryScores': binary_score_cases(rng),
        'classification': classification_cases(rng),
        'regression': regression_cases(rng),
        'ranking': [
            ranking_case(rng, 'ties-30x200', 30, 200, [1, 5, 10, 20], 8, 30),
            ranking_case(rng, 'few-candidates-12x15', 12, 15, [3, 10, 20], 4, 10),
        ],
    }
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    tmp = OUT + '.tmp'
    with open(tmp, 'w') as fh:
        json.dump(fixture, fh, allow_nan=False, separators=(',', ':'))
        fh.write('\n')
    os.replace(tmp, OUT)
    print(f'wrote {os.path.normpath(OUT)} ({os.path.getsize(OUT)} bytes)')


if __name__ == '__main__':
    main()
