/*
 * cli.h: the two pieces every sendlab command line needs: strict integer
 * parsing and a one-sentence error. Shared by the servers' options.c and the
 * harness's args.c so both refuse "80x" and "-1" the same way.
 */
#ifndef SENDLAB_CLI_H
#define SENDLAB_CLI_H

#include <stdbool.h>
#include <stddef.h>

/* Parses the whole of s as a decimal integer in [min, max] into *out.
 * Returns false (leaving *out alone) for an empty string, a leading space
 * or '+', trailing characters, overflow or a value out of range. */
bool cli_int(const char *s, long min, long max, int *out);

/* Formats one sentence into err[0..cap) and returns false, so a parser can
 * `return cli_fail(err, cap, "...", ...);`. */
bool cli_fail(char *err, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
