#!/bin/sh
# scaling.sh: the scaling experiment (`make scaling`; `make experiment`
# runs it too, unless QUICK=1). docs/scaling.md explains every output.
#
# K clients at once against each server variant and thread-pool size:
# it calibrates the CPU kernel once, starts one server per configuration
# (a variant, a kind of work, a pool size), and then goes round every
# point (a configuration and a K) RUNS times: each time the harness with
# --clients K --run R/RUNS (K connections, all sending one job of ITEMS x
# WORK_MS at the same moment, a bystander echoing every BYSTANDER_MS ms),
# reading the server's CPU time from /proc before and after. Then
# build/scaling-summarize and gnuplot (scripts/plots.sh) make the numbers,
# the verdict on "threads = cores + 4" and the figures.
#
# It leaves, in results/scaling-<date>/ (results/latest-scaling points at
# it) or in SCALING_OUT:
#   env.txt                   machine, commit, cores, parameters, the grid
#   plan.csv                  every point it meant to measure
#   sweep.csv                 per point and run: the harness's exit status,
#                             the server's CPU ticks and the whole
#                             machine's busy and total ticks, before and
#                             after
#   <point>.messages.csv      the harness's rows (a client column last)
#   <point>.bystander.csv     the bystander's echoes
#   points.csv, scaling.md, verdict.txt, scaling-*.png/.svg
# where <point> is <config>-k<K> and <config> is <variant>-<work> or
# threadpool-t<threads>-<work>.
#
# The grid (SCALING=default: about 95 s on 2 cores; SCALING=short, the one
# make experiment runs: only the points the verdict and the expectations
# read, about 23 s; SCALING=full: everything; docs/scaling.md says what
# each leaves out and why):
#   SCALING_VARIANTS, SCALING_WORKS, SCALING_POOLS, SCALING_CLIENTS: set
#   any of them for a grid of your own: every variant x work x K, and for
#   threadpool every pool (the full grid's values for the ones not set).
#   A pool is 1, cores, cores+4, 4xcores or a number; cores = nproc.
# Each point: SCALING_RUNS (2), SCALING_ITEMS (3), SCALING_WORK_MS (100),
# SCALING_BYSTANDER_MS (20). HARNESS: the harness binary ($BUILD/harness).
# ITERS_PER_MS: the calibration every server gets (measured once here if
# unset). SCALING_ESTIMATE=1: print the grid's expected seconds and exit.
#
# A point the harness gives up on (exit 3: its CSVs end with a
# "# incomplete" line; or exit 1: nothing measured) is a failed point: the
# sweep says so, goes on (with a fresh server if its server died), leaves
# it out of the numbers, names every failed point at the end and exits 3.
# Exit 1: a hard failure (a server that will not start, a harness that
# refuses its command line, no point measured).
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh

BUILD=${BUILD:-build}
HARNESS=${HARNESS:-$BUILD/harness}
SCALING=${SCALING:-default}
RUNS=${SCALING_RUNS:-2}
ITEMS=${SCALING_ITEMS:-3}
WORK_MS=${SCALING_WORK_MS:-100}
BYSTANDER_MS=${SCALING_BYSTANDER_MS:-20}
cores=$(nproc)

for v in RUNS ITEMS WORK_MS BYSTANDER_MS; do
	eval "val=\$$v"
	case $val in
	'' | *[!0-9]* | 0*) die "SCALING_$v must be a positive integer, not '$val'" ;;
	esac
done

# The grid: one line per configuration, "variant work pool K...", pool "-"
# for the serial variants. The full grid is every combination.
full_variants="blocking flush pingpong threadpool partition"
full_works="cpu sleep"
full_pools="1 cores cores+4 4xcores"
full_clients="1 2 4 8 16"
cross() {	# cross VARIANTS WORKS POOLS CLIENTS: their product, as grid lines
	for _w in $2; do
		for _v in $1; do
			if [ "$_v" = threadpool ]; then
				for _p in $3; do echo "$_v $_w $_p $4"; done
			else
				echo "$_v $_w - $4"
			fi
		done
	done
}
if [ -n "${SCALING_VARIANTS:-}${SCALING_WORKS:-}${SCALING_POOLS:-}${SCALING_CLIENTS:-}" ]; then
	SCALING=custom
	grid=$(cross "${SCALING_VARIANTS:-$full_variants}" "${SCALING_WORKS:-$full_works}" \
		"${SCALING_POOLS:-$full_pools}" "${SCALING_CLIENTS:-$full_clients}")
elif [ "$SCALING" = full ]; then
	grid=$(cross "$full_variants" "$full_works" "$full_pools" "$full_clients")
