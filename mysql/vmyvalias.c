/*
 * vmyvalias.c - aliases in the `valias` table (--enable-valias): one row
 * per delivery line (alias, domain, valias_line), read back in the order
 * they were inserted.  Names, lines and domains pass the same checks as
 * the .qmail files of the cdb build (src/lib/valias.c), the domain is
 * resolved the same way (an alias domain stores under its real domain),
 * and the same onchange events fire.  vdelivermail reads these rows
 * before it looks for a user (spec runtime §4.18).
 *
 * Differences from the file store, as in vpopmail 5.6's MySQL module:
 * valias_remove() deletes the rows equal to the line (not every line
 * starting with it), and valias_insert() drops leading blanks of the line.
 *
 * The select functions fetch all rows of their query at once and keep
 * them in statics until the next select, so a caller may run other
 * statements (or deliveries) while walking them.  Not thread-safe, like
 * the classic API.  On a NULL return verrori is 0 at the end of the rows,
 * VA_DOMAIN_DOES_NOT_EXIST for an unknown domain, or the database error
 * (VA_NO_AUTH_CONNECTION: a temporary failure).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vmysql.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VALIAS_ALIAS_MAX 32     /* valias.alias VARCHAR(32) */

#ifdef VALIAS

static string_list lines;       /* the lines, or the names of select_names */
static string_list owners;      /* select_all: the alias of each line */
static int loaded;
static int pos;

static void rows_reset(void)
{
	if (loaded) {
		string_list_free(&lines);
		string_list_free(&owners);
	}
	memset(&lines, 0, sizeof lines);
	memset(&owners, 0, sizeof owners);
	loaded = 0;
	pos = 0;
}

/* vmy_each_row callbacks: one column into `lines`, or (alias, line) pairs. */
static int keep_line(const struct vmy_cursor *cur, void *arg)
{
	(void)arg;
	return string_list_add(&lines, cur->col[0]) != 0 ? VA_MEMORY_ALLOC_ERR : 0;
}

static int keep_pair(const struct vmy_cursor *cur, void *arg)
{
	(void)arg;
	if (string_list_add(&owners, cur->col[0]) != 0 || string_list_add(&lines, cur->col[1]) != 0)
		return VA_MEMORY_ALLOC_ERR;
	return 0;
}

/* Run a SELECT into the statics (pairs: two columns, alias and line). */
static int rows_load(const char *sql, const struct vmy_arg *a, unsigned n, int pairs)
{
	rows_reset();
	if (string_list_init(&lines, 8) != 0 || string_list_init(&owners, 8) != 0) {
		string_list_free(&lines);
		return VA_MEMORY_ALLOC_ERR;
	}
	loaded = 1;
	return vmy_each_row(VMY_READ, sql, a, n, pairs ? keep_pair : keep_line, NULL);
}

/* The next loaded line (and its alias into `alias` when given). */
static char *rows_next(char *alias)
{
	verrori = 0;
	if (!loaded || pos >= lines.count)
		return NULL;
	if (alias != NULL)      /* the caller's buffer holds MAX_PW_NAME + 1 */
		vp_strlcpy(alias, owners.values[pos], MAX_PW_NAME + 1);
	return lines.values[pos++];
}

/* Resolve domain in place (an alias domain becomes its real one). */
static int resolve(char *domain)
{
	char dir[VP_PATH_MAX];
	uid_t uid;
	gid_t gid;

	return vp_alias_resolve(domain, dir, sizeof dir, &uid, &gid);
}

/* The checks of a read or a delete, then the domain resolved in place. */
static int prepare(char *alias, char *domain)
{
	int rc;

	if ((rc = vp_alias_domain_ok(domain)) != 0)
		return rc;
	if (alias != NULL && (rc = vp_alias_name_ok(alias)) != 0)
		return rc;
	return resolve(domain);
}

/* The checks of an insert or a remove, in 5.6's order (alias, domain,
 * line), then the domain resolved in place. */
static int prepare_line(char *alias, char *domain, const char *line)
{
	int rc;

	if ((rc = vp_alias_name_ok(alias)) != 0 || (rc = vp_alias_domain_ok(domain)) != 0 ||
	    (rc = vp_alias_line_ok(line)) != 0)
		return rc;
	return resolve(domain);
}

/* ------------------------------------------------------------------ */
/* Reading                                                              */

/*
 * Load the rows of one SELECT: with alias, its WHERE takes (alias,
 * domain), else (domain) only; with names_out, the rows are (alias, line)
 * pairs and each alias goes to names_out.  Returns the first line.
 */
static char *select_rows(const char *sql, char *alias, char *domain, char *names_out)
{
	struct vmy_arg a[2];
	unsigned n = 0;
	int rc;

	rows_reset();
	if ((rc = prepare(alias, domain)) != 0) {
		verrori = rc;
		return NULL;
	}
	if (alias != NULL)
		a[n++] = (struct vmy_arg)VMY_S(alias);
	a[n++] = (struct vmy_arg)VMY_S(domain);
	if ((rc = rows_load(sql, a, n, names_out != NULL)) != 0) {
		verrori = rc;
		return NULL;
	}
	return rows_next(names_out);
}

