#!/bin/sh
# plots.sh DIR: the statistics and every figure of one run, from its CSVs
# alone (make plots; the last step of make experiment and make scaling).
# An experiment run (results/<run-id>/):
#   build/summarize DIR   -> summary.md, summary.csv, latency.csv, verdicts.txt
#   scripts/plot.gp       -> arrivals, timeline, latency, bystander, lag,
#                            overview (.png and .svg each)
#   and DIR/python/ the same way, then scripts/pairs.sh -> python.png and
#   the Python-beside-C table (if make experiment ran the Python section),
#   and DIR/scaling/ the same way, if make experiment ran the sweep there.
# A scaling run (results/scaling-<date>/, one with a plan.csv):
#   build/scaling-summarize DIR -> points.csv, scaling.md, verdict.txt
#   scripts/plot.gp       -> scaling-throughput, scaling-first,
#                            scaling-bystander, scaling-overview
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh

dir=${1:-results/latest}
BUILD=${BUILD:-build}
[ -f "$dir/env.txt" ] || die "$dir has no env.txt: not an experiment run (run make experiment first)"

if [ -f "$dir/plan.csv" ]; then
	# exit 3: some points failed; the rest is summarised and drawn, and
	# stderr has named each failed point
	rc=0
	"$BUILD/scaling-summarize" "$dir" >"$dir/verdict.txt" || rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 3 ] || die "scaling-summarize failed on $dir"
	for which in scaling-throughput scaling-first scaling-bystander scaling-overview; do
		gnuplot -e "dir='$dir'; which='$which'" scripts/plot.gp ||
			die "gnuplot failed drawing $which for $dir"
	done
	exit 0
fi

grep -q '^configs: ' "$dir/env.txt" || die "$dir/env.txt has no configs: line (a run from before every variant existed?)"

"$BUILD/summarize" "$dir" >"$dir/verdicts.txt" || die "summarize failed on $dir"
for which in arrivals timeline latency bystander lag overview; do
	gnuplot -e "dir='$dir'; which='$which'" scripts/plot.gp ||
		die "gnuplot failed drawing $which for $dir"
done
# the Python original's section: summarised and drawn as a run of its
# own, then set beside the C configurations (pairs.sh)
if [ -f "$dir/python/env.txt" ]; then
	sh scripts/plots.sh "$dir/python"
	sh scripts/pairs.sh "$dir"
fi
if [ -f "$dir/scaling/plan.csv" ]; then
	sh scripts/plots.sh "$dir/scaling"
fi
