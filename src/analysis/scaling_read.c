/*
 * scaling_read.c: reads a scaling run directory's own files (see
 * scaling.h): plan.csv, sweep.csv, env.txt's parameters line, and the
 * harness's messages file with its client column. Strict, as csvin.c is:
 * a verdict computed from a damaged file would be worse than none.
 */
#include "analysis/scaling.h"

#include "common/cli.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* The whole of s as an integer in [min, max]: digits with an optional
 * leading '-', nothing else (strtoll alone would take " 7" and "+7"). */
static bool scaling_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	if (!(*s == '-' || (*s >= '0' && *s <= '9')))
		return false;
	char *end;

	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

bool scaling_read_messages(FILE *f, const char *name, struct scaling_msg **out,
			   size_t *n, char *variant, size_t varcap,
			   struct csvin_incomplete *incomplete, char *err, size_t errcap)
{
	struct report_msg *msgs = NULL;
	size_t n_msgs = 0;

	*out = NULL;
	*n = 0;
	if (!csvin_messages(f, name, &msgs, &n_msgs, variant, varcap, incomplete, err, errcap))
		return false;
	if (n_msgs) {
		*out = malloc(n_msgs * sizeof(**out));
		if (!*out) {
			free(msgs);
			return cli_fail(err, errcap, "%s: out of memory", name);
		}
	}
	for (size_t i = 0; i < n_msgs; i++)
		(*out)[i] = (struct scaling_msg){ .m = msgs[i], .client = msgs[i].client };
	*n = n_msgs;
	free(msgs);
	return true;
}

/* Splits line in place at commas into exactly nf fields; false otherwise. */
static bool scaling_split(char *line, char **field, int nf)
{
	int k = 0;

	field[k++] = line;
	for (char *p = line; *p; p++) {
		if (*p != ',')
			continue;
		if (k == nf)
			return false;
		*p = '\0';
		field[k++] = p + 1;
	}
	return k == nf;
}

/* A name that is safe as a file prefix and in any table: [A-Za-z0-9_+.-],
 * not starting with '.' or '-'. */
static bool scaling_name_ok(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len >= SCALING_NAME_MAX || s[0] == '.' || s[0] == '-')
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789_+.-") == len;
}

/* The rows of a small CSV of our own (plan.csv, sweep.csv): checks the
 * header and calls row() on each row's nf fields. */
static bool scaling_read_table(FILE *f, const char *name, const char *header, int nf,
			       bool (*row)(void *ctx, char **field, char *why, size_t whycap),
			       void *ctx, char *err, size_t errcap)
{
	char line[CSVIN_MAX_LINE];
	long lineno = 0;
	int got;

	while ((got = csvin_getline(f, line, sizeof(line), name, lineno + 1, err,
				    errcap)) > 0) {
		char *field[10], why[160];

		lineno++;
		if (lineno == 1) {
			if (strcmp(line, header))
				return cli_fail(err, errcap, "%s:1: header is \"%.100s\", "
						"want \"%s\"", name, line, header);
			continue;
		}
		if (line[0] == '\0')
			continue;
		if (!scaling_split(line, field, nf))
			return cli_fail(err, errcap, "%s:%ld: not %d fields", name, lineno, nf);
		if (!row(ctx, field, why, sizeof(why)))
			return cli_fail(err, errcap, "%s:%ld: %s", name, lineno, why);
	}
	if (got < 0)
		return false;
	if (ferror(f))
		return cli_fail(err, errcap, "%s: read error", name);
	if (lineno == 0)
		return cli_fail(err, errcap, "%s: empty file (no header)", name);
	return true;
}

/* What the rows of plan.csv or sweep.csv go into: SCALING_MAX_POINTS
 * elements (struct scaling_spec or scaling_sweep), n of them filled. */
struct scaling_points {
	void *v;
	size_t n;
};

/* scaling_read_table() into a fresh struct scaling_points of elements of
 * `size` bytes, handed over in *out and *n, or freed on failure. */
static bool scaling_read_points(FILE *f, const char *name, const char *header, int nf,
				bool (*row)(void *ctx, char **field, char *why, size_t whycap),
				size_t size, void **out, size_t *n, char *err, size_t errcap)
{
	struct scaling_points c = { calloc(SCALING_MAX_POINTS, size), 0 };

	*out = NULL;
	*n = 0;
	if (!c.v)
		return cli_fail(err, errcap, "%s: out of memory", name);
	if (!scaling_read_table(f, name, header, nf, row, &c, err, errcap)) {
		free(c.v);
		return false;
	}
	*out = c.v;
	*n = c.n;
	return true;
}

