/*
 * sketch_test.h — the lifecycle of a stored type's values, driven through
 * its descriptor (src/core/sketch_type.h) and written once for every type,
 * for both the unit tests (test/unit) and the fuzz harness (test/fuzz).
 *
 * Every buffer has its exact size (malloc), as the glue's palloc'd
 * varlenas do, so AddressSanitizer catches any over-read.  Each helper
 * checks the protocol's promises as it goes: a regrown or merged state
 * validates, a grow answer left the state untouched, a merge did not write
 * its source, a canonical value validates, needs no canonicalizing, is its
 * own canonical form and fits the size the core asked for.
 *
 * The includer defines before including:
 *	 SKETCH_TEST_FAIL(...)	 required: a broken promise, printf-like.  The
 *							 fuzz harness aborts; the unit tests count a
 *							 protocol error and go on, so every helper leaves
 *							 its buffers freeable (and no larger than their
 *							 length says) when it returns after one.
 *	 SKETCH_TEST_MAX_ROUNDS(t)	regrows after which a merge is stuck (64)
 *	 SKETCH_TEST_SIZE_MAX(t)	the largest body a value may ask for
 *	 SKETCH_TEST_CHECK_GROW(t, s, need, plan)	a type's own promises about
 *							 a grow answer (journey: the plan's size)
 *	 SKETCH_TEST_CHECK_CANONICAL(t, s, c)	a type's own promises about the
 *							 canonical value c of s
 *	 SKETCH_TEST_GROW_KEEPS_STATE(t)	true for a type whose add or merge
 *							 promises to leave the state untouched when it
 *							 answers "grow" (journey_core.h); a reach call may
 *							 have compacted the state or absorbed part of a
 *							 merge, a frequency merge may have set k (their
 *							 headers): for them only the retry is promised
 * The optional ones default to no check.  The per-row add of each type
 * takes its own arguments, so it stays with the type's helpers; it grows
 * through grow_retry() below.
 */
#ifndef IMPRESSION_EXT_SKETCH_TEST_H
#define IMPRESSION_EXT_SKETCH_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sketch_type.h"

#ifndef SKETCH_TEST_FAIL
#error "define SKETCH_TEST_FAIL(...) before including sketch_test.h"
#endif
#ifndef SKETCH_TEST_MAX_ROUNDS
#define SKETCH_TEST_MAX_ROUNDS(t) 64
#endif
#ifndef SKETCH_TEST_SIZE_MAX
#define SKETCH_TEST_SIZE_MAX(t) (IE_GROW_BAD_ARGUMENT - 1)
#endif
#ifndef SKETCH_TEST_CHECK_GROW
#define SKETCH_TEST_CHECK_GROW(t, s, need, plan) ((void) 0)
#endif
#ifndef SKETCH_TEST_CHECK_CANONICAL
#define SKETCH_TEST_CHECK_CANONICAL(t, s, c) ((void) 0)
#endif
#ifndef SKETCH_TEST_GROW_KEEPS_STATE
#define SKETCH_TEST_GROW_KEEPS_STATE(t) false
#endif

#define SKETCH_TEST_CHECK(cond, ...) \
	do { \
		if (!(cond)) \
			SKETCH_TEST_FAIL(__VA_ARGS__); \
	} while (0)

/* ---------------------------------------------------------------------
 * deterministic streams and seeds
 * --------------------------------------------------------------------- */

