/*
 * reach_registers.c — the dense side of reach_sketch: adding tokens to
 * UltraLogLog registers, folding registers to a lower precision, and the
 * estimators that read them.
 *
 * Separate because this is the sketch's mathematics (what a register means
 * and what a set of them estimates), independent of how registers are
 * stored (raw or packed, reach_packed.c) or exchanged (reach_hll.c).
 *
 * Folding p -> q < p is exact, history bits included: the hashes of source
 * register j + k*2^q (k > 0) all get u' = 1 + ctz(k) at precision q; those
 * of source register j (k = 0) get u' = (p - q) + u, which lie above every
 * k > 0 value, so the top three positions of the folded seen-set are known
 * exactly from the source registers.  See reach_fold_union().
 *
 * Estimator.  DENSE uses the maximum-likelihood estimator of the ULL paper
 * (section on ML estimation; hash4j's MaximumLikelihoodEstimator): a
 * Poisson-model likelihood in which every register contributes the
 * probability of the values it knows were not seen (a) and of those it
 * knows were seen (b_j, grouped by probability 2^-j).  We chose ML over the
 * optimal FGRA estimator because it is the more efficient one (memory-
 * variance product 4.63 vs 4.90, RSE 0.761/sqrt(m) vs 0.782/sqrt(m)), has
 * no range-dependent pieces that could bump, and needs no tables; solving
 * the likelihood equation (Newton's method, a few dozen expm1() per step)
 * takes about a microsecond, less than the histogram of the 2^p registers.
 * Its O(1/m) bias is removed by hash4j's factor 1 / (1 + 0.4815/m).  The
 * theoretical RSE is sqrt(ln 2 / zeta(2, 5/4)) / sqrt(m) = 0.7609/sqrt(m),
 * i.e. sqrt(MVP / (8 m)) with MVP = 4.63.
 *
 * HLL_ONLY (registers imported from postgresql-hll, no history) uses
 * Ertl's improved raw estimator (arXiv:1702.01284, algorithm 6) on the u
 * values, RSE 1.04/sqrt(m).
 */
#include "reach_internal.h"

#include <math.h>
#include <string.h>

#define LINEAR_M_V1		67108864.0	/* 2^26 token indices of version 1 */

/* 3/2 ln2 zeta(3,5/4) / zeta(2,5/4)^2, hash4j's ML bias correction */
#define ULL_ML_BIAS_CORRECTION	0.48147376527720065
/* sqrt(ln2 / zeta(2,5/4)): RSE * sqrt(m) of the ULL ML estimator */
#define ULL_ML_RSE_FACTOR		0.7608621002725182
#define HLL_RSE_FACTOR			1.04

/* ---------------------------------------------------------------------
 * Registers
 * --------------------------------------------------------------------- */

static inline void
dense_add_token(uint8_t *regs, unsigned p, uint32_t tok)
{
	reach_dense_add_hash(regs, p, token_hash(tok));
}

void
reach_dense_add_tokens(uint8_t *regs, unsigned p, bool hll_only,
					   const uint8_t *toks, size_t n)
{
	size_t		i;

	if (hll_only)
		for (i = 0; i < n; i++)
			dense_add_hash_hll_only(regs, p, token_hash(tok_get(toks, i)), 0);
	else
		for (i = 0; i < n; i++)
			dense_add_token(regs, p, tok_get(toks, i));
}

bool
reach_dense_add_value_tokens(uint8_t *regs, unsigned p, bool hll_only,
							 const uint8_t *src, size_t srclen)
{
	ReachTokens rt;
	uint8_t		buf[4 * 256];
	size_t		got;

	reach_tokens_open(&rt, src, srclen);
	while ((got = reach_tokens_read(&rt, buf, 256)) > 0)
		reach_dense_add_tokens(regs, p, hll_only, buf, got);
	return reach_tokens_finish(&rt);
}

/*
 * The union of two registers at one precision, for every pair of bytes:
 * one load from a table whose used corner (u up to about 20) stays in L1
 * takes a third of the time of unpacking, OR-ing and packing (measured:
 * 12 against 37 us for 16,384 registers).  Built on first use (64 KiB of
 * static memory in each backend that merges dense sketches).
 */
