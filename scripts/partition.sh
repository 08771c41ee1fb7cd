#!/bin/sh
# partition.sh: what server-partition's slice size buys and costs, and how
# it gives the loop back (docs/variants.md, "Partition: the slice size" and
# "How partition gives the loop back").
#
#   make partition-sweep                 # about a minute on 2 cores
#   sh scripts/partition.sh --summarize results/partition-DATE   # tables again
#
# Every point is one server and one harness call per round: a job of
# PARTITION_ITEMS (3) x PARTITION_WORK_MS (300 ms) with a bystander echoing
# every PARTITION_BYSTANDER_MS (20 ms), PARTITION_RUNS (3) rounds, the
# points in the same order each round so that a slow moment of the machine
# spreads over all of them (the servers all start first and get one
# --iters-per-ms, measured once: identical work). The points:
#   blocking          server-blocking, the baseline
#   slice-S           server-partition --slice-ms S for S in
#                     PARTITION_SLICES ("1 2 5 10 20 50 100"), default --yield
#   yield-Y-sS        server-partition --yield Y --slice-ms S for Y in
#                     PARTITION_YIELDS ("turn writeable wake timer0 timer1")
#                     and S in PARTITION_YIELD_SLICES ("1 5")
#
# Per point (points.csv, table.txt):
#   bystander_max_ms  the bystander's worst echo over all rounds
#   lag_max_ms        the server's lag monitor, worst over all rounds
#   job_cpu           the job's length (request to last arrival) over the
#                     CPU time of its items, median of the rounds: 1.00 is
#                     "no time outside the work"; it is immune to the
#                     core's speed drifting between rounds, as the work's
#                     own length is not
#   loop_us_per_slice what one trip through the loop costs the job:
#                     (item wall - item CPU time) / slices per item, the
#                     median item; includes serving the bystander and the
#                     lag monitor, which is the point of the trip
#   delivery_max_ms   worst t_arrive - t_done
#   arrivals_ms       median arrival of each result after the request
#
# It leaves, in results/partition-<date>/ (or PARTITION_OUT): env.txt,
# <point>.messages.csv, .bystander.csv, .lag.csv, points.csv, table.txt and
# partition.png (gnuplot: the bystander's and the lag monitor's worst wait
# and the worst delivery latency against the slice size, and the job's
# length beyond its CPU time against it).
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh

BUILD=${BUILD:-build}
HARNESS=$BUILD/harness
ITEMS=${PARTITION_ITEMS:-3}
WORK_MS=${PARTITION_WORK_MS:-300}
BYSTANDER_MS=${PARTITION_BYSTANDER_MS:-20}
RUNS=${PARTITION_RUNS:-3}
SLICES=${PARTITION_SLICES:-1 2 5 10 20 50 100}
YIELDS=${PARTITION_YIELDS:-turn writeable wake timer0 timer1}
YIELD_SLICES=${PARTITION_YIELD_SLICES:-1 5}
CHUNK=65536	# WORK_CHUNK_ITERS (src/core/work.h): a slice is whole chunks

