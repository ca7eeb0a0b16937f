/*
 * unit_sha512.c - sha512_lanes.c and sha512crypt_lanes.c: SHA-512 of
 * several messages at once against published and precomputed digests,
 * SHA-512 crypt of eight passwords at once against libxcrypt's crypt_rn()
 * in every vector variant this CPU runs, the bounds of the lanes, and
 * vp_hash_many() (passwd.c), which bulk adds use.
 */
#include "vpinternal.h"
#include "sha512_lanes.h"
#include "tap.h"

#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#define LANES VP_SHA512_LANES

static const char salt_set[] =
	"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

static void hex(const unsigned char *d, char out[129])
{
	int i;

	for (i = 0; i < 64; i++)
		snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* crypt_rn()'s answer for key and the setting "$6$<salt>". */
static const char *reference(const char *key, const char *salt, struct crypt_data *cd)
{
	char setting[32];

	memset(cd, 0, sizeof *cd);
	snprintf(setting, sizeof setting, "$6$%s", salt);
	return crypt_rn(key, setting, cd, (int)sizeof *cd);
}

/* ---- SHA-512 ------------------------------------------------------- */

/* FIPS 180-4 examples in three lanes, the rest empty. */
static void test_known_digests(const char *variant)
{
	static const char *const msgs[3] = {
		"", "abc",
		"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
		"hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
	};
	static const char *const want[3] = {
		"cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
		"47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
		"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
		"2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
		"8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018"
		"501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909",
	};
	unsigned char bufs[3][256], *msg[LANES] = {0}, dg[LANES][64];
	size_t len[LANES] = {0}, i;
	char h[129];

	for (i = 0; i < 3; i++) {		/* lanes 1, 3, 5 */
		len[2 * i + 1] = strlen(msgs[i]);
		memcpy(bufs[i], msgs[i], len[2 * i + 1]);
		msg[2 * i + 1] = bufs[i];
	}
	memset(dg, 0xee, sizeof dg);
	vp_sha512_lanes(msg, len, dg);
	for (i = 0; i < 3; i++) {
		hex(dg[2 * i + 1], h);
		is_str(h, want[i], "%s: SHA-512 of the %zu-byte FIPS example in lane %zu",
		       variant, strlen(msgs[i]), 2 * i + 1);
	}
	ok(dg[0][0] == 0xee && dg[7][63] == 0xee, "%s: lanes without a message are left alone", variant);
}

/* Eight lengths around the padding boundaries, 1 to 3 blocks, at once. */
static void test_lengths(const char *variant)
{
	static const size_t lens[LANES] = { 0, 1, 111, 112, 127, 128, 239, 300 };
	static const char *const want[LANES] = {
		"cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
		"47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e",
		"7b54b66836c1fbdd13d2441d9e1434dc62ca677fb68f5fe66a464baadecdbd00"
		"576f8d6b5ac3bcc80844b7d50b1cc6603444bbe7cfcf8fc0aa1ee3c636d9e339",
		"52f1d2a8f49ca3cd13b3542432f247dfcf4c15c9ded8b40e6469c3c147fb7c69"
		"eece664eb82bc1a3f7a9e44cbceb46409179751f8c4d7d506394520b2b6c1810",
		"d0865c524d1dddf7c23b799c413f5adcd7caefd3f66a9b49750ec81066012c25"
		"a8bcf94ddea6dc525691673097ca40e0101e897fc97218cfdb0704084e2bef4b",
		"cd8179d789d7d418f4b0551077f6387e2926bb0ca8701d2e83756ec9ab1403a0"
		"10e7025c1027a3a910d01430d7d91ebe81656ef4c5533ecee1a8c8929366c9c8",
		"b50c028fc8bf0cf304a2700bcb53f9272dbd87d9649ab1b8b572ea18c147f67c"
		"06a4bcead075a21eee4af8b43d33e4e546472ba2bfa30cfb7b06a71f78fcb6e7",
		"f6100489b1316fb3fc9c4f006ff76f6b407f9ed75e8a1981302eace396b0c321"
		"c918f27dd49ea3405fcf15d74a92d5b4e6a6b88255ee7140f942eff0cf1d325f",
		"029f9a426e85421e85d492b5f4d84b230da707de5c1bc7098f85dd9d8f68c99b"
		"a7ddbf359a29218361de5408646a7cfe395d4cd7ef39b7b52288eec264e651e3",
	};
	unsigned char *msg[LANES], dg[LANES][64];
	size_t len[LANES], l, i;
	char h[129];

	for (l = 0; l < LANES; l++) {
		len[l] = lens[l];
		msg[l] = malloc(vp_sha512_room(len[l]));
		for (i = 0; i < len[l]; i++)
			msg[l][i] = (unsigned char)(i * 7 + l);
	}
	vp_sha512_lanes(msg, len, dg);
	for (l = 0; l < LANES; l++) {
		hex(dg[l], h);
		is_str(h, want[l], "%s: SHA-512 of %zu bytes beside messages of other lengths",
		       variant, len[l]);
		free(msg[l]);
	}
	is_int(vp_sha512_room(0), 128, "room for an empty message: one block");
	is_int(vp_sha512_room(111), 128, "111 bytes and the padding fit one block");
	is_int(vp_sha512_room(112), 256, "112 bytes need a second block for the length");
}

/* ---- SHA-512 crypt --------------------------------------------------- */

static unsigned rnd_state = 12345;
static unsigned rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return rnd_state >> 8;
}

