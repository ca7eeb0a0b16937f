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
#include "vpinternal.h"

#include <string.h>

static void *hash_thread(void *arg)
{
	struct vp_hash_job *job = arg;

	job->rc = vp_hash_password(job->clear, job->out, sizeof job->out);
	return NULL;
}

void vp_hash_start(struct vp_hash_job *job, const char *clear)
{
	memset(job, 0, sizeof *job);
	job->clear = clear;
	job->running = pthread_create(&job->thread, NULL, hash_thread, job) == 0;
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
