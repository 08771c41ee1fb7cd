#!/bin/sh
# plots.sh DIR: the statistics and every figure of one experiment run,
# from its CSVs alone (make plots; the last step of make experiment).
#   build/summarize DIR   -> summary.md, summary.csv, latency.csv
#   scripts/plot.gp       -> arrivals, timeline, latency, bystander, lag,
#                            overview (.png and .svg each)
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh

dir=${1:-results/latest}
BUILD=${BUILD:-build}
[ -f "$dir/env.txt" ] || die "$dir has no env.txt: not an experiment run (run make experiment first)"
grep -q '^configs: ' "$dir/env.txt" || die "$dir/env.txt has no configs: line (a run from before every variant existed?)"

"$BUILD/summarize" "$dir" >"$dir/verdicts.txt" || die "summarize failed on $dir"
for which in arrivals timeline latency bystander lag overview; do
	gnuplot -e "dir='$dir'; which='$which'" scripts/plot.gp ||
		die "gnuplot failed drawing $which for $dir"
done
