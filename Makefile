# sendlab: build, test and run the experiment. `make help` lists the targets.
#
# Every target that needs the C toolchain or the libraries first runs
# scripts/install-deps.sh once (the stamp file makes later runs instant), so
# `make test` and `make experiment` work on a fresh Debian/Ubuntu machine.

BUILD ?= build
SAN ?=
comma := ,
# A sanitizer build never mixes objects with the plain one: with SAN= and
# no BUILD= on the command line, it goes to build/<first sanitizer>.
ifneq ($(SAN),)
ifeq ($(origin BUILD),file)
BUILD := build/$(firstword $(subst $(comma), ,$(SAN)))
endif
endif
CC ?= cc
OPT ?= -O2 -g

SERVERS := blocking flush pingpong threadpool partition

CPPFLAGS += -D_POSIX_C_SOURCE=200809L -Isrc
CFLAGS_ALL = -std=c11 -Wall -Wextra -Wpedantic -Werror $(OPT) -pthread -MMD -MP \
	$(if $(SAN),-fsanitize=$(SAN) -fno-omit-frame-pointer -fno-sanitize-recover=all) \
	$(CFLAGS)
LDFLAGS_ALL = -pthread $(if $(SAN),-fsanitize=$(SAN)) $(LDFLAGS)
# Deferred (=) so pkg-config runs after the installer, not when make starts.
LWS_LIBS = $(shell pkg-config --libs libwebsockets)
CHECK_CFLAGS = $(shell pkg-config --cflags check)
CHECK_LIBS = $(shell pkg-config --libs check)

DEPS_STAMP := build/.deps-installed

