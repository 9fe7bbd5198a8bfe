/*
 * gen_seeds.c — writes the seed corpora of the fuzz targets, built from
 * valid values made through the core's own API (so no binary blobs live
 * in the repository).  Deterministic: the same files on every run.
 *
 *	 gen_seeds DIR	 writes DIR/<target>/<name> for every target
 *
 * Every value written is checked with its validator first; the program
 * fails (exit 1) if one does not validate.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz_common.h"
#include "markov_core.h"

static const char *outdir;
static int	failures = 0;

static void
mkdir_p(const char *path)
{
	if (mkdir(path, 0777) != 0 && errno != EEXIST)
	{
		perror(path);
		exit(1);
	}
}

static void
write_seed(const char *target, const char *name, const uint8_t *b, size_t len)
{
	char		path[4096];
	FILE	   *f;

	/* the targets run with -max_len=65536: a longer seed would be cut */
	if (len > 65536)
		return;
	snprintf(path, sizeof(path), "%s/%s", outdir, target);
	mkdir_p(path);
	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	f = fopen(path, "wb");
	if (f == NULL || (len > 0 && fwrite(b, 1, len, f) != len) || fclose(f) != 0)
	{
		perror(path);
		exit(1);
	}
}

/* ---------------------------------------------------------------------
 * reach
 * --------------------------------------------------------------------- */

static void
reach_seed(const char *name, const Buf *s)
{
	const char *msg = reach_validate(s->b, s->len);

	if (msg != NULL)
	{
		fprintf(stderr, "gen_seeds: reach seed %s invalid: %s\n", name, msg);
		failures++;
		return;
	}
	write_seed("fuzz_reach_decode", name, s->b, s->len);
}

static Buf
reach_state_of(int p, uint64_t first, unsigned n)
{
	Buf			st = reach_new_state(p);
	unsigned	i;

	for (i = 0; i < n; i++)
		reach_add(&st, ie_hash_int64((int64_t) (first + i)));
	return st;
}

static void
reach_pair(const char *name, int p, uint64_t first, unsigned n)
{
	Buf			st = reach_state_of(p, first, n);
	Buf			c = canonical(&reach_sketch_type, &st);
	char		nm[128];

	snprintf(nm, sizeof(nm), "%s_canonical", name);
	reach_seed(nm, &c);
	snprintf(nm, sizeof(nm), "%s_state", name);
	reach_seed(nm, &st);
	if (c.b[2] == REACH_REP_DENSE_PACKED)
	{
		Buf			e = reach_expand_buf(&c);

		snprintf(nm, sizeof(nm), "%s_expanded", name);
		reach_seed(nm, &e);
		buf_free(&e);
	}
	buf_free(&c);
	buf_free(&st);
}

static void
hll_seed(const char *name, const uint8_t *b, size_t len)
{
	const char *msg = reach_from_hll_check(b, len);

	if (msg != NULL)
	{
		fprintf(stderr, "gen_seeds: hll seed %s invalid: %s\n", name, msg);
		failures++;
		return;
	}
	write_seed("fuzz_reach_decode", name, b, len);
}

/*
 * A DENSE_PACKED value whose 2^p registers all hold sym: version 3 writes
 * the symbol and its count 2^p (a varint), versions 1 and 2 the symbol and
 * code length 0.
 */
static void
packed_one_symbol(const char *name, int p, unsigned flags, unsigned sym, int version)
{
	uint8_t		b[8 + 4] = {(uint8_t) version, (uint8_t) p, REACH_REP_DENSE_PACKED, (uint8_t) flags,
	1, 0, 0, 0, (uint8_t) sym};
	Buf			s = {b, 9};
	uint32_t	m = UINT32_C(1) << p;

	if (version < 3)
		b[s.len++] = 0;
	else
		do
		{
			b[s.len++] = (uint8_t) ((m & 0x7f) | (m >= 0x80 ? 0x80 : 0));
			m >>= 7;
		} while (m != 0);
	reach_seed(name, &s);
}

