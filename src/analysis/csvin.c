/*
 * csvin.c: see csvin.h. One reader does the work for every file type: it
 * checks the header, then splits each row into an optional leading text
 * field (the variant) and a fixed number of integers, and reads the
 * harness's "# incomplete" line where one may end the file.
 */
#include "analysis/csvin.h"

#include "common/cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define CSVIN_MAX_FIELDS 12
/* a column a file of a shorter, still-read header does not have */
#define CSVIN_ABSENT INT64_MIN

/* What one file type looks like. */
struct csvin_format {
	const char *header;
	bool has_variant;	/* a text first column; the run number follows it */
	int nums;		/* integer columns after it */
	const char *old_header;	/* a header this file type had before, or NULL:
				   still refused, with old_why to say why */
	const char *old_why;
	const char *short_header; /* a header it had before that is still
				     read, or NULL: its rows have short_nums
				     integers, the rest read as CSVIN_ABSENT */
	int short_nums;
};

/* The messages header before the harness measured the server's clock
 * (clock_offset_us, clock_offset_err_us): one host, one clock. */
#define CSVIN_SHORT_MSG_HEADER \
	"variant,run,seq,t_request_us,t_recv_us,t_start_us,t_done_us,t_send_us," \
	"t_arrive_us,client,cpu_us"

/* The messages header before the harness wrote its last column, cpu_us. */
#define CSVIN_OLD_MSG_HEADER \
	"variant,run,seq,t_request_us,t_recv_us,t_start_us,t_done_us,t_send_us," \
	"t_arrive_us,client"

/* Called for each row with its integers; returns false (with err set) to
 * stop. */
typedef bool (*csvin_row_fn)(void *ctx, const int64_t *v, char *err, size_t errcap);

/* Parses one integer field of [s, end); false if it is not exactly one. */
static bool csvin_int(const char *s, const char *end, int64_t *out)
{
	char buf[32];
	size_t len = (size_t)(end - s);

	if (len == 0 || len >= sizeof(buf))
		return false;
	if (!(*s == '-' || (*s >= '0' && *s <= '9')))
		return false;	/* strtoll would skip spaces and take '+' */
	memcpy(buf, s, len);
	buf[len] = '\0';
	char *stop;

	errno = 0;
	long long v = strtoll(buf, &stop, 10);
	if (errno || *stop)
		return false;
	*out = v;
	return true;
}

/*
 * Reads the harness's "# incomplete: run R of N: WHY" line into *inc; false
 * (with err) if it is anything else, or malformed. Any other line starting
 * with '#' is an error too: a comment the writer never makes is damage.
 */
static bool csvin_incomplete_line(const char *line, const char *name, long lineno,
				  struct csvin_incomplete *inc, char *err, size_t errcap)
{
	const char *p = line + strlen(REPORT_INCOMPLETE_PREFIX);
	int run, runs, used = 0;

	if (strncmp(line, REPORT_INCOMPLETE_PREFIX, strlen(REPORT_INCOMPLETE_PREFIX)))
		return cli_fail(err, errcap, "%s:%ld: a comment line, not a row",
				name, lineno);
	if (sscanf(p, "%d of %d: %n", &run, &runs, &used) != 2 || used == 0 ||
	    run < 1 || runs < run)
		return cli_fail(err, errcap, "%s:%ld: malformed \"# incomplete\" line",
				name, lineno);
	if (!inc)
		return cli_fail(err, errcap, "%s:%ld: the file is marked incomplete "
				"(run %d of %d: %.200s)", name, lineno, run, runs, p + used);
	inc->run = run;
	inc->runs = runs;
	snprintf(inc->why, sizeof(inc->why), "%s", p + used);
	return true;
}

int csvin_getline(FILE *f, char *line, size_t cap, const char *name, long lineno,
		  char *err, size_t errcap)
{
	if (!fgets(line, (int)cap, f))
		return 0;
	size_t len = strlen(line);

	if (len == cap - 1 && line[len - 1] != '\n') {
		cli_fail(err, errcap, "%s:%ld: line longer than %zu bytes", name, lineno,
			 cap - 2);
		return -1;
	}
	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		line[--len] = '\0';
	return 1;
}

