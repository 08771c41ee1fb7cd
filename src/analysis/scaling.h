/*
 * scaling.h: the scaling experiment's numbers (make scaling,
 * build/scaling-summarize): K clients at once against each server variant
 * and pool size, per point the makespan, the throughput against the ideal,
 * each client's first-message latency, the bystander's worst echo and the
 * server's CPU time; and the verdict on "threads = cores + 4" for each kind
 * of work. docs/scaling.md explains every number; change both together.
 *
 * Pure functions over arrays and FILE streams, so every computation is
 * unit-tested with hand-made CSVs (test_scaling.c, test_scaling_read.c):
 * reading in scaling_read.c, a point's numbers in scaling.c, the verdict
 * and the expectations in scaling_verdict.c.
 *
 * A run directory of scripts/scaling.sh holds:
 *   env.txt          its "parameters:" line: ITEMS, WORK_MS, RUNS, CORES
 *   plan.csv         every point the sweep meant to measure (SCALING_PLAN_HEADER)
 *   sweep.csv        one row per point it ran: the harness's exit status, the
 *                    server's CPU ticks before and after, and the whole
 *                    machine's busy and total ticks (SCALING_SWEEP_HEADER)
 *   <point>.messages.csv, <point>.bystander.csv   the harness's files
 */
#ifndef SENDLAB_SCALING_H
#define SENDLAB_SCALING_H

#include "analysis/csvin.h"
#include "harness/report.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The harness's messages file with --clients: its usual columns and the
 * client (0..K-1) last. */
#define SCALING_PLAN_HEADER "point,variant,work,threads,clients"
#define SCALING_SWEEP_HEADER "point,harness_exit,cpu_ticks_before,cpu_ticks_after," \
	"sys_busy_before,sys_busy_after,sys_total_before,sys_total_after,clk_tck"

#define SCALING_NAME_MAX 64	/* a point's or a variant's name, with its NUL */
#define SCALING_MAX_POINTS 512
#define SCALING_MAX_CLIENTS 1000	/* the servers' --max-clients ceiling */

/*
 * The verdict on "threads = cores + 4": the throughput of the thread pool
 * with cores + 4 threads over its throughput with cores threads, at the
 * largest K both were measured at. 1.2: a fifth more items a second is
 * well outside the few per cent two runs of one point differ by; under
 * 0.9 the extra threads cost more than that noise.
 */
#define SCALING_HELPS_RATIO 1.2
#define SCALING_HURTS_RATIO 0.9

/* The expectations of the issue that asked for the experiment, checked
 * on the data (scaling.md's "Expectations"; docs/scaling.md). */
#define SCALING_EXPECT_K 8
#define SCALING_EXPECT_VS_BLOCKING 1.8	/* pool of cores over blocking, cpu */
#define SCALING_EXPECT_EFFICIENCY 0.9	/* pool of cores against its ideal, cpu */
#define SCALING_EXPECT_BYSTANDER_US 20000	/* any pool's worst echo */
#define SCALING_EXPECT_SLEEP_GAIN 1.5	/* cores + 4 over cores, sleep; cpu stays under */
/* partition, cpu: one thread, so blocking's throughput within this
 * fraction either way, and a bystander under SCALING_EXPECT_BYSTANDER_US */
#define SCALING_EXPECT_PARTITION_SAME 0.1

/* What the sweep asked of every point (env.txt's parameters). */
struct scaling_params {
	int items;	/* per job */
	int work_ms;	/* per item */
	int runs;	/* repetitions of each point */
	int cores;	/* nproc on the machine that ran it */
};

/*
 * Flags for a point whose numbers cannot be compared with the others'
 * (scaling_rate): with cpu work, a median item CPU time further than
 * SCALING_SAME_WORK from that of the sweep's points with as many items
 * computing at once (scaling_lanes: the same iterations took another time,
 * so the core ran at another speed; points with more items at once may
 * legitimately cost more CPU an item, their cores sharing a physical core
 * or a power budget: measured here, +6% with both cores busy, sometimes);
 * any point faster than SCALING_EFFICIENCY_MAX of its ideal (no schedule
 * can beat the bound, so its work or its clock was not the others'). A
 * flagged point is shown, marked "noisy", and takes no part in the verdict
 * or the expectations.
 */
#define SCALING_SAME_WORK 0.03
#define SCALING_EFFICIENCY_MAX 1.02

