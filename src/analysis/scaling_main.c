/*
 * scaling_main.c: build/scaling-summarize, the numbers of a scaling sweep.
 *
 *   build/scaling-summarize results/<run-id>      (a run of scripts/scaling.sh)
 *
 * Reads env.txt (ITEMS, WORK_MS, RUNS, CORES), plan.csv (every point),
 * sweep.csv (what happened to each) and each point's messages and
 * bystander CSVs, computes each point's numbers (analysis/scaling.h), and
 * writes into the same directory:
 *   points.csv   one row per point, for the plots and anyone's scripts
 *   scaling.md   the tables, the verdict on "cores + 4" and the expectations
 * and prints the verdict and the expectations to stdout. scaling_dir.c
 * reads the directory and measures each point, scaling_write.c lays the
 * numbers out.
 *
 * Same work: every server of a sweep runs the same iterations per item
 * (env.txt's iters_per_ms); the cpu ideal is computed from the sweep's
 * median item CPU time, and a point whose items' CPU time is more than
 * SCALING_SAME_WORK off it, or that beats its ideal by more than
 * SCALING_EFFICIENCY_MAX, is "noisy": shown, marked, and left out of the
 * verdict and the expectations (scaling_rate()).
 *
 * A point the harness gave up on (exit status not 0, a "# incomplete"
 * line), that the sweep never reached, or whose rows are not whole is a
 * failed point: its row in points.csv says "failed" with NaN numbers,
 * scaling.md and stderr say why, and it takes no part in a verdict. Exit
 * status 0: every point measured; 3: some failed; 1: nothing to
 * summarise, or env.txt, plan.csv or sweep.csv unreadable; 2: usage.
 */
#include "analysis/scaling_dir.h"
#include "analysis/scaling_write.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static int fail(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "scaling-summarize: ");
	fprintf(stderr, fmt, a, b);
	fputc('\n', stderr);
	return 1;
}

static int write_file(const struct scaling_dir *d, const char *file)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", d->dir, file);
	FILE *f = fopen(path, "w");

	if (!f)
		return fail("cannot write %s: %s", path, strerror(errno));
	if (!strcmp(file, "points.csv"))
		scaling_write_points(f, d);
	else
		scaling_write_markdown(f, d);
	if (fclose(f) != 0)
		return fail("cannot write %s: %s", path, strerror(errno));
	return 0;
}

int main(int argc, char **argv)
{
	static struct scaling_dir d;
	char err[2048];

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: scaling-summarize RUN_DIR  (e.g. results/latest-scaling)\n");
		return 2;
	}
	if (!scaling_dir_read(&d, argv[1], err, sizeof(err)))
		return fail("%s%s", err, "");
	scaling_dir_measure(&d);
	if (d.measured && (write_file(&d, "points.csv") || write_file(&d, "scaling.md")))
		return 1;

	for (size_t k = 0; k < d.n; k++)
		if (!d.res[d.order[k]].ok)
			fprintf(stderr, "scaling-summarize: %s: failed point %s: %s\n", d.dir,
				d.specs[d.order[k]].point, d.res[d.order[k]].why);
	if (!d.measured)
		return fail("%s: no point was measured: nothing to summarise%s", d.dir, "");
	scaling_write_verdict(stdout, &d);
	scaling_dir_free(&d);
	return d.measured < d.n ? 3 : 0;
}