static void
reach_seeds(void)
{
	uint8_t		empty[REACH_HEADER_SIZE];
	int			p;

	for (p = 4; p <= 18; p += 7)
	{
		char		nm[64];
		Buf			e = {empty, sizeof(empty)};

		reach_init_empty(empty, sizeof(empty), p);
		snprintf(nm, sizeof(nm), "empty_p%d", p);
		reach_seed(nm, &e);
	}
	/* DENSE_PACKED with one symbol: every register equal, no stream */
	packed_one_symbol("packed_one_symbol_p18", 18, 0, 0x04, REACH_FORMAT_VERSION);
	packed_one_symbol("packed_one_symbol_p4", 4, 0, 0x0a, REACH_FORMAT_VERSION);
	packed_one_symbol("packed_one_symbol_p12_hll", 12, REACH_FLAG_HLL_ONLY, 0x10, REACH_FORMAT_VERSION);
	/* saturated: every register at its maximum u = 65 - p */
	packed_one_symbol("packed_saturated_p4", 4, 0, (61 << 2) | 3, REACH_FORMAT_VERSION);
	packed_one_symbol("packed_saturated_p4_hll", 4, REACH_FLAG_HLL_ONLY, 61 << 2, REACH_FORMAT_VERSION);
	/* versions 1 and 2 wrote a length (0) where version 3 writes the count */
	packed_one_symbol("packed_one_symbol_p10_v2", 10, 0, 0x08, 2);
	reach_pair("one_p14", 14, 1, 1);
	reach_pair("few_p10", 10, 100, 7);
	reach_pair("sparse_p12", 12, 1000, 300);
	reach_pair("tiny_dense_p4", 4, 0, 40);
	reach_pair("dense_p6", 6, 0, 200);
	reach_pair("dense_p10", 10, 0, 20000);
	reach_pair("dense_p12_few", 12, 5, 1500);
	reach_pair("dense_p16", 16, 77, 20000);

	/* HLL_ONLY values and postgresql-hll values, through export/import */
	{
		static const struct
		{
			const char *name;
			int			p;
			unsigned	n;
			int			log2m;
		}			ex[] = {
			{"hll_empty", 11, 0, 0},
			{"hll_sparse", 11, 20, 0},
			{"hll_full_p10", 10, 3000, 0},
			{"hll_full_p5", 12, 500, 5},
			{"hll_full_p14", 14, 30000, 0},
		};
		size_t		i;

		for (i = 0; i < sizeof(ex) / sizeof(ex[0]); i++)
		{
			Buf			st = reach_state_of(ex[i].p, 500, ex[i].n);
			Buf			c = canonical(&reach_sketch_type, &st);
			Buf			h = reach_hll_export(&c, ex[i].log2m);
			Buf			imp = reach_hll_import(&h);
			char		nm[128];

			hll_seed(ex[i].name, h.b, h.len);
			snprintf(nm, sizeof(nm), "%s_imported", ex[i].name);
			reach_seed(nm, &imp);
			if (imp.b[2] == REACH_REP_DENSE_PACKED)
			{
				Buf			e = reach_expand_buf(&imp);

				snprintf(nm, sizeof(nm), "%s_imported_expanded", ex[i].name);
				reach_seed(nm, &e);
				buf_free(&e);
			}
			buf_free(&imp);
			buf_free(&h);
			buf_free(&c);
			buf_free(&st);
		}
	}
	/* EXPLICIT hll: schema 1 type 2, regwidth 5, log2m 11, sorted int64s */
	{
		uint8_t		h[3 + 8 * 4];
		int64_t		v[4] = {-5000000000000LL, -3, 12, 9000000000000000000LL};
		int			i;
		int			j;

		h[0] = 0x12;
		h[1] = (4 << 5) | 11;
		h[2] = 0x7f;
		for (i = 0; i < 4; i++)
			for (j = 0; j < 8; j++)
				h[3 + 8 * i + j] = (uint8_t) ((uint64_t) v[i] >> (56 - 8 * j));
		hll_seed("hll_explicit", h, sizeof(h));
		/* a SPARSE hll with regwidth 3 and log2m 4: 7-bit words */
		h[0] = 0x13;
		h[1] = (2 << 5) | 4;
		h[2] = 0x40;
		h[3] = 0x03;			/* words 0000001 (idx 0 val 1), 1... */
		h[4] = 0x44;
		hll_seed("hll_sparse_rw3", h, 5);
	}
}

/* ---------------------------------------------------------------------
 * frequency
 * --------------------------------------------------------------------- */

static void
freq_seed(const char *name, const Buf *s)
{
	const char *msg = frequency_validate(s->b, s->len);

	if (msg != NULL)
	{
		fprintf(stderr, "gen_seeds: frequency seed %s invalid: %s\n", name, msg);
		failures++;
		return;
	}
	write_seed("fuzz_frequency_decode", name, s->b, s->len);
}

