/*
 * cases.h: lab 09's fifteen hidden cases (labs/09-mystery/README.md).
 *
 * server-mystery runs one of the five variants under one of the three
 * send disciplines, chosen when it is built from a number 0..999999. This
 * is the table of those cases, the number -> case mapping, and what a
 * student should see of each case from outside: the words a student
 * writes for it, and their parsing. Pure (no lws, no I/O), so the grader
 * and the unit tests can use it as well as server-mystery.
 */
#ifndef SENDLAB_MYSTERY_CASES_H
#define SENDLAB_MYSTERY_CASES_H

/* Plain integers: mystery.c checks its build number against them in #if. */
#define MYSTERY_NUMBER_MAX 999999
#define MYSTERY_CASES 15	/* 5 variants x 3 send disciplines */

/* How long the event loop stays blocked while a job runs: a whole job, an
 * item, a slice of an item, or never. */
enum mystery_loop {
	MYSTERY_LOOP_JOB,
	MYSTERY_LOOP_ITEM,
	MYSTERY_LOOP_SLICE,
	MYSTERY_LOOP_NEVER,
};

/* How a job's results arrive: all together at the end, the first alone
 * then the rest together, or each as it is computed. */
enum mystery_arrivals {
	MYSTERY_ARRIVALS_CLUMPED,
	MYSTERY_ARRIVALS_FIRST_THEN_CLUMPED,
	MYSTERY_ARRIVALS_SPACED,
};

/* Whether the gap between two items grows with the client's round trip
 * (the next item waits for the client) or not. */
enum mystery_round_trip {
	MYSTERY_RT_BOUND,
	MYSTERY_RT_FREE,
};

/* What a probe can see of a case from outside. */
struct mystery_class {
	enum mystery_loop loop;
	enum mystery_arrivals arrivals;
	enum mystery_round_trip round_trip;
};

/* One hidden case: the variant (its src/servers/ name) and its --send
 * discipline, with the class a correct probe finds for it. */
struct mystery_case {
	const char *variant;	/* blocking, flush, pingpong, threadpool, partition */
	const char *send;	/* proactor, queue, direct */
	struct mystery_class expected;
};

/* The case index 0..MYSTERY_CASES-1 of a build number 0..MYSTERY_NUMBER_MAX,
 * through a fixed scrambling (not the identity: number 0 is not case 0), so
 * that neighbouring numbers are not neighbouring cases. -1 if number is out
 * of range. */
int mystery_case_of(long number);

/* The case at index 0..MYSTERY_CASES-1, or NULL for any other index.
 * Cases are ordered by variant, then by send discipline. */
const struct mystery_case *mystery_case_at(int index);

/* Each value as the exact word a student writes ("job", "first-then-
 * clumped", "free", ...); "?" for a value outside the enum. */
const char *mystery_loop_name(enum mystery_loop l);
const char *mystery_arrivals_name(enum mystery_arrivals a);
const char *mystery_round_trip_name(enum mystery_round_trip rt);

/* The enum value a student's word names (exact and case-sensitive, as the
 * *_name functions write it), or -1 for any other word (NULL included). */
int mystery_loop_parse(const char *word);
int mystery_arrivals_parse(const char *word);
int mystery_round_trip_parse(const char *word);

#endif
