/*
 * wprun.c: see wprun.h.
 */
#include "tests/wprun.h"

#include "client/spawn.h"
#include "common/clock.h"
#include "tests/testutil.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs $SENDLAB_BUILD/wsprobe with args (NULL-terminated) into *r,
 * killing it after bound_ms. */
void wp_run_args(struct wp_run *r, int bound_ms, char *const args[])
{
	char path[512];
	char *argv[32];
	int argc = 0;

	snprintf(path, sizeof(path), "%s/wsprobe", tu_build_dir());
	argv[argc++] = path;
	for (int i = 0; args[i] && argc < 31; i++)
		argv[argc++] = args[i];
	argv[argc] = NULL;

	int64_t t0 = clock_now_us();

	r->bound_ms = bound_ms;
	r->status = spawn_run(argv, r->out, sizeof(r->out), bound_ms);
	r->took_us = clock_now_us() - t0;
}

/* Asserts that r exited with status want and its output holds every one of
 * the NULL-terminated sentences that follow. */
void wp_assert(const struct wp_run *r, int want, ...)
{
	va_list ap;

	ck_assert_msg(r->status != -1, "wsprobe did not exit within %d ms: %s", r->bound_ms,
		      r->out);
	ck_assert_msg(WIFEXITED(r->status) && WEXITSTATUS(r->status) == want,
		      "exit status %d (wait status 0x%x) after %lld ms, want %d: %s",
		      WIFEXITED(r->status) ? WEXITSTATUS(r->status) : -1, (unsigned)r->status,
		      (long long)r->took_us / 1000, want, r->out);
	va_start(ap, want);
	for (const char *s = va_arg(ap, const char *); s; s = va_arg(ap, const char *))
		ck_assert_msg(strstr(r->out, s), "no \"%s\" in: %s", s, r->out);
	va_end(ap);
}

/* The line of out that starts with prefix, copied into line ("" if none). */
void wp_line(const char *out, const char *prefix, char *line, size_t cap)
{
	const char *p = out;

	line[0] = '\0';
	while (strncmp(p, prefix, strlen(prefix))) {
		p = strchr(p, '\n');
		if (!p++)
			return;
	}
	snprintf(line, cap, "%.*s", (int)strcspn(p, "\n"), p);
}

/* The report's first line: "wsprobe: URL for T s: N pings, M pongs". */
void wp_counts(const char *out, int *pings, int *pongs)
{
	char line[1024];
	const char *p;

	wp_line(out, "wsprobe: ws", line, sizeof(line));	/* not the live lines */
	p = strstr(line, " s: ");
	ck_assert_msg(p && sscanf(p, " s: %d pings, %d pongs", pings, pongs) == 2,
		      "no report line in: %s", out);
}

void wp_probe(struct wp_run *r, int port, const char *job, int messages, int ping_ms,
	      const char *csv)
{
	char url[64], ping[16], count[16];

	snprintf(url, sizeof(url), "ws://127.0.0.1:%d/", port);
	snprintf(ping, sizeof(ping), "%d", ping_ms);
	snprintf(count, sizeof(count), "%d", messages);
	char *args[] = { "--url", url, "--duration-s", "20", "--ping-ms", ping, "--quiet",
			 "--messages", count, "--csv", (char *)csv,
			 job ? "--send" : NULL, (char *)job, NULL };

	wp_run_args(r, 30000, args);
	ck_assert_msg(r->status != -1 && WIFEXITED(r->status),
		      "wsprobe did not exit in time: %s", r->out);
}

void wp_read_csv(const char *csv, struct probelog *log)
{
	char err[256];
	FILE *f = fopen(csv, "r");

	ck_assert_msg(f != NULL, "cannot open %s", csv);
	probelog_init(log, 1000000, 100000, 1000);
	ck_assert_msg(probelog_read_csv(log, f, err, sizeof(err)), "%s: %s", csv, err);
	fclose(f);
}

void wp_probe_job(struct wp_run *r, int port, const char *job, int messages, int ping_ms,
		  struct probelog *log, struct probe_summary *sum)
{
	char csv[128];

	tu_temp_file(csv, sizeof(csv), "probe");
	wp_probe(r, port, job, messages, ping_ms, csv);
	wp_assert(r, 0, NULL);
	wp_read_csv(csv, log);
	unlink(csv);
	probestat_summarize(log, log->pings[log->n_pings - 1].t_pong_us, 100000, 100000,
			    sum);
}
