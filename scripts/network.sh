#!/bin/sh
# network.sh: `make network`: what a network round trip does to each fix.
#
# Runs scripts/experiment.sh once per round trip R of RTTS (default
# "0 10 50 100" ms), each with RTT_MS=R (every connection through
# build/delayproxy --delay-ms R/2), into results/network-<date>/rtt-R/
# (a whole run directory: CSVs, summary.md, figures). The configurations:
# blocking-queue (the bug), flush, pingpong and threadpool, NET_RUNS runs
# each (default 2: the spacing of one configuration varied by under 1 ms
# between runs), no Python, no scaling sweep. Then:
#   network.csv   rtt_ms,config,spacing_ms,item_ms,first_ms,delivery_p50_ms:
#                 the median gap between results' arrivals, the median
#                 item, the median first arrival after the request, and
#                 delivery net of the proxy's one-way delay
#   network.md    the same as a table, with what each design is expected
#                 to show (pingpong: item + R apart; the others: item)
#   network.png   (and .svg) spacing against R, and every arrival at the
#                 R nearest 50 ms (scripts/plots/network.gp)
# results/latest-network points at it. About a minute on 2 cores.
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh

BUILD=${BUILD:-build}
RTTS=${RTTS:-0 10 50 100}
NET_RUNS=${NET_RUNS:-2}
CONFIGS="blocking-queue flush pingpong threadpool"
for r in $RTTS; do
	case $r in '' | *[!0-9]*) die "RTTS must be even round trips in ms, not '$r'" ;; esac
done
[ -x "$BUILD/delayproxy" ] || die "$BUILD/delayproxy is not built (run make)"
command -v gnuplot >/dev/null || die "gnuplot is missing: run sh scripts/install-deps.sh"

out=results/network-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
start=$(date +%s)
calibrate "$BUILD"	# one figure for every R: equal work across the grid

for r in $RTTS; do
	printf 'RTT %4s ms: ' "$r"
	OUT=$out/rtt-$r RTT_MS=$r PEERS=none SCALING=none RUNS=$NET_RUNS \
		VARIANTS="blocking flush pingpong threadpool" SENDS=queue \
		ITERS_PER_MS=$ITERS_PER_MS BUILD=$BUILD \
		sh scripts/experiment.sh >"$out/rtt-$r.log" 2>&1 ||
		{ tail -n 20 "$out/rtt-$r.log" >&2; die "the experiment at RTT $r ms failed ($out/rtt-$r.log)"; }
	echo "done ($(($(date +%s) - start)) s): $out/rtt-$r/"
done

# col FILE NAME: the number of the column NAME in FILE's header
col() {
	head -n 1 "$1" | tr ',' '\n' | grep -n -x "$2" | cut -d: -f1
}

echo "rtt_ms,config,spacing_ms,item_ms,first_ms,delivery_p50_ms" >"$out/network.csv"
# configuration by configuration, so each one's points are consecutive
# rows and gnuplot joins them into one line
for c in $CONFIGS; do
	for r in $RTTS; do
		s=$out/rtt-$r/summary.csv
		cs=$(col "$s" spacing_ms); ci=$(col "$s" item_ms); cd=$(col "$s" delivery_p50_ms)
		first=$(csv_seq_medians "$out/rtt-$r/$c.messages.csv" 9 4 | cut -d' ' -f1)
		awk -F, -v c="$c" -v r="$r" -v f="$first" -v cs="$cs" -v ci="$ci" -v cd="$cd" \
			'NR > 1 && $1 == c { print r "," c "," $cs "," $ci "," f "," $cd }' "$s"
	done
done >>"$out/network.csv"

{
	echo "# Item spacing against the network round trip"
	echo
	echo "Each configuration through \`build/delayproxy\` (RTT = 2 x its delay); $NET_RUNS runs of"
	echo "$(sed -n 's/^parameters: .*ITEMS=\([0-9]*\) WORK_MS=\([0-9]*\).*/\1 x \2 ms/p' "$out/rtt-0/env.txt" 2>/dev/null ||
		echo "the job"), medians. *spacing*: the gap between consecutive results'"
	echo "arrivals; *first*: the first result after the request; *delivery*: net of the"
	echo "one-way delay. pingpong is expected at item + RTT apart, the others at item"
	echo "(blocking-queue: ~0, its results arrive together). docs/network.md explains it."
	echo
	echo "| RTT (ms) | configuration | spacing (ms) | item (ms) | spacing - item | first (ms) | delivery p50 (ms) |"
	echo "|---|---|---|---|---|---|---|"
	awk -F, 'NR > 1 { printf "| %s | %s | %.1f | %.1f | %.1f | %s | %.1f |\n", $1, $2, $3, $4, $3 - $4, $5, $6 }' \
		"$out/network.csv"
} >"$out/network.md"

gnuplot -e "dir='$out'" scripts/plots/network.gp || die "gnuplot failed drawing $out/network.png"
ln -sfn "${out#results/}" results/latest-network
echo
cat "$out/network.md" | sed -n '/^| RTT/,$p'
echo
echo "done in $(($(date +%s) - start)) s: $out/ (results/latest-network): network.md, network.png"
