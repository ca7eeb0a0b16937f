/*
 * sha512crypt_lanes.c - SHA-512 crypt ("$6$", 5000 rounds) of up to
 * VP_SHA512_LANES passwords at once, on top of vp_sha512_lanes().
 *
 * The steps are those of the published SHA-crypt specification, taken a
 * step at a time for all lanes together: each lane's message is laid out
 * in its own buffer, then one call hashes them all.  The result is the
 * string crypt(3) returns for the setting "$6$<salt>" (tests compare the
 * two on many keys and salts).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "sha512_lanes.h"

#include <stdlib.h>
#include <string.h>

#define LANES  VP_SHA512_LANES
#define ROUNDS 5000
#define MAX_SALT 16

static const char itoa64[] =
	"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

struct lane {
	const unsigned char *key;
	size_t klen;
	const unsigned char *salt;
	size_t slen;
	unsigned char *buf;		/* this lane's message */
	unsigned char p[VP_SHA512CRYPT_MAX_KEY];	/* the key stand-in P */
	unsigned char s[MAX_SALT];			/* the salt stand-in S */
};

static unsigned char *put(unsigned char *o, const void *src, size_t n)
{
	memcpy(o, src, n);
	return o + n;
}

/* src repeated to fill n bytes (src holds 64). */
static unsigned char *put_cycled(unsigned char *o, const unsigned char *src, size_t n)
{
	for (; n > 64; n -= 64)
		o = put(o, src, 64);
	return put(o, src, n);
}

/* Memory that held keys: cleared in a way the compiler keeps. */
static void wipe(void *p, size_t n)
{
	memset(p, 0, n);
	__asm__ __volatile__("" : : "r"(p) : "memory");
}

static int valid_salt(const char *s, size_t *len)
{
	size_t n;

	for (n = 0; s[n] != '\0'; n++)
		if (n == MAX_SALT || strchr(itoa64, s[n]) == NULL)
			return 0;
	*len = n;
	return n > 0;
}

/* Hash every lane's buf[0..len[l]) into dg[l]; lanes without a key rest. */
static void hash_all(struct lane *ln, const size_t len[LANES], unsigned char dg[LANES][64])
{
	unsigned char *msg[LANES];
	size_t l;

	for (l = 0; l < LANES; l++)
		msg[l] = ln[l].key != NULL ? ln[l].buf : NULL;
	vp_sha512_lanes(msg, len, dg);
}

/* "$6$<salt>$" and the 86 characters of digest c, in the scheme's order. */
static void encode(char *out, const struct lane *ln, const unsigned char c[64])
{
	char *o = out;
	unsigned v;
	size_t i;
	int n;

	memcpy(o, "$6$", 3);
	memcpy(o + 3, ln->salt, ln->slen);
	o += 3 + ln->slen;
	*o++ = '$';
	/* 21 groups of three bytes i, i+21, i+42, their order turning by one
	 * each group; then the last byte alone. */
	for (i = 0; i < 21; i++) {
		unsigned x = c[i], y = c[i + 21], z = c[i + 42];

		v = i % 3 == 0 ? x << 16 | y << 8 | z :
		    i % 3 == 1 ? y << 16 | z << 8 | x :
		                 z << 16 | x << 8 | y;
		for (n = 0; n < 4; n++, v >>= 6)
			*o++ = itoa64[v & 63];
	}
	for (v = c[63], n = 0; n < 2; n++, v >>= 6)
		*o++ = itoa64[v & 63];
	*o = '\0';
}

