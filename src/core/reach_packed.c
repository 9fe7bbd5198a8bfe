/*
 * reach_packed.c — DENSE_PACKED: dense registers under a canonical Huffman
 * code.  Code lengths by package-merge, the encoder, the table-driven
 * decoder, and everything that reads a packed value through it (expansion,
 * histogram, folding, validation of the code).
 *
 * Separate because it is a storage codec, not sketch logic: the registers
 * it carries are exactly the DENSE ones, and only this file knows the
 * decoder's structures.
 *
 * Packed storage.  Stored dense sketches are Huffman-coded (DENSE_PACKED):
 * ULL registers carry about 4 bits of entropy, so at p = 14 a sketch of
 * 10 * 2^p values takes ~8.4 KB instead of 16 KB, which is what puts its
 * error at equal stored bytes at ~0.66x postgresql-hll's (5-bit registers,
 * RSE 1.04/sqrt(m)) rather than 0.93x.  Aggregate states stay raw DENSE
 * (an add is one byte update); the canonical form packs, and everything
 * that reads a sketch accepts the packed form, decoding it on the way
 * (~20-30 us at p = 14), so a caller that forgets to expand is slow, never
 * wrong.  Canonical forms needing scratch space (a SPARSE_BUFFER that goes
 * dense, hll imports) build the registers after the room for the result
 * and encode from there, hence the 2 * 2^p buffer sizes.
 */
#include "reach_internal.h"

#include <string.h>

/* ---------------------------------------------------------------------
 * DENSE_PACKED: the registers under a canonical Huffman code
 *
 * The code table, the canonical codes, the bit stream and the exact
 * package-merge rule for the code lengths: docs/FORMAT.md, "reach_sketch",
 * representation 3.  Here the lists are numbered 0 (the leaves alone, the
 * deepest level) to PACK_MAX_LEN - 1, where FORMAT.md counts 1 to 16.
 *
 * Why a limit of 16: the geometric upper tail of the register values
 * makes plain Huffman codes chain-shaped, up to ~p + 2 bits for p = 18; a
 * limit costs nothing measurable there (those symbols occur a handful of
 * times) and lets the decoder work from a 64-bit buffer with one refill
 * per three lookups of a 10-bit table (PACK_TABLE_BITS: of 9 to 12, 10
 * folded a p = 14 sketch of 20,000 and 200,000 values in the fewest
 * instructions, table fill included, and 9 only at 3,000; callgrind).
 *
 * Why Huffman on the whole register byte, not a model: the joint
 * distribution of (u, history bits) is what it is at every cardinality,
 * and a per-sketch table adapts to it with no tuning, at 2 to 4 bytes per
 * distinct value (typically 25-45 of them; the symbol and its count).
 * --------------------------------------------------------------------- */

#define PACK_MAX_LEN	16
#define PACK_TABLE_BITS	10
#define PACK_MAX_ITEMS	512			/* list length bound: 2 * 256 - 1 */

/*
 * Code lengths for the histogram (see above) into lens[256] (0 for absent
 * symbols); returns the number of symbols present.
 */
static unsigned
pack_code_lengths(const uint32_t *hist, uint8_t *lens)
{
	uint8_t		order[256];
	uint32_t	leafw[256];
	uint32_t	wa[PACK_MAX_ITEMS];
	uint32_t	wb[PACK_MAX_ITEMS];
	uint8_t		isleaf[PACK_MAX_LEN][PACK_MAX_ITEMS];
	unsigned	listlen[PACK_MAX_LEN];
	uint32_t   *prev = wa;
	uint32_t   *cur = wb;
	unsigned	n = 0;
	unsigned	s;
	unsigned	i;
	unsigned	lev;
	unsigned	c;

	memset(lens, 0, 256);
	for (s = 0; s < 256; s++)
	{
		uint32_t	w = hist[s];

		if (w == 0)
			continue;
		/* insertion by count; equal counts stay in symbol order */
		i = n++;
		while (i > 0 && leafw[i - 1] > w)
		{
			leafw[i] = leafw[i - 1];
			order[i] = order[i - 1];
			i--;
		}
		leafw[i] = w;
		order[i] = (uint8_t) s;
	}
	if (n <= 1)
		return n;

	/* list 0: the leaves alone (the deepest level) */
	for (i = 0; i < n; i++)
	{
		prev[i] = leafw[i];
		isleaf[0][i] = 1;
	}
	listlen[0] = n;
	for (lev = 1; lev < PACK_MAX_LEN; lev++)
	{
		unsigned	npk = listlen[lev - 1] / 2;
		unsigned	a = 0;		/* next leaf */
		unsigned	b = 0;		/* next package */
		unsigned	k = 0;
		uint32_t   *t;

		while (a < n || b < npk)
		{
			if (b >= npk ||
				(a < n && leafw[a] <= prev[2 * b] + prev[2 * b + 1]))
			{
				cur[k] = leafw[a++];
				isleaf[lev][k++] = 1;
			}
			else
			{
				cur[k] = prev[2 * b] + prev[2 * b + 1];
				b++;
				isleaf[lev][k++] = 0;
			}
		}
		listlen[lev] = k;
		t = prev;
		prev = cur;
		cur = t;
	}
	/* select 2n - 2 items of the last list and expand packages downwards */
	c = 2 * n - 2;
	for (lev = PACK_MAX_LEN; lev-- > 0;)
	{
		unsigned	leaves = 0;

		for (i = 0; i < c; i++)
			leaves += isleaf[lev][i];
		for (i = 0; i < leaves; i++)
			lens[order[i]]++;
		c = 2 * (c - leaves);
	}
	return n;
}

