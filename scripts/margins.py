#!/usr/bin/env python3
"""Independent check of the measured phase variables of a `ptv train --save-arrays` run.

Recomputes, with NumPy and from the formulas of docs/theory.md section 6b (not from the Swift
code), each phase's test margins M_t = y_t f(W, x_t) from the saved final filters W, test inputs
Xtest and labels ytest, their split by filter group (inherited / fresh slots of the transfer phase
as listed in metrics.json, one group `all` otherwise) and patch kind (signal patches / the last,
noise patch), and the moments: mean, variance with divisor n_test, Gamma_hat = mean^2 / var; and
the training margins' moments at the final filters from the saved X and y.
Compares them with metrics.json. The run must have p = 0, so that ytest is the clean label.

usage: margins.py RUN_DIR [--tolerance 1e-9]     exit 0 when every phase agrees, 1 otherwise
"""
import json
import sys
from pathlib import Path

import numpy as np


def parts(W, X, y, inherited):
    # W: (2, m, d); X: (n, P, d).  Part (g, s) = y (1/m) sum_{k in g} j_k sum_{q in s} relu<w_k, x_q>.
    m = W.shape[1]
    relu = np.maximum(np.einsum("npd,cmd->npcm", X, W), 0.0)  # (n, P, 2, m)
    sign = np.array([1.0, -1.0])[None, None, :, None]
    signed = relu * sign / m
    kinds = {"signal": signed[:, :-1], "noise": signed[:, -1:]}
    groups = {"all": np.ones((2, m), dtype=bool)} if inherited is None else {"inherited": inherited, "fresh": ~inherited}
    return {g: {s: y * (v * mask[None, None]).sum(axis=(1, 2, 3)) for s, v in kinds.items()} for g, mask in groups.items()}


def main():
    run = Path(sys.argv[1])
    tolerance = float(sys.argv[sys.argv.index("--tolerance") + 1]) if "--tolerance" in sys.argv else 1e-9
    metrics = json.loads((run / "metrics.json").read_text())
    ok = True
    for phase in ("upstream", "transfer", "scratch"):
        if phase not in metrics:
            continue
        arrays = run / "arrays"
        W = np.load(arrays / f"{phase}-W.npy")
        X = np.load(arrays / f"{phase}-Xtest.npy")
        y = np.load(arrays / f"{phase}-ytest.npy")
        inherited = None
        if phase == "transfer" and "inherited" in metrics:
            inherited = np.zeros((2, W.shape[1]), dtype=bool)
            for j, label in enumerate(("+1", "-1")):
                inherited[j, metrics["inherited"][label]] = True
        split = parts(W, X, y, inherited)
        margin = sum(v for byKind in split.values() for v in byKind.values())
        expected = {"margin_mean": margin.mean(), "margin_var": margin.var(), "Gamma_hat": margin.mean() ** 2 / margin.var()}
        recorded = {k: metrics[phase][k] for k in expected}
        for g, byKind in split.items():
            for s, v in byKind.items():
                expected[f"{g}.{s}.mean"], expected[f"{g}.{s}.var"] = v.mean(), v.var()
                recorded[f"{g}.{s}.mean"] = metrics[phase]["margin_parts"][g][s]["mean"]
                recorded[f"{g}.{s}.var"] = metrics[phase]["margin_parts"][g][s]["var"]
        # Training margins at the final filters (the tool rebuilds them from the recorded inner
        # products of its last step, docs/theory.md §5).
        Xtrain = np.load(arrays / f"{phase}-X.npy")
        ytrain = np.load(arrays / f"{phase}-y.npy")
        train = sum(v for byKind in parts(W, Xtrain, ytrain, None).values() for v in byKind.values())
        expected.update({"train_margin_mean": train.mean(), "train_margin_var": train.var(),
                         "train_Gamma_hat": train.mean() ** 2 / train.var()})
        recorded.update({k: metrics[phase][k] for k in ("train_margin_mean", "train_margin_var", "train_Gamma_hat")})
        worst = max(abs(recorded[k] - expected[k]) / max(abs(expected[k]), 1e-300) for k in expected)
        agree = worst <= tolerance
        ok &= agree
        print(f"{phase}: Gamma_hat {recorded['Gamma_hat']:.12g} vs {expected['Gamma_hat']:.12g}, "
              f"{len(expected)} values, largest relative difference {worst:.2e} -> {'agree' if agree else 'DISAGREE'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
