/*
 * cdbmiss.c - is a cdb miss a real one?  A cdb lookup follows the key's
 * hash to a run of slots and compares the keys of their records; a slot
 * whose hash or record key was damaged (one byte changed) is skipped like
 * any other, and the key reads as absent.  For vpasswd.cdb and qmail's
 * users/cdb that answer bounces mail for good, so a miss is checked: each
 * slot probed must name a record whose key has the slot's hash.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"

#include <cdb.h>
#include <limits.h>

int vp_cdb_miss_sound(const struct cdb *c, const void *key, unsigned klen)
{
	const unsigned char *p;
	unsigned h = cdb_hash(key, klen), tpos, tlen, slot, i, hh, pos, kl;

	if ((p = cdb_get(c, 8, (h & 255) << 3)) == NULL)
		return 0;
	tpos = cdb_unpack(p);
	tlen = cdb_unpack(p + 4);
	for (i = 0, slot = tlen != 0 ? (h >> 8) % tlen : 0; i < tlen; i++, slot = (slot + 1) % tlen) {
		if (slot > (UINT_MAX - tpos) / 8 || (p = cdb_get(c, 8, tpos + slot * 8)) == NULL)
			return 0;
		hh = cdb_unpack(p);
		if ((pos = cdb_unpack(p + 4)) == 0)
			return 1;               /* an empty slot ends the run */
		if ((p = cdb_get(c, 8, pos)) == NULL)
			return 0;
		kl = cdb_unpack(p);
		if (pos > UINT_MAX - 8 || (p = cdb_get(c, kl, pos + 8)) == NULL || cdb_hash(p, kl) != hh)
			return 0;
	}
	return 1;
}
