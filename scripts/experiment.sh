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
# Between them, the Python original (src/python/server.py, one
# configuration py-V per PY_VARIANTS, PY_RUNS rounds, the same job and
# bystander) runs the same way into results/<run-id>/python/, and plots.sh
# sets each beside the C configuration PY_PAIRS names (python.png, the last
# table of summary.md). PEERS=none leaves it out.
# Last, the scaling sweep (scripts/scaling.sh, make scaling) runs into
# results/<run-id>/scaling/, with SCALING (short unless set: the points
# its verdict reads; default or full for make scaling's grids).
# QUICK=1: one run per C configuration, no Python, no scaling sweep (a
# smoke test, under 20 s). docs/experiment.md explains every output.
# RTT_MS=R (even, 0..2000): every harness connection goes through its own
# build/delayproxy --delay-ms R/2 in front of the server, so each round
# trip takes R ms more; env.txt says so (rtt_ms), the summary takes the
# known delay off delivery and echoes and tables each configuration's
# spacing against the item and R (docs/network.md). No scaling sweep then.
# SCALING=none: no scaling sweep. OUT=DIR: the run goes into DIR (new or
# empty) and results/latest stays where it was (scripts/network.sh).
#
# Time: each section has a budget on the 2-core reference machine, 90 s
# in all with the build excluded (C variants 30 s, Python 28 s, summary
# and figures ~6 s, scaling sweep 25 s; RUNS=4 and PY_RUNS=3 keep it
# there: the verdicts were the same over 5 runs). The script prints its
# estimate of each before it starts and what each took at the end, and
# says when a section went over its budget (more RUNS, a bigger grid, a
# slower machine).
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
RUNS=${RUNS:-4}
[ "$QUICK" = 1 ] && RUNS=1
ITEMS=${ITEMS:-3}
WORK_MS=${WORK_MS:-300}
BYSTANDER_MS=${BYSTANDER_MS:-20}
SENDS=${SENDS:-proactor queue direct}
VARIANTS=${VARIANTS:-blocking flush pingpong threadpool partition}
SCALING=${SCALING:-short}
RTT_MS=${RTT_MS:-0}
case $RTT_MS in
'' | *[!0-9]*) die "RTT_MS must be a round trip in ms (an even number, 0..2000), not '$RTT_MS'" ;;
esac
[ "$RTT_MS" -le 2000 ] && [ $((RTT_MS % 2)) = 0 ] ||
	die "RTT_MS must be even (the proxy delays each way by RTT_MS/2 ms) and at most 2000, not '$RTT_MS'"
if [ "$QUICK" = 1 ] || [ "$RTT_MS" != 0 ] || [ "$SCALING" = none ]; then scaling=no; else scaling=yes; fi
# The Python original (src/python/server.py): PEERS=none leaves it out,
# and so does QUICK=1. PY_RUNS rounds of every PY_VARIANTS, and each pair
# of PY_PAIRS (python:c) is drawn and tabled side by side.
PEERS=${PEERS:-python}
PY_RUNS=${PY_RUNS:-3}
[ "$QUICK" = 1 ] && PY_RUNS=1
PY_VARIANTS=${PY_VARIANTS:-create-task await-send sleep0 drain pingpong to-thread process-pool partition}
PY_PAIRS="py-create-task:blocking-queue py-await-send:blocking-direct py-drain:flush py-pingpong:pingpong py-to-thread:threadpool py-process-pool:threadpool py-partition:partition py-sleep0:-"
case $PEERS in
python) python=yes ;;
none) python=no ;;
*) die "PEERS must be python or none, not '$PEERS'" ;;
esac
[ "$QUICK" = 1 ] && python=no
BUDGET_C=30
BUDGET_PYTHON=28
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
py_configs=""
for v in $PY_VARIANTS; do
	case " create-task await-send sleep0 drain pingpong to-thread process-pool partition " in
	*" $v "*) py_configs="$py_configs py-$v" ;;
	*) die "unknown Python variant '$v' in PY_VARIANTS (see src/python/server.py --help)" ;;
	esac