/* canonical code values from lengths (DEFLATE's rule) */
static void
pack_codes(const uint8_t *lens, uint32_t *codes)
{
	uint32_t	cnt[PACK_MAX_LEN + 1];
	uint32_t	next[PACK_MAX_LEN + 1];
	uint32_t	code = 0;
	unsigned	l;
	unsigned	s;

	memset(cnt, 0, sizeof(cnt));
	for (s = 0; s < 256; s++)
		cnt[lens[s]]++;
	for (l = 1; l <= PACK_MAX_LEN; l++)
	{
		next[l] = code;
		code = (code + cnt[l]) << 1;
	}
	for (s = 0; s < 256; s++)
		if (lens[s] != 0)
			codes[s] = next[lens[s]]++;
}

/* bytes of the code table: each symbol present, then its count (varint) */
static size_t
pack_table_size(const uint32_t *hist)
{
	size_t		n = 0;
	unsigned	s;

	for (s = 0; s < 256; s++)
		if (hist[s] != 0)
			n += 1 + varint_size(hist[s]);
	return n;
}

/* body size of the packed form for these lengths and counts */
static size_t
pack_size(const uint32_t *hist, const uint8_t *lens)
{
	uint64_t	bits = 0;
	unsigned	s;

	for (s = 0; s < 256; s++)
		bits += (uint64_t) hist[s] * lens[s];
	return REACH_HEADER_SIZE + pack_table_size(hist) + (size_t) ((bits + 7) / 8);
}

static inline uint64_t
load_be64(const uint8_t *p)
{
#if defined(__GNUC__) || defined(__clang__)
	uint64_t	v;

	memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return __builtin_bswap64(v);
#else
	return v;
#endif
#else
	uint64_t	v = 0;
	int			i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
#endif
}

static inline void
store_be64(uint8_t *p, uint64_t v)
{
#if defined(__GNUC__) || defined(__clang__)
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	memcpy(p, &v, 8);
#else
	int			i;

	for (i = 0; i < 8; i++)
		p[i] = (uint8_t) (v >> (56 - 8 * i));
#endif
}

/*
 * Write the packed form of the 2^p registers regs into dst (which must
 * hold size bytes, as pack_size returned; regs must not overlap it).  The
 * accumulator holds nb < 8 pending bits at its top between flushes; three
 * codes (at most 48 bits) then one 8-byte store while 8 bytes remain, so
 * nothing is written past dst + size.
 */
static void
pack_encode(uint8_t *dst, size_t size, unsigned p, unsigned flags,
			const uint8_t *regs, const uint32_t *hist, const uint8_t *lens,
			unsigned nsym)
{
	uint32_t	codes[256];
	uint8_t    *out = payload(dst);
	uint8_t    *end = dst + size;
	size_t		m = (size_t) 1 << p;
	uint64_t	acc = 0;
	unsigned	nb = 0;
	size_t		i = 0;
	unsigned	s;

	hdr_write(dst, p, REACH_REP_DENSE_PACKED, flags, nsym);
	for (s = 0; s < 256; s++)
		if (hist[s] != 0)
		{
			*out++ = (uint8_t) s;
			out = varint_put(out, hist[s]);
		}
	if (nsym == 1)
		return;
	pack_codes(lens, codes);
	while (m - i >= 3 && end - out >= 8)
	{
		int			k;

		for (k = 0; k < 3; k++)
		{
			uint8_t		r = regs[i++];

			nb += lens[r];
			acc |= (uint64_t) codes[r] << (64 - nb);
		}
		store_be64(out, acc);
		out += nb >> 3;
		acc <<= nb & ~7u;
		nb &= 7;
	}
	while (i < m)
	{
		uint8_t		r = regs[i++];

		nb += lens[r];
		acc |= (uint64_t) codes[r] << (64 - nb);
		while (nb >= 8)
		{
			*out++ = (uint8_t) (acc >> 56);
			acc <<= 8;
			nb -= 8;
		}
	}
	if (nb > 0)
		*out++ = (uint8_t) (acc >> 56);
}

/*
 * The canonical form of 2^p registers at regs: DENSE_PACKED if smaller
 * than DENSE, else DENSE.  dst holds dense_size(p) bytes; regs must not
 * overlap them (callers build registers in scratch space after them).
 * Returns the length written.
 */
size_t
reach_dense_canonical(uint8_t *dst, unsigned p, unsigned flags,
					  const uint8_t *regs)
{
	uint32_t	hist[256];
	uint8_t		lens[256];
	unsigned	nsym;
	size_t		size;
	size_t		m = (size_t) 1 << p;

	reach_register_histogram(regs, m, hist);
	nsym = pack_code_lengths(hist, lens);
	size = pack_size(hist, lens);
	if (size < dense_size(p))
	{
		pack_encode(dst, size, p, flags, regs, hist, lens, nsym);
		return size;
	}
	memmove(payload(dst), regs, m);
	hdr_write(dst, p, REACH_REP_DENSE, flags, 0);
	return dense_size(p);
}