char *valias_select(char *alias, char *domain)
{
	return select_rows("SELECT valias_line FROM valias WHERE alias = BINARY ? AND domain = ? ORDER BY id",
	                   alias, domain, NULL);
}

char *valias_select_next(void)
{
	return rows_next(NULL);
}

char *valias_select_all(char *alias, char *domain)
{
	if (alias == NULL) {
		rows_reset();
		verrori = VA_NULL_POINTER;
		return NULL;
	}
	return select_rows("SELECT alias, valias_line FROM valias WHERE domain = ? ORDER BY alias, id",
	                   NULL, domain, alias);
}

char *valias_select_all_next(char *alias)
{
	if (alias == NULL) {
		verrori = VA_NULL_POINTER;
		return NULL;
	}
	return rows_next(alias);
}

char *valias_select_names(char *domain)
{
	return select_rows("SELECT DISTINCT alias FROM valias WHERE domain = ? ORDER BY alias",
	                   NULL, domain, NULL);
}

char *valias_select_names_next(void)
{
	return rows_next(NULL);
}

void valias_select_names_end(void)
{
	rows_reset();
}

/* ------------------------------------------------------------------ */
/* Changing                                                             */

/* "alias@domain" for the onchange events. */
static void event_name(char *out, size_t size, const char *alias, const char *domain)
{
	if (vp_fmt(out, size, "%s@%s", alias, domain) != 0)
		out[0] = '\0';
}

static int keep_count(const struct vmy_cursor *cur, void *arg)
{
	*(long *)arg = strtol(cur->col[0], NULL, 10);
	return 0;
}

/* Rows of alias@domain: the count into *n. */
static int count_rows(const char *alias, const char *domain, long *n)
{
	struct vmy_arg a[] = { VMY_S(alias), VMY_S(domain) };

	*n = 0;
	return vmy_each_row(VMY_UPDATE, "SELECT COUNT(*) FROM valias WHERE alias = BINARY ? AND domain = ?",
	                    a, 2, keep_count, n);
}

/* The directory of domain, a real domain's name: 0, or -1 (not, or no
 * longer, such a domain). */
static int domain_dir(const char *domain, char *dir, size_t size)
{
	char name[MAX_PW_DOMAIN + 1];
	uid_t uid;
	gid_t gid;

	vp_strlcpy(name, domain, sizeof name);
	return vp_alias_resolve(name, dir, size, &uid, &gid) == 0 && strcmp(name, domain) == 0 ? 0 : -1;
}

int valias_insert(char *alias, char *domain, char *alias_line)
{
	char who[MAX_PW_NAME + 1 + MAX_PW_DOMAIN + 1], dir[VP_PATH_MAX];
	struct vmy_arg a[4];
	int rc, dirfd = -1, gone;

	if ((rc = prepare_line(alias, domain, alias_line)) != 0)
		return rc;
	/* valias.alias is VARCHAR(32) (5.6's layout), shorter than a user
	 * name: a longer name is refused, where the server would fail the
	 * insert (strict mode) or cut the name into another alias's. */
	if (strlen(alias) > VALIAS_ALIAS_MAX)
		return VA_USER_NAME_TOO_LONG;
	event_name(who, sizeof who, alias, domain);
	/* 5.6's SQL modules: "before" with the line as given, the others
	 * with the line as stored (leading blanks dropped). */
	vp_onchange("valias_insert", who, alias_line, ON_VCHANGE_BEFORE);
	while (*alias_line == ' ')
		alias_line++;
	a[0] = (struct vmy_arg)VMY_S(alias);
	a[1] = (struct vmy_arg)VMY_S(domain);
	a[2] = (struct vmy_arg)VMY_S(alias_line);
	/* The domain's directory held open: a vdeldomain and vadddomain of
	 * the name meanwhile give the same name and path, not this inode. */
	if (domain_dir(domain, dir, sizeof dir) == 0)
		dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
#ifdef DEFAULT_DELIVERY
	/* The column 5.6 fills in these builds: 0 for a program (an LDA
	 * such as "| dovecot-lda"), 1 for a forward. */
	a[3] = (struct vmy_arg)VMY_I(alias_line[0] == '|' ? 0 : 1);
	rc = vmy_exec_create(VMY_T_VALIAS, "valias",
	                     "INSERT INTO valias (alias, domain, valias_line, valias_type) VALUES (?, ?, ?, ?)",
	                     a, 4, NULL);
#else
	rc = vmy_exec_create(VMY_T_VALIAS, "valias",
	                     "INSERT INTO valias (alias, domain, valias_line) VALUES (?, ?, ?)", a, 3, NULL);
#endif
	if (rc != 0) {
		if (dirfd >= 0)
			close(dirfd);
		return rc;
	}
	/* vdeldomain takes the domain out of users/assign before it deletes
	 * its aliases: a domain still there now takes this row with it when
	 * it goes; one gone already would leave it to a vadddomain of the
	 * name (a forward nobody there asked for). */
	gone = domain_dir(domain, dir, sizeof dir) != 0 || (dirfd >= 0 && !vp_fd_at_path(dirfd, dir));
	if (dirfd >= 0)
		close(dirfd);
	if (gone) {
		/* The row this connection just inserted (a DELETE ... LIMIT is
		 * unsafe for a master logging statements). */
		(void)vmy_exec(VMY_UPDATE, "DELETE FROM valias WHERE id = LAST_INSERT_ID() AND"
		               " alias = BINARY ? AND domain = ? AND valias_line = BINARY ?", a, 3, NULL, NULL);
		return VA_DOMAIN_DOES_NOT_EXIST;
	}
	vp_onchange("valias_insert", who, alias_line, 0);
	vp_onchange("valias_insert", who, alias_line, ON_VCHANGE_AFTER);
	return VA_SUCCESS;
}

