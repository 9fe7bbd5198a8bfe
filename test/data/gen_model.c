/*
 * gen_model.c — the event model of gen_events (see gen_events.c for the
 * command line and the output format).
 *
 * The model (one user at a time; every user's rows are a pure function of
 * the seed, the user id and the campaign table, which is what lets the
 * time-ordered output regenerate users slab by slab in bounded memory):
 *
 * - Users 1..U each see n >= 1 impressions, with P(n >= k) = k^-a (a
 *   discrete Pareto/Zipf tail, capped at max(20*D, ...)); a is solved so
 *   that the total matches --events.  The n are assigned by quantile to a
 *   pseudo-random permutation of the users, so the frequency distribution
 *   is exact rather than sampled.  With the defaults a is about 1.13: 54 %
 *   of users see one impression, 17 % two, 7 % ten or more, 0.5 % a hundred
 *   or more (up to 600).
 * - Campaign sizes follow a Zipf law over a random ranking; the three
 *   biggest run the whole period, the others a window of 20–90 % of it,
 *   some on weekdays only.  Campaigns 3 and 4 (1 and 2 when C < 4) are an
 *   A/B pair: same creative, channel, price, schedule and conversion rates,
 *   B's click-through rate 1.2 times A's; the test starts D/6 days into
 *   the period and each user is randomised into one arm only.
 * - A user sees m campaigns, 1 <= m <= 1 + log2(n), at most 8, drawn by
 *   size.  Impressions come in sessions (mean 2 impressions, tens of
 *   seconds apart), each session on a day of one of the user's campaigns'
 *   flights, at an hour drawn from a daily cycle (UTC, trough at 03-04 h,
 *   peak at 20 h) and weighted by weekday.
 * - Cost of an impression: cpm_price / 1000 times a jitter of 0.70..1.30.
 * - Clicks: each impression is clicked with probability CTR(campaign) x
 *   the user's intent (0.25x..4x, mean 1) x 20/(19 + f), f the user's
 *   impression count of that campaign so far (ad fatigue); 1 s to 30 min
 *   later (lognormal, median 6 s, 99th percentile under 2 min).
 * - Conversions (campaign_id NULL, cost 0, revenue 5.00..500.00, lognormal,
 *   median 45.00):
 *   post-click: a click converts with probability CVR(campaign, 5–15 %),
 *     lag lognormal with median 1.5 h (5th percentile 2 min, 98th
 *     7 days);
 *   view-through: an impression that was not clicked converts with
 *     probability VT(campaign) x intent x 5/(5 + j), j the user's earlier
 *     impressions, lag lognormal with median 3 h (a day or two at most);
 *   organic: exposed users convert at a random time with probability
 *     0.1 %, and users U+1..U+U/5, who see no ads, with probability 0.5 %;
 *   every conversion is followed by a repeat purchase with probability 15 %
 *     (median 4 days later).
 * - Rows after the end of the period are not written (as in an extract);
 *   so reach over all impressions is exactly U, and count(DISTINCT user_id)
 *   is U plus the never-exposed users who converted.
 *
 * The "normal" deviates are Irwin–Hall sums of four uniforms scaled to unit
 * variance (|z| <= 3.46), exponentials go through a fixed-point exp2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_model.h"

/* ------------------------------------------------------------------------
 * PRNG: splitmix64 streams.  Every user gets its own stream keyed by the
 * seed and the user id, so users can be generated in any order, any number
 * of times.
 * ------------------------------------------------------------------------ */
static inline uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

typedef struct
{
	uint64_t	s;
} Rng;

static inline uint64_t
rng_next(Rng *r)
{
	r->s += UINT64_C(0x9E3779B97F4A7C15);
	return mix64(r->s);
}

static inline uint32_t
rng_u32(Rng *r)
{
	return (uint32_t) (rng_next(r) >> 32);
}

/* uniform in [0, n), n >= 1 (multiply-shift; bias below 2^-32 * n) */
static inline uint32_t
rng_below(Rng *r, uint32_t n)
{
	return (uint32_t) (((uint64_t) rng_u32(r) * n) >> 32);
}

/* true with probability p / 2^32; p may be 2^32 (always) */
static inline int
rng_chance(Rng *r, uint64_t p_q32)
{
	return (uint64_t) rng_u32(r) < p_q32;
}

