/*
 * roaming.c - POP/IMAP-before-SMTP (spec runtime §5): the list of
 * clients allowed to relay, and the rules cdb tcpserver reads, rebuilt
 * with tcprules from TCP_FILE plus that list.
 *
 * The list is ~vpopmail/etc/open-smtp, or the backend's own store when it
 * has one (the mysql module's `relay` table, struct vauth_backend's
 * relay_* operations).  Either way vchkpw and clearopensmtp hold
 * open-smtp.lock while they change the list and rebuild, so the last
 * rebuild always sees the last change.
 *
 * open-smtp line: <ip>:allow,RELAYCLIENT="",RBLSMTPD="" TAB <unix time>.
 * The file is replaced atomically.  Only IPv4 addresses are ever stored:
 * an empty or mangled IPv6 key would relay for everyone or break
 * tcprules (the original's §5.6 hazards).  A line of the file with any
 * other key (a hand edit, another tool) gives no rule, and clearopensmtp
 * drops it.  A list that cannot be read (file error, database outage)
 * never yields a cdb holding the static rules alone: the old cdb stays
 * and the error is returned.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"
#include "fdio.h"
#include "deliver.h"    /* dx_tempfile() */

#include <arpa/inet.h>
#include <cdb.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RULE_TAIL ":allow,RELAYCLIENT=\"\",RBLSMTPD=\"\""

/* ip as a dotted quad (plain, or IPv4-mapped "::ffff:a.b.c.d"); -1 if not IPv4. */
static int ipv4_text(const char *ip, char *out, size_t size)
{
	struct in_addr a;

	if (ip == NULL)
		return -1;
	if (strncasecmp(ip, "::ffff:", 7) == 0)
		ip += 7;
	if (inet_pton(AF_INET, ip, &a) != 1 || inet_ntop(AF_INET, &a, out, (socklen_t)size) == NULL)
		return -1;
	return 0;
}

/*
 * 1 if an open-smtp line (len bytes, no newline) starts with a key as
 * file_open() writes it: a dotted quad in inet_ntop()'s form, then ':'.
 * Anything else (an empty key, IPv6, a tcprules prefix or range, junk)
 * would reach tcprules as a rule nobody granted: an empty key relays for
 * everyone.
 */
static int line_key_ok(const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len);
	char key[INET_ADDRSTRLEN], addr[INET_ADDRSTRLEN];
	size_t klen;

	if (colon == NULL)
		return 0;
	klen = (size_t)(colon - line);
	if (klen == 0 || klen >= sizeof key)
		return 0;
	memcpy(key, line, klen);
	key[klen] = '\0';
	return ipv4_text(key, addr, sizeof addr) == 0 && strcmp(key, addr) == 0;
}

static int etc_path(char *buf, size_t size, const char *name)
{
	char rel[64];

	snprintf(rel, sizeof rel, "etc/%s", name);
	return vp_home_path(buf, size, rel) != NULL ? 0 : VA_DIR_TOO_LONG;
}

#ifdef REBUILD_TCPSERVER
/* A growing text buffer for the roaming rule lines. */
struct lines {
	char *p;
	size_t len, cap;
};

