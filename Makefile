# sendlab: build, test and run the experiment. `make help` lists the targets.
#
# Every target that needs the C toolchain or the libraries first runs
# scripts/install-deps.sh once (the stamp file makes later runs instant), so
# `make test` and `make experiment` work on a fresh Debian/Ubuntu machine.

BUILD ?= build
SAN ?=
CC ?= cc
OPT ?= -O2 -g

SERVERS := blocking

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

COMMON_SRC := src/common/json.c src/common/stats.c
CORE_SRC := $(filter-out src/core/server.c,$(wildcard src/core/*.c))
HARNESS_SRC := $(filter-out src/harness/main.c,$(wildcard src/harness/*.c))

obj = $(patsubst src/%.c,$(BUILD)/obj/%.o,$(1))
COMMON_OBJ := $(call obj,$(COMMON_SRC))
CORE_OBJ := $(call obj,$(CORE_SRC) src/core/server.c)
HARNESS_OBJ := $(call obj,$(HARNESS_SRC))

SERVER_BINS := $(addprefix $(BUILD)/server-,$(SERVERS))
BINS := $(SERVER_BINS) $(BUILD)/harness

.PHONY: all help deps test test-asan check-build experiment plots clean
.DEFAULT_GOAL := all

all: $(BINS) ## build every server variant and the harness into build/

help: ## list the targets
	@echo "sendlab make targets:"
	@grep -hE '^[a-z][a-zA-Z_-]*:.*## ' $(MAKEFILE_LIST) | \
		awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'
	@echo "variables: BUILD=$(BUILD) SAN=$(SAN) RUNS, ITEMS, WORK_MS, BYSTANDER_MS (experiment)"

deps: $(DEPS_STAMP) ## install missing Debian packages (apt-get; sudo if not root)

$(DEPS_STAMP): scripts/install-deps.sh
	@sh scripts/install-deps.sh
	@mkdir -p $(@D) && touch $@

$(BUILD)/obj/%.o: src/%.c | $(DEPS_STAMP)
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/server-%: $(BUILD)/obj/servers/%.o $(CORE_OBJ) $(COMMON_OBJ)
	$(CC) $(LDFLAGS_ALL) $^ $(LWS_LIBS) -o $@

$(BUILD)/harness: $(BUILD)/obj/harness/main.o $(HARNESS_OBJ) $(COMMON_OBJ)
	$(CC) $(LDFLAGS_ALL) $^ $(LWS_LIBS) -lm -o $@

clean: ## remove build/ and generated results (keeps results/reference)
	rm -rf build
	find results -mindepth 1 -maxdepth 1 ! -name reference ! -name README.md \
		! -name .gitignore -exec rm -rf {} +

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
