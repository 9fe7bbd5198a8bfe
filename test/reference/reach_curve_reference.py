#!/usr/bin/env python3
"""Independent reference values for sql/reach_curve.sql (gamma_poisson).

The extension profiles the mean out of the zero-truncated negative
binomial likelihood and searches the shape alone (grid, then golden
section).  This script does it another way: Nelder-Mead over
(log shape, log scale) on the full log-likelihood, written from the
textbook pmf with math.lgamma, and the Poisson limit by its own closed
form.  Run it and compare with expected/reach_curve.out.
"""
import math


def ztnb_loglik(hist, r, s):
    """log-likelihood of the zero-truncated NB(shape r, scale s)"""
    log_p0 = -r * math.log1p(s)
    log_reached = math.log(-math.expm1(log_p0))
    total = 0.0
    for x, n in hist.items():
        log_px = (math.lgamma(x + r) - math.lgamma(r) - math.lgamma(x + 1)
                  + log_p0 + x * (math.log(s) - math.log1p(s)))
        total += n * (log_px - log_reached)
    return total


def nelder_mead(f, x0, step=0.5, iters=4000):
    """minimise f over R^2"""
    pts = [list(x0), [x0[0] + step, x0[1]], [x0[0], x0[1] + step]]
    vals = [f(p) for p in pts]
    for _ in range(iters):
        order = sorted(range(3), key=lambda i: vals[i])
        pts = [pts[i] for i in order]
        vals = [vals[i] for i in order]
        c = [(pts[0][k] + pts[1][k]) / 2 for k in range(2)]
        refl = [c[k] + (c[k] - pts[2][k]) for k in range(2)]
        fr = f(refl)
        if fr < vals[0]:
            exp_ = [c[k] + 2 * (c[k] - pts[2][k]) for k in range(2)]
            fe = f(exp_)
            pts[2], vals[2] = (exp_, fe) if fe < fr else (refl, fr)
        elif fr < vals[1]:
            pts[2], vals[2] = refl, fr
        else:
            con = [c[k] + 0.5 * (pts[2][k] - c[k]) for k in range(2)]
            fc = f(con)
            if fc < vals[2]:
                pts[2], vals[2] = con, fc
            else:
                for i in (1, 2):
                    pts[i] = [pts[0][k] + 0.5 * (pts[i][k] - pts[0][k]) for k in range(2)]
                    vals[i] = f(pts[i])
    best = min(range(3), key=lambda i: vals[i])
    return pts[best]


def nb_upper_tail(r, s, k):
    """P(X >= k) of NB(r, s), summing the pmf below k"""
    p = math.exp(-r * math.log1p(s))
    below = 0.0
    for x in range(k):
        below += p
        p *= (x + r) / (x + 1) * s / (1 + s)
    return 1 - below


def fit(hist):
    f = lambda v: -ztnb_loglik(hist, math.exp(v[0]), math.exp(v[1]))
    lr, ls = nelder_mead(f, [0.0, 0.0])
    return math.exp(lr), math.exp(ls)


# 1. 100 people seen once and 100 twice: less dispersed than Poisson, so
#    the maximum is the zero-truncated Poisson: lambda / (1 - e^-lambda) = 1.5
lo, hi = 1e-9, 1.5
for _ in range(200):
    mid = (lo + hi) / 2
    if mid / -math.expm1(-mid) < 1.5:
        lo = mid
    else:
        hi = mid
lam = (lo + hi) / 2
n = 200 / -math.expm1(-lam)
print("poisson limit: lambda %.9f universe %.6f" % (lam, n))
print("  reach at 2x %.6f, 3+ at 2x %.6f" % (
    n * -math.expm1(-2 * lam),
    n * (1 - math.exp(-2 * lam) * (1 + 2 * lam + 2 * lam * lam))))

# 2. an overdispersed histogram with an interior maximum
hist = {1: 500, 2: 250, 3: 130, 4: 70, 5: 40, 6: 20, 7: 10, 8: 5}
reach = sum(hist.values())
impressions = sum(x * c for x, c in hist.items())
r, s = fit(hist)
n = reach / nb_upper_tail(r, s, 1)
print("histogram %s: reach %d impressions %d" % (hist, reach, impressions))
print("  shape %.6f scale %.6f universe %.4f" % (r, s, n))
for t in (0.5, 2, 4):
    print("  at %gx: reach %.4f, 3+ %.4f" % (t, n * nb_upper_tail(r, s * t, 1),
                                            n * nb_upper_tail(r, s * t, 3)))