/* would the packed form of these registers be smaller than DENSE? */
bool
reach_dense_packs_smaller(const uint8_t *regs, unsigned p)
{
	uint32_t	hist[256];
	uint8_t		lens[256];

	reach_register_histogram(regs, (size_t) 1 << p, hist);
	pack_code_lengths(hist, lens);
	return pack_size(hist, lens) < dense_size(p);
}

/*
 * The code table.  Version 3 stores each symbol's register count and
 * derives the code lengths from the counts (package-merge, as the writer
 * did); versions 1 and 2 stored the lengths.  packed_read_table reads
 * either into a PackedTable and checks what the table alone can show: for
 * version 3 that is everything but the stream's content (counts summing
 * to 2^p, the stream exactly as long as the counts and lengths say), which
 * is why an estimate can trust the counts of a value that passed the
 * shallow check without decoding the stream.
 */
typedef struct PackedTable
{
	unsigned	nsym;
	uint8_t		sym[256];		/* as stored: increasing in a valid value */
	uint8_t		len[256];		/* code length of sym[i]; 0 for one symbol */
	bool		has_counts;		/* version 3: hist holds the stored counts */
	uint32_t	hist[256];		/* by symbol */
	const uint8_t *stream;
	const uint8_t *end;
} PackedTable;

/* versions 1 and 2: (symbol, code length) byte pairs */
static const char *
packed_read_lengths_table(PackedTable *pt, const uint8_t *body, size_t len)
{
	const uint8_t *t = cpayload(body);
	unsigned	i;

	if ((uint64_t) len < REACH_HEADER_SIZE + 2 * (uint64_t) pt->nsym)
		return ie_fail("truncated: %zu bytes, the dense_packed table of %u symbols needs %llu",
					len, pt->nsym, (unsigned long long) (REACH_HEADER_SIZE + 2 * (uint64_t) pt->nsym));
	pt->stream = t + 2 * pt->nsym;
	if (pt->nsym == 1)
	{
		pt->sym[0] = t[0];
		pt->len[0] = t[1];
		if (pt->len[0] != 0)
			return ie_fail("dense_packed single symbol has code length %u, expected 0", pt->len[0]);
		/* checked here, as reach_holds_nothing trusts a one-symbol table */
		if (pt->stream != pt->end)
			return ie_fail("trailing bytes: %llu stream bytes after a single-symbol dense_packed table",
						(unsigned long long) (pt->end - pt->stream));
		return NULL;
	}
	for (i = 0; i < pt->nsym; i++)
	{
		pt->sym[i] = t[2 * i];
		pt->len[i] = t[2 * i + 1];
		if (pt->len[i] < 1 || pt->len[i] > PACK_MAX_LEN)
			return ie_fail("dense_packed code length %u of symbol 0x%02x is out of range (1..%d)",
						pt->len[i], pt->sym[i], PACK_MAX_LEN);
	}
	return NULL;
}

/*
 * The code lengths for a version-3 table: package-merge, remembered for
 * the last table seen.  A stored value is read twice in a row, by the
 * shallow check of its argument and then by the union or expansion that
 * decodes it, and package-merge is a tenth of a decode (16 lists of up to
 * 2n items).  Backends are single-threaded, as for ie_fail's message.
 */
static void
counts_code_lengths(const uint8_t *table, size_t size, const uint32_t *hist, uint8_t *lens)
{
	static uint8_t last_table[256 * 4];
	static size_t last_size = 0;
	static uint8_t last_lens[256];

	if (size != 0 && size == last_size && memcmp(table, last_table, size) == 0)
	{
		memcpy(lens, last_lens, 256);
		return;
	}
	pack_code_lengths(hist, lens);
	if (size <= sizeof(last_table))
	{
		memcpy(last_table, table, size);
		memcpy(last_lens, lens, 256);
		last_size = size;
	}
}

/*
 * version 3: (symbol, varint count) pairs; the lengths follow from the
 * counts.  Without lengths, the counts alone (for a value that passed the
 * shallow check, which derived the lengths and checked the stream's size).
 */
