/*
 * csvtext.h: a file made of a string, for the unit tests of the CSV
 * readers of analysis/ (test_csvin.c, test_scaling.c, test_scaling_read.c):
 * each reader takes a FILE, and a test's file is best read where it is
 * written.
 */
#ifndef SENDLAB_CSVTEXT_H
#define SENDLAB_CSVTEXT_H

#include <check.h>
#include <stdio.h>
#include <string.h>

/* s as a file to read; "" is an empty file (fmemopen may refuse a size
 * of 0, so it is /dev/null). */
static inline FILE *csvtext_open(const char *s)
{
	FILE *f = *s ? fmemopen((void *)s, strlen(s), "r") : fopen("/dev/null", "r");

	ck_assert_ptr_nonnull(f);
	return f;
}

#endif
