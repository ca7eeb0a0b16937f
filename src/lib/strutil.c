/*
 * strutil.c - small string helpers with explicit bounds.
 */
#include "vpinternal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int vp_fmt(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return (n < 0 || (size_t)n >= size) ? -1 : 0;
}

char *vp_concat(const char *first, ...)
{
	va_list ap;
	const char *s;
	size_t len = 1, n;
	char *out, *p;

	va_start(ap, first);
	for (s = first; s != NULL; s = va_arg(ap, const char *))
		len += strlen(s);
	va_end(ap);
	if ((out = malloc(len)) == NULL)
		return NULL;
	p = out;
	va_start(ap, first);
	for (s = first; s != NULL; s = va_arg(ap, const char *)) {
		n = strlen(s);
		memcpy(p, s, n);
		p += n;
	}
	va_end(ap);
	*p = '\0';
	return out;
}

int vp_strlcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size == 0)
		return -1;
	if (n >= size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

void vp_lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
}

void vp_strip_char(char *s, char c)
{
	char *w = s;

	for (; *s != '\0'; s++)
		if (*s != c)
			*w++ = *s;
	*w = '\0';
}

int vp_has_ctl(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s == 0x7f)
			return 1;
	return 0;
}

int vp_dirname(const char *path, char *out, size_t size)
{
	char *slash;

	if (vp_strlcpy(out, path, size) != 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	slash = strrchr(out, '/');
	if (slash == NULL) {
		if (size < 2) {
			errno = ENAMETOOLONG;
			return -1;
		}
		strcpy(out, ".");
	} else if (slash == out) {
		out[1] = '\0';
	} else {
		*slash = '\0';
	}
	return 0;
}
