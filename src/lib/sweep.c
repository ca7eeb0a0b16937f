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

/* The pid in ".<name>.deleted.<pid>" (vp_rmtree_aside()'s names); 0 for
 * a name of another form. */
static long aside_pid(const char *name, const char *unused)
{
	const char *p, *tag = NULL;

	(void)unused;
	if (name[0] != '.')
		return 0;
	for (p = name + 1; (p = strstr(p, ".deleted.")) != NULL; p++)
		tag = p;
	return tag != NULL && tag > name + 1 ? vp_name_pid(tag, ".deleted.") : 0;
}

/* drop() each entry of dir whose name gives a pid (pid_of) of a process
 * that is gone, or with any_pid of any but ours. */
static void sweep(const char *dir, long (*pid_of)(const char *name, const char *arg),
                  const char *arg, int any_pid,
                  void (*drop)(int dfd, const char *dir, const char *name))
{
	long me = (long)getpid();
	struct dirent *e;
	DIR *dp = opendir(dir);

	if (dp == NULL)
		return;
	while ((e = readdir(dp)) != NULL) {
		long pid = pid_of(e->d_name, arg);

		if (pid == 0 || pid == me)
			continue;
		if (!any_pid && (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;       /* alive, or not ours to ask */
		drop(dirfd(dp), dir, e->d_name);
	}
	closedir(dp);
}

void vp_sweep_dead(const char *dir, const char *prefix, int any_pid,
		   void (*drop)(int dfd, const char *dir, const char *name))
{
	sweep(dir, vp_name_pid, prefix, any_pid, drop);
}

void vp_sweep_dead_aside(const char *dir, void (*drop)(int dfd, const char *dir, const char *name))
{
	sweep(dir, aside_pid, NULL, 0, drop);
}
