/*
 * testutil.c: see testutil.h.
 */
#include "tests/testutil.h"

#include "common/clock.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *tu_build_dir(void)
{
	const char *b = getenv("SENDLAB_BUILD");

	return b && *b ? b : "build";
}

const char *const tu_variants[TU_NVARIANTS] = { "blocking", "flush", "pingpong", "threadpool",
						   "partition" };

const char *const tu_py_variants[TU_NPY_VARIANTS] = {
	"py-create-task", "py-await-send", "py-sleep0", "py-drain", "py-pingpong",
	"py-to-thread", "py-process-pool", "py-partition",
};

bool tu_is_python(const char *variant)
{
	return !strncmp(variant, "py-", 3);
}

/* Under `make test-valgrind` ($SENDLAB_VALGRIND=1) every server runs inside
 * memcheck: an invalid access, an uninitialised read or a definite leak
 * makes it exit with status 99, which tu_stop_clean reports. */
static const char *const tu_valgrind_argv[] = {
	"/usr/bin/valgrind", "--quiet", "--error-exitcode=99", "--leak-check=full",
	"--errors-for-leak-kinds=definite", "--track-origins=yes",
};
#define TU_VALGRIND_ARGC ((int)(sizeof(tu_valgrind_argv) / sizeof(tu_valgrind_argv[0])))

bool tu_valgrind(void)
{
	const char *v = getenv("SENDLAB_VALGRIND");

	return v && !strcmp(v, "1");
}

void tu_start(struct spawned *s, const char *variant, ...)
{
	static char path[512];
	char *argv[32 + TU_VALGRIND_ARGC];
	int argc = 0;
	char err[512];
	va_list ap;

	if (tu_is_python(variant)) {
		/* the tests run from the top of the tree, as make test does */
		snprintf(path, sizeof(path), "src/python/server.py");
		argv[argc++] = "/usr/bin/python3";
		argv[argc++] = path;
		argv[argc++] = "--variant";
		argv[argc++] = (char *)variant + 3;
	} else {
		if (tu_valgrind())
			for (int i = 0; i < TU_VALGRIND_ARGC; i++)
				argv[argc++] = (char *)tu_valgrind_argv[i];
		snprintf(path, sizeof(path), "%s/server-%s", tu_build_dir(), variant);
		argv[argc++] = path;
	}
	argv[argc++] = "--port";
	argv[argc++] = "0";
	argv[argc++] = "--quiet";
	va_start(ap, variant);
	for (char *a = va_arg(ap, char *); a && argc < 31 + TU_VALGRIND_ARGC;
	     a = va_arg(ap, char *))
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	ck_assert_msg(spawn_server(s, argv, tu_valgrind() ? 6 * TU_START_MS : TU_START_MS,
				   err, sizeof(err)) == 0,
		      "cannot start %s: %s", path, err);
}

const char *tu_iters_per_ms(void)
{
	static char figure[32];
	char path[512], out[256];

	if (figure[0])
		return figure;
	snprintf(path, sizeof(path), "%s/server-blocking", tu_build_dir());
	char *argv[] = { path, "--calibrate", NULL };
	int st = spawn_run(argv, out, sizeof(out), TU_START_MS);
	unsigned long long n = 0;

	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
		      sscanf(out, "iters_per_ms %llu", &n) == 1 && n > 0,
		      "%s --calibrate: %s", path, out);
	snprintf(figure, sizeof(figure), "%llu", n);
	return figure;
}

void tu_stop_clean(struct spawned *s)
{
	char errtext[4096];
	int st = spawn_stop(s, SIGTERM, tu_valgrind() ? 6 * TU_STOP_MS : TU_STOP_MS);

	spawn_read_stderr(s, errtext, sizeof(errtext));
	spawn_cleanup(s);
	ck_assert_msg(st != -1, "server did not exit within %d ms of SIGTERM",
		      TU_STOP_MS);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "server exit status %d (signal %d); stderr: %s",
		      WIFEXITED(st) ? WEXITSTATUS(st) : -1,
		      WIFSIGNALED(st) ? WTERMSIG(st) : 0, errtext);
	ck_assert_msg(!strstr(errtext, "Sanitizer") && !strstr(errtext, "runtime error"),
		      "sanitizer report: %s", errtext);
}

