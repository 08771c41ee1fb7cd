#!/bin/sh
# priority.sh: who gets the core, the event loop or the workers?
# (docs/scaling.md, "Who gets the core").
#
# server-threadpool with --work cpu, every scheduling policy in
# PRIORITY_POLICIES, at K = 1, 8 and 16 clients: the bystander's worst echo,
# delivery latency (t_arrive - t_done) split into queue wait (t_send -
# t_done, on the server) and transit (t_arrive - t_send), throughput and
# efficiency. Every server gets one --iters-per-ms, measured once, so they
# all do identical work.
#
#   sh scripts/priority.sh              # ~2.5 minutes on 2 cores
#   PRIORITY_POLICIES="nice idle" PRIORITY_REPEATS=3 sh scripts/priority.sh
#   PRIORITY_HOGS=1 sh scripts/priority.sh    # with a busy loop on the side
#   sh scripts/priority.sh --summarize results/priority-DATE   # the table again
#   SERVER=old/server-threadpool HARNESS=old/harness sh scripts/priority.sh
#
# A policy is WORKERS[-sUS][-tN]: WORKERS is normal, nice or idle
# (--worker-priority), -sUS gives the loop thread an EEVDF slice of US
# microseconds (--loop-slice-us; none: the kernel's),
# -tN runs N worker threads (none: the online CPUs). Every point is
# measured PRIORITY_REPEATS times (default 2), the policies in a new order
# each repeat, so that a disturbance of the machine does not land on one
# policy only.
#
# Each point: K clients at once, each one job of PRIORITY_ITEMS (20) x
# PRIORITY_WORK_MS (20 ms), a bystander echoing every PRIORITY_BYSTANDER_MS
# (20); PRIORITY_RUNS_K1 runs (5: 100 messages) at K = 1, PRIORITY_RUNS (2)
# at larger K. PRIORITY_CLIENTS changes the Ks (default "1 8 16").
# PRIORITY_IPM: the --iters-per-ms (default: server-threadpool --calibrate).
# PRIORITY_HOGS: N busy loops (sh -c 'while :; do :; done') run during the
# whole sweep, as other programs would.
#
# It leaves, in results/priority-<date>/ (or PRIORITY_OUT):
#   env.txt                 machine, commit, parameters, load before/after
#   sweep.csv               per point: harness exit, the CPU ticks of the
#                           server, the harness and the whole machine
#   <point>.messages.csv    the harness's rows (<point>: policy-kK-rR)
#   <point>.bystander.csv   the bystander's echoes
#   points.csv              per point, every number (scripts/priority.awk)
#   table.txt               the table it prints
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh

BUILD=${BUILD:-build}
HARNESS=${HARNESS:-$BUILD/harness}
SERVER=${SERVER:-$BUILD/server-threadpool}
POLICIES=${PRIORITY_POLICIES:-normal nice idle nice-s100 idle-s100 idle-t1}
CLIENTS=${PRIORITY_CLIENTS:-1 8 16}
REPEATS=${PRIORITY_REPEATS:-2}
ITEMS=${PRIORITY_ITEMS:-20}
WORK_MS=${PRIORITY_WORK_MS:-20}
BYSTANDER_MS=${PRIORITY_BYSTANDER_MS:-20}
RUNS_K1=${PRIORITY_RUNS_K1:-5}
RUNS=${PRIORITY_RUNS:-2}
HOGS=${PRIORITY_HOGS:-0}
cores=$(nproc)

# summarize DIR: the table of DIR's CSVs, into DIR/table.txt and stdout
summarize() {
	_items=$(sed -n 's/^parameters: .*ITEMS=\([0-9]*\).*/\1/p' "$1/env.txt")
	_work=$(sed -n 's/^parameters: .*WORK_MS=\([0-9]*\).*/\1/p' "$1/env.txt")
	_cores=$(sed -n 's/^parameters: .*CORES=\([0-9]*\).*/\1/p' "$1/env.txt")
	[ -n "$_items" ] && [ -n "$_work" ] && [ -n "$_cores" ] ||
		die "$1/env.txt has no parameters line: not a priority run"
	echo "point,policy,clients,repeat,threads,harness_exit,runs,messages,bystander_max_ms,delivery_p50_ms,delivery_p99_ms,delivery_max_ms,queue_p50_ms,queue_p99_ms,transit_p50_ms,transit_p99_ms,makespan_ms,throughput,efficiency_pct,efficiency_cores_pct,efficiency_item_pct,item_p50_ms,ideal_makespan_ms,others_cores,status,echoes" >"$1/points.csv"
	awk -F, -v dir="$1" -v items="$_items" -v work_ms="$_work" -v cores="$_cores" \
		-f scripts/priority.awk "$1/sweep.csv" >"$1/table.txt"
	cat "$1/table.txt"
}

