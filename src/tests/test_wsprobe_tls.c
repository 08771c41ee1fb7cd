/*
 * test_wsprobe_tls.c: build/wsprobe over wss:// against build/tests/tlsecho
 * with a self-signed certificate made at test time by Debian's openssl:
 * refused without --ca-file or --insecure (with a hint naming both),
 * accepted with either, the name checked against the certificate.
 */
#include "client/spawn.h"
#include "tests/suites.h"
#include "tests/testutil.h"
#include "tests/wprun.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WP_OPENSSL "/usr/bin/openssl"

/* ---- wss:// against build/tests/tlsecho ---- */

struct wp_tls {
	char dir[64], cert[96], key[96];
	struct spawned server;
};

/* Starts build/tests/tlsecho ("listening on wss://127.0.0.1:PORT/"). */
static void wp_tls_server_start(struct wp_tls *t)
{
	char path[512], err[512];
	char *argv[] = { path, "--cert", t->cert, "--key", t->key, NULL };

	snprintf(path, sizeof(path), "%s/tests/tlsecho", tu_build_dir());
	ck_assert_msg(spawn_server(&t->server, argv, TU_START_MS, err, sizeof(err)) == 0,
		      "%s: %s", path, err);
}

/* A self-signed certificate for localhost and 127.0.0.1 (openssl, into a
 * fresh temp dir), and tlsecho serving it. */
static void wp_tls_up(struct wp_tls *t)
{
	char out[4096], subj[] = "/CN=localhost",
	     san[] = "subjectAltName=DNS:localhost,IP:127.0.0.1";

	ck_assert_msg(access(WP_OPENSSL, X_OK) == 0,
		      "%s not found: the wss:// tests make their certificate with it; "
		      "install Debian's package openssl (sudo apt-get install openssl)",
		      WP_OPENSSL);
	snprintf(t->dir, sizeof(t->dir), "/tmp/sendlab-tls-XXXXXX");
	ck_assert_msg(mkdtemp(t->dir), "mkdtemp: %s", strerror(errno));
	snprintf(t->cert, sizeof(t->cert), "%s/cert.pem", t->dir);
	snprintf(t->key, sizeof(t->key), "%s/key.pem", t->dir);
	char *argv[] = { WP_OPENSSL, "req", "-x509", "-newkey", "rsa:2048", "-nodes",
			 "-keyout", t->key, "-out", t->cert, "-days", "1", "-subj", subj,
			 "-addext", san, NULL };
	int st = spawn_run(argv, out, sizeof(out), 30000);

	ck_assert_msg(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0,
		      "openssl req failed (status 0x%x): %s", (unsigned)st, out);
	wp_tls_server_start(t);
}

/* Stops tlsecho (exit 0 on SIGTERM, asserted) and removes the temp dir. */
static void wp_tls_down(struct wp_tls *t)
{
	tu_stop_clean(&t->server);
	tu_remove_dir(t->dir);
}

/* Without --ca-file or --insecure the self-signed certificate is refused:
 * exit 1, and wsprobe's sentence points at the certificate and both ways
 * out. */
START_TEST(test_tls_self_signed_refused)
{
	struct wp_tls t;
	struct wp_run r;
	char url[64], prefix[96], line[1024];

	wp_tls_up(&t);
	snprintf(url, sizeof(url), "wss://127.0.0.1:%d/", t.server.port);
	char *args[] = { "--url", url, "--duration-s", "1", NULL };

	wp_run_args(&r, WP_QUICK_MS, args);
	wp_tls_down(&t);
	snprintf(prefix, sizeof(prefix), "wsprobe: cannot connect to %s: ", url);
	wp_assert(&r, 1, prefix, NULL);
	/* wsprobe's own line, not lws's log line about the certificate */
	wp_line(r.out, prefix, line, sizeof(line));
	ck_assert_msg(strstr(line, "certificate") && strstr(line, "--ca-file") &&
		      strstr(line, "--insecure"), "no certificate hint in: %s", line);
}
END_TEST

/* --insecure accepts it: exit 0, pongs, and tlsecho echoes --send. */
START_TEST(test_tls_insecure_runs)
{
	struct wp_tls t;
	struct wp_run r;
	char url[64];
	int pings, pongs;
	unsigned long got = 0, sent = 0;

	wp_tls_up(&t);
	snprintf(url, sizeof(url), "wss://127.0.0.1:%d/", t.server.port);
	char *args[] = { "--url", url, "--duration-s", "1", "--insecure", "--quiet", "--send",
			 "hello", "--every-ms", "100", NULL };

	wp_run_args(&r, WP_RUN1_MS, args);
	wp_tls_down(&t);
	wp_assert(&r, 0, "pong latency: ", NULL);
	wp_counts(r.out, &pings, &pongs);
	ck_assert_int_ge(pongs, 1);
	ck_assert_int_eq(pongs, pings);

	const char *m = strstr(r.out, "messages: ");

	ck_assert_msg(m && sscanf(m, "messages: %lu received (%*u bytes), %lu sent", &got,
				  &sent) == 2, "%s", r.out);
	ck_assert_msg(sent >= 1 && got >= 1 && got <= sent, "%s", r.out);
}
END_TEST

/* --ca-file with the certificate and the name it carries: the chain and
 * the name are verified, and the run is clean. */
START_TEST(test_tls_ca_file_verifies)
{
	struct wp_tls t;
	struct wp_run r;
	char url[64];
	int pings, pongs;

	wp_tls_up(&t);
	snprintf(url, sizeof(url), "wss://localhost:%d/", t.server.port);
	char *args[] = { "--url", url, "--duration-s", "1", "--ca-file", t.cert, "--quiet", NULL };

	wp_run_args(&r, WP_RUN1_MS, args);
	wp_tls_down(&t);
	wp_assert(&r, 0, "wsprobe: wss://localhost:", "pong latency: ", NULL);
	wp_counts(r.out, &pings, &pongs);
	ck_assert_int_ge(pongs, 1);
	ck_assert_int_eq(pongs, pings);
}
END_TEST

Suite *wsprobe_tls_suite(void)
{
	Suite *s = suite_create("wsprobe_tls");
	TCase *tls = tcase_create("tls");

	tcase_set_timeout(tls, 60);
	tcase_add_test(tls, test_tls_self_signed_refused);
	tcase_add_test(tls, test_tls_insecure_runs);
	tcase_add_test(tls, test_tls_ca_file_verifies);
	suite_add_tcase(s, tls);
	return s;
}