static Rng
rng_keyed(uint64_t a, uint64_t b)
{
	Rng			r;

	r.s = mix64(a ^ mix64(b + UINT64_C(0x632BE59BD9B4E019)));
	return r;
}

/* ------------------------------------------------------------------------
 * Fixed-point arithmetic.  Q16 = value * 2^16, Q32 = value * 2^32.
 * ------------------------------------------------------------------------ */

/* 2^(2^-k) in Q30, k = 1..16 (computed to 50 digits, rounded) */
static const uint64_t exp2_frac_q30[16] = {
	1518500250, 1276901417, 1170923762, 1121280436,
	1097253708, 1085434106, 1079572136, 1076653033,
	1075196443, 1074468888, 1074105294, 1073923544,
	1073832680, 1073787251, 1073764537, 1073753181
};

/* 2^(i / 2^8) and 2^(i / 2^16) in Q30, i = 0..255, from the constants above */
static uint64_t exp2_hi_q30[256],
			exp2_lo_q30[256];

static void
fx_init(void)
{
	int			i,
				k;

	for (i = 0; i < 256; i++)
	{
		uint64_t	hi = UINT64_C(1) << 30,
					lo = UINT64_C(1) << 30;

		for (k = 0; k < 8; k++)
		{
			if (i & (0x80 >> k))
			{
				hi = (hi * exp2_frac_q30[k]) >> 30;
				lo = (lo * exp2_frac_q30[k + 8]) >> 30;
			}
		}
		exp2_hi_q30[i] = hi;
		exp2_lo_q30[i] = lo;
	}
}

/* 2^(x / 2^16) in Q32; x is clamped to [-32, 30] */
static inline uint64_t
fx_exp2_q32(int64_t x)
{
	int64_t		f,
				i;
	uint64_t	r;
	int			sh;

	if (x < -32 * 65536)
		return 0;
	if (x > 30 * 65536)
		x = 30 * 65536;
	f = x & 0xFFFF;				/* int64_t is two's complement */
	i = (x - f) / 65536;		/* exact: floor(x / 2^16) */
	r = (exp2_hi_q30[f >> 8] * exp2_lo_q30[f & 0xFF]) >> 30;
	sh = (int) i + 2;
	return sh >= 0 ? r << sh : r >> -sh;
}

/* log2(v) in Q16, v >= 1 */
static int64_t
fx_log2_q16(uint64_t v)
{
	int			p = 63,
				b;
	uint64_t	y;
	int64_t		res;

	while (!(v >> p))
		p--;
	y = p >= 30 ? v >> (p - 30) : v << (30 - p);
	res = (int64_t) p << 16;
	for (b = 15; b >= 0; b--)
	{
		y = (y * y) >> 30;
		if (y >= (UINT64_C(2) << 30))
		{
			y >>= 1;
			res |= (int64_t) 1 << b;
		}
	}
	return res;
}

/* floor(a * q / 2^32), exact, for results below 2^64 */
static inline uint64_t
mul_q32(uint64_t a, uint64_t q)
{
	uint64_t	ah = a >> 32,
				al = a & 0xFFFFFFFFu,
				qh = q >> 32,
				ql = q & 0xFFFFFFFFu;

	return ((ah * qh) << 32) + ah * ql + al * qh + ((al * ql) >> 32);
}

/* approximately standard normal in Q16: Irwin-Hall(4) * sqrt(3) */
static inline int64_t
rng_normal_q16(Rng *r)
{
	uint64_t	x = rng_next(r);
	int64_t		s;

	s = (int64_t) (x & 0xFFFF) + (int64_t) ((x >> 16) & 0xFFFF) +
		(int64_t) ((x >> 32) & 0xFFFF) + (int64_t) (x >> 48) - 2 * 65536;
	return s * 113512 / 65536;	/* 113512 = sqrt(3) in Q16 */
}

/*
 * lognormal with the given median and sigma (of the natural log, in
 * thousandths): median * 2^(z * sigma / ln 2)
 */
static inline uint64_t
rng_lognormal(Rng *r, uint64_t median, int64_t sigma_milli)
{
	int64_t		s2 = sigma_milli * 94548 / 1000;	/* 94548 = 2^16 / ln 2 */
	int64_t		e = rng_normal_q16(r) * s2 / 65536;

	return mul_q32(median, fx_exp2_q32(e));
}

/* probability given in parts per million, as Q32 */
#define PPM_Q32(ppm)	((uint64_t) (ppm) * (UINT64_C(1) << 32) / 1000000u)

