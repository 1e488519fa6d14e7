"""Fixture for src/baselines/logistic_regression.ts: scikit-learn's default LogisticRegression
(C=1, lbfgs) on a small random binary design (fingerprint-like). Writes numbers only.
Run: /usr/bin/python3 scripts/make_logistic_fixture.py"""
import json
import numpy as np
from sklearn.linear_model import LogisticRegression

rng = np.random.default_rng(7)
n, F = 80, 24
X = (rng.random((n, F)) < 0.3).astype(np.float64)
w = rng.normal(size=F)
y = ((X @ w + 0.3 * rng.normal(size=n)) > np.median(X @ w)).astype(int)
out = {"n": n, "F": F, "X": X.astype(int).ravel().tolist(), "y": y.tolist(), "cases": []}
for C in (1.0, 0.1):
    m = LogisticRegression(C=C).fit(X, y)
    out["cases"].append({"C": C, "coef": m.coef_[0].tolist(), "intercept": float(m.intercept_[0]), "decision": m.decision_function(X).tolist()})
json.dump(out, open("test/fixtures/logistic_regression.json", "w"))
print("written")
