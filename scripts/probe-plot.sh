#!/bin/sh
# probe-plot.sh: draws a wsprobe CSV with gnuplot (scripts/plots/probe.gp):
# pong waits over time above, message arrivals below (docs/probe.md).
#
#   sh scripts/probe-plot.sh probe.csv [probe.png]
#
# The PNG defaults to the CSV's name with .png; LABEL=text titles the
# figure (default: the CSV's file name).
set -eu
die() { echo "probe-plot: $*" >&2; exit 1; }
[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: sh scripts/probe-plot.sh CSV [PNG]" >&2; exit 2; }
csv=$1
png=${2:-${csv%.csv}.png}
[ -r "$csv" ] || die "cannot read $csv"
[ "$(head -n 1 "$csv")" = "kind,t_sent_us,t_recv_us,bytes" ] || die "$csv is not a wsprobe CSV (its header is not kind,t_sent_us,t_recv_us,bytes)"
[ "$(wc -l <"$csv")" -ge 2 ] || die "$csv has no rows"
command -v gnuplot >/dev/null || die "gnuplot is missing: run sh scripts/install-deps.sh"
label=${LABEL:-$(basename "$csv")}
case "$csv$png$label" in *"'"*) die "a file name or LABEL with a ' cannot reach gnuplot" ;; esac
dir=$(dirname "$0")
gnuplot -e "csv='$csv'; out='$png'; label='$label'" "$dir/plots/probe.gp" || die "gnuplot failed"
echo "probe-plot: wrote $png"
