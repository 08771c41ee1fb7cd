/*
 * summary_write.c: see summary_write.h.
 */
#include "analysis/summary_write.h"

#include <inttypes.h>
#include <string.h>

/* Milliseconds for people: one decimal under 10 ms, whole above. */
static const char *ms(int64_t us, char *buf, size_t cap)
{
	double v = (double)us / 1000.0;

	snprintf(buf, cap, v < 10 && v > -10 ? "%.1f" : "%.0f", v);
	return buf;
}

/* Writes s into a markdown table cell: a '|' would end the cell. */
static void md_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s, f);
	}
}

const char *summary_rows_left_out(const struct summary_config *c, char *buf,
				  size_t cap)
{
	snprintf(buf, cap, "%zu result%s and %zu echo%s", c->msgs_left_out,
		 c->msgs_left_out == 1 ? "" : "s", c->echoes_left_out,
		 c->echoes_left_out == 1 ? "" : "es");
	return buf;
}

/* How far c's item CPU time is from the run's, "+1.2%", or "-" when either
 * is unknown. */
static const char *cpu_offset(const struct summary_run *r,
			      const struct summary_config *c, char *buf, size_t cap)
{
	if (c->s.item_cpu < 0 || r->item_cpu <= 0)
		snprintf(buf, cap, "-");
	else
		snprintf(buf, cap, "%+.1f%%", 100.0 * (double)(c->s.item_cpu - r->item_cpu) /
			 (double)r->item_cpu);
	return buf;
}

/* The item CPU time in ms, or "not reported". */
static const char *cpu_ms(int64_t us, char *buf, size_t cap)
{
	if (us >= 0)
		return ms(us, buf, cap);
	snprintf(buf, cap, "not reported");
	return buf;
}

/* "yes", or the flag: "noisy: not comparable (+4.1%)". The verdict words
 * of a flagged configuration stand (each compares a run with itself: its
 * arrival gaps with its own results' gaps, its lag with a line three items
 * away); what the flag withdraws is every comparison of its times with
 * the other configurations'. */
static const char *same_work(const struct summary_run *r, const struct summary_config *c,
			     char *buf, size_t cap)
{
	char o[24];

	if (c->comparable)
		snprintf(buf, cap, "yes");
	else
		snprintf(buf, cap, "noisy: not comparable (%s)", cpu_offset(r, c, o, sizeof(o)));
	return buf;
}

/* The configurations with a run left out, for people: first thing in
 * summary.md, so nobody reads the tables without knowing. */
static void write_markdown_incomplete(FILE *f, const struct summary_run *r)
{
	char rows[96];
	bool any = false;

	for (int k = 0; k < r->n; k++)
		any = any || r->c[k].incomplete.run;
	if (!any)
		return;
	fprintf(f, "## Incomplete runs\n\n"
		"The harness gave up on these runs (their CSV files end with a "
		"`# incomplete` line). Their rows are left out of every table below, "
		"and a configuration with no complete run is left out entirely; the "
		"figures still draw the rows that did arrive.\n\n"
		"| configuration | run | what happened | left out |\n|---|---|---|---|\n");
	for (int k = 0; k < r->n; k++) {
		const struct summary_config *c = &r->c[k];

		if (!c->incomplete.run)
			continue;
		fprintf(f, "| %s | %d of %d | ", c->name, c->incomplete.run,
			c->incomplete.runs);
		md_cell(f, c->incomplete.why);
		fprintf(f, " | %s%s |\n", summary_rows_left_out(c, rows, sizeof(rows)),
			c->no_complete_run ? "; no complete run: the whole configuration"
					   : "");
	}
	fprintf(f, "\n");
}