const uint8_t *
reach_merge_table(void)
{
	static uint8_t table[256 * 256];
	static bool ready = false;
	unsigned	a;
	unsigned	b;

	if (!ready)
	{
		for (a = 0; a < 256; a++)
			for (b = 0; b < 256; b++)
			{
				uint64_t	seen = reach_reg_unpack((uint8_t) a) | reach_reg_unpack((uint8_t) b);

				table[a << 8 | b] = seen != 0 ? reach_reg_pack(seen) : 0;
			}
		ready = true;
	}
	return table;
}

/*
 * dst (2^q registers) |= src (2^p registers, p >= q) folded to q.  See the
 * file header for why this is exact.  With hll_only the result keeps u only.
 */
void
reach_fold_union(uint8_t *dst, unsigned q, const uint8_t *src, unsigned p,
				 bool hll_only)
{
	size_t		mq = (size_t) 1 << q;
	unsigned	d = p - q;
	size_t		nk = (size_t) 1 << d;
	size_t		j;
	uint8_t		clear = hll_only ? (uint8_t) ~3 : (uint8_t) 0xff;

	if (d == 0)
	{
		reach_fold_union_range(dst, q, src, 0, mq, p, hll_only);
		return;
	}
	for (j = 0; j < mq; j++)
	{
		uint64_t	seen = reach_reg_unpack(dst[j]) |
			(reach_reg_unpack(src[j]) << d);
		size_t		k;

		for (k = 1; k < nk; k++)
			if (src[j + k * mq] != 0)
				seen |= UINT64_C(1) << (1 + ie_ctz64(k));
		if (seen != 0)
			dst[j] = reach_reg_pack(seen) & clear;
	}
}

void
reach_register_histogram(const uint8_t *regs, size_t m, uint32_t *hist)
{
	uint32_t	h2[256];
	size_t		i;

	/* two interleaved histograms: repeated values do not serialise */
	memset(hist, 0, 256 * sizeof(uint32_t));
	memset(h2, 0, sizeof(h2));
	for (i = 0; i + 1 < m; i += 2)
	{
		hist[regs[i]]++;
		h2[regs[i + 1]]++;
	}
	if (i < m)
		hist[regs[i]]++;
	for (i = 0; i < 256; i++)
		hist[i] += h2[i];
}

/*
 * dst (2^q registers) |= the registers n registers of a 2^p array whose
 * first is number base, folded to q (q <= p): fold_union, one source
 * register at a time (union then top three positions commutes, so the
 * order does not matter).
 */
void
reach_fold_union_range(uint8_t *dst, unsigned q, const uint8_t *src,
					   size_t base, size_t n, unsigned p, bool hll_only)
{
	size_t		mq = (size_t) 1 << q;
	unsigned	d = p - q;
	uint8_t		clear = hll_only ? (uint8_t) ~3 : (uint8_t) 0xff;
	size_t		t;

	if (d == 0)
	{
		/* a union at one precision, the rollup's common case */
		const uint8_t *merged = reach_merge_table();

		for (t = 0; t < n; t++)
			dst[base + t] = merged[(size_t) dst[base + t] << 8 | src[t]] & clear;
		return;
	}

	for (t = 0; t < n; t++)
	{
		size_t		i = base + t;
		size_t		j = i & (mq - 1);
		size_t		k = i >> q;
		uint8_t		r = src[t];
		uint64_t	seen;

		if (k == 0)
			seen = reach_reg_unpack(dst[j]) | (reach_reg_unpack(r) << d);
		else if (r != 0)
			seen = reach_reg_unpack(dst[j]) | (UINT64_C(1) << (1 + ie_ctz64(k)));
		else
			continue;
		if (seen != 0)
			dst[j] = reach_reg_pack(seen) & clear;
	}
}

/* ---------------------------------------------------------------------
 * Estimation
 * --------------------------------------------------------------------- */

/*
 * Solve for x > 0: sum_j b[j] * phi(x / 2^j) = a * x, phi(y) = y/(e^y - 1),
 * i.e. maximise -a x + sum_j b[j] ln(1 - exp(-x/2^j)).  The left side minus
 * a x is convex and decreasing, and x0 = s1 / (a + s2/2) lies left of the
 * root (phi(y) >= 1 - y/2), so Newton's method from x0 climbs monotonically
 * to the root.
 */
