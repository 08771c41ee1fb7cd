#!/bin/sh
# lab-run.sh: start a server on a free port, run the harness against it,
# stop the server. Every lab uses it, so no server is left holding a port.
#
#   sh scripts/lab-run.sh SERVER [SERVER_ARGS...] -- [HARNESS_ARGS...]
#   sh scripts/lab-run.sh build/server-blocking --send queue -- --items 3 --work-ms 300
#
# 1. starts SERVER --port 0 SERVER_ARGS and waits (at most 10 s) for its
#    "listening on ws://HOST:PORT/" line;
# 2. runs build/harness --url ws://127.0.0.1:PORT/ HARNESS_ARGS;
# 3. stops the server (SIGTERM) and prints what it wrote on stderr (such as
#    "event loop blocked for N ms"), each line prefixed "server: ";
#    if SERVER_ARGS hold --lag-log FILE, prints that file's sample count,
#    p50, p99 and max (nearest-rank, as the server computes them).
# IDLE=S (seconds, default 0) leaves the server idle for S seconds before
# and after the harness. HARNESS=path overrides build/harness (any client
# that takes --url: HARNESS=build/wsprobe runs the probe, lab 09). RTT_MS=R
# (even) puts build/delayproxy --delay-ms R/2 between them: every round
# trip R ms longer, as across a network (docs/network.md); PROXY=path
# overrides build/delayproxy.
#
# Exit status: the harness's (0: every run complete; build/harness --help
# lists the others); 1 if the server does not start, or if the harness
# succeeded but the server did not then stop cleanly; 2 for a bad command
# line. Whatever happens (an error, Ctrl-C, SIGTERM) the server and the
# harness are stopped before this script exits.
set -u

# server_reap (stop a server if it runs, reap it, say what became of it)
. "$(dirname "$0")/lib.sh"
die() {	# lib.sh's, with this script's name
	echo "lab-run: $*" >&2
	exit 1
}
usage() {
	echo "usage: sh scripts/lab-run.sh SERVER [SERVER_ARGS...] -- [HARNESS_ARGS...]" >&2
	exit 2
}
# one argument, quoted for eval
quote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