/* One paragraph: did every configuration do the same work? */
static void write_markdown_same_work(FILE *f, const struct summary_run *r)
{
	char a[24], b[24], lo_s[24], hi_s[24];
	int64_t lo = INT64_MAX, hi = INT64_MIN;
	int noisy = 0, known = 0;

	for (int k = 0; k < r->n; k++) {
		const struct summary_config *c = &r->c[k];

		if (c->no_complete_run || c->s.item_cpu < 0)
			continue;
		known++;
		noisy += !c->comparable;
		lo = c->s.item_cpu < lo ? c->s.item_cpu : lo;
		hi = c->s.item_cpu > hi ? c->s.item_cpu : hi;
	}
	bool own = r->iters_per_ms && !strcmp(r->iters_per_ms, "per-server");

	if (own)	/* the Python section: experiment.sh says why */
		fprintf(f, "**Same work?** Each server measured its own kernel's speed "
			"at start-up (`iters_per_ms: per-server` in env.txt: one Python "
			"process runs the same steps a few per cent faster than another), "
			"so each item is about `work_ms` of CPU time. ");
	else
		fprintf(f, "**Same work?** Every server of this run computed the same "
			"iterations per item (`--iters-per-ms %s`, measured once before the "
			"first server started). ", r->iters_per_ms ? r->iters_per_ms : "?");
	if (!known) {
		fprintf(f, "No server reported its items' CPU time, so whether the "
			"core ran at the same speed for each is not known.\n\n");
		return;
	}
	fprintf(f, "Their median item CPU time ranges %s to %s ms against the run's "
		"%s ms", ms(lo, lo_s, sizeof(lo_s)), ms(hi, hi_s, sizeof(hi_s)),
		ms(r->item_cpu, a, sizeof(a)));
	if (!noisy) {
		fprintf(f, ": every configuration is within %.0f%%, so their times "
			"compare equal %s.\n\n", 100 * SUMMARY_SAME_WORK,
			own ? "CPU time per item" : "work");
		return;
	}
	fprintf(f, ". **Noisy, not comparable**, more than %.0f%% off: %s, so the "
		"core ran at another speed while they ran (this machine's cores change "
		"speed by up to 10%% from one second to the next: "
		"docs/experiment-reference.md, \"Same work\"), and their "
		"times are not to be compared with the others':",
		100 * SUMMARY_SAME_WORK, own ? "their items ran at another speed than "
		"their server's calibration" : "the same iterations took another time");
	for (int k = 0; k < r->n; k++)
		if (!r->c[k].no_complete_run && !r->c[k].comparable)
			fprintf(f, " %s (%s)", r->c[k].name,
				cpu_offset(r, &r->c[k], b, sizeof(b)));
	fprintf(f, ". Their verdicts stand: each compares a run with itself.\n\n");
}

/* The verdict table: a row per configuration with a complete run. */
static void write_markdown_verdicts(FILE *f, const struct summary_run *r)
{
	char a[24], b[24], o[48];

	fprintf(f, "## Verdicts\n\n");
	fprintf(f, "| configuration | arrivals | loop | runs clumped | bystander worst | "
		"loop lag max (median run) | same work |\n|---|---|---|---|---|---|---|\n");
	for (int k = 0; k < r->n; k++) {
		const struct summary_config *c = &r->c[k];

		if (!c->no_complete_run)
			fprintf(f, "| %s | %s | %s | %zu of %zu | %s | %s | %s |\n", c->name,
				summary_arrivals_word(&c->s), summary_loop_word(&c->s),
				c->s.runs_clumped, c->s.runs, ms(c->s.echo.max, a, sizeof(a)),
				ms(c->s.run_lag_max_median, b, sizeof(b)),
				same_work(r, c, o, sizeof(o)));
	}
	fprintf(f, "\n");
}