static bool scaling_plan_row(void *ctx, char **fl, char *why, size_t whycap)
{
	struct scaling_points *c = ctx;
	struct scaling_spec *v = c->v;
	int64_t threads, clients;

	if (c->n == SCALING_MAX_POINTS)
		return cli_fail(why, whycap, "more than %d points", SCALING_MAX_POINTS);
	if (!scaling_name_ok(fl[0]) || !scaling_name_ok(fl[1]))
		return cli_fail(why, whycap, "a point or variant name that is empty, too "
				"long, or not [A-Za-z0-9_+.-]");
	if (strcmp(fl[2], "cpu") && strcmp(fl[2], "sleep"))
		return cli_fail(why, whycap, "work \"%.20s\" is neither cpu nor sleep", fl[2]);
	if (!scaling_i64(fl[3], 1, 1000, &threads))
		return cli_fail(why, whycap, "threads is not 1..1000");
	if (!scaling_i64(fl[4], 1, SCALING_MAX_CLIENTS, &clients))
		return cli_fail(why, whycap, "clients is not 1..%d", SCALING_MAX_CLIENTS);
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(v[i].point, fl[0]))
			return cli_fail(why, whycap, "point %s is planned twice", fl[0]);

	struct scaling_spec *s = &v[c->n++];

	snprintf(s->point, sizeof(s->point), "%s", fl[0]);
	snprintf(s->variant, sizeof(s->variant), "%s", fl[1]);
	snprintf(s->work, sizeof(s->work), "%s", fl[2]);
	s->threads = (int)threads;
	s->clients = (int)clients;
	return true;
}

bool scaling_read_plan(FILE *f, const char *name, struct scaling_spec **out, size_t *n,
		       char *err, size_t errcap)
{
	return scaling_read_points(f, name, SCALING_PLAN_HEADER, 5, scaling_plan_row,
				   sizeof(**out), (void **)out, n, err, errcap);
}

static bool scaling_sweep_row(void *ctx, char **fl, char *why, size_t whycap)
{
	struct scaling_points *c = ctx;
	struct scaling_sweep *v = c->v;
	int64_t code, before, after, busy[2], total[2], tck;

	if (!scaling_name_ok(fl[0]))
		return cli_fail(why, whycap, "a point name that is empty, too long, or "
				"not [A-Za-z0-9_+.-]");
	if (!scaling_i64(fl[1], 0, 255, &code))
		return cli_fail(why, whycap, "harness_exit is not 0..255");
	if (!scaling_i64(fl[2], 0, INT64_MAX, &before) ||
	    !scaling_i64(fl[3], 0, INT64_MAX, &after) || after < before)
		return cli_fail(why, whycap, "CPU ticks that are not two counts, the "
				"second at least the first");
	for (int k = 0; k < 2; k++)
		if (!scaling_i64(fl[4 + k], 0, INT64_MAX, &busy[k]) ||
		    !scaling_i64(fl[6 + k], 0, INT64_MAX, &total[k]) || busy[k] > total[k])
			return cli_fail(why, whycap, "machine ticks that are not counts, "
					"busy at most total");
	if (busy[1] < busy[0] || total[1] < total[0])
		return cli_fail(why, whycap, "machine ticks that go backwards");
	if (!scaling_i64(fl[8], 1, 1000000, &tck))
		return cli_fail(why, whycap, "clk_tck is not 1..1000000");

	/* a later round of a point already read adds to it */
	struct scaling_sweep *s = NULL;

	for (size_t i = 0; i < c->n && !s; i++)
		if (!strcmp(v[i].point, fl[0]))
			s = &v[i];
	if (s && s->clk_tck != tck)
		return cli_fail(why, whycap, "point %s: clk_tck %" PRId64 " after %" PRId64,
				fl[0], tck, s->clk_tck);
	if (!s) {
		if (c->n == SCALING_MAX_POINTS)
			return cli_fail(why, whycap, "more than %d points", SCALING_MAX_POINTS);
		s = &v[c->n++];
		snprintf(s->point, sizeof(s->point), "%s", fl[0]);
		s->clk_tck = tck;
	}
	s->rounds++;
	if (!s->harness_exit)
		s->harness_exit = (int)code;
	s->ticks += after - before;
	s->busy += busy[1] - busy[0];
	s->total += total[1] - total[0];
	return true;
}

bool scaling_read_sweep(FILE *f, const char *name, struct scaling_sweep **out, size_t *n,
			char *err, size_t errcap)
{
	return scaling_read_points(f, name, SCALING_SWEEP_HEADER, 9, scaling_sweep_row,
				   sizeof(**out), (void **)out, n, err, errcap);
}

/* The value of KEY=N, a whole word of line, into *out; false if absent or
 * not an integer in [min, max]. */
static bool scaling_param(const char *line, const char *key, int min, int max, int *out)
{
	size_t klen = strlen(key);

	for (const char *p = strstr(line, key); p; p = strstr(p + 1, key)) {
		if ((p != line && p[-1] != ' ') || p[klen] != '=')
			continue;
		char word[32];
		size_t wlen = strcspn(p + klen + 1, " ");

		if (wlen == 0 || wlen >= sizeof(word))
			return false;
		memcpy(word, p + klen + 1, wlen);
		word[wlen] = '\0';
		return cli_int(word, min, max, out);
	}
	return false;
}

bool scaling_parse_params(const char *line, struct scaling_params *p, char *err,
			  size_t errcap)
{
	if (!scaling_param(line, "ITEMS", 1, 1000, &p->items))
		return cli_fail(err, errcap, "no ITEMS=1..1000");
	if (!scaling_param(line, "WORK_MS", 1, 10000, &p->work_ms))
		return cli_fail(err, errcap, "no WORK_MS=1..10000");
	if (!scaling_param(line, "RUNS", 1, 1000, &p->runs))
		return cli_fail(err, errcap, "no RUNS=1..1000");
	if (!scaling_param(line, "CORES", 1, 4096, &p->cores))
		return cli_fail(err, errcap, "no CORES=1..4096");
	return true;
}
