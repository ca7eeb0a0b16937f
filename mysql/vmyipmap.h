/*
 * vmyipmap.h - the ip_alias_map table operations of the mysql backend;
 * see ipmap_get, ipmap_add, ipmap_del and ipmap_walk in vauth.h.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef VMYIPMAP_H
#define VMYIPMAP_H

#include <stddef.h>

int vmy_ipmap_get(const char *ip, char *domain, size_t size);
int vmy_ipmap_add(const char *ip, const char *domain);
int vmy_ipmap_del(const char *ip, const char *domain);
int vmy_ipmap_walk(int (*fn)(const char *ip, const char *domain, void *arg), void *arg);

#endif /* VMYIPMAP_H */