done
py_configs=${py_configs# }
if [ "$python" = yes ]; then
	[ -n "$py_configs" ] || die "no Python configurations: PY_VARIANTS is empty (PEERS=none skips them)"
	/usr/bin/python3 -c 'import websockets' 2>/dev/null ||
		die "python3-websockets is missing: run sh scripts/install-deps.sh (or PEERS=none)"
fi

run_id=$(date +%Y%m%d-%H%M%S)
out=results/$run_id
[ -e "$out" ] && { sleep 1; run_id=$(date +%Y%m%d-%H%M%S); out=results/$run_id; }
if [ -n "${OUT:-}" ]; then
	[ ! -e "$OUT" ] || [ -z "$(ls -A "$OUT")" ] || die "OUT=$OUT is not empty"
	out=$OUT
fi
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
	[ "$RTT_MS" = 0 ] || echo "rtt_ms: $RTT_MS (build/delayproxy --delay-ms $((RTT_MS / 2)) before every server)"
	if [ "$python" = yes ]; then
		echo "python: python/ (PY_RUNS=$PY_RUNS; its own env.txt)"
	else
		echo "python: not run ($([ "$QUICK" = 1 ] && echo QUICK=1 || echo PEERS=none))"
	fi
	if [ "$scaling" = yes ]; then
		echo "scaling: scaling/ (SCALING=$SCALING; its own env.txt)"
	else
		echo "scaling: not run ($([ "$QUICK" = 1 ] && echo QUICK=1 || { [ "$RTT_MS" = 0 ] && echo SCALING=none; } || echo RTT_MS=$RTT_MS))"
	fi
} >"$out/env.txt"

total=$(echo $configs | wc -w)
steps=$((RUNS + 1))	# a round of runs each, and the summary and plots
[ "$python" = no ] || steps=$((steps + PY_RUNS))	# the Python rounds
[ "$scaling" = no ] || steps=$((steps + 1))	# and the scaling sweep

# The expected seconds of each section: per configuration a server start
# and RUNS jobs of ITEMS x WORK_MS with about 0.05 s of connecting and
# asking for stats each. Measured on the 2-core machine: 7 configurations,
# RUNS=4, 3 x 300 ms: 27 s.
# RTT_MS adds about ten round trips a run (connecting, the harness's
# clock echoes, the stats) and pingpong one an item: counted for all.
est_c=$(awk -v n="$total" -v runs="$RUNS" -v j="$((ITEMS * WORK_MS))" -v r="$RTT_MS" -v k="$ITEMS" \
	'BEGIN { printf "%.0f", n * (0.3 + runs * (j / 1000 + 0.05 + (10 + k) * r / 1000)) }')
# The Python section: the same per run, and each server's start-up
# (~0.4 s: the interpreter, its calibration). Measured: 8 configurations,
# PY_RUNS=3, 3 x 300 ms: 26 s.
est_py=0
[ "$python" = no ] || est_py=$(awk -v n="$(echo $py_configs | wc -w)" -v runs="$PY_RUNS" \
	-v j="$((ITEMS * WORK_MS))" 'BEGIN { printf "%.0f", n * (0.4 + runs * (j / 1000 + 0.1)) }')
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
echo "  RUNS=$RUNS ITEMS=$ITEMS WORK_MS=$WORK_MS BYSTANDER_MS=$BYSTANDER_MS$([ "$QUICK" = 1 ] && echo ' (QUICK=1)')$([ "$RTT_MS" = 0 ] || echo " RTT_MS=$RTT_MS (through build/delayproxy)")"
expected="C variants ~${est_c} s$(over "$est_c" "$BUDGET_C")"
[ "$python" = no ] || expected="$expected, Python ($(echo $py_configs | wc -w) variants, PY_RUNS=$PY_RUNS) ~${est_py} s$(over "$est_py" "$BUDGET_PYTHON")"
[ "$scaling" = no ] || expected="$expected, scaling sweep (SCALING=$SCALING) ~${est_scaling} s$(over "$est_scaling" "$BUDGET_SCALING")"
echo "  expected: about $((est_c + est_py + est_scaling)) s: $expected$([ "$QUICK" = 1 ] && echo ' (QUICK=1: C only)')"

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

