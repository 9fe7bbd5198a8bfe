/*
 * journey_core.h — the journey type and attribution: one user's
 * time-ordered impressions, clicks and conversions, and the credit each
 * conversion gives to the touches before it under a window and a model.
 *
 * Plain C99, no postgres.h, no allocation: every function works on buffers
 * the caller owns.  A "body" is a journey value without its varlena header.
 * All values passed in must have been accepted by journey_validate()
 * unless a function says otherwise; values this API writes always are.
 *
 * An event is (ts, kind, touch, value):
 *	 ts		int64, PostgreSQL timestamptz microseconds, within its range or
 *			infinite (see JOURNEY_TS_MIN; arithmetic on the infinities
 *			never overflows here);
 *	 kind	JOURNEY_IMPRESSION, JOURNEY_ENGAGED_VIEW, JOURNEY_CLICK or
 *			JOURNEY_CONVERSION;
 *	 touch	a byte string (the campaign, creative, ...) or NULL (no touch;
 *			allowed for every kind: an impression or click with a NULL touch
 *			is still credited, with touch NULL and its touch_kind set);
 *	 value	a float8 or NULL; conversions only (the revenue): a value given
 *			with an impression or click is dropped.  Values are stored
 *			normalised (journey_value_bits), so equal SQL values give equal
 *			bytes.
 * A journey keeps its events in canonical order: by ts, then kind
 * (impressions, engaged views, clicks, conversions), then touch (NULL first, then
 * bytewise), then value; events equal in all four are all kept.
 *
 * Stored format: docs/FORMAT.md, "journey" (the event order exactly, the
 * arrays, the limits).  In short, for the caller: CANONICAL (the events
 * sorted, each distinct touch string once, in text order) is what is
 * stored and what attribution and the accessors read; KEYED_STATE
 * (column arrays with spare capacity and a keyed string table, appended
 * to in place) is the aggregate state, and STATE is 0.1's, read and
 * converted but never written.  The canonical form depends only on the
 * multiset of events, never on row order or on how the input was split
 * and merged.  Below, "a STATE" is either state representation.
 */
#ifndef IMPRESSION_EXT_JOURNEY_CORE_H
#define IMPRESSION_EXT_JOURNEY_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JOURNEY_FORMAT_VERSION		1
#define JOURNEY_REP_CANONICAL		1
#define JOURNEY_REP_STATE			2	/* 0.1's, unkeyed table: read, never written */
#define JOURNEY_REP_KEYED_STATE		3	/* the aggregate state since 0.2 */

#define JOURNEY_HEADER_SIZE			20	/* CANONICAL */
#define JOURNEY_STATE_HEADER_SIZE	36

#define JOURNEY_NO_TOUCH			UINT32_C(0xFFFFFFFF)

/*
 * Timestamps are PostgreSQL's timestamptz: microseconds since
 * 2000-01-01 00:00 UTC, within its range [JOURNEY_TS_MIN, JOURNEY_TS_END)
 * (4714-11-24 BC to 294277-01-01), or INT64_MIN / INT64_MAX for -infinity
 * / infinity.  Anything else is rejected.  An event at an infinite time
 * takes no part in attribution: such a touch never qualifies, such a
 * conversion is unattributed (no finite lag comes from an infinity).
 */
#define JOURNEY_TS_MIN				INT64_C(-211813488000000000)
#define JOURNEY_TS_END				INT64_C(9223371331200000000)
#define JOURNEY_TS_NOBEGIN			INT64_MIN
#define JOURNEY_TS_NOEND			INT64_MAX
#define JOURNEY_KIND_MASK			0x03
#define JOURNEY_KIND_HAS_VALUE		0x04

/*
 * Limits.  The functions build no body (state or canonical) over
 * JOURNEY_MAX_BUILT_SIZE, 256 MB, so that every journey that can be built
 * can also be printed (its text form, \x and hex, is twice as long, and
 * PostgreSQL allocates at most 1 GB at once), dumped and restored.  Values
 * up to JOURNEY_MAX_BODY_SIZE (1 GB - 1 - VARHDRSZ, 0.1's limit for
 * building) are still read.
 */