# summarize DIR: points.csv and table.txt from DIR's CSVs, and the figure
summarize() {
	_ipm=$(sed -n 's/^iters_per_ms: \([0-9]*\).*/\1/p' "$1/env.txt")
	[ -n "$_ipm" ] || die "$1/env.txt has no iters_per_ms line: not a partition run"
	echo "point,variant,yield,slice_ms,runs,bystander_max_ms,lag_max_ms,job_cpu,loop_us_per_slice,delivery_max_ms,arrivals_ms" >"$1/points.csv"
	while IFS=' ' read -r _point _variant _yield _slice; do
		_m="$1/$_point.messages.csv"
		[ -f "$_m" ] || continue
		awk -F, -v point="$_point" -v variant="$_variant" -v yield="$_yield" \
			-v slice="$_slice" \
			-v bys="$1/$_point.bystander.csv" -v lag="$1/$_point.lag.csv" '
		function median(a, n,   i, j, t) {
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && a[j] < a[j - 1]; j--) {
					t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
				}
			return n ? a[int((n + 1) / 2)] : -1
		}
		NR > 1 && !/^#/ {
			r = $2
			if ($9 > last[r]) last[r] = $9
			req[r] = $4
			cpu[r] += $11
			if ($9 - $7 > dmax) dmax = $9 - $7
			arr[$3] = arr[$3] " " ($9 - $4)
			if ($3 + 1 > nseq) nseq = $3 + 1
		}
		END {
			while ((getline line < bys) > 0) {
				split(line, f, ",")
				if (f[1] == "variant" || line ~ /^#/) continue
				if (f[6] - f[4] > bmax) bmax = f[6] - f[4]
			}
			while ((getline line < lag) > 0) {
				split(line, f, ",")
				if (f[1] == "variant" || line ~ /^#/) continue
				if (f[7] > lmax) lmax = f[7]
			}
			runs = 0
			for (r in last) jc[++runs] = (last[r] - req[r]) / cpu[r]
			arrivals = ""
			for (q = 0; q < nseq; q++) {
				k = split(arr[q], x, " ")
				for (i = 1; i <= k; i++) x[i] += 0
				arrivals = arrivals (q ? " " : "") sprintf("%.0f", median(x, k) / 1000)
			}
			printf "%s,%s,%s,%s,%d,%.1f,%.1f,%.3f,%s,%.1f,%s\n", point, variant,
				yield, slice, runs, bmax / 1000, lmax / 1000, median(jc, runs),
				"@PER@", dmax / 1000, arrivals
		}' "$_m" >"$1/.row"
		# loop time per slice: (item wall - item cpu) / slices of an item
		_per=-
		if [ "$_slice" != - ]; then
			_work=$(sed -n 's/^parameters: .*WORK_MS=\([0-9]*\).*/\1/p' "$1/env.txt")
			_per=$(awk -F, -v s="$_slice" -v ipm="$_ipm" -v chunk="$CHUNK" -v w="$_work" '
				NR > 1 && !/^#/ { v[++n] = $7 - $6 - $11 }
				END {
					step = int((s * ipm + chunk - 1) / chunk) * chunk
					slices = int((w * ipm + step - 1) / step)
					for (i = 2; i <= n; i++)
						for (j = i; j > 1 && v[j] < v[j - 1]; j--) {
							t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
						}
					printf "%.0f", v[int((n + 1) / 2)] / slices
				}' "$_m")
		fi
		sed "s/@PER@/$_per/" "$1/.row" >>"$1/points.csv"
	done <"$1/points.txt"
	rm -f "$1/.row"
	{
		echo "server-partition: $(sed -n 's/^parameters: //p' "$1/env.txt")"
		echo "bystander/lag: worst over all rounds; job/cpu: median round; loop us/slice: median item"
		printf '%-20s %9s %7s %6s %8s %9s %9s  %s\n' point yield slice_ms bys_ms lag_ms \
			job/cpu loop_us arrivals_ms
		awk -F, 'NR > 1 { printf "%-20s %9s %7s %6s %8s %9s %9s  %s\n", $1, $3, $4, $6, $7, $8, $9, $11 }' \
			"$1/points.csv"
	} >"$1/table.txt"
	cat "$1/table.txt"
	# the figure: the default yield's slice sweep, blocking as the reference
	awk -F, 'NR > 1 && $1 ~ /^slice-/ { print $4, $6, $7, ($8 - 1) * 100, $10 }' "$1/points.csv" >"$1/sweep.dat"
	_bb=$(awk -F, '$1 == "blocking" { print $6 }' "$1/points.csv")
	_bj=$(awk -F, '$1 == "blocking" { print ($8 - 1) * 100 }' "$1/points.csv")
	gnuplot -e "dir='$1'; blocking_bys=${_bb:-0}; blocking_over=${_bj:-0}" scripts/partition.gp ||
		die "gnuplot could not draw $1/partition.png"
}

if [ "${1:-}" = --summarize ]; then
	[ -n "${2:-}" ] && [ -f "$2/points.txt" ] || die "usage: $0 --summarize DIR (a partition run)"
	summarize "$2"
	exit 0
fi
[ $# = 0 ] || die "usage: $0 [--summarize DIR]; the rest is set in PARTITION_* variables"
for v in ITEMS WORK_MS BYSTANDER_MS RUNS; do
	eval "val=\$$v"
	case $val in '' | *[!0-9]* | 0*) die "PARTITION_$v must be a positive integer, not '$val'" ;; esac
done
for s in $SLICES $YIELD_SLICES; do
	case $s in '' | *[!0-9]* | 0*) die "a slice must be a positive integer (ms), not '$s'" ;; esac
done

OUT=${PARTITION_OUT:-results/partition-$(date -u +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
calibrate "$BUILD"
{
	env_machine "partition-$(basename "$OUT")"
	echo "iters_per_ms: $ITERS_PER_MS ($CALIBRATION)"
	echo "parameters: ITEMS=$ITEMS WORK_MS=$WORK_MS BYSTANDER_MS=$BYSTANDER_MS RUNS=$RUNS SLICES='$SLICES' YIELDS='$YIELDS' YIELD_SLICES='$YIELD_SLICES'"
} >"$OUT/env.txt"

# points.txt: "point variant yield slice" lines; then one server each
{
	echo "blocking blocking - -"
	for s in $SLICES; do echo "slice-$s partition turn $s"; done
	for y in $YIELDS; do
		for s in $YIELD_SLICES; do echo "yield-$y-s$s partition $y $s"; done
	done
} >"$OUT/points.txt"

pids=""
cleanup() {
	for p in $pids; do kill -TERM "$p" 2>/dev/null || true; done
	for p in $pids; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
while IFS=' ' read -r point variant yield slice; do
	if [ "$variant" = blocking ]; then
		server_start "$BUILD/server-blocking" "$OUT/$point" --quiet --iters-per-ms "$ITERS_PER_MS"
	else
		server_start "$BUILD/server-partition" "$OUT/$point" --quiet --iters-per-ms "$ITERS_PER_MS" \
			--yield "$yield" --slice-ms "$slice"
	fi
	pids="$pids $SERVER_PID"
	echo "$SERVER_PORT" >"$OUT/$point.port"
done <"$OUT/points.txt"

r=1
while [ $r -le "$RUNS" ]; do
	while IFS=' ' read -r point variant yield slice; do
		"$HARNESS" --url "ws://127.0.0.1:$(cat "$OUT/$point.port")/" --items "$ITEMS" \
			--work-ms "$WORK_MS" --bystander-ms "$BYSTANDER_MS" --run "$r/$RUNS" --quiet \
			--csv "$OUT/$point.messages.csv" --bystander-csv "$OUT/$point.bystander.csv" \
			--lag-csv "$OUT/$point.lag.csv" >/dev/null </dev/null ||
			die "the harness failed on $point, round $r (its CSVs are in $OUT)"
	done <"$OUT/points.txt"
	echo "round $r of $RUNS done" >&2
	r=$((r + 1))
done
cleanup
pids=""
rm -f "$OUT"/*.port "$OUT"/*.stdout
summarize "$OUT"
echo "results in $OUT" >&2