/* ------------------------------------------------------------------------
 * Calendar (Howard Hinnant's days_from_civil / civil_from_days)
 * ------------------------------------------------------------------------ */
int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t		era;
	unsigned	yoe,
				doy,
				doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned) (y - era * 400);
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t) doe - 719468;
}

void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t		era;
	unsigned	doe,
				yoe,
				doy,
				mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned) (z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t) yoe + era * 400 + (*m <= 2);
}

/* ------------------------------------------------------------------------
 * Campaigns
 * ------------------------------------------------------------------------ */
const Channel channels[] = {
	{"display", "Display", 34, 150, 400, 3000, 8000, 1000, 2000},
	{"social", "Social", 24, 500, 1000, 8000, 20000, 800, 1600},
	{"video", "Video", 18, 1000, 2500, 5000, 15000, 2000, 4000},
	{"native", "Native", 12, 300, 800, 4000, 12000, 800, 1600},
	{"search", "Search", 12, 2000, 4000, 20000, 30000, 300, 800},
};
#define NCHANNELS ((int) (sizeof(channels) / sizeof(channels[0])))

static const char *const themes[] = {
	"Autumn Launch", "Back to School", "Black Friday", "Brand Awareness",
	"Cyber Monday", "Free Shipping", "Halloween", "Holiday Gifts",
	"Loyalty Rewards", "New Arrivals", "Prospecting", "Retargeting",
	"Spring Collection", "Summer Clearance", "Weekend Deals", "Winter Sale",
	"App Install", "Flash Sale", "Gift Cards", "Premium Upgrade",
};
#define NTHEMES ((int) (sizeof(themes) / sizeof(themes[0])))

/* daily cycle, UTC, relative weights per hour */
static const uint32_t hour_weight[24] = {
	30, 18, 12, 10, 10, 14, 25, 40, 52, 58, 60, 62,
	66, 64, 60, 60, 64, 72, 84, 95, 100, 96, 80, 52
};
#define HOUR_TOTAL 1284			/* sum of hour_weight */
static uint8_t hour_of[HOUR_TOTAL];

/* weekday weights, Monday first */
static const uint32_t weekday_weight[7] = {100, 100, 100, 100, 104, 112, 108};

void
die(const char *msg)
{
	fprintf(stderr, "gen_events: %s\n", msg);
	exit(2);
}

void *
xmalloc(size_t n)
{
	void	   *p = malloc(n ? n : 1);

	if (!p)
		die("out of memory");
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void	   *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		die("out of memory");
	return p;
}

static int
weekday(int64_t day)			/* 0 = Monday */
{
	return (int) (((day + 3) % 7 + 7) % 7);
}

static inline uint32_t
pick_hour(Rng *r)
{
	return hour_of[rng_below(r, HOUR_TOTAL)];
}

/* an active day of the campaign, weighted by weekday (rejection) */
static inline uint32_t
pick_active_day(const Gen *g, const Campaign *c, Rng *r)
{
	for (;;)
	{
		uint32_t	d = c->active_day[rng_below(r, c->nactive)];

		if (rng_below(r, 112) < weekday_weight[weekday(g->start_day + d)])
			return d;
	}
}

/* a random day of the period, weekday-weighted (for organic conversions) */
static uint32_t
pick_period_day(const Gen *g, Rng *r)
{
	for (;;)
	{
		uint32_t	d = rng_below(r, g->days);

		if (rng_below(r, 112) < weekday_weight[weekday(g->start_day + d)])
			return d;
	}
}

