/*
 * roaming_api.c - the roaming-user calls under the names vpopmail 5.6
 * gives them, for programs that check passwords themselves and then let
 * the client relay (courier's authvchkpw, Dovecot's vpopmail passdb).
 * The work is vroaming_open()/vroaming_rebuild() in roaming.c.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"
#include "login.h"

#include <stdlib.h>

char *get_remote_ip(void)
{
	static char ip[64];
	const char *raw = getenv("TCPREMOTEIP");

	if (raw == NULL)
		return NULL;
	/* The cleaning vchkpw applies before it logs or stores an address. */
	vp_normalise_ip(raw, ip, sizeof ip);
	return ip;
}

int open_smtp_relay(void)
{
#ifdef POP_AUTH_OPEN_RELAY
	const char *raw = getenv("TCPREMOTEIP");

	if (raw == NULL || *raw == '\0')
		return 0;
	return vroaming_open(raw);
#else
	return 0;	/* built without --enable-roaming-users */
#endif
}

int update_rules(void)
{
	return vroaming_rebuild();
}
