/*
 * roaming.c - POP/IMAP-before-SMTP (spec runtime §5): the list of
 * clients allowed to relay, ~vpopmail/etc/open-smtp, and the rules cdb
 * tcpserver reads, rebuilt with tcprules from TCP_FILE plus that list.
 *
 * open-smtp line: <ip>:allow,RELAYCLIENT="",RBLSMTPD="" TAB <unix time>.
 * Both writers (vchkpw and clearopensmtp) hold open-smtp.lock and
 * replace the file atomically.  Only IPv4 addresses are ever written:
 * an empty or mangled IPv6 key would relay for everyone or break
 * tcprules (the original's §5.6 hazards).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"
#include "fdio.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
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

static int etc_path(char *buf, size_t size, const char *name)
{
	char rel[64];

	snprintf(rel, sizeof rel, "etc/%s", name);
	return vp_home_path(buf, size, rel) != NULL ? 0 : VA_DIR_TOO_LONG;
}

/* Feed tcprules: the static rules, then each open-smtp line without its time. */
static int feed_rules(int fd, const char *tcpfile, const char *opensmtp)
{
	char *text = NULL, *line, *next, *tab;
	size_t len;
	int bad = 0;

	if (vp_slurp(tcpfile, &text, &len) == 0) {
		bad |= vp_write_all(fd, text, len);
		if (len > 0 && text[len - 1] != '\n')
			bad |= vp_write_all(fd, "\n", 1);
		free(text);
	}
	if (vp_slurp(opensmtp, &text, &len) == 0) {
		for (line = text; *line != '\0'; line = next) {
			next = strchr(line, '\n');
			next = next != NULL ? next + 1 : line + strlen(line);
			tab = memchr(line, '\t', (size_t)(next - line));
			len = (size_t)((tab != NULL ? tab : next) - line);
			while (len > 0 && line[len - 1] == '\n')
				len--;
			if (len == 0)
				continue;
			bad |= vp_write_all(fd, line, len);
			bad |= vp_write_all(fd, "\n", 1);
		}
		free(text);
	}
	return bad ? -1 : 0;
}

/* Rebuild with the lock held (or from clearopensmtp). */
static int rebuild(void)
{
#ifdef REBUILD_TCPSERVER
	const char *tcpfile = vp_tcp_file(), *prog = vp_tcprules();
	char cdb[VP_PATH_MAX], tmp[VP_PATH_MAX], opensmtp[VP_PATH_MAX];
	struct sigaction ign, old;
	int pfd[2], status, rc = VA_SUCCESS;
	struct stat st;
	pid_t pid;

	if (vp_fmt(cdb, sizeof cdb, "%s.cdb", tcpfile) != 0 ||
	    vp_fmt(tmp, sizeof tmp, "%s.tmp.%ld", tcpfile, (long)getpid()) != 0 ||
	    etc_path(opensmtp, sizeof opensmtp, "open-smtp") != 0)
		return VA_DIR_TOO_LONG;
	if (pipe(pfd) != 0)
		return VA_COULD_NOT_UPDATE_FILE;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return VA_COULD_NOT_UPDATE_FILE;
	}
	if (pid == 0) {
		close(pfd[1]);
		if (dup2(pfd[0], 0) < 0)
			_exit(111);
		if (pfd[0] != 0)
			close(pfd[0]);
		umask(022);
		execl(prog, prog, cdb, tmp, (char *)NULL);
		_exit(111);
	}
	close(pfd[0]);
	/* A tcprules that dies early must not kill us with SIGPIPE. */
	memset(&ign, 0, sizeof ign);
	ign.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &ign, &old);
	if (feed_rules(pfd[1], tcpfile, opensmtp) != 0)
		rc = VA_COULD_NOT_UPDATE_FILE;
	close(pfd[1]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	sigaction(SIGPIPE, &old, NULL);
	if (status != 0 || lstat(tmp, &st) == 0) {
		unlink(tmp);
		return VA_COULD_NOT_UPDATE_FILE;
	}
	if (rc == VA_SUCCESS)
		vp_chown(cdb, vp_uid(), vp_gid());
	return rc;
#else
	return VA_SUCCESS;
#endif
}

