/*
 * reach_packed_reference.h — a second implementation of reach_sketch's
 * DENSE_PACKED form for test_reach_packed.c, written from the
 * specification in docs/FORMAT.md ("reach_sketch", representation 3),
 * independently of the core: package-merge with explicit per-item symbol
 * counts, canonical codes assigned literally as described, and a
 * bit-at-a-time encoder and decoder, of the current version's table
 * (counts) and of versions 1 and 2 (lengths).
 */
#ifndef REACH_PACKED_REFERENCE_H
#define REACH_PACKED_REFERENCE_H

#include "reach_test_util.h"

#define MAXLEN 16

/* ---------------------------------------------------------------------
 * references, written from the format description
 * --------------------------------------------------------------------- */

typedef struct Item
{
	uint64_t	w;
	uint8_t		c[256];			/* occurrences of each leaf inside */
} Item;

/* package-merge with explicit counts: lens[s] for hist[s] */
static int
ref_lengths(const uint32_t *hist, uint8_t *lens)
{
	int			order[256];
	int			n = 0;
	int			s;
	int			i;
	int			k;
	Item	   *prev = calloc(512, sizeof(Item));
	Item	   *cur = calloc(512, sizeof(Item));
	int			nprev;

	memset(lens, 0, 256);
	for (s = 0; s < 256; s++)
		if (hist[s])
			order[n++] = s;
	/* sort by (count, symbol): a plain selection sort */
	for (i = 0; i < n; i++)
		for (k = i + 1; k < n; k++)
			if (hist[order[k]] < hist[order[i]] ||
				(hist[order[k]] == hist[order[i]] && order[k] < order[i]))
			{
				int			t = order[i];

				order[i] = order[k];
				order[k] = t;
			}
	if (n >= 2)
	{
		for (i = 0; i < n; i++)
		{
			memset(&prev[i], 0, sizeof(Item));
			prev[i].w = hist[order[i]];
			prev[i].c[order[i]] = 1;
		}
		nprev = n;
		for (k = 1; k < MAXLEN; k++)
		{
			int			npk = nprev / 2;
			int			a = 0;
			int			b = 0;
			int			o = 0;

			while (a < n || b < npk)
			{
				uint64_t	pw = b < npk ? prev[2 * b].w + prev[2 * b + 1].w : 0;

				if (b >= npk || (a < n && hist[order[a]] <= pw))
				{
					memset(&cur[o], 0, sizeof(Item));
					cur[o].w = hist[order[a]];
					cur[o].c[order[a]] = 1;
					a++;
				}
				else
				{
					int			j;

					cur[o].w = pw;
					for (j = 0; j < 256; j++)
						cur[o].c[j] = (uint8_t) (prev[2 * b].c[j] + prev[2 * b + 1].c[j]);
					b++;
				}
				o++;
			}
			{
				Item	   *t = prev;

				prev = cur;
				cur = t;
			}
			nprev = o;
		}
		for (i = 0; i < 2 * n - 2; i++)
			for (s = 0; s < 256; s++)
				lens[s] = (uint8_t) (lens[s] + prev[i].c[s]);
	}
	free(prev);
	free(cur);
	return n;
}

/* canonical codes, literally: (length, symbol) order, +1 then shift */
static void
ref_codes(const uint8_t *lens, uint32_t *codes)
{
	int			prevlen = 0;
	uint32_t	code = 0;
	int			first = 1;
	int			l;
	int			s;

	for (l = 1; l <= MAXLEN; l++)
		for (s = 0; s < 256; s++)
		{
			if (lens[s] != l)
				continue;
			if (first)
				code = 0;
			else
				code = (code + 1) << (l - prevlen);
			codes[s] = code;
			prevlen = l;
			first = 0;
		}
}

/* LEB128, written out again here: 7 bits a byte, low group first */
static size_t
ref_varint(uint8_t *out, uint32_t v)
{
	size_t		n = 0;

	do
	{
		out[n] = (uint8_t) (v & 0x7f);
		v >>= 7;
		if (v != 0)
			out[n] |= 0x80;
		n++;
	} while (v != 0);
	return n;
}

/*
 * Encode registers with the given lengths (any lengths, canonical or not),
 * bit at a time, as format version `version`: 3 stores each symbol's
 * count, 1 and 2 its length.  Returns a malloc'd body and its length in
 * *len.
 */
static uint8_t *
ref_encode_v(const uint8_t *regs, unsigned p, unsigned flags, const uint8_t *lens,
			 int version, size_t *len)
{
	size_t		m = (size_t) 1 << p;
	uint32_t	codes[256];
	uint32_t	cnt[256];
	int			nsym = 0;
	int			s;
	uint64_t	bits = 0;
	size_t		i;
	size_t		tbl = 0;
	uint8_t    *b;
	uint8_t    *t;
	uint8_t		vb[8];
	uint64_t	pos = 0;

	memset(cnt, 0, sizeof(cnt));
	for (i = 0; i < m; i++)
		cnt[regs[i]]++;
	for (s = 0; s < 256; s++)
		if (cnt[s] || lens[s])
		{
			nsym++;
			tbl += version >= 3 ? 1 + ref_varint(vb, cnt[s]) : 2;
		}
	for (i = 0; i < m; i++)
		bits += lens[regs[i]];
	ref_codes(lens, codes);
	*len = 8 + tbl + (size_t) ((bits + 7) / 8);
	b = calloc(*len, 1);
	b[0] = (uint8_t) version;
	b[1] = (uint8_t) p;
	b[2] = REACH_REP_DENSE_PACKED;
	b[3] = (uint8_t) flags;
	b[4] = (uint8_t) nsym;
	b[5] = (uint8_t) (nsym >> 8);
	t = b + 8;
	for (s = 0; s < 256; s++)
		if (cnt[s] || lens[s])
		{
			*t++ = (uint8_t) s;
			if (version >= 3)
				t += ref_varint(t, cnt[s]);
			else
				*t++ = lens[s];
		}
	for (i = 0; i < m; i++)
	{
		int			l = lens[regs[i]];
		int			k;

		for (k = l - 1; k >= 0; k--, pos++)
			if ((codes[regs[i]] >> k) & 1)
				t[pos / 8] |= (uint8_t) (0x80 >> (pos % 8));
	}
	return b;
}

