#!/usr/bin/env python3
"""Weight-space reference for `ptv bench`: the three phases of one experiment in plain NumPy.

Written from the formulas of the theory summary (sections 2-4), not from the Swift code:
data x = [y_hat (u + v_k), xi] (or [y_hat u, y_hat v_k, xi]) with xi ~ N(0, sigma^2 (I - P_k)),
label flips with probability p, two-layer ReLU CNN with fixed second layer +-1/m, logistic loss,
full-batch gradient descent in R^d with matrix products (X W^T and G^T X), Algorithm 1 with
whole-filter inheritance, a scratch baseline, and test error on fresh samples.

It draws its own random numbers (NumPy's PCG64), so its numbers are statistically, not
bitwise, comparable with ptv's; it exists to time the weight-space method as a whole process,
data generation and scoring included.

usage: reference_gd.py --d 4000 --m 20 --N1 200 --N2 20 --T1 200 --T2 200 [--n_test 1000] ...
prints one JSON line: {"seconds": ..., "upstream": err, "transfer": err, "scratch": err}
"""
import argparse
import json
import time

import numpy as np


def signals(rng, d, overlap):
    q, _ = np.linalg.qr(rng.standard_normal((d, 3)))
    u, v1, w = q[:, 0], q[:, 1], q[:, 2]
    v2 = overlap * v1 + np.sqrt(1 - overlap**2) * w
    return u, v1, v2


def sample(rng, n, u_hat, v_hat, u_norm, v_norm, sigma, p, layout):
    d = u_hat.shape[0]
    y_hat = rng.choice(np.array([-1.0, 1.0]), size=n)
    y = np.where(rng.random(n) < p, -y_hat, y_hat)
    xi = sigma * rng.standard_normal((n, d))
    for e in (u_hat, v_hat):
        xi -= np.outer(xi @ e, e)
    u, v = u_norm * u_hat, v_norm * v_hat
    sig = [u + v] if layout == "combined" else [u, v]
    X = np.stack([y_hat[:, None] * s for s in sig] + [xi], axis=1)  # (n, P, d)
    return X, y


def outputs(W, X, m):
    n, P, d = X.shape
    Z = X.reshape(n * P, d) @ W.T  # (nP, 2m)
    R = np.maximum(Z, 0.0).reshape(n, P, 2 * m).sum(axis=1)
    return (R[:, :m].sum(axis=1) - R[:, m:].sum(axis=1)) / m


def train(W, X, y, eta, steps, m, frozen=None):
    n, P, d = X.shape
    flat = X.reshape(n * P, d)
    sign = np.concatenate([np.ones(m), -np.ones(m)])
    W = W.copy()
    for _ in range(steps):
        Z = flat @ W.T  # (nP, 2m)
        A = np.maximum(Z, 0.0).reshape(n, P, 2 * m).sum(axis=1)
        f = (A[:, :m].sum(axis=1) - A[:, m:].sum(axis=1)) / m
        lprime = -np.exp(-np.logaddexp(0.0, y * f))  # -1/(1+e^{yf}), stable
        c = np.repeat(lprime * y / (n * m), P)  # per patch row
        G = (Z > 0) * c[:, None] * sign[None, :]
        grad = G.T @ flat  # (2m, d)
        if frozen is not None:
            grad[frozen] = 0.0
        W -= eta * grad
    return W


def main():
    a = argparse.ArgumentParser()
    for key, default in [("d", 400), ("m", 10), ("N1", 80), ("N2", 20), ("T1", 200), ("T2", 200), ("n_test", 1000), ("seed", 0)]:
        a.add_argument("--" + key, type=int, default=default)
    for key, default in [("u_norm", 3.0), ("v1_norm", 2.0), ("v2_norm", 2.0), ("v_overlap", 0.0), ("sigma_p1", 1.0),
                         ("sigma_p2", 1.0), ("p", 0.0), ("sigma0", 0.01), ("eta", 1.0), ("alpha", 0.5)]:
        a.add_argument("--" + key, type=float, default=default)
    a.add_argument("--layout", default="combined", choices=["combined", "separate"])
    c = a.parse_args()
    start = time.perf_counter()
    rng = np.random.default_rng(c.seed)
    u, v1, v2 = signals(rng, c.d, c.v_overlap)
    m, d = c.m, c.d
    X1, y1 = sample(rng, c.N1, u, v1, c.u_norm, c.v1_norm, c.sigma_p1, c.p, c.layout)
    X1t, y1t = sample(rng, c.n_test, u, v1, c.u_norm, c.v1_norm, c.sigma_p1, c.p, c.layout)
    W_up = train(c.sigma0 * rng.standard_normal((2 * m, d)), X1, y1, c.eta, c.T1, m)
    errors = {"upstream": float(np.mean(y1t * outputs(W_up, X1t, m) <= 0))}
    X2, y2 = sample(rng, c.N2, u, v2, c.u_norm, c.v2_norm, c.sigma_p2, c.p, c.layout)
    X2t, y2t = sample(rng, c.n_test, u, v2, c.u_norm, c.v2_norm, c.sigma_p2, c.p, c.layout)
    fresh = c.sigma0 * rng.standard_normal((2 * m, d))
    k = int(np.floor(c.alpha * m * (1 + 1e-12)))
    W_tr = fresh.copy()
    for cls in range(2):
        rows = cls * m + np.sort(rng.choice(m, size=k, replace=False))
        W_tr[rows] = W_up[rows]
    for name, W0 in (("transfer", W_tr), ("scratch", fresh)):
        W = train(W0, X2, y2, c.eta, c.T2, m)
        errors[name] = float(np.mean(y2t * outputs(W, X2t, m) <= 0))
    errors["seconds"] = time.perf_counter() - start
    print(json.dumps(errors))


if __name__ == "__main__":
    main()
