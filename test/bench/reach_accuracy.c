/*
 * reach_accuracy.c — accuracy and stored size of reach_sketch versus
 * postgresql-hll (log2m 14, regwidth 5), by simulation, for the reach_sketch
 * benchmark (test/bench/reach_bench.sh builds and runs it; it can also be
 * run on its own).
 *
 * Build (from the repository root):
 *   cc -O2 -Isrc/core -o test/bench/.build/reach_accuracy \
 *      test/bench/reach_accuracy.c src/core/*.c -lm -lpthread
 *
 * Usage:
 *   reach_accuracy [--trials T] [--big-trials B] [--precision P]
 *                  [--threads N] [--seed S]
 *       T trials stream 10^6 distinct values, B of them (B <= T) go on to
 *       10^7; each trial draws distinct 64-bit values (splitmix64 of a
 *       per-trial counter, a bijection, so no value repeats), hashes them
 *       with ie_hash_int64 (= hll_hash_bigint), adds every hash to
 *       reach_sketch's state through the core's aggregate-state API
 *       (reach_state_init / reach_state_add / reach_state_regrow, malloc'd
 *       buffers) and to a simulation of postgresql-hll's registers, and at
 *       each checkpoint cardinality canonicalizes and estimates both.  Prints
 *       RMSE, bias, theory and stored bytes per cardinality, the comparison
 *       at equal stored bytes, and machine-readable "RESULT key value" lines.
 *   reach_accuracy --series N1,N2,...
 *       for the set {1..N} (bigint values, as generate_series gives) print
 *       "N hll_estimate hll_bytes reach_estimate reach_bytes" so the caller
 *       can compare with hll_cardinality(hll_add_agg(hll_hash_bigint(x), 14,
 *       5)), pg_column_size(...), reach(reach_agg(x)) and
 *       pg_column_size(reach_agg(x)) from the server.
 *
 * The postgresql-hll model (citusdata/postgresql-hll src/hll.c, unchanged
 * in this respect from v2.17, the Debian package, to v2.20):
 *   register index = hash & (m - 1); value = ss == 0 ? 0 : 1 + ctz(ss),
 *   ss = hash >> log2m, capped at 2^regwidth - 1 (compressed_add);
 *   EXPLICIT (every hash kept, cardinality = their number) while at most
 *   expthresh values, expthresh auto (-1, the default) =
 *   ceil(regwidth * m / 8) / 8 = 1280 for m = 2^14 (expthresh_value);
 *   estimate (multiset_card): E = alpha_m m^2 / sum 2^-M[j], alpha_m =
 *   0.7213 / (1 + 1.079 / m); if some register is 0 and E < 5m/2, linear
 *   counting m ln(m / zeros); else E if E <= 2^L / 30, L = 2^regwidth - 2 +
 *   log2m; else -2^L ln(1 - E / 2^L);
 *   packed size (multiset_packed_size): EXPLICIT 3 + 8n; registers SPARSE
 *   when filled * (log2m + regwidth) < m * regwidth bits (3 + ceil(that /
 *   8) bytes), else FULL 3 + ceil(m * regwidth / 8); plus the 4-byte
 *   varlena header, as pg_column_size shows it.
 *
 * malloc is fine here: this is a benchmark tool, not part of the core.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "reach_core.h"

#define HLL_LOG2M		14
#define HLL_REGWIDTH	5
#define HLL_M			(1u << HLL_LOG2M)
#define VARHDR			4

/* ------------------------------------------------------------------ */

static void
die(const char *msg)
{
	fprintf(stderr, "reach_accuracy: %s\n", msg);
	exit(2);
}

static void *
xmalloc(size_t n)
{
	void	   *p = malloc(n);

	if (p == NULL)
		die("out of memory");
	return p;
}