#define JOURNEY_MAX_EVENTS			(UINT32_C(1) << 26)
#define JOURNEY_MAX_STRINGS			(UINT32_C(1) << 24)
#define JOURNEY_MAX_BODY_SIZE		((size_t) 0x3FFFFFFB)
#define JOURNEY_MAX_BUILT_SIZE		((size_t) 1 << 28)

/*
 * Up to this many events (and strings) canonicalize and attribute need no
 * scratch: they work in arrays on the stack / in the iterator.
 */
#define JOURNEY_SMALL				64

/*
 * A STATE with at most this many strings of capacity has no hash table:
 * most journeys touch a handful of campaigns, and a scan of a few short
 * strings costs less than hashing, while the table's slots would be most
 * of a one-event state.
 */
#define JOURNEY_LINEAR_STRINGS		8

/* the normalised NaN */
#define JOURNEY_NAN_BITS			UINT64_C(0x7FF8000000000000)

/* special returns of journey_state_add / journey_state_merge */
#define JOURNEY_TOO_LARGE			SIZE_MAX	/* a JOURNEY_MAX_* limit */
#define JOURNEY_BAD_ARGUMENT		(SIZE_MAX - 1)	/* bad kind: caller bug */

/*
 * The stored kind codes.  Engaged views came in 0.2 and took the one code
 * 0.1 left free, so their code does not follow their place in the event
 * order (journey_kind_rank): 0.1's journeys keep their bytes.
 */
typedef enum JourneyKind
{
	JOURNEY_IMPRESSION = 0,
	JOURNEY_CLICK = 1,
	JOURNEY_CONVERSION = 2,
	JOURNEY_ENGAGED_VIEW = 3
} JourneyKind;

/* a kind's place at equal timestamps: impression, engaged view, click, conversion */
static inline unsigned
journey_kind_rank(unsigned kind)
{
	return kind == JOURNEY_ENGAGED_VIEW ? 1 : kind == JOURNEY_IMPRESSION ? 0 : kind + 1;
}

static inline unsigned
journey_kind_of_rank(unsigned rank)
{
	return rank == 1 ? JOURNEY_ENGAGED_VIEW : rank == 0 ? JOURNEY_IMPRESSION : rank - 1;
}

typedef enum JourneyModel
{
	JOURNEY_LAST_TOUCH = 0,
	JOURNEY_FIRST_TOUCH = 1,
	JOURNEY_LINEAR = 2,
	JOURNEY_TIME_DECAY = 3,
	JOURNEY_POSITION_BASED = 4
} JourneyModel;

/* for an errdetail naming the allowed models */
#define JOURNEY_MODEL_NAMES \
	"last_touch, first_touch, linear, time_decay, position_based"

/*
 * Names.  The parsers take (pointer, length), not NUL-terminated (a text
 * datum's VARDATA_ANY), match exactly ("impression", "engaged_view",
 * "click", "conversion"; the model names above) and return false on anything else
 * (the glue raises the error, naming the bad value).  The name functions
 * return a static string, "?" for a bad code.
 */
extern bool journey_kind_parse(const char *name, size_t len, JourneyKind *out);
extern const char *journey_kind_name(JourneyKind kind);
extern bool journey_model_parse(const char *name, size_t len, JourneyModel *out);
extern const char *journey_model_name(JourneyModel model);

/* ---------------------------------------------------------------------
 * Validation
 * --------------------------------------------------------------------- */

/*
 * NULL if body[0..len) is a valid journey body (any representation),
 * else a human-readable message saying what is wrong.  Checks every
 * length, count, range and ordering before reading; never reads outside
 * [body, body + len).  Time O(len) (plus, for more than 262,144 strings,
 * one pass over the touches per 262,144 strings for the used check).  The
 * message lives in a static buffer that the next call overwrites
 * (backends are single-threaded).
 */
extern const char *journey_validate(const uint8_t *body, size_t len);