static void
freq_pair(const char *name, uint32_t k, unsigned users, uint64_t big)
{
	Buf			st = freq_new_state(k);
	Buf			c;
	unsigned	i;
	char		nm[128];
	uint64_t	rng = users * 31 + k;

	for (i = 0; i < users; i++)
		freq_add(&st, ie_hash_int64(i), 1 + splitmix64(&rng) % 5);
	if (big)
	{
		freq_add(&st, ie_hash_int64(0), big);
		freq_add(&st, UINT64_MAX, big);
	}
	c = canonical(&frequency_sketch_type, &st);
	snprintf(nm, sizeof(nm), "%s_canonical", name);
	freq_seed(nm, &c);
	snprintf(nm, sizeof(nm), "%s_state", name);
	freq_seed(nm, &st);
	buf_free(&c);
	buf_free(&st);
}

static void
frequency_seeds(void)
{
	uint8_t		empty[FREQUENCY_HEADER_SIZE];
	Buf			e = {empty, sizeof(empty)};

	frequency_init_empty(empty, sizeof(empty), 16);
	freq_seed("empty_k16", &e);
	frequency_init_empty(empty, sizeof(empty), FREQUENCY_DEFAULT_K);
	freq_seed("empty_k4096", &e);
	freq_pair("one_k16", 16, 1, 0);
	freq_pair("exact_k16", 16, 10, 0);
	freq_pair("full_k16", 16, 16, 0);
	freq_pair("sampling_k16", 16, 200, 0);
	freq_pair("sampling_k17", 17, 40, 0);
	freq_pair("saturated_k32", 32, 20, UINT64_MAX - 3);
	freq_pair("exact_k4096", 4096, 300, 0);
	freq_pair("sampling_k1000", 1000, 3000, 0);
}

/* ---------------------------------------------------------------------
 * journey
 * --------------------------------------------------------------------- */

static void
journey_seed(const char *name, const Buf *s)
{
	const char *msg = journey_validate(s->b, s->len);

	if (msg != NULL)
	{
		fprintf(stderr, "gen_seeds: journey seed %s invalid: %s\n", name, msg);
		failures++;
		return;
	}
	write_seed("fuzz_journey_decode", name, s->b, s->len);
}

static void
journey_pair(const char *name, unsigned events, unsigned ntouch, int64_t span, uint64_t seed)
{
	Buf			st = new_state(&journey_type);
	Buf			c;
	unsigned	i;
	char		nm[128];
	uint64_t	rng = seed;

	for (i = 0; i < events; i++)
	{
		uint64_t	r = splitmix64(&rng);
		char		touch[32];
		unsigned	t = (unsigned) (r >> 8) % (ntouch + 1);
		unsigned	kind = (unsigned) (r >> 24) % 10;
		double		value;

		snprintf(touch, sizeof(touch), "campaign_%u", t);
		switch ((r >> 32) % 6)
		{
			case 0:
				value = -0.0;
				break;
			case 1:
				value = NAN;
				break;
			case 2:
				value = INFINITY;
				break;
			default:
				value = (double) ((r >> 40) % 1000) / 8;
				break;
		}
		journey_add(&st, (int64_t) ((r >> 16) % (uint64_t) span) * 1000000,
					kind < 4 ? JOURNEY_IMPRESSION : kind < 5 ? JOURNEY_ENGAGED_VIEW :
					kind < 8 ? JOURNEY_CLICK : JOURNEY_CONVERSION,
					t == ntouch ? NULL : (const uint8_t *) touch, strlen(touch),
					(r >> 48) % 3 != 0, value);
	}
	c = canonical(&journey_type, &st);
	snprintf(nm, sizeof(nm), "%s_canonical", name);
	journey_seed(nm, &c);
	snprintf(nm, sizeof(nm), "%s_state", name);
	journey_seed(nm, &st);
	buf_free(&c);
	buf_free(&st);
}

static void
journey_seeds(void)
{
	uint8_t		empty[JOURNEY_HEADER_SIZE];
	Buf			e = {empty, sizeof(empty)};

	journey_init_empty(empty, sizeof(empty));
	journey_seed("empty", &e);
	journey_pair("one", 1, 1, 10, 1);
	journey_pair("small", 6, 2, 100, 2);
	journey_pair("medium", 30, 5, 1000, 3);
	journey_pair("dense_time", 40, 3, 5, 4);
	journey_pair("large", 150, 80, 100000, 5);
	/* extreme timestamps */
	{
		Buf			st = new_state(&journey_type);
		Buf			c;

		journey_add(&st, INT64_MIN, JOURNEY_CLICK, (const uint8_t *) "x", 1, false, 0);
		journey_add(&st, INT64_MAX, JOURNEY_CONVERSION, NULL, 0, true, 2.5);
		journey_add(&st, INT64_MIN, JOURNEY_IMPRESSION, (const uint8_t *) "", 0, false, 0);
		journey_add(&st, INT64_MAX, JOURNEY_CLICK, (const uint8_t *) "x", 1, false, 0);
		journey_add(&st, INT64_MAX, JOURNEY_CONVERSION, (const uint8_t *) "y", 1, true, -0.0);
		c = canonical(&journey_type, &st);
		journey_seed("extreme_canonical", &c);
		journey_seed("extreme_state", &st);
		buf_free(&c);
		buf_free(&st);
	}
}

