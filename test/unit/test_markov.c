/*
 * test_markov.c — unit tests of markov_chain (src/core/markov_chain.c,
 * markov_solve.c): the solver on a hand-worked chain, the paths of
 * journeys, validation of corrupt values, merges through the type protocol
 * (byte-identical for any split and order), and the one-factorization
 * removal effects against a separate solve of each chain without the
 * channel.
 */
#include "journey_test_util.h"
#include "markov_core.h"

#define MK	(&markov_chain_type)

/* the chain of the journeys' paths (canonical), lookback lb */
static Buf
chain_of(const Js *j, int64_t lb)
{
	size_t		size = markov_from_journey_size(j->b, j->len);
	size_t		slen = markov_from_journey_scratch(j->b, j->len);
	void	   *scratch = xmalloc(slen);
	Buf			m;

	m.len = size;
	m.b = xmalloc(size);
	m.len = markov_from_journey(m.b, size, j->b, j->len, lb, scratch, slen);
	free(scratch);
	return m;
}

/*
 * Chain 2 of sql/markov.sql: states start, A, B, C.
 * start: A 1/2, B 1/4, conv 1/4; A: A 1/3, B 1/3, conv 1/3; B: conv 1/2,
 * C 1/2; C: null.  P = 3/4; without A 3/8, without B 1/2, without C 3/4.
 */
static void
test_solve(void)
{
	double		Q[16] = {
		0, 0.5, 0.25, 0,
		0, 1.0 / 3, 1.0 / 3, 0,
		0, 0, 0, 0.5,
		0, 0, 0, 0,
	};
	double		r[4] = {0.25, 1.0 / 3, 0.5, 0};
	double		without[4];
	double		work[16 + 8 + 4];
	double		P = markov_solve(Q, r, 4, without, work);
	double		loop[4] = {0, 1, 1, 0};
	double		r0[2] = {0, 0};

	CHECK(fabs(P - 0.75) < 1e-15, "P = 3/4 (got %.17g)", P);
	CHECK(fabs(without[1] - 0.375) < 1e-15, "without A 3/8 (got %.17g)", without[1]);
	CHECK(fabs(without[2] - 0.5) < 1e-15, "without B 1/2 (got %.17g)", without[2]);
	CHECK(fabs(without[3] - 0.75) < 1e-15, "without C 3/4 (got %.17g)", without[3]);
	/* start <-> A with no way out: I - Q = [[1, -1], [-1, 1]] is singular */
	CHECK(markov_solve(loop, r0, 2, without, work) == -1, "a closed loop is singular");
}

/* paths: A, B, conv(10), C | D, conv(2.5), E (lookback large) */
static void
test_paths(void)
{
	Ev			ev[] = {
		{1 * DAY, IMP, "A", false, 0},
		{2 * DAY, CLK, "B", false, 0},
		{3 * DAY, CONV, NULL, true, 10},
		{4 * DAY, ENG, "C", false, 0},
		{4 * DAY, IMP, NULL, false, 0},
		{5 * DAY, CLK, "D", false, 0},
		{6 * DAY, CONV, NULL, true, 2.5},
		{7 * DAY, IMP, "E", false, 0},
	};
	Js			j = js_build(ev, 8);
	Buf			m = chain_of(&j, 30 * DAY);
	MarkovInfo	info;
	/* states: 0 start, A1 B2 C3 D4 E5, 6 conv, 7 null */
	const uint32_t want[][3] = {
		{0, 1, 1}, {0, 3, 1}, {0, 5, 1}, {1, 2, 1}, {2, 6, 1}, {3, 4, 1}, {4, 6, 1}, {5, 7, 1},
	};
	uint32_t	i;

	CHECK(m.len > 0 && markov_validate(m.b, m.len) == NULL, "valid");
	markov_get_info(m.b, m.len, &info);
	CHECK(info.channels == 5 && info.entries == 8 && info.paths == 3 &&
		  info.converting_paths == 2 && info.value == 12.5, "5 channels, 8 transitions, 3 paths, 2 convert, 12.5");
	for (i = 0; i < 8 && i < info.entries; i++)
	{
		uint32_t	f;
		uint32_t	t;
		uint64_t	c;

		markov_entry(m.b, m.len, i, &f, &t, &c);
		CHECK(f == want[i][0] && t == want[i][1] && c == want[i][2],
			  "entry %u: %u -> %u x %llu", i, f, t, (unsigned long long) c);
	}
	buf_free(&m);
	/* lookback 1 day: conv(10) keeps B only; conv(2.5) keeps D only, C is 2 days */
	m = chain_of(&j, DAY);
	markov_get_info(m.b, m.len, &info);
	CHECK(info.channels == 3 && info.entries == 6, "lookback 1 day: B, D, E (%u, %u)",
		  info.channels, info.entries);
	buf_free(&m);
	buf_free(&j);
}

static void
test_validate(void)
{
	Ev			ev[] = {{0, CLK, "A", false, 0}, {DAY, CLK, "B", false, 0}, {2 * DAY, CONV, NULL, false, 0}};
	Js			j = js_build(ev, 3);
	Buf			m = chain_of(&j, 30 * DAY);
	size_t		i;
	int			rejected = 0;

	CHECK(markov_validate(m.b, m.len) == NULL, "valid");
	/* every single-bit flip of the header and entries is caught or harmless */
	for (i = 0; i < m.len * 8; i++)
	{
		m.b[i / 8] ^= (uint8_t) (1u << (i % 8));
		rejected += markov_validate(m.b, m.len) != NULL;
		m.b[i / 8] ^= (uint8_t) (1u << (i % 8));
	}
	/* valid flips: bits of the value and of counts' high bytes, the channel letters */
	CHECK(rejected > (int) (m.len * 8) / 3, "most bit flips rejected (%d of %zu)", rejected, m.len * 8);
	for (i = 0; i < m.len; i++)
		CHECK(markov_validate(m.b, i) != NULL, "truncated to %zu rejected", i);
	buf_free(&m);
	buf_free(&j);
}

