#!/bin/sh
# experiment.sh: the main experiment (`make experiment`).
#
# Measures the CPU kernel's speed once (server-blocking --calibrate), then
# starts every configuration's server (server-blocking once per send
# discipline in SENDS, then each fix in VARIANTS with the default
# discipline) on a free port with --lag-log and that calibration, and
# drives them in RUNS rounds: each round, one run of each configuration
# (the harness with --run R/RUNS: a job of ITEMS x WORK_MS, a bystander
# echoing every BYSTANDER_MS ms). Then it stops them and keeps every raw
# CSV in results/<run-id>/, where <config> is blocking-<send>, flush,
# pingpong, threadpool or partition:
#   <config>.messages.csv   one row per result message
#   <config>.bystander.csv  one row per bystander echo
#   <config>.lag.csv        the server's lag summary per run
#   <config>.lagmon.csv     every lag-monitor sample (t_us,lag_us)
#   <config>.summary.txt    the harness's own lines, a block per run
#   env.txt                 machine, versions, commit, parameters
# then scripts/plots.sh adds summary.md, summary.csv, latency.csv,
# verdicts.txt and the figures, and results/latest points at the run.
# Last, the scaling sweep (scripts/scaling.sh, make scaling) runs into
# results/<run-id>/scaling/, with SCALING (short unless set: the points
# its verdict reads; default or full for make scaling's grids).
# QUICK=1: one run per configuration and no scaling sweep (a smoke test,
# under 20 s). docs/experiment.md explains every output.
#
# Time: each section has a budget on the 2-core reference machine, 90 s
# in all with the build excluded (C variants 40 s, scaling sweep 25 s; the
# Python original will take 25 s). The script prints its estimate of each
# before it starts and what each took at the end, and says when a section
# went over its budget (more RUNS, a bigger grid, a slower machine).
#
# If the harness gives up on a configuration (its server died, closed the
# connection or stopped answering: its CSVs then end with a "# incomplete"
# line), that configuration takes no more turns, the others go on, and the
# summary and figures leave the incomplete runs out; at the end it
# names each incomplete configuration and why, and exits 3. Exit 1: a
# hard failure (a server that will not start, the summary impossible).
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh

BUILD=${BUILD:-build}
QUICK=${QUICK:-0}
RUNS=${RUNS:-5}
[ "$QUICK" = 1 ] && RUNS=1
ITEMS=${ITEMS:-3}
WORK_MS=${WORK_MS:-300}
BYSTANDER_MS=${BYSTANDER_MS:-20}
SENDS=${SENDS:-proactor queue direct}
VARIANTS=${VARIANTS:-blocking flush pingpong threadpool partition}
SCALING=${SCALING:-short}
if [ "$QUICK" = 1 ]; then scaling=no; else scaling=yes; fi
BUDGET_C=40
BUDGET_SCALING=25

# blocking once per send discipline (the shape of the bug depends on it),
# each fix once with the default discipline
configs=""
for v in $VARIANTS; do
	case $v in
	blocking) for send in $SENDS; do configs="$configs blocking-$send"; done ;;
	flush | pingpong | threadpool | partition) configs="$configs $v" ;;
	*) die "unknown variant '$v' in VARIANTS (blocking flush pingpong threadpool partition)" ;;
	esac