/* Eight random keys (bytes 1-255, length 0-128) and salts (1-16), minus
 * the lane `skip` (or none); every result equal to crypt_rn()'s. */
static int crypt_round(int skip, int same_len)
{
	char keys[LANES][VP_SHA512CRYPT_MAX_KEY + 1], salts[LANES][17];
	char out[LANES][VP_SHA512CRYPT_SIZE];
	const char *kp[LANES], *sp[LANES];
	struct crypt_data *cd = malloc(sizeof *cd);
	size_t l, i, kl = rnd() % (VP_SHA512CRYPT_MAX_KEY + 1);
	int good = 1;

	for (l = 0; l < LANES; l++) {
		size_t n = same_len ? kl : rnd() % (VP_SHA512CRYPT_MAX_KEY + 1);
		size_t sl = 1 + rnd() % 16;

		for (i = 0; i < n; i++)
			keys[l][i] = (char)(1 + rnd() % 255);
		keys[l][n] = '\0';
		for (i = 0; i < sl; i++)
			salts[l][i] = salt_set[rnd() % 64];
		salts[l][sl] = '\0';
		kp[l] = (int)l == skip ? NULL : keys[l];
		sp[l] = salts[l];
		memcpy(out[l], "untouched", 10);
	}
	if (vp_sha512crypt_lanes(kp, sp, out) != 0)
		good = 0;
	for (l = 0; good && l < LANES; l++) {
		const char *want = kp[l] == NULL ? "untouched" : reference(keys[l], salts[l], cd);

		if (want == NULL || strcmp(out[l], want) != 0) {
			printf("# lane %zu, key of %zu bytes, salt %s:\n#  got %s\n# want %s\n",
			       l, strlen(keys[l]), salts[l], out[l], want ? want : "(null)");
			good = 0;
		}
	}
	free(cd);
	return good;
}

static void test_crypt(const char *variant)
{
	char out[LANES][VP_SHA512CRYPT_SIZE];
	const char *kp[LANES] = {0}, *sp[LANES] = {0};
	struct crypt_data *cd = malloc(sizeof *cd);
	int i, good;

	/* Short keys, one per lane, among them the empty key. */
	kp[0] = ""; kp[1] = "a"; kp[2] = "pw1-Secret"; kp[3] = "Hello world!";
	kp[4] = "0123456789012345678901234567890123456789012345678901234567890123";
	kp[5] = "01234567890123456789012345678901234567890123456789012345678901234";
	kp[6] = "\xc3\xa9t\xc3\xa9"; kp[7] = "x";
	for (i = 0; i < LANES; i++)
		sp[i] = i == 7 ? "saltsaltsaltsalt" : "saltstring";
	ok(vp_sha512crypt_lanes(kp, sp, out) == 0, "%s: eight short keys", variant);
	for (good = 1, i = 0; i < LANES; i++)
		good &= strcmp(out[i], reference(kp[i], sp[i], cd)) == 0;
	ok(good, "%s: the empty key, 1, 10, 12, 64, 65 bytes, UTF-8, a 16-char salt: as crypt_rn()",
	   variant);
	is_str(out[3], "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJu"
	       "esI68u4OTLiBFdcbYEdFCoEOfaS35inz1", "%s: the specification's example", variant);

	for (good = 1, i = 0; i < 6; i++)
		good &= crypt_round(i == 2 ? 5 : -1, 0);
	ok(good, "%s: 48 random keys of 0-128 bytes, salts of 1-16 characters: as crypt_rn()",
	   variant);
	for (good = 1, i = 0; i < 3; i++)
		good &= crypt_round(-1, 1);
	ok(good, "%s: keys of one length in every lane: as crypt_rn()", variant);
	free(cd);
}

