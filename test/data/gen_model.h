/*
 * gen_model.h — what gen_events.c (the command line and the COPY output)
 * shares with gen_model.c (the event model): the generator state, the
 * campaign and event records, and the model's entry points.
 */
#ifndef GEN_MODEL_H
#define GEN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#define SECS_PER_DAY	86400u
#define MAX_DAYS		2000u
#define MAX_CAMPAIGNS	9999u
#define MAX_USER_CAMPAIGNS	8
#define SLAB_EVENTS		(1u << 21)	/* rows held at once in --order time */

enum
{
	KIND_IMPRESSION = 0,
	KIND_CLICK = 1,
	KIND_CONVERSION = 2
};

/* ------------------------------------------------------------------------
 * Campaigns
 * ------------------------------------------------------------------------ */
typedef struct
{
	const char *name;			/* the channel column */
	const char *label;			/* in campaign names */
	uint32_t	share;			/* how often campaigns get this channel */
	uint32_t	cpm_lo,
				cpm_hi;			/* cents */
	uint32_t	ctr_lo,
				ctr_hi;			/* ppm */
	uint32_t	vt_lo,
				vt_hi;			/* ppm per impression */
} Channel;
extern const Channel channels[];

typedef struct
{
	char		name[96];
	int			channel;
	uint32_t	cpm_cents;		/* cpm_price = cpm_cents / 100 */
	uint32_t	ctr_ppm,
				cvr_ppm,
				vt_ppm;
	uint64_t	ctr_q32,
				cvr_q32,
				vt_q32;
	char		ab;				/* 'A', 'B' or 0 */
	uint32_t	rank;			/* 1 = biggest (the A/B arms: their slot's) */
	uint32_t	first_day,
				last_day;		/* flight, inclusive, 0-based */
	int			weekdays_only;
	uint32_t	nactive;		/* active days */
	uint32_t   *active_day;		/* [nactive] */
	uint8_t    *active;			/* [days]: 1 on active days */
} Campaign;

/* a "slot" is what users pick: one campaign, or the A/B pair */
typedef struct
{
	int			camp;			/* index; for the A/B pair, arm A */
	int			camp_b;			/* arm B index or -1 */
	uint64_t	cum;			/* cumulative weight */
} Slot;

/* ------------------------------------------------------------------------
 * Generator state
 * ------------------------------------------------------------------------ */
typedef struct
{
	uint32_t	t;				/* seconds since the start of the period */
	uint32_t	user;
	int32_t		amount;			/* cost in 1e-6 (impressions), revenue in cents
								 * (conversions) */
	uint16_t	camp;			/* index, 0-based */
	uint8_t		kind;
	uint8_t		pad;
} Event;

typedef struct
{
	Event	   *ev;
	size_t		n,
				cap;
} EvBuf;

typedef struct
{
	/* options */
	uint64_t	events;
	uint64_t	users;
	uint32_t	ncamp;
	uint32_t	days;
	int64_t		start_day;		/* days since 1970-01-01 */
	uint64_t	seed;
	int			order_user;

	/* derived */
	uint64_t	unexposed;		/* ids users+1 .. users+unexposed */
	uint32_t	period_secs;
	Campaign   *camp;
	Slot	   *slot;
	int			nslots;
	uint64_t	perm_key[4];
	int			perm_half;		/* bits in each Feistel half */
	uint64_t	kmax;			/* cap on impressions per user */
	uint64_t   *cnt;			/* [kmax + 1]: users with >= k impressions */
	int64_t    *log2k;			/* [kmax + 1] Q16 */
	int64_t		a_q16;			/* the tail exponent */
	uint64_t	ab_key;
	uint64_t	user_key;

	/* per-user scratch */
	uint64_t   *imps;			/* t << 16 | campaign index */
	EvBuf		ub;

	/* results of the last counting pass */
	uint64_t	count[3];
	uint64_t	converters_unexposed;
} Gen;

#if defined(__GNUC__) || defined(__clang__)
void		die(const char *msg) __attribute__((noreturn));
#endif
void		die(const char *msg);
void	   *xmalloc(size_t n);
void	   *xcalloc(size_t n, size_t size);

int64_t		days_from_civil(int64_t y, unsigned m, unsigned d);
void		civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d);

/* tables and campaigns: all --campaigns-table and --campaign-params need */
void		model_init(Gen *g);

/* the rest of the parameters, from the options; dies on impossible ones */
void		derive_parameters(Gen *g);

/*
 * Solve the impressions-per-user law for --events; returns the rows the
 * final table gives.  hist[days * 24] (zeroed here) gets the rows per hour,
 * minb/maxb (NULL for --order user) each user's first and last hour.
 */
uint64_t	calibrate(Gen *g, uint64_t *hist, uint16_t *minb, uint16_t *maxb);

/* user u's rows, in generation order, into g->ub */
void		gen_user(Gen *g, uint64_t u);

#endif							/* GEN_MODEL_H */
