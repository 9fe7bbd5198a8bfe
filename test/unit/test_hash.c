/*
 * test_hash.c — ie_hash_int64 / ie_hash_bytes against postgresql-hll.
 *
 * The expected values below were produced by postgresql-hll 2.x itself
 * (Debian postgresql-15-hll 2.17, extension version 2.16, on x86-64) with
 * hll_hash_bigint(v), hll_hash_text(s) and hll_hash_bytea(b), default seed
 * 0, in a throwaway PostgreSQL 15 cluster (UTF8).  They are the signed
 * bigints hll returns.
 */
#include <stdint.h>
#include <string.h>

#include "hash.h"
#include "unit.h"

struct int_case
{
	int64_t		v;
	int64_t		expect;
};

struct text_case
{
	const char *s;
	int64_t		expect;
};

/* select v, hll_hash_bigint(v) */
static const struct int_case int_cases[] = {
	{0, INT64_C(2945182322382062539)},
	{1, INT64_C(19144387141682250)},
	{-1, INT64_C(-6853156495446839949)},
	{2, INT64_C(-2447670524089286488)},
	{42, INT64_C(-5283633198602748424)},
	{INT64_C(4611686018427387904), INT64_C(-1243006452765186581)},	/* 2^62 */
	{INT64_MIN, INT64_C(78142285821850151)},
	{INT64_MAX, INT64_C(7815693464130447828)},
	{INT64_C(123456789012345), INT64_C(-8489955523638836543)},
	{1000000, INT64_C(-6111257405675259892)},
};

/* select s, hll_hash_text(s) */
static const struct text_case text_cases[] = {
	{"", INT64_C(0)},
	{"a", INT64_C(-8839064797231613815)},
	{"hello", INT64_C(-3758069500696749310)},
	{"abcdefghijklmno", INT64_C(-8449275918290243589)},	/* 15 bytes */
	{"abcdefghijklmnop", INT64_C(-4266531025627334877)},	/* 16 bytes */
	{"abcdefghijklmnopq", INT64_C(8459014091212432983)},	/* 17 bytes */
	/* repeat('0123456789', 10): 100 bytes */
	{"0123456789012345678901234567890123456789012345678901234567890123456789"
	"012345678901234567890123456789", INT64_C(-2868561223725151012)},
	/* 'héllo wörld' in UTF-8, 13 bytes */
	{"h\xc3\xa9llo w\xc3\xb6rld", INT64_C(7743223038208521019)},
};

int
main(int argc, char **argv)
{
	size_t		i;

	(void) argc;
	for (i = 0; i < sizeof(int_cases) / sizeof(int_cases[0]); i++)
	{
		int64_t		v = int_cases[i].v;
		unsigned char le[8];
		int			k;

		CHECK((int64_t) ie_hash_int64(v) == int_cases[i].expect,
			  "hll_hash_bigint(%lld): got %lld, expected %lld", (long long) v,
			  (long long) (int64_t) ie_hash_int64(v), (long long) int_cases[i].expect);
		CHECK((int64_t) ie_hash_int64_inline(v) == int_cases[i].expect,
			  "inline hash of %lld", (long long) v);
		/* the 8 little-endian bytes through the general path agree */
		for (k = 0; k < 8; k++)
			le[k] = (unsigned char) ((uint64_t) v >> (8 * k));
		CHECK(ie_hash_bytes(le, 8) == ie_hash_int64(v),
			  "bytes path differs from int64 path for %lld", (long long) v);
	}

	for (i = 0; i < sizeof(text_cases) / sizeof(text_cases[0]); i++)
	{
		const char *s = text_cases[i].s;
		uint64_t	h = ie_hash_bytes(s, strlen(s));

		CHECK((int64_t) h == text_cases[i].expect,
			  "hll_hash_text('%s') (%zu bytes): got %lld, expected %lld", s,
			  strlen(s), (long long) (int64_t) h, (long long) text_cases[i].expect);
	}

	/* select hll_hash_bytea(...) */
	{
		static const unsigned char b1[] = {0x00};
		static const unsigned char b8[] = {1, 2, 3, 4, 5, 6, 7, 8};
		unsigned char b20[20];
		int			k;

		for (k = 0; k < 20; k++)
			b20[k] = (unsigned char) k;
		CHECK((int64_t) ie_hash_bytes(b1, 0) == INT64_C(0), "bytea ''");
		CHECK((int64_t) ie_hash_bytes(b1, 1) == INT64_C(5048724184180415669), "bytea \\x00");
		CHECK((int64_t) ie_hash_bytes(b8, 8) == INT64_C(-7140443302367346724),
			  "bytea \\x0102030405060708");
		CHECK((int64_t) ie_hash_bytes(b20, 20) == INT64_C(-6642154758453422773),
			  "bytea \\x00..13");
	}

	/* unaligned input gives the same hash */
	{
		char		buf[128];
		const char *s = text_cases[6].s;

		memcpy(buf + 3, s, strlen(s));
		CHECK((int64_t) ie_hash_bytes(buf + 3, strlen(s)) == text_cases[6].expect,
			  "unaligned 100-byte input");
	}

	/*
	 * SipHash: the reference implementation's published vectors for
	 * SipHash-2-4 (key 00..0f, messages 00.., lengths 0, 7, 8 and 15)
	 * check the rounds, the tail and the finalization that SipHash-1-3
	 * shares; 1-3 itself must differ from 2-4 and depend on the key.
	 */
	{
		uint8_t		msg[64];
		uint64_t	k0 = UINT64_C(0x0706050403020100);
		uint64_t	k1 = UINT64_C(0x0f0e0d0c0b0a0908);
		int			i;

		for (i = 0; i < 64; i++)
			msg[i] = (uint8_t) i;
		CHECK(ie_siphash_cd(k0, k1, msg, 0, 2, 4) == UINT64_C(0x726fdb47dd0e0e31), "SipHash-2-4, empty");
		CHECK(ie_siphash_cd(k0, k1, msg, 7, 2, 4) == UINT64_C(0xab0200f58b01d137), "SipHash-2-4, 7 bytes");
		CHECK(ie_siphash_cd(k0, k1, msg, 8, 2, 4) == UINT64_C(0x93f5f5799a932462), "SipHash-2-4, 8 bytes");
		CHECK(ie_siphash_cd(k0, k1, msg, 15, 2, 4) == UINT64_C(0xa129ca6149be45e5), "SipHash-2-4, 15 bytes");
		CHECK(ie_siphash13(k0, k1, msg, 15) != ie_siphash_cd(k0, k1, msg, 15, 2, 4) &&
			  ie_siphash13(k0, k1, msg, 15) != ie_siphash13(k0 + 1, k1, msg, 15) &&
			  ie_siphash13(k0, k1, msg, 15) == ie_siphash_cd(k0, k1, msg, 15, 1, 3),
			  "SipHash-1-3 is keyed and is not 2-4");
	}

	return unit_report(argv[0]);
}
