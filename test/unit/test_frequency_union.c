/*
 * test_frequency_union.c — unit tests of the sorted union
 * (src/core/frequency_union.c), frequency_union_agg's state for large
 * inputs: on random rollups, split and ordered at random, with empty
 * values, smaller k and saturating counts, it must give the bytes the
 * table path gives (frequency_state_merge, then the canonical form) and
 * the reference model; its size must be what it writes; and a stored
 * sketch with a broken entry must fail the merge and leave the union as
 * it was.
 */
#include "frequency_test_util.h"

/* writes whose length is not the size, or that fill a buffer too short */
static int	write_errors = 0;

/* a union and its arrays, grown as frequency.c grows them */
typedef struct Un
{
	FrequencyUnion u;
	FrequencyEntry *spare;
	uint32_t	capacity;
} Un;

static void
un_init(Un *x, uint32_t k)
{
	frequency_union_init(&x->u, k, NULL);
	x->spare = NULL;
	x->capacity = 0;
}

/* merge src (canonical): false if the merge refused it */
static bool
un_merge(Un *x, const Sk *src)
{
	uint32_t	room = frequency_union_room(&x->u, src->b);
	FrequencyEntry *old;

	if (room > x->capacity)
	{
		/* exact sizes, so that ASan sees any write past the room */
		FrequencyEntry *e = malloc(sizeof(FrequencyEntry) * room + 1);

		if (x->u.n > 0)
			memcpy(e, x->u.entries, sizeof(FrequencyEntry) * x->u.n);
		free(x->u.entries);
		free(x->spare);
		x->u.entries = e;
		x->spare = malloc(sizeof(FrequencyEntry) * room + 1);
		x->capacity = room;
	}
	old = x->u.entries;
	if (!frequency_union_merge(&x->u, src->b, src->len, x->spare, x->capacity))
		return false;
	x->spare = old;
	return true;
}

/* the canonical bytes of the union, checked to be exactly its size and valid */
static Sk
un_write(const Un *x)
{
	Sk			c;
	size_t		size = frequency_union_size(&x->u);

	c.b = malloc(size);
	c.len = frequency_union_write(&x->u, c.b, size);
	write_errors += c.len != size || frequency_union_write(&x->u, c.b, size - 1) != 0;
	must_validate(&frequency_sketch_type, &c, "written union");
	return c;
}

static void
un_free(Un *x)
{
	free(x->u.entries);
	free(x->spare);
}

/*
 * Random rollups (make_rollup, some rows empty) merged in order through
 * the sorted union and through the table path, and split: a table state
 * of the first rows taken in as its canonical form (frequency.c switches
 * so when a union grows).  All must be the model's bytes.
 */
static void
test_equivalence(void)
{
	uint64_t	rng = 4711;
	uint32_t	ks[] = {16, 40, 300, 1024, 4096};
	int			trials = 200 / SCALE;
	int			bad_table = 0;
	int			bad_model = 0;
	int			bad_split = 0;
	int			refused = 0;
	int			trial;

	for (trial = 0; trial < trials; trial++)
	{
		uint32_t	k = ks[splitmix64(&rng) % 5];
		Rollup		r = make_rollup(&rng, k, 1 + (size_t) (splitmix64(&rng) % 9000), 7);
		int			cut = (int) (splitmix64(&rng) % (unsigned) r.rows);
		Sk			table = sk_state(k);
		Sk			head = sk_state(k);
		Sk			want = model_canon(r.kwant, r.ev, r.nev);
		Sk			got;
		Un			x;
		Un			y;
		int			d;

		un_init(&x, k);
		un_init(&y, k);
		for (d = 0; d < r.rows; d++)
		{
			refused += !un_merge(&x, &r.row[d]);
			sk_merge(&table, &r.row[d]);
			if (d < cut)
				sk_merge(&head, &r.row[d]);
		}
		got = un_write(&x);
		bad_model += !buf_eq(&got, &want);
		buf_free(&got);
		got = sk_canon(&table);
		bad_table += !buf_eq(&got, &want);
		buf_free(&got);

		/* the first rows as a table state, then its canonical form */
		got = sk_canon(&head);
		refused += !un_merge(&y, &got);
		buf_free(&got);
		for (d = cut; d < r.rows; d++)
			refused += !un_merge(&y, &r.row[d]);
		got = un_write(&y);
		bad_split += !buf_eq(&got, &want);
		buf_free(&got);
		buf_free(&want);
		buf_free(&table);
		buf_free(&head);
		un_free(&x);
		un_free(&y);
		rollup_free(&r);
	}
	CHECK(refused == 0, "%d valid values refused", refused);
	CHECK(bad_table == 0, "%d of %d table unions differ from the model", bad_table, trials);
	CHECK(bad_model == 0, "%d of %d sorted unions differ from the model", bad_model, trials);
	CHECK(bad_split == 0, "%d of %d split unions differ from the model", bad_split, trials);
	CHECK(protocol_errors == 0, "protocol errors %d", protocol_errors);
}

