/*
 * options.c: strict parsing of the shared server command line.
 *
 * Every option is one row of option_table: its name, what kind of value it
 * takes, where the value goes and, for the options only some variants
 * accept, which OPTIONS_* flag that is. The parser is a loop over argv that
 * finds the row and stores the value; all messages are built from the row,
 * so a new option is a new row (and a line of usage text).
 */
#include "core/options.h"

#include "common/cli.h"

#include <stddef.h>
#include <string.h>

const char *options_send_name(enum send_mode m)
{
	switch (m) {
	case SEND_PROACTOR: return "proactor";
	case SEND_QUEUE: return "queue";
	case SEND_DIRECT: return "direct";
	}
	return "?";
}

const char *options_work_name(enum work_kind k)
{
	return k == WORK_SLEEP ? "sleep" : "cpu";
}

const char *options_priority_name(enum worker_priority p)
{
	switch (p) {
	case PRIORITY_NORMAL: return "normal";
	case PRIORITY_NICE: return "nice";
	case PRIORITY_IDLE: return "idle";
	}
	return "?";
}

const char *options_yield_name(enum yield_mode y)
{
	switch (y) {
	case YIELD_TURN: return "turn";
	case YIELD_WRITEABLE: return "writeable";
	case YIELD_WAKE: return "wake";
	case YIELD_TIMER0: return "timer0";
	case YIELD_TIMER1: return "timer1";
	}
	return "?";
}

enum option_kind {
	OPT_FLAG,	/* no value: sets a bool */
	OPT_TEXT,	/* a non-empty string */
	OPT_INT,	/* an integer in [min, max] */
	OPT_WORD,	/* one of the words of `words`: stores its index */
	OPT_ORIGIN,	/* an origin (origin_valid): appended to allow_origin */
};

struct option_row {
	const char *name;
	enum option_kind kind;
	size_t offset;		/* of the field in struct options */
	long min, max;		/* OPT_INT */
	const char *const *words; /* OPT_WORD: NULL-terminated, in enum order */
	const char *what;	/* OPT_TEXT: what the value is, for "needs ..." */
	unsigned only;		/* 0, or the OPTIONS_* flag a variant must have */
	const char *only_for;	/* ... and the sentence refusing it elsewhere,
				   "%s" being the variant's name */
};

static const char *const send_words[] = { "proactor", "queue", "direct", NULL };
static const char *const work_words[] = { "cpu", "sleep", NULL };
static const char *const priority_words[] = { "normal", "nice", "idle", NULL };
static const char *const yield_words[] = { "turn", "writeable", "wake", "timer0", "timer1", NULL };

#define AT(field) offsetof(struct options, field)

#define FLAG(n, f) { .name = n, .kind = OPT_FLAG, .offset = AT(f) }
#define TEXT(n, f, w) { .name = n, .kind = OPT_TEXT, .offset = AT(f), .what = w }
#define INT(n, f, lo, hi) { .name = n, .kind = OPT_INT, .offset = AT(f), .min = lo, .max = hi }
#define WORD(n, f, w) { .name = n, .kind = OPT_WORD, .offset = AT(f), .words = w }

static const struct option_row option_table[] = {
	FLAG("--help", help),
	FLAG("--quiet", quiet),
	FLAG("--calibrate", calibrate),
	TEXT("--host", host, "an address"),
	TEXT("--lag-log", lag_log, "a file name"),
	INT("--port", port, 0, 65535),
	INT("--max-clients", max_clients, 1, OPTIONS_MAX_CLIENTS_MAX),
	INT("--idle-timeout-s", idle_timeout_s, 0, OPTIONS_IDLE_TIMEOUT_MAX),
	INT("--iters-per-ms", iters_per_ms, 1, OPTIONS_ITERS_PER_MS_MAX),
	INT("--clock-offset-ms", clock_offset_ms, 0,
	    OPTIONS_CLOCK_OFFSET_MAX),
	FLAG("--nagle", nagle),
	{ .name = "--allow-origin", .kind = OPT_ORIGIN, .offset = AT(allow_origin) },
	WORD("--send", send, send_words),
	WORD("--work", work, work_words),
	{ .name = "--threads", .kind = OPT_INT, .offset = AT(threads),
	  .min = 1, .max = OPTIONS_THREADS_MAX, .only = OPTIONS_THREADS,
	  .only_for = "--threads is only for server-threadpool: server-%s "
		      "computes on its event-loop thread" },
	{ .name = "--worker-priority", .kind = OPT_WORD,
	  .offset = AT(worker_priority), .words = priority_words,
	  .only = OPTIONS_THREADS,
	  .only_for = "--worker-priority is only for server-threadpool: "
		      "server-%s has no worker threads" },
	{ .name = "--loop-slice-us", .kind = OPT_INT, .offset = AT(loop_slice_us),
	  .min = 0, .max = OPTIONS_LOOP_SLICE_MAX, .only = OPTIONS_THREADS,
	  .only_for = "--loop-slice-us is only for server-threadpool: "
		      "server-%s computes on its event-loop thread" },
	{ .name = "--pong-timeout-ms", .kind = OPT_INT, .offset = AT(pong_timeout_ms),
	  .min = 1, .max = OPTIONS_PONG_TIMEOUT_MAX, .only = OPTIONS_PONG_TIMEOUT,
	  .only_for = "--pong-timeout-ms is only for server-pingpong: "
		      "server-%s sends no pings" },
	{ .name = "--slice-ms", .kind = OPT_INT, .offset = AT(slice_ms),
	  .min = 1, .max = OPTIONS_SLICE_MAX, .only = OPTIONS_SLICES,
	  .only_for = "--slice-ms is only for server-partition: server-%s "
		      "computes each item in one piece" },
	{ .name = "--yield", .kind = OPT_WORD, .offset = AT(yield),
	  .words = yield_words, .only = OPTIONS_SLICES,
	  .only_for = "--yield is only for server-partition: server-%s "
		      "does not slice its items" },
};