static const char *
packed_read_counts_table(PackedTable *pt, const uint8_t *body, size_t len, bool lengths)
{
	const uint8_t *t = cpayload(body);
	const uint8_t *end = body + len;
	uint64_t	m = UINT64_C(1) << reach_hdr_precision(body);
	uint64_t	sum = 0;
	uint64_t	bits = 0;
	uint8_t		lens[256];
	unsigned	i;

	memset(pt->hist, 0, sizeof(pt->hist));
	for (i = 0; i < pt->nsym; i++)
	{
		uint64_t	c;
		int			used;

		if (t >= end)
			return ie_fail("truncated: the dense_packed table ends at symbol %u of %u", i, pt->nsym);
		pt->sym[i] = *t++;
		if (i > 0 && pt->sym[i] <= pt->sym[i - 1])
			return ie_fail("dense_packed symbols out of order or repeated at symbol %u", i);
		used = varint_get(t, end, &c);
		if (used == VARINT_TRUNCATED)
			return ie_fail("truncated: the dense_packed table ends in the count of symbol %u", i);
		if (used == VARINT_OVERLONG)
			return ie_fail("dense_packed count of symbol %u is not a shortest varint", i);
		if (used < 0)
			return ie_fail("dense_packed count of symbol %u is out of range (over 64 bits)", i);
		t += used;
		if (c == 0 || c > m - sum)
			return ie_fail("dense_packed count %llu of symbol %u is out of range (1..%llu left of 2^%u)",
						(unsigned long long) c, i, (unsigned long long) (m - sum),
						reach_hdr_precision(body));
		sum += c;
		pt->hist[pt->sym[i]] = (uint32_t) c;
	}
	if (sum != m)
		return ie_fail("dense_packed counts sum to %llu, not the %llu registers",
					(unsigned long long) sum, (unsigned long long) m);
	pt->has_counts = true;
	pt->stream = t;
	if (!lengths)
		return NULL;
	counts_code_lengths(cpayload(body), (size_t) (t - cpayload(body)), pt->hist, lens);
	for (i = 0; i < pt->nsym; i++)
	{
		pt->len[i] = lens[pt->sym[i]];
		bits += (uint64_t) pt->hist[pt->sym[i]] * lens[pt->sym[i]];
	}
	if ((uint64_t) (end - t) < (bits + 7) / 8)
		return ie_fail("truncated: the dense_packed stream needs %llu bits, it has %llu",
					(unsigned long long) bits, (unsigned long long) (8 * (uint64_t) (end - t)));
	if ((uint64_t) (end - t) > (bits + 7) / 8)
		return ie_fail("trailing bytes: dense_packed stream of %llu bytes, its %llu bits need %llu",
					(unsigned long long) (end - t), (unsigned long long) bits,
					(unsigned long long) ((bits + 7) / 8));
	return NULL;
}

/* NULL, or why the table of body is unusable (see the one above) */
static const char *
packed_read_table_as(PackedTable *pt, const uint8_t *body, size_t len, bool lengths)
{
	pt->nsym = hdr_count(body);
	pt->has_counts = false;
	pt->end = body + len;
	if (pt->nsym < 1 || pt->nsym > 256)
		return ie_fail("dense_packed symbol count %u is out of range (1..256)", hdr_count(body));
	if (reach_hdr_version(body) < 3)
		return packed_read_lengths_table(pt, body, len);
	return packed_read_counts_table(pt, body, len, lengths);
}

static const char *
packed_read_table(PackedTable *pt, const uint8_t *body, size_t len)
{
	return packed_read_table_as(pt, body, len, true);
}

/*
 * Decoder.  pd_init builds the lookup structures from a table that
 * packed_read_table accepted; it refuses lengths it cannot decode with
 * (out of range, an over-full code), so the decoder is safe on any bytes,
 * but reach_validate is what proves a value canonical.
 *
 * The table is indexed by the next PACK_TABLE_BITS bits and gives up to
 * four symbols, as many whole codes as fit in those bits: with most
 * registers' codes 1 to 4 bits long that is 2.5 to 4 symbols a lookup,
 * and the lookups are the serial dependency of a Huffman decoder.  Entry:
 * the symbols (bits 0-31, the first lowest), bits consumed (32-36), how
 * many symbols (40-42), the first code's length (48-52); 0 where the first
 * code is longer than the index, found by the canonical first-code search.
 *
 * The bit buffer holds nb valid bits at its top; refills load 8 bytes at
 * once while 8 remain (Giesen's branchless refill: the bits below the
 * valid ones are stream bits that the next refill ORs in again), else byte
 * by byte, with zero bits past the end that are counted in `virt` so the
 * caller can tell a stream that ran short.  After a refill at least 56
 * bits are valid: three lookups of at most 16 bits each.
 */
#define PD_SYMS(e)	((uint32_t) (e))
#define PD_BITS(e)	((unsigned) ((e) >> 32) & 31)
#define PD_COUNT(e)	((unsigned) ((e) >> 40) & 7)
#define PD_LEN1(e)	((unsigned) ((e) >> 48) & 31)

typedef struct PackedDecoder
{
	unsigned	p;
	unsigned	nsym;
	unsigned	single;			/* the symbol when nsym == 1 */
	unsigned	maxlen;
	unsigned	tbits;			/* table index bits */
	uint32_t	first[PACK_MAX_LEN + 2];	/* first code of each length */
	uint32_t	cnt[PACK_MAX_LEN + 2];	/* codes of each length */
	uint32_t	off[PACK_MAX_LEN + 2];	/* their index in sorted[] */
	uint8_t		sorted[256];	/* symbols by (length, symbol) */
	const uint8_t *start;		/* stream */
	const uint8_t *p_in;
	const uint8_t *end;
	uint64_t	buf;
	unsigned	nb;
	uint64_t	virt;			/* zero bytes read past the end */
	uint64_t	tab[1 << PACK_TABLE_BITS];
} PackedDecoder;

/*
 * Count the codes of each length and the longest.  NULL, or what makes
 * them unusable: a length out of range or an over-full code.
 */
