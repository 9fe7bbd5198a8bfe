/*
 * gen_events.c — deterministic synthetic ad events for impression_ext.
 *
 * Writes rows for the tables in test/data/schema.sql to stdout in PostgreSQL
 * COPY text format (tab-separated, \N for NULL):
 *
 *   events:    user_id  ts  kind  campaign_id  cost  revenue
 *   campaigns: campaign_id  name  channel  cpm_price      (--campaigns-table)
 *
 * Build:  cc -O2 -Wall -Wextra -Werror -o gen_events gen_events.c gen_model.c -lm
 *
 * Usage:  gen_events [--events N] [--users U] [--campaigns C] [--days D]
 *                    [--start YYYY-MM-DD] [--seed S] [--order time|user]
 *                    [--campaigns-table | --campaign-params]
 *
 *   --events N        impressions + clicks + conversions, approximately
 *                     (calibrated to within a fraction of a percent); 1000000
 *   --users U         users who see at least one impression; 200000
 *   --campaigns C     1..9999; 24
 *   --days D          length of the period, 1..2000; 30
 *   --start DATE      first day of the period, UTC; 2026-10-01
 *   --seed S          any unsigned 64-bit integer; 1
 *   --order time      rows sorted by ts (then user, kind, campaign), as an
 *                     append-only event log would be; the default
 *   --order user      rows grouped by user, each user's rows by time
 *                     (same rows, other physical order; no buffering,
 *                     about twice as fast)
 *   --campaigns-table print the campaigns table instead of events (depends
 *                     only on --campaigns and --seed)
 *   --campaign-params print the generating parameters per campaign (a
 *                     header line, then tab-separated rows) for checking
 *                     reports against the ground truth
 *
 * The same arguments give the same bytes on every machine: the generator
 * uses its own PRNG (splitmix64) and integer / fixed-point arithmetic only
 * (no floating point anywhere in the data path, no rand(), no libm), and
 * sorts with total orders.  A summary goes to stderr.
 *
 * The model and the way it is calibrated are described at the top of
 * gen_model.c; this file is the command line and the output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_model.h"

#if defined(__GNUC__) || defined(__clang__)
static void usage(void) __attribute__((noreturn));
#endif

/* ------------------------------------------------------------------------
 * Output
 * ------------------------------------------------------------------------ */
static char obuf[1 << 20];
static size_t opos;
static char (*day_str)[12];		/* "YYYY-MM-DD " per day of the period */

static void
out_flush(void)
{
	if (opos && fwrite(obuf, 1, opos, stdout) != opos)
	{
		fprintf(stderr, "gen_events: write failed: %s\n", strerror(errno));
		exit(1);
	}
	opos = 0;
}

static inline char *
out_reserve(size_t n)
{
	if (opos + n > sizeof(obuf))
		out_flush();
	return obuf + opos;
}

