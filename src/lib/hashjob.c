/*
 * hashjob.c - compute a password hash on a second thread.
 *
 * SHA-512 crypt costs a few milliseconds of CPU.  vadduser() starts it
 * before creating the user's directories and collects it when the record
 * is to be committed (the cdb backend has written the new files around a
 * stand-in by then), so on a machine with more than one core the hashing
 * overlaps the filesystem work.  If no thread can be started, the hash is
 * computed when it is collected; the result is the same either way.
 */
#define _GNU_SOURCE	/* CPU sets, sched_getcpu() */
#include "vpinternal.h"

#include <pthread.h>
#include <sched.h>
#include <string.h>

static void *hash_thread(void *arg)
{
	struct vp_hash_job *job = arg;

	job->rc = vp_hash_password(job->clear, job->out, sizeof job->out);
	return NULL;
}

/*
 * The hash thread is kept off the CPU this thread runs on, when there is
 * another: left to the scheduler, a new thread often starts on its
 * creator's CPU, or late, and then does not overlap the file work at all
 * (measured: 0.3 ms of 7 per add into 5,000 users; four adds at once are
 * no slower).  NULL when there is no other CPU to give it.
 */
static pthread_attr_t *other_cpu(pthread_attr_t *attr)
{
#if defined(__linux__) && defined(CPU_COUNT)
	cpu_set_t set;
	int me = sched_getcpu();

	if (me < 0 || sched_getaffinity(0, sizeof set, &set) != 0 || !CPU_ISSET(me, &set) ||
	    CPU_COUNT(&set) < 2 || pthread_attr_init(attr) != 0)
		return NULL;
	CPU_CLR(me, &set);
	if (pthread_attr_setaffinity_np(attr, sizeof set, &set) != 0) {
		pthread_attr_destroy(attr);
		return NULL;
	}
	return attr;
#else
	(void)attr;
	return NULL;
#endif
}

void vp_hash_start(struct vp_hash_job *job, const char *clear)
{
	pthread_attr_t attr, *ap = other_cpu(&attr);

	memset(job, 0, sizeof *job);
	job->clear = clear;
	job->running = pthread_create(&job->thread, ap, hash_thread, job) == 0;
	if (ap != NULL) {
		pthread_attr_destroy(ap);
		if (!job->running)	/* then wherever the scheduler likes */
			job->running = pthread_create(&job->thread, NULL, hash_thread, job) == 0;
	}
}

int vp_hash_finish(struct vp_hash_job *job, char *out, size_t size)
{
	int rc;

	if (job->running) {
		pthread_join(job->thread, NULL);
		job->running = 0;
	} else {
		hash_thread(job);
	}
	rc = job->rc;
	if (rc == VA_SUCCESS && vp_strlcpy(out, job->out, size) != 0)
		rc = VA_CRYPT_FAILED;
	explicit_bzero(job->out, sizeof job->out);
	return rc;
}

void vp_hash_cancel(struct vp_hash_job *job)
{
	if (job->running) {
		pthread_join(job->thread, NULL);
		job->running = 0;
	}
	explicit_bzero(job->out, sizeof job->out);
}
