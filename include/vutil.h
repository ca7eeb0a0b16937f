/*
 * vutil.h - address tests for web front ends (qmailadmin 1.2.x includes
 * this header, as it does with vpopmail 5.6.11 and later).
 *
 * Every test answers 1 (yes) or 0 (no); none of them changes anything.
 * `path` is the domain's directory (where its .qmail-<name> files are),
 * `name` the local part; a '.' in it is ':' in the file name, as qmail
 * spells it.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef VPOPMAIL_NG_VUTIL_H
#define VPOPMAIL_NG_VUTIL_H

#include "vpopmail.h"

/* Replace every `from` in s by `to`, in place. */
void str_replace(char *s, char from, char to);
/* 1 if the file can be opened for reading. */
int  file_exists(char *filename);
/* .qmail-<name> runs ezmlm (ezmlm-send or ezmlm-reject on its first line). */
int  isValidMailList(char *path, char *name);
/* A forward: a .qmail-<name> (not .qmail-default*) that is neither a
 * mailing list nor an autoresponder, or, in --enable-valias builds, an
 * alias row of that kind. */
int  isExistingAlias(char *path, char *name, char *domain);
/* An autoresponder: <path>/<NAME in upper case>/message exists. */
int  isExistingRobot(char *path, char *name);
/* A mailbox user of the domain. */
int  isExistingUser(char *name, char *domain);
/* A user, a forward or an autoresponder. */
int  isExistingAddress(char *domain, char *name, char *path);
/* QMAILDIR/alias/.qmail-<name>-default or .qmail-<name> exists. */
int  isQmailAlias(char *name);
/* Any of the above, qmail's own aliases included. */
int  isExistingAnyAddress(char *domain, char *name, char *path);

#endif