/* ---------------------------------------------------------------------
 * Aggregate state protocol
 *
 * The state is a KEYED_STATE body in a caller-allocated buffer.  Its size
 * is a function of four capacities; when one is exhausted, add and merge
 * say which capacities to grow to:
 *
 *		JourneyCapacity cap;
 *
 *		need = journey_state_add(st, len, ts, kind, touch, touch_len,
 *								 has_value, value, &cap);  (or _merge)
 *		while (need != 0)
 *		{
 *			if (need == JOURNEY_TOO_LARGE) ereport(ERROR, ...);
 *			new = palloc(need);
 *			if (!journey_state_regrow(new, need, st, len, &cap))
 *				elog(ERROR, ...);
 *			st = new; len = need;		(the old buffer may be freed)
 *			need = journey_state_add(st, len, ...);		(retry)
 *		}
 *
 * A call that returns nonzero has not changed the state.  The state is
 * always valid between calls.  It is modified in place, so it must be a
 * private, writable copy.  A CANONICAL value (or a 0.1 STATE) may be
 * used as a state: the first add or merge returns a size and regrow turns
 * it into a KEYED_STATE.  Adding is O(1) amortised (append; the touch is
 * interned through the hash table); capacities double when they grow.
 *
 * What the glue calls when:
 *	 transition (journey_agg)  state NULL: palloc
 *							   journey_state_initial_size(touch_len),
 *							   journey_state_init(st, len, NULL); then the add
 *							   loop with the row (touch NULL: touch = NULL;
 *							   value NULL or absent: has_value false).
 *	 combine				   state1 NULL: copy of state2; else the merge
 *							   loop (state2 is only read, and was validated:
 *							   it came from another process).
 *	 final / output			   journey_canonical_size(),
 *							   journey_canonical_scratch_size() (0 for up to
 *							   64 events and strings: nothing to allocate),
 *							   journey_canonicalize() -> exact length for
 *							   SET_VARSIZE.  Never free the state.
 *	 zero rows				   journey_init_empty(): 20 bytes, no events.
 *	 attribute(), equality, hash, every accessor: on a value that
 *							   journey_needs_canonicalize(), canonicalize
 *							   into a temporary first.
 *	 every value from outside (in, recv, bytea cast, combine's state2):
 *							   journey_validate() first.
 * --------------------------------------------------------------------- */

typedef struct JourneyCapacity
{
	uint32_t	events;			/* Ecap */
	uint32_t	values;			/* Vcap */
	uint32_t	strings;		/* Scap */
	uint32_t	bytes;			/* Bcap */
} JourneyCapacity;

/*
 * H for a string capacity: 0 up to JOURNEY_LINEAR_STRINGS, else the
 * smallest power of two >= 2 strings
 */
extern uint32_t journey_hash_slots(uint32_t strings);

/*
 * KEYED_STATE body size for these capacities; 0 if a capacity is beyond
 * its limit or the size would exceed JOURNEY_MAX_BUILT_SIZE.
 */
extern size_t journey_state_size(const JourneyCapacity *cap);

/*
 * The first state's capacities: 1 event, no value, 1 string, no bytes: a
 * 53-byte body.  journey_state_initial_size(first_touch_len) is that with
 * room for the first row's touch, rounded as below: 60 bytes, a 64-byte
 * palloc with the varlena header, for a touch of up to 7 bytes (half of
 * the users in a typical campaign log have a single event; later events
 * grow the state).  journey_state_init(body, len, NULL) takes the initial
 * capacities and gives the rest of len to string bytes.  Sizes returned by
 * add and merge (and the initial size) are rounded so that body + 4 is a
 * power of two up to 8 KB (AllocSet's chunk sizes), the slack going to
 * more events (13 bytes each), the remainder to string bytes.
 */
extern void journey_initial_capacity(JourneyCapacity *cap);
extern size_t journey_state_initial_size(size_t first_touch_len);

/*
 * Make body[0..len) an empty KEYED_STATE with capacities *cap, len ==
 * journey_state_size(cap); or, with cap NULL, the initial capacities and
 * bytes = len - 53 (len >= 53).  seed keys its string table, if it has one
 * (the caller draws it at random).  Returns false (writing nothing)
 * otherwise.
 */
extern bool journey_state_init(uint8_t *body, size_t len,
							   const JourneyCapacity *cap, uint64_t seed);

