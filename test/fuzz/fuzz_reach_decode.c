/*
 * fuzz_reach_decode — arbitrary bytes as a reach_sketch body and as a
 * postgresql-hll value.
 *
 * A body that reach_validate accepts is then used in every way the SQL
 * functions use a decoded value (info, estimate, error, expand,
 * canonicalize, equality, union with itself / with a small sketch / in a
 * fresh state, adds, export to hll), checking the promises of
 * reach_core.h on the way.  The same bytes go to the hll import parser;
 * an accepted hll value is imported and the result exercised the same
 * way.  reach_expand also gets the raw bytes, since it promises to stay
 * inside its buffers even for values that were not validated.
 */
#include "fuzz_common.h"

/* a small canonical sketch from n hashes of ids [base, base + n) at p */
static Buf
small_sketch(int p, uint64_t base, unsigned n)
{
	Buf			st = reach_new_state(p);
	Buf			c;
	unsigned	i;

	for (i = 0; i < n; i++)
		reach_add(&st, ie_hash_int64((int64_t) (base + i)));
	c = canonical(&reach_sketch_type, &st);
	buf_free(&st);
	return c;
}

static void
check_info(const Buf *v)
{
	ReachInfo	info;
	unsigned	p = v->b[1];

	reach_get_info(v->b, v->len, &info);
	FUZZ_ASSERT(info.version == v->b[0] && info.precision == (int) p &&
				info.representation == v->b[2] && info.bytes == v->len &&
				info.registers == (UINT32_C(1) << p) &&
				info.sparse_limit == (UINT32_C(1) << p) / 8 &&
				info.hll_only == ((v->b[3] & REACH_FLAG_HLL_ONLY) != 0) &&
				info.representation_name != NULL,
				"reach_get_info disagrees with the header");
	if (v->b[2] == REACH_REP_SPARSE || v->b[2] == REACH_REP_SPARSE_BUFFER)
		FUZZ_ASSERT(info.nonzero_registers == 0 && info.tokens ==
					((uint32_t) v->b[4] | (uint32_t) v->b[5] << 8 |
					 (uint32_t) v->b[6] << 16 | (uint32_t) v->b[7] << 24),
					"sparse info: tokens %u nonzero %u", info.tokens, info.nonzero_registers);
	else
		FUZZ_ASSERT(info.tokens == 0 && info.nonzero_registers <= info.registers,
					"dense info: tokens %u nonzero %u", info.tokens, info.nonzero_registers);
}

/* export at log2m, re-import, re-export: the same hll bytes */
static void
check_hll_roundtrip(const Buf *v, const Buf *c, int log2m)
{
	Buf			h = reach_hll_export(v, log2m);
	Buf			hc;
	Buf			imp;
	Buf			h2;
	double		est;

	if (h.len == 0)
	{
		/* refused: only for a log2m outside 4..min(p, 17) */
		int			max = v->b[1] < REACH_HLL_MAX_LOG2M ? v->b[1] : REACH_HLL_MAX_LOG2M;

		FUZZ_ASSERT(log2m != 0 && (log2m < REACH_MIN_PRECISION || log2m > max),
					"export refused log2m %d at p %d", log2m, v->b[1]);
		return;
	}
	/* the registers, not the representation, decide the hll bytes */
	hc = reach_hll_export(c, log2m);
	FUZZ_ASSERT(buf_eq(&h, &hc), "hll export differs between a value and its canonical form");
	imp = reach_hll_import(&h);
	est = reach_estimate(imp.b, imp.len);
	FUZZ_ASSERT(est >= 0, "estimate of an imported value: %g", est);
	h2 = reach_hll_export(&imp, 0);
	if (!buf_eq(&h, &h2))
	{
		hexdump_head("export", &h);
		hexdump_head("import", &imp);
		hexdump_head("re-export", &h2);
		FUZZ_FAIL("hll export -> import -> export is not stable (log2m %d)", log2m);
	}
	buf_free(&h2);
	buf_free(&imp);
	buf_free(&hc);
	buf_free(&h);
}

