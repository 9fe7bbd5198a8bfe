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

uint64_t
ie_hash_bytes(const void *data, size_t len)
{
	const unsigned char *p = (const unsigned char *) data;
	size_t		nblocks = len / 16;
	uint64_t	h1 = 0;
	uint64_t	h2 = 0;
	uint64_t	k1;
	uint64_t	k2;
	const unsigned char *tail;
	size_t		i;

	for (i = 0; i < nblocks; i++)
	{
		k1 = ie_get64(p + 16 * i);
		k2 = ie_get64(p + 16 * i + 8);

		k1 *= IE_C1;
		k1 = rotl64(k1, 31);
		k1 *= IE_C2;
		h1 ^= k1;
		h1 = rotl64(h1, 27);
		h1 += h2;
		h1 = h1 * 5 + 0x52dce729;

		k2 *= IE_C2;
		k2 = rotl64(k2, 33);
		k2 *= IE_C1;
		h2 ^= k2;
		h2 = rotl64(h2, 31);
		h2 += h1;
		h2 = h2 * 5 + 0x38495ab5;
	}

	tail = p + 16 * nblocks;
	k1 = 0;
	k2 = 0;
	switch (len & 15)
	{
		case 15:
			k2 ^= (uint64_t) tail[14] << 48;
			/* FALLTHROUGH */
		case 14:
			k2 ^= (uint64_t) tail[13] << 40;
			/* FALLTHROUGH */
		case 13:
			k2 ^= (uint64_t) tail[12] << 32;
			/* FALLTHROUGH */
		case 12:
			k2 ^= (uint64_t) tail[11] << 24;
			/* FALLTHROUGH */
		case 11:
			k2 ^= (uint64_t) tail[10] << 16;
			/* FALLTHROUGH */
		case 10:
			k2 ^= (uint64_t) tail[9] << 8;
			/* FALLTHROUGH */
		case 9:
			k2 ^= (uint64_t) tail[8];
			k2 *= IE_C2;
			k2 = rotl64(k2, 33);
			k2 *= IE_C1;
			h2 ^= k2;
			/* FALLTHROUGH */
		case 8:
			k1 ^= (uint64_t) tail[7] << 56;
			/* FALLTHROUGH */
		case 7:
			k1 ^= (uint64_t) tail[6] << 48;
			/* FALLTHROUGH */
		case 6:
			k1 ^= (uint64_t) tail[5] << 40;
			/* FALLTHROUGH */
		case 5:
			k1 ^= (uint64_t) tail[4] << 32;
			/* FALLTHROUGH */
		case 4:
			k1 ^= (uint64_t) tail[3] << 24;
			/* FALLTHROUGH */
		case 3:
			k1 ^= (uint64_t) tail[2] << 16;
			/* FALLTHROUGH */
		case 2:
			k1 ^= (uint64_t) tail[1] << 8;
			/* FALLTHROUGH */
		case 1:
			k1 ^= (uint64_t) tail[0];
			k1 *= IE_C1;
			k1 = rotl64(k1, 31);
			k1 *= IE_C2;
			h1 ^= k1;
			break;
		default:
			break;
	}

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