/* the canonical empty journey: JOURNEY_HEADER_SIZE bytes */
extern bool journey_init_empty(uint8_t *body, size_t len);

/*
 * Add one event.  touch == NULL means a NULL touch (touch_len ignored);
 * has_value/value are ignored unless kind is JOURNEY_CONVERSION.  Returns
 * 0 when added; otherwise nothing was changed and the return is the body
 * size to regrow to, with *grow set to the capacities to pass to
 * journey_state_regrow; or JOURNEY_TOO_LARGE (a JOURNEY_MAX_* limit would
 * be passed), or JOURNEY_BAD_ARGUMENT (kind is not a JourneyKind, or ts
 * is not a timestamptz: see JOURNEY_TS_MIN).
 */
extern size_t journey_state_add(uint8_t *body, size_t len, int64_t ts,
								JourneyKind kind, const uint8_t *touch,
								size_t touch_len, bool has_value, double value,
								JourneyCapacity *grow);

/*
 * Append every event of the valid value src (any representation) to
 * the state dst: the merge of two journeys is the journey of the
 * concatenated events.  Returns 0 when done, else as journey_state_add
 * (nothing was changed).  dst and src must not overlap.
 */
extern size_t journey_state_merge(uint8_t *dst, size_t dstlen,
								  const uint8_t *src, size_t srclen,
								  JourneyCapacity *grow);

/*
 * Build in dst[0..dstlen) a KEYED_STATE with capacities *cap holding the
 * events and strings of the valid value src (any representation).  Its
 * table, if it has one, keeps src's seed when src has a keyed table, else
 * takes seed.  dstlen must be journey_state_size(cap) and cap must hold
 * src's counts; returns false otherwise (a caller bug).  dst and src must
 * not overlap.
 */
extern bool journey_state_regrow(uint8_t *dst, size_t dstlen,
								 const uint8_t *src, size_t srclen,
								 const JourneyCapacity *cap, uint64_t seed);

/* ---------------------------------------------------------------------
 * Canonical form
 * --------------------------------------------------------------------- */

/*
 * A dst size journey_canonicalize can write to: len for a CANONICAL value;
 * for a STATE 20 + 4S + 13E + 8V + B, which is the exact result size for a
 * state this API built (a state from outside with duplicate or unused
 * strings comes out shorter).
 */
extern size_t journey_canonical_size(const uint8_t *body, size_t len);

/*
 * Scratch bytes journey_canonicalize needs: 0 for a CANONICAL value or a
 * STATE with at most JOURNEY_SMALL events and strings (it sorts on the
 * stack), else 12 S + 8 when the events are already in order (one pass
 * finds out) and 16 E + 12 S + 8 when they must be sorted.
 */
extern size_t journey_canonical_scratch_size(const uint8_t *body, size_t len);

/*
 * Write the canonical form of src into dst (dstlen >=
 * journey_canonical_size) and return its exact length, or 0 if dst or
 * the scratch (any alignment) is too small.  Sorting is O(E log E) (O(E)
 * for events added in order) plus O(B log S) for the strings.  dst,
 * scratch and src must not overlap.
 */
extern size_t journey_canonicalize(uint8_t *dst, size_t dstlen,
								   const uint8_t *src, size_t srclen,
								   void *scratch, size_t scratchlen);

/* true if the value is a STATE, i.e. not canonical */
extern bool journey_needs_canonicalize(const uint8_t *body, size_t len);

/*
 * true if the header alone shows a canonical value (CANONICAL): the
 * comparison and hash functions then use its bytes as they are, without
 * decoding them, since equal canonical values are equal bytes.  Reads at
 * most the header; safe on any bytes.
 */
extern bool journey_canonical_by_header(const uint8_t *body, size_t len);

/* ---------------------------------------------------------------------
 * Reading a CANONICAL journey
 * --------------------------------------------------------------------- */

typedef struct JourneyInfo
{
	int			version;
	int			representation; /* JOURNEY_REP_* */
	const char *representation_name;	/* "canonical", "state" */
	uint32_t	events;
	uint32_t	impressions;
	uint32_t	engaged_views;
	uint32_t	clicks;
	uint32_t	conversions;
	uint32_t	values;			/* conversions with a value */
	uint32_t	strings;
	uint32_t	string_bytes;
	size_t		bytes;			/* body length */
} JourneyInfo;

