#!/bin/sh
# demo.sh: `make demo`: the five server variants side by side in a browser.
#
# Starts blocking, flush, pingpong, threadpool and partition on ports
# DEMO_PORT .. DEMO_PORT+4 (default 7681), all doing the same work per item
# (one calibration, as make experiment does), each allowing the pages of
# the others (--allow-origin, core/origin.h), and prints the one URL of the
# live view that compares them (docs/live.md). Runs until Ctrl-C or until
# a server dies; then stops every server it started.
#
# Env: DEMO_PORT (1024..65530), BUILD (default build), ITERS_PER_MS.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
DEMO_PORT=${DEMO_PORT:-7681}
. scripts/lib.sh

case $DEMO_PORT in
'' | *[!0-9]*) echo "error: DEMO_PORT must be a port number, not '$DEMO_PORT'" >&2; exit 2 ;;
esac
if [ "$DEMO_PORT" -lt 1024 ] || [ "$DEMO_PORT" -gt 65530 ]; then
	echo "error: DEMO_PORT must be from 1024 to 65530 (it uses five ports from there)" >&2
	exit 2
fi

VARIANTS="blocking flush pingpong threadpool partition"
LOG=$(mktemp -d /tmp/sendlab-demo-XXXXXX)
PIDS=""
STARTING=""

# Every exit path comes here: stop what was started, say why if starting
# failed, remove the logs.
cleanup() {
	status=$?
	for p in $PIDS; do
		kill -TERM "$p" 2>/dev/null || true
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null || true
	done
	if [ "$status" -ne 0 ] && [ -n "$STARTING" ]; then
		echo "demo: could not start server-$STARTING on port $STARTING_PORT: is the" \
			"port taken? Try DEMO_PORT=$((DEMO_PORT + 10)) make demo" >&2
	fi
	rm -rf "$LOG"
	exit "$status"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

calibrate "$BUILD"

# Each server allows the other four's pages, under both loopback names.
allowed_for() {
	_args=""
	_p=$DEMO_PORT
	while [ "$_p" -lt $((DEMO_PORT + 5)) ]; do
		[ "$_p" -eq "$1" ] ||
			_args="$_args --allow-origin http://127.0.0.1:$_p --allow-origin http://localhost:$_p"
		_p=$((_p + 1))
	done
	echo "$_args"
}

port=$DEMO_PORT
PORTS=""
for v in $VARIANTS; do
	STARTING=$v
	STARTING_PORT=$port
	# shellcheck disable=SC2046 # the --allow-origin list splits on spaces
	server_spawn "$BUILD/server-$v" "$LOG/$v" --port "$port" --quiet \
		--iters-per-ms "$ITERS_PER_MS" $(allowed_for "$port")
	PIDS="$PIDS $SERVER_PID"
	server_await "$BUILD/server-$v" "$LOG/$v"
	PORTS="$PORTS${PORTS:+,}$port"
	port=$((port + 1))
done
STARTING=""

echo
echo "the live view of all five servers (open it in a browser, press Run):"
echo
echo "    http://127.0.0.1:$DEMO_PORT/?ports=$PORTS"
echo
port=$DEMO_PORT
for v in $VARIANTS; do
	echo "  server-$v alone: http://127.0.0.1:$port/"
	port=$((port + 1))
done
echo
echo "Ctrl-C stops them."

while sleep 1; do
	set -- $VARIANTS
	for p in $PIDS; do
		if ! kill -0 "$p" 2>/dev/null; then
			echo "demo: server-$1 stopped; stopping the others" >&2
			cat "$LOG/$1.stderr" >&2
			exit 1
		fi
		shift
	done
done
