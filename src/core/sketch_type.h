/*
 * sketch_type.h — the protocol every stored type's core follows, as a
 * descriptor each type fills in once (src/core/<type>_type.c).  The
 * PostgreSQL glue (src/sketch_glue.c), the unit tests and the fuzz harness
 * drive any type through it, so the lifecycle is written once.
 *
 * The lifecycle of a value, whatever its type:
 *	 bytes from outside	 validate() before anything else reads them; the
 *						 message names what is wrong.
 *	 aggregate state	 a value in the type's STATE representation, updated
 *						 in place.  An add or merge that does not fit returns
 *						 the body size to regrow to, and fills a plan when
 *						 the type needs more than a size (journey: its
 *						 capacities); it leaves the state valid, though it
 *						 may have changed it (reach may have compacted it or
 *						 absorbed part of the source, frequency set its k;
 *						 a journey is unchanged).  state_regrow() builds the
 *						 larger state in memory the caller allocated, and the
 *						 caller retries with the same input.  That is always
 *						 right: what the first call did, the retry does
 *						 again to no effect (reach's adds and merges are
 *						 unions; frequency's k is set the same way; a
 *						 frequency count is added only by the call that
 *						 returns 0).  Only the core reads or writes a
 *						 header: the caller passes sizes and memory.
 *	 canonical form		 canonicalize() writes the one form equal values
 *						 share (what is stored, compared and hashed); the
 *						 header alone tells whether a value already is one.
 *	 zero rows			 init_empty(), empty_size bytes, default parameters.
 *
 * The per-row add of each type is not here: it takes type-specific
 * arguments and runs once a row, so the glue calls it directly (inline
 * where the core offers it); only growth, which is rare, goes through the
 * descriptor.  The stored formats are specified in docs/FORMAT.md.
 */
#ifndef IMPRESSION_EXT_SKETCH_TYPE_H
#define IMPRESSION_EXT_SKETCH_TYPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* returned by an add or merge instead of a size: the value would pass a limit */
#define IE_GROW_TOO_LARGE		SIZE_MAX
/* ... or the arguments are not valid (a caller bug) */
#define IE_GROW_BAD_ARGUMENT	(SIZE_MAX - 1)
/* ... or src, shallowly validated, does not decode: validate it for why */
#define IE_GROW_BAD_SOURCE		(SIZE_MAX - 2)

typedef struct IeSketchType
{
	/* the SQL type's name, for messages: "reach_sketch" */
	const char *name;

	/* NULL if body[0..len) is a valid value, else what is wrong (any bytes) */
	const char *(*validate) (const uint8_t *body, size_t len);

	/* the empty value with the type's default parameters */
	size_t		empty_size;
	bool		(*init_empty) (uint8_t *body, size_t len);

	/*
	 * Canonical form, on valid values.  canonical_by_header reads at most
	 * the header (safe on any bytes); canonicalize writes into dst of
	 * canonical_size bytes, with scratch_size bytes of scratch (NULL or 0:
	 * none needed, scratch may be NULL), and returns the exact length (0:
	 * dst or scratch too small).
	 */
	bool		(*canonical_by_header) (const uint8_t *body, size_t len);
	bool		(*needs_canonicalize) (const uint8_t *body, size_t len);
	size_t		(*canonical_size) (const uint8_t *body, size_t len);
	size_t		(*scratch_size) (const uint8_t *body, size_t len);
	size_t		(*canonicalize) (uint8_t *dst, size_t dstlen,
								 const uint8_t *src, size_t srclen,
								 void *scratch, size_t scratchlen);

	/*
	 * Aggregate states.  state_init makes an empty state of
	 * state_initial_size bytes with default parameters (seed keys its hash
	 * table, if any).  state_merge merges the valid value src into the
	 * state: 0 when done, else a size for state_regrow (or IE_GROW_*),
	 * with *plan filled (plan_size bytes; 0 for types whose size says
	 * all).  state_regrow builds in dst[0..dstlen) the state src grown as
	 * plan says; a keyed state keeps its seed, any other takes seed.
	 */
	size_t		(*state_initial_size) (void);
	bool		(*state_init) (uint8_t *body, size_t len, uint64_t seed);
	size_t		plan_size;
	size_t		(*state_merge) (uint8_t *dst, size_t dstlen,
								const uint8_t *src, size_t srclen, void *plan);
	bool		(*state_regrow) (uint8_t *dst, size_t dstlen,
								 const uint8_t *src, size_t srclen,
								 const void *plan, uint64_t seed);

	/* after IE_GROW_TOO_LARGE: the type's limits, as a sentence (NULL: none) */
	const char *(*limits) (void);
} IeSketchType;

extern const IeSketchType reach_sketch_type;
extern const IeSketchType frequency_sketch_type;
extern const IeSketchType journey_type;
extern const IeSketchType markov_chain_type;

/*
 * The plan a type's add or merge fills is at most this large (a journey's
 * four capacities); callers keep one on the stack, as uint64_t words so
 * that any type's plan is aligned.
 */
#define IE_GROW_PLAN_MAX	16

#endif