static const char *
pd_read_lengths(PackedDecoder *d, const PackedTable *pt)
{
	uint32_t	kraft = 0;
	unsigned	i;
	unsigned	l;

	memset(d->cnt, 0, sizeof(d->cnt));
	d->maxlen = 0;
	for (i = 0; i < pt->nsym; i++)
	{
		l = pt->len[i];
		if (l < 1 || l > PACK_MAX_LEN)
			return ie_fail("dense_packed code length %u of symbol 0x%02x is out of range (1..%d)",
						l, pt->sym[i], PACK_MAX_LEN);
		d->cnt[l]++;
		kraft += UINT32_C(1) << (PACK_MAX_LEN - l);
		if (l > d->maxlen)
			d->maxlen = l;
	}
	if (kraft > (UINT32_C(1) << PACK_MAX_LEN))
		return ie_fail("dense_packed code lengths are not a prefix code (Kraft sum %u/65536 > 1)",
					kraft);
	return NULL;
}

/* canonical first codes, positions, and the symbols in code order */
static void
pd_assign_codes(PackedDecoder *d, const PackedTable *pt)
{
	uint32_t	pos[PACK_MAX_LEN + 1];
	uint32_t	code = 0;
	unsigned	i;
	unsigned	l;

	d->first[0] = 0;
	d->off[0] = 0;
	d->off[1] = 0;
	for (l = 1; l <= PACK_MAX_LEN; l++)
	{
		d->first[l] = code;
		code = (code + d->cnt[l]) << 1;
		if (l > 1)
			d->off[l] = d->off[l - 1] + d->cnt[l - 1];
	}
	memcpy(pos, d->off, sizeof(pos));
	for (i = 0; i < pt->nsym; i++)
		d->sorted[pos[pt->len[i]]++] = pt->sym[i];
}

/*
 * The table (see the entry layout above), by walking the sequences of up
 * to four codes that fit in the index: each fills the entries its bits
 * prefix, and the longer sequences below it then overwrite their parts,
 * so every entry ends with the longest sequence that fits.  About four
 * stores an entry and no lookups: a sketch's table costs a fraction of
 * decoding its registers.
 */
static void
pd_fill(PackedDecoder *d, uint32_t code, unsigned len, uint64_t syms, unsigned cnt,
		unsigned len1)
{
	unsigned	l;

	for (l = 1; len + l <= d->tbits; l++)
	{
		unsigned	spare = d->tbits - len - l;
		unsigned	first_len = cnt == 0 ? l : len1;
		uint32_t	j;

		for (j = 0; j < d->cnt[l]; j++)
		{
			uint32_t	c = (code << l) | (d->first[l] + j);
			uint64_t	more = syms | ((uint64_t) d->sorted[d->off[l] + j] << (8 * cnt));
			uint64_t	e = more | ((uint64_t) (len + l) << 32) | ((uint64_t) (cnt + 1) << 40) |
				((uint64_t) first_len << 48);
			uint64_t   *t = d->tab + ((size_t) c << spare);
			size_t		k;

			for (k = 0; k < ((size_t) 1 << spare); k++)
				t[k] = e;
			if (cnt < 3 && spare > 0)
				pd_fill(d, c, len + l, more, cnt + 1, first_len);
		}
	}
}

static void
pd_build_table(PackedDecoder *d)
{
	d->tbits = d->maxlen < PACK_TABLE_BITS ? d->maxlen : PACK_TABLE_BITS;
	memset(d->tab, 0, sizeof(uint64_t) << d->tbits);
	pd_fill(d, 0, 0, 0, 0, 0);
}

/* a decoder for the table pt of body; NULL, or why it cannot decode */
static const char *
pd_init(PackedDecoder *d, const PackedTable *pt, const uint8_t *body)
{
	const char *msg;

	d->p = reach_hdr_precision(body);
	d->nsym = pt->nsym;
	d->start = d->p_in = pt->stream;
	d->end = pt->end;
	d->buf = 0;
	d->nb = 0;
	d->virt = 0;
	if (pt->nsym == 1)
	{
		d->single = pt->sym[0];
		d->maxlen = 0;
		return NULL;
	}
	if ((msg = pd_read_lengths(d, pt)) != NULL)
		return msg;
	pd_assign_codes(d, pt);
	pd_build_table(d);
	return NULL;
}

/* the table and a decoder for body: NULL, or why not */
static const char *
packed_open(PackedTable *pt, PackedDecoder *d, const uint8_t *body, size_t len)
{
	const char *msg = packed_read_table(pt, body, len);

	if (msg != NULL)
		return msg;
	return pd_init(d, pt, body);
}

static inline void
pd_refill(PackedDecoder *d, uint64_t *buf, unsigned *nb, const uint8_t **pin,
		  const uint8_t *end)
{
	if (end - *pin >= 8)
	{
		*buf |= load_be64(*pin) >> *nb;
		*pin += (63 - *nb) >> 3;
		*nb |= 56;
	}
	else
	{
		while (*nb <= 56)
		{
			if (*pin < end)
				*buf |= (uint64_t) *(*pin)++ << (56 - *nb);
			else
				d->virt++;
			*nb += 8;
		}
	}
}

/* a code longer than the table: the symbol and its length, or false */
static bool
pd_long(const PackedDecoder *d, uint64_t buf, unsigned *sym, unsigned *len)
{
	unsigned	l;

	for (l = d->tbits + 1; l <= d->maxlen; l++)
	{
		uint32_t	c = (uint32_t) (buf >> (64 - l));

		if (c >= d->first[l] && c - d->first[l] < d->cnt[l])
		{
			*sym = d->sorted[d->off[l] + c - d->first[l]];
			*len = l;
			return true;
		}
	}
	return false;
}