void tu_assert_closed_with(struct wsc *c, const char *what, int code, const char *reason)
{
	struct wsc_frame f;
	int n;

	do
		n = wsc_recv(c, &f, TU_IO_MS);
	while (n == 1 && f.opcode != WSC_OP_CLOSE);
	ck_assert_msg(n == 1, "%s: no close frame (%s)", what, n ? wsc_error(c) : "timeout");
	ck_assert_msg(f.close_code == code, "%s: close code %d, want %d", what,
		      f.close_code, code);
	if (reason)
		ck_assert_msg(!strcmp((char *)f.data, reason), "%s: reason \"%s\"", what,
			      (char *)f.data);
}

struct wsc *tu_connect(const struct spawned *s)
{
	char err[512];
	struct wsc *c = wsc_connect(s->port, "/", "sendlab", TU_IO_MS, err,
				    sizeof(err));

	ck_assert_msg(c != NULL, "connect to port %d: %s", s->port, err);
	return c;
}

void tu_send(struct wsc *c, const char *text)
{
	ck_assert_msg(wsc_send_text(c, text) == 0, "send failed: %s", wsc_error(c));
}

void tu_recv_reply(struct wsc *c, struct reply *r, int timeout_ms,
		   int64_t *t_arrive)
{
	struct wsc_frame f;
	char why[200];
	int n = wsc_recv(c, &f, timeout_ms);

	ck_assert_msg(n == 1, "no reply within %d ms: %s", timeout_ms,
		      n == 0 ? "timeout" : wsc_error(c));
	ck_assert_msg(f.opcode == WSC_OP_TEXT, "got opcode %d (close code %d), "
		      "want a text frame", f.opcode, f.close_code);
	ck_assert_msg(reply_parse((const char *)f.data, f.len, r, why, sizeof(why)),
		      "%s: %s", why, (const char *)f.data);
	if (t_arrive)
		*t_arrive = f.t_arrive_us;
}

void tu_assert_echo(struct wsc *c)
{
	char msg[64];
	struct reply r;
	int64_t t = clock_now_us();

	snprintf(msg, sizeof(msg), "{\"op\":\"echo\",\"t_us\":%" PRId64 "}", t);
	tu_send(c, msg);
	tu_recv_reply(c, &r, TU_IO_MS, NULL);
	ck_assert_msg(r.op == REPLY_ECHO, "want an echo reply, got op %d (%s)",
		      r.op, r.error);
	ck_assert_int_eq(r.v[REPLY_T_US], t);
	ck_assert_int_ge(r.v[REPLY_T_SERVER_US], t);
}

void tu_assert_job(struct wsc *c, int items, int work_ms)
{
	char msg[96];
	struct reply r;

	snprintf(msg, sizeof(msg), "{\"op\":\"run\",\"items\":%d,\"work_ms\":%d}", items,
		 work_ms);
	tu_send(c, msg);
	for (int i = 0; i < items; i++) {
		tu_recv_reply(c, &r, TU_IO_MS, NULL);
		ck_assert_msg(r.op == REPLY_RESULT && r.v[REPLY_SEQ] == i,
			      "run of %d x %d ms: reply %d is op %d seq %lld (%s)", items, work_ms,
			      i, r.op, (long long)r.v[REPLY_SEQ], r.error);
	}
}

void tu_assert_error_reply(struct wsc *c, const char *variant, const char *name,
			   const char *want)
{
	struct reply r;

	tu_recv_reply(c, &r, TU_IO_MS, NULL);
	ck_assert_msg(r.op == REPLY_ERROR, "%s, %s: got op %d, want an error", variant,
		      name, r.op);
	ck_assert_msg(!strcmp(r.error, want), "%s, %s:\n got  \"%s\"\n want \"%s\"",
		      variant, name, r.error, want);
}