/* the current version's form */
static uint8_t *
ref_encode(const uint8_t *regs, unsigned p, unsigned flags, const uint8_t *lens, size_t *len)
{
	return ref_encode_v(regs, p, flags, lens, REACH_FORMAT_VERSION, len);
}

/*
 * The table of a packed body into syms/lens (lengths from the counts in
 * version 3, by ref_lengths); the stream's offset, or 0 on any trouble.
 */
static size_t
ref_table(const uint8_t *b, size_t len, uint32_t nsym, uint8_t *syms, uint8_t *lens)
{
	size_t		at = 8;
	uint32_t	k;
	uint32_t	hist[256];
	uint8_t		all[256];

	memset(hist, 0, sizeof(hist));
	for (k = 0; k < nsym; k++)
	{
		if (at >= len)
			return 0;
		syms[k] = b[at++];
		if (b[0] < 3)
		{
			if (at >= len)
				return 0;
			lens[k] = b[at++];
			continue;
		}
		{
			uint32_t	v = 0;
			int			sh = 0;

			do
			{
				if (at >= len || sh > 21)
					return 0;
				v |= (uint32_t) (b[at] & 0x7f) << sh;
				sh += 7;
			} while (b[at++] & 0x80);
			hist[syms[k]] = v;
		}
	}
	if (b[0] >= 3)
	{
		ref_lengths(hist, all);
		for (k = 0; k < nsym; k++)
			lens[k] = all[syms[k]];
	}
	return at;
}

/* decode a packed body bit at a time into regs; 0 on any trouble */
static int
ref_decode(const uint8_t *b, size_t len, uint8_t *regs)
{
	unsigned	p = b[1];
	size_t		m = (size_t) 1 << p;
	uint32_t	nsym;
	uint8_t		syms[256];
	uint8_t		tl[256];
	uint8_t		lens[256];
	uint32_t	codes[256];
	const uint8_t *st;
	size_t		at;
	uint64_t	nbits;
	uint64_t	pos = 0;
	size_t		i;
	uint32_t	k;

	memcpy(&nsym, b + 4, 4);
	if (nsym < 1 || nsym > 256 || (at = ref_table(b, len, nsym, syms, tl)) == 0)
		return 0;
	memset(lens, 0, sizeof(lens));
	for (k = 0; k < nsym; k++)
		lens[syms[k]] = tl[k];
	st = b + at;
	nbits = 8 * (uint64_t) (len - at);
	if (nsym == 1)
	{
		memset(regs, syms[0], m);
		return 1;
	}
	ref_codes(lens, codes);
	for (i = 0; i < m; i++)
	{
		uint32_t	code = 0;
		int			l;
		int			found = 0;

		for (l = 1; l <= MAXLEN && !found; l++)
		{
			if (pos >= nbits)
				return 0;
			code = (code << 1) | ((st[pos / 8] >> (7 - pos % 8)) & 1);
			pos++;
			for (k = 0; k < nsym; k++)
				if (tl[k] == l && codes[syms[k]] == code)
				{
					regs[i] = syms[k];
					found = 1;
					break;
				}
		}
		if (!found)
			return 0;
	}
	return 1;
}

/* plain (unlimited) Huffman cost in bits, and its longest code */
static uint64_t
huffman_cost(const uint32_t *hist, int *maxdepth)
{
	uint64_t	w[512];
	int			parent[512];
	int			alive[512];
	int			n = 0;
	int			total;
	int			s;
	int			i;
	uint64_t	cost = 0;

	for (s = 0; s < 256; s++)
		if (hist[s])
		{
			w[n] = hist[s];
			alive[n] = 1;
			parent[n] = -1;
			n++;
		}
	*maxdepth = 0;
	if (n < 2)
		return 0;
	total = n;
	for (;;)
	{
		int			a = -1;
		int			b = -1;

		for (i = 0; i < total; i++)
		{
			if (!alive[i])
				continue;
			if (a < 0 || w[i] < w[a])
			{
				b = a;
				a = i;
			}
			else if (b < 0 || w[i] < w[b])
				b = i;
		}
		if (b < 0)
			break;
		w[total] = w[a] + w[b];
		alive[total] = 1;
		parent[total] = -1;
		alive[a] = alive[b] = 0;
		parent[a] = parent[b] = total;
		total++;
	}
	for (i = 0; i < n; i++)
	{
		int			d = 0;
		int			j = i;

		while (parent[j] >= 0)
		{
			j = parent[j];
			d++;
		}
		cost += w[i] * (uint64_t) d;
		if (d > *maxdepth)
			*maxdepth = d;
	}
	return cost;
}

static void
histogram(const uint8_t *regs, size_t m, uint32_t *hist)
{
	size_t		i;

	memset(hist, 0, 256 * sizeof(uint32_t));
	for (i = 0; i < m; i++)
		hist[regs[i]]++;
}

#endif							/* REACH_PACKED_REFERENCE_H */