/*
 * Decode the next n registers into out (if not NULL) and count them in
 * hist (if not NULL).  false on a bit pattern that is no code (only
 * possible for an incomplete code, which validation rejects).
 */
#if defined(__GNUC__) || defined(__clang__)
#define PD_INLINE static inline __attribute__((always_inline))
#else
#define PD_INLINE static inline
#endif

PD_INLINE bool
pd_decode(PackedDecoder *d, uint8_t *out, uint32_t *hist, size_t n)
{
	uint64_t	buf = d->buf;
	unsigned	nb = d->nb;
	const uint8_t *pin = d->p_in;
	const uint8_t *end = d->end;
	const uint64_t *tab = d->tab;
	unsigned	shift = 64 - d->tbits;
	size_t		i = 0;

	if (d->nsym == 1)
	{
		if (out)
			memset(out, (int) d->single, n);
		if (hist)
			hist[d->single] += (uint32_t) n;
		return true;
	}
	/* three lookups (at most twelve symbols, 48 bits) per refill */
	while (n - i >= 12)
	{
		int			k;

		pd_refill(d, &buf, &nb, &pin, end);
		for (k = 0; k < 3; k++)
		{
			uint64_t	e = tab[buf >> shift];
			unsigned	l;

			if (e != 0)
			{
				uint32_t	syms = PD_SYMS(e);
				unsigned	c = PD_COUNT(e);

				l = PD_BITS(e);
				/* four bytes always: i + 4 <= n here */
				if (out)
					memcpy(out + i, &syms, 4);
				if (hist)
				{
					unsigned	j;

					for (j = 0; j < c; j++)
						hist[(syms >> (8 * j)) & 0xff]++;
				}
				i += c;
			}
			else
			{
				unsigned	s;

				if (!pd_long(d, buf, &s, &l))
					return false;
				if (out)
					out[i] = (uint8_t) s;
				if (hist)
					hist[s]++;
				i++;
			}
			buf <<= l;
			nb -= l;
		}
	}
	/* the rest one symbol at a time */
	while (i < n)
	{
		uint64_t	e;
		unsigned	l;
		unsigned	s;

		if (nb < PACK_MAX_LEN)
			pd_refill(d, &buf, &nb, &pin, end);
		e = tab[buf >> shift];
		if (e != 0)
		{
			s = PD_SYMS(e) & 0xff;
			l = PD_LEN1(e);
		}
		else if (!pd_long(d, buf, &s, &l))
			return false;
		buf <<= l;
		nb -= l;
		if (out)
			out[i] = (uint8_t) s;
		if (hist)
			hist[s]++;
		i++;
	}
	d->buf = buf;
	d->nb = nb;
	d->p_in = pin;
	return true;
}

/*
 * Decode the next n registers and merge each into dst (same precision):
 * dst[i] = merge[dst[i] << 8 | register] & clear.  Four merges a lookup
 * whatever it decoded: an entry's unused symbol bytes are 0, and merging
 * 0 changes nothing (but the clear), so the positions past its last
 * symbol are merged again, for real, by the next lookup.  That keeps the
 * loop free of the branch on the symbol count.  The loop is pd_decode's,
 * written out again: one function serving both, with the merge table a
 * parameter, cost the union 5 % more instructions at 3,000 and 200,000
 * values (callgrind; a first try with the branches inside the four-symbol
 * step, a third more), the union being the path the rollup reads take.
 */
PD_INLINE bool
pd_decode_merge(PackedDecoder *d, uint8_t *dst, size_t n, const uint8_t *merge,
				uint8_t clear)
{
	uint64_t	buf = d->buf;
	unsigned	nb = d->nb;
	const uint8_t *pin = d->p_in;
	const uint8_t *end = d->end;
	const uint64_t *tab = d->tab;
	unsigned	shift = 64 - d->tbits;
	size_t		i = 0;
	uint8_t		rest[12];
	size_t		t;

	if (d->nsym == 1)
	{
		for (t = 0; t < n; t++)
			dst[t] = merge[(size_t) dst[t] << 8 | d->single] & clear;
		return true;
	}
	while (n - i >= 12)
	{
		int			k;

		pd_refill(d, &buf, &nb, &pin, end);
		for (k = 0; k < 3; k++)
		{
			uint64_t	e = tab[buf >> shift];
			unsigned	l;

			if (e != 0)
			{
				uint8_t    *o = dst + i;

				o[0] = merge[(size_t) o[0] << 8 | (e & 0xff)] & clear;
				o[1] = merge[(size_t) o[1] << 8 | ((e >> 8) & 0xff)] & clear;
				o[2] = merge[(size_t) o[2] << 8 | ((e >> 16) & 0xff)] & clear;
				o[3] = merge[(size_t) o[3] << 8 | ((e >> 24) & 0xff)] & clear;
				l = PD_BITS(e);
				i += PD_COUNT(e);
			}
			else
			{
				unsigned	s;

				if (!pd_long(d, buf, &s, &l))
					return false;
				dst[i] = merge[(size_t) dst[i] << 8 | s] & clear;
				i++;
			}
			buf <<= l;
			nb -= l;
		}
	}
	d->buf = buf;
	d->nb = nb;
	d->p_in = pin;
	/* fewer than twelve left */
	if (!pd_decode(d, rest, NULL, n - i))
		return false;
	for (t = 0; t < n - i; t++)
		dst[i + t] = merge[(size_t) dst[i + t] << 8 | rest[t]] & clear;
	return true;
}

