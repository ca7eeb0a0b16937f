/*
 * storage.h - the 64-bit byte/message counter type of the vpopmail API
 * (readuserquota() and friends), with 64-bit host/network byte-order
 * conversions.  Installed separately because programs written against
 * vpopmail 5.6 (qmailadmin) include it by this name.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef VPOPMAIL_STORAGE_H
#define VPOPMAIL_STORAGE_H

#include <stdint.h>
/* What 5.6's storage.h brought in, which clients rely on (PRIu64 for a
 * storage_t, strtoll(), htonl()). */
#include <stdlib.h>
#include <inttypes.h>
#include <sys/types.h>
#include <netinet/in.h>
#include <endian.h>

typedef uint64_t storage_t;

/* Network order is big-endian; <endian.h> knows the host's order. */
#ifndef htonll
#define htonll(x) htobe64(x)
#endif
#ifndef ntohll
#define ntohll(x) be64toh(x)
#endif

#endif /* VPOPMAIL_STORAGE_H */