static double
ml_solve(double a, const double *b, int jmax)
{
	double		s1 = 0;
	double		s2 = 0;
	double		x;
	int			j;
	int			iter;

	for (j = 0; j <= jmax; j++)
	{
		s1 += b[j];
		s2 += ldexp(b[j], -j);
	}
	if (s1 == 0)
		return 0;
	if (a <= 0)
		return INFINITY;
	x = s1 / (a + 0.5 * s2);
	for (iter = 0; iter < 1000; iter++)
	{
		double		g = -a * x;
		double		dg = -a;
		double		step;

		for (j = 0; j <= jmax; j++)
		{
			double		t;
			double		y;
			double		phi;
			double		dphi;

			if (b[j] == 0)
				continue;
			t = ldexp(1.0, -j);
			y = x * t;
			if (y < 0.01)
			{
				double		y2 = y * y;

				phi = 1 - y / 2 + y2 / 12 - y2 * y2 / 720 + y2 * y2 * y2 / 30240;
				dphi = -0.5 + y / 6 - y2 * y / 180 + y2 * y2 * y / 5040;
			}
			else if (y > 700)
				continue;
			else
			{
				double		e = expm1(y);

				phi = y / e;
				dphi = (1 - phi * (e + 1)) / e;
			}
			g += b[j] * phi;
			dg += b[j] * t * dphi;
		}
		if (!(g > 0) || !(dg < 0))
			break;
		step = -g / dg;
		x += step;
		if (step <= x * 1e-14)
			break;
	}
	return x;
}

/* Ertl's sigma and tau (arXiv:1702.01284) */
static double
ertl_sigma(double x)
{
	double		y = 1;
	double		z;
	double		zprev;

	if (x == 1)
		return INFINITY;
	z = x;
	do
	{
		x *= x;
		zprev = z;
		z += x * y;
		y += y;
	} while (z != zprev);
	return z;
}

static double
ertl_tau(double x)
{
	double		y = 1;
	double		z;
	double		zprev;

	if (x == 0 || x == 1)
		return 0;
	z = 1 - x;
	do
	{
		x = sqrt(x);
		zprev = z;
		y *= 0.5;
		z -= (1 - x) * (1 - x) * y;
	} while (z != zprev);
	return z / 3;
}

void
reach_censor_registers(uint8_t *regs, unsigned p, unsigned c)
{
	uint8_t		cap = (uint8_t) (c << 2);
	size_t		m = (size_t) 1 << p;
	size_t		i;

	for (i = 0; i < m; i++)
		if (regs[i] > cap)
			regs[i] = cap;
}

/* the estimate from the register histogram of a dense sketch */
static double
estimate_dense(unsigned p, unsigned flags, const uint32_t *hist)
{
	size_t		m = (size_t) 1 << p;
	unsigned	w = 65 - p;		/* largest u */
	unsigned	r;

	if (flags & REACH_FLAG_HLL_ONLY)
	{
		/*
		 * Ertl's improved raw estimator, values 0..q+1 where q+1 means
		 * "q+1 or more": q = 64 - p, or c - 1 for a value censored at c
		 */
		unsigned	cap = (flags & REACH_FLAG_CENSOR_MASK) >> REACH_FLAG_CENSOR_SHIFT;
		unsigned	qq = cap != 0 ? cap - 1 : 64 - p;
		double		c[66];
		double		z;
		double		dm = (double) m;
		unsigned	k;

		memset(c, 0, sizeof(c));
		for (r = 0; r < 256; r++)
			if (hist[r])
				c[r >> 2] += hist[r];
		if (c[0] == dm)
			return 0;

		/*
		 * Every register at a cap: the likelihood grows without bound, so
		 * the estimate is where half a register would still be below it,
		 * about the most this sketch can tell apart (its RSE says infinite)
		 */
		if (cap != 0 && c[qq + 1] == dm)
			c[qq + 1] = dm - 0.5;
		z = dm * ertl_tau(1 - c[qq + 1] / dm);
		for (k = qq; k >= 1; k--)
			z = 0.5 * (z + c[k]);
		z += dm * ertl_sigma(c[0] / dm);
		return dm * dm / (2 * log(2.0) * z);
	}
	else
	{
		/*
		 * Poisson model, x = lambda / m.  Value k has probability 2^-k for
		 * k < w and 2^-(w-1) for k = w.  Each register contributes the
		 * probability mass of the values it knows were not seen to a, and
		 * one count to b[j] for each value it knows was seen, j the exponent
		 * of that value's probability.
		 */
		double		a = 0;
		double		b[64];
		double		x;
		double		dm = (double) m;

		memset(b, 0, sizeof(b));
		for (r = 0; r < 256; r++)
		{
			double		c = hist[r];
			unsigned	u = r >> 2;
			unsigned	h = r & 3;

			if (c == 0)
				continue;
			if (r == 0)
			{
				a += c;
				continue;
			}
			if (u < w)
				a += c * ldexp(1.0, -(int) u);
			b[u < w ? u : w - 1] += c;
			if (u >= 2)
			{
				if (h & 2)
					b[u - 1] += c;
				else
					a += c * ldexp(1.0, -(int) (u - 1));
			}
			if (u >= 3)
			{
				if (h & 1)
					b[u - 2] += c;
				else
					a += c * ldexp(1.0, -(int) (u - 2));
			}
		}
		x = ml_solve(a, b, (int) w - 1);
		return dm * x / (1 + ULL_ML_BIAS_CORRECTION / dm);
	}
}