static void test_crypt_bounds(void)
{
	char key129[VP_SHA512CRYPT_MAX_KEY + 2], out[LANES][VP_SHA512CRYPT_SIZE];
	const char *kp[LANES] = {0}, *sp[LANES] = {0};

	memset(key129, 'k', sizeof key129 - 1);
	key129[sizeof key129 - 1] = '\0';
	memcpy(out[0], "untouched", 10);
	is_int(vp_sha512crypt_lanes(kp, sp, out), 0, "no key in any lane: nothing to do");
	kp[0] = "pw";
	sp[0] = "salt";
	kp[1] = key129;
	sp[1] = "salt";
	is_int(vp_sha512crypt_lanes(kp, sp, out), -1, "a key of 129 bytes is refused");
	is_str(out[0], "untouched", "  and nothing is written");
	kp[1] = NULL;
	sp[0] = "";
	is_int(vp_sha512crypt_lanes(kp, sp, out), -1, "an empty salt is refused");
	sp[0] = "abcdefghijklmnopq";
	is_int(vp_sha512crypt_lanes(kp, sp, out), -1, "a salt of 17 characters is refused");
	sp[0] = "ab$d";
	is_int(vp_sha512crypt_lanes(kp, sp, out), -1, "a salt with '$' is refused");
	sp[0] = NULL;
	is_int(vp_sha512crypt_lanes(kp, sp, out), -1, "a key without a salt is refused");
	is_str(out[0], "untouched", "  and nothing is written");
}

/* ---- vp_hash_many ---------------------------------------------------- */

static void test_hash_many(void)
{
	enum { N = 19 };
	char clear[N][220], hashes[N][MAX_PW_PASS + 1], small[2][12];	/* too small for any scheme (DES: 13) */
	const char *cp[N];
	char *op[N];
	int rc[N], i, j, good = 1, distinct = 1;

	for (i = 0; i < N; i++) {
		snprintf(clear[i], sizeof clear[i], "pw%d-Secret", i);
		cp[i] = clear[i];
		op[i] = hashes[i];
		rc[i] = 99;
	}
	clear[4][0] = '\0';			/* the empty password */
	memset(clear[9], 'L', 200);		/* too long for the lanes */
	clear[9][200] = '\0';
	vp_hash_many(cp, op, sizeof hashes[0], rc, N);
	for (i = 0; i < N; i++) {
		good &= rc[i] == VA_SUCCESS && vp_check_password(clear[i], hashes[i]) == 0;
#ifdef SHA512_PASSWORDS
		good &= strncmp(hashes[i], "$6$", 3) == 0 && strlen(hashes[i]) == 98;
#endif
		for (j = 0; j < i; j++)
			distinct &= strcmp(hashes[i], hashes[j]) != 0;
	}
	ok(good, "vp_hash_many: 19 passwords (one empty, one of 200 bytes) each verify");
	ok(distinct, "  every hash has its own salt");
	ok(vp_check_password("pw5-Secret", hashes[6]) != 0, "  and no hash takes another's password");

	vp_hash_many(cp, op, sizeof hashes[0], rc, 0);
	ok(1, "vp_hash_many of nothing returns");
	rc[0] = 99;
	vp_hash_many(cp + 1, op, sizeof hashes[0], rc, 1);
	ok(rc[0] == VA_SUCCESS && vp_check_password(clear[1], hashes[0]) == 0,
	   "vp_hash_many of one password");
	op[0] = small[0];
	op[1] = small[1];
	vp_hash_many(cp, op, sizeof small[0], rc, 2);
	ok(rc[0] == VA_CRYPT_FAILED && rc[1] == VA_CRYPT_FAILED && small[0][0] == '\0' &&
	   small[1][0] == '\0', "a hash that does not fit its buffer: VA_CRYPT_FAILED, empty");
}

int main(void)
{
	static const char *const variants[] = { "base", "avx2", "avx512f" };
	size_t v;
	int ran = 0;

	for (v = 0; v < sizeof variants / sizeof variants[0]; v++) {
		if (vp_sha512_lanes_force(variants[v]) != 0) {
			printf("# variant %s: not on this CPU or build\n", variants[v]);
			continue;
		}
		ran++;
		test_known_digests(variants[v]);
		test_lengths(variants[v]);
		test_crypt(variants[v]);
	}
	ok(ran >= 1, "at least the portable variant ran");
	is_int(vp_sha512_lanes_force("sse9"), -1, "an unknown variant is refused");
	is_int(vp_sha512_lanes_force(NULL), 0, "back to the best variant");
	test_crypt_bounds();
	test_hash_many();
	return done_testing();
}
