/*
 * md5.c - MD5 and HMAC-MD5 for APOP and CRAM-MD5 (see md5.h).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "md5.h"

#include <string.h>

/* Per-round left-rotation amounts and the sine-derived constants. */
static const unsigned char rot[64] = {
	7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
	5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
	4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
	6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
};
static const uint32_t K[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a,
	0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
	0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340,
	0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
	0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
	0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
	0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
	0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
	0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
	0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
	0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

static uint32_t rol(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

/* One 64-byte block. */
static void block(uint32_t st[4], const unsigned char *p)
{
	uint32_t w[16], a = st[0], b = st[1], c = st[2], d = st[3], f, t;
	unsigned i, g;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
		       (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
	for (i = 0; i < 64; i++) {
		if (i < 16) {
			f = (b & c) | (~b & d);
			g = i;
		} else if (i < 32) {
			f = (d & b) | (~d & c);
			g = (5 * i + 1) & 15;
		} else if (i < 48) {
			f = b ^ c ^ d;
			g = (3 * i + 5) & 15;
		} else {
			f = c ^ (b | ~d);
			g = (7 * i) & 15;
		}
		t = d;
		d = c;
		c = b;
		b = b + rol(a + f + K[i] + w[g], rot[i]);
		a = t;
	}
	st[0] += a;
	st[1] += b;
	st[2] += c;
	st[3] += d;
}

void vp_md5_init(struct vp_md5 *m)
{
	m->st[0] = 0x67452301;
	m->st[1] = 0xefcdab89;
	m->st[2] = 0x98badcfe;
	m->st[3] = 0x10325476;
	m->len = 0;
}

void vp_md5_add(struct vp_md5 *m, const void *data, size_t n)
{
	const unsigned char *p = data;
	size_t used = (size_t)(m->len & 63), take;

	m->len += n;
	while (n > 0) {
		take = 64 - used < n ? 64 - used : n;
		memcpy(m->blk + used, p, take);
		used += take;
		p += take;
		n -= take;
		if (used == 64) {
			block(m->st, m->blk);
			used = 0;
		}
	}
}

void vp_md5_done(struct vp_md5 *m, unsigned char out[16])
{
	unsigned char pad[72];
	uint64_t bits = m->len * 8;
	size_t used = (size_t)(m->len & 63), n, i;

	/* 0x80, zeros up to 56 mod 64, then the bit length (little endian). */
	n = (used < 56 ? 56 : 120) - used;
	memset(pad, 0, sizeof pad);
	pad[0] = 0x80;
	for (i = 0; i < 8; i++)
		pad[n + i] = (unsigned char)(bits >> (8 * i));
	vp_md5_add(m, pad, n + 8);
	for (i = 0; i < 16; i++)
		out[i] = (unsigned char)(m->st[i / 4] >> (8 * (i % 4)));
	memset(m, 0, sizeof *m);
}

void vp_hex16(const unsigned char in[16], char out[33])
{
	static const char hex[] = "0123456789abcdef";
	int i;

	for (i = 0; i < 16; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[32] = '\0';
}

void vp_md5_hex2(const char *a, const char *b, char out[33])
{
	struct vp_md5 m;
	unsigned char d[16];

	vp_md5_init(&m);
	vp_md5_add(&m, a, strlen(a));
	vp_md5_add(&m, b, strlen(b));
	vp_md5_done(&m, d);
	vp_hex16(d, out);
}

void vp_hmac_md5_hex(const char *key, const char *text, char out[33])
{
	unsigned char k[64], pad[64], inner[16], d[16];
	struct vp_md5 m;
	size_t klen = strlen(key), i;

	/* Keys longer than a block are replaced by their digest (RFC 2104). */
	memset(k, 0, sizeof k);
	if (klen > 64) {
		vp_md5_init(&m);
		vp_md5_add(&m, key, klen);
		vp_md5_done(&m, k);
	} else {
		memcpy(k, key, klen);
	}
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x36;
	vp_md5_init(&m);
	vp_md5_add(&m, pad, 64);
	vp_md5_add(&m, text, strlen(text));
	vp_md5_done(&m, inner);
	for (i = 0; i < 64; i++)
		pad[i] = k[i] ^ 0x5c;
	vp_md5_init(&m);
	vp_md5_add(&m, pad, 64);
	vp_md5_add(&m, inner, 16);
	vp_md5_done(&m, d);
	vp_hex16(d, out);
	memset(k, 0, sizeof k);
	memset(pad, 0, sizeof pad);
}
