#!/usr/bin/python3
"""Naive forecasting baselines on data/chicago-ridership/ridership.csv, computed the way the StemGNN reference
code evaluates (docs/research/timeseries.md §1.1 d/e, §3.2): chronological 7:2:1 split with int() boundaries, windows with
end index hi in [W, len-H] (stride 1) inside each split, metrics over all (window, horizon step, node) on raw
values; MAPE = mean(min(|yhat-y|/|y| + 1e-5, 5)) (0/0 -> NaN, as in the reference).

Two row sets are reported:
  reference  - the first data row dropped (the reference reads a header-less CSV with pandas' inferred header,
               so it loses row 1: 5 697 rows). These are the figures quoted in docs/research/timeseries.md §3.2.
  all-rows   - all 5 698 rows (what a loader that honours our header row sees).

Usage: /usr/bin/python3 scripts/data/check_chicago_baselines.py [ridership.csv] [W] [H]
"""
import sys
import numpy as np

path = sys.argv[1] if len(sys.argv) > 1 else "data/chicago-ridership/ridership.csv"
W = int(sys.argv[2]) if len(sys.argv) > 2 else 12
H = int(sys.argv[3]) if len(sys.argv) > 3 else 3
full = np.loadtxt(path, delimiter=",", skiprows=1)


def windows(split):
    his = np.arange(W, len(split) - H + 1)
    x = np.stack([split[hi - W:hi] for hi in his])  # (count, W, N)
    y = np.stack([split[hi:hi + H] for hi in his])  # (count, H, N)
    return x, y


def metrics(pred, y):
    err = pred - y
    with np.errstate(divide="ignore", invalid="ignore"):
        mape = np.mean(np.minimum(np.abs(err) / np.abs(y) + 1e-5, 5))
    return np.mean(np.abs(err)), np.sqrt(np.mean(err ** 2)), mape


def baselines(x):
    last = np.repeat(x[:, -1:, :], H, axis=1)
    # seasonal-naive(7): target step hi+h is predicted by step hi+h-7 (inside the window when W >= 7 and H <= 7)
    seasonal = np.stack([x[:, W - 7 + h, :] for h in range(H)], axis=1)
    mean = np.repeat(x.mean(axis=1, keepdims=True), H, axis=1)
    return {"last-value": last, "seasonal-naive(7)": seasonal, "window-mean": mean}


for name, data in [("reference (row 1 dropped)", full[1:]), ("all-rows", full)]:
    n = len(data)
    a, b = int(0.7 * n), int(0.9 * n)
    splits = {"valid": data[a:b], "test": data[b:]}
    print(f"{name}: {n} rows -> train {a} / valid {b - a} / test {n - b}; W {W}, H {H}")
    for sname, split in splits.items():
        x, y = windows(split)
        for bname, pred in baselines(x).items():
            mae, rmse, mape = metrics(pred, y)
            print(f"  {sname:5s} {len(x):4d} windows  {bname:18s} MAE {mae:.3f}  RMSE {rmse:.3f}  MAPE {100 * mape:.2f} %")