void options_usage(FILE *f, const char *variant, unsigned allowed)
{
	fprintf(f,
		"usage: server-%s [options]\n"
		"  --host ADDR     address to listen on (default 127.0.0.1; any other\n"
		"                  address exposes a lab server that has no authentication)\n"
		"  --port N        TCP port, 0 for any free one (default %d)\n"
		"  --send MODE     send discipline: proactor (default), queue or direct\n"
		"  --work KIND     a work item is: cpu (default: real computation)\n"
		"                  or sleep (blocks like a synchronous I/O call)\n"
		"  --iters-per-ms N  the cpu kernel's speed to assume, 1..%d, instead\n"
		"                  of measuring it at start-up (an experiment measures\n"
		"                  it once and gives every server the same figure)\n"
		"  --calibrate     measure the kernel's speed, print\n"
		"                  \"iters_per_ms N\" and exit\n"
		"  --lag-log FILE  append event-loop lag samples to FILE as CSV t_us,lag_us\n"
		"  --max-clients N connections at once, 1..%d (default %d); the next\n"
		"                  one is closed with 1013 \"server full\"\n"
		"  --idle-timeout-s T  ping a WebSocket that sent nothing for T s\n"
		"                  (no job running), close it with 1001 if it does not\n"
		"                  answer; 0..%d, 0 = never (default %d)\n"
		"  --quiet         print no stall warnings\n"
		"  --allow-origin ORIGIN  also let the page at ORIGIN (e.g.\n"
		"                  http://127.0.0.1:7682) open WebSockets here; the\n"
		"                  server's own page may, no other page may; repeatable\n"
		"                  up to %d times\n"
		"experiment-only (docs/network.md):\n"
		"  --clock-offset-ms MS  add MS to every timestamp sent, as if this\n"
		"                  server's clock were another machine's\n"
		"  --nagle         turn Nagle's algorithm back on (lws turns it off)\n",
		variant, OPTIONS_DEFAULT_PORT, OPTIONS_ITERS_PER_MS_MAX,
		OPTIONS_MAX_CLIENTS_MAX, OPTIONS_MAX_CLIENTS_DEFAULT,
		OPTIONS_IDLE_TIMEOUT_MAX, OPTIONS_IDLE_TIMEOUT_DEFAULT, ORIGIN_ALLOWED_MAX);
	if (allowed & OPTIONS_THREADS)
		fprintf(f, "  --threads N     worker threads, 1..%d (default: online CPUs)\n"
			   "  --worker-priority P  the workers' scheduling: normal (as the\n"
			   "                  loop), nice (nice +5) or idle (SCHED_IDLE: they run\n"
			   "                  only when nothing else wants the core); default %s\n"
			   "  --loop-slice-us US  the event-loop thread's scheduler slice,\n"
			   "                  0..%d (0: the kernel's; Linux >= 6.12 honours\n"
			   "                  100 and up); default %d\n",
			OPTIONS_THREADS_MAX, options_priority_name(OPTIONS_PRIORITY_DEFAULT),
			OPTIONS_LOOP_SLICE_MAX, OPTIONS_LOOP_SLICE_DEFAULT);
	if (allowed & OPTIONS_PONG_TIMEOUT)
		fprintf(f, "  --pong-timeout-ms MS  abandon a job whose client does not answer\n"
			   "                  a ping within MS ms, 1..%d (default %d)\n",
			OPTIONS_PONG_TIMEOUT_MAX, OPTIONS_PONG_TIMEOUT_DEFAULT);
	if (allowed & OPTIONS_SLICES)
		fprintf(f, "  --slice-ms S    compute each item in slices of at most S ms of\n"
			   "                  work, 1..%d, and let the loop turn between them\n"
			   "                  (default %d)\n"
			   "  --yield HOW     how the loop is asked back after a slice:\n"
			   "                  turn, writeable, wake, timer0 or timer1 (default %s;\n"
			   "                  docs/variants.md compares them)\n",
			OPTIONS_SLICE_MAX, OPTIONS_SLICE_DEFAULT,
			options_yield_name(OPTIONS_YIELD_DEFAULT));
	fprintf(f, "  --help          show this text\n"
		   "Prints \"listening on ws://HOST:PORT/\" when ready; "
		   "SIGINT or SIGTERM stops it.\n"
		   "A browser at http://HOST:PORT/ gets the live view (docs/live.md).\n");
}