int vp_sha512crypt_lanes(const char *const key[LANES], const char *const salt[LANES],
                         char out[LANES][VP_SHA512CRYPT_SIZE])
{
	struct lane ln[LANES];
	unsigned char b[LANES][64], c[LANES][64], *area;
	size_t len[LANES], l, n, i, kmax = 0, cap;
	int any = 0;

	memset(ln, 0, sizeof ln);
	for (l = 0; l < LANES; l++) {
		if (key[l] == NULL)
			continue;
		ln[l].key = (const unsigned char *)key[l];
		ln[l].klen = strlen(key[l]);
		ln[l].salt = (const unsigned char *)salt[l];
		if (ln[l].klen > VP_SHA512CRYPT_MAX_KEY || salt[l] == NULL ||
		    !valid_salt(salt[l], &ln[l].slen))
			return -1;
		if (ln[l].klen > kmax)
			kmax = ln[l].klen;
		any = 1;
	}
	if (!any)
		return 0;
	/* The longest message: the key repeated key-length times, or the salt
	 * up to 16 + 255 times, or the second step's key, salt, digest copies
	 * and one of key or digest per bit of the key's length. */
	cap = kmax * kmax;
	if (cap < (16 + 255) * MAX_SALT)
		cap = (16 + 255) * MAX_SALT;
	if (cap < 3 * kmax + MAX_SALT + 9 * (kmax + 64))
		cap = 3 * kmax + MAX_SALT + 9 * (kmax + 64);
	cap = vp_sha512_room(cap);
	if ((area = malloc(LANES * cap)) == NULL)
		return -1;
	for (l = 0; l < LANES; l++)
		ln[l].buf = area + l * cap;

	/* B = H(key salt key) */
	for (l = 0; l < LANES; l++) {
		struct lane *x = &ln[l];
		unsigned char *o = x->buf;

		len[l] = 0;
		if (x->key == NULL)
			continue;
		o = put(o, x->key, x->klen);
		o = put(o, x->salt, x->slen);
		o = put(o, x->key, x->klen);
		len[l] = (size_t)(o - x->buf);
	}
	hash_all(ln, len, b);

	/* A = H(key salt, B cycled to the key's length, then per bit of the
	 * key's length from the lowest: B for a one, the key for a zero) */
	for (l = 0; l < LANES; l++) {
		struct lane *x = &ln[l];
		unsigned char *o = x->buf;

		if (x->key == NULL)
			continue;
		o = put(o, x->key, x->klen);
		o = put(o, x->salt, x->slen);
		o = put_cycled(o, b[l], x->klen);
		for (n = x->klen; n > 0; n >>= 1)
			o = (n & 1) ? put(o, b[l], 64) : put(o, x->key, x->klen);
		len[l] = (size_t)(o - x->buf);
	}
	hash_all(ln, len, c);

	/* P: H(key repeated key-length times) cycled to the key's length */
	for (l = 0; l < LANES; l++) {
		struct lane *x = &ln[l];
		unsigned char *o = x->buf;

		if (x->key == NULL)
			continue;
		for (n = 0; n < x->klen; n++)
			o = put(o, x->key, x->klen);
		len[l] = (size_t)(o - x->buf);
	}
	hash_all(ln, len, b);
	for (l = 0; l < LANES; l++)
		put_cycled(ln[l].p, b[l], ln[l].klen);

	/* S: H(salt repeated 16 + A[0] times), its first salt-length bytes */
	for (l = 0; l < LANES; l++) {
		struct lane *x = &ln[l];
		unsigned char *o = x->buf;

		if (x->key == NULL)
			continue;
		for (n = 0; n < 16u + c[l][0]; n++)
			o = put(o, x->salt, x->slen);
		len[l] = (size_t)(o - x->buf);
	}
	hash_all(ln, len, b);
	for (l = 0; l < LANES; l++)
		memcpy(ln[l].s, b[l], ln[l].slen);

	/* The rounds: C = H(P or C, S unless i % 3 == 0, P unless i % 7 == 0,
	 * C or P), the first for odd i and the second for even i. */
	for (i = 0; i < ROUNDS; i++) {
		for (l = 0; l < LANES; l++) {
			struct lane *x = &ln[l];
			unsigned char *o = x->buf;

			if (x->key == NULL)
				continue;
			o = (i & 1) ? put(o, x->p, x->klen) : put(o, c[l], 64);
			if (i % 3 != 0)
				o = put(o, x->s, x->slen);
			if (i % 7 != 0)
				o = put(o, x->p, x->klen);
			o = (i & 1) ? put(o, c[l], 64) : put(o, x->p, x->klen);
			len[l] = (size_t)(o - x->buf);
		}
		hash_all(ln, len, c);
	}

	for (l = 0; l < LANES; l++)
		if (ln[l].key != NULL)
			encode(out[l], &ln[l], c[l]);
	wipe(area, LANES * cap);
	free(area);
	wipe(ln, sizeof ln);
	wipe(b, sizeof b);
	wipe(c, sizeof c);
	return 0;
}
