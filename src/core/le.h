/*
 * le.h — little-endian field access at any alignment, shared by the cores.
 *
 * Stored formats are little-endian on every platform.  On a little-endian
 * machine these compile to one load or store; memcpy keeps unaligned
 * access defined.  Elsewhere they assemble the bytes.
 */
#ifndef IMPRESSION_EXT_LE_H
#define IMPRESSION_EXT_LE_H

#include <stdint.h>
#include <string.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define IE_NATIVE_LE 1
#else
#define IE_NATIVE_LE 0
#endif

static inline uint32_t
ie_get32(const uint8_t *p)
{
#if IE_NATIVE_LE
	uint32_t	v;

	memcpy(&v, p, 4);
	return v;
#else
	return (uint32_t) p[0] | ((uint32_t) p[1] << 8) |
		((uint32_t) p[2] << 16) | ((uint32_t) p[3] << 24);
#endif
}

static inline void
ie_put32(uint8_t *p, uint32_t v)
{
#if IE_NATIVE_LE
	memcpy(p, &v, 4);
#else
	p[0] = (uint8_t) v;
	p[1] = (uint8_t) (v >> 8);
	p[2] = (uint8_t) (v >> 16);
	p[3] = (uint8_t) (v >> 24);
#endif
}

static inline uint64_t
ie_get64(const uint8_t *p)
{
#if IE_NATIVE_LE
	uint64_t	v;

	memcpy(&v, p, 8);
	return v;
#else
	return (uint64_t) ie_get32(p) | ((uint64_t) ie_get32(p + 4) << 32);
#endif
}

static inline void
ie_put64(uint8_t *p, uint64_t v)
{
#if IE_NATIVE_LE
	memcpy(p, &v, 8);
#else
	ie_put32(p, (uint32_t) v);
	ie_put32(p + 4, (uint32_t) (v >> 32));
#endif
}

/*
 * A field of a stored format's header: a getter and a setter of the
 * little-endian unsigned integer of 8, 32 or 64 bits at a byte offset.
 * Each format's header layout is then written once, as a list of these,
 * and code names the fields instead of their offsets.
 */
#define IE_FIELD_U8(get, set, offset) \
static inline unsigned get(const uint8_t *b_) { return b_[offset]; } \
static inline void set(uint8_t *b_, unsigned v_) { b_[offset] = (uint8_t) v_; } \
extern int no_such_variable
#define IE_FIELD_U32(get, set, offset) \
static inline uint32_t get(const uint8_t *b_) { return ie_get32(b_ + (offset)); } \
static inline void set(uint8_t *b_, uint32_t v_) { ie_put32(b_ + (offset), v_); } \
extern int no_such_variable
#define IE_FIELD_U64(get, set, offset) \
static inline uint64_t get(const uint8_t *b_) { return ie_get64(b_ + (offset)); } \
static inline void set(uint8_t *b_, uint64_t v_) { ie_put64(b_ + (offset), v_); } \
extern int no_such_variable

#endif							/* IMPRESSION_EXT_LE_H */
