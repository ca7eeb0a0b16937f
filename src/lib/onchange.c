/*
 * onchange.c - the ~vpopmail/etc/onchange notification hook (5.6 style).
 *
 * The script is run synchronously with four arguments: command, two
 * values and, in before-and-after builds, "before" or "after" (else "").
 * A process-wide flag lets vadddomain()/vadduser() mask the notifications
 * of the operations they perform internally (see §9.2 of the spec).
 */
#include "vpinternal.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* 5.6's global: callers (and the library) set it to 0 to mask the
 * notifications of what they do internally. */
int allow_onchange = 1;

int vp_onchange_allowed(void)
{
	return allow_onchange != 0;
}

void vp_onchange_set_allowed(int on)
{
	allow_onchange = on ? 1 : 0;
}

/* posix_spawn() with SIGPIPE back to its default: vpopmaild ignores it
 * for itself, and an ignored signal is inherited across exec. */
static int spawn_script(pid_t *pid, const char *path, char **argv)
{
	posix_spawnattr_t attr;
	sigset_t dfl;
	int rc;

	if (posix_spawnattr_init(&attr) != 0)
		return -1;
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGPIPE);
	rc = posix_spawnattr_setsigdefault(&attr, &dfl) == 0 &&
	     posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF) == 0 &&
	     posix_spawn(pid, path, NULL, &attr, argv, environ) == 0 ? 0 : -1;
	posix_spawnattr_destroy(&attr);
	return rc;
}

int vp_call_onchange(const char *cmd, const char *arg1, const char *arg2, const char *arg3)
{
	char path[VP_PATH_MAX];
	char *argv[6];
	struct stat st;
	pid_t pid;
	int status;

	if (!allow_onchange)
		return 0;	/* masked, also for programs that call this directly */
	if (vp_home_path(path, sizeof path, "etc/onchange") == NULL)
		return -1;
	if (stat(path, &st) != 0)
		return 0;		/* no script: nothing to do */
	if (access(path, X_OK) != 0) {
		fprintf(stderr, "ONCHANGE script %s not executable.\n", path);
		return -1;
	}
	argv[0] = (char *)"onchange";
	argv[1] = (char *)(cmd != NULL ? cmd : "");
	argv[2] = (char *)(arg1 != NULL ? arg1 : "");
	argv[3] = (char *)(arg2 != NULL ? arg2 : "");
	argv[4] = (char *)(arg3 != NULL ? arg3 : "");
	argv[5] = NULL;
	/* Whatever the script prints must come after what we printed so far. */
	fflush(stdout);
	fflush(stderr);
	if (spawn_script(&pid, path, argv) != 0) {
		/* 5.6's words for a script that cannot be started */
		fprintf(stderr, "ONCHANGE script %s unable to exec.\n", path);
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "ONCHANGE script %s did not exit gracefully.\n", path);
		return -1;
	}
	return 0;
}

/* 5.4's global and call, for programs written against it (qmailadmin). */
char onchange_buf[MAX_BUFF];

int call_onchange(const char *cmd)
{
	onchange_buf[MAX_BUFF - 1] = '\0';	/* a caller's unterminated text */
	return vp_call_onchange(cmd, onchange_buf, "", "");
}

void vp_onchange(const char *cmd, const char *arg1, const char *arg2, int when)
{
	if (!allow_onchange)
		return;
	switch (when) {
	case 0:
#ifdef ONCHANGE_SCRIPT
		vp_call_onchange(cmd, arg1, arg2, "");
#endif
		break;
	case ON_VCHANGE_BEFORE:
#ifdef ONCHANGE_SCRIPT_BEFORE_AND_AFTER
		vp_call_onchange(cmd, arg1, arg2, "before");
#endif
		break;
	case ON_VCHANGE_AFTER:
#ifdef ONCHANGE_SCRIPT_BEFORE_AND_AFTER
		vp_call_onchange(cmd, arg1, arg2, "after");
#endif
		break;
	}
	(void)cmd; (void)arg1; (void)arg2;
}

/*
 * 5.6's entry for programs: change != 0 is an event of the plain hook
 * (ONCHANGE_SCRIPT, arg3 ""); mode picks the before-and-after hook's
 * call: 0 "before", anything else "after".  Each applies only in builds
 * with that hook, as for the library's own events.
 */
void on_change(const char *cmd, const char *arg1, const char *arg2, int change, int mode)
{
	if (change != 0)
		vp_onchange(cmd, arg1, arg2, 0);
	vp_onchange(cmd, arg1, arg2, mode == 0 ? ON_VCHANGE_BEFORE : ON_VCHANGE_AFTER);
}
