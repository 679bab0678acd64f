#!/usr/bin/env python3
"""Independent replay of a `ptv train --save-arrays` run with NumPy.

Re-runs full-batch gradient descent of docs/theory.md section 3 from the saved initial filters on
the saved training data, and compares (a) the final filters with the saved ones (relative
Frobenius error per phase) and (b) the test error recomputed from the saved test set with the
one in metrics.json. Written from the formulas, not from the Swift code. Works in whatever
dimension the arrays have: d, or 3 + K for a run drawn with `sampler: gram` (docs/theory.md §2a).

usage: replay.py RUN_DIR [--tolerance 1e-8]      exit 0 when every phase agrees, 1 otherwise
"""
import json
import sys
from pathlib import Path

import numpy as np


def outputs(W, X):
    # W: (2, m, d); X: (n, P, d).  f = (1/m) sum_r sum_q relu<w_{+1,r},x_q> - relu<w_{-1,r},x_q>
    m = W.shape[1]
    Z = np.einsum("npd,cmd->npcm", X, W)
    R = np.maximum(Z, 0.0).sum(axis=(1, 3))  # (n, 2)
    return (R[:, 0] - R[:, 1]) / m


def replay(W0, X, y, eta, steps, frozen):
    W = W0.copy()
    n, P, d = X.shape
    m = W.shape[1]
    sign = np.array([1.0, -1.0])[:, None]  # class j
    flat = X.reshape(n * P, d)
    for _ in range(steps):
        Z = np.einsum("npd,cmd->npcm", X, W)  # (n, P, 2, m)
        f = (np.maximum(Z, 0.0).sum(axis=(1, 3)) @ np.array([1.0, -1.0])) / m
        margin = y * f
        lprime = -np.exp(-np.logaddexp(0.0, margin))  # -1/(1+e^{margin}), stable
        coef = (lprime * y / (n * m))[:, None, None, None] * (Z > 0)  # (n, P, 2, m)
        coef = coef * sign[None, None, :, :]
        grad = np.einsum("kcm,kd->cmd", coef.reshape(n * P, 2, m), flat)
        grad[frozen] = 0.0
        W = W - eta * grad
    return W


def main():
    run = Path(sys.argv[1])
    tol = float(sys.argv[sys.argv.index("--tolerance") + 1]) if "--tolerance" in sys.argv else 1e-8
    config = json.loads((run / "manifest.json").read_text())["config"]
    metrics = json.loads((run / "metrics.json").read_text())
    ok = True
    for phase in ("upstream", "transfer", "scratch"):
        if phase not in metrics:
            continue
        a = lambda name: np.load(run / "arrays" / f"{phase}-{name}.npy")
        W0, W, X, y, Xt, yt = a("W0"), a("W"), a("X"), a("y"), a("Xtest"), a("ytest")
        steps = config["T1"] if phase == "upstream" else config["T2"]
        frozen = np.zeros(W0.shape[:2], dtype=bool)
        if phase == "transfer" and config["variant"] == "frozen":
            for c, key in enumerate(("+1", "-1")):
                frozen[c, metrics["inherited"][key]] = True
        eta = config["eta"] if phase == "upstream" else config.get("eta2", config["eta"])
        Wr = replay(W0, X, y, eta, steps, frozen)
        rel = np.linalg.norm(Wr - W) / np.linalg.norm(W)
        err = float(np.mean(yt * outputs(W, Xt) <= 0))
        reported = metrics[phase]["test_error"]
        good = rel <= tol and abs(err - reported) == 0.0
        ok &= good
        print(f"{phase}: steps={steps} final-filter rel. error={rel:.3e} (tolerance {tol:g}); "
              f"test error replayed={err:.6f} reported={reported:.6f} -> {'agree' if good else 'DISAGREE'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