static void
build_campaigns(Gen *g)
{
	uint32_t	C = g->ncamp,
				i,
				d;
	int			ab_a = -1,
				ab_b = -1;
	uint32_t   *order;
	uint32_t	nrank;
	Rng			r;

	g->camp = xcalloc(C, sizeof(Campaign));
	if (C >= 4)
	{
		ab_a = 2;
		ab_b = 3;
	}
	else if (C >= 2)
	{
		ab_a = 0;
		ab_b = 1;
	}

	/* static properties: depend on the seed and the campaign id only */
	for (i = 0; i < C; i++)
	{
		Campaign   *c = &g->camp[i];
		uint32_t	x;
		int			ch;
		const Channel *chp;

		r = rng_keyed(g->seed ^ UINT64_C(0xCA3D1A7E5EED0001), i);
		if ((int) i == ab_b)
		{
			const Campaign *a = &g->camp[ab_a];

			*c = *a;
			c->ab = 'B';
			c->ctr_ppm = a->ctr_ppm * 6 / 5;
			memcpy(c->name, a->name, sizeof(c->name));
			c->name[strlen(c->name) - 1] = 'B';
			continue;
		}
		x = rng_below(&r, 100);
		for (ch = 0; ch < NCHANNELS - 1 && x >= channels[ch].share; ch++)
			x -= channels[ch].share;
		if ((int) i == ab_a)
			ch = 1;				/* the A/B creative test runs on social */
		chp = &channels[ch];
		c->channel = ch;
		c->cpm_cents = chp->cpm_lo + rng_below(&r, chp->cpm_hi - chp->cpm_lo + 1);
		c->ctr_ppm = chp->ctr_lo + rng_below(&r, chp->ctr_hi - chp->ctr_lo + 1);
		c->cvr_ppm = 50000 + rng_below(&r, 100001);
		c->vt_ppm = chp->vt_lo + rng_below(&r, chp->vt_hi - chp->vt_lo + 1);
		if ((int) i == ab_a)
		{
			c->ab = 'A';
			/* keep the pair's rates mid-range so the test is modest */
			c->ctr_ppm = (chp->ctr_lo + chp->ctr_hi) / 2;
		}
		snprintf(c->name, sizeof(c->name), "%s \xE2\x80\x93 %s %02u%s",
				 themes[rng_below(&r, NTHEMES)], chp->label, i + 1,
				 c->ab ? " A" : "");
	}
	for (i = 0; i < C; i++)
	{
		Campaign   *c = &g->camp[i];

		c->ctr_q32 = PPM_Q32(c->ctr_ppm);
		c->cvr_q32 = PPM_Q32(c->cvr_ppm);
		c->vt_q32 = PPM_Q32(c->vt_ppm);
	}

	/* slots and a random size ranking; the A/B pair is one slot */
	g->nslots = (int) C - (ab_b >= 0 ? 1 : 0);
	g->slot = xcalloc((size_t) g->nslots, sizeof(Slot));
	order = xmalloc(sizeof(uint32_t) * (size_t) g->nslots);
	nrank = 0;
	for (i = 0; i < C; i++)
		if ((int) i != ab_a && (int) i != ab_b)
			order[nrank++] = i;
	r = rng_keyed(g->seed ^ UINT64_C(0x5A4EC0DE00000002), C);
	for (i = nrank; i > 1; i--)
	{
		uint32_t	j = rng_below(&r, i),
					t = order[i - 1];

		order[i - 1] = order[j];
		order[j] = t;
	}

	/*
	 * Zipf sizes: rank k has weight 1/k.  The A/B pair takes two arms of the
	 * size of rank 6 (rank 2 when there are fewer than 6 campaigns).
	 */
	{
		uint64_t	cum = 0;
		int			s = 0;
		uint32_t	k = 0,
					ab_rank = nrank >= 6 ? 6 : 2;

		for (i = 0; i < nrank; i++)
		{
			k = i + 1;
			g->camp[order[i]].rank = k;
			cum += 1000000000u / k;
			g->slot[s].camp = (int) order[i];
			g->slot[s].camp_b = -1;
			g->slot[s].cum = cum;
			s++;
		}
		if (ab_a >= 0)
		{
			g->camp[ab_a].rank = g->camp[ab_b].rank = ab_rank;
			cum += 2 * (1000000000u / ab_rank);
			g->slot[s].camp = ab_a;
			g->slot[s].camp_b = ab_b;
			g->slot[s].cum = cum;
			s++;
		}
	}
	free(order);

	/* flights: depend on --days too */
	r = rng_keyed(g->seed ^ UINT64_C(0xF11647500000003), g->days);
	for (i = 0; i < C; i++)
	{
		Campaign   *c = &g->camp[i];
		uint32_t	D = g->days;

		/* draw for every campaign, so one campaign's flight does not shift
		 * another's */
		uint32_t	pct = 20 + rng_below(&r, 71);
		uint32_t	x = rng_u32(&r);
		uint32_t	wk = rng_below(&r, 5) == 0;

		if (c->ab == 'B')
		{
			c->first_day = g->camp[ab_a].first_day;
			c->last_day = g->camp[ab_a].last_day;
			c->weekdays_only = 0;
		}
		else if (c->ab == 'A')
		{
			/* the test starts a few days in (unless it is all there is) */
			c->first_day = g->ncamp >= 4 ? D / 6 : 0;
			c->last_day = D - 1;
			c->weekdays_only = 0;
		}
		else if (c->rank <= 3 || D < 4)
		{
			c->first_day = 0;
			c->last_day = D - 1;
			c->weekdays_only = 0;
		}
		else
		{
			uint32_t	dur = D * pct / 100;

			if (dur < 3)
				dur = 3;
			c->first_day = (uint32_t) (((uint64_t) x * (D - dur + 1)) >> 32);
			c->last_day = c->first_day + dur - 1;
			c->weekdays_only = (int) wk;
		}
		c->active = xcalloc(D, 1);
		c->active_day = xmalloc(sizeof(uint32_t) * D);
		c->nactive = 0;
		for (d = c->first_day; d <= c->last_day; d++)
		{
			int			wd = weekday(g->start_day + d);

			if (c->weekdays_only && wd >= 5)
				continue;
			c->active[d] = 1;
			c->active_day[c->nactive] = d;
			c->nactive++;
		}
		if (c->nactive == 0)
		{
			/* a weekend-only window: run it anyway */
			c->weekdays_only = 0;
			for (d = c->first_day; d <= c->last_day; d++)
			{
				c->active[d] = 1;
				c->active_day[c->nactive] = d;
					c->nactive++;
			}
		}
	}
}