/* An alias with no rows at all fails, as a missing .qmail file does. */
int valias_remove(char *alias, char *domain, char *alias_line)
{
	char who[MAX_PW_NAME + 1 + MAX_PW_DOMAIN + 1];
	struct vmy_arg a[3];
	long n;
	int rc;

	if ((rc = prepare_line(alias, domain, alias_line)) != 0)
		return rc;
	event_name(who, sizeof who, alias, domain);
	/* As 5.6's SQL modules: the plain event comes before the delete. */
	vp_onchange("valias_remove", who, alias_line, 0);
	vp_onchange("valias_remove", who, alias_line, ON_VCHANGE_BEFORE);
	if ((rc = count_rows(alias, domain, &n)) != 0)
		return rc;
	if (n == 0)
		return VA_COULD_NOT_OPEN_DOT_QMAIL;
	a[0] = (struct vmy_arg)VMY_S(alias);
	a[1] = (struct vmy_arg)VMY_S(domain);
	a[2] = (struct vmy_arg)VMY_S(alias_line);
	rc = vmy_exec(VMY_UPDATE, "DELETE FROM valias WHERE alias = BINARY ? AND domain = ? AND valias_line = BINARY ?",
	              a, 3, NULL, NULL);
	if (rc != 0)
		return rc;
	vp_onchange("valias_remove", who, alias_line, ON_VCHANGE_AFTER);
	return VA_SUCCESS;
}

/* Every row of the alias; none there fails, as a missing .qmail file does. */
int valias_delete(char *alias, char *domain)
{
	char who[MAX_PW_NAME + 1 + MAX_PW_DOMAIN + 1];
	struct vmy_arg a[2];
	unsigned long long gone = 0;
	int rc;

	if ((rc = prepare(alias, domain)) != 0)
		return rc;
	event_name(who, sizeof who, alias, domain);
	/* 5.6's SQL modules: "-" as the value, the plain event twice. */
	vp_onchange("valias_delete", who, "-", 0);
	vp_onchange("valias_delete", who, "-", ON_VCHANGE_BEFORE);
	a[0] = (struct vmy_arg)VMY_S(alias);
	a[1] = (struct vmy_arg)VMY_S(domain);
	rc = vmy_exec(VMY_UPDATE, "DELETE FROM valias WHERE alias = BINARY ? AND domain = ?", a, 2, NULL, &gone);
	if (rc == VMY_NO_TABLE)
		rc = 0;
	if (rc != 0)
		return rc;
	vp_onchange("valias_delete", who, "-", 0);
	vp_onchange("valias_delete", who, "-", ON_VCHANGE_AFTER);
	return gone > 0 ? VA_SUCCESS : VA_COULD_NOT_OPEN_DOT_QMAIL;
}

/* Every alias of a domain (the domain need not be in users/assign any more). */
int valias_delete_domain(char *domain)
{
	struct vmy_arg a[1];
	int rc;

	if ((rc = vp_alias_domain_ok(domain)) != 0)
		return rc;
	vp_lower(domain);
	vp_onchange("valias_delete_domain", domain, "-", 0);
	vp_onchange("valias_delete_domain", domain, "-", ON_VCHANGE_BEFORE);
	a[0] = (struct vmy_arg)VMY_S(domain);
	rc = vmy_exec(VMY_UPDATE, "DELETE FROM valias WHERE domain = ?", a, 1, NULL, NULL);
	if (rc == VMY_NO_TABLE)
		rc = 0;
	if (rc != 0)
		return rc;
	vp_onchange("valias_delete_domain", domain, "-", ON_VCHANGE_AFTER);
	return VA_SUCCESS;
}
#endif