/* ---------------------------------------------------------------------
 * markov: chains (first byte 0) and journeys (first byte odd: lookback)
 * --------------------------------------------------------------------- */
static void
markov_write(const char *name, uint8_t first, const Buf *v)
{
	uint8_t    *b = xmalloc(v->len + 1);

	b[0] = first;
	memcpy(b + 1, v->b, v->len);
	write_seed("fuzz_markov_decode", name, b, v->len + 1);
	free(b);
}

static void
markov_seeds(void)
{
	uint64_t	rng = 99;
	uint8_t    *st = xmalloc(1 << 16);
	size_t		cap = 1 << 16;

	markov_state_init(st, cap);
	for (int u = 0; u < 12; u++)
	{
		Buf			j = new_state(&journey_type);
		Buf			c;
		char		nm[64];
		size_t		size;
		size_t		slen;
		uint8_t    *m;
		void	   *scratch;
		size_t		n;

		for (int i = 0; i < 3 + u * 2; i++)
		{
			uint64_t	r = splitmix64(&rng);
			char		touch[16];
			unsigned	k = (unsigned) (r >> 24) % 10;

			snprintf(touch, sizeof(touch), "ch%u", (unsigned) (r >> 8) % (2 + u % 5));
			journey_add(&j, (int64_t) ((r >> 16) % 2000) * 3600 * 1000000,
						k < 4 ? JOURNEY_IMPRESSION : k < 5 ? JOURNEY_ENGAGED_VIEW :
						k < 8 ? JOURNEY_CLICK : JOURNEY_CONVERSION,
						(const uint8_t *) touch, strlen(touch), (r >> 40) % 2, (double) ((r >> 44) % 100));
		}
		c = canonical(&journey_type, &j);
		snprintf(nm, sizeof(nm), "journey_%d", u);
		markov_write(nm, (uint8_t) (1 + 2 * (u * 37 % 128)), &c);
		size = markov_from_journey_size(c.b, c.len);
		slen = markov_from_journey_scratch(c.b, c.len);
		m = xmalloc(size);
		scratch = xmalloc(slen);
		n = markov_from_journey(m, size, c.b, c.len, INT64_C(720) * 3600 * 1000000, scratch, slen);
		if (n > 0 && n < MARKOV_BAD_VALUE)
		{
			Buf			v = {m, n};

			snprintf(nm, sizeof(nm), "chain_%d", u);
			markov_write(nm, 0, &v);
			if (markov_state_merge(st, cap, m, n) == 0)
			{
				Buf			all = {st, markov_canonical_size(st, cap)};

				snprintf(nm, sizeof(nm), "merged_%d", u);
				st[1] = 1;
				markov_write(nm, 0, &all);
				st[1] = 2;
			}
		}
		else
			failures++;
		free(m);
		free(scratch);
		buf_free(&c);
		buf_free(&j);
	}
	free(st);
}

/* ---------------------------------------------------------------------
 * ops: the op stream is any bytes; a few random streams of several sizes
 * --------------------------------------------------------------------- */
static void
ops_seeds(void)
{
	static const size_t sizes[] = {4, 24, 100, 400, 1500, 6000, 20000};
	size_t		i;
	uint64_t	rng = 12345;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
	{
		uint8_t    *b = xmalloc(sizes[i]);
		size_t		j;
		char		nm[64];

		for (j = 0; j < sizes[i]; j++)
			b[j] = (uint8_t) splitmix64(&rng);
		/* small precision and k in some of them, so sketches fill up */
		if (sizes[i] > 16 && i % 2 == 0)
		{
			b[0] = 2;			/* p = 6 */
			b[1] = 0;			/* k = 16 */
		}
		snprintf(nm, sizeof(nm), "random_%zu", sizes[i]);
		write_seed("fuzz_ops", nm, b, sizes[i]);
		free(b);
	}
}

int
main(int argc, char **argv)
{
	if (argc != 2)
	{
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	outdir = argv[1];
	mkdir_p(outdir);
	reach_seeds();
	frequency_seeds();
	journey_seeds();
	markov_seeds();
	ops_seeds();
	if (failures)
		fprintf(stderr, "gen_seeds: %d invalid seeds\n", failures);
	return failures ? 1 : 0;
}