/* One point the sweep planned: a row of plan.csv. */
struct scaling_spec {
	char point[SCALING_NAME_MAX];	/* its files' prefix */
	char variant[SCALING_NAME_MAX];	/* blocking, flush, pingpong, threadpool */
	char work[8];			/* cpu or sleep */
	int threads;			/* the pool; 1 for the serial variants */
	int clients;			/* K */
};

/*
 * Other programs computing during a point (in cores, on average) from
 * which its cpu numbers are not to be trusted: they slow the cpu items,
 * and hand a pool of more threads than cores a bigger share of the CPU
 * (the scheduler is fair per thread), which looks like a gain from
 * cores + 4. A quiet machine should show a few hundredths (the harness, the
 * system); a CPU hog, 1.
 */
#define SCALING_BUSY_CORES 0.25

/* What the sweep recorded of a point it ran, over all its rows of
 * sweep.csv: one row per round (the sweep runs every point once a round,
 * RUNS rounds), each with the counters read before and after that run;
 * here their differences, summed. Ticks are clock ticks (clk_tck a
 * second). */
struct scaling_sweep {
	char point[SCALING_NAME_MAX];
	int rounds;		/* rows read */
	int harness_exit;	/* the first that was not 0, else 0 */
	int64_t ticks;		/* the server's utime + stime */
	int64_t busy;		/* /proc/stat: every CPU's time not idle */
	int64_t total;		/* ... and idle too */
	int64_t clk_tck;	/* ticks a second, the same in every row */
};

/* One result message and the client (connection) it went to. */
struct scaling_msg {
	struct report_msg m;
	int client;
};

/* One point's numbers. Every time in microseconds. */
struct scaling_result {
	bool ok;		/* false: a failed point, why says why */
	char why[1024];
	int runs;
	int64_t makespan_us;	/* median over runs (nearest rank) */
	int64_t makespan_min_us, makespan_max_us;
	double throughput;	/* items a second, at the median makespan */
	int64_t ideal_us;	/* scaling_ideal_us() */
	double ideal_throughput;
	double efficiency;	/* ideal / makespan */
	int64_t first_p50_us, first_p99_us, first_max_us; /* over every client of
							     every run */
	int64_t job_mean_us;	/* a client's last arrival - its request, mean */
	int64_t item_p50_us;	/* t_done - t_start, median */
	int64_t item_cpu_us;	/* the items' CPU time (cpu_us), median; -1 if
				   the server reported none */
	int64_t ideal_item_us;	/* the same, over the median run's items only:
				   the item its ideal is made of; -1: none */
	bool noisy;		/* not comparable: see SCALING_SAME_WORK */
	char noisy_why[200];
	int64_t bystander_max_us;	/* -1: no echo */
	double cpu_ms;		/* the server's CPU a run; negative: unknown */
	double others_cores;	/* the machine's busy time that was not the
				   server's, in cores on average over the
				   point; negative: unknown */
};

/* The verdict for one kind of work. */
struct scaling_verdict {
	const char *work;
	bool measured;		/* both pools at a common K */
	int cores, more;	/* the two pool sizes: cores and cores + 4 */
	int k;			/* the largest common K */
	double tp_cores, tp_more, ratio;	/* throughputs at k, more / cores */
	bool has_k8;		/* K = SCALING_EXPECT_K measured by both, and < k */
	double ratio_k8;
	const char *word;	/* "helps", "no gain", "hurts"; "not measured" */
};

/*
 * Reads the harness's messages file with its client column (f, named
 * `name` in errors) into a malloc'd array (*out, *n). As strict as
 * csvin_messages(), which it calls: the client is part of each row. The "# incomplete" line goes to *incomplete (run 0: none).
 */
bool scaling_read_messages(FILE *f, const char *name, struct scaling_msg **out,
			   size_t *n, char *variant, size_t varcap,
			   struct csvin_incomplete *incomplete, char *err, size_t errcap);

/* plan.csv and sweep.csv, strictly: the header, every field, names of
 * [A-Za-z0-9_+.-] only, at most SCALING_MAX_POINTS points (a point once
 * in plan.csv; in sweep.csv once a round, its rows summed). */
bool scaling_read_plan(FILE *f, const char *name, struct scaling_spec **out, size_t *n,
		       char *err, size_t errcap);
bool scaling_read_sweep(FILE *f, const char *name, struct scaling_sweep **out, size_t *n,
			char *err, size_t errcap);

