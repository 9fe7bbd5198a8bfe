/*
 * journey_type.c — journey's descriptor (sketch_type.h).  A journey's
 * growth plan is its JourneyCapacity (events, values, strings, bytes),
 * which its add and merge fill and its regrow takes.
 */
#include <stdio.h>

#include "journey_core.h"
#include "sketch_type.h"

_Static_assert(sizeof(JourneyCapacity) <= IE_GROW_PLAN_MAX,
			   "a journey's plan must fit IE_GROW_PLAN_MAX");
_Static_assert(JOURNEY_TOO_LARGE == IE_GROW_TOO_LARGE &&
			   JOURNEY_BAD_ARGUMENT == IE_GROW_BAD_ARGUMENT,
			   "a journey's growth sentinels are the protocol's");

static size_t
state_initial_size(void)
{
	return journey_state_initial_size(0);
}

static bool
state_init(uint8_t *body, size_t len, uint64_t seed)
{
	return journey_state_init(body, len, NULL, seed);
}

static size_t
state_merge(uint8_t *dst, size_t dstlen, const uint8_t *src, size_t srclen, void *plan)
{
	return journey_state_merge(dst, dstlen, src, srclen, (JourneyCapacity *) plan);
}

static bool
state_regrow(uint8_t *dst, size_t dstlen, const uint8_t *src, size_t srclen,
			 const void *plan, uint64_t seed)
{
	return journey_state_regrow(dst, dstlen, src, srclen,
								(const JourneyCapacity *) plan, seed);
}

static const char *
limits(void)
{
	static char sentence[200];

	snprintf(sentence, sizeof(sentence),
			 "A journey holds at most %u events, %u distinct touches and %zu bytes (so that its text form, twice as long, can be printed, dumped and restored).",
			 (unsigned) JOURNEY_MAX_EVENTS, (unsigned) JOURNEY_MAX_STRINGS,
			 (size_t) JOURNEY_MAX_BUILT_SIZE);
	return sentence;
}

const IeSketchType journey_type = {
	.name = "journey",
	.validate = journey_validate,
	.empty_size = JOURNEY_HEADER_SIZE,
	.init_empty = journey_init_empty,
	.canonical_by_header = journey_canonical_by_header,
	.needs_canonicalize = journey_needs_canonicalize,
	.canonical_size = journey_canonical_size,
	.scratch_size = journey_canonical_scratch_size,
	.canonicalize = journey_canonicalize,
	.state_initial_size = state_initial_size,
	.state_init = state_init,
	.plan_size = sizeof(JourneyCapacity),
	.state_merge = state_merge,
	.state_regrow = state_regrow,
	.limits = limits,
};
