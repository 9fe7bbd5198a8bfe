/*
 * frequency_plan.c — what a media plan reads from a canonical
 * frequency_sketch beyond the estimates of frequency_estimate.c: the
 * frequency distribution as (frequency, people) bins for the reach curves
 * of reach_curve.c, and the impressions above a frequency cap.
 */
#include "frequency_internal.h"

#include <stdlib.h>

#include "reach_curve.h"

static int
compare_frequency(const void *a, const void *b)
{
	uint64_t	x = ((const ReachCurveBin *) a)->frequency;
	uint64_t	y = ((const ReachCurveBin *) b)->frequency;

	return x < y ? -1 : x > y;
}

size_t
frequency_count_bins(const uint8_t *body, size_t len, ReachCurveBin *bins,
					 size_t capacity)
{
	Cursor		cur;
	/* the sample scales as every estimate does (frequency_estimate.c) */
	double		fraction = frequency_theta_fraction(body, len);
	size_t		n = 0;
	size_t		out = 0;
	size_t		i;

	if (frequency_hdr_rep(body) != FREQUENCY_REP_CANONICAL || capacity < hdr_n(body))
		return SIZE_MAX;
	cursor_init(&cur, body, len);
	while (n < capacity && cursor_next(&cur))
	{
		bins[n].frequency = cur.count;
		bins[n].people = 1;
		n++;
	}
	qsort(bins, n, sizeof(ReachCurveBin), compare_frequency);
	for (i = 0; i < n; i++)
	{
		if (out > 0 && bins[out - 1].frequency == bins[i].frequency)
			bins[out - 1].people += 1;
		else
			bins[out++] = bins[i];
	}
	for (i = 0; i < out; i++)
		bins[i].people /= fraction;
	return out;
}

double
frequency_excess(const uint8_t *body, size_t len, uint64_t cap)
{
	Cursor		cur;
	double		excess = 0;

	if (frequency_hdr_rep(body) != FREQUENCY_REP_CANONICAL)
		return -1;
	cursor_init(&cur, body, len);
	while (cursor_next(&cur))
		if (cur.count > cap)
			excess += (double) (cur.count - cap);
	return excess / frequency_theta_fraction(body, len);
}