/* The first line: exactly fmt's header or its short one (*nums says how
 * many integers the rows then have); an old one is named as such. */
static bool csvin_header(const char *line, const char *name, const struct csvin_format *fmt,
			 int *nums, char *err, size_t errcap)
{
	*nums = fmt->nums;
	if (fmt->old_header && !strcmp(line, fmt->old_header))
		return cli_fail(err, errcap, "%s:1: %s", name, fmt->old_why);
	if (fmt->short_header && !strcmp(line, fmt->short_header)) {
		*nums = fmt->short_nums;
		return true;
	}
	if (strcmp(line, fmt->header))
		return cli_fail(err, errcap, "%s:1: header is \"%.80s\", "
				"want \"%s\"", name, line, fmt->header);
	return true;
}

/*
 * Splits one row into its integers v[0..fmt->nums), after its variant
 * column if it has one: that must be the same as on the rows before
 * (first_variant, [0..cap), "" until the first row fills it).
 */
static bool csvin_fields(const char *line, const char *name, long lineno,
			 const struct csvin_format *fmt, int nums, char *first_variant,
			 size_t cap, int64_t *v, char *err, size_t errcap)
{
	const char *p = line;

	if (fmt->has_variant) {
		const char *comma = strchr(p, ',');
		size_t vlen = comma ? (size_t)(comma - p) : 0;

		if (!comma || vlen == 0 || vlen >= cap)
			return cli_fail(err, errcap, "%s:%ld: no variant column",
					name, lineno);
		if (!first_variant[0])
			memcpy(first_variant, p, vlen);
		else if (strncmp(first_variant, p, vlen) || first_variant[vlen])
			return cli_fail(err, errcap, "%s:%ld: variant \"%.*s\" "
					"differs from \"%s\" on the rows before",
					name, lineno, (int)vlen, p, first_variant);
		p = comma + 1;
	}
	for (int i = nums; i < fmt->nums; i++)
		v[i] = CSVIN_ABSENT;
	for (int i = 0; i < nums; i++) {
		const char *end = strchr(p, ',');

		if (i == nums - 1) {
			if (end)
				return cli_fail(err, errcap, "%s:%ld: more than "
						"%d fields", name, lineno,
						nums + fmt->has_variant);
			end = p + strlen(p);
		} else if (!end) {
			return cli_fail(err, errcap, "%s:%ld: fewer than %d fields",
					name, lineno, nums + fmt->has_variant);
		}
		if (!csvin_int(p, end, &v[i]))
			return cli_fail(err, errcap, "%s:%ld: field %d is not an "
					"integer", name, lineno,
					i + 1 + fmt->has_variant);
		p = end + 1;
	}
	return true;
}

/* After the last line: no read error, a header at least, and a mark (if
 * any, on line mark_line) of a run no row comes after. */
static bool csvin_check_end(FILE *f, const char *name, long lineno,
			    const struct csvin_incomplete *mark, long mark_line,
			    int64_t last_run, char *err, size_t errcap)
{
	if (ferror(f))
		return cli_fail(err, errcap, "%s: read error", name);
	if (lineno == 0)
		return cli_fail(err, errcap, "%s: empty file (no header)", name);
	/* the harness stops at the run it marks: a later run means the
	 * mark does not describe these rows */
	if (mark->run && last_run > mark->run)
		return cli_fail(err, errcap, "%s:%ld: marks run %d incomplete, but "
				"rows of run %" PRId64 " come before it", name, mark_line,
				mark->run, last_run);
	return true;
}

/* The one reader of the file types above: the header, then row() on each
 * row's integers; the "# incomplete" line into *inc (an error if NULL). */