# measure DIR RUNS CONFIGS: one section's measurements, into DIR.
# Every configuration's server starts first and waits, idle, for its
# turn; then the runs go round: run 1 of every configuration, run 2 of
# every one, and so on. Interleaved, because this machine's cores change
# speed by up to 10% from one half-minute to the next
# (docs/experiment-reference.md, "Same work"): run one configuration after another and a configuration
# measured in a slow stretch looks slower than the rest, for nothing it
# did. Round-robin, every configuration samples every stretch alike.
# Server i (1..n) is pid_i on port_i; gone_i is set once the harness
# gave up on it, and it takes no more turns. A py-V configuration is the
# Python original, src/python/server.py --variant V. Advances $step.
measure() {
	m_dir=$1
	m_runs=$2
	m_configs=$3
	# the C servers all at once, then each one's listening line; a Python
	# server alone, as it measures its kernel's speed at start-up (~0.3 s),
	# and alone it measures the speed it will compute at
	i=0
	status $((step + 1)) "start servers" "$m_configs"
	for name in $m_configs; do
		i=$((i + 1))
		eval "port_$i="
		case $name in
		py-*)
			server_start src/python/server.py "$m_dir/$name" --variant "${name#py-}" \
				--quiet --lag-log "$m_dir/$name.lagmon.csv"
			eval "port_$i=\$SERVER_PORT"
			;;
		*)
			variant=${name%%-*}
			send=proactor
			[ "$variant" = "$name" ] || send=${name#*-}
			server_spawn "$BUILD/server-$variant" "$m_dir/$name" --send "$send" --quiet \
				--iters-per-ms "$ITERS_PER_MS" --lag-log "$m_dir/$name.lagmon.csv"
			;;
		esac
		eval "pid_$i=\$SERVER_PID; gone_$i="
		up="${up:-} $SERVER_PID"
	done
	i=0
	for name in $m_configs; do
		i=$((i + 1))
		eval "SERVER_PID=\$pid_$i; SERVER_PORT=\$port_$i"
		[ -n "$SERVER_PORT" ] && continue
		server_await "$name" "$m_dir/$name"
		eval "port_$i=\$SERVER_PORT"
	done
	# RTT_MS: the harness talks to a delay proxy in front of each server
	i=0
	for name in $m_configs; do
		i=$((i + 1))
		eval "proxy_$i="
		[ "$RTT_MS" = 0 ] && continue
		eval "p=\$port_$i; spid=\$pid_$i"
		server_start "$BUILD/delayproxy" "$m_dir/$name.proxy" --to "127.0.0.1:$p" \
			--delay-ms $((RTT_MS / 2))
		eval "proxy_$i=\$SERVER_PID; port_$i=\$SERVER_PORT"
		up="$up $SERVER_PID"
	done

	for round in $(seq 1 "$m_runs"); do
		step=$((step + 1))
		i=0
		for name in $m_configs; do
			i=$((i + 1))
			eval "gone=\$gone_$i; SERVER_PID=\$pid_$i; SERVER_PORT=\$port_$i"
			[ -z "$gone" ] || continue
			status "$step" "${4}round $round/$m_runs" "$name"
			rc=0
			"$BUILD/harness" --url "ws://127.0.0.1:$SERVER_PORT/" --items "$ITEMS" \
				--work-ms "$WORK_MS" --run "$round/$m_runs" --bystander-ms "$BYSTANDER_MS" \
				--csv "$m_dir/$name.messages.csv" --bystander-csv "$m_dir/$name.bystander.csv" \
				--lag-csv "$m_dir/$name.lag.csv" >>"$m_dir/$name.summary.txt" \
				2>>"$m_dir/$name.harness.stderr" || rc=$?
			if [ "$rc" = 2 ]; then	# its command line: every run would fail
				[ "$tty" = 1 ] && echo
				cat "$m_dir/$name.harness.stderr" >&2
				die "the harness refused its command line on $name (exit 2)"
			fi
			[ "$rc" = 0 ] && continue
			# 3: the run is incomplete, 1: nothing measured (see build/harness
			# --help). The server may be dead already: often that is why.
			server_reap
			eval "gone_$i=yes"
			why=$(sed -n 's/^# incomplete: //p' "$m_dir/$name.messages.csv" 2>/dev/null)
			[ -n "$why" ] || why=$(tail -n 1 "$m_dir/$name.harness.stderr")
			incomplete="$incomplete
  $name: $why (harness exit $rc; the server $SERVER_FATE; $m_dir/$name.harness.stderr)"
			done_line "$step" "${4}round $round/$m_runs" "$name INCOMPLETE: $why"
		done
		done_line "$step" "${4}round $round/$m_runs" "a run of each configuration"
	done

	i=0
	for name in $m_configs; do
		i=$((i + 1))
		eval "gone=\$gone_$i; SERVER_PID=\$pid_$i"
		[ -n "$gone" ] || server_stop
		eval "SERVER_PID=\$proxy_$i"
		if [ -n "$SERVER_PID" ]; then
			server_stop
			rm -f "$m_dir/$name.proxy.stdout"
			[ -s "$m_dir/$name.proxy.stderr" ] || rm -f "$m_dir/$name.proxy.stderr"
		fi
		rm -f "$m_dir/$name.stdout"
		[ -s "$m_dir/$name.harness.stderr" ] || rm -f "$m_dir/$name.harness.stderr"
		[ -s "$m_dir/$name.stderr" ] || rm -f "$m_dir/$name.stderr"
		[ -n "$gone" ] && continue
		arrivals=$(csv_seq_medians "$m_dir/$name.messages.csv" 9 4)
		# the medians over the runs, as one harness call with --runs would
		# have printed them (the labs quote this block)
		{
			echo "$(sed -n 's/^run 1\/[0-9]* \([^:]*\):.*/\1/p' "$m_dir/$name.summary.txt"), $m_runs run$([ "$m_runs" = 1 ] || echo s) of $ITEMS x $WORK_MS ms, medians over runs:"
			echo "  arrival after request (ms)  $arrivals"
			echo "  delivery latency (ms)       $(csv_seq_medians "$m_dir/$name.messages.csv" 9 7)"
			echo "  bystander worst echo (ms)   $(csv_median_worst_echo "$m_dir/$name.bystander.csv")"
			echo "  event-loop lag max (ms)     $(csv_median_lag_max "$m_dir/$name.lag.csv")"
		} >>"$m_dir/$name.summary.txt"
		# behind the proxy every echo also took its round trip: say so
		printf '  %-18s arrivals %s ms; bystander waits %s ms%s\n' "$name" "$arrivals" \
			"$(csv_worst_echo "$m_dir/$name.bystander.csv")" \
			"$([ "$RTT_MS" = 0 ] || echo " (its $RTT_MS ms round trip included)")"
	done
	up=""
}