elif [ "$SCALING" = short ]; then
	# make experiment's: the points the verdict on cores + 4 and the
	# expectations read, all at K = 8, and the pool of cores at K = 1 too
	# (one job: the bystander with a core to spare)
	grid="blocking cpu - 8
partition cpu - 8
threadpool cpu cores 1 8
threadpool cpu cores+4 8
threadpool sleep cores 8
threadpool sleep cores+4 8"
elif [ "$SCALING" = default ]; then
	# What teaches something (docs/scaling.md, "The grid"): the serial
	# variants only with cpu work (sleep on the loop thread stalls it
	# exactly as computing does) and up to K = 8 (their throughput is flat
	# from K = 1: 16 adds 4.8 s a run to learn the same); a pool of 1
	# likewise; the pool sizes the advice is about, cores and cores + 4,
	# with both kinds of work; 4 x cores only with sleep, where it is the
	# one pool big enough to run 8 sleeping jobs at once on 2 cores (with cpu it
	# repeats cores + 4).
	grid="blocking cpu - 1 2 4 8
flush cpu - 1 2 4 8
pingpong cpu - 1 2 4 8
partition cpu - 1 2 4 8
threadpool cpu 1 1 2 4 8
threadpool cpu cores 1 2 4 8 16
threadpool cpu cores+4 1 2 4 8 16
threadpool sleep cores 1 2 4 8 16
threadpool sleep cores+4 1 2 4 8 16
threadpool sleep 4xcores 1 2 4 8 16"
else
	die "SCALING must be short, default or full, not '$SCALING'"
fi

pool_threads() {	# pool_threads POOL: its number of threads
	case $1 in
	cores) echo "$cores" ;;
	cores+4) echo $((cores + 4)) ;;
	4xcores) echo $((4 * cores)) ;;
	'' | *[!0-9]* | 0*) die "pool '$1' is none of 1, cores, cores+4, 4xcores or a number" ;;
	*) echo "$1" ;;
	esac
}

# The configurations and points, in order: "config variant work threads K..."
configs=""
seen=" "
notes=""
newline='
'
while read -r variant work pool clients; do
	[ -n "$variant" ] || continue
	case $variant in
	blocking | flush | pingpong | threadpool | partition) ;;
	*) die "unknown variant '$variant' (blocking flush pingpong threadpool partition)" ;;
	esac
	case $work in
	cpu | sleep) ;;
	*) die "unknown work '$work' (cpu sleep)" ;;
	esac
	for k in $clients; do
		case $k in
		'' | *[!0-9]* | 0*) die "a number of clients must be a positive integer, not '$k'" ;;
		esac
	done
	if [ "$pool" = - ]; then
		threads=1
		config=$variant-$work
	else
		threads=$(pool_threads "$pool")
		config=threadpool-t$threads-$work
	fi
	# two names for one pool (on 1 core, 1 = cores): measure it once
	case $seen in
	*" $config "*)
		notes="$notes  $variant --threads $threads ($pool) with $work work: measured once$newline"
		continue ;;
	esac
	seen="$seen$config "
	configs="$configs$config $variant $work $threads $clients$newline"
done <<EOF
$grid
EOF
[ -n "$configs" ] || die "the grid is empty"