static bool csvin_read(FILE *f, const char *name, const struct csvin_format *fmt,
		       char *variant, size_t varcap, csvin_row_fn row, void *ctx,
		       struct csvin_incomplete *inc, char *err, size_t errcap)
{
	char line[CSVIN_MAX_LINE];
	char first_variant[64] = "";
	long lineno = 0, mark_line = 0;
	size_t rows = 0;
	int64_t last_run = 0;	/* the highest run number of any row */
	struct csvin_incomplete mark = { 0 };
	int got, nums = fmt->nums;

	while ((got = csvin_getline(f, line, sizeof(line), name, lineno + 1, err,
				    errcap)) > 0) {
		lineno++;
		if (lineno == 1) {
			if (!csvin_header(line, name, fmt, &nums, err, errcap))
				return false;
			continue;
		}
		if (line[0] == '\0')
			continue;	/* a blank last line */
		if (mark_line)
			return cli_fail(err, errcap, "%s:%ld: a line after the "
					"\"# incomplete\" line %ld, which must be the last",
					name, lineno, mark_line);
		if (line[0] == '#') {
			if (!csvin_incomplete_line(line, name, lineno, inc ? &mark : NULL,
						   err, errcap))
				return false;
			mark_line = lineno;
			continue;
		}
		if (++rows > CSVIN_MAX_ROWS)
			return cli_fail(err, errcap, "%s: more than %d rows", name,
					CSVIN_MAX_ROWS);

		int64_t v[CSVIN_MAX_FIELDS];
		char why[128];

		if (!csvin_fields(line, name, lineno, fmt, nums, first_variant,
				  sizeof(first_variant), v, err, errcap))
			return false;
		if (!row(ctx, v, why, sizeof(why)))
			return cli_fail(err, errcap, "%s:%ld: %s", name, lineno, why);
		if (fmt->has_variant && v[0] > last_run)
			last_run = v[0];
	}
	if (got < 0 || !csvin_check_end(f, name, lineno, &mark, mark_line, last_run, err,
					errcap))
		return false;
	if (inc)
		*inc = mark;
	if (variant && varcap) {
		strncpy(variant, first_variant, varcap - 1);
		variant[varcap - 1] = '\0';
	}
	return true;
}

/* A growing array of fixed-size elements, for the row callbacks. */
struct csvin_vec {
	void *data;
	size_t n, cap, size;
};

static void *csvin_push(struct csvin_vec *vec)
{
	if (vec->n == vec->cap) {
		size_t cap = vec->cap ? vec->cap * 2 : 64;
		void *d = realloc(vec->data, cap * vec->size);

		if (!d)
			return NULL;
		vec->data = d;
		vec->cap = cap;
	}
	return (char *)vec->data + vec->n++ * vec->size;
}

static bool csvin_msg_row(void *ctx, const int64_t *v, char *err, size_t errcap)
{
	struct report_msg *m = csvin_push(ctx);

	if (!m)
		return cli_fail(err, errcap, "out of memory");
	if (v[0] < 1 || v[0] > INT32_MAX || v[1] < 0 || v[1] > INT32_MAX)
		return cli_fail(err, errcap, "run %" PRId64 " / seq %" PRId64
				" out of range", v[0], v[1]);
	/* the harness numbers its clients 0..K-1, K at most REPORT_CLIENTS_MAX */
	if (v[8] < 0 || v[8] >= REPORT_CLIENTS_MAX)
		return cli_fail(err, errcap, "client %" PRId64 " out of range 0..%d",
				v[8], REPORT_CLIENTS_MAX - 1);
	if (v[9] < -1)
		return cli_fail(err, errcap, "cpu_us %" PRId64 " is negative (-1 "
				"means: not reported)", v[9]);
	if (v[11] != CSVIN_ABSENT && v[11] < -1)
		return cli_fail(err, errcap, "clock_offset_err_us %" PRId64 " is "
				"negative (-1 means: not measured)", v[11]);
	*m = (struct report_msg){ .run = (int)v[0], .seq = (int)v[1],
				  .t_request_us = v[2], .t_recv_us = v[3],
				  .t_start_us = v[4], .t_done_us = v[5],
				  .t_send_us = v[6], .t_arrive_us = v[7],
				  .client = (int)v[8], .cpu_us = v[9],
				  /* a file from before the harness measured
				   * the clock: one host, one clock */
				  .clock_offset_us = v[10] == CSVIN_ABSENT ? 0 : v[10],
				  .clock_offset_err_us = v[11] == CSVIN_ABSENT ? -1 : v[11] };
	return true;
}

