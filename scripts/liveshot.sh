#!/bin/sh
# liveshot.sh: redraws docs/live-view.png, the README's picture of the live
# view, the way it was made: server-blocking and server-threadpool (one
# calibration), the page comparing them with 3 x 300 ms, and a screenshot
# by build/tests/liveshot in headless Chromium once threadpool's second
# result has been on screen for 0.2 s (blocking done, threadpool mid-job).
#
#   sh scripts/liveshot.sh [OUT.png]      (default docs/live-view.png)
#
# Needs chromium-headless-shell (sh scripts/install-deps.sh browser).
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
OUT=${1:-docs/live-view.png}
. scripts/lib.sh

make --no-print-directory "$BUILD/server-blocking" "$BUILD/server-threadpool" \
	"$BUILD/tests/liveshot" >/dev/null
calibrate "$BUILD"
logs=$(mktemp -d "${TMPDIR:-/tmp}/sendlab-liveshot.XXXXXX")
pids=""
cleanup() {
	for p in $pids; do
		SERVER_PID=$p
		server_reap
	done
	rm -rf "$logs"
}
trap cleanup EXIT

server_start "$BUILD/server-blocking" "$logs/blocking" --quiet --iters-per-ms "$ITERS_PER_MS"
pids="$SERVER_PID"
bport=$SERVER_PORT
server_start "$BUILD/server-threadpool" "$logs/threadpool" --quiet \
	--iters-per-ms "$ITERS_PER_MS" --allow-origin "http://127.0.0.1:$bport"
pids="$pids $SERVER_PID"
tport=$SERVER_PORT

when="(function (r) { return r && r.results.length >= 2 &&
	performance.now() - r.t_run_us / 1000 > r.results[1].arrive_ms + 200; })
	(sendlabLive.panels[1].record)"
"$BUILD/tests/liveshot" \
	"http://127.0.0.1:$bport/?ports=$bport,$tport&items=3&work_ms=300&autorun=1" \
	"$OUT" "$when"
echo "wrote $OUT"