static uint64_t
splitmix64_mix(uint64_t z)
{
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

#define SPLITMIX_GAMMA UINT64_C(0x9e3779b97f4a7c15)

/* ------------------------------------------------------------------
 * postgresql-hll simulation
 * ------------------------------------------------------------------ */

typedef struct
{
	uint8_t		regs[HLL_M];
	uint64_t	n;				/* distinct values added (explicit count) */
} HllSim;

static size_t
hll_expthresh(void)
{
	/* expthresh_value(-1, nbits, nregs): cmpsz / 8, capped by mse_nelem_max */
	size_t		cmpsz = ((size_t) HLL_REGWIDTH * HLL_M + 7) / 8;
	size_t		result = cmpsz / sizeof(uint64_t);
	size_t		cap = (128 * 1024 - sizeof(size_t)) / sizeof(uint64_t);

	return result > cap ? cap : result;
}

static inline void
hll_add(HllSim *h, uint64_t hash)
{
	uint64_t	ss = hash >> HLL_LOG2M;
	unsigned	pw = ss == 0 ? 0 : (unsigned) __builtin_ctzll(ss) + 1;
	uint8_t    *r = &h->regs[hash & (HLL_M - 1)];

	if (pw > (1u << HLL_REGWIDTH) - 1)
		pw = (1u << HLL_REGWIDTH) - 1;
	if (*r < pw)
		*r = (uint8_t) pw;
}

/* representation: 'E' explicit, 'S' sparse, 'F' full */
static double
hll_estimate(const HllSim *h, size_t *bytes, char *rep)
{
	unsigned	ii;
	double		sum = 0.0;
	int			zero_count = 0;
	double		estimator;
	double		nregs = HLL_M;
	uint64_t	two_to_l = UINT64_C(1) << ((1u << HLL_REGWIDTH) - 2 + HLL_LOG2M);
	size_t		filled;

	if (h->n <= hll_expthresh())
	{
		*bytes = VARHDR + 3 + 8 * h->n;
		*rep = 'E';
		return (double) h->n;
	}
	for (ii = 0; ii < HLL_M; ++ii)
	{
		unsigned	rval = h->regs[ii];

		sum += 1.0 / (1L << rval);
		if (rval == 0)
			++zero_count;
	}
	filled = HLL_M - (size_t) zero_count;
	if (filled * (HLL_LOG2M + HLL_REGWIDTH) < (size_t) HLL_M * HLL_REGWIDTH)
	{
		*bytes = VARHDR + 3 + (filled * (HLL_LOG2M + HLL_REGWIDTH) + 7) / 8;
		*rep = 'S';
	}
	else
	{
		*bytes = VARHDR + 3 + ((size_t) HLL_M * HLL_REGWIDTH + 7) / 8;
		*rep = 'F';
	}
	estimator = ((0.7213 / (1.0 + 1.079 / nregs)) * nregs * nregs) / sum;
	if (zero_count != 0 && estimator < (5.0 * nregs / 2.0))
		return nregs * log((double) nregs / zero_count);
	else if (estimator <= (double) two_to_l / 30.0)
		return estimator;
	else
		return (-1 * (int64_t) two_to_l) * log(1.0 - (estimator / two_to_l));
}

/* ------------------------------------------------------------------
 * reach_sketch through the core's state API
 * ------------------------------------------------------------------ */

typedef struct
{
	uint8_t    *st;
	size_t		len;
	uint8_t    *canon;			/* scratch for canonical form */
	size_t		canon_cap;
} Reach;

static void
reach_begin(Reach *r, int precision)
{
	r->len = reach_state_initial_size();
	r->st = xmalloc(r->len);
	if (!reach_state_init(r->st, r->len, precision))
		die("reach_state_init failed");
	r->canon_cap = 0;
	r->canon = NULL;
}

static inline void
reach_add(Reach *r, uint64_t hash)
{
	size_t		need;

	while ((need = reach_state_add(r->st, r->len, hash)) != 0)
	{
		uint8_t    *n = xmalloc(need);

		if (!reach_state_regrow(n, need, r->st, r->len))
			die("reach_state_regrow failed");
		free(r->st);
		r->st = n;
		r->len = need;
	}
}

/* estimate, stored bytes (varlena header included), theoretical RSE */
static double
reach_finish(Reach *r, size_t *bytes, double *rse, char *rep)
{
	size_t		cap = reach_canonical_size(r->st, r->len);
	size_t		clen;

	if (cap > r->canon_cap)
	{
		free(r->canon);
		r->canon = xmalloc(cap);
		r->canon_cap = cap;
	}
	clen = reach_canonicalize(r->canon, r->canon_cap, r->st, r->len);
	if (clen == 0)
		die("reach_canonicalize failed");
	*bytes = VARHDR + clen;
	*rse = reach_relative_standard_error(r->canon, clen);
	*rep = r->canon[2] == REACH_REP_SPARSE ? 'S' : 'D';
	return reach_estimate(r->canon, clen);
}

static void
reach_end(Reach *r)
{
	free(r->st);
	free(r->canon);
}

/* ------------------------------------------------------------------
 * Trials
 * ------------------------------------------------------------------ */

#define MAXCP 32

static int	g_precision = REACH_DEFAULT_PRECISION;
static uint64_t g_seed = 20240601;
static int	g_ncp;
static uint64_t g_cp[MAXCP];
static const char *g_cp_label[MAXCP];

typedef struct
{
	double		ours_err;		/* relative error */
	double		hll_err;
	double		ours_bytes;
	double		hll_bytes;
	double		ours_rse;
	char		ours_rep;
	char		hll_rep;
	char		ours_exact;		/* estimate rounded to an integer == n */
	char		hll_exact;
} Obs;

static int	g_trials;
static int	g_big_trials;
static uint64_t g_small_max;	/* 10^6: cardinality the small trials stop at */
static Obs *g_obs;				/* [trial][checkpoint] */
static int	g_next_trial;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

static void
run_trial(int t, HllSim *hll)
{
	uint64_t	base = splitmix64_mix(g_seed + (uint64_t) t * SPLITMIX_GAMMA);
	uint64_t	limit = t < g_big_trials ? g_cp[g_ncp - 1] : g_small_max;
	uint64_t	i = 0;
	int			k;
	Reach		r;

	memset(hll, 0, sizeof(*hll));
	reach_begin(&r, g_precision);
	for (k = 0; k < g_ncp && g_cp[k] <= limit; k++)
	{
		Obs		   *o = &g_obs[(size_t) t * g_ncp + k];
		size_t		ob,
					hb;
		double		n = (double) g_cp[k];
		double		e;

		for (; i < g_cp[k]; i++)
		{
			/* a bijection of i: distinct values within a trial */
			uint64_t	x = splitmix64_mix(base + i * SPLITMIX_GAMMA);
			uint64_t	h = ie_hash_int64((int64_t) x);

			reach_add(&r, h);
			hll_add(hll, h);
		}
		hll->n = g_cp[k];
		e = reach_finish(&r, &ob, &o->ours_rse, &o->ours_rep);
		o->ours_err = e / n - 1;
		o->ours_exact = llround(e) == (long long) g_cp[k];
		o->ours_bytes = (double) ob;
		e = hll_estimate(hll, &hb, &o->hll_rep);
		o->hll_err = e / n - 1;
		o->hll_exact = llround(e) == (long long) g_cp[k];
		o->hll_bytes = (double) hb;
	}
	reach_end(&r);
}

static void *
worker(void *arg)
{
	HllSim	   *hll = xmalloc(sizeof(HllSim));

	(void) arg;
	for (;;)
	{
		int			t;

		pthread_mutex_lock(&g_lock);
		t = g_next_trial++;
		pthread_mutex_unlock(&g_lock);
		if (t >= g_trials)
			break;
		run_trial(t, hll);
	}
	free(hll);
	return NULL;
}

/* ------------------------------------------------------------------
 * --series: the sets {1..N} for the comparison with the server
 * ------------------------------------------------------------------ */

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t	x = *(const uint64_t *) a,
				y = *(const uint64_t *) b;

	return x < y ? -1 : x > y;
}

