/*
 * hash.h — the 64-bit hash every impression_ext sketch is built on.
 *
 * MurmurHash3 x64-128 (Austin Appleby, public domain) with seed 0, keeping
 * the first 64-bit word of the 128-bit result.  This is exactly what
 * citusdata/postgresql-hll's hll_hash_bigint / hll_hash_text /
 * hll_hash_bytea return (on a little-endian machine), so sketches built
 * from these hashes can be exchanged with that extension.
 *
 * Plain C99, no postgres.h.  The byte order of the input is fixed
 * (blocks are read as little-endian), so results do not depend on the
 * machine: ie_hash_int64(v) hashes the 8 little-endian bytes of v, which is
 * what hll_hash_bigint does on x86-64.
 *
 * ie_hash_int64_inline() is the specialised 8-byte path for hot loops
 * (aggregate transition functions); ie_hash_int64() is the same function
 * out of line.
 */
#ifndef IMPRESSION_EXT_HASH_H
#define IMPRESSION_EXT_HASH_H

#include <stddef.h>
#include <stdint.h>

extern uint64_t ie_hash_bytes(const void *data, size_t len);
extern uint64_t ie_hash_int64(int64_t v);

/*
 * SipHash-1-3 (Aumasson and Bernstein; one compression round, three
 * finalization rounds, as CPython and Rust hash with) of data under the
 * 128-bit key (k0, k1): a keyed hash for tables that hold strings someone
 * else chose, so that without the key nobody can make them collide.
 * ie_siphash_cd runs c and d rounds (2, 4 is the reference SipHash-2-4,
 * whose published test vectors check the implementation).
 */
extern uint64_t ie_siphash_cd(uint64_t k0, uint64_t k1, const void *data,
							  size_t len, int c, int d);
static inline uint64_t
ie_siphash13(uint64_t k0, uint64_t k1, const void *data, size_t len)
{
	return ie_siphash_cd(k0, k1, data, len, 1, 3);
}

/* MurmurHash3's 64-bit finalizer */
static inline uint64_t
ie_murmur_fmix64(uint64_t k)
{
	k ^= k >> 33;
	k *= UINT64_C(0xff51afd7ed558ccd);
	k ^= k >> 33;
	k *= UINT64_C(0xc4ceb9fe1a85ec53);
	k ^= k >> 33;
	return k;
}

/*
 * MurmurHash3 x64-128, seed 0, of the 8 little-endian bytes of v, first
 * output word.  With len == 8 there is no full 16-byte block; the whole key
 * is the "k1" tail, so the general algorithm collapses to this.
 */
static inline uint64_t
ie_hash_int64_inline(int64_t v)
{
	uint64_t	k1 = (uint64_t) v;
	uint64_t	h1;
	uint64_t	h2;

	k1 *= UINT64_C(0x87c37b91114253d5);
	k1 = (k1 << 31) | (k1 >> 33);
	k1 *= UINT64_C(0x4cf5ad432745937f);

	h1 = k1 ^ 8;				/* h1 = seed ^ k1, then h1 ^= len */
	h2 = 8;						/* h2 = seed ^ len */
	h1 += h2;
	h2 += h1;
	h1 = ie_murmur_fmix64(h1);
	h2 = ie_murmur_fmix64(h2);
	return h1 + h2;
}

#endif							/* IMPRESSION_EXT_HASH_H */
