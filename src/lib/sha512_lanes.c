/*
 * sha512_lanes.c - SHA-512 (FIPS 180-4) of VP_SHA512_LANES messages side
 * by side, one message per 64-bit lane of a vector.
 *
 * Password hashing is the whole cost of adding many users at once, and a
 * SHA-512 crypt is 5000 short hashes in a chain that cannot be split.
 * Eight independent chains, though, can share one instruction stream:
 * each vector operation below advances all of them.  The vectors are
 * GCC's generic ones; on x86-64 the compression function is built three
 * times (AVX-512, AVX2, and the baseline every x86-64 has) and each call
 * uses the best one the CPU runs, so one binary serves every machine.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "sha512_lanes.h"

#include <stdint.h>
#include <string.h>

#define LANES VP_SHA512_LANES

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define X86_VARIANTS 1
#endif

#ifdef X86_VARIANTS
#if __has_include(<sys/platform/x86.h>)
/*
 * Ask glibc, which examined the CPU at start-up anyway.  libgcc's
 * __builtin_cpu_supports() would link a constructor into every program
 * that runs CPUID a dozen times at each start: about 40 us on a virtual
 * machine, where each CPUID traps to the hypervisor, and vdelivermail or
 * vchkpw would pay it for hashing they never do.
 */
#include <sys/platform/x86.h>
#define HAS_AVX2() CPU_FEATURE_ACTIVE(AVX2)
#define HAS_AVX512F() CPU_FEATURE_ACTIVE(AVX512F)
#else
#define HAS_AVX2() __builtin_cpu_supports("avx2")
#define HAS_AVX512F() __builtin_cpu_supports("avx512f")
#endif
#endif

/* Round constants: the first 64 bits of the fractional parts of the cube
 * roots of the first 80 primes. */
static const uint64_t K[80] = {
	0x428a2f98d728ae22ULL, 0x7137449123ef65cdULL, 0xb5c0fbcfec4d3b2fULL, 0xe9b5dba58189dbbcULL,
	0x3956c25bf348b538ULL, 0x59f111f1b605d019ULL, 0x923f82a4af194f9bULL, 0xab1c5ed5da6d8118ULL,
	0xd807aa98a3030242ULL, 0x12835b0145706fbeULL, 0x243185be4ee4b28cULL, 0x550c7dc3d5ffb4e2ULL,
	0x72be5d74f27b896fULL, 0x80deb1fe3b1696b1ULL, 0x9bdc06a725c71235ULL, 0xc19bf174cf692694ULL,
	0xe49b69c19ef14ad2ULL, 0xefbe4786384f25e3ULL, 0x0fc19dc68b8cd5b5ULL, 0x240ca1cc77ac9c65ULL,
	0x2de92c6f592b0275ULL, 0x4a7484aa6ea6e483ULL, 0x5cb0a9dcbd41fbd4ULL, 0x76f988da831153b5ULL,
	0x983e5152ee66dfabULL, 0xa831c66d2db43210ULL, 0xb00327c898fb213fULL, 0xbf597fc7beef0ee4ULL,
	0xc6e00bf33da88fc2ULL, 0xd5a79147930aa725ULL, 0x06ca6351e003826fULL, 0x142929670a0e6e70ULL,
	0x27b70a8546d22ffcULL, 0x2e1b21385c26c926ULL, 0x4d2c6dfc5ac42aedULL, 0x53380d139d95b3dfULL,
	0x650a73548baf63deULL, 0x766a0abb3c77b2a8ULL, 0x81c2c92e47edaee6ULL, 0x92722c851482353bULL,
	0xa2bfe8a14cf10364ULL, 0xa81a664bbc423001ULL, 0xc24b8b70d0f89791ULL, 0xc76c51a30654be30ULL,
	0xd192e819d6ef5218ULL, 0xd69906245565a910ULL, 0xf40e35855771202aULL, 0x106aa07032bbd1b8ULL,
	0x19a4c116b8d2d0c8ULL, 0x1e376c085141ab53ULL, 0x2748774cdf8eeb99ULL, 0x34b0bcb5e19b48a8ULL,
	0x391c0cb3c5c95a63ULL, 0x4ed8aa4ae3418acbULL, 0x5b9cca4f7763e373ULL, 0x682e6ff3d6b2b8a3ULL,
	0x748f82ee5defb2fcULL, 0x78a5636f43172f60ULL, 0x84c87814a1f0ab72ULL, 0x8cc702081a6439ecULL,
	0x90befffa23631e28ULL, 0xa4506cebde82bde9ULL, 0xbef9a3f7b2c67915ULL, 0xc67178f2e372532bULL,
	0xca273eceea26619cULL, 0xd186b8c721c0c207ULL, 0xeada7dd6cde0eb1eULL, 0xf57d4f7fee6ed178ULL,
	0x06f067aa72176fbaULL, 0x0a637dc5a2c898a6ULL, 0x113f9804bef90daeULL, 0x1b710b35131c471bULL,
	0x28db77f523047d84ULL, 0x32caab7b40c72493ULL, 0x3c9ebe0a15c9bebcULL, 0x431d67c49c100d4cULL,
	0x4cc5d4becb3e42b6ULL, 0x597f299cfc657e2aULL, 0x5fcb6fab3ad6faecULL, 0x6c44198c4a475817ULL,
};

