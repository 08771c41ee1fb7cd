/*
 * scaling_dir.h: a scaling run directory as build/scaling-summarize reads
 * it (the files are listed in scaling.h): env.txt's parameters, plan.csv,
 * sweep.csv and each point's CSVs, and what it makes of them: every
 * point's numbers, in the order the tables and figures show them, the
 * verdict for each kind of work and the expectations.
 */
#ifndef SENDLAB_SCALING_DIR_H
#define SENDLAB_SCALING_DIR_H

#include "analysis/scaling.h"

#include <stdbool.h>
#include <stddef.h>

/* The kinds of work, in the order every table and verdict takes them. */
#define SCALING_WORKS 2
extern const char *const scaling_works[SCALING_WORKS];

struct scaling_dir {
	const char *dir;
	char run_id[128];
	char params_line[512];
	char iters_per_ms[32];	/* env.txt's, or "" */
	struct scaling_params p;
	struct scaling_spec *specs;	/* plan.csv's points, n of them */
	struct scaling_result *res;	/* res[i] belongs to specs[i] */
	size_t *order;		/* the points in table order: work, variant,
				   pool, K (each line of a plot is one run of
				   rows) */
	size_t n;
	size_t measured;	/* the points that are not failed */
	struct scaling_sweep *sweep;
	size_t n_sweep;
	struct scaling_verdict verdict[SCALING_WORKS];	/* by scaling_works */
	struct scaling_expect expect[SCALING_EXPECTS];
};

/* Reads dir's env.txt, plan.csv and sweep.csv into *d (zeroed first);
 * false with the reason in err: no parameters, an unreadable table, no
 * points. */
bool scaling_dir_read(struct scaling_dir *d, const char *dir, char *err, size_t errcap);

/* Reads and computes every point (a failed one says why in its res),
 * holds each against the sweep's points with as many items computing at
 * once (scaling_rate()), orders them and draws the verdicts and the
 * expectations. */
void scaling_dir_measure(struct scaling_dir *d);

void scaling_dir_free(struct scaling_dir *d);

#endif