/*
 * Version 1's sparse estimate: linear counting over its 2^26 token
 * indices, so that the values it wrote read as they did.
 */
static double
estimate_sparse_v1(const uint8_t *body)
{
	uint32_t	n = hdr_count(body);
	const uint8_t *t = cpayload(body);
	uint32_t	distinct = 0;
	uint32_t	prev = 0;
	uint32_t	i;

	/* sorted tokens: equal 26-bit indices are adjacent */
	for (i = 0; i < n; i++)
	{
		uint32_t	idx = tok_get(t, i) >> 6;

		if (i == 0 || idx != prev)
			distinct++;
		prev = idx;
	}
	if (distinct == 0)
		return 0;
	return -LINEAR_M_V1 * log1p(-(double) distinct / LINEAR_M_V1);
}

/*
 * A token (versions 2 and 3) is one of 2^20 x 45 cells, cell (i, r) hit by a hash
 * with probability 2^-20 q_r (q_r = 2^-r, and 2^-44 for the last, r = 45).
 * For n hashes: the expected number of distinct tokens E(n), its slope
 * E'(n) and (delta method, n fixed) the variance of that number.
 */
static void
token_cells(double n, double *e, double *slope, double *var)
{
	double		cells = ldexp(1.0, TOKEN_INDEX_BITS);
	double		sum_lambda_miss = 0;
	unsigned	r;

	*e = *slope = *var = 0;
	for (r = 1; r <= TOKEN_R_MAX; r++)
	{
		double		pc = ldexp(1.0, -(int) (TOKEN_INDEX_BITS + (r < TOKEN_R_MAX ? r : r - 1)));
		double		miss = exp(n * log1p(-pc));	/* (1 - pc)^n */

		*e += cells * (1 - miss);
		*slope += cells * pc * miss;
		*var += cells * miss * (1 - miss);
		sum_lambda_miss += cells * n * pc * miss;
	}
	if (n > 0)
		*var -= sum_lambda_miss * sum_lambda_miss / n;
}

/*
 * The n whose expected number of distinct tokens is the count held:
 * E is increasing and concave with E(n) <= n, so Newton's steps from n =
 * count rise to the root without passing it.  Collisions are rare (1,000
 * hashes: 0.16 expected), so this adds a fraction of one to the count.
 */
static double
estimate_sparse(const uint8_t *body)
{
	double		k = hdr_count(body);
	double		n = k;
	int			i;

	if (reach_hdr_version(body) == 1)
		return estimate_sparse_v1(body);
	for (i = 0; i < 50 && k > 0; i++)
	{
		double		e;
		double		slope;
		double		var;
		double		step;

		token_cells(n, &e, &slope, &var);
		step = (k - e) / slope;
		n += step;
		if (step < 1e-9 * n)
			break;
	}
	return n;
}

/* the register histogram of a DENSE or DENSE_PACKED body; false if it does not decode */
static bool
dense_histogram(const uint8_t *body, size_t len, uint32_t *hist)
{
	if (reach_hdr_representation(body) == REACH_REP_DENSE_PACKED)
		return reach_packed_histogram(body, len, hist);
	reach_register_histogram(cpayload(body), (size_t) 1 << reach_hdr_precision(body), hist);
	return true;
}

