/*
 * sha512_compress_body.h - the SHA-512 compression function over the
 * lanes of vp_sha512_lanes(), VEC_WORDS lanes per vector operation.
 *
 * Included by sha512_lanes.c once per instruction set, with COMPRESS
 * naming the function and VEC_WORDS the width of its vectors (the
 * vectors are GCC's generic ones, compiled for the target in force).
 * No include guard on purpose.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */

/*
 * Run the compression over the nblk[l] blocks of msg[l] for every lane,
 * VEC_WORDS lanes at a time; within such a group, lanes with fewer blocks
 * than the longest are carried along and keep their state.
 */
static void COMPRESS(uint64_t state[8][LANES], unsigned char *const msg[LANES],
                     const size_t nblk[LANES])
{
	typedef uint64_t vec __attribute__((vector_size(8 * VEC_WORDS)));
	uint64_t words[16][VEC_WORDS] __attribute__((aligned(8 * VEC_WORDS)));
	uint64_t live[VEC_WORDS] __attribute__((aligned(8 * VEC_WORDS)));
	vec s[8], w[16], a, b, c, d, e, f, g, h, keep;
	size_t first, blk, l, t, i, upto;

	for (first = 0; first < LANES; first += VEC_WORDS) {
		for (upto = 0, l = first; l < first + VEC_WORDS; l++)
			if (nblk[l] > upto)
				upto = nblk[l];
		for (i = 0; i < 8; i++)
			memcpy(&s[i], &state[i][first], sizeof s[i]);
		for (blk = 0; blk < upto; blk++) {
			for (l = 0; l < VEC_WORDS; l++) {
				live[l] = blk < nblk[first + l] ? ~(uint64_t)0 : 0;
				for (t = 0; t < 16; t++)
					words[t][l] = live[l] ?
					              load_be64(msg[first + l] + 128 * blk + 8 * t) : 0;
			}
			memcpy(w, words, sizeof w);
			memcpy(&keep, live, sizeof keep);
			a = s[0]; b = s[1]; c = s[2]; d = s[3];
			e = s[4]; f = s[5]; g = s[6]; h = s[7];
			/* Kept rolled: measured faster here than eight rounds
			 * unrolled with the variables renamed. */
			for (t = 0; t < 80; t++) {
				vec t1, t2;

				if (t >= 16)
					w[t & 15] += SSIG1(w[(t - 2) & 15]) + w[(t - 7) & 15] +
					             SSIG0(w[(t - 15) & 15]);
				t1 = h + BSIG1(e) + CH(e, f, g) + K[t] + w[t & 15];
				t2 = BSIG0(a) + MAJ(a, b, c);
				h = g; g = f; f = e; e = d + t1;
				d = c; c = b; b = a; a = t1 + t2;
			}
			s[0] += a & keep; s[1] += b & keep; s[2] += c & keep; s[3] += d & keep;
			s[4] += e & keep; s[5] += f & keep; s[6] += g & keep; s[7] += h & keep;
		}
		for (i = 0; i < 8; i++)
			memcpy(&state[i][first], &s[i], sizeof s[i]);
	}
}
