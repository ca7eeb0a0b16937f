/*
 * secret.c - public forms of the password helpers a command needs:
 * a one-shot hidden prompt and a constant-time comparison.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"

int vgetpass_once(const char *prompt, char *buf, size_t size)
{
	if (prompt == NULL || buf == NULL)
		return VA_NULL_POINTER;
	vp_getpass(prompt, buf, size);
	return VA_SUCCESS;
}

int vstr_ct_equal(const char *a, const char *b)
{
	return vp_ct_equal(a, b);
}
