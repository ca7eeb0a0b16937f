/*
 * cli.h - helpers shared by the command-line programs.
 *
 * The programs are thin: parse options with getopt(3), call libvpopmail,
 * print what vpopmail 5.6 printed and exit with its status.  This file
 * holds the pieces every program needs, so that each command file is
 * just its option table, its usage text and its flow.
 *
 * Conventions kept from vpopmail: messages go to stdout via printf (so
 * they are flushed at exit, after anything written to stderr); the exit
 * status of a failure is the VA_* code & 0xff (-1 -> 255).
 *
 * Copyright (C) 2026 the vpopmail-ng authors.  GPL-2.0-or-later.
 */
#ifndef VP_CLI_H
#define VP_CLI_H

#include <stddef.h>
#include <sys/types.h>

#include "vpopmail.h"
#include "vauth.h"

/*
 * Size of every buffer a command copies an argument into: the 300 bytes
 * (MAX_BUFF) of the original.  See cli_take().
 */
#define CLI_BUF MAX_BUFF

/* Length used by -r without a number, and the longest -r accepts. */
#define CLI_RANDOM_DEFAULT 12
#define CLI_RANDOM_MAX     128

/* The exit status for a VA_* code: code & 0xff. */
int  cli_exit_code(int va);

/* Close the auth backend and exit with cli_exit_code(va). */
_Noreturn void cli_exit(int va);

/* vauth_open(1); on failure "Error - <verror>. Initial open." on stderr and exit. */
void cli_open(void);

/* -v: "version: <VERSION>" on stdout.  Processing continues. */
void cli_version(void);

/*
 * Options of a program whose only option is -v: getopt(3) with "v",
 * cli_version() for each -v, and the scan stops at the first other
 * option (as in the original; the rest are then operands from optind).
 */
void cli_version_options(int argc, char **argv);

/* "Error: <verror(va)>" on stdout. */
void cli_print_error(int va);

/* cli_print_error(), plus the policy lines when va is a VA_PWSTR_* code. */
void cli_print_pw_error(int va);

/* cli_print_error(va), then cli_exit(va). */
_Noreturn void cli_fail(int va);

/*
 * The first entry of get_domain_entries(match); when there is none, ends
 * the program with 5.6's words: "Can't get domain entries - <error>"
 * (exit 255) if users/assign cannot be read, else "What now - Success"
 * (exit 0).  Later entries come from get_domain_entries(NULL).
 */
domain_entry *cli_domain_entries(const char *match);

/*
 * Copy a command-line string into dst (size bytes).  vpopmail copied
 * arguments into 300-byte buffers with snprintf, so a longer argument
 * was silently cut and could name a different user or domain.  We
 * refuse instead: if src does not fit, dst is left empty, va_too_long
 * (the library's "too long" code for that field, e.g.
 * VA_USER_NAME_TOO_LONG) is stored in *pending unless an earlier error
 * is already there, and -1 is returned.  The command reports *pending
 * at the point where its operands have been checked for presence.
 */
int  cli_take(char *dst, size_t size, const char *src, int va_too_long, int *pending);

/*
 * The "too long" code for an email address that does not fit a CLI_BUF
 * buffer: VA_USER_NAME_TOO_LONG if its user part (up to the first '@',
 * else '%', else '/') is longer than MAX_PW_NAME, else
 * VA_DOMAIN_NAME_TOO_LONG (the domain part is then necessarily longer
 * than MAX_PW_DOMAIN).  The order matches the library's own checks.
 */
int  cli_email_too_long(const char *email);

/*
 * Handle -r[len]: fill pw (size > CLI_RANDOM_MAX) with a random password
 * of len characters (arg NULL: CLI_RANDOM_DEFAULT; parsed like atoi, a
 * negative length gives an empty password).  len > CLI_RANDOM_MAX prints
 * "Error: password too long (max=128)" and exits 229, as 5.6 did.
 */
void cli_random_option(const char *arg, char *pw, size_t size);

/* Both -r and a password operand: the 5.6 error, exit 255. */
_Noreturn void cli_password_conflict(void);

/* "Random password: <pw>" on stdout. */
void cli_random_line(const char *pw);

/*
 * Prompt on the tty for the password of `who` (library vgetpasswd: asks
 * twice, loops until both agree).  Returns 0 if a non-empty password was
 * entered, -1 if it is empty (EOF or empty input).
 */
int  cli_read_password(char *who, char *pw, size_t size);

/* vadduser's empty-password exit: "Error: No password entered", usage, 255. */
_Noreturn void cli_no_password(void (*usage)(void));

#endif /* VP_CLI_H */