/* ITEMS, WORK_MS, RUNS and CORES from env.txt's parameters line ("KEY=N"
 * words); false with err naming the first missing or bad one. */
bool scaling_parse_params(const char *line, struct scaling_params *p, char *err,
			  size_t errcap);

/* True for the variants that run the work on the loop thread, one job
 * after another. */
bool scaling_serial(const char *variant);

/*
 * The ideal makespan of K jobs of `items` items: no job can end before its
 * own J, and K x J of work spread over the cores (cpu) or over the threads
 * (sleep: a sleeping thread holds no core) cannot end sooner either:
 *   cpu:   max(J, K x J / min(threads, cores))
 *   sleep: max(J, K x J / threads)
 * with threads = 1 for a serial variant, and J = items x one item: for
 * sleep work_ms; for cpu item_us, the point's own measured item CPU time
 * (of its median run: scaling_result.ideal_item_us), when known (> 0),
 * else work_ms. Its own, because this machine's cores
 * change speed by up to 10% from one second to the next (docs/scaling.md):
 * against its own items a point's efficiency measures its scheduling, not
 * the moment it ran in; that the points ran at comparable speeds is
 * scaling_rate()'s check.
 */
int64_t scaling_ideal_us(const struct scaling_params *p, const char *work, int threads,
			 int clients, int64_t item_us);

/* The pool's name for people: "cores", "cores+4", "4xcores" or the number
 * ("" for a serial variant). */
const char *scaling_pool_name(const struct scaling_spec *s, int cores, char *buf,
			      size_t cap);

/*
 * One point's numbers from its rows (the harness exited 0). False with the
 * reason in err if the rows are not every run 1..runs x client 0..K-1 x
 * seq 0..items-1 exactly once: the point is then failed. sweep may be NULL
 * (cpu_ms is then -1).
 */
bool scaling_compute(const struct scaling_params *p, const struct scaling_spec *spec,
		     const struct scaling_msg *msgs, size_t n_msgs,
		     const struct report_echo *echoes, size_t n_echoes,
		     const struct scaling_sweep *sweep, struct scaling_result *out,
		     char *err, size_t errcap);

/* How many items of a point compute at once: min(threads, K, cores). */
int scaling_lanes(const struct scaling_params *p, const struct scaling_spec *spec);

/*
 * The median over the sweep's measured cpu-work points with `lanes` items
 * computing at once of their item_cpu_us; 0 if none reported one.
 */
int64_t scaling_cpu_item_us(const struct scaling_params *p, const struct scaling_spec *specs,
			    const struct scaling_result *res, size_t n, int lanes);

/*
 * Fills r's ideal_us, ideal_throughput and efficiency from its makespan
 * and the CPU time of its median run's items, and its noisy flag and
 * noisy_why: its item CPU time against ref_item_us (0: not checked; see
 * SCALING_SAME_WORK), and its efficiency against SCALING_EFFICIENCY_MAX.
 * scaling_compute calls it with no reference; call it again with
 * scaling_cpu_item_us() for the point's lanes. A failed point is left
 * alone.
 */
void scaling_rate(const struct scaling_params *p, const struct scaling_spec *spec,
		  int64_t ref_item_us, struct scaling_result *r);

/* A point the verdict and the expectations may use: measured, not noisy. */
bool scaling_usable(const struct scaling_result *r);

/* "helps", "no gain" or "hurts" for a throughput ratio. */
const char *scaling_verdict_word(double ratio);

/* The verdict for one kind of work over every point (results[i] belongs
 * to specs[i]; failed points are ignored). */
void scaling_verdict(const struct scaling_spec *specs, const struct scaling_result *results,
		     size_t n, int cores, const char *work, struct scaling_verdict *out);

/* Whether other programs were computing during the point: others_cores
 * at least SCALING_BUSY_CORES. */
bool scaling_busy(const struct scaling_result *r);

/* One expectation of the issue, as checked on the data. */
struct scaling_expect {
	char what[160];
	char measured[160];
	int met;	/* 1 yes, 0 no, -1 not measured */
};

#define SCALING_EXPECTS 6

/* Checks the expectations; fills out[0..SCALING_EXPECTS). */
void scaling_expectations(const struct scaling_spec *specs,
			  const struct scaling_result *results, size_t n, int cores,
			  struct scaling_expect *out);

#endif
