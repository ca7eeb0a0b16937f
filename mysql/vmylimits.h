/*
 * vmylimits.h - the limits table operations of the mysql backend
 * (--enable-mysql-limits); see struct vauth_backend in vauth.h.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef VMYLIMITS_H
#define VMYLIMITS_H

#include "vpinternal.h"

int vmy_get_limits(const struct vdomain *d, struct vlimits *out, int *found);
int vmy_set_limits(const struct vdomain *d, const struct vlimits *l);
int vmy_del_limits(const struct vdomain *d);

#endif /* VMYLIMITS_H */
