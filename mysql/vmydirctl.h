/*
 * vmydirctl.h - the dir_control table of the mysql backend: a copy of each
 * .dir-control file; see dirctl_saved in vauth.h.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef VMYDIRCTL_H
#define VMYDIRCTL_H

struct vdir_type;

int vmy_dirctl_saved(const char *key, const struct vdir_type *vd);

#endif /* VMYDIRCTL_H */