/* counts of a valid value (any representation) */
extern void journey_get_info(const uint8_t *body, size_t len, JourneyInfo *info);

/*
 * The longest probe in a state's string table: the largest distance of a
 * string's slot from where its hash starts the probe (0 without a table).
 * What hash flooding would drive up; the tests watch it.
 */
extern uint32_t journey_state_max_probe(const uint8_t *body, size_t len);

/* the number of events of a valid value, any representation (O(1)) */
extern uint32_t journey_event_count(const uint8_t *body, size_t len);

/*
 * The touch strings of a valid value, any representation: how many,
 * and string i (i < that count) as bytes, not NUL-terminated.
 */
extern uint32_t journey_string_count(const uint8_t *body, size_t len);
extern const uint8_t *journey_string(const uint8_t *body, size_t len, uint32_t i,
									 size_t *slen);

/*
 * Event i of a valid CANONICAL journey (false if out of range or a
 * STATE).  touch is a pointer into the body (NULL with touch_index ==
 * JOURNEY_NO_TOUCH).  O(1), but O(i) for an event with a value (values
 * are stored only for the events that have one): for tests and
 * inspection, not for hot loops.
 */
typedef struct JourneyEvent
{
	int64_t		ts;
	JourneyKind kind;
	uint32_t	touch_index;
	const uint8_t *touch;
	uint32_t	touch_len;
	bool		has_value;
	double		value;
} JourneyEvent;

extern bool journey_event(const uint8_t *body, size_t len, uint32_t i,
						  JourneyEvent *ev);

/*
 * The same for reading events in order: *values_before is the number of
 * events with a value before i (start at 0 with i = 0 and call with i =
 * 0, 1, 2, ...; each call advances it).  O(1).
 */
extern bool journey_event_seq(const uint8_t *body, size_t len, uint32_t i,
							  uint32_t *values_before, JourneyEvent *ev);

/* ---------------------------------------------------------------------
 * Attribution
 *
 * For each conversion, in canonical order, with t its ts: a touch
 * qualifies when 0 <= t - touch_ts <= its window (click_window for clicks,
 * engaged_window for engaged views, view_window for impressions; inclusive
 * at both ends).  If any click qualifies, the qualifying clicks share the
 * credit; else the qualifying engaged views; else the qualifying
 * impressions; else one unattributed row (attributed false, credit 1).
 * Among the W qualifying touches, in canonical order:
 *	 last_touch		 one row, the last: credit 1
 *	 first_touch	 one row, the first: credit 1
 *	 linear			 W rows, 1/W each
 *	 time_decay		 W rows, weight 2^(-lag / half_life), normalised to sum
 *					 1 (computed relative to the smallest lag, so weights
 *					 never all underflow)
 *	 position_based	 W rows: 1 -> 1; 2 -> 1/2 each; >= 3 -> 0.4 to the
 *					 first and the last, 0.2 / (W - 2) to each middle one
 * The credits of one conversion sum to 1 up to rounding.  value = credit x
 * the conversion's value (NULL stays NULL), lag = t - touch_ts.  A
 * conversion is never a touch; touches may serve several conversions.
 * Rows come conversion by conversion, touches in canonical order.  Time
 * O(E + rows) (last_touch and first_touch: O(E)).
 * --------------------------------------------------------------------- */

typedef struct JourneyParams
{
	JourneyModel model;
	int64_t		click_window;	/* microseconds, >= 0 */
	int64_t		view_window;	/* microseconds, >= 0 */
	int64_t		half_life;		/* microseconds, > 0 (time_decay) */
	int64_t		engaged_window; /* microseconds, >= 0 */
} JourneyParams;

/*
 * NULL if the parameters are valid, else a message (an unknown model, a
 * negative window, a non-positive half-life).  The half-life is checked
 * whatever the model, as the SQL default is always passed.
 */
extern const char *journey_params_check(const JourneyParams *params);