[ $# -ge 1 ] || usage
server=$1
shift
sargs=			# the server's arguments, quoted
hargs=			# the harness's
lagfile=
prev=
found=0
for a in "$@"; do
	if [ "$found" = 0 ] && [ "$a" = -- ]; then
		found=1
	elif [ "$found" = 0 ]; then
		sargs="$sargs $(quote "$a")"
		[ "$prev" = --lag-log ] && lagfile=$a
		prev=$a
	else
		hargs="$hargs $(quote "$a")"
	fi
done
[ "$found" = 1 ] || usage

root=$(cd "$(dirname "$0")/.." && pwd)
harness=${HARNESS:-$root/build/harness}
idle=${IDLE:-0}
rtt=${RTT_MS:-0}
proxy=${PROXY:-$root/build/delayproxy}
case $server in
*/*) ;;
*) die "SERVER must be a path, such as build/server-blocking, not '$server'" ;;
esac
[ -e "$server" ] || die "$server does not exist (make builds build/server-*; make grade LAB=NN builds build/labs/server-labNN)"
[ -x "$server" ] || die "$server is not executable"
[ -x "$harness" ] || die "$harness is not built (run make)"
case $idle in
'' | *[!0-9.]*) die "IDLE must be a number of seconds, not '$idle'" ;;
esac
case $rtt in
'' | *[!0-9]*) die "RTT_MS must be an even number of ms, not '$rtt'" ;;
esac
[ $((rtt % 2)) = 0 ] || die "RTT_MS must be even (the proxy delays each way by RTT_MS/2), not '$rtt'"
[ "$rtt" = 0 ] || [ -x "$proxy" ] || die "$proxy is not built (run make)"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lab-run.XXXXXX") || die "cannot create a scratch directory"
spid=
hpid=
ppid_=
cleanup() {
	if [ -n "$ppid_" ]; then
		kill -TERM "$ppid_" 2>/dev/null
		wait "$ppid_" 2>/dev/null
	fi
	if [ -n "$hpid" ]; then
		kill -TERM "$hpid" 2>/dev/null
	fi
	if [ -n "$spid" ]; then
		SERVER_PID=$spid
		server_reap
		echo "lab-run: the server (pid $spid) $SERVER_FATE" >&2
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# prints the server's stderr, each line prefixed "server: "
server_said() {
	sed 's/^/server: /' "$tmp/stderr"
}

# 1. start the server on a free port
eval "set -- $sargs"
: >"$tmp/stdout"
"$server" --port 0 "$@" >"$tmp/stdout" 2>"$tmp/stderr" &
spid=$!
port=
tries=0
while [ -z "$port" ]; do
	port=$(sed -n 's|^listening on ws://[^:]*:\([0-9][0-9]*\)/$|\1|p' "$tmp/stdout")
	[ -n "$port" ] && break
	if ! kill -0 "$spid" 2>/dev/null; then
		status=0
		wait "$spid" || status=$?
		spid=
		sed -e '/^usage:/,$d' -e 's/^/server: /' "$tmp/stderr" >&2
		die "$server $* exited with status $status before listening (see above; $server --help lists its options)"
	fi
	tries=$((tries + 1))
	[ $tries -lt 200 ] || die "$server did not print its listening line within 10 s"
	sleep 0.05
done
echo "lab-run: $server listening on port $port (pid $spid)"
if [ "$rtt" != 0 ]; then
	"$proxy" --to "127.0.0.1:$port" --delay-ms $((rtt / 2)) >"$tmp/proxy.stdout" 2>"$tmp/proxy.stderr" &
	ppid_=$!
	pport=
	tries=0
	while [ -z "$pport" ]; do
		pport=$(sed -n 's|^listening on [0-9.]*:\([0-9][0-9]*\)$|\1|p' "$tmp/proxy.stdout")
		[ -n "$pport" ] && break
		kill -0 "$ppid_" 2>/dev/null || { cat "$tmp/proxy.stderr" >&2; ppid_=; die "the delay proxy exited"; }
		tries=$((tries + 1))
		[ $tries -lt 200 ] || die "the delay proxy did not print its listening line within 10 s"
		sleep 0.05
	done
	echo "lab-run: build/delayproxy on port $pport: $((rtt / 2)) ms each way to port $port (RTT_MS=$rtt; proxy pid $ppid_)"
	port=$pport
fi
sleep "$idle"

# 2. the harness, in the background so that a signal interrupts the wait
eval "set -- $hargs"
"$harness" --url "ws://127.0.0.1:$port/" "$@" &
hpid=$!
hstatus=0
wait "$hpid" || hstatus=$?
hpid=
sleep "$idle"

# 3. stop the server and show what it said
SERVER_PID=$spid
server_reap
spid=
server_said
sstatus=0
case $SERVER_FATE in
"was still running"*)
	if [ "$SERVER_STATUS" -ne 0 ]; then
		echo "lab-run: after SIGTERM the server exited with status $SERVER_STATUS" >&2
		sstatus=1
	fi ;;
*)
	echo "lab-run: the server $SERVER_FATE before the harness ended" >&2
	sstatus=1 ;;
esac
if [ -n "$lagfile" ] && [ -f "$lagfile" ]; then
	# nearest-rank percentiles of column 2 (lag_us), as the server's
	sort -t, -k2,2n "$lagfile" | awk -F, -v f="$lagfile" '
	$2 ~ /^[0-9]+$/ { v[++n] = $2 / 1000 }
	function rank(p,  r) { r = p * n; return r == int(r) ? r : int(r) + 1 }
	END {
		if (!n) { print "lag log " f ": no samples"; exit }
		printf "lag log %s: %d samples, p50 %.2f ms, p99 %.2f ms, max %.2f ms\n",
			f, n, v[rank(0.50)], v[rank(0.99)], v[n]
	}'
fi
if [ "$hstatus" -eq 0 ] && [ "$sstatus" -ne 0 ]; then
	exit 1
fi
exit "$hstatus"
