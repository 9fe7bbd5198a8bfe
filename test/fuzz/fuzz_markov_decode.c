/*
 * fuzz_markov_decode — arbitrary bytes as a markov_chain body, and as a
 * journey whose paths markov_agg would count.
 *
 * First byte even: the rest is a markov_chain body.  One that
 * markov_validate accepts is used as the SQL functions use it: info,
 * channels and entries read, canonicalized (a STATE), merged with itself
 * (every count doubles, or the merge says too large), and attributed
 * (chains of up to 100 channels: the solve is cubic) with the promises of
 * markov_core.h checked: finite credit, effects in [0, 1], conversions
 * summing to the converting paths.  First byte odd: the rest is a journey;
 * a valid canonical one gives its paths under a lookback from the input,
 * which must validate.
 */
#include "fuzz_common.h"
#include "markov_core.h"

static void
check_attribution(const uint8_t *b, size_t len, const MarkovInfo *info)
{
	size_t		slen = markov_attribution_scratch(b, len);
	void	   *scratch = xmalloc(slen);
	double	   *out = xmalloc(sizeof(double) * (3 * (size_t) info->channels + 1));
	double		sum = 0;
	bool		any = false;

	FUZZ_ASSERT(markov_removal_effects(b, len, out, out + info->channels,
									   out + 2 * info->channels, scratch, slen),
				"attribution refused its scratch");
	for (uint32_t c = 0; c < info->channels; c++)
	{
		double		e = out[c];
		double		conv = out[info->channels + c];

		FUZZ_ASSERT(isfinite(e) && e >= 0 && e <= 1, "removal effect %.17g", e);
		FUZZ_ASSERT(isfinite(conv) && conv >= 0, "conversions %.17g", conv);
		FUZZ_ASSERT(!isnan(out[2 * info->channels + c]), "value NaN");
		sum += conv;
		any |= e > 0;
	}
	if (any)
		FUZZ_ASSERT(fabs(sum - (double) info->converting_paths) <=
					1e-6 * (double) info->converting_paths,
					"conversions sum to %.17g of %llu", sum,
					(unsigned long long) info->converting_paths);
	free(out);
	free(scratch);
}

/* the value merged with itself in a state: counts double, or too large */
static void
check_self_merge(const uint8_t *b, size_t len, const MarkovInfo *info)
{
	size_t		cap = 3 * len + 4 * (size_t) info->channels + 256;
	uint8_t    *st = xmalloc(cap);
	size_t		need;
	MarkovInfo	after;

	FUZZ_ASSERT(markov_state_regrow(st, cap, b, len), "regrow into %zu", cap);
	FUZZ_ASSERT(markov_validate(st, cap) == NULL, "the state copy is valid");
	need = markov_state_merge(st, cap, b, len);
	FUZZ_ASSERT(need == 0 || need == MARKOV_TOO_LARGE, "merge answered %zu", need);
	if (need == 0)
	{
		FUZZ_ASSERT(markov_validate(st, cap) == NULL, "merged state invalid: %s",
					markov_validate(st, cap));
		markov_get_info(st, cap, &after);
		FUZZ_ASSERT(after.channels == info->channels && after.entries == info->entries &&
					after.converting_paths == 2 * info->converting_paths,
					"self-merge: %u/%u channels, %u/%u entries", after.channels,
					info->channels, after.entries, info->entries);
		for (uint32_t i = 0; i < info->entries; i++)
		{
			uint32_t	f1, t1, f2, t2;
			uint64_t	c1, c2;

			markov_entry(b, len, i, &f1, &t1, &c1);
			markov_entry(st, cap, i, &f2, &t2, &c2);
			FUZZ_ASSERT(f1 == f2 && t1 == t2 && c2 == 2 * c1, "entry %u did not double", i);
		}
	}
	free(st);
}

static void
check_chain(const uint8_t *b, size_t len)
{
	MarkovInfo	info;
	size_t		clen;
	uint8_t    *c;

	if (markov_validate(b, len) != NULL)
		return;
	markov_get_info(b, len, &info);
	for (uint32_t i = 0; i < info.channels; i++)
	{
		size_t		slen;
		const uint8_t *s = markov_channel(b, len, i, &slen);

		FUZZ_ASSERT(s >= b && s + slen <= b + len, "channel %u outside the body", i);
	}
	clen = markov_canonical_size(b, len);
	c = xmalloc(clen);
	FUZZ_ASSERT(markov_canonicalize(c, clen, b, len, NULL, 0) == clen, "canonicalize");
	FUZZ_ASSERT(markov_validate(c, clen) == NULL && markov_canonical_by_header(c, clen),
				"canonical form invalid");
	check_self_merge(c, clen, &info);
	if (info.channels <= 100)
		check_attribution(c, clen, &info);
	free(c);
}

static void
check_journey_paths(const uint8_t *b, size_t len, int64_t lookback)
{
	size_t		size;
	size_t		slen;
	uint8_t    *m;
	void	   *scratch;
	size_t		n;

	if (journey_validate(b, len) != NULL || journey_needs_canonicalize(b, len))
		return;
	size = markov_from_journey_size(b, len);
	slen = markov_from_journey_scratch(b, len);
	m = xmalloc(size);
	scratch = xmalloc(slen);
	n = markov_from_journey(m, size, b, len, lookback, scratch, slen);
	FUZZ_ASSERT(n != 0, "paths did not fit their size");
	if (n != MARKOV_TOO_LARGE && n != MARKOV_BAD_VALUE)
		FUZZ_ASSERT(markov_validate(m, n) == NULL, "paths invalid: %s", markov_validate(m, n));
	free(m);
	free(scratch);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t    *copy;

	if (size < 1)
		return 0;
	/* a copy of exactly the body's size, so that ASan sees any over-read */
	copy = xmalloc(size - 1);
	memcpy(copy, data + 1, size - 1);
	if ((data[0] & 1) == 0)
		check_chain(copy, size - 1);
	else
		check_journey_paths(copy, size - 1, (int64_t) (data[0] >> 1) * 3600 * INT64_C(1000000));
	free(copy);
	return 0;
}