/* ------------------------------------------------------------------------
 * Impressions per user: a permutation of the users, and the counts
 * ------------------------------------------------------------------------ */
static uint64_t
feistel(const Gen *g, uint64_t x)
{
	uint64_t	mask = (UINT64_C(1) << g->perm_half) - 1;
	uint64_t	L = x >> g->perm_half,
				R = x & mask;
	int			k;

	for (k = 0; k < 4; k++)
	{
		uint64_t	nl = R;

		R = L ^ (mix64(R ^ g->perm_key[k]) & mask);
		L = nl;
	}
	return (L << g->perm_half) | R;
}

/* rank in [0, users) of user u (1-based); cycle walking keeps it in range */
static uint64_t
user_rank(const Gen *g, uint64_t u)
{
	uint64_t	x = u - 1;

	do
		x = feistel(g, x);
	while (x >= g->users);
	return x;
}

/* fill cnt[] for exponent a; returns the total of impressions */
static uint64_t
fill_counts(Gen *g, int64_t a_q16)
{
	uint64_t	k,
				sum = 0;

	g->cnt[0] = g->users;
	for (k = 1; k <= g->kmax; k++)
	{
		int64_t		e = a_q16 * g->log2k[k] / 65536;
		uint64_t	c = (mul_q32(2 * g->users, fx_exp2_q32(-e)) + 1) / 2;

		if (c > g->cnt[k - 1])
			c = g->cnt[k - 1];
		if (k == 1)
			c = g->users;
		g->cnt[k] = c;
		sum += c;
	}
	return sum;
}

/* choose the exponent so that the users' impressions sum to about target */
static void
solve_exponent(Gen *g, uint64_t target)
{
	int64_t		lo = 1,
				hi = 64 * 65536;

	if (target < g->users)
		target = g->users;
	if (fill_counts(g, lo) < target)
		die("--events too large for --users and --days (a user sees at most 20 impressions a day)");
	/* the smallest a whose total is <= target */
	while (lo < hi)
	{
		int64_t		mid = lo + (hi - lo) / 2;

		if (fill_counts(g, mid) <= target)
			hi = mid;
		else
			lo = mid + 1;
	}
	g->a_q16 = lo;
	fill_counts(g, lo);
}

static uint32_t
impressions_of(const Gen *g, uint64_t u)
{
	uint64_t	need = g->users - user_rank(g, u);	/* 1..users */
	uint64_t	lo = 1,
				hi = g->kmax;

	/* the largest k with cnt[k] >= need */
	while (lo < hi)
	{
		uint64_t	mid = lo + (hi - lo + 1) / 2;

		if (g->cnt[mid] >= need)
			lo = mid;
		else
			hi = mid - 1;
	}
	return (uint32_t) lo;
}

/* ------------------------------------------------------------------------
 * One user's rows
 * ------------------------------------------------------------------------ */
