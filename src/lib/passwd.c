/*
 * passwd.c - randomness, password hashing and verification.
 *
 * Hashes have the formats vpopmail 5.6 writes ("$6$" + 8 salt characters
 * by default, "$1$" + 8 with MD5_PASSWORDS, 2-character DES otherwise),
 * but every random choice comes from the kernel's CSPRNG (getrandom(2))
 * instead of rand() seeded with the time and pid.  Hashing goes through
 * libxcrypt's reentrant crypt_rn(); verification compares in constant
 * time.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"
#include "sha512_lanes.h"

#include <crypt.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#ifdef HAVE_GETRANDOM
#include <sys/random.h>
#endif

/* crypt(3) salt alphabet. */
static const char salt_chars[] =
	"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/* Alphabet of generated passwords (68 characters, as in 5.6). */
static const char pass_chars[] =
	"abcdefghijklmnopqrstuvwxyz"
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	"0123456789.@!#%*";

/* ------------------------------------------------------------------ */
/* Randomness.                                                        */

/* Fallback for kernels without getrandom(2). */
static int urandom_bytes(unsigned char *p, size_t n)
{
	ssize_t r;
	int fd;

	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while (n > 0) {
		r = read(fd, p, n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			close(fd);
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	close(fd);
	return 0;
}

/* 0, or VA_CRYPT_FAILED when the OS cannot supply random bytes. */
int vp_random_bytes(void *buf, size_t n)
{
	unsigned char *p = buf;

	if (p == NULL)
		return VA_NULL_POINTER;
#ifdef HAVE_GETRANDOM
	while (n > 0) {
		ssize_t r = getrandom(p, n, 0);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == ENOSYS)
			break;
		if (r <= 0)
			return VA_CRYPT_FAILED;
		p += r;               /* short reads happen for large n */
		n -= (size_t)r;
	}
	if (n == 0)
		return 0;
#endif
	return urandom_bytes(p, n) == 0 ? 0 : VA_CRYPT_FAILED;
}

/*
 * Uniform value in [0, n) into *out, by rejection sampling: 32-bit values
 * at or above the largest multiple of n are drawn again, so no residue
 * is more likely than another.
 */
static int random_below(unsigned n, unsigned *out)
{
	uint32_t v, limit;

	if (n <= 1) {
		*out = 0;
		return 0;
	}
	limit = UINT32_MAX - (UINT32_MAX % n);   /* multiple of n, or 2^32 - 1 */
	do {
		if (vp_random_bytes(&v, sizeof(v)) != 0)
			return VA_CRYPT_FAILED;
	} while (v >= limit);
	*out = v % n;
	return 0;
}

/*
 * The classic-style wrapper cannot report failure; it returns 0 then.
 * Code that must not degrade silently (salts, passwords) uses
 * random_below() directly.
 */
unsigned vp_random_below(unsigned n)
{
	unsigned v;

	return random_below(n, &v) == 0 ? v : 0;
}

/*
 * Fill buf[0..len) with characters from set; 0 or VA_CRYPT_FAILED.  The
 * random bytes come a pool at a time (one getrandom() for a salt, not
 * one per character); a byte at or above the largest multiple of the
 * set's size below 256 is drawn again, so every character is as likely.
 */
static int random_string(char *buf, size_t len, const char *set)
{
	unsigned char pool[64];
	size_t i, nset = strlen(set), have = 0, used = 0;
	unsigned limit, b;

	if (nset == 0 || nset > 256)
		return VA_CRYPT_FAILED;
	limit = 256 - 256 % (unsigned)nset;
	for (i = 0; i < len; i++) {
		do {
			if (used == have) {
				have = len - i < sizeof pool / 2 ? 2 * (len - i) : sizeof pool;
				if (vp_random_bytes(pool, have) != 0) {
					explicit_bzero(pool, sizeof pool);
					return VA_CRYPT_FAILED;
				}
				used = 0;
			}
			b = pool[used++];
		} while (b >= limit);
		buf[i] = set[b % nset];
	}
	buf[len] = '\0';
	explicit_bzero(pool, sizeof pool);
	return 0;
}

/* One random salt character (5.6 semantics: from "./0-9A-Za-z"). */
char randltr(void)
{
	return salt_chars[vp_random_below(64)];
}

/*
 * Write a random password of len characters (plus NUL) to buffer, which
 * must hold len + 1 bytes.  Returns buffer, or NULL if the OS random
 * source failed (the original could not fail).
 */
char *vrandom_pass(char *buffer, int len)
{
	if (buffer == NULL)
		return NULL;
	if (len < 0)
		len = 0;
	if (random_string(buffer, (size_t)len, pass_chars) != 0) {
		buffer[0] = '\0';
		return NULL;
	}
	return buffer;
}

/* Like vrandom_pass() into a malloc'd buffer (free() it). */
char *vgen_pass(int len)
{
	char *p;

	if (len < 0)
		len = 0;
	p = malloc((size_t)len + 1);
	if (p == NULL)
		return NULL;
	if (vrandom_pass(p, len) == NULL) {
		free(p);
		return NULL;
	}
	return p;
}

/* ------------------------------------------------------------------ */
/* Hashing.                                                           */

/* crypt_rn(); NULL on failure, including a failure token ("*..."). */
static const char *do_crypt(const char *clear, const char *setting,
                            struct crypt_data *cd)
{
	const char *h = crypt_rn(clear, setting, cd, (int)sizeof(*cd));

	return (h == NULL || h[0] == '*') ? NULL : h;
}

/*
 * Wipe crypt's 32 KiB work area.  glibc's explicit_bzero() clears it a
 * byte at a time (some 45,000 instructions, a third of a login's budget
 * beyond crypt); memset with a compiler barrier is as final and fast.
 */
static void wipe_crypt_data(struct crypt_data *cd)
{
	memset(cd, 0, sizeof(*cd));
	__asm__ __volatile__("" : : "r"(cd) : "memory");
}

/* Build a DES setting (2 salt characters). */
static int des_setting(char *setting)
{
	return random_string(setting, 2, salt_chars);
}

/*
 * A stand-in as long as the hash vp_hash_password() makes with this
 * build's scheme: "$6$", 8 salt characters, '$' and 86 for SHA-512; 22
 * after the salt for MD5; 13 characters for DES.  A backend can lay out
 * a record around it before the hash is ready (vauth_backend.adduser_late).
 */
int vp_hash_standin(char *out, size_t size)
{
#if defined(SHA512_PASSWORDS)
	const size_t len = 3 + 8 + 1 + 86;
#elif defined(MD5_PASSWORDS)
	const size_t len = 3 + 8 + 1 + 22;
#else
	const size_t len = 13;
#endif
	if (out == NULL || size <= len)
		return VA_NULL_POINTER;
	memset(out, 'x', len);
	out[len] = '\0';
	return 0;
}

int vp_hash_password(const char *clear, char *out, size_t size)
{
	struct crypt_data *cd;
	char setting[16];
	const char *h;
	int rc = 0;

	if (clear == NULL || out == NULL)
		return VA_NULL_POINTER;
#if defined(SHA512_PASSWORDS) || defined(MD5_PASSWORDS)
#ifdef SHA512_PASSWORDS
	memcpy(setting, "$6$", 3);
#else
	memcpy(setting, "$1$", 3);
#endif
	if (random_string(setting + 3, 8, salt_chars) != 0)
		return VA_CRYPT_FAILED;
#else
	if (des_setting(setting) != 0)
		return VA_CRYPT_FAILED;
#endif
	cd = calloc(1, sizeof(*cd));   /* large (~32 KiB): keep it off the stack */
	if (cd == NULL)
		return VA_MEMORY_ALLOC_ERR;
	h = do_crypt(clear, setting, cd);
#if defined(SHA512_PASSWORDS) || defined(MD5_PASSWORDS)
	/* A crypt without the requested scheme: fall back to DES, as 5.6 does. */
	if (h == NULL || h[2] != '$') {
		if (des_setting(setting) != 0)
			h = NULL;
		else
			h = do_crypt(clear, setting, cd);
	}
#endif
	if (h == NULL || vp_strlcpy(out, h, size) != 0) {
		if (size > 0)
			out[0] = '\0';
		rc = VA_CRYPT_FAILED;
	}
	wipe_crypt_data(cd);
	free(cd);
	return rc;
}

/*
 * Many passwords at once: out[i] and rc[i] as vp_hash_password(clear[i],
 * out[i], size) would leave them.  With SHA-512 hashes on a CPU with wide
 * vectors, passwords are hashed VP_SHA512_LANES at a time side by side
 * (2.5 to 4 times the throughput of one crypt(3) after another); a lone
 * password, or one too long for the lanes, goes through crypt(3).
 */
void vp_hash_many(const char *const clear[], char *const out[], size_t size, int rc[], size_t n)
{
	size_t i = 0;
#ifdef SHA512_PASSWORDS
	const char *key[VP_SHA512_LANES], *salt[VP_SHA512_LANES];
	char salts[VP_SHA512_LANES][9], hashes[VP_SHA512_LANES][VP_SHA512CRYPT_SIZE];
	size_t l, k, idx[VP_SHA512_LANES];

	while (i < n && vp_sha512_lanes_fast()) {
		/* the next lane-full of passwords the lanes take */
		for (k = 0; k < VP_SHA512_LANES && i < n; i++) {
			if (strlen(clear[i]) > VP_SHA512CRYPT_MAX_KEY) {
				rc[i] = vp_hash_password(clear[i], out[i], size);
				continue;
			}
			idx[k++] = i;
		}
		if (k == 1) {
			rc[idx[0]] = vp_hash_password(clear[idx[0]], out[idx[0]], size);
			continue;
		}
		for (l = 0; l < VP_SHA512_LANES; l++) {
			key[l] = l < k ? clear[idx[l]] : NULL;
			salt[l] = salts[l];
			if (l < k && random_string(salts[l], 8, salt_chars) != 0)
				key[l] = NULL;
		}
		if (vp_sha512crypt_lanes(key, salt, hashes) != 0) {
			for (l = 0; l < k; l++)	/* no memory: one at a time */
				key[l] = NULL;
		}
		for (l = 0; l < k; l++) {
			size_t j = idx[l];

			if (key[l] == NULL)
				rc[j] = vp_hash_password(clear[j], out[j], size);
			else if ((rc[j] = vp_strlcpy(out[j], hashes[l], size)) != 0) {
				rc[j] = VA_CRYPT_FAILED;
				if (size > 0)
					out[j][0] = '\0';
			}
		}
		explicit_bzero(hashes, sizeof hashes);
	}
#endif
	for (; i < n; i++)
		rc[i] = vp_hash_password(clear[i], out[i], size);
}

/*
 * Classic mkpasswd3(): hash clearpass into crypted (ssize bytes).
 * VA_CRYPT_FAILED if hashing failed or the hash does not fit.
 */
int mkpasswd3(char *clearpass, char *crypted, int ssize)
{
	if (ssize <= 0)
		return VA_CRYPT_FAILED;
	return vp_hash_password(clearpass, crypted, (size_t)ssize);
}

/* Equal strings?  Time depends only on the length of `a`. */
static int ct_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned diff = (la != lb);

	for (i = 0; i < la; i++)
		diff |= (unsigned char)a[i] ^ (unsigned char)(i < lb ? b[i] : 0);
	return diff == 0;
}