static int lines_add(struct lines *b, const char *s, size_t n)
{
	if (b->cap - b->len < n + 1) {
		size_t ncap = (b->cap + n + 1) * 2;
		char *np = realloc(b->p, ncap);

		if (np == NULL)
			return VA_MEMORY_ALLOC_ERR;
		b->p = np;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

/* relay_walk callback: one rule line per stored IPv4 address. */
static int add_rule(const char *ip, void *arg)
{
	static const char tail[] = RULE_TAIL "\n";
	char addr[INET_ADDRSTRLEN];
	struct lines *b = arg;

	/* Rows written by other tools: anything but IPv4 is no rule. */
	if (ipv4_text(ip, addr, sizeof addr) != 0)
		return 0;
	if (lines_add(b, addr, strlen(addr)) != 0 || lines_add(b, tail, sizeof tail - 1) != 0)
		return VA_MEMORY_ALLOC_ERR;
	return 0;
}

/* open-smtp's lines without their times. */
static int file_rules(struct lines *b)
{
	char path[VP_PATH_MAX], *text = NULL, *line, *next, *tab;
	size_t len;
	int rc = 0;

	if (etc_path(path, sizeof path, "open-smtp") != 0)
		return VA_DIR_TOO_LONG;
	if ((rc = vp_slurp(path, &text, &len)) != 0) {
		if (rc == VA_MEMORY_ALLOC_ERR)
			return rc;
		return errno == ENOENT ? 0 : VA_COULD_NOT_UPDATE_FILE;
	}
	for (line = text; rc == 0 && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		next = next != NULL ? next + 1 : line + strlen(line);
		tab = memchr(line, '\t', (size_t)(next - line));
		len = (size_t)((tab != NULL ? tab : next) - line);
		while (len > 0 && line[len - 1] == '\n')
			len--;
		if (!line_key_ok(line, len))
			continue;       /* no rule from a line we did not write */
		if ((rc = lines_add(b, line, len)) == 0)
			rc = lines_add(b, "\n", 1);
	}
	free(text);
	return rc;
}

/* The roaming part of the rules, read in full before tcprules starts. */
static int relay_rules(struct lines *b)
{
	const vauth_backend *be = vauth_backend_get();

	if (be->relay_walk != NULL)
		return be->relay_walk(add_rule, b);
	return file_rules(b);
}

/*
 * Feed tcprules: the static rules, then the roaming ones.  No rules file
 * means no static rules; one that cannot be read fails the rebuild, which
 * keeps the cdb there is (built without them, it would drop the site's
 * deny and allow rules).
 */
static int feed_rules(int fd, const char *tcpfile, const struct lines *roam)
{
	char *text = NULL;
	size_t len;
	int bad = 0;

	if (vp_slurp(tcpfile, &text, &len) == 0) {
		bad |= vp_write_all(fd, text, len);
		if (len > 0 && text[len - 1] != '\n')
			bad |= vp_write_all(fd, "\n", 1);
		free(text);
	} else if (errno != ENOENT) {
		return -1;
	}
	if (roam->len > 0)
		bad |= vp_write_all(fd, roam->p, roam->len);
	return bad ? -1 : 0;
}

/*
 * Rebuild with the lock held.  VA_COULD_NOT_UPDATE_FILE if tcprules
 * failed; the list's own error (file, database) if it could not be read,
 * in which case tcprules is not even started.  tcprules installs whatever
 * it read once its input ends: fed through a pipe, a kill of this process
 * part way would leave a cdb without the static rules or some clients.
 * So the whole input is written to an unlinked file first, and tcprules
 * starts only with all of it.
 */
static int rebuild(void)
{
	const char *tcpfile = vp_tcp_file(), *prog = vp_tcprules();
	char cdb[VP_PATH_MAX], tmp[VP_PATH_MAX];
	struct lines roam = { NULL, 0, 0 };
	int in, status, rc;
	struct stat st;
	pid_t pid, parent;

	if (vp_fmt(cdb, sizeof cdb, "%s.cdb", tcpfile) != 0 ||
	    vp_fmt(tmp, sizeof tmp, "%s.tmp.%ld", tcpfile, (long)getpid()) != 0)
		return VA_DIR_TOO_LONG;
	if ((rc = relay_rules(&roam)) != VA_SUCCESS) {
		free(roam.p);
		return rc;
	}
	in = dx_tempfile();
	if (in < 0 || feed_rules(in, tcpfile, &roam) != 0 || lseek(in, 0, SEEK_SET) != 0) {
		if (in >= 0)
			close(in);
		free(roam.p);
		return VA_COULD_NOT_UPDATE_FILE;
	}
	free(roam.p);
	/* the temp of a rebuild killed with its tcprules (a process group
	 * killed at once) */
	vp_sweep_temps(tcpfile, ".tmp.", 0);
	parent = getpid();
	pid = fork();
	if (pid < 0) {
		close(in);
		return VA_COULD_NOT_UPDATE_FILE;
	}
	if (pid == 0) {
		if (vp_child_bound(parent) != 0)
			_exit(111);
		if (in != 0) {
			if (dup2(in, 0) < 0)
				_exit(111);
			close(in);
		}
		vp_child_signals();
		umask(022);
		execl(prog, prog, cdb, tmp, (char *)NULL);
		_exit(111);
	}
	close(in);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	if (status != 0 || lstat(tmp, &st) == 0) {
		unlink(tmp);
		return VA_COULD_NOT_UPDATE_FILE;
	}
	vp_chown(cdb, vp_uid(), vp_gid());
	return VA_SUCCESS;
}

/* 1 when the rules cdb has no rule for addr (or cannot be read): a
 * process killed between its change of the list and the rebuild left a
 * listed client without its rule, which the client's next login mends. */
static int rule_missing(const char *addr)
{
	char cdb[VP_PATH_MAX];
	struct cdb c;
	int fd, found = 0;

	if (vp_fmt(cdb, sizeof cdb, "%s.cdb", vp_tcp_file()) != 0 ||
	    (fd = vp_open_read(cdb, 0)) < 0)
		return 1;
	if (cdb_init(&c, fd) == 0) {
		found = cdb_find(&c, addr, (unsigned)strlen(addr)) > 0;
		cdb_free(&c);
	}
	close(fd);
	return !found;
}
#else
static int rebuild(void)
{
	return VA_SUCCESS;      /* --disable-rebuild-tcpserver-file */
}

static int rule_missing(const char *addr)
{
	(void)addr;
	return 0;
}
#endif

/* rebuild(), with a tcprules failure told apart as VA_BAD_DIR. */
static int rebuild_rules(void)
{
	int rc = rebuild();

	return rc == VA_COULD_NOT_UPDATE_FILE ? VA_BAD_DIR : rc;
}

/* Take open-smtp.lock: VA_DIR_TOO_LONG if its path does not fit, else
 * VA_SUCCESS with *fd the lock, or -1 if it could not be taken. */
static int relay_lock(int *fd)
{
	char path[VP_PATH_MAX];

	*fd = -1;
	if (etc_path(path, sizeof path, "open-smtp.lock") != 0)
		return VA_DIR_TOO_LONG;
	*fd = vp_lock(path);
	return VA_SUCCESS;
}

int vroaming_rebuild(void)
{
	int lockfd, rc;

	/* The lock vchkpw holds while it adds a client and rebuilds. */
	if ((rc = relay_lock(&lockfd)) != VA_SUCCESS)
		return rc;
	if (lockfd < 0)
		return VA_COULD_NOT_UPDATE_FILE;
	rc = rebuild_rules();
	vp_unlock(lockfd);
	return rc;
}

/*
 * open-smtp with addr's line (re)written at its end, time now; *added
 * is set when addr had no line before.  Called with the lock held.
 */
static int file_open(const char *addr, time_t now, int *added)
{
	char path[VP_PATH_MAX], *old = NULL, *line, *next, *out, *p;
	size_t len = 0, alen = strlen(addr);
	int rc;

	*added = 1;
	if (etc_path(path, sizeof path, "open-smtp") != 0)
		return VA_DIR_TOO_LONG;
	/* No file yet is an empty list; a file that cannot be read must not
	 * be replaced by one holding only this client. */
	if ((rc = vp_slurp(path, &old, &len)) != 0) {
		if (rc == VA_MEMORY_ALLOC_ERR)
			return rc;
		if (errno != ENOENT)
			return VA_COULD_NOT_UPDATE_FILE;
		old = NULL;
		len = 0;
	}
	out = malloc(len + alen + sizeof RULE_TAIL + 32);
	if (out == NULL) {
		free(old);
		return VA_MEMORY_ALLOC_ERR;
	}
	p = out;
	/* Keep every other client's line; ours is re-added with the new time. */
	for (line = old; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		next = next != NULL ? next + 1 : line + strlen(line);
		if (strncmp(line, addr, alen) == 0 && line[alen] == ':') {
			*added = 0;
			continue;
		}
		memcpy(p, line, (size_t)(next - line));
		p += next - line;
		if (p[-1] != '\n')
			*p++ = '\n';
	}
	p += sprintf(p, "%s" RULE_TAIL "\t%ld\n", addr, (long)now);
	rc = vp_write_file_atomic(path, out, (size_t)(p - out), 0644);
	free(out);
	free(old);
	return rc;
}

int vroaming_open(const char *ip)
{
	const vauth_backend *be = vauth_backend_get();
	char addr[INET_ADDRSTRLEN];
	int lockfd, added = 0, rc;

	if (ipv4_text(ip, addr, sizeof addr) != 0)
		return VA_INVALID_IP_ADDRESS;
	if ((rc = relay_lock(&lockfd)) != VA_SUCCESS)
		return rc;
	if (lockfd < 0)
		return VA_COULD_NOT_UPDATE_FILE;
	if (be->relay_open != NULL)
		rc = be->relay_open(addr, time(NULL), &added);
	else
		rc = file_open(addr, time(NULL), &added);
	/* A refreshed time changes no rule: only a new client rebuilds, or
	 * one whose rule is missing (a rebuild cut short by a kill). */
	if (rc == VA_SUCCESS && (added || rule_missing(addr)))
		rc = rebuild_rules();
	vp_unlock(lockfd);
	return rc;
}

/* open-smtp without the lines older than cutoff (or without a time, or
 * without a key that line_key_ok() accepts). */
static int file_expire(time_t cutoff)
{
	char path[VP_PATH_MAX], tmp[VP_PATH_MAX];
	char *old = NULL, *line, *next, *tab;
	struct vp_afile af;
	size_t len;

	if (etc_path(path, sizeof path, "open-smtp") != 0 ||
	    etc_path(tmp, sizeof tmp, "open-smtp.tmp") != 0)
		return VA_DIR_TOO_LONG;
	/* Not created: nothing to expire.  One that cannot be read: no
	 * expiry and no rebuild (a second read might succeed and rebuild
	 * the rules with the clients that should have gone), as when the
	 * rebuild cannot read it (VA_BAD_DIR: "tcprules failed"). */
	if (vp_slurp(path, &old, &len) != 0)
		return errno == ENOENT ? VA_SUCCESS : VA_BAD_DIR;
	if (vp_afile_open(&af, path, tmp, 0644) != VA_SUCCESS) {
		free(old);
		return VA_COULD_NOT_UPDATE_FILE;
	}
	for (line = old; *line != '\0'; line = next) {
		next = strchr(line, '\n');
		next = next != NULL ? next + 1 : line + strlen(line);
		tab = memchr(line, '\t', (size_t)(next - line));
		if (tab == NULL || strtol(tab + 1, NULL, 10) <= (long)cutoff ||
		    !line_key_ok(line, (size_t)(tab - line)))
			continue;
		fwrite(line, 1, (size_t)(next - line), af.fp);
		if (next[-1] != '\n')
			fputc('\n', af.fp);
	}
	free(old);
	if (vp_afile_commit(&af) != VA_SUCCESS)
		return VA_COULD_NOT_UPDATE_FILE;
	vp_chown(path, vp_uid(), vp_gid());
	return VA_SUCCESS;
}

int vroaming_expire(long minutes)
{
	const vauth_backend *be = vauth_backend_get();
	time_t cutoff = time(NULL) - (time_t)minutes * 60;
	int lockfd, rc;

	/* Unlike the original, take the lock vchkpw takes.  Without it,
	 * nothing: a login that adds its client meanwhile would be lost
	 * when the expired list is renamed over its line; cron runs this
	 * again (VA_COULD_NOT_UPDATE_FILE, errno EWOULDBLOCK for a busy
	 * lock). */
	if ((rc = relay_lock(&lockfd)) != VA_SUCCESS)
		return rc;
	if (lockfd < 0)
		return VA_COULD_NOT_UPDATE_FILE;
	if (be->relay_expire != NULL)
		rc = be->relay_expire(cutoff);
	else
		rc = file_expire(cutoff);
	if (rc == VA_SUCCESS)
		rc = rebuild_rules();
	vp_unlock(lockfd);
	return rc;
}
