#!/usr/bin/env python3
"""A second implementation of reach_sketch's coded sparse form (format
version 3, the layout of version 2, docs/FORMAT.md), written from the
format document alone, to check the bytes the extension writes.

    reach_sparse_reference.py [--p P] ID ...   the sparse sketch of bigint ids
    reach_sparse_reference.py --series N [--p P]   of the ids 1..N

prints the sketch's hex, its body length and pg_column_size (4 + body), and
the estimate the format's sparse estimator gives.
"""
import argparse
import math

M64 = (1 << 64) - 1


def rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & M64


def fmix(k):
    k ^= k >> 33
    k = (k * 0xff51afd7ed558ccd) & M64
    k ^= k >> 33
    k = (k * 0xc4ceb9fe1a85ec53) & M64
    k ^= k >> 33
    return k


def murmur3_x64_128_first(data, seed=0):
    """MurmurHash3 x64-128 (Appleby's reference), the first 64-bit word."""
    c1, c2 = 0x87c37b91114253d5, 0x4cf5ad432745937f
    h1 = h2 = seed
    n = len(data)
    nblocks = n // 16
    for i in range(nblocks):
        k1 = int.from_bytes(data[16 * i:16 * i + 8], 'little')
        k2 = int.from_bytes(data[16 * i + 8:16 * i + 16], 'little')
        k1 = (k1 * c1) & M64
        k1 = rotl(k1, 31)
        k1 = (k1 * c2) & M64
        h1 ^= k1
        h1 = rotl(h1, 27)
        h1 = (h1 + h2) & M64
        h1 = (h1 * 5 + 0x52dce729) & M64
        k2 = (k2 * c2) & M64
        k2 = rotl(k2, 33)
        k2 = (k2 * c1) & M64
        h2 ^= k2
        h2 = rotl(h2, 31)
        h2 = (h2 + h1) & M64
        h2 = (h2 * 5 + 0x38495ab5) & M64
    tail = data[16 * nblocks:]
    k1 = k2 = 0
    if len(tail) > 8:
        k2 = int.from_bytes(tail[8:], 'little')
        k2 = (k2 * c2) & M64
        k2 = rotl(k2, 33)
        k2 = (k2 * c1) & M64
        h2 ^= k2
    if len(tail) > 0:
        k1 = int.from_bytes(tail[:8], 'little')
        k1 = (k1 * c1) & M64
        k1 = rotl(k1, 31)
        k1 = (k1 * c2) & M64
        h1 ^= k1
    h1 ^= n
    h2 ^= n
    h1 = (h1 + h2) & M64
    h2 = (h2 + h1) & M64
    h1 = fmix(h1)
    h2 = fmix(h2)
    h1 = (h1 + h2) & M64
    return h1


def token(h):
    """20 index bits, then 1 + the trailing zeros above them (45 if none)."""
    rest = h >> 20
    r = 45 if rest == 0 else 1 + ((rest & -rest).bit_length() - 1)
    return ((h & 0xFFFFF) << 6) | r


def coded(tokens):
    """k, and the stream: each token's gap (unary quotient, k low bits) and
    run length (unary), least significant bit first; the k giving the fewest
    bits, the smallest on a tie."""
    best = None
    for k in range(21):
        bits = []
        prev = 0
        for t in tokens:
            gap = (t >> 6) - prev
            bits += [0] * (gap >> k) + [1]
            bits += [(gap >> j) & 1 for j in range(k)]
            bits += [0] * ((t & 63) - 1) + [1]
            prev = t >> 6
        if best is None or len(bits) < best[1]:
            best = (k, len(bits), bits)
    k, nbits, bits = best
    out = bytearray()
    for i in range(0, nbits, 8):
        out.append(sum(b << j for j, b in enumerate(bits[i:i + 8])))
    return k, bytes(out)


def estimate(k):
    """The n whose expected number of distinct tokens is k (bisection)."""
    def expected(n):
        e = 0.0
        for r in range(1, 46):
            pc = 2.0 ** -(20 + (r if r < 45 else 44))
            e += 2 ** 20 * -math.expm1(n * math.log1p(-pc))
        return e
    lo, hi = float(k), 2.0 * k + 1
    for _ in range(200):
        mid = (lo + hi) / 2
        if expected(mid) < k:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--p', type=int, default=14)
    ap.add_argument('--series', type=int)
    ap.add_argument('ids', nargs='*', type=int)
    a = ap.parse_args()
    ids = list(range(1, a.series + 1)) if a.series else a.ids
    toks = sorted({token(murmur3_x64_128_first(i.to_bytes(8, 'little', signed=True)))
                   for i in ids})
    assert len(toks) <= 2 ** a.p // 8, 'more tokens than a sparse sketch holds'
    k, stream = coded(toks) if toks else (0, b'')
    # the header: version 3, p, sparse, k in flag bits 2-7, the count
    body = bytes([3, a.p, 1, k << 2]) + len(toks).to_bytes(4, 'little') + stream
    print('hex \\x' + body.hex())
    print('body', len(body), 'pg_column_size', 4 + len(body))
    print('tokens', len(toks), 'estimate %.6f' % estimate(len(toks)))


if __name__ == '__main__':
    main()
