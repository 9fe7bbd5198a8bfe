#!/usr/bin/env python3
"""Independent Markov removal-effect attribution, for test/markov.sh.

Reads events as CSV lines on stdin: user,ts_microseconds,kind,touch,value
(touch and value may be empty), and a lookback in microseconds as argv[1].
Builds each user's paths as issue 19 defines them (touches split at
conversions in journey order; a conversion's path keeps the touches with
0 <= conversion time - touch time <= lookback; the touches after the last
conversion form one non-converting path, keeping those within lookback of
its last touch), counts first-order transitions, and solves the chain
once per removed channel, exactly, with fractions.Fraction and Gaussian
elimination (no shortcut formula: the chain with the channel's incoming
transitions sent to null is solved again).  Prints one line per channel,
bytewise order: touch, removal_effect, conversions, value (repr floats).
"""
import csv
import sys
from collections import defaultdict
from fractions import Fraction

KIND_ORDER = {"impression": 0, "engaged_view": 1, "click": 2, "conversion": 3}


def paths_of(events, lookback):
    """events: (ts, kind, touch, value) in journey order."""
    paths = []
    seg = []
    for ts, kind, touch, value in events:
        if kind != "conversion":
            if touch is not None:
                seg.append((ts, touch))
            continue
        kept = [t for u, t in seg if 0 <= ts - u <= lookback]
        paths.append((kept, True, value))
        seg = []
    if seg:
        last = seg[-1][0]
        paths.append(([t for u, t in seg if 0 <= last - u <= lookback], False, None))
    return paths


def solve_conversion(states, trans, removed):
    """Probability of conversion from start; removed's incoming go to null."""
    idx = {s: i for i, s in enumerate(states)}
    n = len(states)
    # x_s = sum_t P(s,t) x_t + P(s, conversion); x for removed is 0
    a = [[Fraction(0)] * n for _ in range(n)]
    rhs = [Fraction(0)] * n
    for s in states:
        i = idx[s]
        a[i][i] += 1
        if s == removed:
            continue
        total = sum(trans[s].values())
        for t, c in trans[s].items():
            p = Fraction(c, total)
            if t == "(conversion)":
                rhs[i] += p
            elif t != "(null)" and t != removed:
                a[i][idx[t]] -= p
    # Gaussian elimination with exact arithmetic
    for k in range(n):
        piv = next(i for i in range(k, n) if a[i][k] != 0)
        a[k], a[piv] = a[piv], a[k]
        rhs[k], rhs[piv] = rhs[piv], rhs[k]
        for i in range(n):
            if i != k and a[i][k] != 0:
                f = a[i][k] / a[k][k]
                for j in range(k, n):
                    a[i][j] -= f * a[k][j]
                rhs[i] -= f * rhs[k]
    return rhs[idx["(start)"]] / a[idx["(start)"]][idx["(start)"]]


def main():
    lookback = int(sys.argv[1])
    users = defaultdict(list)
    for row in csv.reader(sys.stdin):
        user, ts, kind, touch, value = row
        users[user].append((int(ts), kind, touch if touch != "" else None,
                            float(value) if value != "" else None))
    trans = defaultdict(lambda: defaultdict(int))
    converting = 0
    total_value = Fraction(0)
    for events in users.values():
        events.sort(key=lambda e: (e[0], KIND_ORDER[e[1]],
                                   (e[2] is not None, (e[2] or "").encode())))
        for touches, converted, value in paths_of(events, lookback):
            prev = "(start)"
            for t in touches:
                trans[prev][t] += 1
                prev = t
            end = "(conversion)" if converted else "(null)"
            trans[prev][end] += 1
            if converted:
                converting += 1
                if value is not None:
                    total_value += Fraction(round(value * 10**6), 10**6)
    channels = sorted({t for s in trans for t in trans[s]} - {"(conversion)", "(null)"},
                      key=lambda s: s.encode())
    states = ["(start)"] + channels
    p = solve_conversion(states, trans, None) if converting else Fraction(0)
    effects = {}
    for c in channels:
        effects[c] = max(Fraction(0), 1 - solve_conversion(states, trans, c) / p) if p > 0 else Fraction(0)
    total = sum(effects.values())
    for c in channels:
        share = effects[c] / total if total > 0 else Fraction(0)
        print("%s,%r,%r,%r" % (c, float(effects[c]), float(share * converting),
                               float(share * total_value)))


if __name__ == "__main__":
    main()