/* a bijection of the counter: n outputs are n distinct 64-bit values */
static inline uint64_t
splitmix64(uint64_t *state)
{
	uint64_t	z = (*state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/*
 * The table seeds of the states built: different from state to state, as
 * the glue's random ones are, but a fixed sequence, so that a run repeats
 * (the fuzz harness restarts it for every input, so a crash replays).
 */
static uint64_t sketch_test_seed = UINT64_C(0x9E3779B97F4A7C15);

static inline uint64_t
next_seed(void)
{
	return splitmix64(&sketch_test_seed);
}

static inline void
reset_seeds(uint64_t seed)
{
	sketch_test_seed = seed;
}

/* ---------------------------------------------------------------------
 * buffers: a body with its exact length
 * --------------------------------------------------------------------- */

static inline void *
xmalloc(size_t n)
{
	void	   *p = malloc(n == 0 ? 1 : n);

	if (p == NULL)
	{
		SKETCH_TEST_FAIL("out of memory allocating %zu bytes", n);
		exit(2);
	}
	return p;
}

typedef struct Buf
{
	uint8_t    *b;
	size_t		len;
} Buf;

static inline Buf
buf_of(const uint8_t *p, size_t n)
{
	Buf			c;

	c.len = n;
	c.b = xmalloc(n);
	if (n > 0)
		memcpy(c.b, p, n);
	return c;
}

static inline Buf
buf_copy(const Buf *s)
{
	return buf_of(s->b, s->len);
}

static inline void
buf_free(Buf *s)
{
	free(s->b);
	s->b = NULL;
	s->len = 0;
}

static inline bool
buf_eq(const Buf *a, const Buf *b)
{
	return a->len == b->len && (a->len == 0 || memcmp(a->b, b->b, a->len) == 0);
}

/* *s becomes an exact-size copy of tmp[0..n); tmp is freed */
static inline void
buf_take(Buf *s, uint8_t *tmp, size_t n)
{
	*s = buf_of(tmp, n);
	free(tmp);
}

/* the first 64 bytes, for a failure message */
static inline void
hexdump_head(const char *what, const Buf *s)
{
	size_t		i;
	size_t		n = s->len < 64 ? s->len : 64;

	fprintf(stderr, "  %s (%zu bytes):", what, s->len);
	for (i = 0; i < n; i++)
		fprintf(stderr, " %02x", s->b[i]);
	fprintf(stderr, "%s\n", n < s->len ? " ..." : "");
}

/* ---------------------------------------------------------------------
 * validation and states
 * --------------------------------------------------------------------- */

static inline bool
must_validate(const IeSketchType *t, const Buf *s, const char *what)
{
	const char *msg = t->validate(s->b, s->len);

	if (msg != NULL)
	{
		hexdump_head(what, s);
		SKETCH_TEST_FAIL("%s: %s does not validate: %s", t->name, what, msg);
	}
	return msg == NULL;
}

/*
 * What validate says of bytes b[0..len), "(valid)" if nothing: read from an
 * exact-size copy, so that AddressSanitizer sees any over-read.  The text
 * lives until the next call.
 */
static inline const char *
validation_message(const IeSketchType *t, const uint8_t *b, size_t len)
{
	static char keep[256];
	uint8_t    *c = xmalloc(len);
	const char *m;

	if (len > 0)
		memcpy(c, b, len);
	m = t->validate(c, len);
	snprintf(keep, sizeof(keep), "%s", m ? m : "(valid)");
	free(c);
	return keep;
}

static inline bool
validation_rejects(const IeSketchType *t, const uint8_t *b, size_t len)
{
	return strcmp(validation_message(t, b, len), "(valid)") != 0;
}

/* a state's memory (state_initial_size bytes) for the type's own init */
static inline Buf
state_alloc(const IeSketchType *t)
{
	Buf			s;

	s.len = t->state_initial_size();
	s.b = xmalloc(s.len);
	return s;
}

/* s, which the type's own init filled, answering made: checked */
static inline Buf
state_checked(const IeSketchType *t, Buf s, bool made)
{
	if (!made)
		SKETCH_TEST_FAIL("%s: the state init refused its arguments", t->name);
	else
		must_validate(t, &s, "fresh state");
	return s;
}

/* an empty state with the type's default parameters */
static inline Buf
new_state(const IeSketchType *t)
{
	Buf			s = state_alloc(t);

	return state_checked(t, s, t->state_init(s.b, s.len, next_seed()));
}

/*
 * *s replaced by the state grown to need bytes as plan says (validated);
 * false, with *s unchanged, if the core refused.
 */
static inline bool
regrow(const IeSketchType *t, Buf *s, size_t need, const void *plan)
{
	uint8_t    *n;

	if (need > SKETCH_TEST_SIZE_MAX(t))
	{
		SKETCH_TEST_FAIL("%s: regrow to %zu bytes", t->name, need);
		return false;
	}
	n = xmalloc(need);
	if (!t->state_regrow(n, need, s->b, s->len, plan, next_seed()))
	{
		hexdump_head("state", s);
		SKETCH_TEST_FAIL("%s: state_regrow to %zu failed", t->name, need);
		free(n);
		return false;
	}
	free(s->b);
	s->b = n;
	s->len = need;
	return must_validate(t, s, "regrown state");
}

/*
 * One add or merge until it fits.  A Growth counts the regrows and, for
 * states up to snapshot_max bytes, keeps a copy to check that an answer
 * "grow" left the state untouched (only for the types that promise it; a
 * copy per call costs as much as a small add itself, so callers choose).
 */
typedef struct Growth
{
	int			rounds;
	int			max_rounds;
	size_t		snapshot_max;
	Buf			before;
} Growth;

static inline Growth
growth(const Buf *s, int max_rounds, size_t snapshot_max)
{
	Growth		g;

	g.rounds = 0;
	g.max_rounds = max_rounds;
	g.snapshot_max = snapshot_max;
	g.before = s->len <= snapshot_max ? buf_copy(s) : (Buf) {NULL, 0};
	return g;
}

/*
 * After an add or merge answered need (0: done): true if the state grew
 * and the call is to be retried.  When it returns false the Growth is
 * finished (its snapshot freed).
 */
static inline bool
grow_retry(const IeSketchType *t, Buf *s, size_t need, const void *plan, Growth *g)
{
	bool		retry = false;

	if (need == 0)
		;
	else if (g->before.b != NULL && !buf_eq(&g->before, s))
		SKETCH_TEST_FAIL("%s: an add or merge changed the state and asked to grow", t->name);
	else if (need >= IE_GROW_BAD_ARGUMENT)
		SKETCH_TEST_FAIL("%s: an add or merge answered %s", t->name,
						 need == IE_GROW_TOO_LARGE ? "too large" : "bad argument");
	else if (++g->rounds > g->max_rounds)
		SKETCH_TEST_FAIL("%s: still growing after %d regrows", t->name, g->max_rounds);
	else
	{
		SKETCH_TEST_CHECK_GROW(t, s, need, plan);
		retry = regrow(t, s, need, plan);
	}
	if (g->before.b != NULL)
		buf_free(&g->before);
	if (retry && s->len <= g->snapshot_max)
		g->before = buf_copy(s);
	return retry;
}

/* merge the valid value src (only read) into the state *d */
static inline void
merge_value(const IeSketchType *t, Buf *d, const Buf *src)
{
	uint64_t	plan[(IE_GROW_PLAN_MAX + 7) / 8] = {0};
	Growth		g = growth(d, SKETCH_TEST_MAX_ROUNDS(t),
						   SKETCH_TEST_GROW_KEEPS_STATE(t) ? SIZE_MAX : 0);
	Buf			keep = buf_copy(src);

	while (grow_retry(t, d, t->state_merge(d->b, d->len, src->b, src->len, plan), plan, &g))
		;
	if (!buf_eq(&keep, src))
		SKETCH_TEST_FAIL("%s: state_merge wrote into its source", t->name);
	buf_free(&keep);
	must_validate(t, d, "state after merge");
}

/* ---------------------------------------------------------------------
 * canonical form
 * --------------------------------------------------------------------- */

/*
 * canonicalize() into exactly canonical_size bytes (and scratch_size of
 * scratch), the result then copied to its exact length; n 0 on a failure.
 */
static inline Buf
canonicalize_exact(const IeSketchType *t, const Buf *s, bool with_scratch)
{
	size_t		cap = t->canonical_size(s->b, s->len);
	size_t		slen = with_scratch && t->scratch_size ? t->scratch_size(s->b, s->len) : 0;
	uint8_t    *tmp;
	void	   *scratch;
	Buf			c;
	size_t		n;

	if (cap < t->empty_size || cap > SKETCH_TEST_SIZE_MAX(t) ||
		slen > SKETCH_TEST_SIZE_MAX(t))
	{
		SKETCH_TEST_FAIL("%s: canonical_size %zu, scratch_size %zu", t->name, cap, slen);
		return buf_of(NULL, 0);
	}
	tmp = xmalloc(cap);
	scratch = slen ? xmalloc(slen) : NULL;
	n = t->canonicalize(tmp, cap, s->b, s->len, scratch, slen);
	free(scratch);
	if (n == 0 || n > cap)
	{
		SKETCH_TEST_FAIL("%s: canonicalize returned %zu (cap %zu)", t->name, n, cap);
		n = 0;
	}
	buf_take(&c, tmp, n);
	return c;
}

/*
 * The canonical form of the valid value s, exact size, with its promises
 * checked: it validates, needs no canonicalizing and no scratch, is its
 * own canonical form, and a value whose header says canonical is already
 * its canonical form (what the glue's comparisons rely on).  A reach
 * DENSE value that would not pack smaller is canonical without its header
 * saying so: the header shows canonical values, not all of them.
 */
static inline Buf
canonical(const IeSketchType *t, const Buf *s)
{
	Buf			c = canonicalize_exact(t, s, true);
	Buf			again;

	if (c.len == 0 || !must_validate(t, &c, "canonical value"))
		return c;
	SKETCH_TEST_CHECK(!t->needs_canonicalize(c.b, c.len),
					  "%s: a canonical value needs canonicalizing", t->name);
	SKETCH_TEST_CHECK(!t->canonical_by_header(s->b, s->len) || buf_eq(&c, s),
					  "%s: a value canonical by its header is not its canonical form", t->name);
	SKETCH_TEST_CHECK(t->scratch_size == NULL || t->scratch_size(c.b, c.len) == 0,
					  "%s: a canonical value needs scratch", t->name);
	again = canonicalize_exact(t, &c, false);
	SKETCH_TEST_CHECK(buf_eq(&again, &c), "%s: canonicalize(canonical) changed the value", t->name);
	buf_free(&again);
	SKETCH_TEST_CHECK_CANONICAL(t, s, &c);
	return c;
}

#endif							/* IMPRESSION_EXT_SKETCH_TEST_H */
