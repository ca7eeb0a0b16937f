/*
 * unit_userapi.c - user calls third-party programs make (Dovecot's
 * vpopmail userdb, courier's authvchkpw, qmailadmin): make_user_dir()
 * stores the directory it makes in the user's record, and the record
 * vauth_getpw() returns stays in place across calls, as 5.6's static
 * line did.
 */
#include "vpinternal.h"
#include "tap.h"
#include "testutil.h"

int main(void)
{
	char dom[MAX_PW_DOMAIN + 1], user[MAX_PW_NAME + 1], path[1024], want[1024];
	char longname[61], gecos[65];
	struct vqpasswd *pw;
	struct stat st;
	const char *first;
	char *hash;

	if (sandbox_create("unit_userapi") != 0)
		return 1;
	sandbox_homes();
	is_int(vadddomain("example.com", NULL, getuid(), getgid()), 0, "domain created");

	/* ---------------------------------------------- make_user_dir() */
	snprintf(dom, sizeof dom, "example.com");
	is_int(vadduser("nodir", dom, "Passw0rd", "No Dir", USE_POP), 0, "user added");
	pw = vauth_getpw("nodir", dom);
	ok(pw != NULL, "user found");
	if (pw == NULL)
		return done_testing();
	snprintf(path, sizeof path, "%s", pw->pw_dir);
	vp_rmtree(path);
	pw->pw_dir = (char *)"";
	is_int(vauth_setpw(pw, dom), 0, "record without a directory stored");
	pw = vauth_getpw("nodir", dom);
	is_str(pw != NULL ? pw->pw_dir : "<none>", "", "the record has no directory");

	snprintf(user, sizeof user, "NoDir");
	hash = make_user_dir(user, dom, getuid(), getgid());
	ok(hash != NULL, "make_user_dir() succeeds");
	snprintf(want, sizeof want, "%s/vpopmail/" DOMAINS_DIR "/example.com/%s%snodir", sandbox,
	         hash != NULL ? hash : "", hash != NULL && *hash != '\0' ? "/" : "");
	pw = vauth_getpw("nodir", dom);
	is_str(pw != NULL ? pw->pw_dir : "<none>", want, "the new directory is stored in the record");
	snprintf(path, sizeof path, "%s/Maildir/new", want);
	ok(stat(path, &st) == 0 && S_ISDIR(st.st_mode), "with its Maildir");
	snprintf(user, sizeof user, "ghost");
	verrori = -99;
	hash = make_user_dir(user, dom, getuid(), getgid());
	ok(hash != NULL, "make_user_dir() for a name not in the database: the directory only");
	is_int(verrori, 0, "... and verrori cleared (5.6)");
	ok(vauth_getpw("ghost", dom) == NULL, "no record is made for it");
	/* ghost's directory holds mail now: not a leftover to replace */
	snprintf(path, sizeof path, "%s/vpopmail/" DOMAINS_DIR "/example.com/%s%sghost/Maildir/new/1.x",
	         sandbox, hash != NULL ? hash : "", hash != NULL && *hash != '\0' ? "/" : "");
	put_file(path, "mail\n");
	snprintf(user, sizeof user, "ghost");
	ok(make_user_dir(user, dom, getuid(), getgid()) == NULL, "make_user_dir() over a directory with mail: NULL");
	is_int(verrori, VA_EXIST_U_DIR, "... verrori VA_EXIST_U_DIR, as 5.6");

	/* ---------------------------------------------- vdelfiles() */
	snprintf(path, sizeof path, "%s/no/such/dir", sandbox);
	is_int(vdelfiles(path), -1, "vdelfiles() of a missing path: -1 (5.6)");
	snprintf(path, sizeof path, "%s/deltree", sandbox);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/deltree/a", sandbox);
	put_file(path, "x\n");
	snprintf(path, sizeof path, "%s/deltree", sandbox);
	is_int(vdelfiles(path), 0, "vdelfiles() of a tree: 0");
	ok(access(path, F_OK) != 0, "... and it is gone");

	/* ------------------------------- the record stays where it is */
	memset(longname, 'l', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	memset(gecos, 'g', sizeof gecos - 1);
	gecos[sizeof gecos - 1] = '\0';
	is_int(vadduser(longname, dom, "A-much-longer-Passw0rd-for-this-one", gecos, USE_POP), 0,
	       "a user with a long record line");
	pw = vauth_getpw("nodir", dom);
	first = pw != NULL ? pw->pw_name : NULL;
	pw = vauth_getpw(longname, dom);
	ok(pw != NULL && strlen(pw->pw_gecos) == 64, "the long record is read");
	ok(first != NULL && pw != NULL && pw->pw_name == first,
	   "a longer record is read into the same buffer (an old pointer is not freed memory)");
	pw = vauth_getall(dom, 1, 0);
	first = pw != NULL ? pw->pw_name : NULL;
	while ((pw = vauth_getall(dom, 0, 0)) != NULL)
		if (pw->pw_name != first)
			break;
	ok(first != NULL && pw == NULL, "vauth_getall(): every record in the same buffer");

	/* ------------------------- an alias domain becomes the real one */
	is_int(vaddaliasdomain("alias.net", "example.com"), 0, "alias domain added");
	snprintf(dom, sizeof dom, "Alias.NET");
	is_int(vadduser("dave", dom, "Passw0rd", "", USE_POP), 0, "vadduser() through an alias domain");
	is_str(dom, "example.com", "vadduser(): the caller's domain now names the real domain, as 5.6");
	snprintf(dom, sizeof dom, "example.com");
	ok(vauth_getpw("dave", dom) != NULL, "the user is in the real domain");

	/* --------- vauth_adduser(), the backend call without vadduser()'s
	 * checks in 5.6: a name or hash directory that leaves the domain */
	{
		static const char *bad[] = { "../up", "a/../../x", "sl/ash", ".dot", "", "a:b", "n\nl" };
		char name[80], hdir[80];
		size_t i;

		snprintf(dom, sizeof dom, "example.com");
		for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
			snprintf(name, sizeof name, "%s", bad[i]);
			is_int(vauth_adduser(name, dom, "Passw0rd", NULL, "", USE_POP), VA_ILLEGAL_USERNAME,
			       "vauth_adduser() refuses an unsafe name");
		}
		snprintf(name, sizeof name, "hdir");
		snprintf(hdir, sizeof hdir, "../../x");
		is_int(vauth_adduser(name, dom, "Passw0rd", NULL, hdir, USE_POP), VA_BAD_DIR,
		       "vauth_adduser(): a hash directory with '..' is VA_BAD_DIR");
		snprintf(hdir, sizeof hdir, "/tmp");
		is_int(vauth_adduser(name, dom, "Passw0rd", NULL, hdir, USE_POP), VA_BAD_DIR,
		       "vauth_adduser(): an absolute hash directory is VA_BAD_DIR");
		ok(vauth_getpw(name, dom) == NULL, "... and no record was added");
		snprintf(name, sizeof name, "MiXed");
		snprintf(hdir, sizeof hdir, "0/1");
		is_int(vauth_adduser(name, dom, "Passw0rd", NULL, hdir, USE_POP), 0,
		       "vauth_adduser() of a mixed-case name into a hash directory");
		is_str(name, "MiXed", "the caller's name is left as given");
		snprintf(name, sizeof name, "mixed");
		pw = vauth_getpw(name, dom);
		snprintf(want, sizeof want, "%s/vpopmail/" DOMAINS_DIR "/example.com/0/1/mixed", sandbox);
		is_str(pw != NULL ? pw->pw_name : "<none>", "mixed", "the record is named in lower case");
		is_str(pw != NULL ? pw->pw_dir : "<none>", want, "and its directory is below the hash directory");
	}

	/* ---------- the ip_alias_map file: a last line without newline
	 * (a backend with a table of its own has no file to test) */
	if (vauth_backend_get()->ipmap_add == NULL) {
		char *map;
		int fd;

		sandbox_path(path, sizeof path, "vpopmail/etc/ip_alias_map");
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		ok(fd >= 0 && write(fd, "9.9.9.9 other.org", 17) == 17 && close(fd) == 0,
		   "ip_alias_map written without its final newline");
		/* One byte short of room, this overflowed its buffer (ASan sees it). */
		is_int(vadd_ip_map("1.2.3.4", "example.com"), 0, "vadd_ip_map() to such a map");
		map = slurp(path);
		is_str(map, "9.9.9.9 other.org\n1.2.3.4 example.com\n",
		       "the old line ended, the new one appended");
		free(map);
	}

	/* A second exclude list: the first one's array was taken as empty,
	 * and lines went on past the 128 slots it had (ASan sees it). */
	{
		struct vbulletin b;
		FILE *fp;
		size_t i;
		int sorted = 1;

		sandbox_path(path, sizeof path, "excl");
		fp = fopen(path, "w");
		for (i = 0; fp != NULL && i < 70; i++)
			fprintf(fp, "u%03zu@example.com\n", 70 - i);
		if (fp != NULL)
			fclose(fp);
		vbulletin_init(&b, VBULL_COPY);
		is_int(vbulletin_set_exclude(&b, path), 0, "vbulletin_set_exclude(): 70 lines");
		is_int(vbulletin_set_exclude(&b, path), 0, "  and the same file again");
		is_int((int)b.nexclude, 140, "  both lists kept");
		for (i = 1; i < b.nexclude; i++)
			if (strcmp(b.exclude[i - 1], b.exclude[i]) > 0)
				sorted = 0;
		ok(sorted && strcmp(b.exclude[0], "u001@example.com") == 0 &&
		   strcmp(b.exclude[139], "u070@example.com") == 0, "  sorted together");
		vbulletin_free(&b);
	}

	vclose();
	sandbox_remove();
	return done_testing();
}
