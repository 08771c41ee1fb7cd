/*
 * unit_main.c: runs the unit suites (pure functions, no processes, no
 * sockets). `make test` runs this first, then the integration runner.
 */
#include "tests/suites.h"

#include <stdlib.h>

int main(void)
{
	SRunner *sr = srunner_create(json_suite());

	srunner_add_suite(sr, stats_suite());
	srunner_add_suite(sr, proto_suite());
	srunner_add_suite(sr, work_suite());
	srunner_add_suite(sr, options_suite());
	srunner_add_suite(sr, origin_suite());
	srunner_add_suite(sr, sendq_suite());
	srunner_add_suite(sr, lag_suite());
	srunner_add_suite(sr, args_suite());
	srunner_add_suite(sr, reply_suite());
	srunner_add_suite(sr, report_suite());
	srunner_add_suite(sr, summary_suite());
	srunner_add_suite(sr, csvin_suite());
	srunner_add_suite(sr, scaling_suite());
	srunner_add_suite(sr, scaling_read_suite());
	srunner_add_suite(sr, same_work_suite());
	srunner_add_suite(sr, relay_suite());
	srunner_add_suite(sr, probeurl_suite());
	srunner_add_suite(sr, probeopt_suite());
	srunner_add_suite(sr, probelog_suite());
	srunner_add_suite(sr, probestat_suite());
	srunner_add_suite(sr, mystery_suite());
	srunner_run_all(sr, CK_NORMAL);

	int failed = srunner_ntests_failed(sr);

	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
