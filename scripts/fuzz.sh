#!/bin/sh
# fuzz.sh BIN DIR SECONDS SEEDS: run the fuzz target BIN for SECONDS (make
# fuzz runs each target: fuzz_proto from src/fuzz/corpus, fuzz_reply from
# src/fuzz/corpus-reply).
#
# Starts from a fresh copy of the seed corpus SEEDS in
# DIR/corpus, so runs are comparable and the inputs libFuzzer adds never land
# in the repository. The full libFuzzer log goes to DIR/fuzz.log; this prints
# the execution count and the coverage, or, on a failure, the report and
# where the failing input was saved (DIR/crash-*, timeout-*, leak-*, ...),
# and exits 1.
set -eu

bin=$1
dir=$2
seconds=$3
seeds=$4
corpus=$dir/corpus
log=$dir/fuzz.log

rm -rf "$corpus"
mkdir -p "$corpus"
cp "$seeds"/* "$corpus"/
echo "fuzz: $bin for $seconds s from $(ls "$corpus" | wc -l) seeds (log: $log)"

# -max_len: session.c never parses a message over 4096 bytes.
# -timeout: a parse takes microseconds; one that takes seconds is a hang.
# UBSan's reports abort (-fno-sanitize-recover), so libFuzzer saves the input.
rc=0
UBSAN_OPTIONS=print_stacktrace=1 "$bin" -max_total_time="$seconds" \
	-max_len=4096 -timeout=10 -dict=src/fuzz/proto.dict \
	-artifact_prefix="$dir/" -print_final_stats=1 "$corpus" >"$log" 2>&1 || rc=$?

if [ "$rc" -ne 0 ]; then
	# the sanitizer's or the check's report, without libFuzzer's preamble
	sed -n '/==ERROR\|check failed\|runtime error\|ALARM\|out-of-memory/,$p' "$log" | head -60
	input=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
	if [ -n "$input" ]; then
		echo "fuzz: FAILED (exit $rc): the failing input is $input"
		echo "fuzz: reproduce with: $bin $input"
	else
		tail -20 "$log"
		echo "fuzz: FAILED (exit $rc) without saving an input: see $log"
	fi
	exit 1
fi

# libFuzzer's status lines: "#N INITED|DONE cov: C ft: F corp: K/SIZE ... exec/s: R"
status() {
	grep "^#[0-9]*[[:space:]]*$1 " "$log" | tail -1 |
		sed -n "s|.*cov: \([0-9]*\) ft: \([0-9]*\) corp: \([0-9]*\)/\([^ ]*\).*|cov: \1 ft: \2, corpus \3 inputs of \4|p"
}
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
echo "fuzz: passed: $execs executions in $seconds s ($rate/s)"
echo "fuzz: coverage of the seeds: $(status INITED)"
echo "fuzz: coverage at the end:   $(status DONE) ($corpus)"