static void
run_series(const char *list)
{
	uint64_t	ns[64];
	int			nn = 0,
				k;
	const char *p = list;
	HllSim	   *hll = xmalloc(sizeof(HllSim));
	Reach		r;
	uint64_t	i = 0;

	while (*p && nn < 64)
	{
		char	   *end;

		errno = 0;
		ns[nn] = strtoull(p, &end, 10);
		if (errno || end == p || ns[nn] == 0)
			die("--series wants a comma-separated list of positive integers");
		nn++;
		p = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			die("--series wants a comma-separated list of positive integers");
	}
	qsort(ns, nn, sizeof(ns[0]), cmp_u64);
	memset(hll, 0, sizeof(*hll));
	reach_begin(&r, g_precision);
	printf("# N\thll_estimate\thll_bytes\thll_rep\treach_estimate\treach_bytes\treach_rep\n");
	for (k = 0; k < nn; k++)
	{
		size_t		hb,
					ob;
		double		he,
					oe,
					rse;
		char		hr,
					orep;

		for (; i < ns[k]; i++)
		{
			uint64_t	h = ie_hash_int64((int64_t) (i + 1));

			reach_add(&r, h);
			hll_add(hll, h);
		}
		hll->n = ns[k];
		he = hll_estimate(hll, &hb, &hr);
		oe = reach_finish(&r, &ob, &rse, &orep);
		printf("%llu\t%.17g\t%zu\t%c\t%.17g\t%zu\t%c\n",
			   (unsigned long long) ns[k], he, hb, hr, oe, ob, orep);
	}
	reach_end(&r);
	free(hll);
}

