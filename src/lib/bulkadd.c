/*
 * bulkadd.c - add many users to one domain at once (vpopmail-ng).
 *
 * The end state is the one vadduser() would leave, called once per user
 * in array order: same checks in the same order, same directories from the
 * big-dir allocator, same records, same onchange events.  What changes is
 * the cost: vpasswd and vpasswd.cdb are rewritten once for the whole batch
 * (the backend's adduser_many), and the password hashes, which dominate,
 * are computed on every online CPU while this thread makes directories.
 */
#include "vpinternal.h"
#include "sha512_lanes.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Users per round of hashing: enough to keep the threads busy, small
 * enough for a lively progress report. */
#define BATCH_PER_CPU 32
#define MAX_THREADS   256

/* Per accepted user: where its directory went and its hash. */
struct slot {
	size_t idx;		/* into users[] */
	char *userdir;		/* malloc'd */
	char crypted[MAX_PW_PASS + 1];
	int hrc;
};

/* ---------------------------------------------------------------- */
/* Names accepted so far: a user given twice is "exists" the second time. */

struct nameset {
	const char **slot;
	size_t mask;
};

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static int nameset_init(struct nameset *ns, size_t n)
{
	size_t cap = 16;

	while (cap < 2 * n)
		cap *= 2;
	ns->slot = calloc(cap, sizeof *ns->slot);
	ns->mask = cap - 1;
	return ns->slot == NULL ? VA_MEMORY_ALLOC_ERR : 0;
}

/* Add name unless it is there; 1 if it was already there. */
static int nameset_add(struct nameset *ns, const char *name, int lookup_only)
{
	size_t i = (size_t)name_hash(name) & ns->mask;

	for (; ns->slot[i] != NULL; i = (i + 1) & ns->mask)
		if (strcmp(ns->slot[i], name) == 0)
			return 1;
	if (!lookup_only)
		ns->slot[i] = name;
	return 0;
}

/* ---------------------------------------------------------------- */
/* Hashing on all CPUs.                                             */

struct hashwork {
	struct slot *slots;
	struct vbulk_user *users;
	size_t n;
	atomic_size_t next;
};

/* Hash slots[i..i+n): the empty passwords are left empty, the rest are
 * hashed together (vp_hash_many() takes several at once). */
static void hash_some(struct hashwork *w, size_t i, size_t n)
{
	const char *clear[VP_SHA512_LANES];
	char *out[VP_SHA512_LANES];
	int rc[VP_SHA512_LANES];
	struct slot *use[VP_SHA512_LANES];
	size_t k = 0, j;

	for (j = i; j < i + n && j < w->n; j++) {
		struct slot *s = &w->slots[j];

		s->crypted[0] = '\0';
		s->hrc = VA_SUCCESS;
		if (w->users[s->idx].password[0] == '\0')
			continue;
		use[k] = s;
		clear[k] = w->users[s->idx].password;
		out[k++] = s->crypted;
	}
	vp_hash_many(clear, out, sizeof use[0]->crypted, rc, k);
	for (j = 0; j < k; j++)
		use[j]->hrc = rc[j];
}

static void *hash_worker(void *arg)
{
	struct hashwork *w = arg;
	size_t i;

	while ((i = atomic_fetch_add(&w->next, VP_SHA512_LANES)) < w->n)
		hash_some(w, i, VP_SHA512_LANES);
	return NULL;
}

static size_t online_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > MAX_THREADS ? MAX_THREADS : (size_t)n;
}

/* A user that will not be added after all: drop its directory and give
 * its place in the big-dir layout back (counted in the batch's memory
 * while one is open). */
static void unmake(const struct vdomain *d, struct vbulk_user *u, struct slot *s, int rc)
{
	char hash[MAX_DIR_NAME];

	vp_userdir_hash(d->dir, s->userdir, u->user, hash, sizeof hash);
	vp_user_undo_dir(d, s->userdir, hash);
	u->rc = rc;
}