/*
 * After decoding all 2^p registers: NULL if the stream ended exactly
 * there (whole bytes, zero padding), else what is wrong.
 */
static const char *
pd_finish(PackedDecoder *d)
{
	uint64_t	bytes = (uint64_t) (d->end - d->start);
	uint64_t	used = 8 * ((uint64_t) (d->p_in - d->start) + d->virt) - d->nb;

	if (d->nsym == 1)
	{
		if (bytes != 0)
			return ie_fail("trailing bytes: %llu stream bytes after a single-symbol dense_packed table",
						(unsigned long long) bytes);
		return NULL;
	}
	if (used > 8 * bytes)
		return ie_fail("truncated: the dense_packed stream needs %llu bits, it has %llu",
					(unsigned long long) used, (unsigned long long) (8 * bytes));
	if ((used + 7) / 8 != bytes)
		return ie_fail("trailing bytes: dense_packed stream of %llu bytes, its %llu bits need %llu",
					(unsigned long long) bytes, (unsigned long long) used,
					(unsigned long long) ((used + 7) / 8));
	if (used % 8 != 0 &&
		(d->end[-1] & ((1u << (8 - used % 8)) - 1)) != 0)
		return ie_fail("dense_packed padding bits are not zero");
	return NULL;
}

/*
 * After the whole stream was decoded counting hist: NULL if the stream
 * ended exactly and holds what the table says (version 3: the stored
 * counts; before: registers for which the stored lengths are the
 * canonical ones), else what is wrong.
 */
static const char *
pd_check_end(PackedDecoder *d, const PackedTable *pt, const uint32_t *hist)
{
	uint8_t		lens[256];
	const char *msg = pd_finish(d);
	unsigned	i;

	if (msg != NULL)
		return msg;
	if (!pt->has_counts)
		pack_code_lengths(hist, lens);
	for (i = 0; i < pt->nsym; i++)
	{
		uint8_t		s = pt->sym[i];

		if (pt->has_counts && hist[s] != pt->hist[s])
			return ie_fail("dense_packed stream holds %u registers of symbol 0x%02x, its table counts %u",
						hist[s], s, pt->hist[s]);
		if (!pt->has_counts && (lens[s] != pt->len[i] || hist[s] == 0))
			return ie_fail("dense_packed code lengths are not the canonical ones for these registers (symbol 0x%02x: %u bits, %u expected, %u occurrences)",
						s, pt->len[i], lens[s], hist[s]);
	}
	return NULL;
}

/*
 * Decode a whole packed value into 2^p registers at regs and/or count them
 * in hist (either may be NULL); false if it fails.  Inline, so that each
 * caller gets the decoder loop specialised for what it asks.
 */
static inline bool
packed_decode_all(const uint8_t *body, size_t len, uint8_t *regs, uint32_t *hist)
{
	PackedTable pt;
	PackedDecoder d;

	if (packed_open(&pt, &d, body, len) != NULL)
		return false;
	if (!pd_decode(&d, regs, hist, (size_t) 1 << d.p))
		return false;
	return pd_finish(&d) == NULL;
}

bool
reach_packed_expand_regs(uint8_t *regs, const uint8_t *body, size_t len)
{
	return packed_decode_all(body, len, regs, NULL);
}

/*
 * The register histogram.  Version 3 stores it: read from the table, whose
 * consistency the shallow check proved, without decoding the stream (what
 * makes reach() of a stored sketch cheap).  Earlier versions decode the
 * stream and check it on the way, so that reading a value shallowly
 * validated costs one decode.
 */
bool
reach_packed_histogram(const uint8_t *body, size_t len, uint32_t *hist)
{
	PackedTable pt;
	PackedDecoder d;

	if (packed_read_table_as(&pt, body, len, false) != NULL)
		return false;
	if (pt.has_counts)
	{
		memcpy(hist, pt.hist, sizeof(pt.hist));
		return true;
	}
	memset(hist, 0, 256 * sizeof(uint32_t));
	if (pd_init(&d, &pt, body) != NULL)
		return false;
	if (!pd_decode(&d, NULL, hist, (size_t) 1 << d.p))
		return false;
	return pd_check_end(&d, &pt, hist) == NULL;
}

/*
 * reach_fold_union with a packed source; false if it does not decode (dst
 * is then partly merged: the caller raises the error).  The stream must
 * end exactly where the table says.  A version-3 stream is not also
 * counted against its table, which would cost a quarter of the decode:
 * like a flipped byte of a DENSE value, a stream that decodes to other
 * registers of the same code lengths is not detectable by a union, and
 * reach_validate (input, casts) does check the counts.  Earlier versions
 * count, as the canonical lengths are their only check of the stream.
 */