static const struct option_row *option_find(const char *name)
{
	for (size_t i = 0; i < sizeof(option_table) / sizeof(option_table[0]); i++)
		if (!strcmp(option_table[i].name, name))
			return &option_table[i];
	return NULL;
}

/* "a, b or c": the words of an OPT_WORD row, for its error message. */
static void option_word_list(const char *const *words, char *buf, size_t cap)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; words[i] && used < cap; i++) {
		const char *sep = i == 0 ? "" : words[i + 1] ? ", " : " or ";
		int n = snprintf(buf + used, cap - used, "%s%s", sep, words[i]);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* Stores val into the field of row r in *o; false with the sentence in err. */
static bool option_store(const struct option_row *r, const char *val,
			 struct options *o, char *err, size_t errcap)
{
	void *field = (char *)o + r->offset;

	switch (r->kind) {
	case OPT_FLAG:
		*(bool *)field = true;
		return true;
	case OPT_TEXT:
		if (!*val)
			return cli_fail(err, errcap, "%s needs %s", r->name, r->what);
		*(const char **)field = val;
		return true;
	case OPT_INT:
		if (!cli_int(val, r->min, r->max, (int *)field))
			return cli_fail(err, errcap, "%s must be an integer from %ld "
					"to %ld, not '%s'", r->name, r->min, r->max, val);
		return true;
	case OPT_WORD:
		for (int i = 0; r->words[i]; i++)
			if (!strcmp(val, r->words[i])) {
				*(int *)field = i;
				return true;
			}
		char list[96];

		option_word_list(r->words, list, sizeof(list));
		return cli_fail(err, errcap, "%s must be %s, not '%s'", r->name,
				list, val);
	case OPT_ORIGIN: {
		char why[128];

		if (!origin_valid(val, why, sizeof(why)))
			return cli_fail(err, errcap, "%s '%.60s': %s", r->name,
					val, why);
		if (o->n_allow_origin >= ORIGIN_ALLOWED_MAX)
			return cli_fail(err, errcap, "%s may be given at most "
					"%d times", r->name, ORIGIN_ALLOWED_MAX);
		o->allow_origin[o->n_allow_origin++] = val;
		return true;
	}
	}
	return false;
}

bool options_parse(int argc, char **argv, const char *variant,
		   unsigned allowed, struct options *o, char *err,
		   size_t errcap)
{
	*o = (struct options){ .host = "127.0.0.1",
			       .port = OPTIONS_DEFAULT_PORT,
			       .send = SEND_PROACTOR,
			       .work = WORK_CPU,
			       .worker_priority = OPTIONS_PRIORITY_DEFAULT,
			       .loop_slice_us = OPTIONS_LOOP_SLICE_DEFAULT,
			       .pong_timeout_ms = OPTIONS_PONG_TIMEOUT_DEFAULT,
			       .slice_ms = OPTIONS_SLICE_DEFAULT,
			       .yield = OPTIONS_YIELD_DEFAULT,
			       .max_clients = OPTIONS_MAX_CLIENTS_DEFAULT,
			       .idle_timeout_s = OPTIONS_IDLE_TIMEOUT_DEFAULT };

	for (int i = 1; i < argc; i++) {
		char name[32];
		const char *eq;

		if (!cli_option(argv[i], name, sizeof(name), &eq, err, errcap))
			return false;

		const struct option_row *r = option_find(name);

		if (!r)
			return cli_fail(err, errcap, "unknown option '%s'", name);
		if (r->only && !(allowed & r->only))
			return cli_fail(err, errcap, r->only_for, variant);

		const char *val = NULL;

		if (r->kind == OPT_FLAG) {
			if (eq)
				return cli_fail(err, errcap, "%s takes no value", name);
		} else {
			val = cli_value(argc, argv, &i, eq);
			if (!val)
				return cli_fail(err, errcap, "%s needs a value", name);
		}
		if (!option_store(r, val, o, err, errcap))
			return false;
	}
	return true;
}

int options_threads_default(long online_cpus)
{
	if (online_cpus < 1)
		return 1;
	return online_cpus > OPTIONS_THREADS_MAX ? OPTIONS_THREADS_MAX : (int)online_cpus;
}