static inline void
push_event(Gen *g, uint32_t t, uint32_t user, uint8_t kind, uint16_t camp,
		   int32_t amount)
{
	EvBuf	   *b = &g->ub;
	Event	   *e;

	if (b->n == b->cap)
	{
		b->cap = b->cap ? b->cap * 2 : 1024;
		b->ev = realloc(b->ev, b->cap * sizeof(Event));
		if (!b->ev)
			die("out of memory");
	}
	e = &b->ev[b->n++];
	e->t = t;
	e->user = user;
	e->amount = amount;
	e->camp = camp;
	e->kind = kind;
	e->pad = 0;
}

/* a conversion at t, then maybe repeat purchases */
static void
push_conversion(Gen *g, Rng *r, uint64_t t, uint32_t user)
{
	int			depth;

	for (depth = 0; depth < 4 && t < g->period_secs; depth++)
	{
		uint64_t	rev = rng_lognormal(r, 4500, 900);

		if (rev < 500)
			rev = 500;
		if (rev > 50000)
			rev = 50000;
		push_event(g, (uint32_t) t, user, KIND_CONVERSION, 0, (int32_t) rev);
		if (!rng_chance(r, PPM_Q32(150000)))
			break;
		t += 3600 + rng_lognormal(r, 4 * SECS_PER_DAY, 800);
	}
}

/* sort keys: quicksort, insertion sort below 16 */
static void
sort_u64(uint64_t *v, size_t n)
{
	while (n > 16)
	{
		uint64_t	a = v[0],
					b = v[n / 2],
					c = v[n - 1],
					pivot,
					tmp;
		size_t		i = 0,
					j = n - 1;

		pivot = a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));
		for (;;)
		{
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i >= j)
				break;
			tmp = v[i];
			v[i] = v[j];
			v[j] = tmp;
			i++;
			j--;
		}
		/* [0, j] <= pivot <= [j + 1, n); recurse into the smaller part */
		if (j + 1 < n - j - 1)
		{
			sort_u64(v, j + 1);
			v += j + 1;
			n -= j + 1;
		}
		else
		{
			sort_u64(v + j + 1, n - j - 1);
			n = j + 1;
		}
	}
	{
		size_t		i,
					k;

		for (i = 1; i < n; i++)
		{
			uint64_t	x = v[i];

			for (k = i; k > 0 && v[k - 1] > x; k--)
				v[k] = v[k - 1];
			v[k] = x;
		}
	}
}

static uint32_t
ilog2(uint32_t n)
{
	uint32_t	k = 0;

	while (n >>= 1)
		k++;
	return k;
}

