/*
 * markov_type.c — markov_chain's descriptor (sketch_type.h).  Its growth
 * needs no plan: a merge says the size, and regrow copies the value into
 * it.
 */
#include "markov_core.h"
#include "sketch_type.h"

_Static_assert(MARKOV_TOO_LARGE == IE_GROW_TOO_LARGE &&
			   MARKOV_BAD_ARGUMENT == IE_GROW_BAD_ARGUMENT,
			   "markov_chain's growth sentinels are the protocol's");

static size_t
state_initial_size(void)
{
	return 1024 - 4;
}

static bool
state_init(uint8_t *body, size_t len, uint64_t seed)
{
	(void) seed;
	return markov_state_init(body, len);
}

static size_t
state_merge(uint8_t *dst, size_t dstlen, const uint8_t *src, size_t srclen, void *plan)
{
	(void) plan;
	return markov_state_merge(dst, dstlen, src, srclen);
}

static bool
state_regrow(uint8_t *dst, size_t dstlen, const uint8_t *src, size_t srclen,
			 const void *plan, uint64_t seed)
{
	(void) plan;
	(void) seed;
	return markov_state_regrow(dst, dstlen, src, srclen);
}

const IeSketchType markov_chain_type = {
	.name = "markov_chain",
	.validate = markov_validate,
	.empty_size = MARKOV_HEADER_SIZE,
	.init_empty = markov_init_empty,
	.canonical_by_header = markov_canonical_by_header,
	.needs_canonicalize = markov_needs_canonicalize,
	.canonical_size = markov_canonical_size,
	.scratch_size = NULL,
	.canonicalize = markov_canonicalize,
	.state_initial_size = state_initial_size,
	.state_init = state_init,
	.plan_size = 0,
	.state_merge = state_merge,
	.state_regrow = state_regrow,
	.limits = markov_limits,
};