int vroaming_rebuild(void)
{
	return rebuild();
}

int vroaming_open(const char *ip)
{
	char addr[INET_ADDRSTRLEN], path[VP_PATH_MAX], lockpath[VP_PATH_MAX];
	char *old = NULL, *line, *next, *out, *p;
	size_t len = 0, alen;
	int lockfd, found = 0, rc;

	if (ipv4_text(ip, addr, sizeof addr) != 0)
		return VA_INVALID_IP_ADDRESS;
	if (etc_path(path, sizeof path, "open-smtp") != 0 ||
	    etc_path(lockpath, sizeof lockpath, "open-smtp.lock") != 0)
		return VA_DIR_TOO_LONG;
	lockfd = vp_lock(lockpath);
	if (lockfd < 0)
		return VA_COULD_NOT_UPDATE_FILE;
	/* No file yet is an empty list; a file that cannot be read must not
	 * be replaced by one holding only this client. */
	if (vp_slurp(path, &old, &len) != 0) {
		if (errno != ENOENT) {
			vp_unlock(lockfd);
			return VA_COULD_NOT_UPDATE_FILE;
		}
		old = NULL;
		len = 0;
	}
	alen = strlen(addr);
	out = malloc(len + alen + sizeof RULE_TAIL + 32);
	if (out == NULL) {
		free(old);
		vp_unlock(lockfd);
		return VA_MEMORY_ALLOC_ERR;
	}
	p = out;
	/* Keep every other client's line; ours is re-added with the new time. */
	for (line = old; line != NULL && *line != '\0'; line = next) {
		next = strchr(line, '\n');
		next = next != NULL ? next + 1 : line + strlen(line);
		if (strncmp(line, addr, alen) == 0 && line[alen] == ':') {
			found = 1;
			continue;
		}
		memcpy(p, line, (size_t)(next - line));
		p += next - line;
		if (p[-1] != '\n')
			*p++ = '\n';
	}
	p += sprintf(p, "%s" RULE_TAIL "\t%ld\n", addr, (long)time(NULL));
	rc = vp_write_file_atomic(path, out, (size_t)(p - out), 0644);
	free(out);
	free(old);
	if (rc == VA_SUCCESS && !found)
		rc = rebuild();
	vp_unlock(lockfd);
	return rc;
}

int vroaming_expire(long minutes)
{
	char path[VP_PATH_MAX], tmp[VP_PATH_MAX], lockpath[VP_PATH_MAX];
	char *old = NULL, *line, *next, *tab;
	struct vp_afile af;
	time_t now = time(NULL);
	size_t len;
	int lockfd, rc = VA_SUCCESS;

	if (etc_path(path, sizeof path, "open-smtp") != 0 ||
	    etc_path(tmp, sizeof tmp, "open-smtp.tmp") != 0 ||
	    etc_path(lockpath, sizeof lockpath, "open-smtp.lock") != 0)
		return VA_DIR_TOO_LONG;
	/* Unlike the original, take the lock vchkpw takes. */
	lockfd = vp_lock(lockpath);
	if (vp_slurp(path, &old, &len) == 0) {
		if (vp_afile_open(&af, path, tmp, 0644) != VA_SUCCESS) {
			free(old);
			vp_unlock(lockfd);
			return VA_COULD_NOT_UPDATE_FILE;
		}
		for (line = old; *line != '\0'; line = next) {
			next = strchr(line, '\n');
			next = next != NULL ? next + 1 : line + strlen(line);
			tab = memchr(line, '\t', (size_t)(next - line));
			if (tab == NULL || strtol(tab + 1, NULL, 10) + minutes * 60 <= (long)now)
				continue;
			fwrite(line, 1, (size_t)(next - line), af.fp);
			if (next[-1] != '\n')
				fputc('\n', af.fp);
		}
		free(old);
		if (vp_afile_commit(&af) != VA_SUCCESS) {
			vp_unlock(lockfd);
			return VA_COULD_NOT_UPDATE_FILE;
		}
		vp_chown(path, vp_uid(), vp_gid());
	}
	if (rebuild() != VA_SUCCESS)
		rc = VA_BAD_DIR;
	if (lockfd >= 0)
		vp_unlock(lockfd);
	return rc;
}