/* the journeys of random users, their chains merged in random order */
static void
test_merges(void)
{
	uint64_t	rng = 7;
	Buf			chains[40];
	Buf			whole;
	int			trial;

	for (int u = 0; u < 40; u++)
	{
		Ev			ev[30];
		size_t		n = 1 + rnd(&rng, 30);
		Js			j;

		random_events(&rng, ev, n, 600, 8);
		j = js_build(ev, n);
		chains[u] = chain_of(&j, 100 * MIN);
		CHECK(chains[u].len > 0 && markov_validate(chains[u].b, chains[u].len) == NULL,
			  "user %d's chain valid", u);
		buf_free(&j);
	}
	whole = new_state(MK);
	for (int u = 0; u < 40; u++)
		merge_value(MK, &whole, &chains[u]);
	{
		Buf			c = canonical(MK, &whole);

		buf_free(&whole);
		whole = c;
	}
	CHECK(markov_validate(whole.b, whole.len) == NULL, "merged chain valid");
	for (trial = 0; trial < 20; trial++)
	{
		Buf			parts[3] = {new_state(MK), new_state(MK), new_state(MK)};
		Buf			m = new_state(MK);
		Buf			c;
		int			order[40];

		for (int u = 0; u < 40; u++)
			order[u] = u;
		for (int u = 39; u > 0; u--)
		{
			int			k = (int) rnd(&rng, (uint32_t) u + 1);
			int			t = order[u];

			order[u] = order[k];
			order[k] = t;
		}
		for (int u = 0; u < 40; u++)
			merge_value(MK, &parts[rnd(&rng, 3)], &chains[order[u]]);
		for (int p = 2; p >= 0; p--)
		{
			Buf			pc = canonical(MK, &parts[p]);

			merge_value(MK, &m, &pc);
			buf_free(&pc);
			buf_free(&parts[p]);
		}
		c = canonical(MK, &m);
		CHECK(c.len == whole.len && memcmp(c.b, whole.b, c.len) == 0,
			  "trial %d: any split and order, the same bytes", trial);
		buf_free(&c);
		buf_free(&m);
	}
	/* removal effects against a solve of each chain without the channel */
	{
		MarkovInfo	info;
		size_t		slen = markov_attribution_scratch(whole.b, whole.len);
		void	   *scratch = xmalloc(slen);
		double		eff[64];
		double		conv[64];
		double		val[64];
		double		sum = 0;

		markov_get_info(whole.b, whole.len, &info);
		CHECK(info.channels <= 64 && info.converting_paths > 0, "some conversions");
		CHECK(markov_removal_effects(whole.b, whole.len, eff, conv, val, scratch, slen), "ran");
		for (uint32_t c = 0; c < info.channels; c++)
		{
			CHECK(eff[c] >= 0 && eff[c] <= 1 && isfinite(conv[c]), "channel %u finite", c);
			sum += conv[c];
		}
		CHECK(fabs(sum - (double) info.converting_paths) < 1e-9 * info.converting_paths,
			  "conversions sum to the converting paths");
		free(scratch);
	}
	for (int u = 0; u < 40; u++)
		buf_free(&chains[u]);
	buf_free(&whole);
}

/*
 * The shortcut formula against the definition: for a random chain of n
 * states, removing c (its column of Q and its row zeroed: every
 * transition into it goes to null) and solving again gives p_without[c].
 */
static void
test_removal_formula(void)
{
	uint64_t	rng = 11;

	for (int trial = 0; trial < 50; trial++)
	{
		int			n = 2 + (int) rnd(&rng, 12);
		double	   *Q = xmalloc(sizeof(double) * n * n);
		double	   *Q2 = xmalloc(sizeof(double) * n * n);
		double	   *r = xmalloc(sizeof(double) * n);
		double	   *r2 = xmalloc(sizeof(double) * n);
		double	   *without = xmalloc(sizeof(double) * n);
		double	   *w2 = xmalloc(sizeof(double) * n);
		double	   *work = xmalloc(sizeof(double) * (n * n + 3 * n));
		double		P;

		for (int i = 0; i < n; i++)
		{
			double		row[16];
			double		total = 0;

			/* n transient + conversion + null, weights 0..3, always some way out */
			for (int k = 0; k < n + 2; k++)
				total += row[k] = (k >= n) ? 1 + rnd(&rng, 3) : rnd(&rng, 4);
			for (int k = 0; k < n; k++)
				Q[i * n + k] = row[k] / total;
			r[i] = row[n] / total;
		}
		P = markov_solve(Q, r, n, without, work);
		CHECK(P > 0 && P <= 1, "trial %d: P %.17g", trial, P);
		for (int c = 1; c < n; c++)
		{
			memcpy(Q2, Q, sizeof(double) * n * n);
			memcpy(r2, r, sizeof(double) * n);
			for (int i = 0; i < n; i++)
			{
				Q2[i * n + c] = 0;
				Q2[c * n + i] = 0;
			}
			r2[c] = 0;
			CHECK(fabs(markov_solve(Q2, r2, n, w2, work) - without[c]) < 1e-12,
				  "trial %d channel %d: shortcut = re-solve", trial, c);
		}
		free(Q);
		free(Q2);
		free(r);
		free(r2);
		free(without);
		free(w2);
		free(work);
	}
}

int
main(int argc, char **argv)
{
	(void) argc;
	test_solve();
	test_paths();
	test_validate();
	test_merges();
	test_removal_formula();
	return sketch_report(argv[0]);
}
