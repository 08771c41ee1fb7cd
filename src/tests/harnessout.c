/*
 * harnessout.c: see harnessout.h.
 */
#include "tests/harnessout.h"

#include "tests/testutil.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void hout_files_make(struct hout_files *f)
{
	tu_temp_file(f->msg, sizeof(f->msg), "msg");
	tu_temp_file(f->by, sizeof(f->by), "by");
	tu_temp_file(f->lag, sizeof(f->lag), "lag");
}

void hout_files_remove(const struct hout_files *f)
{
	unlink(f->msg);
	unlink(f->by);
	unlink(f->lag);
}

int hout_read_csv(const char *path, char *hdr, size_t hdrcap, long long rows[][HOUT_NCOLS],
		  int maxrows, char *variant, size_t vcap)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int n = 0;

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(hdr, (int)hdrcap, f));
	while (n < maxrows && fgets(line, sizeof(line), f)) {
		if (line[0] == '#')
			continue;
		char *comma = strchr(line, ',');
		ck_assert_ptr_nonnull(comma);
		snprintf(variant, vcap, "%.*s", (int)(comma - line), line);
		char *p = comma + 1;
		for (int c = 0; c < HOUT_NCOLS && *p && *p != '\n'; c++) {
			rows[n][c] = strtoll(p, &p, 10);
			if (*p == ',')
				p++;
		}
		n++;
	}
	fclose(f);
	return n;
}

struct hout_shape hout_csv_shape(const char *path)
{
	struct hout_shape cs = { 0 };
	FILE *f = fopen(path, "r");
	char line[600];

	ck_assert_ptr_nonnull(f);
	for (int lineno = 0; fgets(line, sizeof(line), f); lineno++) {
		if (lineno > 0 && line[0] != '#')
			cs.rows++;
		snprintf(cs.last, sizeof(cs.last), "%s", line);
	}
	fclose(f);
	return cs;
}

int hout_count(const char *out, const char *after_number)
{
	const char *p = strstr(out, after_number);

	if (!p)
		return -1;
	while (p > out && p[-1] >= '0' && p[-1] <= '9')
		p--;
	return atoi(p);
}