/* Where a message's time went: item, delivery, queue wait, transit. */
static void write_markdown_times(FILE *f, const struct summary_run *r)
{
	char a[24], b[24], d[24], e[24], g[24], h[24], i_[24], j[24], o[48];

	fprintf(f, "## Where a message's time went\n\n");
	fprintf(f, "*item* = the item's compute on the server, wall clock "
		"(`t_done - t_start`); *item CPU* = the CPU time its thread spent "
		"on it (`cpu_us`), and how far that is from the run's median. "
		"*delivery* = arrival - result ready (`t_arrive - t_done`) = "
		"*queue wait* in the server (`t_send - t_done`) + *transit* "
		"(`t_arrive - t_send`).\n\n");
	fprintf(f, "| configuration | item | item CPU | vs run | delivery p50 | "
		"delivery p99 | queue wait p50 | queue wait p99 | transit p50 | "
		"transit p99 |\n|---|---|---|---|---|---|---|---|---|---|\n");
	for (int k = 0; k < r->n; k++) {
		const struct summary *s = &r->c[k].s;

		if (r->c[k].no_complete_run)
			continue;
		fprintf(f, "| %s%s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			r->c[k].name, r->c[k].comparable ? "" : " (noisy)",
			ms(s->item, a, sizeof(a)),
			cpu_ms(s->item_cpu, j, sizeof(j)),
			cpu_offset(r, &r->c[k], o, sizeof(o)),
			ms(s->delivery.p50, b, sizeof(b)),
			ms(s->delivery.p99, d, sizeof(d)), ms(s->queue_wait.p50, e, sizeof(e)),
			ms(s->queue_wait.p99, g, sizeof(g)), ms(s->transit.p50, h, sizeof(h)),
			ms(s->transit.p99, i_, sizeof(i_)));
	}
}

/* What the bystander and the loop lag monitor saw, and where they
 * disagree about a stall. */
static void write_markdown_others(FILE *f, const struct summary_run *r)
{
	char a[24], b[24], d[24], e[24];

	fprintf(f, "\n## What everyone else saw\n\n");
	fprintf(f, "| configuration | bystander echo p50 | bystander worst | loop lag p99 | "
		"loop lag max |\n|---|---|---|---|---|\n");
	for (int k = 0; k < r->n; k++) {
		const struct summary *s = &r->c[k].s;

		if (r->c[k].no_complete_run)
			continue;
		fprintf(f, "| %s | %s | %s | %s | %s |\n", r->c[k].name,
			ms(s->echo.p50, a, sizeof(a)), ms(s->echo.max, b, sizeof(b)),
			ms(s->lag.p99, d, sizeof(d)), ms(s->lag.max, e, sizeof(e)));
	}
	for (int k = 0; k < r->n; k++) {
		const struct summary_config *c = &r->c[k];

		if (!c->no_complete_run && !c->s.bystander_agrees)
			fprintf(f, "\nNote: in %s the bystander's worst echo (%s ms) and the "
				"loop verdict (%s) disagree about the %d ms stall line.\n",
				c->name, ms(c->s.echo.max, a, sizeof(a)),
				summary_loop_word(&c->s), SUMMARY_STALL_US / 1000);
	}
}

/* pingpong waits for its client's PONG after every item, so over a
 * network its items are a round trip apart; nothing else waits for the
 * client (docs/network.md). Python's py-pingpong is the same design. */
static bool round_trip_bound(const struct summary_config *c)
{
	size_t n = strlen(c->variant);

	return n >= 8 && !strcmp(c->variant + n - 8, "pingpong");
}

/* Behind a delay proxy: each configuration's spacing against the work and
 * the round trip, in the run's one sentence and one table. */
static void write_markdown_network(FILE *f, const struct summary_run *r)
{
	char a[24], b[24], d[24], e[24], g[24];
	int64_t rtt = r->n ? r->c[0].s.rtt_us : 0;

	if (rtt <= 0)
		return;
	fprintf(f, "\n## Over a %s ms round trip\n\n", ms(rtt, a, sizeof(a)));
	fprintf(f, "Every connection went through `build/delayproxy` (%s ms each way): "
		"*spacing* = the median gap between consecutive results' arrivals; "
		"a design that waits for the client (pingpong) is expected at item + "
		"round trip, every other at item. Delivery, transit and echoes above "
		"are net of the proxy's delay (docs/network.md).\n\n",
		ms(rtt / 2, a, sizeof(a)));
	fprintf(f, "| configuration | spacing | item | expected | spacing - item | "
		"delivery p50 |\n|---|---|---|---|---|---|\n");
	for (int k = 0; k < r->n; k++) {
		const struct summary *s = &r->c[k].s;
		bool bound = round_trip_bound(&r->c[k]);

		if (r->c[k].no_complete_run || s->spacing < 0)
			continue;
		if (s->clumped) {	/* no spacing to expect: they came together */
			fprintf(f, "| %s | %s | %s | together (clumped) | - | %s |\n",
				r->c[k].name, ms(s->spacing, a, sizeof(a)),
				ms(s->item, b, sizeof(b)), ms(s->delivery.p50, g, sizeof(g)));
			continue;
		}
		fprintf(f, "| %s | %s | %s | %s%s | %s | %s |\n", r->c[k].name,
			ms(s->spacing, a, sizeof(a)), ms(s->item, b, sizeof(b)),
			ms(s->item + (bound ? rtt : 0), d, sizeof(d)),
			bound ? " (item + round trip)" : "",
			ms(s->spacing - s->item, e, sizeof(e)),
			ms(s->delivery.p50, g, sizeof(g)));
	}
}