/*
 * Hash slots[0..n) on nthreads threads while this one makes the users'
 * directories in order (the allocator's order is the one-by-one order).
 */
static void prepare_batch(const struct vdomain *d, int lk, struct vbulk_user *users,
                          struct slot *slots, size_t n, size_t nthreads)
{
	pthread_t tid[MAX_THREADS];
	struct hashwork w = { slots, users, n, 0 };
	char userdir[VP_PATH_MAX], hash[MAX_DIR_NAME], ctl[VP_PATH_MAX];
	size_t i, started = 0;
	int rc;

	while (started < nthreads && pthread_create(&tid[started], NULL, hash_worker, &w) == 0)
		started++;
	/* The batch's directories come from one locked pass over .dir-control
	 * (if that cannot be set up, each allocation updates it on its own).
	 * A failed final write leaves the old counters, as a lost update
	 * would: the directories themselves are made. */
	if (vp_dirctl_path(d->dir, ctl, sizeof ctl) == 0)
		(void)vp_bigdir_batch_begin(ctl, d->uid, d->gid);
	for (i = 0; i < n; i++) {
		struct vbulk_user *u = &users[slots[i].idx];

		rc = vp_user_create_dir(d, u->user, userdir, sizeof userdir, hash, sizeof hash);
		if (rc == VA_SUCCESS && (slots[i].userdir = strdup(userdir)) == NULL) {
			vp_user_undo_dir(d, userdir, hash);
			rc = VA_MEMORY_ALLOC_ERR;
		}
		u->rc = vp_or_domain_gone(d, lk, rc);
	}
	vp_intent_batch_count(vp_bigdir_batch_count());
	if (vp_bigdir_batch_end() == VA_SUCCESS)
		vp_intent_counted();
	if (started == 0)
		hash_worker(&w);	/* no thread: do it here */
	while (started > 0)
		pthread_join(tid[--started], NULL);
	for (i = 0; i < n; i++) {
		struct vbulk_user *u = &users[slots[i].idx];

#ifdef SQWEBMAIL_PASS
		/* Before the record, as vadduser() does: a user whose file
		 * cannot be written is not added. */
		if (u->rc == VA_SUCCESS && slots[i].hrc == VA_SUCCESS)
			slots[i].hrc = vp_sqwebmail_write(slots[i].userdir, slots[i].crypted, 1,
			                                  d->uid, d->gid);
#endif
		if (u->rc == VA_SUCCESS && slots[i].hrc != VA_SUCCESS)
			unmake(d, u, &slots[i], slots[i].hrc);
	}
}

/* ---------------------------------------------------------------- */

/*
 * Store the records of every prepared user in one rewrite.  If another
 * process added one of the names meanwhile, those users fail as
 * VA_USERNAME_EXISTS (as vadduser() would) and the rest is tried again.
 */
static void store_batch(const struct vdomain *d, int lk, struct vbulk_user *users,
                        struct slot *slots, size_t n, const char *quota)
{
	struct vqpasswd *pws;
	size_t i, k = 0;
	int rc, again;