static bool csvin_echo_row(void *ctx, const int64_t *v, char *err, size_t errcap)
{
	struct report_echo *e = csvin_push(ctx);

	if (!e)
		return cli_fail(err, errcap, "out of memory");
	if (v[0] < 1 || v[0] > INT32_MAX || v[1] < 0 || v[1] > INT32_MAX)
		return cli_fail(err, errcap, "run %" PRId64 " / seq %" PRId64
				" out of range", v[0], v[1]);
	*e = (struct report_echo){ .run = (int)v[0], .seq = (int)v[1],
				   .t_sent_us = v[2], .t_server_us = v[3],
				   .t_arrive_us = v[4] };
	return true;
}

static bool csvin_lag_row(void *ctx, const int64_t *v, char *err, size_t errcap)
{
	struct summary_lag_sample *s = csvin_push(ctx);

	if (!s)
		return cli_fail(err, errcap, "out of memory");
	*s = (struct summary_lag_sample){ .t_us = v[0], .lag_us = v[1] };
	return true;
}

/* Runs the reader and hands the array over, or frees it on failure. */
static bool csvin_collect(FILE *f, const char *name, const struct csvin_format *fmt,
			  size_t size, csvin_row_fn row, void **out, size_t *n,
			  char *variant, size_t varcap, struct csvin_incomplete *inc,
			  char *err, size_t errcap)
{
	struct csvin_vec vec = { .size = size };

	if (!csvin_read(f, name, fmt, variant, varcap, row, &vec, inc, err, errcap)) {
		free(vec.data);
		*out = NULL;
		*n = 0;
		return false;
	}
	*out = vec.data;
	*n = vec.n;
	return true;
}

bool csvin_messages(FILE *f, const char *name, struct report_msg **out, size_t *n,
		    char *variant, size_t varcap, struct csvin_incomplete *incomplete,
		    char *err, size_t errcap)
{
	/* an old file would otherwise fail with a header too long to show
	 * whole: say what is missing and what to do */
	static const struct csvin_format fmt = {
		REPORT_MSG_HEADER, true, 12, CSVIN_OLD_MSG_HEADER,
		"the header lacks the column cpu_us: a file written by a "
		"harness from before the servers reported each item's CPU time; "
		"run the harness again (make experiment) to get the current format",
		CSVIN_SHORT_MSG_HEADER, 10
	};

	return csvin_collect(f, name, &fmt, sizeof(**out), csvin_msg_row, (void **)out,
			     n, variant, varcap, incomplete, err, errcap);
}

bool csvin_echoes(FILE *f, const char *name, struct report_echo **out, size_t *n,
		  struct csvin_incomplete *incomplete, char *err, size_t errcap)
{
	static const struct csvin_format fmt = { REPORT_ECHO_HEADER, true, 5, NULL, NULL,
						 NULL, 0 };

	return csvin_collect(f, name, &fmt, sizeof(**out), csvin_echo_row, (void **)out,
			     n, NULL, 0, incomplete, err, errcap);
}

bool csvin_lag(FILE *f, const char *name, struct summary_lag_sample **out, size_t *n,
	       char *err, size_t errcap)
{
	static const struct csvin_format fmt = { CSVIN_LAG_HEADER, false, 2, NULL, NULL,
						 NULL, 0 };

	/* the server's file: it is never marked */
	return csvin_collect(f, name, &fmt, sizeof(**out), csvin_lag_row, (void **)out,
			     n, NULL, 0, NULL, err, errcap);
}
