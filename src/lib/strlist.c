/*
 * strlist.c - a growable array of strdup'ed strings (string_list).
 *
 * Unlike vpopmail's void/1-on-success versions, these return VA codes
 * (0 = success) like the rest of the library.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"

#include <stdlib.h>
#include <string.h>

int string_list_init(string_list *a, int first)
{
	if (a == NULL)
		return VA_NULL_POINTER;
	a->count = 0;
	a->size = first > 0 ? first : 4;
	a->values = calloc((size_t)a->size, sizeof *a->values);
	if (a->values == NULL) {
		a->size = 0;
		return VA_MEMORY_ALLOC_ERR;
	}
	return VA_SUCCESS;
}

int string_list_add(string_list *a, const char *value)
{
	char *copy;

	if (a == NULL || value == NULL)
		return VA_NULL_POINTER;
	if (a->count >= a->size) {
		int nsize = a->size > 0 ? a->size * 2 : 4;
		char **nv = realloc(a->values, (size_t)nsize * sizeof *nv);

		if (nv == NULL)
			return VA_MEMORY_ALLOC_ERR;
		a->values = nv;
		a->size = nsize;
	}
	copy = strdup(value);
	if (copy == NULL)
		return VA_MEMORY_ALLOC_ERR;
	a->values[a->count++] = copy;
	return VA_SUCCESS;
}

void string_list_free(string_list *a)
{
	int i;

	if (a == NULL || a->values == NULL)
		return;
	for (i = 0; i < a->count; i++)
		free(a->values[i]);
	free(a->values);
	a->values = NULL;
	a->count = 0;
	a->size = 0;
}
