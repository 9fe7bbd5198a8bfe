#!/usr/bin/env python3
"""A second implementation of reach_sketch's dense_packed form (format
version 3, docs/FORMAT.md, representation 3), written from the format
document alone, to check the bytes the extension writes.

    reach_packed_reference.py --series N [--p P] [--hex]

builds the registers of the bigint ids 1..N at precision P (hashes and
tokens: reach_sparse_reference.py), then the canonical form of those
registers: dense_packed when shorter than dense.  Prints the body length,
pg_column_size (4 + body), the number of symbols, and with --hex the bytes.
"""
import argparse

from reach_sparse_reference import murmur3_x64_128_first

MAX_LEN = 16


def registers(ids, p):
    """u = 1 + ctz(x >> p) (65 - p if none); byte u << 2 | h, h bit 1 for
    u - 1 seen, bit 0 for u - 2 seen."""
    seen = [set() for _ in range(2 ** p)]
    for i in ids:
        x = murmur3_x64_128_first(i.to_bytes(8, 'little', signed=True))
        if x == 0:
            continue
        rest = x >> p
        u = 65 - p if rest == 0 else 1 + ((rest & -rest).bit_length() - 1)
        seen[x % 2 ** p].add(u)
    regs = []
    for s in seen:
        if not s:
            regs.append(0)
            continue
        u = max(s)
        regs.append(u << 2 | (2 if u - 1 in s else 0) | (1 if u - 2 in s else 0))
    return regs


def package_merge(counts):
    """Code lengths <= 16 by the rule of FORMAT.md, for {symbol: count}."""
    leaves = sorted(counts, key=lambda s: (counts[s], s))
    n = len(leaves)
    if n == 1:
        return {leaves[0]: 0}
    # an item: (weight, is_leaf, leaf symbol or the two items packaged)
    lists = [[(counts[s], True, s) for s in leaves]]
    for _ in range(MAX_LEN - 1):
        prev = lists[-1]
        packages = [(prev[2 * i][0] + prev[2 * i + 1][0], False, (2 * i, 2 * i + 1))
                    for i in range(len(prev) // 2)]
        merged, a, b = [], 0, 0
        leaf_items = lists[0]
        while a < n or b < len(packages):
            if b >= len(packages) or (a < n and leaf_items[a][0] <= packages[b][0]):
                merged.append(leaf_items[a])
                a += 1
            else:
                merged.append(packages[b])
                b += 1
        lists.append(merged)
    lengths = {s: 0 for s in leaves}
    take = 2 * n - 2
    for level in range(MAX_LEN - 1, -1, -1):
        items = lists[level][:take]
        for w, leaf, what in items:
            if leaf:
                lengths[what] += 1
        take = 2 * sum(1 for it in items if not it[1])
    return lengths


def varint(v):
    out = bytearray()
    while True:
        out.append((v & 0x7f) | (0x80 if v >= 0x80 else 0))
        v >>= 7
        if v == 0:
            return bytes(out)


def canonical_dense(regs, p):
    counts = {}
    for r in regs:
        counts[r] = counts.get(r, 0) + 1
    lengths = package_merge(counts)
    # canonical codes in (length, symbol) order
    code, prev_len, codes = 0, 0, {}
    for s in sorted((s for s in lengths if lengths[s] > 0), key=lambda s: (lengths[s], s)):
        code <<= lengths[s] - prev_len
        codes[s] = code
        code += 1
        prev_len = lengths[s]
    bits = []
    for r in regs:
        if lengths[r]:
            bits += [(codes[r] >> (lengths[r] - 1 - j)) & 1 for j in range(lengths[r])]
    stream = bytearray()
    for i in range(0, len(bits), 8):
        chunk = bits[i:i + 8] + [0] * (8 - len(bits[i:i + 8]))
        stream.append(sum(b << (7 - j) for j, b in enumerate(chunk)))
    table = b''.join(bytes([s]) + varint(counts[s]) for s in sorted(counts))
    packed = bytes([3, p, 3, 0]) + len(counts).to_bytes(4, 'little') + table + bytes(stream)
    dense = bytes([3, p, 2, 0, 0, 0, 0, 0]) + bytes(regs)
    return (packed if len(packed) < len(dense) else dense), len(counts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--p', type=int, default=14)
    ap.add_argument('--series', type=int, required=True)
    ap.add_argument('--hex', action='store_true')
    a = ap.parse_args()
    body, nsym = canonical_dense(registers(range(1, a.series + 1), a.p), a.p)
    if a.hex:
        print('hex \\x' + body.hex())
    print('representation', 'dense_packed' if body[2] == 3 else 'dense')
    print('body', len(body), 'pg_column_size', 4 + len(body), 'symbols', nsym)


if __name__ == '__main__':
    main()
