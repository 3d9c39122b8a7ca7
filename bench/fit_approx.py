#!/usr/bin/env python3
"""Fits the coefficients of the vector tanh and exp in src/nn/simd.h.

Both are near-minimax fits in double precision by iteratively reweighted
least squares (Lawson's method) on a dense grid, checked against mpmath.
The printed max relative errors are those of the fit alone; the float32
evaluation adds about 1-2 ulp on top (tests/test_kernels.c measures the
whole thing against libm in double).

  /usr/bin/python3 bench/fit_approx.py
"""
import mpmath as mp
import numpy as np

mp.mp.dps = 30


def lawson(A, b, rows_weight, iters=60):
    lw = np.ones(len(b))
    for it in range(iters):
        w = lw * rows_weight
        sol, *_ = np.linalg.lstsq(A * w[:, None], b * w, rcond=None)
        err = (A @ sol - b) * rows_weight
        if it >= 5:
            lw = lw * np.sqrt(np.abs(err))
            lw /= lw.max()
    return sol, np.abs(err).max()


def fit_tanh(c=9.0, np_=6, nq=3):
    """tanh(x) ~ x P(x^2) / Q(x^2) on [0, c], Q(0) = 1, relative error.

    Linearised as x P(u) - t Q(u) = 0 and refined by re-dividing by the
    previous Q (Sanathanan-Koerner), so the fixed point minimises the true
    relative error. c = 9: tanh(9) rounds to 1.0f, so clamping there is exact."""
    x = np.concatenate([np.linspace(1e-4, c, 6000), np.geomspace(1e-6, 1e-2, 200)])
    t = np.array([float(mp.tanh(mp.mpf(float(v)))) for v in x])
    u = (x / c) ** 2  # scaled for conditioning; folded back below
    A = np.stack([x * u**i for i in range(np_ + 1)] + [-t * u**i for i in range(1, nq + 1)], 1)
    q = np.zeros(nq)
    for _ in range(8):
        Q = 1 + sum(q[i - 1] * u**i for i in range(1, nq + 1))
        sol, err = lawson(A, t, 1.0 / (t * Q))
        q = sol[np_ + 1:]
    p = [sol[i] / c ** (2 * i) for i in range(np_ + 1)]
    q = [1.0] + [q[i - 1] / c ** (2 * i) for i in range(1, nq + 1)]
    return p, q, err


def fit_tanh_small(c=0.625, deg=5):
    """tanh(x) ~ x + x s (c0 + c1 s + ... ) with s = x^2 on [0, c]: the odd
    series' correction term, fitted for the relative error of tanh."""
    x = np.concatenate([np.linspace(1e-3, c, 4000), np.geomspace(1e-6, 1e-3, 100)])
    t = np.array([float(mp.tanh(mp.mpf(float(v)))) for v in x])
    s = x * x
    A = np.stack([x * s * s**i for i in range(deg + 1)], 1)
    sol, err = lawson(A, t - x, 1.0 / t)
    return list(sol), err


def fit_exp(deg=6):
    """exp(r) ~ 1 + r + c2 r^2 + ... on |r| <= ln2/2, relative error."""
    r = np.linspace(-np.log(2) / 2, np.log(2) / 2, 4001)
    e = np.array([float(mp.exp(mp.mpf(float(v)))) for v in r])
    A = np.stack([r**i for i in range(2, deg + 1)], 1)
    sol, err = lawson(A, e - 1 - r, 1.0 / e)
    return [1.0, 1.0] + list(sol), err


def show(name, coefs):
    print(f"{name}: " + ", ".join(f"{np.float32(c).item():.9g}f" for c in coefs))


if __name__ == "__main__":
    p, q, err = fit_tanh()
    show("tanh P", p)
    show("tanh Q", q)
    print(f"tanh fit: max relative error {err:.3g}")
    for deg in (4, 5, 6):
        c, err = fit_tanh_small(deg=deg)
        show("tanh small deg %d" % deg, c)
        print(f"tanh small fit: max relative error {err:.3g}")
    c, err = fit_exp()
    show("exp", c)
    print(f"exp fit: max relative error {err:.3g}")
