#!/bin/sh
# proxy-overhead.sh: what build/delayproxy adds to a loopback round trip.
#
# build/tests/proxybench times 1-byte round trips straight and through the
# proxy, in turns: N (default 1000) at --delay-ms 0, where the target is
# under 0.2 ms added, then N25 (default 100) at --delay-ms 25, where a
# round trip crosses the delay twice and should take just over 50 ms.
# About 1 s + N25 x 50 ms (6 s by default).
set -eu
BUILD=${BUILD:-build}
N=${N:-1000}
N25=${N25:-100}
make -s BUILD="$BUILD" "$BUILD/delayproxy" "$BUILD/tests/proxybench"
"$BUILD/tests/proxybench" "$BUILD/delayproxy" 0 "$N"
"$BUILD/tests/proxybench" "$BUILD/delayproxy" 25 "$N25"
