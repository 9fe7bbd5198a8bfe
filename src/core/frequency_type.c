/*
 * frequency_type.c — frequency_sketch's descriptor (sketch_type.h): the
 * adapters from the generic protocol to the core's API, which takes k
 * where the protocol takes defaults and needs no plan.
 */
#include "frequency_core.h"
#include "sketch_type.h"

_Static_assert(FREQUENCY_BAD_SOURCE == IE_GROW_BAD_SOURCE,
			   "frequency's merge codes are the protocol's");

static bool
init_empty(uint8_t *body, size_t len)
{
	return frequency_init_empty(body, len, FREQUENCY_DEFAULT_K);
}

static size_t
canonicalize(uint8_t *dst, size_t dstlen, const uint8_t *src, size_t srclen,
			 void *scratch, size_t scratchlen)
{
	(void) scratch;
	(void) scratchlen;
	return frequency_canonicalize(dst, dstlen, src, srclen);
}

static bool
state_init(uint8_t *body, size_t len, uint64_t seed)
{
	return frequency_state_init(body, len, FREQUENCY_DEFAULT_K, seed);
}

static size_t
state_merge(uint8_t *dst, size_t dstlen, const uint8_t *src, size_t srclen, void *plan)
{
	(void) plan;
	return frequency_state_merge(dst, dstlen, src, srclen);
}

static bool
state_regrow(uint8_t *dst, size_t dstlen, const uint8_t *src, size_t srclen,
			 const void *plan, uint64_t seed)
{
	(void) plan;
	return frequency_state_regrow(dst, dstlen, src, srclen, seed);
}

const IeSketchType frequency_sketch_type = {
	.name = "frequency_sketch",
	.validate = frequency_validate,
	.empty_size = FREQUENCY_HEADER_SIZE,
	.init_empty = init_empty,
	.canonical_by_header = frequency_canonical_by_header,
	.needs_canonicalize = frequency_needs_canonicalize,
	.canonical_size = frequency_canonical_size,
	.scratch_size = NULL,
	.canonicalize = canonicalize,
	.state_initial_size = frequency_state_initial_size,
	.state_init = state_init,
	.plan_size = 0,
	.state_merge = state_merge,
	.state_regrow = state_regrow,
	.limits = NULL,
};