COMMON_SRC := src/common/cli.c src/common/json.c src/common/stats.c
CORE_SRC := $(filter-out src/core/server.c,$(wildcard src/core/*.c))
# the harness program's lws side stays out of the unit tests' link
HARNESS_MAIN_SRC := src/harness/main.c src/harness/conn.c src/harness/run.c src/harness/output.c
HARNESS_SRC := $(filter-out $(HARNESS_MAIN_SRC),$(wildcard src/harness/*.c))
# every main of src/analysis/ is its own program
ANALYSIS_MAINS := src/analysis/main.c src/analysis/scaling_main.c
ANALYSIS_SRC := $(filter-out $(ANALYSIS_MAINS),$(wildcard src/analysis/*.c))

obj = $(patsubst src/%.c,$(BUILD)/obj/%.o,$(1))
COMMON_OBJ := $(call obj,$(COMMON_SRC))
# the loop timer needs lws: linked by the servers and the harness only
LOOPTIMER_OBJ := $(BUILD)/obj/common/looptimer.o
# the live view's files, compiled in (scripts/embed.sh; core/page.h)
WEB_FILES := src/web/index.html src/web/live.css src/web/live.js
PAGE_FILES_OBJ := $(BUILD)/obj/gen/page_files.o
CORE_OBJ := $(call obj,$(CORE_SRC) src/core/server.c) $(PAGE_FILES_OBJ)
HARNESS_OBJ := $(call obj,$(HARNESS_SRC))
ANALYSIS_OBJ := $(call obj,$(ANALYSIS_SRC))
# the core without its lws glue, for the unit tests
UNIT_CORE_OBJ := $(filter-out $(addprefix $(BUILD)/obj/core/,server.o session.o send.o yield.o threadsched.o workers.o completion.o page.o idle.o fdlimit.o) $(PAGE_FILES_OBJ),$(CORE_OBJ))

SERVER_BINS := $(addprefix $(BUILD)/server-,$(SERVERS))
BINS := $(SERVER_BINS) $(BUILD)/harness $(BUILD)/summarize $(BUILD)/scaling-summarize $(BUILD)/grade \
	$(BUILD)/delayproxy $(BUILD)/wsprobe

# build/wsprobe (src/probe/): any WebSocket server's loop, seen from
# outside through PING/PONG; its records, analysis and CSV are pure and in
# the unit tests (and the grader's lab 09 reads the CSV with them)
PROBE_MAIN_SRC := src/probe/wsprobe.c src/probe/probeconn.c
PROBE_SRC := $(filter-out $(PROBE_MAIN_SRC),$(wildcard src/probe/*.c))
PROBE_OBJ := $(call obj,$(PROBE_SRC))
# lab 09's cases and the classification of a wsprobe CSV (pure; the
# program server-mystery is built by `make mystery`)
MYSTERY_PURE_OBJ := $(call obj,src/mystery/cases.c src/mystery/classify.c)

# build/delayproxy (src/proxy/): plain sockets and epoll, no lws; its
# relay queue is pure and in the unit tests
PROXY_SRC := $(wildcard src/proxy/*.c)
RELAY_OBJ := $(BUILD)/obj/proxy/relay.o

# the independent WebSocket client, child processes and the watched job:
# shared by the integration tests and the grader (src/client/)
CLIENT_SRC := $(wildcard src/client/*.c)
CLIENT_OBJ := $(call obj,$(CLIENT_SRC))

# unit tests: pure functions (the core without its lws glue and threads:
# server.c, session.c, send.c, yield.c, threadsched.c, workers.c, completion.c,
# page.c, idle.c);
# integration tests: processes over loopback
INTEGRATION_TEST_SRC := src/tests/integration_main.c src/tests/test_server.c \
	src/tests/test_badinput.c src/tests/test_badframes.c src/tests/test_shape.c \
	src/tests/test_harness.c src/tests/test_harness_fail.c src/tests/harnessout.c \
	src/tests/test_variants.c src/tests/test_fixes.c src/tests/test_threadpool.c \
	src/tests/test_partition.c src/tests/test_python.c \
	src/tests/test_summarize.c src/tests/test_grade.c src/tests/test_abuse.c src/tests/test_limits.c \
	src/tests/test_scaling_run.c src/tests/test_run_of.c src/tests/test_labrun.c \
	src/tests/test_delayproxy.c src/tests/test_delayproxy_fail.c src/tests/dptest.c \
	src/tests/test_network.c \
	src/tests/test_web.c src/tests/test_browser.c src/tests/cdp.c src/tests/test_wsprobe.c src/tests/test_lab09.c \
	src/tests/test_wsprobe_fail.c src/tests/test_wsprobe_tls.c src/tests/fakews.c \
	src/tests/wprun.c \
	src/tests/observe.c src/tests/testutil.c $(CLIENT_SRC)
UNIT_TEST_SRC := src/tests/unit_main.c \
	$(filter-out $(INTEGRATION_TEST_SRC),$(wildcard src/tests/test_*.c))
UNIT_TESTS := $(BUILD)/tests/unit
INTEGRATION_TESTS := $(BUILD)/tests/integration

.PHONY: all help deps test test-asan test-tsan test-valgrind fuzz experiment demo network scaling partition-sweep plots grade include-graph words clean clean-results FORCE
.DEFAULT_GOAL := all
# Keep every object: without this make deletes the "intermediate" ones of
# pattern chains and rebuilds them on the next target.
.SECONDARY:
.SECONDEXPANSION:

all: $(BINS) ## build every server variant and the harness into build/

help: ## list the targets
	@echo "sendlab make targets:"
	@grep -hE '^[a-z][a-zA-Z_-]*:.*## ' $(MAKEFILE_LIST) | \
		awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'
	@echo "experiment variables (make experiment RUNS=5 ...): RUNS=$(RUNS) ITEMS=$(ITEMS)" \
		"WORK_MS=$(WORK_MS) BYSTANDER_MS=$(BYSTANDER_MS) QUICK=$(QUICK) VARIANTS='$(VARIANTS)'" \
		"PEERS=$(PEERS) (none: no Python) PY_RUNS=$(PY_RUNS) PY_VARIANTS='$(PY_VARIANTS)'" \
		"ITERS_PER_MS=N (reuse a calibration; both experiment and scaling)"
	@echo "scaling variables (make scaling SCALING=full ...): SCALING (short: make experiment's;" \
		"default: make scaling's; full);" \
		"a grid of your own: SCALING_VARIANTS SCALING_WORKS SCALING_POOLS SCALING_CLIENTS;" \
		"each point: SCALING_RUNS SCALING_ITEMS SCALING_WORK_MS (docs/scaling.md)"

deps: $(DEPS_STAMP) ## install missing Debian packages (apt-get; sudo if not root)

$(DEPS_STAMP): scripts/install-deps.sh
	@sh scripts/install-deps.sh
	@mkdir -p $(@D) && touch $@

$(BUILD)/obj/%.o: src/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/gen/page_files.c: $(WEB_FILES) scripts/embed.sh
	@mkdir -p $(@D)
	sh scripts/embed.sh $@ $(WEB_FILES)

$(PAGE_FILES_OBJ): $(BUILD)/gen/page_files.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_ALL) -c $< -o $@

# -lm: common/stats.c's ceil() (an -O2 gcc inlines it; -O0 or clang may not)
$(BUILD)/server-%: $(BUILD)/obj/servers/%.o $(CORE_OBJ) $(LOOPTIMER_OBJ) $(COMMON_OBJ)
	$(CC) $(LDFLAGS_ALL) $^ $(LWS_LIBS) -lm -o $@

# lab exercises: labs/NN-name/exercise.c -> build/labs/server-labNN
# the labs with an exercise.c: every one graded by build/grade
LAB_DIRS := $(patsubst %/exercise.c,%,$(wildcard labs/[0-9][0-9]-*/exercise.c))
LAB_BINS := $(foreach d,$(LAB_DIRS),$(BUILD)/labs/server-lab$(firstword $(subst -, ,$(notdir $(d)))))

