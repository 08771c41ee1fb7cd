/*
 * probefixture.h: what the unit tests of src/probe and src/mystery share
 * to build probelogs by hand.
 */
#ifndef SENDLAB_PROBEFIXTURE_H
#define SENDLAB_PROBEFIXTURE_H

#include "probe/probelog.h"

#include <check.h>
#include <stdint.h>

#define MS 1000	/* microseconds */

/* A ping at sent, answered at pong (0: not answered). */
static inline void probe_fixture_ping(struct probelog *log, int64_t sent, int64_t pong)
{
	long k = probelog_add_ping(log, sent, 8);

	ck_assert_int_ge(k, 0);
	log->pings[k].t_pong_us = pong;
}

#endif