done
configs=${configs# }
[ -n "$configs" ] || die "no configurations: VARIANTS is empty"

run_id=$(date +%Y%m%d-%H%M%S)
out=results/$run_id
[ -e "$out" ] && { sleep 1; run_id=$(date +%Y%m%d-%H%M%S); out=results/$run_id; }
mkdir -p "$out"
start=$(date +%s)
# One calibration for the whole run, on a core no server is using yet:
# every server gets it, so every item of every configuration is the same
# work (a server that calibrates itself lands a few per cent off).
calibrate "$BUILD"

{
	env_machine "$run_id"
	echo "parameters: RUNS=$RUNS ITEMS=$ITEMS WORK_MS=$WORK_MS BYSTANDER_MS=$BYSTANDER_MS SENDS='$SENDS' VARIANTS='$VARIANTS' QUICK=$QUICK"
	echo "configs: $configs"
	echo "iters_per_ms: $ITERS_PER_MS"
	echo "calibration: $CALIBRATION"
	if [ "$scaling" = yes ]; then
		echo "scaling: scaling/ (SCALING=$SCALING; its own env.txt)"
	else
		echo "scaling: not run (QUICK=1)"
	fi
} >"$out/env.txt"

total=$(echo $configs | wc -w)
steps=$((RUNS + 1))	# a round of runs each, and the summary and plots
[ "$scaling" = no ] || steps=$((steps + 1))	# and the scaling sweep

# The expected seconds of each section: per configuration a server start
# and RUNS jobs of ITEMS x WORK_MS with about 0.1 s of connecting and
# asking for stats each; 2 s for the summary and figures. Measured on the
# 2-core machine: 7 configurations, RUNS=5, 3 x 300 ms: 37 s.
est_c=$(awk -v n="$total" -v runs="$RUNS" -v j="$((ITEMS * WORK_MS))" \
	'BEGIN { printf "%.0f", n * (0.3 + runs * (j / 1000 + 0.1)) + 2 }')
est_scaling=0
if [ "$scaling" = yes ]; then
	est_scaling=$(SCALING_ESTIMATE=1 BUILD=$BUILD SCALING=$SCALING sh scripts/scaling.sh) ||
		die "scripts/scaling.sh could not plan SCALING=$SCALING"
fi
over() {	# over ESTIMATE BUDGET: a note when the estimate passes the budget
	[ "$1" -le "$2" ] || printf ' (over its %s s budget)' "$2"
}
echo "sendlab experiment $run_id -> $out"
echo "  $total configurations: $configs"
echo "  RUNS=$RUNS ITEMS=$ITEMS WORK_MS=$WORK_MS BYSTANDER_MS=$BYSTANDER_MS$([ "$QUICK" = 1 ] && echo ' (QUICK=1)')"
if [ "$scaling" = yes ]; then
	echo "  expected: about $((est_c + est_scaling)) s: C variants ~${est_c} s$(over "$est_c" "$BUDGET_C"), scaling sweep (SCALING=$SCALING) ~${est_scaling} s$(over "$est_scaling" "$BUDGET_SCALING")"
else
	echo "  expected: about ${est_c} s (C variants only$([ "$QUICK" = 1 ] && echo ', QUICK=1'))"
fi

# One status line per step; on a terminal it is rewritten as runs finish.
if [ -t 1 ]; then tty=1; else tty=0; fi
step_line() {	# step_line STEP NAME TEXT
	printf '[%d/%d] %-18s %s  (%ss)' "$1" "$steps" "$2" "$3" "$(($(date +%s) - start))"
}
status() {	# status STEP NAME TEXT: rewritten in place, terminals only
	if [ "$tty" = 1 ]; then printf '\r\033[K%s' "$(step_line "$@")"; fi
}
done_line() {	# done_line STEP NAME TEXT: the step's final line
	if [ "$tty" = 1 ]; then printf '\r\033[K'; fi
	echo "$(step_line "$@")"
}

# "  <config>: <why>" lines, one per configuration the harness gave up on
incomplete=""

# Every configuration's server starts first and waits, idle, for its
# turn; then the runs go round: run 1 of every configuration, run 2 of
# every one, and so on. Interleaved, because this machine's cores change
# speed by up to 10% from one half-minute to the next
# (docs/experiment-reference.md, "Same work"): run one configuration after another and a configuration
# measured in a slow stretch looks slower than the rest, for nothing it
# did. Round-robin, every configuration samples every stretch alike.
# Server i (1..total) is pid_i on port_i; gone_i is set once the harness
# gave up on it, and it takes no more turns.
i=0
for name in $configs; do
	i=$((i + 1))
	variant=${name%%-*}
	send=proactor
	[ "$variant" = "$name" ] || send=${name#*-}
	status 1 "start servers" "server-$variant --send $send ($name)"
	server_start "$BUILD/server-$variant" "$out/$name" --send "$send" --quiet \
		--iters-per-ms "$ITERS_PER_MS" --lag-log "$out/$name.lagmon.csv"
	eval "pid_$i=\$SERVER_PID; port_$i=\$SERVER_PORT; gone_$i="
	up="${up:-} $SERVER_PID"
done
# a die or ^C must not leave servers behind
trap 'for p in ${up:-}; do kill "$p" 2>/dev/null || :; done' EXIT
trap 'exit 130' INT TERM

step=0
for round in $(seq 1 "$RUNS"); do
	step=$((step + 1))
	i=0
	for name in $configs; do
		i=$((i + 1))
		eval "gone=\$gone_$i; SERVER_PID=\$pid_$i; SERVER_PORT=\$port_$i"
		[ -z "$gone" ] || continue
		status "$step" "round $round/$RUNS" "$name"
		rc=0
		"$BUILD/harness" --url "ws://127.0.0.1:$SERVER_PORT/" --items "$ITEMS" \
			--work-ms "$WORK_MS" --run "$round/$RUNS" --bystander-ms "$BYSTANDER_MS" \
			--csv "$out/$name.messages.csv" --bystander-csv "$out/$name.bystander.csv" \
			--lag-csv "$out/$name.lag.csv" >>"$out/$name.summary.txt" \
			2>>"$out/$name.harness.stderr" || rc=$?
		if [ "$rc" = 2 ]; then	# its command line: every run would fail
			[ "$tty" = 1 ] && echo
			cat "$out/$name.harness.stderr" >&2
			die "the harness refused its command line on $name (exit 2)"
		fi
		[ "$rc" = 0 ] && continue
		# 3: the run is incomplete, 1: nothing measured (see build/harness
		# --help). The server may be dead already: often that is why.
		server_reap
		eval "gone_$i=yes"
		why=$(sed -n 's/^# incomplete: //p' "$out/$name.messages.csv" 2>/dev/null)
		[ -n "$why" ] || why=$(tail -n 1 "$out/$name.harness.stderr")
		incomplete="$incomplete
  $name: $why (harness exit $rc; the server $SERVER_FATE; $out/$name.harness.stderr)"
		done_line "$step" "round $round/$RUNS" "$name INCOMPLETE: $why"
	done
	done_line "$step" "round $round/$RUNS" "a run of each configuration"
done

i=0
for name in $configs; do
	i=$((i + 1))
	eval "gone=\$gone_$i; SERVER_PID=\$pid_$i"
	[ -n "$gone" ] || server_stop
	rm -f "$out/$name.stdout"
	[ -s "$out/$name.harness.stderr" ] || rm -f "$out/$name.harness.stderr"
	[ -s "$out/$name.stderr" ] || rm -f "$out/$name.stderr"
	[ -n "$gone" ] && continue
	arrivals=$(csv_seq_medians "$out/$name.messages.csv" 9 4)
	# the medians over the runs, as one harness call with --runs would
	# have printed them (the labs quote this block)
	{
		echo "$(sed -n 's/^run 1\/[0-9]* \([^:]*\):.*/\1/p' "$out/$name.summary.txt"), $RUNS run$([ "$RUNS" = 1 ] || echo s) of $ITEMS x $WORK_MS ms, medians over runs:"
		echo "  arrival after request (ms)  $arrivals"
		echo "  delivery latency (ms)       $(csv_seq_medians "$out/$name.messages.csv" 9 7)"
		echo "  bystander worst echo (ms)   $(csv_median_worst_echo "$out/$name.bystander.csv")"
		echo "  event-loop lag max (ms)     $(csv_median_lag_max "$out/$name.lag.csv")"
	} >>"$out/$name.summary.txt"
	printf '  %-18s arrivals %s ms; bystander waits %s ms\n' "$name" "$arrivals" \
		"$(csv_worst_echo "$out/$name.bystander.csv")"
done
up=""

step=$((step + 1))
status "$step" "summary, plots" "build/summarize, gnuplot"
if sh scripts/plots.sh "$out"; then
	plots=ok
	done_line "$step" "summary, plots" "summary.md, overview.png and 5 more figures"
else
	plots=failed
	done_line "$step" "summary, plots" "FAILED (the reason is above)"
fi
ln -sfn "$run_id" results/latest
took_c=$(($(date +%s) - start))

# The scaling sweep, with its own lines (one per point) under its step's.
# Exit 3: some points failed; 1: it could not run (a server that will not
# start, a harness without --clients); either makes this run incomplete.
scaling_rc=0
if [ "$scaling" = yes ]; then
	step=$((step + 1))
	done_line "$step" "scaling sweep" "SCALING=$SCALING grid -> $out/scaling/"
	SCALING_OUT=$out/scaling BUILD=$BUILD SCALING=$SCALING ITERS_PER_MS=$ITERS_PER_MS \
		sh scripts/scaling.sh |
		sed 's/^/    /' || :
	took_scaling=$(($(date +%s) - start - took_c))
	# a pipeline's status is sed's: the sweep's comes from its files
	if [ ! -s "$out/scaling/verdict.txt" ]; then
		scaling_rc=1
	elif grep -q '^failed: ' "$out/scaling/verdict.txt"; then
		scaling_rc=3
	fi
fi

took="C variants ${took_c} s$(over "$took_c" "$BUDGET_C")"
[ "$scaling" = no ] || took="$took, scaling sweep ${took_scaling} s$(over "$took_scaling" "$BUDGET_SCALING")"
echo "took: $took" >>"$out/env.txt"

echo
if [ -s "$out/verdicts.txt" ]; then
	cat "$out/verdicts.txt"
	echo
fi
if [ -s "$out/scaling/verdict.txt" ]; then
	echo "scaling sweep ($out/scaling/scaling.md):"
	sed 's/^/  /' "$out/scaling/verdict.txt"
	echo
fi
case $scaling_rc in
1) incomplete="$incomplete
  scaling sweep: it did not finish; its reason is above ($out/scaling/)" ;;
3) incomplete="$incomplete
  scaling sweep: $(sed -n 's/^failed: //p' "$out/scaling/verdict.txt")" ;;
esac
if [ -n "$incomplete" ]; then
	echo "INCOMPLETE: the harness gave up on these configurations; their CSVs hold" >&2
	echo "the rows it received and end with a '# incomplete' line; the summary" >&2
	echo "leaves those runs out:$incomplete" >&2
	echo "done in $(($(date +%s) - start)) s ($took), incomplete: $out/ (results/latest)"
	exit 3
fi
[ "$plots" = ok ] || die "the summary or the figures of $out failed"
echo "done in $(($(date +%s) - start)) s ($took): $out/ (results/latest): summary.md, overview.png, the CSVs"