$(BUILD)/obj/labs/%.o: labs/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/labs/server-lab%: $$(BUILD)/obj/labs/$$(notdir $$(wildcard labs/$$*-*))/exercise.o \
		$(CORE_OBJ) $(LOOPTIMER_OBJ) $(COMMON_OBJ)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) $^ $(LWS_LIBS) -lm -o $@

# The starters as shipped (git HEAD, or the file when there is no git), for
# the test that the grader fails them: a student's edits must not change
# what `make test` checks.
LABS_GRADED := $(foreach d,$(LAB_DIRS),$(firstword $(subst -, ,$(notdir $(d)))))
STARTER_BINS := $(foreach l,$(LABS_GRADED),$(BUILD)/labs/starter-lab$(l))
$(BUILD)/labs/starter-lab%.c: FORCE | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@f=$$(ls -d labs/$*-*)/exercise.c; \
	{ git show HEAD:$$f 2>/dev/null || cat $$f; } >$@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(BUILD)/labs/starter-lab%: $(BUILD)/labs/starter-lab%.c $(CORE_OBJ) $(LOOPTIMER_OBJ) $(COMMON_OBJ)
	$(CC) $(CPPFLAGS) $(CFLAGS_ALL) $^ $(LDFLAGS_ALL) $(LWS_LIBS) -lm -o $@