/* Public form of ct_equal() for callers comparing secrets (vverifypw -e). */
int vp_ct_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return 0;
	return ct_equal(a, b);
}

/*
 * 0 if clear matches the stored hash, -1 otherwise.  A leading
 * "{SCHEME}" (e.g. "{SHA512-CRYPT}$6$...") is skipped, as 5.6 does.
 * An empty stored hash never matches (crypt cannot use "" as a setting;
 * vchkpw treats such accounts separately), nor does one crypt rejects.
 */
int vp_check_password(const char *clear, const char *stored)
{
	struct crypt_data *cd;
	const char *h, *end;
	int rc = -1;

	if (clear == NULL || stored == NULL)
		return -1;
	if (stored[0] == '{' && (end = strchr(stored, '}')) != NULL)
		stored = end + 1;
	if (stored[0] == '\0')
		return -1;
	/*
	 * Fresh anonymous pages are zero already (crypt_rn wants its area
	 * zeroed) and, once unmapped, can be read by nobody until the
	 * kernel clears them for their next user: no 32 KiB memset either
	 * side (a third of a vchkpw login's budget beyond crypt, as callgrind
	 * counts "rep stosb").
	 */
	cd = mmap(NULL, sizeof(*cd), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (cd == MAP_FAILED)
		return -1;
	h = do_crypt(clear, stored, cd);
	if (h != NULL && ct_equal(h, stored))
		rc = 0;
	munmap(cd, sizeof(*cd));
	return rc;
}
