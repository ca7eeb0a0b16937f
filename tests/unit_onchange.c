/*
 * unit_onchange.c - the onchange calls: vp_call_onchange() runs
 * ~vpopmail/etc/onchange with its four arguments and reports the script's
 * failure; 5.4's call_onchange(cmd) passes onchange_buf; allow_onchange = 0
 * (5.6's global) masks both, also for direct callers.
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#include "vpinternal.h"
#include "tap.h"
#include "testutil.h"

#include <sys/stat.h>

static char script[VP_PATH_MAX], logfile[VP_PATH_MAX];

/* The hook: one line per call, the argument count and the arguments. */
static void write_script(const char *exit_status, int mode)
{
	char text[VP_PATH_MAX * 2];

	vp_fmt(text, sizeof text,
	       "#!/bin/sh\nprintf '%%s|%%s|%%s|%%s|%%s\\n' \"$#\" \"$1\" \"$2\" \"$3\" \"$4\" >> '%s'\nexit %s\n",
	       logfile, exit_status);
	put_file(script, text);
	chmod(script, (mode_t)mode);
	unlink(logfile);
}

static const char *log_text(void)
{
	static char buf[1024];

	return exists(logfile) ? text_into(buf, sizeof buf, logfile) : "(none)";
}

int main(void)
{
	char etc[VP_PATH_MAX];
	const char *err;

	if (sandbox_create("unit_onchange") != 0)
		return 1;
	setenv("VPOPMAIL_HOME", sandbox, 1);
	sandbox_path(etc, sizeof etc, "etc");
	mkdir(etc, 0755);
	sandbox_path(script, sizeof script, "etc/onchange");
	sandbox_path(logfile, sizeof logfile, "log");

	is_int(vp_call_onchange("add_user", "a@b.c", "-", ""), 0, "no script: 0, nothing to do");

	write_script("0", 0755);
	is_int(vp_call_onchange("add_user", "a@b.c", "-", "after"), 0, "script exits 0: 0");
	is_str(log_text(), "4|add_user|a@b.c|-|after\n", "  run once with the four arguments");

	is_int(allow_onchange, 1, "allow_onchange, 5.6's global, starts at 1");
	allow_onchange = 0;
	unlink(logfile);
	is_int(vp_call_onchange("del_user", "a@b.c", "-", ""), 0, "masked: vp_call_onchange() returns 0");
	is_str(log_text(), "(none)", "  and does not run the script");
	vp_onchange("del_user", "a@b.c", "-", 0);
	is_str(log_text(), "(none)", "  nor do the library's own notifications");
	allow_onchange = 1;
	is_int(vp_onchange_allowed(), 1, "allow_onchange = 1: notifications are on again");

	/* 5.4's form (qmailadmin 1.2's mailing lists) */
	unlink(logfile);
	snprintf(onchange_buf, sizeof onchange_buf, "list@b.c");
	is_int(call_onchange("add_mailinglist"), 0, "5.4's call_onchange(cmd): 0");
	is_str(log_text(), "4|add_mailinglist|list@b.c||\n", "  the text of onchange_buf as the first value");
	allow_onchange = 0;
	unlink(logfile);
	is_int(call_onchange("add_mailinglist"), 0, "5.4's form masked: 0");
	is_str(log_text(), "(none)", "  and nothing ran");
	allow_onchange = 1;

	/* 5.6's on_change(cmd, a1, a2, change, mode): change fires the plain
	 * hook, mode picks the before-and-after hook's "before" (0) or
	 * "after"; each only where it is compiled in. */
	{
		static const char *const want[2][2] = {
#if defined(ONCHANGE_SCRIPT) && defined(ONCHANGE_SCRIPT_BEFORE_AND_AFTER)
			{ "4|e|a1|a2|before\n", "4|e|a1|a2|after\n" },
			{ "4|e|a1|a2|\n4|e|a1|a2|before\n", "4|e|a1|a2|\n4|e|a1|a2|after\n" },
#elif defined(ONCHANGE_SCRIPT_BEFORE_AND_AFTER)
			{ "4|e|a1|a2|before\n", "4|e|a1|a2|after\n" },
			{ "4|e|a1|a2|before\n", "4|e|a1|a2|after\n" },
#elif defined(ONCHANGE_SCRIPT)
			{ "(none)", "(none)" },
			{ "4|e|a1|a2|\n", "4|e|a1|a2|\n" },
#else
			{ "(none)", "(none)" },
			{ "(none)", "(none)" },
#endif
		};
		int change, mode;

		for (change = 0; change < 2; change++)
			for (mode = 0; mode < 2; mode++) {
				char d[64];

				unlink(logfile);
				on_change("e", "a1", "a2", change, mode);
				snprintf(d, sizeof d, "on_change(change=%d, mode=%d)", change, mode);
				is_str(log_text(), want[change][mode], d);
			}
		allow_onchange = 0;
		unlink(logfile);
		on_change("e", "a1", "a2", 1, 1);
		is_str(log_text(), "(none)", "on_change() masked by allow_onchange");
		allow_onchange = 1;
	}

	write_script("3", 0755);
	capture_begin();
	is_int(vp_call_onchange("mod_user", "a@b.c", "-", ""), -1, "script exits 3: -1");
	err = capture_end();
	ok(strstr(err, "did not exit gracefully") != NULL, "  with that message on stderr");
	is_str(log_text(), "4|mod_user|a@b.c|-|\n", "  after the script ran");

	write_script("0", 0644);
	capture_begin();
	is_int(vp_call_onchange("mod_user", "a@b.c", "-", ""), -1, "script not executable: -1");
	err = capture_end();
	ok(strstr(err, "not executable") != NULL, "  with that message on stderr");
	is_str(log_text(), "(none)", "  and nothing ran");

	sandbox_remove();
	return done_testing();
}