/* the k rule of frequency_state_merge: an empty value changes no non-empty one */
static void
test_k_rule(void)
{
	size_t		nev;
	Ev		   *ev = make_events(5, 3000, 0.3, 9, &nev, NULL);
	Sk			a = sk_of(1024, ev, nev);
	Sk			e16 = sk_of(16, ev, 0);
	Sk			want = sk_of(1024, ev, nev);
	Sk			got;
	Un			x;

	un_init(&x, 4096);
	CHECK(un_merge(&x, &e16) && x.u.k == 16, "empty 4096 + empty 16: k 16");
	CHECK(un_merge(&x, &a) && x.u.k == 1024, "then a non-empty value sets its k");
	CHECK(un_merge(&x, &e16) && x.u.k == 1024, "and a later empty value changes nothing");
	got = un_write(&x);
	CHECK(buf_eq(&got, &want), "the result is the value");
	buf_free(&got);
	un_free(&x);
	un_init(&x, 4096);
	got = un_write(&x);
	CHECK(got.len == FREQUENCY_HEADER_SIZE && rd32(got.b + 4) == 4096 && rd64(got.b + 12) == UINT64_MAX,
		  "nothing merged: the empty value at k");
	buf_free(&got);
	un_free(&x);
	buf_free(&a);
	buf_free(&e16);
	buf_free(&want);
	free(ev);
}

/*
 * Hostile: every single-bit corruption of a stored sketch that the
 * shallow check passes but the full one rejects must fail the merge,
 * into an empty union and into one sampling below its theta (where the
 * entries past theta are only checked), and leave the union unchanged;
 * a STATE source and a short room are refused too.
 */
static void
test_hostile(void)
{
	size_t		nev;
	Ev		   *ev = make_events(77, 5000, 0.4, 5, &nev, NULL);
	Sk			src = sk_of(1024, ev, nev);
	Sk			big;
	Sk			st = sk_state(1024);
	Un			into[2];
	uint64_t	rng = 99;
	int			shallow_only = 0;
	int			silent = 0;
	int			moved = 0;
	int			it;
	int			w;

	free(ev);
	ev = make_events(1900000, 40000, 0.4, 7, &nev, NULL);
	big = sk_of(1024, ev, nev);
	free(ev);
	un_init(&into[0], 1024);
	un_init(&into[1], 1024);
	CHECK(un_merge(&into[1], &big) && into[1].u.theta < frequency_hdr_theta(src.b) / 2,
		  "the second union samples below the source's theta");
	for (it = 0; it < 3000; it++)
	{
		Sk			c = buf_copy(&src);
		size_t		at = FREQUENCY_HEADER_SIZE + splitmix64(&rng) % (src.len - FREQUENCY_HEADER_SIZE);

		c.b[at] ^= (uint8_t) (1u << (splitmix64(&rng) % 8));
		if (frequency_validate_shallow(c.b, c.len) == NULL && frequency_validate(c.b, c.len) != NULL)
		{
			shallow_only++;
			for (w = 0; w < 2; w++)
			{
				Sk			before = un_write(&into[w]);
				Sk			after;

				silent += un_merge(&into[w], &c);
				after = un_write(&into[w]);
				moved += !buf_eq(&before, &after);
				buf_free(&before);
				buf_free(&after);
			}
		}
		buf_free(&c);
	}
	CHECK(shallow_only > 100, "%d corruptions passed the shallow check only", shallow_only);
	CHECK(silent == 0 && moved == 0, "of them, %d merged and %d changed the union", silent, moved);
	sk_add(&st, 5, 1);
	CHECK(!frequency_union_merge(&into[0].u, st.b, st.len, into[0].spare, into[0].capacity),
		  "a STATE source is refused");
	CHECK(!frequency_union_merge(&into[1].u, src.b, src.len, into[1].spare,
								 frequency_union_room(&into[1].u, src.b) - 1),
		  "a room short of what the merge may need is refused");
	for (w = 0; w < 2; w++)
		un_free(&into[w]);
	buf_free(&st);
	buf_free(&src);
	buf_free(&big);
}

int
main(int argc, char **argv)
{
	(void) argc;
	test_equivalence();
	test_k_rule();
	test_hostile();
	CHECK(write_errors == 0, "%d writes of a union were not its size", write_errors);
	return sketch_report(argv[0]);
}