	if ((pws = calloc(n ? n : 1, sizeof *pws)) == NULL) {
		for (i = 0; i < n; i++)
			if (users[slots[i].idx].rc == VA_SUCCESS)
				unmake(d, &users[slots[i].idx], &slots[i], VA_MEMORY_ALLOC_ERR);
		return;
	}
	for (again = 1; again >= 0; again--) {
		k = 0;
		for (i = 0; i < n; i++) {
			struct vbulk_user *u = &users[slots[i].idx];

			if (u->rc != VA_SUCCESS)
				continue;
			vp_user_new_record(&pws[k++], u->user, slots[i].crypted,
			                   (u->gecos != NULL && *u->gecos != '\0') ? u->gecos : u->user,
			                   slots[i].userdir, (char *)quota, u->password, USE_POP);
		}
		rc = k == 0 ? VA_SUCCESS : vauth_backend_get()->adduser_many(d, pws, k);
		if (rc == VA_SUCCESS)
			break;
		for (i = 0; i < n; i++) {
			struct vbulk_user *u = &users[slots[i].idx];
			struct vpw_entry e = {0};

			if (u->rc != VA_SUCCESS)
				continue;
			if (rc != VA_USERNAME_EXISTS || again == 0)
				unmake(d, u, &slots[i], rc == VA_USERNAME_EXISTS ? rc :
				       vp_or_domain_gone(d, lk, VA_NO_AUTH_CONNECTION));
			else if (vauth_backend_get()->getpw(d, u->user, &e) == VA_SUCCESS)
				unmake(d, u, &slots[i], VA_USERNAME_EXISTS);
			vpw_entry_free(&e);
		}
		if (rc != VA_USERNAME_EXISTS) {
			fprintf(stderr, "Failed while attempting to add user to auth backend\n");
			break;
		}
	}
	/* A domain removed meanwhile: the records are taken back, as
	 * vadduser() does. */
	if (rc == VA_SUCCESS && k > 0 && !vp_domain_still_registered(d, lk)) {
		for (i = 0; i < n; i++) {
			struct vbulk_user *u = &users[slots[i].idx];

			if (u->rc != VA_SUCCESS)
				continue;
			(void)vauth_backend_get()->deluser(d, u->user);
			unmake(d, u, &slots[i], VA_DOMAIN_DOES_NOT_EXIST);
		}
	}
	/* What follows each stored record, in order. */
	for (i = 0; i < n; i++) {
		struct vbulk_user *u = &users[slots[i].idx];

		if (u->rc != VA_SUCCESS)
			continue;
		vp_user_new_record(&pws[0], u->user, slots[i].crypted,
		                   (u->gecos != NULL && *u->gecos != '\0') ? u->gecos : u->user,
		                   slots[i].userdir, (char *)quota, u->password, USE_POP);
		u->rc = vp_user_added(d, &pws[0]);
	}
	free(pws);
}

/* The onchange events of the users that were added, in order. */
static void announce(const char *domain, struct vbulk_user *users, size_t n)
{
	char addr[MAX_PW_NAME + MAX_PW_DOMAIN + 2];
	size_t i;

	for (i = 0; i < n; i++) {
		if (users[i].rc != VA_SUCCESS)
			continue;
		snprintf(addr, sizeof addr, "%s@%s", users[i].user, domain);
		vp_onchange("add_user", addr, "-", 0);
		vp_onchange("add_user", addr, "-", ON_VCHANGE_AFTER);
	}
}

