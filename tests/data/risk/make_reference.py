#!/usr/bin/python3
"""Reference values for the risk tests, computed with numpy, independently
of the C code in risk/.

Produced by running, from the repository root:

    /usr/bin/python3 tests/data/risk/make_reference.py

(Debian 12's python3 3.11 with python3-numpy 1.24.2.) It writes, next to
itself:
  prices.csv       60 rows of 4 assets: a correlated log-normal path drawn
                   with numpy's legacy RandomState(20240611) (stable across
                   numpy versions); rewritten only if missing or with
                   --prices, so the tests' input stays fixed
  reference.json   what `hb-risk analyze --prices prices.csv` must print
                   (lambda 0.94), plus a lambda 0.97 EWMA, two hedge plans
                   and VaR figures; read by tests/it_risk_cli.sh with jq
  reference.txt    the same numbers flattened as "key value" lines
                   (key = dotted path, list indices as numbers), read by
                   risk/hb_risk_ref_test.c
Everything is computed from prices.csv as stored (the text), not from the
draws. Formulas: log returns; sample cov with ddof=1 (np.cov), corrcoef;
EWMA S_1 = r_1 r_1', S_t = lam S_{t-1} + (1-lam) r_t r_t' (zero mean);
hedge ratio = cov/var, effectiveness = 1 - var(r_t - ratio r_h)/var(r_t)
from the hedged series itself; plan h_H = -solve(S_HH, S_H. e);
VaR = z S.sqrt(h) with z from statistics.NormalDist.
"""
import json
import os
import sys
from statistics import NormalDist

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ASSETS = ["BTC", "ETH", "SOL", "XRP"]


def make_prices(path):
    rng = np.random.RandomState(20240611)
    vols = np.array([0.010, 0.014, 0.022, 0.018])
    corr = np.array([[1.0, 0.8, 0.6, 0.5],
                     [0.8, 1.0, 0.7, 0.55],
                     [0.6, 0.7, 1.0, 0.45],
                     [0.5, 0.55, 0.45, 1.0]])
    cov = corr * np.outer(vols, vols)
    chol = np.linalg.cholesky(cov)
    prices = [np.array([65000.0, 3400.0, 150.0, 0.52])]
    for _ in range(59):
        prices.append(prices[-1] * np.exp(chol @ rng.standard_normal(4)))
    with open(path, "w") as f:
        f.write("time," + ",".join(ASSETS) + "\n")
        for t, p in enumerate(prices):
            f.write("2024-06-11T00:%02d:00Z," % t + ",".join("%.8g" % x for x in p) + "\n")


def ewma(returns, lam):
    s = np.outer(returns[0], returns[0])
    for r in returns[1:]:
        s = lam * s + (1 - lam) * np.outer(r, r)
    return s


def corr_of(cov):
    v = np.sqrt(np.diag(cov))
    return cov / np.outer(v, v)


def plan(cov, e, hedgeable):
    h_idx = [i for i in range(len(e)) if hedgeable[i]]
    h = np.zeros(len(e))
    h[h_idx] = -np.linalg.solve(cov[np.ix_(h_idx, h_idx)], cov[h_idx, :] @ e)
    res = e + h
    unhedged = float(e @ cov @ e)
    resid = float(res @ cov @ res)
    return {"exposure": e.tolist(), "hedgeable": [bool(x) for x in hedgeable],
            "hedge": h.tolist(), "residual": res.tolist(),
            "unhedged_sigma": unhedged ** 0.5, "residual_sigma": resid ** 0.5,
            "effectiveness": 1 - resid / unhedged}


def flatten(prefix, value, out):
    if isinstance(value, dict):
        for k, v in value.items():
            flatten(prefix + "." + k if prefix else k, v, out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            flatten("%s.%d" % (prefix, i), v, out)
    elif isinstance(value, (bool, str)):
        return
    else:
        out.append("%s %.17g" % (prefix, value))


def main():
    csv = os.path.join(HERE, "prices.csv")
    if "--prices" in sys.argv or not os.path.exists(csv):
        make_prices(csv)
    prices = np.array([[float(x) for x in line.strip().split(",")[1:]]
                       for line in open(csv).read().splitlines()[1:] if line.strip()])
    r = np.diff(np.log(prices), axis=0)
    cov = np.cov(r, rowvar=False, ddof=1)
    hedges = []
    for t in range(len(ASSETS)):
        for h in range(len(ASSETS)):
            if t == h:
                continue
            ratio = cov[t, h] / cov[h, h]
            hedged = r[:, t] - ratio * r[:, h]
            hedges.append({"target": ASSETS[t], "hedge": ASSETS[h], "ratio": ratio,
                           "effectiveness": 1 - np.var(hedged, ddof=1) / np.var(r[:, t], ddof=1)})
    s = ewma(r, 0.94)
    s97 = ewma(r, 0.97)
    e = np.array([1.0e6, 5.0e5, -2.0e5, 3.0e5])
    z = NormalDist().inv_cdf(0.99)
    sigma = float(e @ s @ e) ** 0.5
    vols = np.sqrt(np.diag(s))
    x = e * vols
    stress_sigma = ((1 - 0.95) * float(x @ x) + 0.95 * float(x.sum()) ** 2) ** 0.5
    ref = {
        "assets": ASSETS,
        "n_returns": len(r),
        "sample": {"cov": cov.tolist(), "corr": np.corrcoef(r, rowvar=False).tolist()},
        "ewma": {"lambda": 0.94, "cov": s.tolist(), "corr": corr_of(s).tolist(),
                 "vol": vols.tolist()},
        "hedges": hedges,
        "ewma97": {"lambda": 0.97, "cov": s97.tolist(), "corr": corr_of(s97).tolist(),
                   "vol": np.sqrt(np.diag(s97)).tolist()},
        # three assets, only BTC exposed, proxied by ETH and SOL
        "plan3": plan(s[:3, :3], np.array([1.0e6, 0.0, 0.0]), [False, True, True]),
        # four assets, ETH and SOL hedgeable and themselves exposed
        "plan4": plan(s, e, [False, True, True, False]),
        "var": {"z99": z, "sigma": sigma, "var99_h10": z * sigma * 10 ** 0.5,
                "stress95_var99_h10": z * stress_sigma * 10 ** 0.5,
                "contrib": (e * (s @ e) / sigma).tolist()},
    }
    with open(os.path.join(HERE, "reference.json"), "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")
    lines = []
    flatten("", ref, lines)
    with open(os.path.join(HERE, "reference.txt"), "w") as f:
        f.write("# generated by /usr/bin/python3 tests/data/risk/make_reference.py; do not edit\n")
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
