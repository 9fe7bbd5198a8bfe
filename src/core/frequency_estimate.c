/*
 * frequency_estimate.c — what a canonical sketch tells: reach, reach at a
 * frequency, the histogram, intersection and difference, the info record.
 */
#include "frequency_internal.h"

#include <math.h>

static inline double
theta_fraction(uint64_t theta)
{
	return theta == FREQUENCY_THETA_ONE ? 1.0 : ldexp((double) theta, -64);
}
uint32_t
frequency_k(const uint8_t *body, size_t len)
{
	(void) len;
	return hdr_k(body);
}

double
frequency_theta_fraction(const uint8_t *body, size_t len)
{
	(void) len;
	return theta_fraction(frequency_hdr_theta(body));
}

static inline double
scale(double retained, uint64_t theta)
{
	return theta == FREQUENCY_THETA_ONE ? retained : retained / theta_fraction(theta);
}

double
frequency_reach(const uint8_t *body, size_t len)
{
	(void) len;
	if (frequency_hdr_rep(body) != FREQUENCY_REP_CANONICAL)
		return -1;
	return scale((double) hdr_n(body), frequency_hdr_theta(body));
}

double
frequency_reach_at_least(const uint8_t *body, size_t len, uint64_t n)
{
	Cursor		cur;
	uint64_t	c = 0;

	if (frequency_hdr_rep(body) != FREQUENCY_REP_CANONICAL)
		return -1;
	if (n <= 1)
		return frequency_reach(body, len);
	cursor_init(&cur, body, len);
	while (cursor_next(&cur))
		if (cur.count >= n)
			c++;
	return scale((double) c, frequency_hdr_theta(body));
}

uint64_t
frequency_impressions(const uint8_t *body, size_t len)
{
	(void) len;
	return frequency_hdr_total(body);
}

double
frequency_average(const uint8_t *body, size_t len)
{
	double		r = frequency_reach(body, len);

	if (r < 0)
		return -1;
	if (r == 0)
		return NAN;
	return (double) frequency_hdr_total(body) / r;
}

double
frequency_standard_error(double retained, double theta_fraction)
{
	if (theta_fraction >= 1.0 || retained <= 0)
		return 0;
	return sqrt(retained * (1.0 - theta_fraction)) / theta_fraction;
}

int64_t
frequency_round(double estimate)
{
	if (!(estimate > 0))
		return 0;
	if (estimate >= 9223372036854775807.0)
		return INT64_MAX;
	return (int64_t) floor(estimate + 0.5);
}

bool
frequency_histogram(const uint8_t *body, size_t len, uint32_t max_frequency,
					FrequencyBucket *out)
{
	EntryReader r;
	uint64_t	theta = frequency_hdr_theta(body);
	double		tf = theta_fraction(theta);
	uint64_t	n = hdr_n(body);
	uint64_t	above = 0;
	uint32_t	i;

	if (frequency_hdr_rep(body) != FREQUENCY_REP_CANONICAL || max_frequency == 0)
		return false;
	for (i = 0; i < max_frequency; i++)
	{
		out[i].frequency = (uint64_t) i + 1;
		out[i].users = 0;
	}
	/* the validator's reader: one read of a shallowly checked value */
	entry_reader_init(&r, body, len);
	while (entry_next(&r))
	{
		uint64_t	b = r.count < max_frequency ? r.count : max_frequency;

		out[b - 1].users++;
	}
	if (frequency_entries_finish(&r, body) != NULL)
		return false;
	/* from the top: users_at_least, then the rounded differences */
	for (i = max_frequency; i > 0; i--)
	{
		FrequencyBucket *bk = &out[i - 1];
		int64_t		next_rounded = i == max_frequency ? 0 :
			out[i].reach_at_least_rounded;

		above += bk->users;
		bk->users_at_least = above;
		bk->reach = scale((double) bk->users, theta);
		bk->reach_at_least = scale((double) above, theta);
		bk->reach_at_least_rounded = frequency_round(bk->reach_at_least);
		bk->reach_rounded = bk->reach_at_least_rounded - next_rounded;
		bk->share = n == 0 ? 0 : (double) bk->users / (double) n;
		bk->standard_error = frequency_standard_error((double) bk->users, tf);
	}
	return true;
}

/*
 * Walk two canonical values in hash order below the smaller theta:
 * returns the number of hashes in both (want_both) or in a only.
 */
static double
set_operation(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
			  bool want_both)
{
	uint64_t	ta = frequency_hdr_theta(a);
	uint64_t	tb = frequency_hdr_theta(b);
	uint64_t	theta = ta < tb ? ta : tb;
	Cursor		ca;
	Cursor		cb;
	bool		more_b;
	uint64_t	both = 0;
	uint64_t	only_a = 0;

	if (frequency_hdr_rep(a) != FREQUENCY_REP_CANONICAL || frequency_hdr_rep(b) != FREQUENCY_REP_CANONICAL)
		return -1;
	cursor_init(&ca, a, alen);
	cursor_init(&cb, b, blen);
	more_b = cursor_next(&cb);
	while (cursor_next(&ca) && ca.hash < theta)
	{
		while (more_b && cb.hash < ca.hash)
			more_b = cursor_next(&cb);
		if (more_b && cb.hash == ca.hash)
			both++;
		else
			only_a++;
	}
	return scale((double) (want_both ? both : only_a), theta);
}

double
frequency_intersection(const uint8_t *a, size_t alen, const uint8_t *b,
					   size_t blen)
{
	return set_operation(a, alen, b, blen, true);
}

double
frequency_difference(const uint8_t *a, size_t alen, const uint8_t *b,
					 size_t blen)
{
	return set_operation(a, alen, b, blen, false);
}

void
frequency_get_info(const uint8_t *body, size_t len, FrequencyInfo *info)
{
	uint64_t	theta = frequency_hdr_theta(body);
	bool		canonical = frequency_hdr_rep(body) == FREQUENCY_REP_CANONICAL;

	info->version = hdr_version(body);
	info->representation = frequency_hdr_rep(body);
	info->representation_name = canonical ? "canonical" : "state";
	info->k = hdr_k(body);
	info->entries = hdr_n(body);
	info->theta = theta;
	info->theta_fraction = theta_fraction(theta);
	info->exact = theta == FREQUENCY_THETA_ONE;
	info->mode_name = info->exact ? "exact" : "sampling";
	info->impressions = frequency_hdr_total(body);
	info->slots = canonical ? 0 : slots_of(body, len);
	info->bytes = len;
	if (!canonical)
	{
		info->reach = -1;
		info->relative_standard_error = -1;
	}
	else
	{
		info->reach = frequency_reach(body, len);
		info->relative_standard_error = info->exact || info->entries < 2 ? 0 :
			sqrt((1.0 - info->theta_fraction) / (double) (info->entries - 1));
	}
}
