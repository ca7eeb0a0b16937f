/*
 * vlimits.h - per-domain limits (.qmailadmin-limits, etc/vlimits.default).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef VLIMITS_H
#define VLIMITS_H

#include "vpopmail.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vlimits {
	int maxpopaccounts;
	int maxaliases;
	int maxforwards;
	int maxautoresponders;
	int maxmailinglists;
	storage_t diskquota;          /* megabytes */
	storage_t maxmsgcount;
	storage_t defaultquota;       /* bytes */
	storage_t defaultmaxmsgcount;
	short disable_pop;
	short disable_imap;
	short disable_dialup;
	short disable_passwordchanging;
	short disable_webmail;
	short disable_relay;
	short disable_smtp;
	short disable_spamassassin;
	short delete_spam;
	short disable_maildrop;
	short perm_account;
	short perm_alias;
	short perm_forward;
	short perm_autoresponder;
	short perm_maillist;
	short perm_maillist_users;
	short perm_maillist_moderators;
	short perm_quota;
	short perm_defaultquota;
};

void vdefault_limits(struct vlimits *limits);
int  vget_limits(const char *domain, struct vlimits *limits);
int  vset_limits(const char *domain, const struct vlimits *limits);
int  vdel_limits(const char *domain);
int  vlimits_read_limits_file(const char *path, struct vlimits *limits);
int  vlimits_write_limits_file(const char *path, const struct vlimits *limits);
int  vlimits_get_flag_mask(struct vlimits *limits);
void vlimits_setflags(struct vqpasswd *pw, char *domain);

/*
 * vpopmail-ng: the lock of a domain's limits (domain NULL: of
 * vlimits.default), to hold from reading them to writing them back, so
 * that two editors at once keep both changes.  Returns a handle for
 * vp_limits_unlock(), or -1 (no such domain, or no lock).  It is the
 * lock vdeldomain holds while it removes the domain and its limits.
 */
int  vp_limits_lock(const char *domain);
void vp_limits_unlock(int lock);

#ifdef __cplusplus
}
#endif

#endif /* VLIMITS_H */
