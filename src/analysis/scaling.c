/*
 * scaling.c: see scaling.h. The formulas, the verdict thresholds and the
 * expectations live here and in docs/scaling.md; change both together.
 */
#include "analysis/scaling.h"

#include "common/cli.h"
#include "common/stats.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading ---------------------------------------------------------- */

/* A line of f into line[0..cap) without its end of line; 0 at the end of
 * the file, -1 (with err) if it is longer than the buffer. */
static int scaling_getline(FILE *f, char *line, size_t cap, const char *name, long lineno,
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

	while ((got = scaling_getline(f, line, sizeof(line), name, lineno + 1, err,
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

struct scaling_plan_ctx {
	struct scaling_spec *v;
	size_t n;
};

static bool scaling_plan_row(void *ctx, char **fl, char *why, size_t whycap)
{
	struct scaling_plan_ctx *c = ctx;
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
		if (!strcmp(c->v[i].point, fl[0]))
			return cli_fail(why, whycap, "point %s is planned twice", fl[0]);

	struct scaling_spec *s = &c->v[c->n++];

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
	struct scaling_plan_ctx c = { calloc(SCALING_MAX_POINTS, sizeof(*c.v)), 0 };

	*out = NULL;
	*n = 0;
	if (!c.v)
		return cli_fail(err, errcap, "%s: out of memory", name);
	if (!scaling_read_table(f, name, SCALING_PLAN_HEADER, 5, scaling_plan_row, &c,
				err, errcap)) {
		free(c.v);
		return false;
	}
	*out = c.v;
	*n = c.n;
	return true;
}

struct scaling_sweep_ctx {
	struct scaling_sweep *v;
	size_t n;
};

static bool scaling_sweep_row(void *ctx, char **fl, char *why, size_t whycap)
{
	struct scaling_sweep_ctx *c = ctx;
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
		if (!strcmp(c->v[i].point, fl[0]))
			s = &c->v[i];
	if (s && s->clk_tck != tck)
		return cli_fail(why, whycap, "point %s: clk_tck %" PRId64 " after %" PRId64,
				fl[0], tck, s->clk_tck);
	if (!s) {
		if (c->n == SCALING_MAX_POINTS)
			return cli_fail(why, whycap, "more than %d points", SCALING_MAX_POINTS);
		s = &c->v[c->n++];
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
	struct scaling_sweep_ctx c = { calloc(SCALING_MAX_POINTS, sizeof(*c.v)), 0 };

	*out = NULL;
	*n = 0;
	if (!c.v)
		return cli_fail(err, errcap, "%s: out of memory", name);
	if (!scaling_read_table(f, name, SCALING_SWEEP_HEADER, 9, scaling_sweep_row, &c,
				err, errcap)) {
		free(c.v);
		return false;
	}
	*out = c.v;
	*n = c.n;
	return true;
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

/* ---- the numbers ------------------------------------------------------ */

bool scaling_serial(const char *variant)
{
	return strcmp(variant, "threadpool") != 0;
}

int64_t scaling_ideal_us(const struct scaling_params *p, const char *work, int threads,
			 int clients, int64_t item_us)
{
	double one = (double)p->work_ms * 1000.0;

	if (!strcmp(work, "cpu") && item_us > 0)
		one = (double)item_us;
	double job_us = (double)p->items * one;
	int lanes = threads;	/* what runs jobs side by side */

	if (!strcmp(work, "cpu") && p->cores < lanes)
		lanes = p->cores;
	if (lanes < 1)
		lanes = 1;
	double spread = (double)clients * job_us / lanes;

	return (int64_t)llround(spread > job_us ? spread : job_us);
}

const char *scaling_pool_name(const struct scaling_spec *s, int cores, char *buf,
			      size_t cap)
{
	if (scaling_serial(s->variant))
		snprintf(buf, cap, "%s", "");
	else if (s->threads == cores)
		snprintf(buf, cap, "cores");
	else if (s->threads == cores + 4)
		snprintf(buf, cap, "cores+4");
	else if (s->threads == 4 * cores)
		snprintf(buf, cap, "4xcores");
	else
		snprintf(buf, cap, "%d", s->threads);
	return buf;
}

/* Sorts v[0..n) and returns its nearest-rank percentile p. */
static int64_t scaling_pct(int64_t *v, size_t n, double p)
{
	struct stats_summary s;

	stats_summarize(v, n, &s);
	return stats_percentile_sorted(v, n, p);
}

bool scaling_compute(const struct scaling_params *p, const struct scaling_spec *spec,
		     const struct scaling_msg *msgs, size_t n_msgs,
		     const struct report_echo *echoes, size_t n_echoes,
		     const struct scaling_sweep *sweep, struct scaling_result *out,
		     char *err, size_t errcap)
{
	const size_t runs = (size_t)p->runs, k = (size_t)spec->clients;
	const size_t items = (size_t)p->items, jobs = runs * k;
	bool ok = false;

	memset(out, 0, sizeof(*out));
	if (n_msgs != jobs * items)
		return cli_fail(err, errcap, "%zu results, but %zu runs x %zu clients x %zu "
				"items make %zu", n_msgs, runs, k, items, jobs * items);

	/* by job (run, client): the row of each seq, to check each is there
	 * once and to find the job's request and last arrival */
	const struct scaling_msg **slot = calloc(jobs * items, sizeof(*slot));
	int64_t *first = malloc(jobs * sizeof(int64_t));
	int64_t *span = malloc(runs * sizeof(int64_t));
	int64_t *item = malloc(n_msgs * sizeof(int64_t));
	int64_t *cpu = malloc(n_msgs * sizeof(int64_t));
	int64_t *run_cpu = malloc(runs * sizeof(int64_t));	/* per run's items */
	int64_t *sorted = malloc(runs * sizeof(int64_t));
	int64_t *one_run = malloc(k * items * sizeof(int64_t));	/* scratch */
	size_t n_cpu = 0;

	if (!slot || !first || !span || !item || !cpu || !run_cpu || !sorted || !one_run) {
		cli_fail(err, errcap, "out of memory");
		goto done;
	}
	for (size_t i = 0; i < n_msgs; i++) {
		const struct scaling_msg *m = &msgs[i];

		if (m->m.run < 1 || (size_t)m->m.run > runs || m->client < 0 ||
		    (size_t)m->client >= k || m->m.seq < 0 || (size_t)m->m.seq >= items) {
			cli_fail(err, errcap, "a result of run %d, client %d, seq %d: "
				 "outside runs 1..%zu, clients 0..%zu, seqs 0..%zu",
				 m->m.run, m->client, m->m.seq, runs, k - 1, items - 1);
			goto done;
		}
		size_t at = (((size_t)m->m.run - 1) * k + (size_t)m->client) * items +
			    (size_t)m->m.seq;

		if (slot[at]) {
			cli_fail(err, errcap, "run %d, client %d has result %d twice",
				 m->m.run, m->client, m->m.seq);
			goto done;
		}
		slot[at] = m;
		item[i] = m->m.t_done_us - m->m.t_start_us;
		if (m->m.cpu_us >= 0)
			cpu[n_cpu++] = m->m.cpu_us;
	}
	/* every slot is filled: n_msgs rows, none twice, none outside */

	double job_sum = 0;

	for (size_t r = 0; r < runs; r++) {
		int64_t from = INT64_MAX, to = INT64_MIN;

		for (size_t c = 0; c < k; c++) {
			const struct scaling_msg **job = &slot[(r * k + c) * items];
			int64_t request = job[0]->m.t_request_us, last = INT64_MIN;

			for (size_t s = 0; s < items; s++)
				if (job[s]->m.t_arrive_us > last)
					last = job[s]->m.t_arrive_us;
			first[r * k + c] = job[0]->m.t_arrive_us - request;
			job_sum += (double)(last - request);
			if (request < from)
				from = request;
			if (last > to)
				to = last;
		}
		span[r] = to - from;

		/* this run's items' CPU time, the median (-1: none reported) */
		size_t nr = 0;

		for (size_t c = 0; c < k * items; c++) {
			int64_t us = slot[r * k * items + c]->m.cpu_us;

			if (us >= 0)
				one_run[nr++] = us;
		}
		run_cpu[r] = nr ? scaling_pct(one_run, nr, 50) : -1;
	}

	/* the median run (nearest rank), and the CPU time of its own items:
	 * its ideal must be of the speed the core ran at in that run */
	memcpy(sorted, span, runs * sizeof(int64_t));
	out->runs = p->runs;
	out->makespan_us = scaling_pct(sorted, runs, 50);	/* sorts sorted */
	out->makespan_min_us = sorted[0];
	out->makespan_max_us = sorted[runs - 1];
	out->ideal_item_us = -1;
	for (size_t r = 0; r < runs; r++)
		if (span[r] == out->makespan_us) {
			out->ideal_item_us = run_cpu[r];
			break;
		}
	out->first_p50_us = scaling_pct(first, jobs, 50);
	out->first_p99_us = stats_percentile_sorted(first, jobs, 99);
	out->first_max_us = first[jobs - 1];
	out->job_mean_us = (int64_t)llround(job_sum / (double)jobs);
	out->item_p50_us = scaling_pct(item, n_msgs, 50);
	out->item_cpu_us = n_cpu ? scaling_pct(cpu, n_cpu, 50) : -1;

	double per_run = (double)(k * items);

	out->throughput = out->makespan_us > 0 ? per_run * 1e6 / (double)out->makespan_us : 0;

	out->bystander_max_us = -1;
	for (size_t i = 0; i < n_echoes; i++) {
		int64_t wait = echoes[i].t_arrive_us - echoes[i].t_sent_us;

		if (echoes[i].run >= 1 && (size_t)echoes[i].run <= runs &&
		    wait > out->bystander_max_us)
			out->bystander_max_us = wait;
	}
	out->cpu_ms = -1;
	out->others_cores = -1;
	if (sweep) {
		int64_t server = sweep->ticks, busy = sweep->busy, total = sweep->total;

		out->cpu_ms = (double)server * 1000.0 / (double)sweep->clk_tck / (double)runs;
		/* the share of every CPU's time that was busy, not with the
		 * server, in cores; ticks are counted apart, so it can come
		 * out a tick below zero */
		if (total > 0) {
			double others = (double)(busy - server) / (double)total * p->cores;

			out->others_cores = others > 0 ? others : 0;
		}
	}
	out->ok = true;
	scaling_rate(p, spec, 0, out);
	ok = true;
done:
	free(slot);
	free(first);
	free(span);
	free(item);
	free(cpu);
	free(run_cpu);
	free(sorted);
	free(one_run);
	return ok;
}

int64_t scaling_cpu_item_us(const struct scaling_params *p, const struct scaling_spec *specs,
			    const struct scaling_result *res, size_t n, int lanes)
{
	int64_t *v = malloc((n ? n : 1) * sizeof(int64_t));
	size_t k = 0;

	if (!v)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (res[i].ok && !strcmp(specs[i].work, "cpu") && res[i].item_cpu_us >= 0 &&
		    scaling_lanes(p, &specs[i]) == lanes)
			v[k++] = res[i].item_cpu_us;
	int64_t median = k ? scaling_pct(v, k, 50) : 0;

	free(v);
	return median;
}

int scaling_lanes(const struct scaling_params *p, const struct scaling_spec *spec)
{
	int lanes = spec->threads < spec->clients ? spec->threads : spec->clients;

	return lanes < p->cores ? lanes : p->cores;
}

void scaling_rate(const struct scaling_params *p, const struct scaling_spec *spec,
		  int64_t ref_item_us, struct scaling_result *r)
{
	if (!r->ok)
		return;
	r->ideal_us = scaling_ideal_us(p, spec->work, spec->threads, spec->clients,
				       r->ideal_item_us);
	r->ideal_throughput = (double)spec->clients * p->items * 1e6 / (double)r->ideal_us;
	r->efficiency = r->makespan_us > 0 ? (double)r->ideal_us / (double)r->makespan_us : 0;

	r->noisy = false;
	r->noisy_why[0] = '\0';
	if (!strcmp(spec->work, "cpu") && ref_item_us > 0 && r->item_cpu_us >= 0) {
		double off = (double)(r->item_cpu_us - ref_item_us) / (double)ref_item_us;

		if (off > SCALING_SAME_WORK || off < -SCALING_SAME_WORK) {
			r->noisy = true;
			snprintf(r->noisy_why, sizeof(r->noisy_why), "its items took %.1f ms "
				 "of CPU, %+.1f%% off the %.1f ms of the sweep's points with "
				 "%d item%s computing at once: the core ran at another speed",
				 (double)r->item_cpu_us / 1e3, 100 * off,
				 (double)ref_item_us / 1e3, scaling_lanes(p, spec),
				 scaling_lanes(p, spec) == 1 ? "" : "s");
			return;
		}
	}
	if (r->efficiency > SCALING_EFFICIENCY_MAX) {
		r->noisy = true;
		snprintf(r->noisy_why, sizeof(r->noisy_why), "%.0f%% of the ideal: no "
			 "schedule beats the bound, so its work or its clock was not the "
			 "others'", 100 * r->efficiency);
	}
}

bool scaling_usable(const struct scaling_result *r)
{
	return r->ok && !r->noisy;
}

bool scaling_busy(const struct scaling_result *r)
{
	return r->ok && r->others_cores >= SCALING_BUSY_CORES;
}

/* ---- the verdict and the expectations ---------------------------------- */

const char *scaling_verdict_word(double ratio)
{
	if (ratio >= SCALING_HELPS_RATIO)
		return "helps";
	if (ratio >= SCALING_HURTS_RATIO)
		return "no gain";
	return "hurts";
}

/* The index of the measured point of variant/work/threads/K, or -1;
 * threads 0: any pool (a serial variant). */
static long scaling_find(const struct scaling_spec *specs, const struct scaling_result *res,
			 size_t n, const char *variant, const char *work, int threads,
			 int clients)
{
	for (size_t i = 0; i < n; i++)
		if (scaling_usable(&res[i]) && !strcmp(specs[i].variant, variant) &&
		    !strcmp(specs[i].work, work) &&
		    (threads == 0 || specs[i].threads == threads) &&
		    specs[i].clients == clients)
			return (long)i;
	return -1;
}

void scaling_verdict(const struct scaling_spec *specs, const struct scaling_result *results,
		     size_t n, int cores, const char *work, struct scaling_verdict *out)
{
	*out = (struct scaling_verdict){ .work = work, .cores = cores, .more = cores + 4,
					 .word = "not measured" };
	for (size_t i = 0; i < n; i++) {
		if (!scaling_usable(&results[i]) || strcmp(specs[i].variant, "threadpool") ||
		    strcmp(specs[i].work, work) || specs[i].threads != cores ||
		    specs[i].clients <= out->k)
			continue;
		long j = scaling_find(specs, results, n, "threadpool", work, cores + 4,
				      specs[i].clients);

		if (j < 0)
			continue;
		out->measured = true;
		out->k = specs[i].clients;
		out->tp_cores = results[i].throughput;
		out->tp_more = results[j].throughput;
	}
	if (!out->measured)
		return;
	out->ratio = out->tp_cores > 0 ? out->tp_more / out->tp_cores : 0;
	out->word = scaling_verdict_word(out->ratio);

	long c8 = scaling_find(specs, results, n, "threadpool", work, cores, SCALING_EXPECT_K);
	long m8 = scaling_find(specs, results, n, "threadpool", work, cores + 4,
			       SCALING_EXPECT_K);

	if (out->k > SCALING_EXPECT_K && c8 >= 0 && m8 >= 0 && results[c8].throughput > 0) {
		out->has_k8 = true;
		out->ratio_k8 = results[m8].throughput / results[c8].throughput;
	}
}

/* An expectation that could not be checked: which point is missing. */
static void scaling_unmeasured(struct scaling_expect *e, const char *missing)
{
	snprintf(e->measured, sizeof(e->measured), "not measured (no %s)", missing);
	e->met = -1;
}

void scaling_expectations(const struct scaling_spec *specs,
			  const struct scaling_result *res, size_t n, int cores,
			  struct scaling_expect *out)
{
	const int k = SCALING_EXPECT_K;
	long blocking = scaling_find(specs, res, n, "blocking", "cpu", 0, k);
	long pool = scaling_find(specs, res, n, "threadpool", "cpu", cores, k);
	long more = scaling_find(specs, res, n, "threadpool", "cpu", cores + 4, k);
	long pool_s = scaling_find(specs, res, n, "threadpool", "sleep", cores, k);
	long more_s = scaling_find(specs, res, n, "threadpool", "sleep", cores + 4, k);
	struct scaling_expect *e;
	char missing[64];

	memset(out, 0, SCALING_EXPECTS * sizeof(*out));

	e = &out[0];
	snprintf(e->what, sizeof(e->what), "cpu, K = %d: threadpool --threads %d (cores) "
		 "at least %.1fx blocking's throughput", k, cores, SCALING_EXPECT_VS_BLOCKING);
	if (blocking < 0 || pool < 0) {
		snprintf(missing, sizeof(missing), "%s point", blocking < 0 ? "blocking" :
			 "threadpool cores");
		scaling_unmeasured(e, missing);
	} else {
		double r = res[pool].throughput / res[blocking].throughput;

		snprintf(e->measured, sizeof(e->measured), "%.2fx (%.1f against %.1f items/s)",
			 r, res[pool].throughput, res[blocking].throughput);
		e->met = r >= SCALING_EXPECT_VS_BLOCKING;
	}

	e = &out[1];
	snprintf(e->what, sizeof(e->what), "cpu, K = %d: threadpool --threads %d (cores) "
		 "at least %.0f%% of the ideal throughput", k, cores,
		 SCALING_EXPECT_EFFICIENCY * 100);
	if (pool < 0) {
		scaling_unmeasured(e, "threadpool cores point");
	} else {
		snprintf(e->measured, sizeof(e->measured), "%.0f%% (makespan %.0f ms, "
			 "ideal %.0f ms)", res[pool].efficiency * 100,
			 (double)res[pool].makespan_us / 1e3, (double)res[pool].ideal_us / 1e3);
		e->met = res[pool].efficiency >= SCALING_EXPECT_EFFICIENCY;
	}

	e = &out[2];
	snprintf(e->what, sizeof(e->what), "threadpool, every point: the bystander's worst "
		 "echo under %d ms", SCALING_EXPECT_BYSTANDER_US / 1000);
	int64_t worst = -1;
	long worst_at = -1;
	size_t points = 0;

	for (size_t i = 0; i < n; i++) {
		if (!scaling_usable(&res[i]) || strcmp(specs[i].variant, "threadpool"))
			continue;
		points++;
		if (res[i].bystander_max_us > worst) {
			worst = res[i].bystander_max_us;
			worst_at = (long)i;
		}
	}
	if (worst_at < 0) {
		scaling_unmeasured(e, "threadpool point with echoes");
	} else {
		snprintf(e->measured, sizeof(e->measured), "worst %.1f ms (%s) over %zu points",
			 (double)worst / 1e3, specs[worst_at].point, points);
		e->met = worst < SCALING_EXPECT_BYSTANDER_US;
	}

	e = &out[3];
	snprintf(e->what, sizeof(e->what), "sleep, K = %d: --threads %d (cores + 4) at "
		 "least %.1fx the throughput of --threads %d (cores)", k, cores + 4,
		 SCALING_EXPECT_SLEEP_GAIN, cores);
	if (pool_s < 0 || more_s < 0) {
		scaling_unmeasured(e, "sleep point of both pools");
	} else {
		double r = res[more_s].throughput / res[pool_s].throughput;

		snprintf(e->measured, sizeof(e->measured), "%.2fx (%.1f against %.1f items/s)",
			 r, res[more_s].throughput, res[pool_s].throughput);
		e->met = r >= SCALING_EXPECT_SLEEP_GAIN;
	}

	e = &out[4];
	snprintf(e->what, sizeof(e->what), "cpu, K = %d: --threads %d (cores + 4) under "
		 "%.1fx the throughput of --threads %d (cores)", k, cores + 4,
		 SCALING_EXPECT_SLEEP_GAIN, cores);
	if (pool < 0 || more < 0) {
		scaling_unmeasured(e, "cpu point of both pools");
	} else {
		double r = res[more].throughput / res[pool].throughput;

		snprintf(e->measured, sizeof(e->measured), "%.2fx (%.1f against %.1f items/s)",
			 r, res[more].throughput, res[pool].throughput);
		e->met = r < SCALING_EXPECT_SLEEP_GAIN;
	}
}
