#!/bin/sh
# experiment.sh: the main experiment (`make experiment`).
#
# For each configuration (server-blocking once per send discipline in
# SENDS, then each fix in VARIANTS with the default discipline) starts the
# server, drives it with the harness (RUNS jobs of ITEMS x WORK_MS, a
# bystander echoing every BYSTANDER_MS ms), stops it, and leaves in
# results/<run-id>/, where <config> is blocking-<send>, flush, pingpong or
# threadpool:
#   <config>.messages.csv   one row per result message
#   <config>.bystander.csv  one row per bystander echo
#   <config>.lag.csv        the server's lag summary per run
#   <config>.lagmon.csv     every lag-monitor sample (t_us,lag_us)
#   <config>.summary.txt    the harness's medians over the runs
#   env.txt                 machine, versions, commit, parameters
#   arrivals.png, .svg      the plot (scripts/plot-arrivals.gp)
# and points results/latest at it.
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh

BUILD=${BUILD:-build}
RUNS=${RUNS:-3}
ITEMS=${ITEMS:-3}
WORK_MS=${WORK_MS:-300}
BYSTANDER_MS=${BYSTANDER_MS:-20}
SENDS=${SENDS:-proactor queue direct}
VARIANTS=${VARIANTS:-blocking flush pingpong threadpool}

# blocking once per send discipline (the shape of the bug depends on it),
# each fix once with the default discipline
configs=""
for v in $VARIANTS; do
	case $v in
	blocking) for send in $SENDS; do configs="$configs blocking-$send"; done ;;
	flush | pingpong | threadpool) configs="$configs $v" ;;
	*) die "unknown variant '$v' in VARIANTS (blocking flush pingpong threadpool)" ;;
	esac
done
configs=${configs# }

run_id=$(date +%Y%m%d-%H%M%S)
out=results/$run_id
mkdir -p "$out"
start=$(date +%s)

{
	echo "run_id: $run_id"
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo none)$(git diff --quiet HEAD 2>/dev/null || echo ' (dirty tree)')"
	echo "kernel: $(uname -sr)"
	echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1) x $(nproc)"
	echo "compiler: $(${CC:-cc} --version | head -n 1)"
	echo "libwebsockets: $(pkg-config --modversion libwebsockets)"
	echo "gnuplot: $(gnuplot --version)"
	echo "parameters: RUNS=$RUNS ITEMS=$ITEMS WORK_MS=$WORK_MS BYSTANDER_MS=$BYSTANDER_MS SENDS='$SENDS' VARIANTS='$VARIANTS'"
	echo "configs: $configs"
} >"$out/env.txt"

total=$(echo $configs | wc -w)
runs_word=runs
[ "$RUNS" -eq 1 ] && runs_word=run
echo "sendlab experiment $run_id: $total configurations, $RUNS $runs_word of $ITEMS x $WORK_MS ms each, bystander every $BYSTANDER_MS ms"
step=0
for name in $configs; do
	step=$((step + 1))
	variant=${name%%-*}
	send=proactor
	[ "$variant" = "$name" ] || send=${name#*-}
	printf '[%d/%d] %-20s' "$step" "$total" "$name"
	server_start "$BUILD/server-$variant" "$out/$name" --send "$send" --quiet \
		--lag-log "$out/$name.lagmon.csv"
	if ! "$BUILD/harness" --url "ws://127.0.0.1:$SERVER_PORT/" --items "$ITEMS" \
		--work-ms "$WORK_MS" --runs "$RUNS" --bystander-ms "$BYSTANDER_MS" --quiet \
		--csv "$out/$name.messages.csv" --bystander-csv "$out/$name.bystander.csv" \
		--lag-csv "$out/$name.lag.csv" >"$out/$name.summary.txt"; then
		server_stop || true
		die "the harness failed on $name (see above)"
	fi
	server_stop
	rm -f "$out/$name.stdout"
	# the summary's medians, condensed for the terminal
	arrivals=$(sed -n 's/^ *arrival after request (ms) *//p' "$out/$name.summary.txt")
	worst=$(sed -n 's/^ *bystander worst echo (ms) *//p' "$out/$name.summary.txt")
	echo "arrivals $arrivals ms; bystander waits $worst ms  ($(($(date +%s) - start)) s)"
done

gnuplot -e "dir='$out'; configs='$configs'; items=$ITEMS; work_ms=$WORK_MS" \
	scripts/plot-arrivals.gp
ln -sfn "$run_id" results/latest
echo "done in $(($(date +%s) - start)) s: $out/arrivals.png and the CSVs beside it (results/latest)"
