/*
 * md5.h - MD5 (RFC 1321) and HMAC-MD5 (RFC 2104), only for the
 * challenge/response logins of vchkpw (APOP, CRAM-MD5).  Not a password
 * hash: stored passwords go through crypt(3).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef VP_MD5_H
#define VP_MD5_H

#include <stddef.h>
#include <stdint.h>

struct vp_md5 {
	uint32_t st[4];
	uint64_t len;            /* bytes hashed so far */
	unsigned char blk[64];
};

void vp_md5_init(struct vp_md5 *m);
void vp_md5_add(struct vp_md5 *m, const void *data, size_t n);
void vp_md5_done(struct vp_md5 *m, unsigned char out[16]);
/* Lower-case hex of 16 bytes into out (33 bytes). */
void vp_hex16(const unsigned char in[16], char out[33]);
/* Lower-case hex of MD5(a || b) into out (33 bytes): APOP. */
void vp_md5_hex2(const char *a, const char *b, char out[33]);
/* Lower-case hex of HMAC-MD5(key, text) into out (33 bytes): CRAM-MD5. */
void vp_hmac_md5_hex(const char *key, const char *text, char out[33]);

#endif /* VP_MD5_H */
