# lib.sh: shell helpers shared by the experiment scripts (sourced, not run).
#
# server_start BIN LOGPREFIX [ARGS...]  starts a server on a free port and
#     sets SERVER_PID and SERVER_PORT once it printed its listening line
#     (at most 10 s); its stderr goes to LOGPREFIX.stderr. It is
#     server_spawn BIN LOGPREFIX [ARGS...] (starts it, sets SERVER_PID)
#     then server_await BIN LOGPREFIX (SERVER_PID's listening line, sets
#     SERVER_PORT): several servers can start at once. build/delayproxy
#     starts the same way (its line is "listening on 127.0.0.1:PORT").
# server_stop                           SIGTERM, then waits (at most 5 s);
#     fails unless the server exits with status 0.
# server_reap                           after a failed run, where the server
#     may have died: stops it if it still runs (SIGTERM, SIGKILL after 5 s)
#     and reaps it; never fails. SERVER_FATE says what had become of it
#     (starting "was still running" if it was), SERVER_STATUS its exit
#     status (128+N: killed by signal N).
# die MESSAGE                           prints to stderr and exits 1.
# calibrate BUILD                       sets ITERS_PER_MS: kept if already
#     set (make ... ITERS_PER_MS=N, or an experiment handing its figure to
#     the scaling sweep), else measured now with server-blocking --calibrate.
# ticks PID                             the process's CPU time so far, in
#     clock ticks (getconf CLK_TCK a second): utime + stime.
# machine                               every CPU's time so far, in ticks:
#     "busy total".
# csv_seq_medians, csv_worst_echo, ...: numbers of the harness's CSVs
#     for progress lines and medians (at the end of this file).

die() {
	echo "error: $*" >&2
	exit 1
}

calibrate() {
	if [ -n "${ITERS_PER_MS:-}" ]; then
		case $ITERS_PER_MS in
		'' | *[!0-9]* | 0*) die "ITERS_PER_MS must be a positive integer, not '$ITERS_PER_MS'" ;;
		esac
		CALIBRATION="given (ITERS_PER_MS)"
		return 0
	fi
	[ -x "$1/server-blocking" ] || die "$1/server-blocking is not built (run make)"
	ITERS_PER_MS=$("$1/server-blocking" --calibrate | sed -n 's/^iters_per_ms \([0-9][0-9]*\)$/\1/p')
	[ -n "$ITERS_PER_MS" ] || die "$1/server-blocking --calibrate printed no figure"
	CALIBRATION="measured by server-blocking --calibrate before any server started"
}

# Fields 14 and 15 of /proc/PID/stat, counted after the ")" that ends its
# name (a name may hold spaces). Empty if the process is gone.
ticks() {
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $12 + $13 }'
}

# busy: user, nice, system, irq, softirq and steal (guest time is inside
# user); total: those and idle and iowait.
machine() {
	awk '$1 == "cpu" { b = $2 + $3 + $4 + $7 + $8 + $9; print b, b + $5 + $6; exit }' /proc/stat
}

server_start() {
	server_spawn "$@"
	server_await "$1" "$2"
}

server_spawn() {
	_bin=$1
	_log=$2
	shift 2
	[ -x "$_bin" ] || die "$_bin is not built (run make)"
	: >"$_log.stdout"
	"$_bin" --port 0 "$@" >"$_log.stdout" 2>"$_log.stderr" &
	SERVER_PID=$!
}

server_await() {
	SERVER_PORT=""
	_tries=0
	while [ $_tries -lt 200 ]; do
		SERVER_PORT=$(sed -n -e 's|^listening on ws://[^:]*:\([0-9][0-9]*\)/$|\1|p' \
			-e 's|^listening on [0-9.]*:\([0-9][0-9]*\)$|\1|p' "$2.stdout")
		[ -n "$SERVER_PORT" ] && return 0
		if ! kill -0 "$SERVER_PID" 2>/dev/null; then
			cat "$2.stderr" >&2
			die "$1 exited before listening"
		fi
		sleep 0.05
		_tries=$((_tries + 1))
	done
	kill "$SERVER_PID" 2>/dev/null
	die "$1 did not print its listening line within 10 s"
}

