#!/bin/sh
# experiment.sh: the main experiment (`make experiment`).
#
# For each configuration (server-blocking once per send discipline in
# SENDS, then each fix in VARIANTS with the default discipline) starts the
# server on a free port with --lag-log, drives it with the harness (RUNS
# jobs of ITEMS x WORK_MS, a bystander echoing every BYSTANDER_MS ms),
# stops it, and keeps every raw CSV in results/<run-id>/, where <config> is
# blocking-<send>, flush, pingpong or threadpool:
#   <config>.messages.csv   one row per result message
#   <config>.bystander.csv  one row per bystander echo
#   <config>.lag.csv        the server's lag summary per run
#   <config>.lagmon.csv     every lag-monitor sample (t_us,lag_us)
#   <config>.summary.txt    the harness's own lines and medians
#   env.txt                 machine, versions, commit, parameters
# then scripts/plots.sh adds summary.md, summary.csv, latency.csv,
# verdicts.txt and the figures, and results/latest points at the run.
# Last, the scaling sweep (scripts/scaling.sh, make scaling) runs into
# results/<run-id>/scaling/, with SCALING (default or full).
# QUICK=1: one run per configuration and no scaling sweep (a smoke test,
# under 20 s). docs/experiment.md explains every output.
#
# If the harness gives up on a configuration (its server died, closed the
# connection or stopped answering: its CSVs then end with a "# incomplete"
# line), the experiment goes on with the next one and still makes the
# summary and figures, which leave the incomplete runs out; at the end it
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
VARIANTS=${VARIANTS:-blocking flush pingpong threadpool}
SCALING=${SCALING:-default}
if [ "$QUICK" = 1 ]; then scaling=no; else scaling=yes; fi

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
steps=$((total + 1))	# and the summary and plots
[ "$scaling" = no ] || steps=$((steps + 1))	# and the scaling sweep
echo "sendlab experiment $run_id -> $out"
echo "  $total configurations: $configs"
echo "  RUNS=$RUNS ITEMS=$ITEMS WORK_MS=$WORK_MS BYSTANDER_MS=$BYSTANDER_MS$([ "$QUICK" = 1 ] && echo ' (QUICK=1)')"

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

step=0
for name in $configs; do
	step=$((step + 1))
	variant=${name%%-*}
	send=proactor
	[ "$variant" = "$name" ] || send=${name#*-}
	status "$step" "$name" "starting server-$variant --send $send"
	server_start "$BUILD/server-$variant" "$out/$name" --send "$send" --quiet \
		--iters-per-ms "$ITERS_PER_MS" --lag-log "$out/$name.lagmon.csv"
	rm -f "$out/.rc"
	# the harness's per-run lines feed the status line; its exit status
	# comes back through a file (a pipeline's status is its last command's),
	# caught with || so that set -e does not end the group before it is
	# written
	{
		harness_rc=0
		"$BUILD/harness" --url "ws://127.0.0.1:$SERVER_PORT/" --items "$ITEMS" \
			--work-ms "$WORK_MS" --runs "$RUNS" --bystander-ms "$BYSTANDER_MS" \
			--csv "$out/$name.messages.csv" --bystander-csv "$out/$name.bystander.csv" \
			--lag-csv "$out/$name.lag.csv" 2>"$out/$name.harness.stderr" ||
			harness_rc=$?
		echo "$harness_rc" >"$out/.rc"
	} | while IFS= read -r line; do
		echo "$line" >>"$out/$name.summary.txt"
		case $line in
		"run "*) status "$step" "$name" "${line%%:*} done" ;;
		esac
	done
	rc=$(cat "$out/.rc")
	rm -f "$out/.rc"
	if [ "$rc" = 2 ]; then	# its command line: every configuration would fail
		server_stop || true
		[ "$tty" = 1 ] && echo
		cat "$out/$name.harness.stderr" >&2
		die "the harness refused its command line on $name (exit 2)"
	fi
	if [ "$rc" != 0 ]; then
		# 3: a run is incomplete, 1: nothing measured (see build/harness
		# --help). The server may be dead already: often that is why.
		server_reap
		why=$(sed -n 's/^# incomplete: //p' "$out/$name.messages.csv")
		[ -n "$why" ] || why=$(head -n 1 "$out/$name.harness.stderr")
		incomplete="$incomplete
  $name: $why (harness exit $rc; the server $SERVER_FATE; $out/$name.harness.stderr)"
		rm -f "$out/$name.stdout"
		[ -s "$out/$name.stderr" ] || rm -f "$out/$name.stderr"
		done_line "$step" "$name" "INCOMPLETE: $why"
		continue
	fi
	server_stop
	rm -f "$out/$name.stdout"
	[ -s "$out/$name.harness.stderr" ] || rm -f "$out/$name.harness.stderr"
	[ -s "$out/$name.stderr" ] || rm -f "$out/$name.stderr"
	arrivals=$(sed -n 's/^ *arrival after request (ms) *//p' "$out/$name.summary.txt")
	worst=$(sed -n 's/^ *bystander worst echo (ms) *//p' "$out/$name.summary.txt")
	done_line "$step" "$name" "arrivals $arrivals ms; bystander waits $worst ms"
done

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

# The scaling sweep, with its own lines (one per point) under its step's.
# Exit 3: some points failed; 1: it could not run (a server that will not
# start, a harness without --clients); either makes this run incomplete.
scaling_rc=0
if [ "$scaling" = yes ]; then
	step=$((step + 1))
	done_line "$step" "scaling sweep" "make scaling's grid (SCALING=$SCALING) -> $out/scaling/"
	SCALING_OUT=$out/scaling BUILD=$BUILD SCALING=$SCALING ITERS_PER_MS=$ITERS_PER_MS \
		sh scripts/scaling.sh |
		sed 's/^/    /' || :
	# a pipeline's status is sed's: the sweep's comes from its files
	if [ ! -s "$out/scaling/verdict.txt" ]; then
		scaling_rc=1
	elif grep -q '^failed: ' "$out/scaling/verdict.txt"; then
		scaling_rc=3
	fi
fi

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
	echo "done in $(($(date +%s) - start)) s, incomplete: $out/ (results/latest)"
	exit 3
fi
[ "$plots" = ok ] || die "the summary or the figures of $out failed"
echo "done in $(($(date +%s) - start)) s: $out/ (results/latest): summary.md, overview.png, the CSVs"
