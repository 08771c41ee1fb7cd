/*
 * integration_main.c: runs the integration suites: real server and harness
 * processes from $SENDLAB_BUILD (default build/), driven over loopback.
 * CK_RUN_SUITE=shape (Check's own variable) runs just one suite.
 */
#include "tests/suites.h"

#include <stdlib.h>

int main(void)
{
	SRunner *sr = srunner_create(server_suite());

	srunner_add_suite(sr, badinput_suite());
	srunner_add_suite(sr, badframes_suite());
	srunner_add_suite(sr, abuse_suite());
	srunner_add_suite(sr, limits_suite());
	srunner_add_suite(sr, shape_suite());
	srunner_add_suite(sr, harness_suite());
	srunner_add_suite(sr, harness_fail_suite());
	srunner_add_suite(sr, variants_suite());
	srunner_add_suite(sr, fixes_suite());
	srunner_add_suite(sr, threadpool_suite());
	srunner_add_suite(sr, partition_suite());
	srunner_add_suite(sr, python_suite());
	srunner_add_suite(sr, summarize_suite());
	srunner_add_suite(sr, grade_suite());
	srunner_add_suite(sr, grade_tsan_suite());
	srunner_add_suite(sr, labrun_suite());
	srunner_add_suite(sr, scaling_run_suite());
	srunner_add_suite(sr, run_of_suite());
	srunner_add_suite(sr, delayproxy_suite());
	srunner_add_suite(sr, delayproxy_fail_suite());
	srunner_add_suite(sr, network_suite());
	srunner_add_suite(sr, wsprobe_fail_suite());
	srunner_add_suite(sr, wsprobe_tls_suite());
	srunner_add_suite(sr, web_suite());
	srunner_add_suite(sr, browser_suite());
	srunner_add_suite(sr, wsprobe_suite());
	srunner_add_suite(sr, lab09_suite());
	srunner_run_all(sr, CK_NORMAL);

	int failed = srunner_ntests_failed(sr);

	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
