/*
 * unit_valias.c - the alias library of the cdb build (src/lib/valias.c):
 * valias_remove's prefix rule, select/select_all walks, name checks and
 * the results for missing aliases and domains.
 */
#include "vpinternal.h"
#include "tap.h"
#include "testutil.h"

static char domdir[512];

static void put(const char *name, const char *data)
{
	char path[600];
	FILE *fp;

	snprintf(path, sizeof path, "%s/%s", domdir, name);
	fp = fopen(path, "w");
	if (fp != NULL) {
		fputs(data, fp);
		fclose(fp);
	}
}

static const char *get(const char *name)
{
	static char buf[1024];
	char path[600];

	snprintf(path, sizeof path, "%s/%s", domdir, name);
	return text_into(buf, sizeof buf, path);
}

int main(void)
{
	char path[1024], alias[MAX_PW_NAME + 1], dom[MAX_PW_DOMAIN + 1];
	char walk[1024];
	char *line;
	struct stat st;

#ifdef VALIAS
	puts("1..0 # SKIP aliases live in the SQL table: t_valias_sql.sh");
	return 0;
#endif
	if (sandbox_create("unit_valias") != 0)
		return 1;
	sandbox_homes();

	is_int(vadddomain("example.com", NULL, getuid(), getgid()), 0, "domain created");
	snprintf(domdir, sizeof domdir, "%s/vpopmail/" DOMAINS_DIR "/example.com", sandbox);

	/* insert / remove */
	snprintf(dom, sizeof dom, "example.com");
	is_int(valias_insert("bob", dom, "fred@example.org"), 0, "insert 1");
	is_int(valias_insert("bob", dom, "fred@example.net"), 0, "insert 2");
	is_int(valias_insert("bob", dom, "|/bin/true"), 0, "insert 3");
	is_str(get(".qmail-bob"), "fred@example.org\nfred@example.net\n|/bin/true\n", "three lines");
	is_int(valias_remove("bob", dom, "fred@example"), 0, "remove by prefix");
	is_str(get(".qmail-bob"), "|/bin/true\n", "both lines starting with the prefix dropped");
	snprintf(path, sizeof path, "%s/.qmail-bob", domdir);
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600, "mode 0600 after remove");
	is_int(valias_remove("bob", dom, "nomatch"), 0, "remove without a match");
	is_str(get(".qmail-bob"), "|/bin/true\n", "no match: file unchanged");
	is_int(valias_remove("bob", dom, ""), 0, "remove with an empty prefix");
	is_str(get(".qmail-bob"), "", "empty prefix: every line dropped, file kept");
	is_int(valias_remove("nobody", dom, "x"), VA_COULD_NOT_OPEN_DOT_QMAIL, "remove from a missing alias");
	is_int(valias_remove("bob", "nowhere.com", "x"), VA_DOMAIN_DOES_NOT_EXIST, "remove, unknown domain");

	/* argument checks */
	is_int(valias_insert(NULL, dom, "x"), VA_NULL_POINTER, "NULL alias");
	is_int(valias_insert("a", NULL, "x"), VA_NULL_POINTER, "NULL domain");
	is_int(valias_insert("a", dom, NULL), VA_NULL_POINTER, "NULL line");
	is_int(valias_insert("", dom, "x"), VA_ILLEGAL_USERNAME, "empty alias");
	is_int(valias_insert("../x", dom, "x"), VA_ILLEGAL_USERNAME, "alias with '/'");
	is_int(valias_insert(".x", dom, "x"), VA_ILLEGAL_USERNAME, "alias with a leading dot");
	is_int(valias_insert("a b", dom, "x"), VA_ILLEGAL_USERNAME, "alias with a space");
	is_int(valias_insert("a\nb", dom, "x"), VA_ILLEGAL_USERNAME, "alias with a newline");
	is_int(valias_insert("a", dom, "x\ny"), VA_BAD_CHAR, "line with a newline");
	is_int(valias_insert("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", dom, "x"),
	       VA_USER_NAME_TOO_LONG, "65-byte alias");
	is_int(valias_insert("a", dom,
	       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	       "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
	       VA_ALIAS_LINE_TOO_LONG, "160-byte line");
	is_int(valias_insert("a", "nowhere.com", "x"), VA_DOMAIN_DOES_NOT_EXIST, "insert, unknown domain");
	snprintf(path, sizeof path, "%s/.qmail-a", domdir);
	ok(access(path, F_OK) != 0, "refused inserts wrote nothing");

	/* select */
	line = valias_select("nobody", dom);
	ok(line == NULL && verrori == 0, "missing alias: NULL, verrori 0");
	line = valias_select("bob", "nowhere.com");
	ok(line == NULL && verrori == VA_DOMAIN_DOES_NOT_EXIST, "unknown domain: verrori set");
	put(".qmail-x:y", "l1\nl2");
	line = valias_select("x.y", dom);
	is_str(line != NULL ? line : "(null)", "l1", "dotted alias: first line");
	line = valias_select_next();
	is_str(line != NULL ? line : "(null)", "l2", "last line without newline");
	ok(valias_select_next() == NULL, "then the end");

	/* select_all: empty files are skipped, not the end of the walk */
	put(".qmail-Cat", "c\n");
	walk[0] = '\0';
	for (line = valias_select_all(alias, dom); line != NULL; line = valias_select_all_next(alias)) {
		strcat(walk, alias);
		strcat(walk, "=");
		strcat(walk, line);
		strcat(walk, ";");
	}
	is_str(walk, "Cat=c;x.y=l1;x.y=l2;", "select_all: case-insensitive order, empty bob skipped");
	ok(valias_select_all_next(alias) == NULL, "select_all_next after the end");

	/* delete */
	is_int(valias_delete("x.y", dom), 0, "delete");
	snprintf(path, sizeof path, "%s/.qmail-x:y", domdir);
	ok(access(path, F_OK) != 0, "delete: file gone");
	is_int(valias_delete("x.y", dom), VA_COULD_NOT_OPEN_DOT_QMAIL, "delete a missing alias");
	is_int(valias_delete("x.y", "nowhere.com"), VA_DOMAIN_DOES_NOT_EXIST, "delete, unknown domain");

	sandbox_remove();
	return done_testing();
}
