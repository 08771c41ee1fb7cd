/*
 * cli.h: what every sendlab command line needs: strict integer parsing,
 * "--name value" and "--name=value" split the same way, and a
 * one-sentence error. Shared by the servers' options.c and the
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

/*
 * Splits one command-line word into an option's name and its inline value:
 * "--name=value" gives "--name" in name[0..cap) and *inline_value "value";
 * "--name" gives *inline_value NULL. False with one sentence in err for a
 * word that does not start with "--" or a name that does not fit.
 */
bool cli_option(const char *arg, char *name, size_t cap, const char **inline_value,
		char *err, size_t errcap);

/* The value of the option at argv[*i]: its inline one, else the next word
 * (and *i moves past it); NULL when there is none. */
const char *cli_value(int argc, char **argv, int *i, const char *inline_value);

/* Formats one sentence into err[0..cap) and returns false, so a parser can
 * `return cli_fail(err, cap, "...", ...);`. */
bool cli_fail(char *err, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
