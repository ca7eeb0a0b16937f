/*
 * sha512_lanes.h - SHA-512 of several messages at once, and SHA-512
 * crypt ("$6$") built on it, for hashing many passwords in one go.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef SHA512_LANES_H
#define SHA512_LANES_H

#include <stddef.h>

/* Messages hashed side by side: one 512-bit vector of 64-bit words. */
#define VP_SHA512_LANES 8

/* Longest key (password) vp_sha512crypt_lanes() takes; longer ones
 * are hashed by crypt(3) one at a time. */
#define VP_SHA512CRYPT_MAX_KEY 128

/* "$6$" + salt (at most 16) + "$" + 86 characters + NUL. */
#define VP_SHA512CRYPT_SIZE (3 + 16 + 1 + 86 + 1)

/*
 * Room a message of len bytes needs for vp_sha512_lanes(): len rounded
 * up past SHA-512's padding (0x80, zeros, 16-byte length) to 128 bytes.
 */
size_t vp_sha512_room(size_t len);

/*
 * digest[l] = SHA-512(msg[l][0..len[l])) for each lane l whose msg[l] is
 * not NULL.  msg[l] must have vp_sha512_room(len[l]) bytes: the padding
 * is written after the message.  Lanes whose messages take fewer blocks
 * than the longest are carried along without being changed.
 */
void vp_sha512_lanes(unsigned char *const msg[VP_SHA512_LANES],
                     const size_t len[VP_SHA512_LANES],
                     unsigned char digest[VP_SHA512_LANES][64]);

/*
 * Nonzero when this CPU runs the lanes in vectors wide enough to beat
 * crypt(3) called once per password (AVX2 or AVX-512 here); the portable
 * variant gives the same results at about crypt(3)'s speed.
 */
int vp_sha512_lanes_fast(void);

/*
 * Tests: use the variant "base", "avx2" or "avx512f" of the vector code
 * (x86-64), or the best the CPU runs again (NULL).  -1 if this CPU or
 * build has no such variant.  Not for use while another thread hashes.
 */
int vp_sha512_lanes_force(const char *name);

/*
 * SHA-512 crypt with the default 5000 rounds, as crypt(3) computes it for
 * the setting "$6$<salt>": out[l] = "$6$<salt[l]>$<86 characters>" for
 * every lane whose key[l] is not NULL.  A salt is 1 to 16 characters of
 * "./0-9A-Za-z"; a key at most VP_SHA512CRYPT_MAX_KEY bytes.  0, or -1
 * (nothing written) for an argument out of those bounds or no memory.
 */
int vp_sha512crypt_lanes(const char *const key[VP_SHA512_LANES],
                         const char *const salt[VP_SHA512_LANES],
                         char out[VP_SHA512_LANES][VP_SHA512CRYPT_SIZE]);

#endif
