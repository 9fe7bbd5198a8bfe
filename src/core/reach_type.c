/*
 * reach_type.c — reach_sketch's descriptor (sketch_type.h): the adapters
 * from the generic protocol to the core's API, which takes a precision
 * where the protocol takes defaults and needs no plan or seed.
 */
#include "reach_core.h"
#include "sketch_type.h"

_Static_assert(REACH_BAD_SOURCE == IE_GROW_BAD_SOURCE,
			   "reach's merge codes are the protocol's");

static bool
init_empty(uint8_t *body, size_t len)
{
	return reach_init_empty(body, len, REACH_DEFAULT_PRECISION);
}

static size_t
canonicalize(uint8_t *dst, size_t dstlen, const uint8_t *src, size_t srclen,
			 void *scratch, size_t scratchlen)
{
	(void) scratch;
	(void) scratchlen;
	return reach_canonicalize(dst, dstlen, src, srclen);
}

static bool
state_init(uint8_t *body, size_t len, uint64_t seed)
{
	(void) seed;
	return reach_state_init(body, len, REACH_DEFAULT_PRECISION);
}

static size_t
state_merge(uint8_t *dst, size_t dstlen, const uint8_t *src, size_t srclen, void *plan)
{
	(void) plan;
	return reach_state_merge(dst, dstlen, src, srclen);
}

static bool
state_regrow(uint8_t *dst, size_t dstlen, const uint8_t *src, size_t srclen,
			 const void *plan, uint64_t seed)
{
	(void) plan;
	(void) seed;
	return reach_state_regrow(dst, dstlen, src, srclen);
}

const IeSketchType reach_sketch_type = {
	.name = "reach_sketch",
	.validate = reach_validate,
	.empty_size = REACH_HEADER_SIZE,
	.init_empty = init_empty,
	.canonical_by_header = reach_canonical_by_header,
	.needs_canonicalize = reach_needs_canonicalize,
	.canonical_size = reach_canonical_size,
	.scratch_size = NULL,
	.canonicalize = canonicalize,
	.state_initial_size = reach_state_initial_size,
	.state_init = state_init,
	.plan_size = 0,
	.state_merge = state_merge,
	.state_regrow = state_regrow,
	.limits = NULL,
};