/* Everything but the onchange events; sets every users[i].rc. */
static void add_many(char *domain, size_t domsize, struct vbulk_user *users, size_t n,
                     void (*progress)(size_t, size_t, void *), void *arg)
{
	struct vdomain d;
	struct vlimits lim;
	struct nameset seen;
	struct slot *slots;
	char quota[MAX_PW_QUOTA + 1];
	size_t i, k, nok = 0, done = 0, start, len, nthreads = online_cpus();
	int have_limits, drc, dir_rc, lk;

	/* 1. The checks vadduser() makes, in its order, for every user. */
	for (i = 0; i < n; i++)
		users[i].rc = vp_user_check_new(users[i].user, domain, users[i].password,
		                                 users[i].gecos);
	vp_lower(domain);
	drc = vp_domain_lookup(domain, &d);
	/* Through an alias domain the events name the real one, as each
	 * vadduser() would. */
	if (drc == VA_SUCCESS)
		vp_strlcpy(domain, d.real, domsize);
	/* As vadduser(): from the checks to the stored records (below). */
	lk = drc == VA_SUCCESS ? vp_userdir_lock(&d) : -1;
	vp_intent_bulk(1);	/* (until the lock goes) */
	have_limits = drc == VA_SUCCESS && vget_limits(d.real, &lim) == 0;
	dir_rc = drc == VA_SUCCESS ? vp_domain_dir_ok(&d) : VA_SUCCESS;
	if (drc == VA_SUCCESS && (!have_limits || dir_rc != VA_SUCCESS) &&
	    !vp_domain_still_registered(&d, lk))
		drc = VA_DOMAIN_DOES_NOT_EXIST;	/* a vdeldomain meanwhile */
	if (nameset_init(&seen, n) != 0) {
		for (i = 0; i < n; i++)
			if (users[i].rc == VA_SUCCESS)
				users[i].rc = VA_MEMORY_ALLOC_ERR;
		vp_userdir_unlock(lk);
		return;
	}
	for (i = 0; i < n; i++) {
		if (users[i].rc != VA_SUCCESS)
			continue;
		if (drc != VA_SUCCESS) {
			users[i].rc = VA_DOMAIN_DOES_NOT_EXIST;
			continue;
		}
		/* Given twice: if the first was accepted, it "exists" by now. */
		if (nameset_add(&seen, users[i].user, 1) != 0)
			users[i].rc = VA_USERNAME_EXISTS;
		else
			users[i].rc = vp_user_check_in(&d, users[i].user, users[i].password,
			                               have_limits, dir_rc);
		if (users[i].rc == VA_SUCCESS) {
			nameset_add(&seen, users[i].user, 0);
			nok++;
		}
	}
	free(seen.slot);
	if (drc != VA_SUCCESS || nok == 0) {
		vp_userdir_unlock(lk);
		if (progress != NULL)
			progress(n, n, arg);
		return;
	}
	if ((slots = calloc(nok, sizeof *slots)) == NULL) {
		for (i = 0; i < n; i++)
			if (users[i].rc == VA_SUCCESS)
				users[i].rc = VA_MEMORY_ALLOC_ERR;
		vp_userdir_unlock(lk);
		return;
	}
	for (i = 0, k = 0; i < n; i++)
		if (users[i].rc == VA_SUCCESS)
			slots[k++].idx = i;

	vp_user_default_quota(&lim, quota, sizeof quota);
	umask(077);
	/* 2. Directories and hashes, a batch at a time. */
	for (start = 0; start < nok; start += len) {
		len = nok - start;
		if (len > BATCH_PER_CPU * nthreads)
			len = BATCH_PER_CPU * nthreads;
		prepare_batch(&d, lk, users, slots + start, len, nthreads);
		done += len;
		if (progress != NULL)
			progress(done + (n - nok), n, arg);
	}
	/* 3. One rewrite of vpasswd and vpasswd.cdb. */
	store_batch(&d, lk, users, slots, nok, quota);
	vp_userdir_unlock(lk);
	for (i = 0; i < nok; i++) {
		explicit_bzero(slots[i].crypted, sizeof slots[i].crypted);
		free(slots[i].userdir);
	}
	free(slots);
}

int vadduser_many(const char *domain, struct vbulk_user *users, size_t n,
                  void (*progress)(size_t done, size_t total, void *arg), void *arg)
{
	char dom[MAX_PW_DOMAIN + 2];
	int saved = vp_onchange_allowed();
	size_t i;

	if (domain == NULL || (users == NULL && n > 0))
		return VA_NULL_POINTER;
	if (vp_strlcpy(dom, domain, sizeof dom) != 0) {
		for (i = 0; i < n; i++)
			users[i].rc = VA_DOMAIN_NAME_TOO_LONG;
		return n > 0 ? VA_DOMAIN_NAME_TOO_LONG : VA_SUCCESS;
	}
	vp_onchange_set_allowed(0);
	add_many(dom, sizeof dom, users, n, progress, arg);
	vp_onchange_set_allowed(saved);
	announce(dom, users, n);
	vp_onchange_set_allowed(1);
	for (i = 0; i < n; i++)
		if (users[i].rc != VA_SUCCESS)
			return users[i].rc;
	return VA_SUCCESS;
}