static int
pick_slot(const Gen *g, Rng *r)
{
	uint64_t	x = mul_q32(g->slot[g->nslots - 1].cum, rng_u32(r));
	int			lo = 0,
				hi = g->nslots - 1;

	while (lo < hi)
	{
		int			mid = (lo + hi) / 2;

		if (x < g->slot[mid].cum)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

void
gen_user(Gen *g, uint64_t u)
{
	Rng			r = rng_keyed(g->user_key, u);
	uint32_t	user = (uint32_t) u;
	uint32_t	x = rng_below(&r, 100);
	uint64_t	intent;			/* Q8: 64 = 0.25x .. 1024 = 4x; mean 1x */

	g->ub.n = 0;
	intent = x < 20 ? 64 : x < 50 ? 128 : x < 80 ? 256 : x < 95 ? 512 : 1024;

	if (u > g->users)
	{
		/* never exposed */
		if (rng_chance(&r, PPM_Q32(5000)))
		{
			uint32_t	d = pick_period_day(g, &r);

			push_conversion(g, &r, (uint64_t) d * SECS_PER_DAY +
							pick_hour(&r) * 3600u + rng_below(&r, 3600), user);
		}
		return;
	}
	else
	{
		uint32_t	n = impressions_of(g, u);
		uint32_t	m,
					k,
					ni = 0,
					remaining,
					j;
		int			slots[MAX_USER_CAMPAIGNS];
		uint16_t	uc[MAX_USER_CAMPAIGNS];
		uint32_t	freq[MAX_USER_CAMPAIGNS];
		int			arm_b = (int) (mix64(u ^ g->ab_key) & 1);

		/* the user's campaigns */
		m = 1 + rng_below(&r, 1 + ilog2(n));
		if (m > MAX_USER_CAMPAIGNS)
			m = MAX_USER_CAMPAIGNS;
		if (m > (uint32_t) g->nslots)
			m = (uint32_t) g->nslots;
		for (k = 0; k < m; k++)
		{
			int			s = -1,
						tries,
						dup;
			uint32_t	q;

			for (tries = 0; tries < 64; tries++)
			{
				s = pick_slot(g, &r);
				for (dup = 0, q = 0; q < k; q++)
					dup |= slots[q] == s;
				if (!dup)
					break;
			}
			if (tries == 64)
			{
				/* the first free slot */
				for (s = 0;; s++)
				{
					for (dup = 0, q = 0; q < k; q++)
						dup |= slots[q] == s;
					if (!dup)
						break;
				}
			}
			slots[k] = s;
			uc[k] = (uint16_t) (g->slot[s].camp_b >= 0 && arm_b ?
								g->slot[s].camp_b : g->slot[s].camp);
			freq[k] = 0;
		}

		/* impressions, in sessions */
		remaining = n;
		while (remaining > 0)
		{
			uint32_t	size = 1,
						i,
						c0i = rng_below(&r, m);
			const Campaign *c0 = &g->camp[uc[c0i]];
			uint64_t	t;

			while (size < remaining && size < 20 && rng_chance(&r, UINT64_C(1) << 31))
				size++;
			t = (uint64_t) pick_active_day(g, c0, &r) * SECS_PER_DAY +
				pick_hour(&r) * 3600u + rng_below(&r, 3600);
			for (i = 0; i < size; i++)
			{
				uint32_t	d,
							ci = c0i;

				if (i > 0)
					t += 3 + rng_lognormal(&r, 40, 1000);
				d = (uint32_t) (t / SECS_PER_DAY);
				if (d >= g->days)
					break;
				if (m > 1 && rng_chance(&r, PPM_Q32(400000)))
					ci = rng_below(&r, m);
				if (!g->camp[uc[ci]].active[d])
				{
					ci = c0i;
					if (!c0->active[d])
						continue;	/* ran past the flight: dropped */
				}
				g->imps[ni++] = t << 16 | uc[ci];
			}
			remaining -= size;
		}
		sort_u64(g->imps, ni);

		/* walk them in time order: costs, clicks, conversions */
		for (j = 0; j < ni; j++)
		{
			uint32_t	t = (uint32_t) (g->imps[j] >> 16);
			uint16_t	ci = (uint16_t) (g->imps[j] & 0xFFFF);
			const Campaign *c = &g->camp[ci];
			uint32_t	f = 0,
						q;
			uint64_t	p,
						cost;

			for (q = 0; q < m; q++)
				if (uc[q] == ci)
					f = ++freq[q];
			cost = (uint64_t) c->cpm_cents * (700 + rng_below(&r, 601)) / 100;
			push_event(g, t, user, KIND_IMPRESSION, ci, (int32_t) cost);

			p = (c->ctr_q32 * intent >> 8) * 20 / (19 + f);
			if (rng_chance(&r, p))
			{
				uint64_t	tc = t + 1 + rng_lognormal(&r, 6, 1200);

				if (tc > (uint64_t) t + 1800)
					tc = (uint64_t) t + 1800;
				if (tc >= g->period_secs)
					continue;
				push_event(g, (uint32_t) tc, user, KIND_CLICK, ci, 0);
				/* intent already chose the clickers */
				if (rng_chance(&r, c->cvr_q32))
				{
					uint64_t	lag = rng_lognormal(&r, 5400, 2200);

					push_conversion(g, &r, tc + (lag < 30 ? 30 : lag), user);
				}
			}
			else
			{
				p = (c->vt_q32 * intent >> 8) * 5 / (5 + j);
				if (rng_chance(&r, p))
				{
					uint64_t	lag = rng_lognormal(&r, 10800, 1200);

					push_conversion(g, &r, (uint64_t) t + (lag < 60 ? 60 : lag), user);
				}
			}
		}

		/* organic conversions of exposed users */
		if (rng_chance(&r, PPM_Q32(1000)))
		{
			uint32_t	d = pick_period_day(g, &r);

			push_conversion(g, &r, (uint64_t) d * SECS_PER_DAY +
							pick_hour(&r) * 3600u + rng_below(&r, 3600), user);
		}
	}
}

/* ------------------------------------------------------------------------
 * Counting pass
 * ------------------------------------------------------------------------ */

/*
 * Generate every user and count rows per kind; with hist/minb/maxb, also
 * rows per hour of the period and each user's first and last hour.
 */
static void
count_pass(Gen *g, uint64_t *hist, uint16_t *minb, uint16_t *maxb)
{
	uint64_t	u,
				total_users = g->users + g->unexposed;
	size_t		i;

	memset(g->count, 0, sizeof(g->count));
	g->converters_unexposed = 0;
	for (u = 1; u <= total_users; u++)
	{
		uint32_t	lo = UINT32_MAX,
					hi = 0;

		gen_user(g, u);
		for (i = 0; i < g->ub.n; i++)
		{
			const Event *e = &g->ub.ev[i];
			uint32_t	b = e->t / 3600;

			g->count[e->kind]++;
			if (hist)
			{
				hist[b]++;
				if (b < lo)
					lo = b;
				if (b > hi)
					hi = b;
			}
		}
		if (u > g->users && g->ub.n)
			g->converters_unexposed++;
		if (minb)
		{
			minb[u - 1] = (uint16_t) (lo == UINT32_MAX ? UINT16_MAX : lo);
			maxb[u - 1] = (uint16_t) hi;
		}
	}
}

/* ------------------------------------------------------------------------
 * Setting up and calibrating
 * ------------------------------------------------------------------------ */
void
model_init(Gen *g)
{
	int			h,
				i,
				n = 0;

	/* each hour repeated by its weight: one uniform draw picks an hour */
	for (h = 0; h < 24; h++)
		for (i = 0; i < (int) hour_weight[h] && n < HOUR_TOTAL; i++)
			hour_of[n++] = (uint8_t) h;
	if (n != HOUR_TOTAL)
		die("internal error: HOUR_TOTAL");
	fx_init();
	build_campaigns(g);
}

void
derive_parameters(Gen *g)
{
	int			i;

	if (g->events < g->users)
		die("--events must be at least --users (every user sees an impression)");
	g->period_secs = g->days * SECS_PER_DAY;
	g->unexposed = g->users / 5;
	g->user_key = mix64(g->seed ^ UINT64_C(0x05E25EED00000004));
	g->ab_key = mix64(g->seed ^ UINT64_C(0xAB7E570000000005));
	for (i = 0; i < 4; i++)
		g->perm_key[i] = mix64(g->seed ^ (UINT64_C(0x9E2A000000000006) + (uint64_t) i));
	{
		int			bits = 1;

		while ((UINT64_C(1) << bits) < g->users)
			bits++;
		g->perm_half = (bits + 1) / 2;
	}
	/* at most 20 impressions a day, or 8 times the mean if that is more */
	g->kmax = 20 * (uint64_t) g->days;
	if (g->kmax < 8 * (g->events / g->users + 1))
		g->kmax = 8 * (g->events / g->users + 1);
	g->cnt = xmalloc(sizeof(uint64_t) * (g->kmax + 1));
	g->log2k = xmalloc(sizeof(int64_t) * (g->kmax + 1));
	g->imps = xmalloc(sizeof(uint64_t) * (g->kmax + 1));
	g->log2k[0] = 0;
	{
		uint64_t	k;

		for (k = 1; k <= g->kmax; k++)
			g->log2k[k] = fx_log2_q16(k);
	}
}

uint64_t
calibrate(Gen *g, uint64_t *hist, uint16_t *minb, uint16_t *maxb)
{
	uint64_t	target,
				total,
				sum_n;
	int			iter;

	target = g->events - g->events / 50;
	sum_n = 0;
	total = 0;
	for (iter = 0; iter < 4; iter++)
	{
		uint64_t	prev_sum = sum_n;
		uint64_t	diff;

		solve_exponent(g, target);
		sum_n = 0;
		{
			uint64_t	k;

			for (k = 1; k <= g->kmax; k++)
				sum_n += g->cnt[k];
		}
		if (iter > 0 && sum_n == prev_sum)
			break;				/* same table, same rows as counted */
		memset(hist, 0, sizeof(uint64_t) * (size_t) g->days * 24);
		count_pass(g, hist, minb, maxb);
		total = g->count[0] + g->count[1] + g->count[2];
		diff = total > g->events ? total - g->events : g->events - total;
		if (diff * 1000 <= g->events)	/* within 0.1 % */
			break;
		if (iter == 3)
			break;				/* keep the last counted table */
		/* rows grow in proportion to impressions */
		target = mul_q32(sum_n, (g->events << 32) / total);
	}
	return total;
}
