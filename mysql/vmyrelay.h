/*
 * vmyrelay.h - the relay table operations of the mysql backend (roaming
 * users); see relay_open, relay_walk and relay_expire in vauth.h.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef VMYRELAY_H
#define VMYRELAY_H

#include <time.h>

int vmy_relay_open(const char *ip, time_t now, int *added);
int vmy_relay_walk(int (*fn)(const char *ip, void *arg), void *arg);
int vmy_relay_expire(time_t cutoff);

#endif /* VMYRELAY_H */
