/*
 * sweep.c - remove what killed processes left behind.
 *
 * A writer names its scratch files and directories after its pid
 * ("<file>.tmp.<pid>", ".<user>.deleted.<pid>").  When it is killed half
 * way the name stays; the next writer finds it here and removes it once
 * the process that made it is gone.
 */
#include "vpinternal.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

long vp_name_pid(const char *name, const char *prefix)
{
	size_t plen = strlen(prefix);
	char *end;
	long pid;

	if (strncmp(name, prefix, plen) != 0 || name[plen] < '0' || name[plen] > '9')
		return 0;
	errno = 0;
	pid = strtol(name + plen, &end, 10);
	if (errno != 0 || *end != '\0' || pid <= 0)
		return 0;
	return pid;
}

void vp_sweep_dead(const char *dir, const char *prefix, int any_pid,
		   void (*drop)(int dfd, const char *dir, const char *name))
{
	long me = (long)getpid();
	struct dirent *e;
	DIR *dp = opendir(dir);

	if (dp == NULL)
		return;
	while ((e = readdir(dp)) != NULL) {
		long pid = vp_name_pid(e->d_name, prefix);

		if (pid == 0 || pid == me)
			continue;
		if (!any_pid && (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;       /* alive, or not ours to ask */
		drop(dirfd(dp), dir, e->d_name);
	}
	closedir(dp);
}
