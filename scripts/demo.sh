#!/bin/sh
# demo.sh: the live view of every variant at once (`make demo`, docs/live.md).
#
# Measures the CPU kernel's speed once (server-blocking --calibrate, or
# ITERS_PER_MS=N if given) and starts the five variants, blocking flush
# pingpong threadpool partition, on ports DEMO_PORT..DEMO_PORT+4 (default
# 7681..7685), each with that calibration (equal work, as in make
# experiment), --quiet, and --allow-origin for the other four servers'
# pages (http://127.0.0.1:P and http://localhost:P), so the page served by
# any of them can drive all five. Once all are listening it prints the one
# URL that shows them side by side and each server's own, then waits.
# BUILD=dir (default build) selects the binaries.
#
# Ctrl-C (SIGINT) or SIGTERM stops every server and exits 0. Exit 1: a
# server would not start (its port taken: try another DEMO_PORT) or one
# died while the demo ran (named, with the end of its stderr); the others
# are stopped first. Exit 2: DEMO_PORT is not a usable port. Whatever
# happens, no server is left running.
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh

BUILD=${BUILD:-build}
DEMO_PORT=${DEMO_PORT:-7681}
VARIANTS="blocking flush pingpong threadpool partition"

case $DEMO_PORT in
'' | *[!0-9]* | 0*) ok=no ;;
*) if [ ${#DEMO_PORT} -le 5 ] && [ "$DEMO_PORT" -ge 1024 ] && [ "$DEMO_PORT" -le 65530 ]; then
	ok=yes
else
	ok=no
fi ;;
esac
if [ "$ok" = no ]; then
	echo "error: DEMO_PORT must be an integer from 1024 to 65530 (the five servers" \
		"take DEMO_PORT..DEMO_PORT+4), not '$DEMO_PORT'" >&2
	exit 2
fi
last=$((DEMO_PORT + 4))

for v in $VARIANTS; do
	[ -x "$BUILD/server-$v" ] || die "$BUILD/server-$v is not built (run make)"
done

# server i (1..5) is variant_i, pid_i on port_i; started: its pids.
# Stopping: SIGTERM to all at once, then each reaped (SIGKILL after 5 s).
logs=""
started=""
stop_all() {
	_rc=$?
	trap '' INT TERM
	trap - EXIT
	for p in $started; do kill -TERM "$p" 2>/dev/null || :; done
	for p in $started; do
		SERVER_PID=$p
		server_reap
	done
	started=""
	[ -z "$logs" ] || rm -rf "$logs"
	exit "$_rc"
}
trap stop_all EXIT
trap 'echo; echo "stopping the five servers"; exit 0' INT TERM

calibrate "$BUILD"
logs=$(mktemp -d "${TMPDIR:-/tmp}/sendlab-demo.XXXXXX")

# the other four ports' origins, for the server on port $1
origins() {
	_p=$DEMO_PORT
	while [ "$_p" -le "$last" ]; do
		[ "$_p" = "$1" ] || printf ' --allow-origin http://127.0.0.1:%s --allow-origin http://localhost:%s' "$_p" "$_p"
		_p=$((_p + 1))
	done
}

# All five at once, then each one's listening line. server_spawn starts
# with --port 0; the --port after it wins.
i=0
for v in $VARIANTS; do
	port=$((DEMO_PORT + i))
	i=$((i + 1))
	# shellcheck disable=SC2046 # origins' words: no spaces inside any
	server_spawn "$BUILD/server-$v" "$logs/$v" --port "$port" --quiet \
		--iters-per-ms "$ITERS_PER_MS" $(origins "$port")
	started="$started $SERVER_PID"
	eval "variant_$i=\$v; pid_$i=\$SERVER_PID; port_$i=\$port"
done
i=0
for v in $VARIANTS; do
	i=$((i + 1))
	eval "SERVER_PID=\$pid_$i; port=\$port_$i"
	# in a subshell: server_await's die must not end this script before
	# it says which port and what to do
	if ! (server_await "server-$v" "$logs/$v"); then
		other=$((DEMO_PORT + 10))
		[ "$other" -le 65530 ] || other=$((DEMO_PORT - 10))
		echo "error: server-$v could not start on port $port (taken by another" \
			"program, or another demo?); try other ports: DEMO_PORT=$other make demo" >&2
		exit 1
	fi
done

ports=$DEMO_PORT
p=$((DEMO_PORT + 1))
while [ "$p" -le "$last" ]; do
	ports="$ports,$p"
	p=$((p + 1))
done
echo "five servers, each with --iters-per-ms $ITERS_PER_MS ($CALIBRATION)"
echo
echo "the live view of all five servers: http://127.0.0.1:$DEMO_PORT/?ports=$ports"
echo
i=0
for v in $VARIANTS; do
	i=$((i + 1))
	eval "port=\$port_$i"
	printf '  %-11s http://127.0.0.1:%s/\n' "$v" "$port"
done
echo
echo "Ctrl-C stops them."

# until a signal (the trap) or a server's death
while :; do
	i=0
	for v in $VARIANTS; do
		i=$((i + 1))
		eval "SERVER_PID=\$pid_$i; port=\$port_$i"
		kill -0 "$SERVER_PID" 2>/dev/null && continue
		server_reap
		started=$(echo "$started" | sed "s/ $SERVER_PID\$//; s/ $SERVER_PID / /")
		echo "error: server-$v (port $port) $SERVER_FATE; stopping the others" >&2
		if [ -s "$logs/$v.stderr" ]; then
			echo "its stderr ends:" >&2
			tail -n 5 "$logs/$v.stderr" | sed 's/^/  /' >&2
		fi
		exit 1
	done
	sleep 0.5
done