if [ "${1:-}" = --summarize ]; then
	[ -n "${2:-}" ] && [ -f "$2/sweep.csv" ] || die "usage: $0 --summarize DIR (a priority run)"
	summarize "$2"
	exit 0
fi
[ $# = 0 ] || die "usage: $0 [--summarize DIR]; the rest is set in PRIORITY_* variables"

for v in REPEATS ITEMS WORK_MS BYSTANDER_MS RUNS_K1 RUNS; do
	eval "val=\$$v"
	case $val in
	'' | *[!0-9]* | 0*) die "PRIORITY_$v must be a positive integer, not '$val'" ;;
	esac
done
case $HOGS in '' | *[!0-9]*) die "PRIORITY_HOGS must be a number, not '$HOGS'" ;; esac
for k in $CLIENTS; do
	case $k in '' | *[!0-9]* | 0*) die "a number of clients must be a positive integer, not '$k'" ;; esac
done

# policy_args POLICY: the server's options for it; policy_threads: its pool
policy_args() {
	_rest=$1
	_workers=${_rest%%-*}
	_rest=${_rest#"$_workers"}
	_slice=0
	_threads=$cores
	while [ -n "$_rest" ]; do
		_part=${_rest#-}
		_part=${_part%%-*}
		_rest=${_rest#-"$_part"}
		case $_part in
		s[0-9]*) _slice=${_part#s} ;;
		t[0-9]*) _threads=${_part#t} ;;
		*) die "policy '$1': '$_part' is neither -sUS nor -tN" ;;
		esac
	done
	case $_workers in
	normal | nice | idle) ;;
	*) die "policy '$1' must start with normal, nice or idle" ;;
	esac
	# --loop-slice-us only when asked for, so that SERVER may be a build
	# from before the option (a before/after comparison)
	if [ "$_slice" = 0 ]; then
		echo "--worker-priority $_workers --threads $_threads"
	else
		echo "--worker-priority $_workers --loop-slice-us $_slice --threads $_threads"
	fi
}
for p in $POLICIES; do policy_args "$p" >/dev/null; done

[ -x "$SERVER" ] || die "$SERVER is not built (run make)"
[ -x "$HARNESS" ] || die "$HARNESS is not built (run make)"
IPM=${PRIORITY_IPM:-$("$SERVER" --calibrate | sed -n 's/^iters_per_ms //p')}
case $IPM in '' | *[!0-9]*) die "no --iters-per-ms: '$IPM'" ;; esac

if [ -n "${PRIORITY_OUT:-}" ]; then
	out=$PRIORITY_OUT
	run_id=$(basename "$out")
else
	run_id=priority-$(date +%Y%m%d-%H%M%S)
	out=results/$run_id
fi
[ -e "$out" ] && die "$out exists already"
mkdir -p "$out"

npol=$(echo $POLICIES | wc -w)
nk=$(echo $CLIENTS | wc -w)
# the nominal time: each run of a point is about its ideal makespan
estimate=$(echo "$CLIENTS" | awk -v j=$((ITEMS * WORK_MS)) -v c="$cores" \
	-v r1="$RUNS_K1" -v r="$RUNS" -v p="$npol" -v rep="$REPEATS" '{
	for (i = 1; i <= NF; i++) {
		m = $i * j / c; if (m < j) m = j
		s += ($i == 1 ? r1 : r) * (m + 150) / 1000
	} } END { printf "%.0f", (s + 0.3 * NF) * p * rep }')
{
	env_machine "$run_id"
	echo "parameters: POLICIES=$(echo $POLICIES | tr ' ' +) CLIENTS=$(echo $CLIENTS | tr ' ' +) REPEATS=$REPEATS ITEMS=$ITEMS WORK_MS=$WORK_MS BYSTANDER_MS=$BYSTANDER_MS RUNS_K1=$RUNS_K1 RUNS=$RUNS HOGS=$HOGS IPM=$IPM CORES=$cores"
	echo "estimate: $estimate s"
	echo "load before: $(cut -d ' ' -f 1-3 /proc/loadavg)"
} >"$out/env.txt"
echo "sendlab priority $run_id -> $out"
echo "  $npol policies x K in {$CLIENTS} x $REPEATS repeats; $ITEMS items x $WORK_MS ms; --iters-per-ms $IPM; about $estimate s"
load=$(cut -d ' ' -f 1 /proc/loadavg)
if awk -v l="$load" -v c="$cores" 'BEGIN { exit !(l >= c / 2) }'; then
	echo "  warning: the machine looks busy (load average $load on $cores cores): see uptime; the 'others' column will tell"
fi

