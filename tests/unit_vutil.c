/*
 * unit_vutil.c - the address tests of vutil.h that qmailadmin uses to
 * tell users, forwards, mailing lists and autoresponders apart.
 */
#include "vpinternal.h"
#include "vutil.h"
#include "tap.h"
#include "testutil.h"

int main(void)
{
	char dom[MAX_PW_DOMAIN + 1], path[VP_PATH_MAX], file[VP_PATH_MAX], s[32];
	struct vdomain d;

	if (sandbox_create("unit_vutil") != 0)
		return 1;
	sandbox_homes();
	is_int(vadddomain("example.com", NULL, getuid(), getgid()), 0, "domain created");
	snprintf(dom, sizeof dom, "example.com");
	is_int(vadduser("bob", dom, "Passw0rd", "Bob", USE_POP), 0, "user added");
	if (vp_domain_lookup("example.com", &d) != VA_SUCCESS)
		return done_testing();
	snprintf(path, sizeof path, "%s", d.dir);

	snprintf(s, sizeof s, "a.b.c");
	str_replace(s, '.', ':');
	is_str(s, "a:b:c", "str_replace(): every occurrence, in place");

	snprintf(file, sizeof file, "%s/.qmail-first:last", path);
	put_file(file, "&someone@example.org\n");
	snprintf(file, sizeof file, "%s/.qmail-list", path);
	put_file(file, "|/usr/bin/ezmlm-send '/home/list'\n");
	snprintf(file, sizeof file, "%s/.qmail-away", path);
	put_file(file, "|/usr/bin/autorespond 10000 5 /x/message /x\n");
	snprintf(file, sizeof file, "%s/.qmail-default-x", path);
	put_file(file, "&x@example.org\n");
	snprintf(file, sizeof file, "%s/AWAY", path);
	mkdir(file, 0700);
	snprintf(file, sizeof file, "%s/AWAY/message", path);
	put_file(file, "gone\n");
	sandbox_path(file, sizeof file, "qmail/alias");
	mkdir(file, 0755);
	sandbox_path(file, sizeof file, "qmail/alias/.qmail-postmaster");
	put_file(file, "root\n");
	sandbox_path(file, sizeof file, "qmail/alias/.qmail-owner-default");
	put_file(file, "root\n");

	ok(file_exists(file), "file_exists(): an existing file");
	ok(!file_exists("/nonexistent/file"), "file_exists(): a missing one");

	ok(isValidMailList(path, "list"), "isValidMailList(): ezmlm on the first line");
	ok(!isValidMailList(path, "first.last"), "isValidMailList(): a forward is no list");
	ok(!isValidMailList(path, "nothing"), "isValidMailList(): no file");

	ok(isExistingAlias(path, "first.last", dom), "isExistingAlias(): '.' is ':' in the file name");
	ok(!isExistingAlias(path, "list", dom), "isExistingAlias(): a mailing list is no forward");
	ok(!isExistingAlias(path, "away", dom), "isExistingAlias(): an autoresponder is no forward");
	ok(!isExistingAlias(path, "default-x", dom), "isExistingAlias(): .qmail-default* are no forwards");
	ok(!isExistingAlias(path, "../example.com/.qmail-list", dom), "isExistingAlias(): a '/' is never a name");
	ok(!isExistingAlias(path, "nothing", dom), "isExistingAlias(): nothing there");
#ifdef VALIAS
	is_int(valias_insert("fwd", dom, "x@example.org"), 0, "an alias row");
	is_int(valias_insert("robot", dom, "|/usr/bin/autorespond 100 5 m d"), 0, "an autoresponder row");
	ok(isExistingAlias(path, "fwd", dom), "isExistingAlias(): an alias row is a forward");
	ok(!isExistingAlias(path, "robot", dom), "isExistingAlias(): an autoresponder row is not");
#endif

	ok(isExistingRobot(path, "away"), "isExistingRobot(): <NAME>/message, upper case");
	ok(!isExistingRobot(path, "bob"), "isExistingRobot(): no directory");

	ok(isExistingUser("bob", dom), "isExistingUser(): a user");
	ok(!isExistingUser("first.last", dom), "isExistingUser(): a forward is no user");

	ok(isExistingAddress(dom, "bob", path), "isExistingAddress(): a user");
	ok(isExistingAddress(dom, "first.last", path), "isExistingAddress(): a forward");
	ok(isExistingAddress(dom, "away", path), "isExistingAddress(): an autoresponder");
	ok(!isExistingAddress(dom, "postmaster2", path), "isExistingAddress(): nothing");
	ok(!isExistingAddress(dom, "owner", path), "isExistingAddress(): qmail's own aliases do not count");

	ok(isQmailAlias("postmaster"), "isQmailAlias(): qmail/alias/.qmail-<name>");
	ok(isQmailAlias("owner"), "isQmailAlias(): qmail/alias/.qmail-<name>-default");
	ok(!isQmailAlias("bob"), "isQmailAlias(): none");
	ok(isExistingAnyAddress(dom, "owner", path), "isExistingAnyAddress(): qmail's aliases count");
	ok(isExistingAnyAddress(dom, "bob", path), "isExistingAnyAddress(): a user");
	ok(!isExistingAnyAddress(dom, "nobody", path), "isExistingAnyAddress(): nothing");

	vclose();
	sandbox_remove();
	return done_testing();
}