bool
reach_packed_fold_union(uint8_t *dst, unsigned q, const uint8_t *body,
						size_t len, bool hll_only)
{
	PackedTable pt;
	PackedDecoder d;
	uint8_t		chunk[2048];
	uint32_t	hist[256];
	uint32_t   *h = NULL;
	size_t		m;
	size_t		base;

	if (packed_open(&pt, &d, body, len) != NULL)
		return false;
	if (!pt.has_counts)
	{
		memset(hist, 0, sizeof(hist));
		h = hist;
	}
	m = (size_t) 1 << d.p;
	if (!h && q == d.p)
	{
		/* the rollup's common case: merge as it decodes */
		if (!pd_decode_merge(&d, dst, m, reach_merge_table(),
							 hll_only ? (uint8_t) ~3 : (uint8_t) 0xff))
			return false;
		return pd_finish(&d) == NULL;
	}
	for (base = 0; base < m; base += sizeof(chunk))
	{
		size_t		n = m - base < sizeof(chunk) ? m - base : sizeof(chunk);

		if (!(h ? pd_decode(&d, chunk, h, n) : pd_decode(&d, chunk, NULL, n)))
			return false;
		reach_fold_union_range(dst, q, chunk, base, n, d.p, hll_only);
	}
	return h ? pd_check_end(&d, &pt, h) == NULL : pd_finish(&d) == NULL;
}

size_t
reach_expanded_size(const uint8_t *body, size_t len)
{
	unsigned	p;

	if (len < REACH_HEADER_SIZE || reach_hdr_representation(body) != REACH_REP_DENSE_PACKED)
		return len;
	p = reach_hdr_precision(body);
	if (p >= REACH_MIN_PRECISION && p <= REACH_MAX_PRECISION)
		return dense_size(p);
	return len;
}

bool
reach_expand(uint8_t *dst, size_t dstlen, const uint8_t *src, size_t srclen)
{
	unsigned	p;

	if (srclen < REACH_HEADER_SIZE)
		return false;
	if (reach_hdr_representation(src) != REACH_REP_DENSE_PACKED)
	{
		if (dstlen < srclen)
			return false;
		memcpy(dst, src, srclen);
		return true;
	}
	p = reach_hdr_precision(src);
	if (p < REACH_MIN_PRECISION || p > REACH_MAX_PRECISION || dstlen < dense_size(p))
		return false;
	hdr_write(dst, p, REACH_REP_DENSE, reach_hdr_flags(src), 0);
	return reach_packed_expand_regs(payload(dst), src, srclen);
}


/* ---------------------------------------------------------------------
 * Validation of the code (the header is checked by reach_validate)
 * --------------------------------------------------------------------- */

/*
 * The symbols: strictly increasing, each a valid register byte (no history
 * bits under HLL_ONLY; u at most the cap), and stored lengths (before
 * version 3) forming a complete code.  NULL or what is wrong.
 */
static const char *
packed_check_table(const PackedTable *pt, const uint8_t *body)
{
	unsigned	p = reach_hdr_precision(body);
	uint32_t	kraft = 0;
	uint32_t	i;

	for (i = 0; i < pt->nsym; i++)
	{
		uint8_t		s = pt->sym[i];

		if (i > 0 && s <= pt->sym[i - 1])
			return ie_fail("dense_packed symbols out of order or repeated at symbol %u", i);
		if (!register_valid(s, p))
			return ie_fail("dense_packed symbol %u is an invalid register value 0x%02x", i, s);
		if (hdr_hll_only(body) && (s & 3) != 0)
			return ie_fail("dense_packed symbol %u has history bits in an hll_only sketch (value 0x%02x)",
						i, s);
		if (!register_within_cap(s, hdr_censor(body)))
			return ie_fail("dense_packed symbol %u holds %u, above the register cap %u",
						i, s >> 2, hdr_censor(body));
		if (pt->nsym > 1)
			kraft += UINT32_C(1) << (PACK_MAX_LEN - pt->len[i]);
	}
	if (pt->nsym > 1 && kraft > (UINT32_C(1) << PACK_MAX_LEN))
		return ie_fail("dense_packed code lengths are not a prefix code (Kraft sum %u/65536 > 1)",
					kraft);
	if (pt->nsym > 1 && kraft != (UINT32_C(1) << PACK_MAX_LEN))
		return ie_fail("dense_packed code is incomplete (Kraft sum %u/65536)", kraft);
	return NULL;
}

/*
 * Without decode_stream, the table alone: for version 3 that includes the
 * stream's length, for earlier versions not.
 */
const char *
reach_packed_validate(const uint8_t *body, size_t len, bool decode_stream)
{
	PackedTable pt;
	PackedDecoder d;
	unsigned	p = reach_hdr_precision(body);
	uint32_t	hist[256];
	const char *msg;

	if (len >= dense_size(p))
		return ie_fail("dense_packed value of %zu bytes is not smaller than the %zu-byte dense form of precision %u",
					len, dense_size(p), p);
	if ((msg = packed_read_table(&pt, body, len)) != NULL)
		return msg;
	if ((msg = packed_check_table(&pt, body)) != NULL)
		return msg;
	if (!decode_stream)
		return NULL;
	if ((msg = pd_init(&d, &pt, body)) != NULL)
		return msg;
	memset(hist, 0, sizeof(hist));
	if (!pd_decode(&d, NULL, hist, (size_t) 1 << p))
		return ie_fail("dense_packed stream holds a bit pattern that is no code");
	return pd_check_end(&d, &pt, hist);
}