# Plausible wrong solutions (src/tests/wrong/*.patch against the reference
# servers) that test_grade.c requires the grader to fail.
WRONG_PATCHES := $(wildcard src/tests/wrong/*.patch)
WRONG_BINS := $(patsubst src/tests/wrong/%.patch,$(BUILD)/wrong/%,$(WRONG_PATCHES))
$(BUILD)/wrong/%: src/tests/wrong/%.patch scripts/build-wrong.sh $(wildcard src/servers/*.c) \
		$(CORE_OBJ) $(LOOPTIMER_OBJ) $(COMMON_OBJ)
	@mkdir -p $(@D)
	@echo "build-wrong $*"
	@sh scripts/build-wrong.sh $< $@ "$(CC) $(CPPFLAGS) $(CFLAGS_ALL)" \
		"$(LDFLAGS_ALL) $(LWS_LIBS) -lm" $(CORE_OBJ) $(LOOPTIMER_OBJ) $(COMMON_OBJ)

# make grade LAB=02 builds labs/02-*/exercise.c and grades it; no LAB: all.
# Lab 04 is graded twice: as built, then built with ThreadSanitizer, which
# catches an unlocked ring that no timing can (src/tests/wrong/). Lab 09
# has no code: its answer file and wsprobe CSV are graded against the
# case of build/labs/mystery.id (a teacher: MYSTERY=N ANSWER=FILE).
LAB ?=
ANSWER ?= labs/09-mystery/answer.txt
GRADE_LABS = $(if $(LAB),$(filter $(LAB),$(LABS_GRADED) 09),$(LABS_GRADED) 09)
grade: $(BUILD)/grade $$(foreach l,$$(filter-out 09,$$(GRADE_LABS)),$(BUILD)/labs/server-lab$$(l)) ## grade your lab: make grade LAB=02 (or 03, 04, 08, 09; no LAB: all)
	@if [ -n "$(LAB)" ] && [ -z "$(GRADE_LABS)" ]; then \
		echo "make grade: lab $(LAB) has nothing to grade (labs with an exercise.c: $(LABS_GRADED); lab 09: an answer file)"; \
		exit 2; fi
	@rc=0; for lab in $(GRADE_LABS); do \
		if [ $$lab = 09 ]; then \
			n="$(MYSTERY)"; [ -n "$$n" ] || n=$$(cat $(MYSTERY_ID) 2>/dev/null) || { \
				echo "== lab 09: no mystery server yet: run make mystery first"; rc=1; continue; }; \
			echo "== lab 09: $(ANSWER) (mystery number $$n)"; \
			$(BUILD)/grade 09 "$(ANSWER)" "$$n" || rc=1; \
			continue; fi; \
		echo "== lab $$lab: $$(ls -d labs/$$lab-*)/exercise.c"; \
		$(BUILD)/grade $$lab $(BUILD)/labs/server-lab$$lab || rc=1; \
	done; \
	if [ -z "$(SAN)" ] && [ -n "$(filter 04,$(GRADE_LABS))" ]; then \
		echo "== lab 04 again, built with ThreadSanitizer: a data race fails it"; \
		$(MAKE) --no-print-directory BUILD=build/tsan SAN=thread OPT="-O1 -g" \
			build/tsan/labs/server-lab04 >/dev/null && \
		$(TSAN_ENV) $(BUILD)/grade 04 build/tsan/labs/server-lab04 || rc=1; \
	fi; exit $$rc

# Lab 09's hidden server (src/mystery/): make mystery [MYSTERY=N] builds
# build/labs/server-mystery, one of 15 (variant, --send) cases picked by the
# number N (0..999999; src/mystery/cases.c maps it). Without MYSTERY a
# random number is drawn once and kept in build/labs/mystery.id, so the
# same server comes back on every build; MYSTERY=N replaces it. Each
# src/servers/<v>.c is compiled a second time, its main() renamed, so all
# five are in every build and `strings` cannot tell which one runs.
MYSTERY ?=
MYSTERY_BIN := $(BUILD)/labs/server-mystery
MYSTERY_ID := $(BUILD)/labs/mystery.id
MYSTERY_OBJ := $(patsubst %,$(BUILD)/obj-mystery/%.o,$(SERVERS)) \
	$(BUILD)/obj-mystery/mystery.o $(BUILD)/obj/mystery/cases.o

.PHONY: mystery
mystery: $(MYSTERY_BIN) ## lab 09's hidden server: build/labs/server-mystery, a case picked by MYSTERY=N (0..999999; none: a random number, kept in build/labs/mystery.id)
	@echo "server-mystery built: $(MYSTERY_BIN) (number kept in $(MYSTERY_ID))"

# The number, rewritten only when it changes, so that mystery.o (which
# depends on it) is rebuilt exactly when the case may change. MYSTERY
# reaches the shell through the environment, never inside quotes.
$(MYSTERY_ID): export MYSTERY_ASKED = $(MYSTERY)
$(MYSTERY_ID): FORCE
	@mkdir -p $(@D)
	@set -e; \
	if [ -n "$$MYSTERY_ASKED" ]; then \
		case "$$MYSTERY_ASKED" in *[!0-9]*) ok=no ;; *) ok=yes ;; esac; \
		n=$$(printf '%s\n' "$$MYSTERY_ASKED" | sed 's/^0*//'); n=$${n:-0}; \
		if [ $$ok = no ] || [ $${#n} -gt 6 ]; then \
			echo "make mystery: MYSTERY must be a number from 0 to 999999" \
				"(digits only), not '$$MYSTERY_ASKED'" >&2; exit 2; fi; \
	elif [ -f $@ ]; then \
		n=$$(cat $@); \
		case "$$n" in ''|*[!0-9]*) ok=no ;; *) ok=yes ;; esac; \
		if [ $$ok = no ] || [ $${#n} -gt 6 ]; then \
			echo "make mystery: $@ does not hold a number from 0 to 999999:" \
				"remove it (a new random one is drawn) or give MYSTERY=N" >&2; \
			exit 2; fi; \
		exit 0; \
	else \
		n=$$(od -An -N4 -tu4 /dev/urandom | tr -d ' \n'); n=$$((n % 1000000)); \
	fi; \
	printf '%s\n' "$$n" >$@.tmp; \
	if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

# the variants, their main() renamed (mystery.c says why each -D)
$(BUILD)/obj-mystery/%.o: src/servers/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(CC) $(CPPFLAGS) $(CFLAGS_ALL) -Dmain=mystery_main_$* \
		-Dserver_main=mystery_server_main -Dworkers_start=mystery_workers_start \
		-c $< -o $@

# the number is read from the file at compile time, so it is not echoed
$(BUILD)/obj-mystery/mystery.o: src/mystery/mystery.c $(MYSTERY_ID) | $(DEPS_STAMP)
	@mkdir -p $(@D)
	@$(CC) $(CPPFLAGS) $(CFLAGS_ALL) -DMYSTERY_NUMBER=$$(cat $(MYSTERY_ID)) -c $< -o $@

# -s: no symbol table, so nm cannot show which variant's functions are called
$(MYSTERY_BIN): $(MYSTERY_OBJ) $(CORE_OBJ) $(LOOPTIMER_OBJ) $(COMMON_OBJ)
	@mkdir -p $(@D)
	@$(CC) $(LDFLAGS_ALL) -s $^ $(LWS_LIBS) -lm -o $@

-include $(wildcard $(BUILD)/obj-mystery/*.d)

# The tests' own mystery servers, one per case they check (numbers chosen
# through cases.c's mapping; test_mystery.c says which), so `make test`
# never touches a student's build/labs/mystery.id.
MYSTERY_TEST_NUMBERS := 4 7 9 14
MYSTERY_TEST_BINS := $(patsubst %,$(BUILD)/tests/server-mystery-%,$(MYSTERY_TEST_NUMBERS))
$(BUILD)/obj-mystery/mystery-%.o: src/mystery/mystery.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_ALL) -DMYSTERY_NUMBER=$* -c $< -o $@

$(BUILD)/tests/server-mystery-%: $(patsubst %,$(BUILD)/obj-mystery/%.o,$(SERVERS)) \
		$(BUILD)/obj-mystery/mystery-%.o $(BUILD)/obj/mystery/cases.o \
		$(CORE_OBJ) $(LOOPTIMER_OBJ) $(COMMON_OBJ)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) $^ $(LWS_LIBS) -lm -o $@

# the grader drives servers with the tests' independent client
# (and computes the checksums of lab 08's items with the core's work.c)
GRADE_OBJ := $(call obj,$(wildcard src/grade/*.c) src/harness/reply.c src/core/work.c) $(CLIENT_OBJ) \
	$(PROBE_OBJ) $(MYSTERY_PURE_OBJ)
$(BUILD)/grade: $(GRADE_OBJ) $(COMMON_OBJ)
	$(CC) $(LDFLAGS_ALL) $^ $(LWS_LIBS) -lm -o $@

# the harness's echo timer is the loop timer the servers use (one that does not spin)
$(BUILD)/harness: $(call obj,$(HARNESS_MAIN_SRC)) $(HARNESS_OBJ) $(LOOPTIMER_OBJ) \
		$(COMMON_OBJ)
	$(CC) $(LDFLAGS_ALL) $^ $(LWS_LIBS) -lm -o $@

$(BUILD)/delayproxy: $(call obj,$(PROXY_SRC)) $(BUILD)/obj/common/cli.o
	$(CC) $(LDFLAGS_ALL) $^ -o $@

$(BUILD)/wsprobe: $(call obj,$(PROBE_MAIN_SRC)) $(PROBE_OBJ) $(LOOPTIMER_OBJ) $(COMMON_OBJ)
	$(CC) $(LDFLAGS_ALL) $^ $(LWS_LIBS) -lm -o $@

$(BUILD)/summarize: $(BUILD)/obj/analysis/main.o $(ANALYSIS_OBJ) $(COMMON_OBJ)
	$(CC) $(LDFLAGS_ALL) $^ -lm -o $@

$(BUILD)/scaling-summarize: $(BUILD)/obj/analysis/scaling_main.o $(ANALYSIS_OBJ) $(COMMON_OBJ)
	$(CC) $(LDFLAGS_ALL) $^ -lm -o $@

$(BUILD)/obj/tests/%.o: CFLAGS_ALL += $(CHECK_CFLAGS)

$(UNIT_TESTS): $(call obj,$(UNIT_TEST_SRC)) $(UNIT_CORE_OBJ) \
		$(HARNESS_OBJ) $(ANALYSIS_OBJ) $(LOOPTIMER_OBJ) $(COMMON_OBJ) $(RELAY_OBJ) $(PROBE_OBJ) \
		$(MYSTERY_PURE_OBJ)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) $^ $(CHECK_LIBS) $(LWS_LIBS) -lm -o $@

$(INTEGRATION_TESTS): $(call obj,$(INTEGRATION_TEST_SRC)) $(BUILD)/obj/harness/reply.o \
		$(PROBE_OBJ) $(MYSTERY_PURE_OBJ) $(COMMON_OBJ)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) $^ $(CHECK_LIBS) $(LWS_LIBS) -lm -o $@

# build/tests/tlsecho: the TLS WebSocket echo server of the wsprobe tests
# (src/tests/test_wsprobe_fail.c); only the tests run it
$(BUILD)/tests/tlsecho: $(BUILD)/obj/tests/tlsecho.o $(BUILD)/obj/common/cli.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) $^ $(LWS_LIBS) -o $@

# scripts/proxy-overhead.sh's bench: 1-byte round trips straight and
# through build/delayproxy, in turns
$(BUILD)/tests/proxybench: $(BUILD)/obj/tests/proxybench.o \
		$(call obj,src/client/spawn.c src/client/spawn_proc.c src/client/spawn_run.c) \
		$(BUILD)/obj/common/stats.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) $^ -lm -o $@

# build/tests/lagbench: what one `stats` costs the loop (lag.c)
$(BUILD)/tests/lagbench: $(BUILD)/obj/tests/lagbench.o $(BUILD)/obj/core/lag.o \
		$(LOOPTIMER_OBJ) $(BUILD)/obj/common/stats.o
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) $^ $(LWS_LIBS) -lm -o $@

# build/tests/liveshot: the README's screenshot of the live view
# (scripts/liveshot.sh). A screenshot arrives as one DevTools message of
# a few hundred KB of base64, so this program's copy of the WebSocket
# client takes messages up to 16 MB; the tests' copy keeps 64 KB.
LIVESHOT_SRC := src/tests/liveshot.c src/tests/cdp.c \
	$(addprefix src/client/,wsclient.c wsframe.c wshandshake.c wsio.c spawn.c spawn_proc.c spawn_run.c)
LIVESHOT_OBJ := $(patsubst src/%.c,$(BUILD)/obj-liveshot/%.o,$(LIVESHOT_SRC))
$(BUILD)/obj-liveshot/%.o: src/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) '-DWSC_MAX_MESSAGE=(16 * 1024 * 1024)' $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/tests/liveshot: $(LIVESHOT_OBJ)
	@mkdir -p $(@D)
	$(CC) $(LDFLAGS_ALL) $^ -o $@

# SUITES=threadpool,variants runs only those integration suites (and no
# unit tests); empty runs everything.
SUITES ?=
TEST_ENV = SENDLAB_BUILD=$(BUILD) SENDLAB_SAN=$(SAN)

test: $(BINS) $(STARTER_BINS) $(WRONG_BINS) $(MYSTERY_TEST_BINS) $(BUILD)/tests/tlsecho $(UNIT_TESTS) $(INTEGRATION_TESTS) ## build, then run every test (unit, then integration)
ifeq ($(SUITES),)
	$(UNIT_TESTS)
	$(TEST_ENV) $(INTEGRATION_TESTS)
	@[ -n "$$SENDLAB_BROWSER" ] || command -v chromium-headless-shell >/dev/null || \
		command -v chromium >/dev/null || command -v chromium-browser >/dev/null || \
		echo "*** make test: the live view's browser test was SKIPPED (no Chromium);" \
		"install one with: sh scripts/install-deps.sh browser"
else
	@set -e; for suite in $(subst $(comma), ,$(SUITES)); do \
		echo "integration suite $$suite:"; \
		CK_RUN_SUITE=$$suite $(TEST_ENV) $(INTEGRATION_TESTS); \
	done
endif

# Sanitizer reports abort the process (-fno-sanitize-recover, halt_on_error),
# so a report in a server fails the test that ran it.
SAN_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=86 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=87

test-asan: ## the same tests, built with AddressSanitizer + UndefinedBehaviorSanitizer
	@$(SAN_ENV) $(MAKE) --no-print-directory BUILD=build/asan SAN=address,undefined OPT="-O1 -g" test

# ThreadSanitizer: the thread pool's own tests (mid-job disconnects among
# them), the tests every variant shares (start-up, SIGINT mid-item,
# shutdown joins), and the grader failing an unlocked ring (grade_tsan).
TSAN_ENV = TSAN_OPTIONS=halt_on_error=1:exitcode=88:second_deadlock_stack=1

test-tsan: ## the thread-pool tests built with ThreadSanitizer
	@$(TSAN_ENV) $(MAKE) --no-print-directory BUILD=build/tsan SAN=thread OPT="-O1 -g" \
		SUITES=threadpool,variants,grade_tsan test

# valgrind memcheck: the abuse and bad-input suites with every server
# started inside valgrind (tu_start, $SENDLAB_VALGRIND): any invalid access,
# uninitialised read or definite leak makes a server exit 99, which fails
# its test. The plain build; memory figures are not asserted there.
VALGRIND_DEPS_STAMP := build/.valgrind-deps-installed
$(VALGRIND_DEPS_STAMP): scripts/install-deps.sh
	@sh scripts/install-deps.sh valgrind
	@mkdir -p $(@D) && touch $@

test-valgrind: $(VALGRIND_DEPS_STAMP) ## the abuse, limits, bad-input and HTTP/Origin suites with every server under valgrind memcheck
	@SENDLAB_VALGRIND=1 $(MAKE) --no-print-directory SUITES=abuse,limits,badinput,badframes,web test

# The fuzz target: libFuzzer over the request parser and the reply writers
# (src/fuzz/fuzz_proto.c). clang only, so it is built apart from everything
# else: its sources are compiled straight into one binary in $(BUILD)/fuzz/
# and no clang object meets a gcc one. `make test` never needs clang.
FUZZ_SECONDS ?= 60
FUZZ_CC ?= clang
FUZZ_DIR = $(BUILD)/fuzz
FUZZ_BIN = $(FUZZ_DIR)/fuzz_proto
FUZZ_SRC := src/fuzz/fuzz_proto.c src/fuzz/reply_reader.c $(wildcard src/core/proto_*.c) \
	src/common/json.c
FUZZ_HDR := src/fuzz/reply_reader.h $(wildcard src/core/proto*.h) src/common/json.h \
	src/common/stats.h
FUZZ_CFLAGS = -std=c11 -Wall -Wextra -Wpedantic -Werror -O1 -g -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZ_DEPS_STAMP := build/.fuzz-deps-installed

$(FUZZ_DEPS_STAMP): scripts/install-deps.sh
	@sh scripts/install-deps.sh fuzz
	@mkdir -p $(@D) && touch $@

$(FUZZ_BIN): $(FUZZ_SRC) $(FUZZ_HDR) | $(FUZZ_DEPS_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) $(FUZZ_SRC) $(LWS_LIBS) -o $@

# the harness's reply parser: what a hostile server can send (fuzz_reply.c)
FUZZ_REPLY_BIN = $(FUZZ_DIR)/fuzz_reply
FUZZ_REPLY_SRC := src/fuzz/fuzz_reply.c src/harness/reply.c

$(FUZZ_REPLY_BIN): $(FUZZ_REPLY_SRC) src/harness/reply.h src/common/wire.h | $(FUZZ_DEPS_STAMP)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) $(FUZZ_REPLY_SRC) $(LWS_LIBS) -o $@

fuzz: $(FUZZ_BIN) $(FUZZ_REPLY_BIN) ## libFuzzer for FUZZ_SECONDS each (default 60) on the request parser with the reply writers, then on the harness's reply parser; fails on any crash or failed check
	@sh scripts/fuzz.sh $(FUZZ_BIN) $(FUZZ_DIR)/proto $(FUZZ_SECONDS) src/fuzz/corpus
	@sh scripts/fuzz.sh $(FUZZ_REPLY_BIN) $(FUZZ_DIR)/reply $(FUZZ_SECONDS) src/fuzz/corpus-reply

# experiment parameters (see scripts/experiment.sh and docs/experiment.md)
RUNS ?= 4
ITEMS ?= 3
WORK_MS ?= 300
BYSTANDER_MS ?= 20
QUICK ?= 0
VARIANTS ?= blocking flush pingpong threadpool partition
# the Python original: PEERS=none leaves it out; PY_RUNS rounds of PY_VARIANTS
PEERS ?= python
PY_RUNS ?= 3
PY_VARIANTS ?= create-task await-send sleep0 drain pingpong to-thread process-pool partition
# RTT_MS=R: every connection through build/delayproxy, R ms more per round
# trip (docs/network.md); 0: straight to the servers
RTT_MS ?= 0
EXPERIMENT_ENV = BUILD=$(BUILD) RUNS=$(RUNS) ITEMS=$(ITEMS) WORK_MS=$(WORK_MS) \
	BYSTANDER_MS=$(BYSTANDER_MS) QUICK=$(QUICK) VARIANTS="$(VARIANTS)" SCALING=$(SCALING) \
	ITERS_PER_MS=$(ITERS_PER_MS) PEERS=$(PEERS) PY_RUNS=$(PY_RUNS) PY_VARIANTS="$(PY_VARIANTS)" \
	RTT_MS=$(RTT_MS)

experiment: $(BINS) ## the main job (~80 s): every C variant, the Python original beside them, a short scaling sweep; CSVs, summaries and plots in results/<run-id>/ (QUICK=1: one run of each C variant only; RTT_MS=R: through a delay proxy)
	@$(EXPERIMENT_ENV) sh scripts/experiment.sh

demo: $(BINS) ## the live view: the five variants on ports 7681-7685 (DEMO_PORT=N moves them) and one URL comparing them in a browser; Ctrl-C stops them
	@BUILD=$(BUILD) ITERS_PER_MS=$(ITERS_PER_MS) sh scripts/demo.sh

network: $(BINS) ## flush, pingpong and threadpool through build/delayproxy at RTT 0, 10, 50, 100 ms: item spacing against the round trip, one figure in results/network-<date>/ (~1 min)
	@BUILD=$(BUILD) ITERS_PER_MS=$(ITERS_PER_MS) sh scripts/network.sh

# The scaling sweep (scripts/scaling.sh, docs/scaling.md). SCALING=full
# runs the whole grid; SCALING_VARIANTS, SCALING_WORKS, SCALING_POOLS,
# SCALING_CLIENTS, SCALING_RUNS, SCALING_ITEMS and SCALING_WORK_MS on the
# command line reach the script through the environment.
# Empty: make experiment runs the short grid, make scaling the default one.
SCALING ?=
# ITERS_PER_MS=N: every server of the run gets this calibration instead of
# one measured at the run's start (to compare runs on equal work).
ITERS_PER_MS ?=

scaling: $(BINS) ## K clients x pool sizes, cpu and sleep work: CSVs, plots and the verdict on "threads = cores + 4" in results/scaling-<date>/ (~95 s; SCALING=full: the whole grid)
	@BUILD=$(BUILD) SCALING=$(SCALING) ITERS_PER_MS=$(ITERS_PER_MS) sh scripts/scaling.sh

partition-sweep: $(BINS) ## server-partition's slice size (1..100 ms) and its five ways to yield, against blocking: table and figure in results/partition-<date>/ (~1 min)
	@BUILD=$(BUILD) ITERS_PER_MS=$(ITERS_PER_MS) sh scripts/partition.sh

# RUN=results/<run-id> picks another run than the latest.
RUN ?= results/latest
plots: $(BUILD)/summarize $(BUILD)/scaling-summarize | $(DEPS_STAMP) ## redraw the summary and every plot of results/latest (or RUN=dir, e.g. results/latest-scaling) from its CSVs alone
	@BUILD=$(BUILD) sh scripts/plots.sh $(RUN) && echo "redrew $(RUN): its summary and figures, from the CSVs"

# docs/ and labs/ stay readable: 15,000 words for docs and labs 01-06, 1,500 more
# for each later lab, 1,500 per lab (scripts/words.sh).
words: ## count the words of docs/ and labs/ against their budget
	@sh scripts/words.sh

include-graph: ## which module (directory of src/) includes which; MODULE=harness: file by file
	@sh scripts/include-graph.sh $(MODULE)

clean: ## remove build/ (measured results stay: see clean-results)
	rm -rf build

clean-results: ## remove the measured runs under results/ (keeps results/reference, reference-scaling and README.md)
	find results -mindepth 1 -maxdepth 1 ! -name reference ! -name reference-scaling ! -name README.md \
		! -name .gitignore -exec rm -rf {} +

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