# ticks PID and machine: lib.sh.
# children FILE: the CPU time of this shell's children so far (the harness
# runs are its children), in clock ticks, from FILE, where this shell wrote
# `times` (in this shell: in a $(...) subshell `times` would see the
# subshell's children only): its second line, "XmY.YYYs XmY.YYYs"
children() {
	awk -v hz="$clk_tck" 'NR == 2 {
		t = 0
		for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] }
		printf "%.0f", t * hz }' "$1"
}
clk_tck=$(getconf CLK_TCK)
echo "point,policy,clients,repeat,threads,harness_exit,server_ticks,harness_ticks,busy_ticks,total_ticks,clk_tck" >"$out/sweep.csv"

hogs=""
server_up=0
cleanup() {
	if [ "$server_up" = 1 ]; then kill "$SERVER_PID" 2>/dev/null || :; fi
	for h in $hogs; do kill "$h" 2>/dev/null || :; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
h=0
while [ "$h" -lt "$HOGS" ]; do
	sh -c 'while :; do :; done' &
	hogs="$hogs $!"
	h=$((h + 1))
done

start=$(date +%s)
failed=0
rep=1
while [ "$rep" -le "$REPEATS" ]; do
	# rotate the order: repeat r starts at the r-th policy
	order=$(echo $POLICIES | awk -v r="$rep" '{ for (i = 0; i < NF; i++) printf "%s ", $((i + r - 1) % NF + 1) }')
	for pol in $order; do
		args=$(policy_args "$pol")
		threads=${args##*--threads }
		server_start "$SERVER" "$out/$pol-r$rep" --quiet --work cpu --iters-per-ms "$IPM" $args
		server_up=1
		for k in $CLIENTS; do
			point=$pol-k$k-r$rep
			runs=$RUNS
			[ "$k" != 1 ] || runs=$RUNS_K1
			sys0=$(machine)
			srv0=$(ticks "$SERVER_PID")
			times >"$out/.times"
			ch0=$(children "$out/.times")
			rc=0
			"$HARNESS" --url "ws://127.0.0.1:$SERVER_PORT/" --items "$ITEMS" \
				--work-ms "$WORK_MS" --runs "$runs" --clients "$k" \
				--bystander-ms "$BYSTANDER_MS" --csv "$out/$point.messages.csv" \
				--bystander-csv "$out/$point.bystander.csv" --quiet \
				</dev/null >/dev/null 2>"$out/$point.harness.stderr" || rc=$?
			times >"$out/.times"
			ch1=$(children "$out/.times")
			srv1=$(ticks "$SERVER_PID")
			sys1=$(machine)
			[ -n "$srv1" ] || srv1=$srv0
			[ -n "$srv0" ] || { srv0=0; srv1=0; }
			echo "$point,$pol,$k,$rep,$threads,$rc,$((srv1 - srv0)),$((ch1 - ch0)),$((${sys1% *} - ${sys0% *})),$((${sys1#* } - ${sys0#* })),$clk_tck" >>"$out/sweep.csv"
			[ -s "$out/$point.harness.stderr" ] || rm -f "$out/$point.harness.stderr"
			worst=$(awk -F, 'NR > 1 && !/^#/ && $6 - $4 > w { w = $6 - $4 } END { printf "%.2f", w / 1000 }' \
				"$out/$point.bystander.csv" 2>/dev/null || echo "?")
			if [ "$rc" != 0 ]; then
				failed=$((failed + 1))
				printf '  %-22s FAILED (harness exit %s: %s)\n' "$point" "$rc" \
					"$(head -n 1 "$out/$point.harness.stderr" 2>/dev/null)"
				if ! kill -0 "$SERVER_PID" 2>/dev/null; then
					server_reap
					server_start "$SERVER" "$out/$pol-r$rep" --quiet --work cpu \
						--iters-per-ms "$IPM" $args
				fi
				continue
			fi
			printf '  %-22s bystander worst %s ms  (%ss)\n' "$point" "$worst" \
				"$(($(date +%s) - start))"
		done
		server_stop
		server_up=0
		rm -f "$out/$pol-r$rep.stdout"
		[ -s "$out/$pol-r$rep.stderr" ] || rm -f "$out/$pol-r$rep.stderr"
	done
	rep=$((rep + 1))
done
for h in $hogs; do kill "$h" 2>/dev/null || :; done
hogs=""
rm -f "$out/.times"
echo "load after: $(cut -d ' ' -f 1-3 /proc/loadavg)" >>"$out/env.txt"
echo "took: $(($(date +%s) - start)) s" >>"$out/env.txt"

echo
summarize "$out"
echo
echo "done in $(($(date +%s) - start)) s: $out/ (table.txt, points.csv)"
[ "$failed" = 0 ] || { echo "$failed point(s) failed: see their .harness.stderr" >&2; exit 3; }
