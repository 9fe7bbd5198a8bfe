/*
 * markov_solve.c — removal-effect attribution of a markov_chain: the
 * absorbing chain solved exactly, by one LU factorization.
 *
 * With Q the transitions among the transient states (start and the
 * channels), N = (I - Q)^-1 and b = N r the probabilities of absorption
 * in conversion, removing channel c (every transition into it goes to
 * null) leaves exactly the walks that never visit c, so
 *	 P(without c) = b_start - (N_start,c / N_c,c) b_c,
 * N_start,c / N_c,c being the probability of ever visiting c from start
 * and b_c the conversion probability from c.  N comes from one LU
 * factorization of I - Q with partial pivoting and n solves: O(n^3), every
 * channel at once.
 */
#include "markov_core.h"
#include "le.h"

#include <math.h>
#include <string.h>

/* LU of the n x n row-major a in place, pivots in piv; false if singular */
static bool
lu_factor(double *a, int n, int *piv)
{
	for (int k = 0; k < n; k++)
	{
		int			p = k;
		double		best = fabs(a[(size_t) k * n + k]);

		for (int i = k + 1; i < n; i++)
			if (fabs(a[(size_t) i * n + k]) > best)
			{
				best = fabs(a[(size_t) i * n + k]);
				p = i;
			}
		if (!(best > 0))
			return false;
		piv[k] = p;
		if (p != k)
			for (int j = 0; j < n; j++)
			{
				double		t = a[(size_t) k * n + j];

				a[(size_t) k * n + j] = a[(size_t) p * n + j];
				a[(size_t) p * n + j] = t;
			}
		for (int i = k + 1; i < n; i++)
		{
			double		f = a[(size_t) i * n + k] / a[(size_t) k * n + k];

			a[(size_t) i * n + k] = f;
			if (f != 0)
				for (int j = k + 1; j < n; j++)
					a[(size_t) i * n + j] -= f * a[(size_t) k * n + j];
		}
	}
	return true;
}

/* solve (LU) x = b in place */
static void
lu_solve(const double *lu, int n, const int *piv, double *x)
{
	for (int k = 0; k < n; k++)
	{
		double		t = x[piv[k]];

		x[piv[k]] = x[k];
		x[k] = t;
	}
	for (int i = 1; i < n; i++)
		for (int j = 0; j < i; j++)
			x[i] -= lu[(size_t) i * n + j] * x[j];
	for (int i = n - 1; i >= 0; i--)
	{
		for (int j = i + 1; j < n; j++)
			x[i] -= lu[(size_t) i * n + j] * x[j];
		x[i] /= lu[(size_t) i * n + i];
	}
}

double
markov_solve(const double *Q, const double *r, int n, double *p_without, double *work)
{
	double	   *a = work;
	double	   *col = a + (size_t) n * n;
	double	   *b = col + n;
	int		   *piv = (int *) (void *) (b + n);

	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++)
			a[(size_t) i * n + j] = (i == j ? 1.0 : 0.0) - Q[(size_t) i * n + j];
	if (!lu_factor(a, n, piv))
		return -1;
	memcpy(b, r, sizeof(double) * n);
	lu_solve(a, n, piv, b);
	/* column c of N: N e_c; keep N[0][c] and N[c][c] */
	for (int c = 1; c < n; c++)
	{
		double		visit;

		memset(col, 0, sizeof(double) * n);
		col[c] = 1.0;
		lu_solve(a, n, piv, col);
		visit = col[c] > 0 ? col[0] / col[c] : 0;
		p_without[c] = b[0] - visit * b[c];
	}
	return b[0];
}

size_t
markov_attribution_scratch(const uint8_t *body, size_t len)
{
	size_t		n = (size_t) ie_get32(body + 4) + 1;

	(void) len;
	/* Q, r (2 n), p_without, then markov_solve's work (n^2 + 2 n doubles, n ints) */
	return sizeof(double) * (2 * n * n + 5 * n) + sizeof(int) * n + 8;
}

/* Q and r of the chain: counts over their row's total */
static void
fill_chain(const uint8_t *body, size_t len, int n, double *Q, double *r)
{
	MarkovInfo info;
	double	   *total = r + n;	/* r has room for 2n */

	markov_get_info(body, len, &info);
	memset(Q, 0, sizeof(double) * n * n);
	memset(r, 0, sizeof(double) * 2 * n);
	for (uint32_t pass = 0; pass < 2; pass++)
		for (uint32_t i = 0; i < info.entries; i++)
		{
			uint32_t	from;
			uint32_t	to;
			uint64_t	count;

			markov_entry(body, len, i, &from, &to, &count);
			if (pass == 0)
				total[from] += (double) count;
			else if (to < (uint32_t) n)
				Q[(size_t) from * n + to] = (double) count / total[from];
			else if (to == (uint32_t) n)
				r[from] = (double) count / total[from];
		}
}

bool
markov_removal_effects(const uint8_t *body, size_t len, double *removal_effect,
				   double *conversions, double *value, void *scratch, size_t scratchlen)
{
	MarkovInfo info;
	int			n;
	uintptr_t	p = (uintptr_t) scratch;
	double	   *Q;
	double	   *r;
	double	   *without;
	double		P;
	double		sum = 0;

	markov_get_info(body, len, &info);
	n = (int) info.channels + 1;
	if (scratch == NULL || scratchlen < markov_attribution_scratch(body, len))
		return false;
	Q = (double *) (void *) ((uint8_t *) scratch + ((8 - (p & 7)) & 7));
	r = Q + (size_t) n * n;
	without = r + 2 * (size_t) n;
	memset(removal_effect, 0, sizeof(double) * info.channels);
	memset(conversions, 0, sizeof(double) * info.channels);
	memset(value, 0, sizeof(double) * info.channels);
	if (info.converting_paths == 0)
		return true;
	fill_chain(body, len, n, Q, r);
	P = markov_solve(Q, r, n, without, without + n);
	/* the validator ruled out a singular chain; P = 0 gives no credit */
	if (!(P > 0))
		return true;
	for (int c = 1; c < n; c++)
	{
		double		e = 1.0 - without[c] / P;

		/* rounding can leave a channel that changes nothing a hair below 0 */
		removal_effect[c - 1] = e > 0 ? (e < 1 ? e : 1) : 0;
		sum += removal_effect[c - 1];
	}
	if (!(sum > 0))
		return true;
	for (uint32_t c = 0; c < info.channels; c++)
	{
		conversions[c] = removal_effect[c] / sum * (double) info.converting_paths;
		value[c] = removal_effect[c] / sum * info.value;
	}
	return true;
}