/* ------------------------------------------------------------------
 * Report
 * ------------------------------------------------------------------ */

typedef struct
{
	int			n;				/* trials */
	double		s1,
				s2,
				s4;				/* sums of e, e^2, e^4 */
} Acc;

static void
acc_add(Acc *a, double e)
{
	a->n++;
	a->s1 += e;
	a->s2 += e * e;
	a->s4 += e * e * e * e;
}

static double
acc_rmse(const Acc *a)
{
	return a->n ? sqrt(a->s2 / a->n) : NAN;
}

/* standard error of the RMSE estimate (delta method) */
static double
acc_rmse_se(const Acc *a)
{
	double		ms,
				var2;

	if (a->n < 2)
		return NAN;
	ms = a->s2 / a->n;
	var2 = a->s4 / a->n - ms * ms;
	if (ms <= 0)
		return 0;
	return sqrt(var2 / a->n) / (2 * sqrt(ms));
}

static double
acc_mean(const Acc *a)
{
	return a->n ? a->s1 / a->n : NAN;
}

/* standard error of the mean */
static double
acc_mean_se(const Acc *a)
{
	double		m,
				v;

	if (a->n < 2)
		return NAN;
	m = a->s1 / a->n;
	v = (a->s2 - a->n * m * m) / (a->n - 1);
	return v > 0 ? sqrt(v / a->n) : 0;
}

static const char *
pct(char *buf, size_t sz, double v)
{
	if (isnan(v))
		snprintf(buf, sz, "-");
	else if (v == 0)
		snprintf(buf, sz, "0");
	else if (fabs(v) < 0.0005)
		snprintf(buf, sz, "%.1e%%", v * 100);
	else
		snprintf(buf, sz, "%.3f%%", v * 100);
	return buf;
}

static const char *
ratio(char *buf, size_t sz, double num, double den)
{
	if (num == 0 && den == 0)
		snprintf(buf, sz, "both 0");
	else if (den == 0)
		snprintf(buf, sz, "inf");
	else if (num == 0)
		snprintf(buf, sz, "0");
	else
		snprintf(buf, sz, "%.3f", num / den);
	return buf;
}

