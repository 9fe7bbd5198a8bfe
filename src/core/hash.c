/*
 * hash.c — MurmurHash3 x64-128 (seed 0, first output word) over bytes, and
 * SipHash (keyed; for hash tables of strings from outside).
 *
 * Written from the public-domain reference algorithm by Austin Appleby.
 * Blocks are assembled from bytes in little-endian order, so the result is
 * the same on every machine and equals postgresql-hll's hll_hash_* on
 * x86-64.  See hash.h.
 */
#include "hash.h"
#include "le.h"

#include <string.h>

#define IE_C1	UINT64_C(0x87c37b91114253d5)
#define IE_C2	UINT64_C(0x4cf5ad432745937f)

static inline uint64_t
rotl64(uint64_t x, int r)
{
	return (x << r) | (x >> (64 - r));
}

static inline uint64_t
mix_k1(uint64_t k1)
{
	k1 *= IE_C1;
	k1 = rotl64(k1, 31);
	return k1 * IE_C2;
}

static inline uint64_t
mix_k2(uint64_t k2)
{
	k2 *= IE_C2;
	k2 = rotl64(k2, 33);
	return k2 * IE_C1;
}

uint64_t
ie_hash_bytes(const void *data, size_t len)
{
	const unsigned char *p = (const unsigned char *) data;
	size_t		nblocks = len / 16;
	size_t		rest = len & 15;
	uint64_t	h1 = 0;
	uint64_t	h2 = 0;
	unsigned char tail[16] = {0};
	size_t		i;

	for (i = 0; i < nblocks; i++)
	{
		h1 ^= mix_k1(ie_get64(p + 16 * i));
		h1 = rotl64(h1, 27);
		h1 += h2;
		h1 = h1 * 5 + 0x52dce729;

		h2 ^= mix_k2(ie_get64(p + 16 * i + 8));
		h2 = rotl64(h2, 31);
		h2 += h1;
		h2 = h2 * 5 + 0x38495ab5;
	}

	/*
	 * The reference's tail switch assembles the last 1-15 bytes
	 * little-endian into k1 (bytes 0-7) and k2 (bytes 8-14): the same as
	 * loading them zero-padded.
	 */
	memcpy(tail, p + 16 * nblocks, rest);
	if (rest > 8)
		h2 ^= mix_k2(ie_get64(tail + 8));
	if (rest > 0)
		h1 ^= mix_k1(ie_get64(tail));

	h1 ^= (uint64_t) len;
	h2 ^= (uint64_t) len;
	h1 += h2;
	h2 += h1;
	h1 = ie_murmur_fmix64(h1);
	h2 = ie_murmur_fmix64(h2);
	h1 += h2;
	return h1;
}

uint64_t
ie_hash_int64(int64_t v)
{
	return ie_hash_int64_inline(v);
}

#define SIPROUND(v0, v1, v2, v3) \
	do { \
		(v0) += (v1); (v1) = rotl64((v1), 13); (v1) ^= (v0); (v0) = rotl64((v0), 32); \
		(v2) += (v3); (v3) = rotl64((v3), 16); (v3) ^= (v2); \
		(v0) += (v3); (v3) = rotl64((v3), 21); (v3) ^= (v0); \
		(v2) += (v1); (v1) = rotl64((v1), 17); (v1) ^= (v2); (v2) = rotl64((v2), 32); \
	} while (0)

uint64_t
ie_siphash_cd(uint64_t k0, uint64_t k1, const void *data, size_t len, int c, int d)
{
	const uint8_t *in = (const uint8_t *) data;
	const uint8_t *end = in + (len - len % 8);
	uint64_t	v0 = UINT64_C(0x736f6d6570736575) ^ k0;
	uint64_t	v1 = UINT64_C(0x646f72616e646f6d) ^ k1;
	uint64_t	v2 = UINT64_C(0x6c7967656e657261) ^ k0;
	uint64_t	v3 = UINT64_C(0x7465646279746573) ^ k1;
	uint64_t	b = (uint64_t) len << 56;
	int			i;

	for (; in != end; in += 8)
	{
		uint64_t	m = ie_get64(in);

		v3 ^= m;
		for (i = 0; i < c; i++)
			SIPROUND(v0, v1, v2, v3);
		v0 ^= m;
	}
	for (i = (int) (len % 8) - 1; i >= 0; i--)
		b |= (uint64_t) in[i] << (8 * i);
	v3 ^= b;
	for (i = 0; i < c; i++)
		SIPROUND(v0, v1, v2, v3);
	v0 ^= b;
	v2 ^= 0xff;
	for (i = 0; i < d; i++)
		SIPROUND(v0, v1, v2, v3);
	return v0 ^ v1 ^ v2 ^ v3;
}