/* decimal digits of v at p; returns the end */
static inline char *
put_u64(char *p, uint64_t v)
{
	char		tmp[20];
	int			n = 0;

	do
	{
		tmp[n++] = (char) ('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static inline char *
put_2(char *p, uint32_t v)
{
	*p++ = (char) ('0' + v / 10);
	*p++ = (char) ('0' + v % 10);
	return p;
}

/* v / 10^dec with exactly dec decimals */
static inline char *
put_fixed(char *p, uint64_t v, int dec)
{
	uint64_t	scale = 1;
	int			i;

	for (i = 0; i < dec; i++)
		scale *= 10;
	p = put_u64(p, v / scale);
	*p++ = '.';
	v %= scale;
	for (i = dec - 1; i >= 0; i--)
	{
		p[i] = (char) ('0' + v % 10);
		v /= 10;
	}
	return p + dec;
}

static void
write_event(const Event *e)
{
	char	   *start = out_reserve(128),
			   *p = start;
	uint32_t	s = e->t % SECS_PER_DAY;

	p = put_u64(p, e->user);
	*p++ = '\t';
	memcpy(p, day_str[e->t / SECS_PER_DAY], 11);
	p += 11;
	p = put_2(p, s / 3600);
	*p++ = ':';
	p = put_2(p, s / 60 % 60);
	*p++ = ':';
	p = put_2(p, s % 60);
	memcpy(p, "+00\t", 4);
	p += 4;
	switch (e->kind)
	{
		case KIND_IMPRESSION:
			memcpy(p, "impression\t", 11);
			p += 11;
			p = put_u64(p, (uint64_t) e->camp + 1);
			*p++ = '\t';
			p = put_fixed(p, (uint64_t) e->amount, 6);
			memcpy(p, "\t\\N\n", 4);
			p += 4;
			break;
		case KIND_CLICK:
			memcpy(p, "click\t", 6);
			p += 6;
			p = put_u64(p, (uint64_t) e->camp + 1);
			memcpy(p, "\t0\t\\N\n", 6);
			p += 6;
			break;
		default:
			memcpy(p, "conversion\t\\N\t0\t", 16);
			p += 16;
			p = put_fixed(p, (uint64_t) e->amount, 2);
			*p++ = '\n';
			break;
	}
	opos += (size_t) (p - start);
}

/* total order on rows: time, user, kind, campaign, amount */
static inline int
event_cmp(const Event *a, const Event *b)
{
	if (a->t != b->t)
		return a->t < b->t ? -1 : 1;
	if (a->user != b->user)
		return a->user < b->user ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->camp != b->camp)
		return a->camp < b->camp ? -1 : 1;
	return (a->amount > b->amount) - (a->amount < b->amount);
}

static void
insertion_sort_events(Event *v, size_t n)
{
	size_t		i,
				j;

	for (i = 1; i < n; i++)
	{
		Event		x = v[i];

		for (j = i; j > 0 && event_cmp(&v[j - 1], &x) > 0; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

static int
event_qcmp(const void *a, const void *b)
{
	return event_cmp(a, b);
}

/* ------------------------------------------------------------------------
 * Output passes: user by user, or by time in slabs of hours
 * ------------------------------------------------------------------------ */
static void
output_by_user(Gen *g)
{
	uint64_t	u,
				total_users = g->users + g->unexposed;
	size_t		i;

	for (u = 1; u <= total_users; u++)
	{
		gen_user(g, u);
		if (g->ub.n > 24)
			qsort(g->ub.ev, g->ub.n, sizeof(Event), event_qcmp);
		else
			insertion_sort_events(g->ub.ev, g->ub.n);
		for (i = 0; i < g->ub.n; i++)
			write_event(&g->ub.ev[i]);
	}
}

static void
output_by_time(Gen *g, const uint64_t *hist, const uint16_t *minb,
			   const uint16_t *maxb)
{
	uint32_t	nb = g->days * 24,
				b0 = 0;
	uint64_t	cap = SLAB_EVENTS,
				total_users = g->users + g->unexposed;
	Event	   *slab,
			   *sorted;
	uint32_t   *bucket;
	uint32_t	b;

	for (b = 0; b < nb; b++)
		if (hist[b] > cap)
			cap = hist[b];
	slab = xmalloc(cap * sizeof(Event));
	sorted = xmalloc(cap * sizeof(Event));

	while (b0 < nb)
	{
		uint32_t	b1 = b0;
		uint64_t	n = 0,
					u;
		uint32_t	t0,
					t1,
					span;
		size_t		i,
					k;

		while (b1 < nb && n + hist[b1] <= cap)
			n += hist[b1++];
		t0 = b0 * 3600;
		t1 = b1 * 3600;
		span = t1 - t0;

		/* this slab's rows */
		n = 0;
		for (u = 1; u <= total_users; u++)
		{
			if (minb[u - 1] >= b1 || maxb[u - 1] < b0 || minb[u - 1] == UINT16_MAX)
				continue;
			gen_user(g, u);
			for (i = 0; i < g->ub.n; i++)
			{
				const Event *e = &g->ub.ev[i];

				if (e->t >= t0 && e->t < t1)
				{
					if (n == cap)
						die("internal error: slab overflow");
					slab[n++] = *e;
				}
			}
		}

		/* a long, sparse slab (few rows over many days): just sort it */
		if (span > 4 * n + 4 * SECS_PER_DAY)
		{
			qsort(slab, n, sizeof(Event), event_qcmp);
			for (i = 0; i < n; i++)
				write_event(&slab[i]);
			b0 = b1;
			continue;
		}

		/* counting sort by second, then the few ties by the full order */
		bucket = xcalloc((size_t) span + 1, sizeof(uint32_t));
		for (i = 0; i < n; i++)
			bucket[slab[i].t - t0 + 1]++;
		for (k = 1; k <= span; k++)
			bucket[k] += bucket[k - 1];
		for (i = 0; i < n; i++)
			sorted[bucket[slab[i].t - t0]++] = slab[i];
		free(bucket);
		for (i = 0; i < n;)
		{
			size_t		e = i + 1;

			while (e < n && sorted[e].t == sorted[i].t)
				e++;
			if (e - i > 1)
				insertion_sort_events(sorted + i, e - i);
			i = e;
		}
		for (i = 0; i < n; i++)
			write_event(&sorted[i]);
		b0 = b1;
	}
	free(slab);
	free(sorted);
}

/* ------------------------------------------------------------------------
 * Campaign table and parameters
 * ------------------------------------------------------------------------ */
static void
write_campaigns(const Gen *g)
{
	uint32_t	i;

	for (i = 0; i < g->ncamp; i++)
	{
		const Campaign *c = &g->camp[i];
		char	   *start = out_reserve(256),
				   *p = start;
		size_t		len = strlen(c->name);

		p = put_u64(p, i + 1);
		*p++ = '\t';
		memcpy(p, c->name, len);
		p += len;
		*p++ = '\t';
		len = strlen(channels[c->channel].name);
		memcpy(p, channels[c->channel].name, len);
		p += len;
		*p++ = '\t';
		p = put_fixed(p, (uint64_t) c->cpm_cents * 100, 4);
		*p++ = '\n';
		opos += (size_t) (p - start);
	}
}

static void
write_campaign_params(const Gen *g)
{
	uint32_t	i;

	printf("campaign_id\tname\tchannel\tcpm_price\tctr_pct\tcvr_pct\tview_through_pct"
		   "\tsize_rank\tfirst_day\tlast_day\tweekdays_only\tactive_days\tab_arm\n");
	for (i = 0; i < g->ncamp; i++)
	{
		const Campaign *c = &g->camp[i];
		int64_t		y1,
					y2;
		unsigned	m1,
					d1,
					m2,
					d2;

		civil_from_days(g->start_day + c->first_day, &y1, &m1, &d1);
		civil_from_days(g->start_day + c->last_day, &y2, &m2, &d2);
		printf("%u\t%s\t%s\t%u.%02u\t%u.%04u\t%u.%04u\t%u.%04u\t%u"
			   "\t%04lld-%02u-%02u\t%04lld-%02u-%02u\t%s\t%u\t%s\n",
			   i + 1, c->name, channels[c->channel].name,
			   c->cpm_cents / 100, c->cpm_cents % 100,
			   c->ctr_ppm / 10000, c->ctr_ppm % 10000,
			   c->cvr_ppm / 10000, c->cvr_ppm % 10000,
			   c->vt_ppm / 10000, c->vt_ppm % 10000,
			   c->rank, (long long) y1, m1, d1, (long long) y2, m2, d2,
			   c->weekdays_only ? "t" : "f", c->nactive,
			   c->ab == 'A' ? "A" : c->ab == 'B' ? "B" : "\\N");
	}
}

/* ------------------------------------------------------------------------
 * main
 * ------------------------------------------------------------------------ */
static uint64_t
parse_u64(const char *opt, const char *s, uint64_t lo, uint64_t hi)
{
	char	   *end;
	unsigned long long v;
	char		msg[200];

	errno = 0;
	v = 0;
	end = NULL;
	if (s && *s >= '0' && *s <= '9')
		v = strtoull(s, &end, 10);
	if (!s || !*s || !end || *end || errno || v < lo || v > hi)
	{
		snprintf(msg, sizeof(msg), "%s wants an integer from %llu to %llu, got \"%s\"",
				 opt, (unsigned long long) lo, (unsigned long long) hi, s ? s : "");
		die(msg);
	}
	return (uint64_t) v;
}

static int64_t
parse_date(const char *s)
{
	unsigned	y = 0,
				m = 0,
				d = 0;
	char		tail;
	int64_t		day;
	int64_t		yy;
	unsigned	mm,
				dd;

	if (!s || sscanf(s, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 ||
		strlen(s) != 10 || y < 1970 || y > 9000 || m < 1 || m > 12 || d < 1 || d > 31)
		die("--start wants a date YYYY-MM-DD from 1970 on");
	day = days_from_civil(y, m, d);
	civil_from_days(day, &yy, &mm, &dd);
	if (yy != (int64_t) y || mm != m || dd != d)
		die("--start: no such date");
	return day;
}

static void
usage(void)
{
	fprintf(stderr,
			"usage: gen_events [--events N] [--users U] [--campaigns C] [--days D]\n"
			"                  [--start YYYY-MM-DD] [--seed S] [--order time|user]\n"
			"                  [--campaigns-table | --campaign-params]\n"
			"Writes COPY text rows for test/data/schema.sql's events (or campaigns) to stdout.\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	Gen			g;
	int			i,
				mode = 0;		/* 0 events, 1 campaigns, 2 params */
	uint64_t	total;
	uint64_t   *hist = NULL;
	uint16_t   *minb = NULL,
			   *maxb = NULL;

	memset(&g, 0, sizeof(g));
	g.events = 1000000;
	g.users = 200000;
	g.ncamp = 24;
	g.days = 30;
	g.start_day = days_from_civil(2026, 10, 1);
	g.seed = 1;

	for (i = 1; i < argc; i++)
	{
		const char *a = argv[i],
				   *v = NULL,
				   *eq = strchr(a, '=');
		char		name[64];

		if (strncmp(a, "--", 2) != 0)
			usage();
		if (eq)
		{
			size_t		len = (size_t) (eq - a);

			if (len >= sizeof(name))
				usage();
			memcpy(name, a, len);
			name[len] = '\0';
			v = eq + 1;
		}
		else
		{
			snprintf(name, sizeof(name), "%s", a);
		}
		if (!strcmp(name, "--campaigns-table") && !v)
		{
			mode = 1;
			continue;
		}
		if (!strcmp(name, "--campaign-params") && !v)
		{
			mode = 2;
			continue;
		}
		if (!strcmp(name, "--help"))
			usage();
		if (!v)
		{
			if (i + 1 >= argc)
				usage();
			v = argv[++i];
		}
		if (!strcmp(name, "--events"))
			g.events = parse_u64(name, v, 1, UINT64_C(2000000000));
		else if (!strcmp(name, "--users"))
			g.users = parse_u64(name, v, 1, UINT64_C(1000000000));
		else if (!strcmp(name, "--campaigns"))
			g.ncamp = (uint32_t) parse_u64(name, v, 1, MAX_CAMPAIGNS);
		else if (!strcmp(name, "--days"))
			g.days = (uint32_t) parse_u64(name, v, 1, MAX_DAYS);
		else if (!strcmp(name, "--start"))
			g.start_day = parse_date(v);
		else if (!strcmp(name, "--seed"))
			g.seed = parse_u64(name, v, 0, UINT64_MAX);
		else if (!strcmp(name, "--order"))
		{
			if (!strcmp(v, "time"))
				g.order_user = 0;
			else if (!strcmp(v, "user"))
				g.order_user = 1;
			else
				die("--order wants time or user");
		}
		else
			usage();
	}

	model_init(&g);
	if (mode == 1)
	{
		write_campaigns(&g);
		out_flush();
		return fflush(stdout) ? 1 : 0;
	}
	if (mode == 2)
	{
		write_campaign_params(&g);
		return fflush(stdout) ? 1 : 0;
	}

	derive_parameters(&g);

	/*
	 * The dates as written; then calibrate (see gen_model.c), whose last
	 * counting pass also records what the time-ordered output needs.
	 */
	day_str = xmalloc(sizeof(*day_str) * g.days);
	{
		uint32_t	d;

		for (d = 0; d < g.days; d++)
		{
			int64_t		y;
			unsigned	m,
						dd;

			civil_from_days(g.start_day + d, &y, &m, &dd);
			snprintf(day_str[d], sizeof(day_str[d]), "%04u-%02u-%02u ",
					 (unsigned) y, m, dd);
		}
	}
	hist = xcalloc((size_t) g.days * 24, sizeof(uint64_t));
	if (!g.order_user)
	{
		minb = xmalloc(sizeof(uint16_t) * (size_t) (g.users + g.unexposed));
		maxb = xmalloc(sizeof(uint16_t) * (size_t) (g.users + g.unexposed));
	}
	total = calibrate(&g, hist, minb, maxb);

	if (g.order_user)
		output_by_user(&g);
	else
		output_by_time(&g, hist, minb, maxb);
	out_flush();
	if (fflush(stdout))
	{
		fprintf(stderr, "gen_events: write failed: %s\n", strerror(errno));
		return 1;
	}

	fprintf(stderr,
			"gen_events: %llu rows (target %llu): %llu impressions, %llu clicks, %llu conversions; "
			"%llu exposed users (+%llu converting never-exposed), %u campaigns, %u days, seed %llu, "
			"impressions per user P(n>=k)=k^-%lld.%04lld up to %llu\n",
			(unsigned long long) total, (unsigned long long) g.events,
			(unsigned long long) g.count[0], (unsigned long long) g.count[1],
			(unsigned long long) g.count[2], (unsigned long long) g.users,
			(unsigned long long) g.converters_unexposed, g.ncamp, g.days,
			(unsigned long long) g.seed,
			(long long) (g.a_q16 >> 16), (long long) ((g.a_q16 & 0xFFFF) * 10000 >> 16),
			(unsigned long long) g.kmax);
	return 0;
}