static void
usage(void)
{
	fprintf(stderr,
			"usage: reach_accuracy [--trials T] [--big-trials B] [--precision P] [--threads N] [--seed S]\n"
			"       reach_accuracy [--precision P] --series N1,N2,...\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	int			threads = 2;
	const char *series = NULL;
	int			a,
				k,
				t;
	uint64_t	m;
	pthread_t	tid[64];

	g_trials = 2000;
	g_big_trials = 300;
	for (a = 1; a < argc; a++)
	{
		if (a + 1 >= argc)
			usage();
		if (strcmp(argv[a], "--trials") == 0)
			g_trials = atoi(argv[++a]);
		else if (strcmp(argv[a], "--big-trials") == 0)
			g_big_trials = atoi(argv[++a]);
		else if (strcmp(argv[a], "--precision") == 0)
			g_precision = atoi(argv[++a]);
		else if (strcmp(argv[a], "--threads") == 0)
			threads = atoi(argv[++a]);
		else if (strcmp(argv[a], "--seed") == 0)
			g_seed = strtoull(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "--series") == 0)
			series = argv[++a];
		else
			usage();
	}
	if (g_precision < REACH_MIN_PRECISION || g_precision > REACH_MAX_PRECISION)
		die("precision out of range");
	if (series)
	{
		run_series(series);
		return 0;
	}
	if (g_trials < 2 || g_big_trials < 0 || g_big_trials > g_trials ||
		threads < 1 || threads > 64)
		usage();

	/* checkpoints: 1 .. 10^7, with the sketch's landmarks for this p */
	m = UINT64_C(1) << g_precision;
	{
		struct
		{
			uint64_t	n;
			const char *label;
		}			cps[] = {
			{1, "1"}, {10, "10"}, {100, "100"}, {1000, "1000"},
			{1280, "hll expthresh"}, {1281, "hll expthresh+1"},
			{m / 4, "2^p/4"}, {m / 4 + 1, "2^p/4+1"}, {m / 2, "2^p/2"},
			{m, "2^p"}, {5 * m / 2, "2.5*2^p"}, {5 * m, "5*2^p"},
			{10 * m, "10*2^p"}, {100000, "10^5"}, {1000000, "10^6"},
			{10000000, "10^7"},
		};
		int			nc = (int) (sizeof(cps) / sizeof(cps[0]));
		int			i,
					j;

		/* sort by n, drop duplicates */
		for (i = 0; i < nc; i++)
			for (j = i + 1; j < nc; j++)
				if (cps[j].n < cps[i].n)
				{
					__typeof__(cps[0]) tmp = cps[i];

					cps[i] = cps[j];
					cps[j] = tmp;
				}
		g_ncp = 0;
		for (i = 0; i < nc; i++)
			if (g_ncp == 0 || cps[i].n != g_cp[g_ncp - 1])
			{
				g_cp[g_ncp] = cps[i].n;
				g_cp_label[g_ncp] = cps[i].label;
				g_ncp++;
			}
		g_small_max = 1000000;
	}

	g_obs = calloc((size_t) g_trials * g_ncp, sizeof(Obs));
	if (g_obs == NULL)
		die("out of memory");
	for (t = 0; t < threads; t++)
		if (pthread_create(&tid[t], NULL, worker, NULL) != 0)
			die("pthread_create failed");
	for (t = 0; t < threads; t++)
		pthread_join(tid[t], NULL);

	/* reduce in trial order: the output does not depend on the threads */
	{
		Acc			ours[MAXCP],
					hll[MAXCP];
		double		ob[MAXCP],
					hb[MAXCP],
					orse[MAXCP];
		int			nsparse[MAXCP],
					hrep[MAXCP][3],
					oexact[MAXCP],
					hexact[MAXCP];
		double		hll_rse = 1.04 / sqrt((double) HLL_M);
		char		b1[32],
					b2[32],
					b3[32],
					b4[32],
					b5[32],
					b6[32],
					b7[32],
					b8[32],
					b9[32];
		double		worst_theory = 0,
					worst_eq = 0,
					worst_theory_se = 0,
					worst_eq_se = 0;
		unsigned long long worst_theory_at = 0,
					worst_eq_at = 0;
		double		worst_sparse = 0;
		double		wt_split[2] = {0, 0},
					wt_split_se[2] = {0, 0};
		unsigned long long wt_split_at[2] = {0, 0};

		memset(ours, 0, sizeof(ours));
		memset(hll, 0, sizeof(hll));
		memset(ob, 0, sizeof(ob));
		memset(hb, 0, sizeof(hb));
		memset(orse, 0, sizeof(orse));
		memset(nsparse, 0, sizeof(nsparse));
		memset(hrep, 0, sizeof(hrep));
		memset(oexact, 0, sizeof(oexact));
		memset(hexact, 0, sizeof(hexact));
		for (t = 0; t < g_trials; t++)
			for (k = 0; k < g_ncp; k++)
			{
				Obs		   *o = &g_obs[(size_t) t * g_ncp + k];
				uint64_t	limit = t < g_big_trials ? g_cp[g_ncp - 1] : g_small_max;

				if (g_cp[k] > limit)
					continue;
				acc_add(&ours[k], o->ours_err);
				acc_add(&hll[k], o->hll_err);
				ob[k] += o->ours_bytes;
				hb[k] += o->hll_bytes;
				orse[k] += o->ours_rse;
				nsparse[k] += o->ours_rep == 'S';
				oexact[k] += o->ours_exact;
				hexact[k] += o->hll_exact;
				hrep[k][o->hll_rep == 'E' ? 0 : o->hll_rep == 'S' ? 1 : 2]++;
			}

		printf("precision p = %d (2^p = %llu registers); postgresql-hll simulated at log2m = %d, regwidth = %d, "
			   "expthresh auto (= %zu), sparseon 1\n",
			   g_precision, (unsigned long long) m, HLL_LOG2M, HLL_REGWIDTH, hll_expthresh());
		printf("trials: %d up to 10^6 distinct values, %d of them on to 10^7 (seed %llu); "
			   "values: distinct splitmix64 outputs hashed with hll_hash_bigint's MurmurHash3\n",
			   g_trials, g_big_trials, (unsigned long long) g_seed);
		printf("theory: ours = reach_relative_standard_error() of the canonical sketch; hll = 1.04/sqrt(2^%d) = %.4f%%\n",
			   HLL_LOG2M, hll_rse * 100);
		printf("hll@eq = hll RMSE x sqrt(hll_bytes / our_bytes) (HLL error ~ 1/sqrt(registers)); "
			   "ratio = our RMSE / hll@eq (< 1: ours more accurate per stored byte)\n");
		printf("RMSE +- its standard error over the trials; rep: ours S(parse)/D(ense)/S/D mixed, hll E(xplicit)/S(parse)/F(ull) trial counts;\n"
			   "exact: share of trials whose estimate rounds to n (what reach() / a rounded hll_cardinality would print)\n\n");
		printf("%-8s %-15s %5s | %-19s %9s %7s %6s %3s %6s | %-17s %7s %6s %11s %6s | %8s %6s\n",
			   "n", "landmark", "T",
			   "ours RMSE", "theory", "RMSE/th", "bytes", "rep", "exact",
			   "hll RMSE", "RMSE/th", "bytes", "rep E/S/F", "exact",
			   "hll@eq", "ratio");
		for (k = 0; k < g_ncp; k++)
		{
			int			T = ours[k].n;
			double		o_rmse = acc_rmse(&ours[k]);
			double		h_rmse = acc_rmse(&hll[k]);
			double		o_bytes = ob[k] / T;
			double		h_bytes = hb[k] / T;
			double		o_th = orse[k] / T;
			double		h_th = hrep[k][0] == T ? 0 : hll_rse;
			double		h_eq = h_rmse * sqrt(h_bytes / o_bytes);
			char		repbuf[24],
						hrepbuf[24],
						rm1[40],
						rm2[40];

			if (T == 0)
				continue;
			snprintf(repbuf, sizeof(repbuf), "%s", nsparse[k] == T ? "S" : nsparse[k] == 0 ? "D" : "S/D");
			snprintf(hrepbuf, sizeof(hrepbuf), "%d/%d/%d", hrep[k][0], hrep[k][1], hrep[k][2]);
			snprintf(rm1, sizeof(rm1), "%s+-%s", pct(b1, sizeof b1, o_rmse), pct(b2, sizeof b2, acc_rmse_se(&ours[k])));
			snprintf(rm2, sizeof(rm2), "%s+-%s", pct(b3, sizeof b3, h_rmse), pct(b4, sizeof b4, acc_rmse_se(&hll[k])));
			printf("%-8llu %-15s %5d | %-19s %9s %7s %6.0f %3s %5.1f%% | %-17s %7s %6.0f %11s %5.1f%% | %8s %6s\n",
				   (unsigned long long) g_cp[k], g_cp_label[k], T,
				   rm1, pct(b5, sizeof b5, o_th), ratio(b6, sizeof b6, o_rmse, o_th), o_bytes, repbuf,
				   100.0 * oexact[k] / T,
				   rm2, ratio(b7, sizeof b7, h_rmse, h_th), h_bytes, hrepbuf, 100.0 * hexact[k] / T,
				   pct(b8, sizeof b8, h_eq), ratio(b9, sizeof b9, o_rmse, h_eq));
			printf("RESULT acc n=%llu T=%d ours_rmse=%.6g ours_rmse_se=%.3g ours_theory=%.6g ours_bytes=%.1f ours_sparse=%d "
				   "hll_rmse=%.6g hll_rmse_se=%.3g hll_theory=%.6g hll_bytes=%.1f hll_eq=%.6g ours_bias=%.6g hll_bias=%.6g "
				   "ours_exact=%d hll_exact=%d ours_bias_se=%.4g hll_bias_se=%.4g\n",
				   (unsigned long long) g_cp[k], T, o_rmse, acc_rmse_se(&ours[k]), o_th, o_bytes, nsparse[k],
				   h_rmse, acc_rmse_se(&hll[k]), h_th, h_bytes, h_eq, acc_mean(&ours[k]), acc_mean(&hll[k]),
				   oexact[k], hexact[k], acc_mean_se(&ours[k]), acc_mean_se(&hll[k]));

			if (o_th > 0)
			{
				/* [0] sparse range (every trial sparse), [1] dense (or mixed) */
				int			d = nsparse[k] != T;

				if (o_rmse / o_th > wt_split[d])
				{
					wt_split[d] = o_rmse / o_th;
					wt_split_se[d] = acc_rmse_se(&ours[k]) / o_th;
					wt_split_at[d] = (unsigned long long) g_cp[k];
				}
			}
			if (o_th > 0 && o_rmse / o_th > worst_theory)
			{
				worst_theory = o_rmse / o_th;
				worst_theory_se = acc_rmse_se(&ours[k]) / o_th;
				worst_theory_at = (unsigned long long) g_cp[k];
			}
			if (nsparse[k] == T && o_rmse > worst_sparse)
				worst_sparse = o_rmse;
			if (g_cp[k] >= 10 * m && h_eq > 0 && o_rmse / h_eq > worst_eq)
			{
				worst_eq = o_rmse / h_eq;
				/* delta method, the two errors taken as independent */
				worst_eq_se = worst_eq * sqrt(pow(acc_rmse_se(&ours[k]) / o_rmse, 2) +
											  pow(acc_rmse_se(&hll[k]) / h_rmse, 2));
				worst_eq_at = (unsigned long long) g_cp[k];
			}
		}

		printf("\nmean relative bias (mean of estimate/n - 1) +- its standard error; "
			   "\"SE units\" = bias / theoretical RSE, t = bias / standard error of the mean\n");
		printf("%-8s %-15s | %-22s %9s %7s | %-22s %9s %7s\n",
			   "n", "landmark", "ours bias", "SE units", "t", "hll bias", "SE units", "t");
		for (k = 0; k < g_ncp; k++)
		{
			double		ob_ = acc_mean(&ours[k]),
						hb_ = acc_mean(&hll[k]);
			double		ose = acc_mean_se(&ours[k]),
						hse = acc_mean_se(&hll[k]);
			double		o_th = orse[k] / ours[k].n;
			char		c1[48],
						c2[48];

			if (g_cp[k] < 1000)
				continue;
			snprintf(c1, sizeof c1, "%s+-%s", pct(b1, sizeof b1, ob_), pct(b2, sizeof b2, ose));
			snprintf(c2, sizeof c2, "%s+-%s", pct(b3, sizeof b3, hb_), pct(b4, sizeof b4, hse));
			printf("%-8llu %-15s | %-22s %9.2f %7.1f | %-22s %9.2f %7.1f\n",
				   (unsigned long long) g_cp[k], g_cp_label[k],
				   c1, o_th > 0 ? ob_ / o_th : 0.0, ose > 0 ? ob_ / ose : 0.0,
				   c2, hrep[k][0] == ours[k].n ? 0.0 : hb_ / hll_rse, hse > 0 ? hb_ / hse : 0.0);
			if (g_cp[k] == 5 * m / 2)
				printf("RESULT bias25 ours=%.6g ours_se_units=%.4g ours_t=%.3g hll=%.6g hll_se_units=%.4g hll_t=%.3g\n",
					   ob_, o_th > 0 ? ob_ / o_th : 0.0, ose > 0 ? ob_ / ose : 0.0,
					   hb_, hb_ / hll_rse, hse > 0 ? hb_ / hse : 0.0);
		}
		printf("RESULT worst_theory ratio=%.4f se=%.4f at=%llu\n", worst_theory, worst_theory_se, worst_theory_at);
		printf("RESULT worst_theory_sparse ratio=%.4f se=%.4f at=%llu\n", wt_split[0], wt_split_se[0], wt_split_at[0]);
		printf("RESULT worst_theory_dense ratio=%.4f se=%.4f at=%llu\n", wt_split[1], wt_split_se[1], wt_split_at[1]);
		printf("RESULT worst_eq ratio=%.4f se=%.4f at=%llu\n", worst_eq, worst_eq_se, worst_eq_at);
		printf("RESULT worst_sparse_rmse %.6g\n", worst_sparse);
	}
	free(g_obs);
	return 0;
}