# a die or ^C must not leave servers behind
trap 'for p in ${up:-}; do kill "$p" 2>/dev/null || :; done' EXIT
trap 'exit 130' INT TERM

step=0
measure "$out" "$RUNS" "$configs" ""
took_c=$(($(date +%s) - start))

# The Python original, measured by the same harness with the same job,
# into python/: a run directory of its own (its env.txt, CSVs, summary),
# which plots.sh sets beside the C configurations PY_PAIRS names.
if [ "$python" = yes ]; then
	mkdir -p "$out/python"
	{
		env_machine "$run_id"
		echo "parameters: RUNS=$PY_RUNS ITEMS=$ITEMS WORK_MS=$WORK_MS BYSTANDER_MS=$BYSTANDER_MS PY_VARIANTS='$PY_VARIANTS' QUICK=$QUICK"
		echo "configs: $py_configs"
		# one figure for all would give unequal items: on the reference
		# machine a python3 process runs the kernel either at ~300 or at
		# ~485 ms per 300 ms-item of the other kind, for its whole life
		# (10 processes alone: 5 and 5), so each server measures its own
		echo "iters_per_ms: per-server"
		echo "calibration: each Python server measured its own pure-Python kernel's speed at start-up"
		echo "python: $(/usr/bin/python3 --version 2>&1), python3-websockets $(dpkg-query -W -f '${Version}' python3-websockets 2>/dev/null)"
		echo "pairs: $PY_PAIRS"
		[ "$RTT_MS" = 0 ] || echo "rtt_ms: $RTT_MS (build/delayproxy --delay-ms $((RTT_MS / 2)) before every server)"
	} >"$out/python/env.txt"
	measure "$out/python" "$PY_RUNS" "$py_configs" "python "
fi
took_py=$(($(date +%s) - start - took_c))

step=$((step + 1))
status "$step" "summary, plots" "build/summarize, gnuplot"
if sh scripts/plots.sh "$out"; then
	plots=ok
	done_line "$step" "summary, plots" "summary.md, overview.png and 5 more figures"
else
	plots=failed
	done_line "$step" "summary, plots" "FAILED (the reason is above)"
fi
latest=" (results/latest)"
if [ -n "${OUT:-}" ]; then latest=""; else ln -sfn "$run_id" results/latest; fi
took_plots=$(($(date +%s) - start - took_c - took_py))

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
	took_scaling=$(($(date +%s) - start - took_c - took_py - took_plots))
	# a pipeline's status is sed's: the sweep's comes from its files
	if [ ! -s "$out/scaling/verdict.txt" ]; then
		scaling_rc=1
	elif grep -q '^failed: ' "$out/scaling/verdict.txt"; then
		scaling_rc=3
	fi
fi

took="C variants ${took_c} s$(over "$took_c" "$BUDGET_C")"
[ "$python" = no ] || took="$took, Python ${took_py} s$(over "$took_py" "$BUDGET_PYTHON")"
took="$took, summary and figures ${took_plots} s"
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
	echo "done in $(($(date +%s) - start)) s ($took), incomplete: $out/$latest"
	exit 3
fi
[ "$plots" = ok ] || die "the summary or the figures of $out failed"
echo "done in $(($(date +%s) - start)) s ($took): $out/$latest: summary.md, overview.png, the CSVs"
