#!/usr/bin/env python3
"""Independent reference values for sql/metrics.sql.

The extension computes the normal quantile by Newton's method on libm's
erfc; this script uses Python's statistics.NormalDist (Wichura's AS241
quantile, erf-based CDF) and the textbook formulas, so agreement between
the two is a real check.  Run it and compare with expected/metrics.out.
"""
import math
from statistics import NormalDist

N = NormalDist()


def wilson(s, n, c=0.95):
    z = N.inv_cdf(0.5 + c / 2)
    p = s / n
    d = 1 + z * z / n
    center = (p + z * z / (2 * n)) / d
    half = z / d * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    lo = 0.0 if s == 0 else max(0.0, center - half)
    hi = 1.0 if s == n else min(1.0, center + half)
    return lo, hi


def p_value(sa, na, sb, nb):
    pa, pb = sa / na, sb / nb
    pooled = (sa + sb) / (na + nb)
    se = math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
    if se == 0:
        return 1.0
    return 2 * N.cdf(-abs(pa - pb) / se)


for args in [(10, 100), (0, 100), (100, 100), (1, 3, 0.9), (81, 263),
             (81, 263, 0.99), (12, 1000, 0.5), (1, 1),
             (1500000000, 3000000000)]:
    lo, hi = wilson(*args)
    print("wilson%s: %.12f %.12f" % (args, lo, hi))
lo, hi = wilson(5, 10**9)
print("wilson(5, 1e9): %.9e %.9e" % (lo, hi))
for args in [(120, 10000, 150, 10000), (30, 1000, 50, 1000), (5, 100, 5, 100),
             (1, 2, 2, 3), (1000000000, 3000000000, 1000100000, 3000000000)]:
    print("p_value%s: %.12f" % (args, p_value(*args)))
print("p_value(100, 10^5, 200, 10^5): %.5e" % p_value(100, 10**5, 200, 10**5))