server_stop() {
	kill -TERM "$SERVER_PID" 2>/dev/null || true
	_tries=0
	while kill -0 "$SERVER_PID" 2>/dev/null && [ $_tries -lt 100 ]; do
		sleep 0.05
		_tries=$((_tries + 1))
	done
	if kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -KILL "$SERVER_PID" 2>/dev/null
		die "server $SERVER_PID did not stop within 5 s of SIGTERM"
	fi
	wait "$SERVER_PID" || die "server $SERVER_PID exited with status $?"
}

server_reap() {
	if kill -0 "$SERVER_PID" 2>/dev/null; then
		kill -TERM "$SERVER_PID" 2>/dev/null || true
		_tries=0
		while kill -0 "$SERVER_PID" 2>/dev/null && [ $_tries -lt 100 ]; do
			sleep 0.05
			_tries=$((_tries + 1))
		done
		kill -KILL "$SERVER_PID" 2>/dev/null || true
		_running=1
	else
		_running=0
	fi
	_status=0
	wait "$SERVER_PID" 2>/dev/null || _status=$?
	SERVER_STATUS=$_status
	if [ "$_running" = 1 ]; then
		SERVER_FATE="was still running (stopped now)"
	elif [ "$_status" -gt 128 ]; then
		SERVER_FATE="had died of signal $((_status - 128))"
	else
		SERVER_FATE="had exited with status $_status"
	fi
}

# env_machine RUN_ID: prints the lines every run's env.txt opens with (run
# id, date, commit and whether the tree was dirty, kernel, CPU, compiler,
# libwebsockets and gnuplot versions), for build/summarize and
# build/scaling-summarize and for whoever compares two runs.
env_machine() {
	_commit=$(git rev-parse --short HEAD 2>/dev/null || echo none)
	if [ "$_commit" != none ] && ! git diff --quiet HEAD 2>/dev/null; then
		_commit="$_commit (dirty tree: uncommitted changes)"
	fi
	echo "run_id: $1"
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "commit: $_commit"
	echo "kernel: $(uname -sr)"
	echo "cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
	echo "cpus: $(nproc) online"
	echo "compiler: $(${CC:-cc} --version | head -n 1)"
	echo "libwebsockets: $(dpkg-query -W -f '${Version}' libwebsockets-dev 2>/dev/null ||
		pkg-config --modversion libwebsockets)"
	echo "gnuplot: $(gnuplot --version)"
}

# The harness's CSVs, for a script's progress lines and the medians
# block of an interleaved experiment (build/summarize and
# build/scaling-summarize compute the numbers that count; medians here are
# nearest-rank, as everywhere in sendlab):
# csv_seq_medians MESSAGES_CSV A B  for each seq, the median over the runs
#     of column A minus column B, in ms, "300 603 907" (9 4: arrivals
#     after the request; 9 7: delivery latency)
# csv_worst_echo BYSTANDER_CSV  the worst echo wait of every run, in ms
# csv_median_worst_echo BYSTANDER_CSV  each run's worst echo, the median
# csv_median_lag_max LAG_CSV  each run's lag_max_us, the median, in ms
csv_seq_medians() {
	awk -F, -v a="$2" -v b="$3" 'NR > 1 && !/^#/ {
		v[$3] = v[$3] " " ($a - $b) / 1000
		if ($3 + 1 > n) n = $3 + 1 }
	END {
		for (q = 0; q < n; q++) {
			k = split(v[q], x, " ")
			for (i = 2; i <= k; i++)	# insertion sort: a few runs
				for (j = i; j > 1 && x[j] + 0 < x[j - 1] + 0; j--) {
					t = x[j]; x[j] = x[j - 1]; x[j - 1] = t
				}
			m = x[int((k + 1) / 2)]
			printf "%s" (m < 10 ? "%.1f" : "%.0f"), q ? " " : "", m
		} }' "$1"
}

# the nearest-rank median of the numbers on stdin, one a line, in ms
median_ms() {
	sort -n | awk '{ v[NR] = $1 } END { if (NR) printf "%.1f", v[int((NR + 1) / 2)] / 1000 }'
}

csv_worst_echo() {
	awk -F, 'NR > 1 && !/^#/ && $6 - $4 > w { w = $6 - $4 }
		END { printf "%.1f", w / 1000 }' "$1"
}

csv_median_worst_echo() {
	awk -F, 'NR > 1 && !/^#/ && $6 - $4 > w[$2] { w[$2] = $6 - $4 }
		END { for (r in w) print w[r] }' "$1" | median_ms
}

csv_median_lag_max() {
	awk -F, 'NR > 1 && !/^#/ { print $7 }' "$1" | median_ms
}