long tu_rss_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* Waits until the harness's CSV at path holds at least n complete data rows
 * (lines after the header that do not start with '#'): the harness writes
 * each row the moment it arrives, so this is when its n-th came. Polls
 * every 2 ms; false after timeout_ms. */
static bool tu_wait_csv_rows(const char *path, int n, int timeout_ms)
{
	int64_t deadline = clock_now_us() + (int64_t)timeout_ms * 1000;
	const struct timespec poll_period = { 0, 2 * 1000 * 1000 };

	while (clock_now_us() < deadline) {
		FILE *f = fopen(path, "r");
		char line[600];
		int rows = 0;

		/* a row still being written has no newline yet: not counted */
		for (int lineno = 0; f && fgets(line, sizeof(line), f); lineno++)
			if (lineno > 0 && line[0] != '#' && strchr(line, '\n'))
				rows++;
		if (f)
			fclose(f);
		if (rows >= n)
			return true;
		nanosleep(&poll_period, NULL);
	}
	return false;
}

static void *tu_bg_main(void *arg)
{
	struct tu_bg_run *b = arg;

	b->status = spawn_run(b->argv, b->out, sizeof(b->out), 30000);
	b->t_end_us = clock_now_us();
	return NULL;
}

/* Starts argv (NULL-terminated; must outlive the run) with a 30 s bound. */
static void tu_bg_start(struct tu_bg_run *b, char **argv)
{
	b->argv = argv;
	b->out[0] = '\0';
	ck_assert_int_eq(pthread_create(&b->thread, NULL, tu_bg_main, b), 0);
}

/* Waits for it to exit (within its 30 s bound). */
static void tu_bg_join(struct tu_bg_run *b)
{
	ck_assert_int_eq(pthread_join(b->thread, NULL), 0);
}

bool tu_kill_at_rows(struct spawned *s, struct tu_bg_run *b, char **argv, const char *csv,
		     int rows, int64_t *t_kill)
{
	tu_bg_start(b, argv);
	bool seen = tu_wait_csv_rows(csv, rows, 10000);

	if (t_kill)
		*t_kill = clock_now_us();
	kill(s->pid, SIGKILL);
	tu_bg_join(b);
	spawn_stop(s, SIGKILL, TU_STOP_MS);
	spawn_cleanup(s);
	return seen;
}

char *tu_harness_path(void)
{
	static char path[512];

	snprintf(path, sizeof(path), "%s/harness", tu_build_dir());
	return path;
}

void tu_temp_file(char *buf, size_t cap, const char *tag)
{
	snprintf(buf, cap, "/tmp/sendlab-%s-XXXXXX", tag);
	int fd = mkstemp(buf);

	ck_assert_msg(fd >= 0, "mkstemp %s: %s", buf, strerror(errno));
	close(fd);
}

void tu_remove_dir(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

bool tu_sanitized(void)
{
	const char *s = getenv("SENDLAB_SAN");

	return (s && *s) || tu_valgrind();
}

bool tu_read_exact(int fd, void *buf, size_t n, int64_t give_up_us)
{
	unsigned char *b = buf;
	size_t got = 0;

	while (got < n && clock_now_us() < give_up_us) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (poll(&p, 1, 100) <= 0)
			continue;
		ssize_t r = recv(fd, b + got, n - got, 0);

		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return got == n;
}

int tu_loopback_port(bool listening, int *fd)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);

	*fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_msg(*fd >= 0, "socket: %s", strerror(errno));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(*fd, (struct sockaddr *)&a, sizeof(a)), 0);
	if (listening)
		ck_assert_int_eq(listen(*fd, 4), 0);
	ck_assert_int_eq(getsockname(*fd, (struct sockaddr *)&a, &len), 0);
	return ntohs(a.sin_port);
}