typedef struct JourneyRow
{
	int64_t		conversion_ts;
	uint32_t	conversion_event;	/* event index of the conversion */
	bool		attributed;		/* false: touch, touch_kind, touch_ts and
								 * lag are NULL */
	JourneyKind touch_kind;		/* JOURNEY_IMPRESSION, _ENGAGED_VIEW or _CLICK */
	int64_t		touch_ts;
	int64_t		lag;			/* conversion_ts - touch_ts, >= 0 */
	int64_t		touch_index;	/* string index, -1: touch NULL */
	const uint8_t *touch;		/* into the body; NULL when touch NULL */
	uint32_t	touch_len;
	double		credit;
	bool		value_is_null;
	double		value;			/* credit x conversion value */
} JourneyRow;

/*
 * The iterator: journey_attribute_begin, then journey_attribute_next
 * until it returns false.  It lives on the caller's stack, holds no
 * resources and may be copied between calls.  Journeys with more than
 * JOURNEY_SMALL events need scratch of journey_attribute_scratch_size()
 * bytes (any alignment), which must outlive the iteration.  The fields
 * are private.
 */
typedef struct JourneyAttribution
{
	const uint8_t *body;
	JourneyParams params;
	uint32_t	nevents;
	const uint8_t *ends;
	const uint8_t *ts;
	const uint8_t *touch;
	const uint8_t *kind;
	const uint8_t *values;
	const uint8_t *bytes;
	uint32_t   *ext;			/* caller's scratch (aligned), or NULL:
								 * inline_buf */
	uint32_t	nclicks;		/* list[0 .. nclicks): the clicks' event
								 * indexes, ascending */
	uint32_t	nengaged;		/* list[nclicks .. + nengaged): the engaged
								 * views' */
	uint32_t	nimps;			/* then the impressions' */
	uint32_t	pos;			/* next event to look at for a conversion */
	uint32_t	value_index;	/* values used before pos */
	uint32_t	click_lo;		/* first click possibly in a window */
	uint32_t	click_hi;		/* clicks before the conversion */
	uint32_t	eng_lo;
	uint32_t	eng_hi;
	uint32_t	imp_lo;
	uint32_t	imp_hi;
	/* the conversion being emitted */
	bool		in_conversion;
	uint32_t	conv;
	int64_t		conv_ts;
	bool		conv_has_value;
	double		conv_value;
	uint32_t	group_base;		/* where the group's list starts in list[] */
	uint32_t	group_lo;		/* qualifying: list[base + lo .. base + hi) */
	uint32_t	group_hi;
	uint32_t	next;			/* next of them to emit */
	uint32_t	emit_end;
	double		decay_sum;
	int64_t		min_lag;
	uint32_t	inline_buf[JOURNEY_SMALL];
} JourneyAttribution;

/* 0 for at most JOURNEY_SMALL events, else 4 E + 4 */
extern size_t journey_attribute_scratch_size(const uint8_t *body, size_t len);

/*
 * Start attributing the valid CANONICAL journey body[0..len) (it must
 * outlive the iteration).  False if the body is a STATE, the parameters
 * are invalid (journey_params_check) or the scratch is too small.
 */
extern bool journey_attribute_begin(JourneyAttribution *it,
									const uint8_t *body, size_t len,
									const JourneyParams *params,
									void *scratch, size_t scratchlen);

/* the next row into *row: true, or false when there are no more */
extern bool journey_attribute_next(JourneyAttribution *it, JourneyRow *row);

/*
 * The number of rows attribute() returns, in O(E) without scratch; 0 for
 * a STATE or invalid parameters.
 */
extern uint64_t journey_attribute_count(const uint8_t *body, size_t len,
										const JourneyParams *params);

/* ---------------------------------------------------------------------
 * Helpers shared with the tests
 * --------------------------------------------------------------------- */

/* the string hash of a 0.1 STATE's table (FNV-1a 64, folded) */
extern uint32_t journey_string_hash(const uint8_t *s, size_t len);

/* a value's stored bits: -0.0 -> +0.0, every NaN -> JOURNEY_NAN_BITS */
extern uint64_t journey_value_bits(double value);

#endif							/* IMPRESSION_EXT_JOURNEY_CORE_H */
