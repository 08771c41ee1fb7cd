/*
 * grade_lab09.c: the checks of lab 09, the mystery server.
 *
 *   build/grade 09 ANSWER NUMBER
 *
 * There is no code to grade: the student hands in ANSWER
 * (labs/09-mystery/answer.txt): the server's class in three words and the
 * path of a wsprobe CSV of the lab's job as evidence. Graded: the
 * evidence is a wsprobe CSV of that job; it shows the loop and arrivals
 * the answer claims (recomputed here with mystery/classify.c, the same
 * thresholds for everyone, so a guess without a measurement that shows it
 * fails); and the answer is the class of the hidden case of NUMBER
 * (mystery/cases.c), which the messages never name.
 */
#include "grade/grade.h"

#include "mystery/cases.h"
#include "mystery/classify.h"
#include "probe/probelog.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The lab's job (labs/09-mystery/README.md): one result per item. */
#define LAB09_ITEMS 6
#define LAB09_WORK_MS 150
#define LAB09_VALUE_MAX 512

struct lab09_answer {
	char loop[LAB09_VALUE_MAX], arrivals[LAB09_VALUE_MAX];
	char round_trip[LAB09_VALUE_MAX], evidence[LAB09_VALUE_MAX];
};

/* s without leading and trailing white space, in place. */
static char *lab09_trim(char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* Reads "key: value" lines ('#' starts a comment line) into *a; false
 * with a FAIL line if the file cannot be read or has a line of another
 * form. */
static bool lab09_read_answer(struct grade *g, const char *path, struct lab09_answer *a)
{
	FILE *f = fopen(path, "r");
	char line[LAB09_VALUE_MAX + 32];
	int lineno = 0;

	memset(a, 0, sizeof(*a));
	if (!f) {
		grade_check(g, false, "the answer file %s can be read: %s", path,
			    strerror(errno));
		return false;
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = lab09_trim(line), *colon = strchr(s, ':');
		char *field = NULL;

		lineno++;
		if (!*s || *s == '#')
			continue;
		if (colon) {
			*colon = '\0';
			char *key = lab09_trim(s);

			field = !strcmp(key, "loop") ? a->loop
			      : !strcmp(key, "arrivals") ? a->arrivals
			      : !strcmp(key, "round-trip") ? a->round_trip
			      : !strcmp(key, "evidence") ? a->evidence : NULL;
		}
		if (!field) {
			grade_check(g, false, "%s line %d is 'loop:', 'arrivals:', "
				    "'round-trip:' or 'evidence:' followed by your answer",
				    path, lineno);
			fclose(f);
			return false;
		}
		snprintf(field, LAB09_VALUE_MAX, "%s", lab09_trim(colon + 1));
	}
	fclose(f);
	return true;
}

/* One of the three words: a PASS line naming it, or a FAIL line listing
 * the words allowed. Returns its enum value or -1. */
static int lab09_word(struct grade *g, const char *key, const char *value,
		      int parsed, const char *allowed)
{
	if (parsed >= 0)
		return parsed;
	grade_check(g, false, "%s: '%s' is one of %s", key, value, allowed);
	return -1;
}

/* The evidence: a wsprobe CSV holding the lab's job. Fills *j; false
 * after a FAIL line. */
static bool lab09_evidence(struct grade *g, const char *path, struct classify_job *j)
{
	struct probelog log;
	char err[256];
	FILE *f = *path ? fopen(path, "r") : NULL;
	bool ok = false;

	if (!f) {
		grade_check(g, false, "evidence: the wsprobe CSV '%s' can be read%s%s",
			    path, *path ? ": " : " (nothing after 'evidence:')",
			    *path ? strerror(errno) : "");
		return false;
	}
	probelog_init(&log, 2000000, 1000000, 100000);
	if (!probelog_read_csv(&log, f, err, sizeof(err))) {
		grade_check(g, false, "evidence: %s is a wsprobe CSV: %s", path, err);
	} else if (!classify_job(&log, LAB09_ITEMS, j, err, sizeof(err))) {
		grade_check(g, false, "evidence: %s holds the lab's job (%d x %d ms): %s",
			    path, LAB09_ITEMS, LAB09_WORK_MS, err);
	} else {
		double job_ms = grade_ms(j->t_last_us - j->t_send_us);
		double least = LAB09_ITEMS * LAB09_WORK_MS / 2.0;

		ok = job_ms >= least;
		grade_check(g, ok, "evidence: %s holds the lab's job: its %d results "
			    "came %.0f ms after the send (%d x %d ms of work: >= %.0f), "
			    "and %zu ping%s sent meanwhile%s", path, LAB09_ITEMS, job_ms,
			    LAB09_ITEMS, LAB09_WORK_MS, least, j->pings, j->pings == 1 ? " was" : "s were",
			    ok ? "" : ". Likely cause: a shorter job than the lab's");
	}
	fclose(f);
	probelog_free(&log);
	return ok;
}

void grade_lab09(struct grade *g, const char *answer_path, const char *number)
{
	struct lab09_answer a;
	struct classify_job j;
	char *end;
	long n = strtol(number, &end, 10);
	const struct mystery_case *c = *number && !*end ? mystery_case_at(mystery_case_of(n))
						     : NULL;

	if (!c) {
		grade_check(g, false, "the mystery number '%s' is 0..%d (make mystery "
			    "writes it to build/labs/mystery.id)", number, MYSTERY_NUMBER_MAX);
		return;
	}
	if (!lab09_read_answer(g, answer_path, &a))
		return;
	int loop = lab09_word(g, "loop", a.loop, mystery_loop_parse(a.loop),
			      "job, item, slice, never");
	int arrivals = lab09_word(g, "arrivals", a.arrivals,
				  mystery_arrivals_parse(a.arrivals),
				  "clumped, first-then-clumped, spaced");
	int round_trip = lab09_word(g, "round-trip", a.round_trip,
				    mystery_round_trip_parse(a.round_trip), "bound, free");

	if (lab09_evidence(g, a.evidence, &j)) {
		grade_check(g, loop >= 0 && (int)j.loop == loop, "evidence shows the loop "
			    "you wrote: the longest pong wait while the job ran was "
			    "%.1f ms of its %.1f ms, the median %.2f ms, which is '%s' "
			    "(>= %.0f%% of the job: job; >= %.0f ms: item; a median >= "
			    "%.0f ms: slice; else never); you wrote '%s'",
			    grade_ms(j.worst_wait_us), grade_ms(j.t_last_us - j.t_send_us),
			    grade_ms(j.median_wait_us), mystery_loop_name(j.loop),
			    CLASSIFY_JOB_SHARE * 100, grade_ms(CLASSIFY_ITEM_MIN_US),
			    grade_ms(CLASSIFY_SLICE_MEDIAN_US), a.loop);
		if (!j.arrivals_clear)
			grade_check(g, false, "evidence shows one of the three arrival "
				    "patterns: the %d results came in %zu groups (the first "
				    "of %zu), none of clumped, first-then-clumped, spaced. "
				    "Likely cause: a busy machine; probe again",
				    LAB09_ITEMS, j.groups, j.first_group);
		else
			grade_check(g, arrivals >= 0 && (int)j.arrivals == arrivals,
				    "evidence shows the arrivals you wrote: the %d results "
				    "came in %zu groups of messages each within 1 ms of the "
				    "one before (the first of %zu), which is '%s'; you wrote '%s'",
				    LAB09_ITEMS, j.groups, j.first_group,
				    mystery_arrivals_name(j.arrivals), a.arrivals);
	}
	/* the answer against the hidden case: the messages never name it */
	if (loop >= 0)
		grade_check(g, loop == (int)c->expected.loop, "loop: '%s' is how "
			    "server-mystery %ld blocks its loop%s", a.loop, n,
			    loop == (int)c->expected.loop ? "" : ". Likely cause: "
			    "evidence from another server, or a probe that missed the job");
	if (arrivals >= 0)
		grade_check(g, arrivals == (int)c->expected.arrivals, "arrivals: '%s' is "
			    "how server-mystery %ld's results arrive", a.arrivals, n);
	if (round_trip >= 0)
		grade_check(g, round_trip == (int)c->expected.round_trip, "round-trip: "
			    "'%s' is whether server-mystery %ld's items wait for a round "
			    "trip%s", a.round_trip, n,
			    round_trip == (int)c->expected.round_trip ? "" : ". Likely "
			    "cause: on one host a round trip is a fraction of a millisecond: "
			    "probe through build/delayproxy and compare the spacing");
}