/* everything SQL does with a value that passed reach_validate */
static void
exercise(const Buf *v, uint64_t seed)
{
	unsigned	p = v->b[1];
	unsigned	rep = v->b[2];
	bool		v1 = v->b[0] == 1;
	bool		old = v->b[0] != REACH_FORMAT_VERSION;	/* valid, never canonical */
	double		est = reach_estimate(v->b, v->len);
	double		rse = reach_relative_standard_error(v->b, v->len);
	Buf			e;
	Buf			c;
	Buf			ce;
	Buf			st;
	Buf			t;
	Buf			small;
	Buf			a;
	Buf			b;
	Buf			d;
	Buf			ca;
	Buf			cb;
	Buf			cd;
	int			ps;
	unsigned	nsmall;
	uint64_t	base;
	unsigned	i;

	check_info(v);

	/* estimates */
	if (rep == REACH_REP_SPARSE_BUFFER)
		FUZZ_ASSERT(est == -1 && rse == -1, "buffer estimate %g rse %g", est, rse);
	else
	{
		FUZZ_ASSERT(est >= 0, "estimate %g (rep %u, p %u, flags %u)", est, rep, p, v->b[3]);
		/* infinite only for a censored value with every register at its cap */
		FUZZ_ASSERT(rse >= 0 && (isfinite(rse) || (v->b[3] & REACH_FLAG_CENSOR_MASK) != 0),
					"rse %g (flags 0x%02x)", rse, v->b[3]);
	}

	/* expansion */
	e = reach_expand_buf(v);
	if (rep == REACH_REP_DENSE_PACKED)
	{
		FUZZ_ASSERT(e.len == 8 + ((size_t) 1 << p) && e.b[2] == REACH_REP_DENSE &&
					e.b[1] == p && e.b[3] == v->b[3], "bad expansion of a packed value");
		FUZZ_ASSERT(same_double(reach_estimate(e.b, e.len), est),
					"packed and expanded estimates differ");
		FUZZ_ASSERT(reach_needs_canonicalize(e.b, e.len),
					"the DENSE expansion of a packed value does not need canonicalizing");
	}
	else
		FUZZ_ASSERT(buf_eq(&e, v), "expand changed a non-packed value");

	/* canonical form */
	c = canonical(&reach_sketch_type, v);
	ce = canonical(&reach_sketch_type, &e);
	FUZZ_ASSERT(buf_eq(&c, &ce), "canonical forms of a value and its expansion differ");
	FUZZ_ASSERT(c.b[1] == p && (c.b[3] == v->b[3] || rep == REACH_REP_SPARSE_BUFFER ||
								(v1 && rep == REACH_REP_SPARSE)),
				"canonicalize changed precision or flags");
	FUZZ_ASSERT(c.b[0] == REACH_FORMAT_VERSION, "canonical form of version %u", c.b[0]);
	if (!old && (rep == REACH_REP_SPARSE || rep == REACH_REP_DENSE_PACKED))
		FUZZ_ASSERT(buf_eq(&c, v), "a valid %s value is not its own canonical form",
					rep == REACH_REP_SPARSE ? "SPARSE" : "DENSE_PACKED");
	if (rep == REACH_REP_DENSE && !v1)
		FUZZ_ASSERT(reach_needs_canonicalize(v->b, v->len) == !buf_eq(&c, v),
					"reach_needs_canonicalize disagrees with canonicalize on DENSE");
	if (old)
		FUZZ_ASSERT(reach_needs_canonicalize(v->b, v->len), "a version-%u value needs no conversion",
					v->b[0]);
	/* version 1's sparse estimate counts its own 26-bit tokens */
	if (v1 && rep == REACH_REP_SPARSE)
		FUZZ_ASSERT(reach_estimate(c.b, c.len) >= 0, "estimate of a converted version-1 value");
	else if (rep != REACH_REP_SPARSE_BUFFER)
		FUZZ_ASSERT(same_double(reach_estimate(c.b, c.len), est),
					"canonicalizing changed the estimate: %.17g -> %.17g",
					est, reach_estimate(c.b, c.len));
	else
		FUZZ_ASSERT(reach_estimate(c.b, c.len) >= 0, "estimate of canonicalized buffer");
	check_info(&c);

	/* union with itself (a stored value as the first state): no change */
	st = buf_copy(v);
	merge_value(&reach_sketch_type, &st, v);
	t = canonical(&reach_sketch_type, &st);
	FUZZ_ASSERT(buf_eq(&t, &c), "v || v != v");
	buf_free(&t);
	buf_free(&st);

	/* merged into fresh states: the maximum precision keeps p */
	st = reach_new_state(REACH_MAX_PRECISION);
	merge_value(&reach_sketch_type, &st, v);
	t = canonical(&reach_sketch_type, &st);
	FUZZ_ASSERT(buf_eq(&t, &c), "empty(18) || v != v");
	buf_free(&t);
	merge_value(&reach_sketch_type, &st, &c);
	t = canonical(&reach_sketch_type, &st);
	FUZZ_ASSERT(buf_eq(&t, &c), "empty(18) || v || canonical(v) != v");
	buf_free(&t);
	buf_free(&st);

	/* a fold to a lower precision: the same from v and from canonical(v) */
	ps = REACH_MIN_PRECISION + (int) (seed % (uint64_t) (p - REACH_MIN_PRECISION + 1));
	st = reach_new_state(ps);
	merge_value(&reach_sketch_type, &st, v);
	a = canonical(&reach_sketch_type, &st);
	buf_free(&st);
	st = reach_new_state(ps);
	merge_value(&reach_sketch_type, &st, &c);
	b = canonical(&reach_sketch_type, &st);
	buf_free(&st);
	FUZZ_ASSERT(buf_eq(&a, &b), "fold to p=%d differs between v and canonical(v)", ps);
	FUZZ_ASSERT(a.b[1] == ps, "fold to %d gave precision %d", ps, a.b[1]);
	buf_free(&a);
	buf_free(&b);

	/* union with a small sketch, both ways round and through a fresh state */
	seed = ie_murmur_fmix64(seed + 1);
	ps = REACH_MIN_PRECISION + (int) (seed % 15);
	nsmall = (unsigned) ((seed >> 8) % 40);
	base = (seed >> 16) % 64;
	small = small_sketch(ps, base, nsmall);
	a = buf_copy(v);
	merge_value(&reach_sketch_type, &a, &small);
	ca = canonical(&reach_sketch_type, &a);
	b = buf_copy(&small);
	merge_value(&reach_sketch_type, &b, v);
	cb = canonical(&reach_sketch_type, &b);
	d = reach_new_state(REACH_MAX_PRECISION);
	merge_value(&reach_sketch_type, &d, &small);
	merge_value(&reach_sketch_type, &d, &c);
	cd = canonical(&reach_sketch_type, &d);
	if (!buf_eq(&ca, &cb) || !buf_eq(&ca, &cd))
	{
		hexdump_head("v", v);
		hexdump_head("small", &small);
		hexdump_head("v || small", &ca);
		hexdump_head("small || v", &cb);
		hexdump_head("empty || small || canonical(v)", &cd);
		FUZZ_FAIL("union with a small sketch depends on the order");
	}
	FUZZ_ASSERT(ca.b[1] == (ps < (int) p ? ps : (int) p), "union precision %d", ca.b[1]);
	if (reach_estimate(ca.b, ca.len) < 0)
		FUZZ_FAIL("estimate of a union %g", reach_estimate(ca.b, ca.len));
	buf_free(&a);
	buf_free(&b);
	buf_free(&d);

	/* adding the small sketch's hashes one by one = the union (when no fold) */
	if (ps >= (int) p)
	{
		a = buf_copy(v);
		for (i = 0; i < nsmall; i++)
			reach_add(&a, ie_hash_int64((int64_t) (base + i)));
		must_validate(&reach_sketch_type, &a, "value after adds");
		b = canonical(&reach_sketch_type, &a);
		FUZZ_ASSERT(buf_eq(&b, &ca), "adding hashes != union with their sketch");
		buf_free(&a);
		buf_free(&b);
	}
	buf_free(&ca);
	buf_free(&cb);
	buf_free(&cd);
	buf_free(&small);

	/* postgresql-hll export: default log2m, the smallest, one from the seed */
	check_hll_roundtrip(v, &c, 0);
	check_hll_roundtrip(v, &c, REACH_MIN_PRECISION);
	check_hll_roundtrip(v, &c, (int) ((seed >> 32) % 20));

	buf_free(&ce);
	buf_free(&c);
	buf_free(&e);
}

