/*
 * cli.c: see cli.h.
 */
#include "common/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool cli_int(const char *s, long min, long max, int *out)
{
	char *end;

	/* strtol would also take leading spaces and a '+': " 80" and "+80"
	 * are not what anyone typed on purpose */
	if (!s || !(*s == '-' || (*s >= '0' && *s <= '9')))
		return false;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = (int)v;
	return true;
}

bool cli_fail(char *err, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, cap, fmt, ap);
	va_end(ap);
	return false;
}

bool cli_option(const char *arg, char *name, size_t cap, const char **inline_value,
		char *err, size_t errcap)
{
	const char *eq = strchr(arg, '=');
	size_t n = eq ? (size_t)(eq - arg) : strlen(arg);

	if (strncmp(arg, "--", 2) != 0)
		return cli_fail(err, errcap, "unexpected argument '%.40s': options "
				"start with --", arg);
	if (n >= cap)
		return cli_fail(err, errcap, "unknown option '%.40s'", arg);
	memcpy(name, arg, n);
	name[n] = '\0';
	*inline_value = eq ? eq + 1 : NULL;
	return true;
}

const char *cli_value(int argc, char **argv, int *i, const char *inline_value)
{
	if (inline_value)
		return inline_value;
	return *i + 1 < argc ? argv[++*i] : NULL;
}
