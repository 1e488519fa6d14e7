"""Threshold/point-adjust fixture for MTAD-GAT, computed by the reference code itself.

Runs ML4ITS/mtad-gat-pytorch's `eval_methods.py` + `spot.py` (unmodified, imported from a
checkout given as argv[1]) on
  * the deterministic score series of docs/research/timeseries.md §2.6, and
  * two seeded random score series with labelled segments,
and writes the inputs and the reference's outputs as JSON (argv[2]). Only numbers are written.

usage: OPENBLAS_NUM_THREADS=1 /usr/bin/python3 scripts/mtadgat/make_threshold_fixture.py \
         /tmp/mtadgat-official test/fixtures/mtadgat/thresholds.json
"""
import contextlib
import io
import json
import sys

import numpy as np

sys.path.insert(0, sys.argv[1])
import eval_methods as em  # noqa: E402  (reference code)
from spot import SPOT  # noqa: E402


def quiet(fn, *a, **k):
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return fn(*a, **k)


def frac(x):
    return x - np.floor(x)


def det_series():
    t = np.arange(2000, dtype=np.float64)
    train = 0.5 + 0.1 * np.sin(0.37 * t) + 0.05 * frac(0.6180339887498949 * t)
    u = np.arange(1000, dtype=np.float64)
    test = 0.5 + 0.1 * np.sin(0.37 * u) + 0.05 * frac(0.6180339887498949 * u)
    label = np.zeros(1000)
    for (a, b, h) in [(100, 110, 0.3), (400, 425, 0.04), (700, 705, 0.5), (900, 940, 0.02)]:
        test[a:b] += h
        label[a:b] = 1
    test[300:303] += 0.25
    return train, test, label


def random_series(seed, n_train, n_test):
    rng = np.random.RandomState(seed)
    train = np.abs(rng.standard_t(4, size=n_train)) * 0.1 + 0.2
    test = np.abs(rng.standard_t(4, size=n_test)) * 0.1 + 0.2
    label = np.zeros(n_test)
    pos = 0
    while True:
        pos += rng.randint(40, 200)
        length = rng.randint(1, 30)
        if pos + length >= n_test:
            break
        test[pos:pos + length] += rng.uniform(0.0, 0.6)
        label[pos:pos + length] = 1
        pos += length
    label[0:3] = 1  # a segment at index 0 exercises the reference's range(i, 0, -1)
    test[1] += 1.0
    return train, test, label


def to_float(d):
    return {k: (float(v) if not isinstance(v, list) else v) for k, v in d.items()}


def pot_detail(init, data, q, level, dynamic):
    s = SPOT(q)
    s.fit(init, data)
    quiet(s.initialize, level=level, min_extrema=False)
    g, sg, ll = quiet(s._grimshaw)
    ret = quiet(s.run, dynamic=dynamic, with_alarm=False)
    return {
        "q": q, "level": level, "dynamic": dynamic,
        "init_threshold": float(s.init_threshold), "n_peaks_init": int(np.sum(init > s.init_threshold)),
        "threshold": float(np.mean(ret["thresholds"])),
        "gamma": float(g) if not dynamic else None, "sigma": float(sg) if not dynamic else None,
        "ll": float(ll) if not dynamic else None,
    }


def case(name, train, test, label, pots, bf_range):
    out = {"name": name, "train": train.tolist(), "test": test.tolist(), "label": label.tolist()}
    out["epsilon"] = {str(r): float(em.find_epsilon(train, reg_level=r)) for r in (0, 1, 2)}
    out["epsilon_eval"] = {str(r): to_float(quiet(em.epsilon_eval, train, test, label, reg_level=r)) for r in (0, 1, 2)}
    out["pot"] = []
    for (q, level, dyn) in pots:
        d = pot_detail(train, test, q, level, dyn)
        d["eval"] = to_float(quiet(em.pot_eval, train, test, label, q=q, level=level, dynamic=dyn))
        raw = em.calc_point2point((test > d["threshold"]).astype(float), label)
        d["raw"] = {"f1": float(raw[0]), "precision": float(raw[1]), "recall": float(raw[2]),
                    "TP": float(raw[3]), "TN": float(raw[4]), "FP": float(raw[5]), "FN": float(raw[6])}
        out["pot"].append(d)
    out["bf"] = to_float(quiet(em.bf_search, test, label, start=bf_range[0], end=bf_range[1], step_num=bf_range[2], verbose=False))
    out["bf_range"] = list(bf_range)
    # adjust_predicts at a few thresholds: the adjusted alarm indices and latency.
    adj = []
    for thr in np.quantile(test, [0.5, 0.9, 0.97]).tolist():
        pred, lat = em.adjust_predicts(test, label, thr, calc_latency=True)
        adj.append({"threshold": thr, "alarms": np.flatnonzero(pred).tolist(), "latency": float(lat)})
    out["adjust"] = adj
    return out


train, test, label = det_series()
cases = [case("deterministic §2.6", train, test, label,
              [(1e-3, 0.98, False), (1e-3, 0.995, False), (5e-3, 0.9, False)], (0.01, 2, 100))]
for seed in (1, 2):
    tr, te, la = random_series(seed, 1500, 1200)
    cases.append(case(f"random seed {seed}", tr, te, la,
                      [(1e-3, 0.99, False), (5e-3, 0.95, False), (1e-2, 0.98, True)], (0.05, 1.5, 50)))

with open(sys.argv[2], "w") as f:
    json.dump({"source": "ML4ITS/mtad-gat-pytorch@a371941 eval_methods.py + spot.py, numpy "
               + np.__version__, "cases": cases}, f)
print("wrote", sys.argv[2])
for c in cases:
    print(c["name"], "eps", c["epsilon"], "pot", [p["threshold"] for p in c["pot"]], "bf", c["bf"]["threshold"], c["bf"]["f1"])
