/*
 * test_scaling_run.c: scripts/scaling.sh end to end on a tiny grid (a few
 * seconds): real servers, the real harness with --clients, then
 * build/scaling-summarize and gnuplot. It leaves points.csv with every
 * point measured, the figures, scaling.md and the verdict line; and a
 * point the harness gives up on is named, left out, and makes the sweep
 * exit 3 while the other points are still summarised and drawn.
 */
#include "tests/suites.h"
#include "tests/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs scripts/scaling.sh into dir/run with the tiny grid (threadpool,
 * cpu work, K = 1 and 2, 2 items x 50 ms, one run) and the pools given;
 * harness: another harness binary, or NULL. Returns its exit status. */
static int run_sweep(const char *dir, const char *pools, const char *harness, char *out,
		     size_t cap)
{
	char where[512];

	snprintf(where, sizeof(where), "%s/run", dir);
	/* Check runs each test in a child of its own: the environment is ours */
	setenv("BUILD", tu_build_dir(), 1);
	setenv("SCALING_OUT", where, 1);
	setenv("SCALING_VARIANTS", "threadpool", 1);
	setenv("SCALING_WORKS", "cpu", 1);
	setenv("SCALING_POOLS", pools, 1);
	setenv("SCALING_CLIENTS", "1 2", 1);
	setenv("SCALING_ITEMS", "2", 1);
	setenv("SCALING_WORK_MS", "50", 1);
	setenv("SCALING_RUNS", "1", 1);
	if (harness)
		setenv("HARNESS", harness, 1);
	else
		unsetenv("HARNESS");

	char *argv[] = { "/bin/sh", "scripts/scaling.sh", NULL };
	int st = spawn_run(argv, out, cap, 100000);

	ck_assert_msg(st != -1 && WIFEXITED(st), "scaling.sh did not finish:\n%s", out);
	return WEXITSTATUS(st);
}

static bool exists_nonempty(const char *dir, const char *file)
{
	char path[768];
	struct stat st;

	snprintf(path, sizeof(path), "%s/run/%s", dir, file);
	return stat(path, &st) == 0 && st.st_size > 0;
}

/* The data lines of dir/run/file (every line after the header) into
 * lines[], at most max; returns how many. */
static int read_rows(const char *dir, const char *file, char lines[][512], int max)
{
	char path[768], line[512];
	int n = 0;

	snprintf(path, sizeof(path), "%s/run/%s", dir, file);
	FILE *f = fopen(path, "r");

	ck_assert_msg(f != NULL, "no %s", path);
	ck_assert(fgets(line, sizeof(line), f));	/* the header */
	while (n < max && fgets(lines[n], 512, f))
		n++;
	fclose(f);
	return n;
}

/* Field k (0-based) of a CSV line, into out. */
static const char *field(const char *line, int k, char *out, size_t cap)
{
	const char *p = line;

	for (int i = 0; i < k && p; i++) {
		p = strchr(p, ',');
		if (p)
			p++;
	}
	ck_assert_ptr_nonnull(p);
	size_t len = strcspn(p, ",\n");

	snprintf(out, cap, "%.*s", (int)len, p);
	return out;
}

static const char *const figures[] = {
	"scaling-throughput.png", "scaling-first.png", "scaling-bystander.png",
	"scaling-overview.png", "scaling-throughput.svg",
};

START_TEST(test_tiny_sweep)
{
	char dir[] = "/tmp/sendlab-scaling-XXXXXX", out[16384], rows[32][512], f[64];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	int rc = run_sweep(dir, "1 cores cores+4", NULL, out, sizeof(out));

	ck_assert_msg(rc == 0, "scaling.sh exited %d:\n%s", rc, out);
	/* on one core, 1 and cores are one pool, measured once: 2 or 3 pools
	 * x 2 Ks, and the plan, the sweep and the points agree */
	int planned = read_rows(dir, "plan.csv", rows, 32);

	ck_assert_msg(planned == 6 || planned == 4, "%d points planned", planned);
	ck_assert_int_eq(read_rows(dir, "sweep.csv", rows, 32), planned);
	for (int i = 0; i < planned; i++)
		ck_assert_msg(!strcmp(field(rows[i], 1, f, sizeof(f)), "0"),
			      "harness exit in sweep.csv: %s", rows[i]);
	ck_assert_int_eq(read_rows(dir, "points.csv", rows, 32), planned);
	for (int i = 0; i < planned; i++) {
		char cpu[32], threads[16], k[16];

		/* measured: "ok", or "noisy" when this machine's cores changed
		 * speed between points (docs/scaling.md); never "failed" */
		field(rows[i], 9, f, sizeof(f));
		ck_assert_msg(!strcmp(f, "ok") || !strcmp(f, "noisy"), "%s", rows[i]);
		/* cpu work: the server's CPU a run is about K x 2 x 50 ms (the
		 * /proc reading works), give or take a scheduler and a 10 ms tick */
		double nominal = atof(field(rows[i], 7, k, sizeof(k))) * 100.0;
		double used = atof(field(rows[i], 23, cpu, sizeof(cpu)));

		ck_assert_msg(used >= 0.5 * nominal && used <= 3 * nominal + 30,
			      "CPU %s ms for %s ms of work with %s threads: %s", cpu,
			      k, field(rows[i], 3, threads, sizeof(threads)), rows[i]);
	}
	for (size_t i = 0; i < sizeof(figures) / sizeof(figures[0]); i++)
		ck_assert_msg(exists_nonempty(dir, figures[i]), "no %s:\n%s", figures[i], out);
	ck_assert(exists_nonempty(dir, "scaling.md"));
	ck_assert(exists_nonempty(dir, "env.txt"));
	ck_assert_msg(strstr(out, "verdict on \"threads = cores + 4\""), "%s", out);
	/* a verdict, or "not measured" because the machine made a point
	 * noisy (its cores changed speed: docs/scaling.md), and said so */
	ck_assert_msg(strstr(out, "  cpu    helps") || strstr(out, "  cpu    no gain") ||
		      strstr(out, "  cpu    hurts") ||
		      (strstr(out, "  cpu    not measured") && strstr(out, "\nnoisy: ")),
		      "no cpu verdict:\n%s", out);
	ck_assert_msg(!strstr(out, "FAILED"), "%s", out);
	tu_remove_dir(dir);
}
END_TEST

