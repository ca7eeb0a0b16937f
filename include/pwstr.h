/*
 * pwstr.h - the password strength calls of vpopmail 5.6.6 and later
 * (~vpopmail/etc/password_strength.conf), by their 5.6 names.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef VPOPMAIL_NG_PWSTR_H
#define VPOPMAIL_NG_PWSTR_H

/* 1 if the password meets the policy, else its VA_PWSTR_* code (-69..-74). */
int         pw_strength(const char *password);
/* Why the last pw_strength() call refused ("password requires more
 * characters "), or "password suitable". */
const char *pw_strength_error(void);
/* The policy's own description (its "Policy" line), or NULL. */
const char *pw_strength_policy(void);

#endif
