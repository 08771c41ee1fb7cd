/*
 * cli.c: see cli.h.
 */
#include "common/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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
