#!/usr/bin/python3
"""Export scikit-learn's `load_digits` (Debian python3-sklearn 1.2.1, BSD-3; the data is the test part of UCI
"Optical Recognition of Handwritten Digits", Alpaydin & Kaynak 1998) as a plain CSV for the PLRM task builder:
1 797 rows in sklearn's order, 64 integer pixel counts (0..16, row-major 8x8, named pixel_<row>_<col> as
sklearn's feature_names), then `label` (0..9).

Usage: /usr/bin/python3 scripts/data/extract_digits.py [output dir (default data/digits)]
"""
import os
import sys

import numpy as np
import sklearn
from sklearn.datasets import load_digits

root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "data", "digits")
d = load_digits()
X, y = d.data, d.target
if X.shape != (1797, 64) or not np.array_equal(X, np.round(X)) or X.min() < 0 or X.max() > 16:
    sys.exit(f"extract_digits: unexpected data: shape {X.shape}, range {X.min()}..{X.max()}")
os.makedirs(out_dir, exist_ok=True)
path = os.path.join(out_dir, "digits.csv")
tmp = f"{path}.tmp-{os.getpid()}"
with open(tmp, "w", newline="\n") as f:
    f.write(",".join(list(d.feature_names) + ["label"]) + "\n")
    for row, label in zip(X.astype(int), y):
        f.write(",".join(map(str, row)) + f",{int(label)}\n")
os.replace(tmp, path)
print(f"digits: {X.shape[0]} rows x {X.shape[1]} features + label, {len(set(y))} classes "
      f"(scikit-learn {sklearn.__version__}); written to {path}")
