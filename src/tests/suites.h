/*
 * suites.h: every Check suite of the test runners, one constructor each.
 */
#ifndef SENDLAB_SUITES_H
#define SENDLAB_SUITES_H

#include <check.h>

/* unit tests: build/tests/unit */
Suite *json_suite(void);
Suite *stats_suite(void);
Suite *proto_suite(void);
Suite *work_suite(void);
Suite *options_suite(void);
Suite *origin_suite(void);
Suite *sendq_suite(void);
Suite *lag_suite(void);
Suite *args_suite(void);
Suite *reply_suite(void);
Suite *report_suite(void);
Suite *summary_suite(void);
Suite *csvin_suite(void);
Suite *scaling_suite(void);
Suite *scaling_read_suite(void);
Suite *same_work_suite(void);
Suite *relay_suite(void);
Suite *probeurl_suite(void);
Suite *probeopt_suite(void);
Suite *probelog_suite(void);
Suite *probestat_suite(void);
Suite *mystery_suite(void);

/* integration tests: build/tests/integration (servers and harness as processes) */
Suite *server_suite(void);
Suite *badinput_suite(void);
Suite *badframes_suite(void);
Suite *shape_suite(void);
Suite *harness_suite(void);
Suite *harness_fail_suite(void);
Suite *variants_suite(void);
Suite *fixes_suite(void);
Suite *threadpool_suite(void);
Suite *partition_suite(void);
Suite *python_suite(void);
Suite *summarize_suite(void);
Suite *grade_suite(void);
Suite *grade_tsan_suite(void);
Suite *labrun_suite(void);
Suite *abuse_suite(void);
Suite *limits_suite(void);
Suite *scaling_run_suite(void);
Suite *run_of_suite(void);
Suite *delayproxy_suite(void);
Suite *delayproxy_fail_suite(void);
Suite *network_suite(void);
Suite *web_suite(void);
Suite *browser_suite(void);
Suite *wsprobe_fail_suite(void);
Suite *wsprobe_tls_suite(void);
Suite *wsprobe_suite(void);
Suite *lab09_suite(void);

#endif
