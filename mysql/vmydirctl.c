/*
 * vmydirctl.c - the dir_control table: vpopmail 5.6's MySQL module keeps
 * the big-dir allocator's state there, one row per domain (and one per
 * domains directory, "dom_<uid>").  Here the domain's .dir-control file
 * stays the state the allocator reads (one allocator for both modules);
 * each time it is written the row is replaced with the same values, so
 * 5.6's tools on a shared database go on where ours stopped.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vmysql.h"
#include "vmydirctl.h"

#define DIRCTL_REPLACE \
	"REPLACE INTO dir_control (domain, cur_users, level_cur, level_max, " \
	"level_start0, level_start1, level_start2, level_end0, level_end1, level_end2, " \
	"level_mod0, level_mod1, level_mod2, level_index0, level_index1, level_index2, the_dir) " \
	"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

int vmy_dirctl_saved(const char *key, const struct vdir_type *vd)
{
	struct vmy_arg a[17];
	unsigned n = 0;
	int i;

	if (key == NULL || vd == NULL)
		return VA_NULL_POINTER;
	a[n++] = (struct vmy_arg)VMY_S(key);
	a[n++] = (struct vmy_arg)VMY_I(vd->cur_users);
	a[n++] = (struct vmy_arg)VMY_I(vd->level_cur);
	a[n++] = (struct vmy_arg)VMY_I(vd->level_max);
	for (i = 0; i < MAX_DIR_LEVELS; i++)
		a[n++] = (struct vmy_arg)VMY_I(vd->level_start[i]);
	for (i = 0; i < MAX_DIR_LEVELS; i++)
		a[n++] = (struct vmy_arg)VMY_I(vd->level_end[i]);
	for (i = 0; i < MAX_DIR_LEVELS; i++)
		a[n++] = (struct vmy_arg)VMY_I(vd->level_mod[i]);
	for (i = 0; i < MAX_DIR_LEVELS; i++)
		a[n++] = (struct vmy_arg)VMY_I(vd->level_index[i]);
	a[n++] = (struct vmy_arg)VMY_S(vd->the_dir);
	return vmy_exec_create(VMY_T_DIR_CONTROL, "dir_control", DIRCTL_REPLACE, a, n, NULL);
}