/* Writes dir/harness, a harness that gives up on every K = 2 point the
 * way the real one does when its server dies mid-run, and hands K = 1 to
 * the real harness; its path into wrapper. */
static void write_failing_harness(const char *dir, char *wrapper, size_t cap)
{
	char real[512];

	snprintf(wrapper, cap, "%s/harness", dir);
	snprintf(real, sizeof(real), "%s/harness", tu_build_dir());
	FILE *w = fopen(wrapper, "w");

	ck_assert_ptr_nonnull(w);
	fprintf(w, "#!/bin/sh\n"
		"case \" $* \" in\n"
		"*\" --clients 2 \"*)\n"
		"\twhile [ $# -gt 0 ]; do\n"
		"\t\tcase $1 in --csv) m=$2 ;; --bystander-csv) b=$2 ;; esac\n"
		"\t\tshift\n"
		"\tdone\n"
		"\tprintf '%%s\\n# incomplete: run 1 of 1: test: the server went away\\n' "
		"'variant,run,seq,t_request_us,t_recv_us,t_start_us,t_done_us,t_send_us,"
		"t_arrive_us,client,cpu_us' >\"$m\"\n"
		"\tprintf '%%s\\n# incomplete: run 1 of 1: test: the server went away\\n' "
		"'variant,run,seq,t_sent_us,t_server_us,t_arrive_us' >\"$b\"\n"
		"\techo 'harness: test: the server went away' >&2\n"
		"\texit 3 ;;\n"
		"esac\n"
		"exec '%s' \"$@\"\n", real);
	fclose(w);
	ck_assert_int_eq(chmod(wrapper, 0755), 0);
}

/* dir/run/file, whole (at most cap - 1 bytes), into buf. */
static void read_text(const char *dir, const char *file, char *buf, size_t cap)
{
	char path[768];

	snprintf(path, sizeof(path), "%s/run/%s", dir, file);
	FILE *f = fopen(path, "r");

	ck_assert_msg(f != NULL, "no %s", path);
	buf[fread(buf, 1, cap - 1, f)] = '\0';
	fclose(f);
}

START_TEST(test_failed_point_is_named_and_left_out)
{
	char dir[] = "/tmp/sendlab-scaling-XXXXXX", out[16384], rows[32][512], f[64];
	char wrapper[512], md[16384];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_failing_harness(dir, wrapper, sizeof(wrapper));
	int rc = run_sweep(dir, "cores cores+4", wrapper, out, sizeof(out));

	ck_assert_msg(rc == 3, "scaling.sh exited %d, want 3:\n%s", rc, out);
	/* named as it happens and at the end, with the harness's reason */
	ck_assert_msg(strstr(out, "FAILED: run 1 of 1: test: the server went away"), "%s", out);
	ck_assert_msg(strstr(out, "-k2: run 1 of 1: test: the server went away (harness exit 3"),
		      "%s", out);
	/* the K = 1 points are summarised and drawn all the same */
	int n = read_rows(dir, "points.csv", rows, 32);

	ck_assert_int_eq(n, 4);
	for (int i = 0; i < n; i++) {
		char k[16];

		field(rows[i], 7, k, sizeof(k));
		field(rows[i], 9, f, sizeof(f));
		if (!strcmp(k, "2"))
			ck_assert_msg(!strcmp(f, "failed"), "%s", rows[i]);
		else	/* measured; "noisy" is the machine's, see test_tiny_sweep */
			ck_assert_msg(!strcmp(f, "ok") || !strcmp(f, "noisy"), "%s", rows[i]);
	}
	ck_assert(exists_nonempty(dir, "scaling-throughput.png"));
	ck_assert_msg(strstr(out, "verdict on \"threads = cores + 4\""), "%s", out);
	/* at K = 1, the only K both pools have (unless the machine made one
	 * of them noisy, and the output says which) */
	ck_assert_msg(strstr(out, "at K = 1 ") || strstr(out, "\nnoisy: threadpool-t"), "%s",
		      out);

	read_text(dir, "scaling.md", md, sizeof(md));
	ck_assert_msg(strstr(md, "## Failed points"), "%s", md);
	ck_assert_msg(strstr(md, "run 1 of 1: test: the server went away (harness exit 3)"),
		      "%s", md);
	tu_remove_dir(dir);
}
END_TEST

Suite *scaling_run_suite(void)
{
	Suite *s = suite_create("scaling");
	TCase *tc = tcase_create("sweep");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_tiny_sweep);
	tcase_add_test(tc, test_failed_point_is_named_and_left_out);
	suite_add_tcase(s, tc);
	return s;
}