/* Initial state: the same for the square roots of the first 8 primes. */
static const uint64_t H0[8] = {
	0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
	0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL,
};

static uint64_t load_be64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

static void store_be64(unsigned char *p, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	memcpy(p, &v, 8);
}

#define ROR(x, n) (((x) >> (n)) | ((x) << (64 - (n))))
#define BSIG0(x) (ROR(x, 28) ^ ROR(x, 34) ^ ROR(x, 39))
#define BSIG1(x) (ROR(x, 14) ^ ROR(x, 18) ^ ROR(x, 41))
#define SSIG0(x) (ROR(x, 1) ^ ROR(x, 8) ^ ((x) >> 7))
#define SSIG1(x) (ROR(x, 19) ^ ROR(x, 61) ^ ((x) >> 6))
#define CH(e, f, g)  ((g) ^ ((e) & ((f) ^ (g))))
#define MAJ(a, b, c) (((a) & (b)) | ((c) & ((a) ^ (b))))

typedef void compress_fn(uint64_t state[8][LANES], unsigned char *const msg[LANES],
                         const size_t nblk[LANES]);

/*
 * The compression function, once per instruction set: each copy works on
 * as many lanes at a time as its vectors hold (VEC_WORDS), over all LANES.
 */
#define VEC_WORDS 2
#define COMPRESS compress_base
#include "sha512_compress_body.h"
#undef VEC_WORDS
#undef COMPRESS

#ifdef X86_VARIANTS
#pragma GCC push_options
#pragma GCC target("avx2")
#define VEC_WORDS 4
#define COMPRESS compress_avx2
#include "sha512_compress_body.h"
#undef VEC_WORDS
#undef COMPRESS
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f")
#define VEC_WORDS 8
#define COMPRESS compress_avx512
#include "sha512_compress_body.h"
#undef VEC_WORDS
#undef COMPRESS
#pragma GCC pop_options
#endif

/* vp_sha512_lanes_force()'s choice; NULL: the best the CPU has. */
static compress_fn *forced;

static compress_fn *variant(const char *name)
{
	if (name == NULL)
		return NULL;
	if (strcmp(name, "base") == 0)
		return compress_base;
#ifdef X86_VARIANTS
	if (strcmp(name, "avx2") == 0 && HAS_AVX2())
		return compress_avx2;
	if (strcmp(name, "avx512f") == 0 && HAS_AVX512F())
		return compress_avx512;
#endif
	return NULL;
}

int vp_sha512_lanes_force(const char *name)
{
	compress_fn *fn = variant(name);

	if (name != NULL && fn == NULL)
		return -1;
	forced = fn;
	return 0;
}

int vp_sha512_lanes_fast(void)
{
#ifdef X86_VARIANTS
	return HAS_AVX512F() || HAS_AVX2();
#else
	return 0;
#endif
}

static compress_fn *best(void)
{
	if (forced != NULL)
		return forced;
#ifdef X86_VARIANTS
	if (HAS_AVX512F())
		return compress_avx512;
	if (HAS_AVX2())
		return compress_avx2;
#endif
	return compress_base;
}

size_t vp_sha512_room(size_t len)
{
	return (len + 1 + 16 + 127) / 128 * 128;
}

void vp_sha512_lanes(unsigned char *const msg[LANES], const size_t len[LANES],
                     unsigned char digest[LANES][64])
{
	uint64_t state[8][LANES];
	size_t nblk[LANES], l, i;

	for (l = 0; l < LANES; l++) {
		size_t room;

		nblk[l] = 0;
		if (msg[l] == NULL)
			continue;
		/* 0x80, zeros, and the length in bits as a 128-bit number */
		room = vp_sha512_room(len[l]);
		msg[l][len[l]] = 0x80;
		memset(msg[l] + len[l] + 1, 0, room - len[l] - 1 - 8);
		store_be64(msg[l] + room - 8, (uint64_t)len[l] * 8);
		nblk[l] = room / 128;
	}
	for (i = 0; i < 8; i++)
		for (l = 0; l < LANES; l++)
			state[i][l] = H0[i];
	best()(state, msg, nblk);
	for (l = 0; l < LANES; l++)
		if (msg[l] != NULL)
			for (i = 0; i < 8; i++)
				store_be64(digest[l] + 8 * i, state[i][l]);
}