/* Whose clock the times are in: the harness's estimate of the server's
 * (docs/network.md), over every configuration. Says nothing for rows from
 * before the harness measured it. */
static void write_markdown_clock(FILE *f, const struct summary_run *r)
{
	int64_t err = -1, off = 0;
	char a[24], b[24];

	for (int k = 0; k < r->n; k++) {
		if (r->c[k].no_complete_run)
			continue;
		if (r->c[k].s.clock_err_max > err)
			err = r->c[k].s.clock_err_max;
		if (r->c[k].s.clock_offset_max > off)
			off = r->c[k].s.clock_offset_max;
	}
	if (err < 0)
		return;
	if (off == 0)
		fprintf(f, "Server clock: the same as the harness's in every run "
			"(each estimate within its error; the largest error %s ms).\n\n",
			ms(err, a, sizeof(a)));
	else
		fprintf(f, "Server clock: another one, up to %s ms off; every server "
			"stamp was shifted into the harness's clock, each right within "
			"%s ms (the largest error; docs/network.md).\n\n",
			ms(off, a, sizeof(a)), ms(err, b, sizeof(b)));
}

void summary_write_markdown(FILE *f, const struct summary_run *r)
{
	fprintf(f, "# Experiment %s: summary\n\n", r->run_id);
	fprintf(f, "Parameters: %s. Machine, versions and commit: `env.txt`. "
		"All times in ms; medians and percentiles pool every run. "
		"Verdict rules: docs/experiment-reference.md.\n\n", r->params);
	write_markdown_clock(f, r);
	write_markdown_incomplete(f, r);
	write_markdown_verdicts(f, r);
	write_markdown_same_work(f, r);
	write_markdown_times(f, r);
	write_markdown_others(f, r);
	write_markdown_network(f, r);
}

void summary_write_csv(FILE *f, const struct summary_run *r)
{
	fprintf(f, "config,variant,runs,messages,item_ms,delivery_p50_ms,delivery_p99_ms,"
		"queue_wait_p50_ms,queue_wait_p99_ms,transit_p50_ms,transit_p99_ms,"
		"bystander_p50_ms,bystander_max_ms,lag_p99_ms,lag_max_ms,"
		"run_lag_max_median_ms,runs_clumped,arrivals,loop,item_cpu_ms,"
		"item_cpu_vs_run,comparable,spacing_ms,rtt_ms\n");
	for (int k = 0; k < r->n; k++) {
		const struct summary_config *c = &r->c[k];
		const struct summary *s = &c->s;

		if (c->no_complete_run)
			continue;
		fprintf(f, "%s,%s,%zu,%zu,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,"
			"%.3f,%.3f,%.3f,%zu,%s,%s,", c->name, c->variant, s->runs,
			s->messages, s->item / 1e3, s->delivery.p50 / 1e3,
			s->delivery.p99 / 1e3, s->queue_wait.p50 / 1e3,
			s->queue_wait.p99 / 1e3, s->transit.p50 / 1e3, s->transit.p99 / 1e3,
			s->echo.p50 / 1e3, s->echo.max / 1e3, s->lag.p99 / 1e3,
			s->lag.max / 1e3, s->run_lag_max_median / 1e3, s->runs_clumped,
			summary_arrivals_word(s), summary_loop_word(s));
		/* unknown CPU time: empty cells, not a number that looks measured */
		if (s->item_cpu >= 0 && r->item_cpu > 0)
			fprintf(f, "%.3f,%.4f,", s->item_cpu / 1e3,
				(double)s->item_cpu / (double)r->item_cpu);
		else
			fprintf(f, ",,");
		fprintf(f, "%s,", c->comparable ? "yes" : "no");
		if (s->spacing >= 0)
			fprintf(f, "%.3f,", s->spacing / 1e3);
		else
			fprintf(f, ",");
		fprintf(f, "%.3f\n", s->rtt_us / 1e3);
	}
}