/*
 * What passes reach_validate_shallow only must fail where it is read
 * whole (reach.c reads stored sketches so): the estimate, and a merge
 * into a dense state of its precision.  Except a version-3 dense_packed
 * value: its estimate reads the counts, which the shallow check proved
 * consistent, and a merge decodes the stream without counting it again,
 * failing only when it does not end where the table says; the state it
 * leaves must still be valid.
 */
static void
check_shallow(const Buf *in)
{
	unsigned	p;
	Buf			st;
	bool		packed3;
	size_t		merged;
	const char *msg;

	if (reach_validate_shallow(in->b, in->len) != NULL || (msg = reach_validate(in->b, in->len)) == NULL)
		return;
	/*
	 * A coded sparse value whose only fault is a Rice parameter that is not
	 * the shortest holds valid tokens: it reads as what it holds (input
	 * rejects it, so that no stored value can be such a second form).
	 */
	if (strstr(msg, "is not the canonical one") != NULL)
		return;
	packed3 = in->b[2] == REACH_REP_DENSE_PACKED && in->b[0] >= 3;
	if (packed3)
		FUZZ_ASSERT(reach_estimate(in->b, in->len) >= 0, "no estimate from the counts of a version-3 packed value");
	else
		FUZZ_ASSERT(reach_estimate(in->b, in->len) < 0, "an estimate of a value only the shallow check passes");
	if (in->b[2] == REACH_REP_SPARSE_BUFFER)
		return;
	p = in->b[1];
	st.len = REACH_HEADER_SIZE + ((size_t) 1 << p);
	st.b = xmalloc(st.len);
	memset(st.b, 0, st.len);
	st.b[0] = REACH_FORMAT_VERSION;
	st.b[1] = (uint8_t) p;
	st.b[2] = REACH_REP_DENSE;
	merged = reach_state_merge(st.b, st.len, in->b, in->len);
	if (packed3)
		FUZZ_ASSERT(merged == REACH_BAD_SOURCE || (merged == 0 && reach_validate(st.b, st.len) == NULL),
					"a merge of a version-3 packed value whose stream is bad left an invalid state");
	else
		FUZZ_ASSERT(merged == REACH_BAD_SOURCE,
					"a merge of a value only the shallow check passes did not fail");
	buf_free(&st);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Buf			in = buf_of(data, size);	/* exact-size heap copy for ASan */
	uint64_t	seed = ie_hash_bytes(data, size);

	/* the states' table seeds restart, so that a crash replays */
	reset_seeds(size);

	/* reach_expand promises to stay in bounds even on unvalidated bytes */
	if (size >= REACH_HEADER_SIZE && data[2] == REACH_REP_DENSE_PACKED)
	{
		size_t		el = reach_expanded_size(in.b, in.len);

		if (el <= ((size_t) 1 << 20))
		{
			uint8_t    *dst = xmalloc(el);

			if (reach_expand(dst, el, in.b, in.len) &&
				reach_validate(in.b, in.len) == NULL)
			{
				Buf			e = {dst, el};

				must_validate(&reach_sketch_type, &e, "expansion");
			}
			free(dst);
		}
	}

	check_shallow(&in);
	if (reach_validate(in.b, in.len) == NULL)
	{
		Buf			keep = buf_copy(&in);

		exercise(&in, seed);
		FUZZ_ASSERT(buf_eq(&keep, &in), "a read-only function wrote into its input");
		buf_free(&keep);
	}

	if (reach_from_hll_check(in.b, in.len) == NULL)
	{
		Buf			imp = reach_hll_import(&in);

		exercise(&imp, seed);
		buf_free(&imp);
	}
	buf_free(&in);
	return 0;
}