# The nominal time: each run of a point takes its makespan with jobs as
# whole tasks (a serial variant: K jobs in a row; a pool of T: ceil(K/T)
# rounds, and with cpu work no faster than K jobs over the cores), plus
# about 0.3 s to start each server.
estimate=$(echo "$configs" | awk -v c="$cores" -v runs="$RUNS" -v j="$((ITEMS * WORK_MS))" '
	NF >= 5 {
		s += 0.3
		for (i = 5; i <= NF; i++) {
			k = $i; t = $4
			rounds = int((k + t - 1) / t)
			m = rounds * j
			if ($3 == "cpu" && t > c && k * j / c > m) m = k * j / c
			s += runs * m / 1000
		}
	}
	END { printf "%.0f", s }')

if [ "${SCALING_ESTIMATE:-0}" = 1 ]; then
	echo "$estimate"
	exit 0
fi

if [ -n "${SCALING_OUT:-}" ]; then
	out=$SCALING_OUT
	run_id=$(basename "$(dirname "$out")")/$(basename "$out")
	[ -e "$out" ] && die "$out exists already"
else
	run_id=scaling-$(date +%Y%m%d-%H%M%S)
	out=results/$run_id
	[ -e "$out" ] && { sleep 1; run_id=scaling-$(date +%Y%m%d-%H%M%S); out=results/$run_id; }
fi
mkdir -p "$out"
start=$(date +%s)
# one calibration for every server of the sweep (or the experiment's)
calibrate "$BUILD"

# plan.csv: every point, before any runs, so one the sweep never reaches
# is still reported
echo "point,variant,work,threads,clients" >"$out/plan.csv"
echo "$configs" | while read -r config variant work threads clients; do
	[ -n "$config" ] || continue
	for k in $clients; do echo "$config-k$k,$variant,$work,$threads,$k"; done
done >>"$out/plan.csv"
points=$(($(wc -l <"$out/plan.csv") - 1))

{
	env_machine "$run_id"
	echo "parameters: SCALING=$SCALING RUNS=$RUNS ITEMS=$ITEMS WORK_MS=$WORK_MS BYSTANDER_MS=$BYSTANDER_MS CORES=$cores"
	echo "configs: $(echo "$configs" | awk 'NF { printf "%s%s", sep, $1; sep = " " }')"
	echo "points: $points"
	echo "estimate: ${estimate} s"
	echo "iters_per_ms: $ITERS_PER_MS"
	echo "calibration: $CALIBRATION"
	echo "load before: $(cut -d ' ' -f 1-3 /proc/loadavg)"
} >"$out/env.txt"

echo "sendlab scaling $run_id -> $out"
echo "  $points points ($SCALING grid), $cores cores; each: K clients x $ITEMS items x $WORK_MS ms, RUNS=$RUNS; about $estimate s"
[ -z "$notes" ] || printf '%s' "$notes"
# Another program computing changes what cpu work measures: the pool's
# items slow down, and a pool of more threads than cores takes a bigger
# share of the CPU from that program (the scheduler is fair per thread),
# which looks like a gain from cores + 4. Sleep work does not notice.
# scaling-summarize measures it per point (others_cores); this is a
# warning before the time is spent. (Not after: the load average then
# counts the sweep's own threads.)
load=$(cut -d ' ' -f 1 /proc/loadavg)
if awk -v l="$load" -v c="$cores" 'BEGIN { exit !(l >= c / 2) }'; then
	echo "  warning: the machine looks busy (load average $load on $cores cores): cpu-work points may be slow, and more threads than cores may look like a gain; see uptime"
fi

# ticks and machine (lib.sh): the server's CPU time and every CPU's; the
# busy time that is not the server's is other programs computing
# (scaling-summarize: others_cores).
clk_tck=$(getconf CLK_TCK)
echo "point,harness_exit,cpu_ticks_before,cpu_ticks_after,sys_busy_before,sys_busy_after,sys_total_before,sys_total_after,clk_tck" >"$out/sweep.csv"

if [ -t 1 ]; then tty=1; else tty=0; fi
failed=""

start_server() {	# start_server CONFIG VARIANT WORK THREADS
	if [ "$2" = threadpool ]; then
		server_start "$BUILD/server-$2" "$out/$1" --quiet --work "$3" --threads "$4" \
			--iters-per-ms "$ITERS_PER_MS"
	else
		server_start "$BUILD/server-$2" "$out/$1" --quiet --work "$3" \
			--iters-per-ms "$ITERS_PER_MS"
	fi
}

# Every configuration's server starts first; then the points go round:
# run 1 of every point, run 2 of every point, and so on (harness --run
# R/RUNS), so that every point samples every stretch of the machine alike
# (its cores change speed by up to 10% from one half-minute to the next:
# docs/scaling.md, "Same work"). Configuration c (1..n_cfg) is cfg_c (its
# name, variant, work and threads) and ks_c (its Ks), its server pid_c on
# port_c; point p (1..points, in plan order) has failed_p set once the
# harness gave up on it, and takes no more turns. sweep.csv gets a row per
# point and round.
n_cfg=0
while read -r config variant work threads clients; do
	[ -n "$config" ] || continue
	n_cfg=$((n_cfg + 1))
	start_server "$config" "$variant" "$work" "$threads"
	eval "cfg_$n_cfg=\"\$config \$variant \$work \$threads\"; ks_$n_cfg=\"\$clients\""
	eval "pid_$n_cfg=\$SERVER_PID; port_$n_cfg=\$SERVER_PORT"
done <<EOF
$configs
EOF
# a die or ^C must not leave servers behind
trap 'c=0; while [ $c -lt $n_cfg ]; do c=$((c + 1)); eval "kill \$pid_$c" 2>/dev/null || :; done' EXIT
trap 'exit 130' INT TERM

step=0
steps=$((points * RUNS))
for round in $(seq 1 "$RUNS"); do
	p=0
	c=0
	while [ $c -lt $n_cfg ]; do
		c=$((c + 1))
		eval "set -- \$cfg_$c; ks=\$ks_$c; SERVER_PID=\$pid_$c; SERVER_PORT=\$port_$c"
		config=$1 variant=$2 work=$3 threads=$4
		for k in $ks; do
			p=$((p + 1))
			eval "gone=\${failed_$p:-}"
			[ -z "$gone" ] || continue
			step=$((step + 1))
			point=$config-k$k
			label="$variant $work K=$k"
			[ "$variant" != threadpool ] || label="$variant --threads $threads $work K=$k"
			[ "$RUNS" = 1 ] || label="$label, run $round"
			[ "$tty" = 1 ] && printf '[%d/%d] %-44s running  (%ss)' "$step" "$steps" \
				"$label" "$(($(date +%s) - start))"
			sys_before=$(machine)
			before=$(ticks "$SERVER_PID")
			rc=0
			"$HARNESS" --url "ws://127.0.0.1:$SERVER_PORT/" --items "$ITEMS" \
				--work-ms "$WORK_MS" --run "$round/$RUNS" --clients "$k" \
				--bystander-ms "$BYSTANDER_MS" --csv "$out/$point.messages.csv" \
				--bystander-csv "$out/$point.bystander.csv" --quiet \
				</dev/null >/dev/null 2>>"$out/$point.harness.stderr" || rc=$?
			after=$(ticks "$SERVER_PID")
			sys_after=$(machine)
			[ -n "$after" ] || after=$before	# it died: no reading
			[ -n "$before" ] || { before=0; after=0; }
			echo "$point,$rc,$before,$after,${sys_before% *},${sys_after% *},${sys_before#* },${sys_after#* },$clk_tck" \
				>>"$out/sweep.csv"
			[ "$tty" = 1 ] && printf '\r\033[K'
			if [ "$rc" = 2 ]; then	# its command line: every point would fail
				cat "$out/$point.harness.stderr" >&2
				die "$HARNESS refused its command line (exit 2) at $point: does it have --run and --clients?"
			fi
			if [ "$rc" != 0 ]; then
				eval "failed_$p=yes"
				why=$(sed -n 's/^# incomplete: //p' "$out/$point.messages.csv" 2>/dev/null)
				[ -n "$why" ] || why=$(tail -n 1 "$out/$point.harness.stderr")
				if ! kill -0 "$SERVER_PID" 2>/dev/null; then
					server_reap
					why="$why; the server $SERVER_FATE"
					# a fresh server for this configuration's other points
					start_server "$config" "$variant" "$work" "$threads"
					eval "pid_$c=\$SERVER_PID; port_$c=\$SERVER_PORT"
				fi
				failed="$failed  $point: $why (harness exit $rc; $out/$point.harness.stderr)$newline"
				printf '[%d/%d] %-44s FAILED: %s  (%ss)\n' "$step" "$steps" "$label" \
					"$why" "$(($(date +%s) - start))"
				continue
			fi
			# its numbers are scaling-summarize's, from every run at the
			# end (points.csv, scaling.md), not worked out here
			printf '[%d/%d] %-44s measured  (%ss)\n' "$step" "$steps" "$label" \
				"$(($(date +%s) - start))"
		done
	done
done

c=0
while [ $c -lt $n_cfg ]; do
	c=$((c + 1))
	eval "set -- \$cfg_$c; SERVER_PID=\$pid_$c"
	server_stop
	rm -f "$out/$1.stdout"
	[ -s "$out/$1.stderr" ] || rm -f "$out/$1.stderr"
done
n_cfg=0	# all stopped: nothing left for the EXIT trap
for f in "$out"/*.harness.stderr; do
	[ ! -e "$f" ] || [ -s "$f" ] || rm -f "$f"
done

echo "load after: $(cut -d ' ' -f 1-3 /proc/loadavg)" >>"$out/env.txt"

# the numbers, the verdict and the figures; a point that failed is left
# out of them (scaling-summarize exits 3 then, which is no failure here)
plots=ok
BUILD=$BUILD sh scripts/plots.sh "$out" || plots=failed
if [ -z "${SCALING_OUT:-}" ]; then
	ln -sfn "$run_id" results/latest-scaling
fi

echo
[ ! -s "$out/verdict.txt" ] || cat "$out/verdict.txt"
if [ -n "$failed" ]; then
	echo "FAILED: the harness gave up on these points; they are left out of the" >&2
	echo "numbers, the figures and the verdict:" >&2
	printf '%s' "$failed" >&2
	echo "done in $(($(date +%s) - start)) s, with failed points: $out/"
	exit 3
fi
[ "$plots" = ok ] || die "the numbers or the figures of $out failed"
echo "done in $(($(date +%s) - start)) s: $out/: scaling.md, points.csv, scaling-*.png"