/* A configuration left out keeps its position, empty, so the others stay
 * where the other figures put them. */
void summary_write_latency(FILE *f, const struct summary_run *r)
{
	fprintf(f, "index,config,min_ms,q1_ms,median_ms,q3_ms,max_ms\n");
	for (int k = 0; k < r->n; k++) {
		const struct summary_dist *d = &r->c[k].s.delivery;

		if (r->c[k].no_complete_run)
			continue;
		fprintf(f, "%d,%s,%.3f,%.3f,%.3f,%.3f,%.3f\n", k + 1, r->c[k].name,
			d->min / 1e3, d->q1 / 1e3, d->p50 / 1e3, d->q3 / 1e3, d->max / 1e3);
	}
}

void summary_write_verdicts(FILE *f, const struct summary_run *r)
{
	char a[24], b[24], o[48];

	fprintf(f, "%-20s %-9s %-8s %16s %16s  %s\n", "configuration", "arrivals",
		"loop", "bystander worst", "lag max (ms)", "same work (item CPU vs run)");
	for (int k = 0; k < r->n; k++) {
		const struct summary_config *c = &r->c[k];

		if (c->no_complete_run) {
			fprintf(f, "%-20s (left out: no complete run)\n", c->name);
			continue;
		}
		if (c->comparable) {
			char off[24];

			snprintf(o, sizeof(o), "yes (%s)", cpu_offset(r, c, off, sizeof(off)));
		} else {
			same_work(r, c, o, sizeof(o));
		}
		fprintf(f, "%-20s %-9s %-8s %13s ms %16s  %s\n", c->name,
			summary_arrivals_word(&c->s), summary_loop_word(&c->s),
			ms(c->s.echo.max, a, sizeof(a)),
			ms(c->s.run_lag_max_median, b, sizeof(b)), o);
	}
	int64_t rtt = r->n ? r->c[0].s.rtt_us : 0;

	if (rtt > 0) {
		fprintf(f, "\nthrough build/delayproxy, a %s ms round trip (the "
			"bystander's echoes net of it):\n", ms(rtt, a, sizeof(a)));
		for (int k = 0; k < r->n; k++) {
			const struct summary *s = &r->c[k].s;

			if (r->c[k].no_complete_run || s->spacing < 0)
				continue;
			fprintf(f, "  %-18s results %s ms apart", r->c[k].name,
				ms(s->spacing, a, sizeof(a)));
			if (s->clumped) {
				fprintf(f, ": together (clumped)\n");
				continue;
			}
			int64_t extra = s->spacing - s->item;

			fprintf(f, " = item %s %c %s ms%s\n", ms(s->item, b, sizeof(b)),
				extra < 0 ? '-' : '+', ms(extra < 0 ? -extra : extra, a, sizeof(a)),
				round_trip_bound(&r->c[k]) ? " (waits a round trip per item)" : "");
		}
	}
	for (int k = 0; k < r->n; k++)
		if (r->c[k].incomplete.run)
			fprintf(f, "incomplete: %s run %d of %d (%s): left out, see summary.md\n",
				r->c[k].name, r->c[k].incomplete.run,
				r->c[k].incomplete.runs, r->c[k].incomplete.why);
}