double
reach_estimate(const uint8_t *body, size_t len)
{
	switch (reach_hdr_representation(body))
	{
		case REACH_REP_SPARSE:
			/* the count is the estimate's input; the stream is checked all the same */
			if (!reach_sparse_stream_ok(body, len))
				return -1;
			return estimate_sparse(body);
		case REACH_REP_DENSE:
		case REACH_REP_DENSE_PACKED:
			{
				uint32_t	hist[256];

				if (!dense_histogram(body, len, hist))
					return -1;
				return estimate_dense(reach_hdr_precision(body), reach_hdr_flags(body), hist);
			}
		default:
			return -1;
	}
}

/*
 * The RSE of a value censored at cap c, estimated at n: the Cramer-Rao
 * bound 1 / (lambda sqrt(m I(lambda))) of the Poisson model with
 * lambda = n / m per register, where a register is k with probability
 * e^(-lambda 2^-k) - e^(-lambda 2^-(k-1)) for 0 < k < c and "c or more"
 * with 1 - e^(-lambda 2^-(c-1)), less the Poisson model's own 1/n.  It is
 * never below 1.04 / sqrt(m), the figure of the uncensored case, which
 * the estimator meets where little is censored; it grows once registers pile up at
 * the cap (a 1-bit register is linear counting, whose error explodes when
 * few registers stay zero), so the bounds widen with it; infinite when
 * every register is at the cap.
 */
static double
censored_rse(const uint8_t *body, size_t len, double m)
{
	unsigned	c = hdr_censor(body);
	uint32_t	hist[256];
	double		n;
	double		lambda;
	double		info = 0;
	double		rse;
	unsigned	k;

	if (!dense_histogram(body, len, hist))
		return -1;
	n = estimate_dense(reach_hdr_precision(body), reach_hdr_flags(body), hist);
	lambda = n / m;
	if ((double) hist[c << 2] == m)
		return INFINITY;		/* every register at the cap: see estimate_dense */
	if (!(n > 0) || isinf(n))
		return HLL_RSE_FACTOR / sqrt(m);
	for (k = 0; k <= c; k++)
	{
		/* P(k) = hi - lo, with hi = P(register <= k), lo = P(register < k) */
		double		a_hi = ldexp(1.0, -(int) k);
		double		a_lo = ldexp(1.0, -(int) k + 1);
		double		hi = k == c ? 1 : exp(-lambda * a_hi);
		double		lo = k == 0 ? 0 : exp(-lambda * a_lo);
		double		dhi = k == c ? 0 : -a_hi * hi;
		double		dlo = k == 0 ? 0 : -a_lo * lo;
		double		pk = hi - lo;

		if (pk > 0)
			info += (dhi - dlo) * (dhi - dlo) / pk;
	}
	if (!(info > 0))
		return INFINITY;
	/* n is fixed, not Poisson: its own variance n comes off (exact for linear counting) */
	rse = sqrt(fmax(1 / (lambda * lambda * m * info) - 1 / n, 0));
	/* Ertl's estimator does not reach the bound uncensored */
	return rse > HLL_RSE_FACTOR / sqrt(m) ? rse : HLL_RSE_FACTOR / sqrt(m);
}

double
reach_relative_standard_error(const uint8_t *body, size_t len)
{
	double		m = ldexp(1.0, (int) reach_hdr_precision(body));

	switch (reach_hdr_representation(body))
	{
		case REACH_REP_SPARSE:
			{
				double		n = reach_estimate(body, len);
				double		t;
				double		e;
				double		slope;
				double		var;

				if (n <= 0)
					return 0;
				if (reach_hdr_version(body) == 1)
				{
					t = n / LINEAR_M_V1;
					return sqrt(LINEAR_M_V1 * (expm1(t) - t)) / n;
				}
				token_cells(n, &e, &slope, &var);
				return sqrt(fmax(var, 0)) / slope / n;
			}
		case REACH_REP_DENSE:
		case REACH_REP_DENSE_PACKED:
			if (hdr_censor(body) != 0)
				return censored_rse(body, len, m);
			if (hdr_hll_only(body))
				return HLL_RSE_FACTOR / sqrt(m);
			return ULL_ML_RSE_FACTOR / sqrt(m);
		default:
			return -1;
	}
}

