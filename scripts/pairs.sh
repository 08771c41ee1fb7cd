#!/bin/sh
# pairs.sh DIR: the Python original beside C, for an experiment run whose
# python/ section ran (make experiment; plots.sh calls this after it has
# summarised DIR and DIR/python). Each pair of python/env.txt's "pairs:"
# line (py-V:C-CONFIG, or py-V:- for a Python pattern with no C twin) is
# set side by side, from the two summary.csv files and the raw CSVs:
#   python/pairs.csv       one row per pair: both verdicts and numbers
#   python/pairs-arrivals.csv, python/pairs-bystander.csv  the figure's
#                          points: lane, ms, lane label
#   python/pairs-lanes.csv its lanes: lane, label
#   python.png, python.svg the figure (scripts/plots/python.gp)
# and a section "The Python original beside C" at the end of DIR/summary.md
# and DIR/verdicts.txt. A pair "shows the same shape" when both its
# verdicts (arrivals clumped/spaced, loop blocked/free) are the same.
set -eu
cd "$(dirname "$0")/.."
. scripts/lib.sh

dir=${1:?usage: pairs.sh DIR}
py=$dir/python
[ -f "$py/summary.csv" ] && [ -f "$dir/summary.csv" ] ||
	die "$dir has no summary.csv and python/summary.csv: run plots.sh $dir"
pairs=$(sed -n 's/^pairs: //p' "$py/env.txt")
[ -n "$pairs" ] || die "$py/env.txt has no pairs: line"

# What each Python variant's code is (docs/variants.md, "Python -> C").
code() {
	case $1 in
	py-create-task) echo 'create_task(ws.send(r))' ;;
	py-await-send) echo 'await ws.send(r)' ;;
	py-sleep0) echo 'await ws.send(r); await asyncio.sleep(0)' ;;
	py-drain) echo 'await ws.send(r), write buffer limit 0' ;;
	py-pingpong) echo 'await ws.send(r); await (await ws.ping())' ;;
	py-to-thread) echo 'await asyncio.to_thread(work)' ;;
	py-process-pool) echo 'await loop.run_in_executor(ProcessPoolExecutor, work)' ;;
	py-partition) echo 'work in 5 ms slices, await asyncio.sleep(0) between' ;;
	*) echo "$1" ;;
	esac
}
pretty() {	# blocking-queue -> "blocking --send queue"
	case $1 in
	-) echo "(none)" ;;
	*-*) echo "${1%%-*} --send ${1#*-}" ;;
	*) echo "$1" ;;
	esac
}

num() {	# num MS: one decimal, or "-" for a configuration not measured
	if [ -n "$1" ]; then printf '%.1f' "$1"; else echo -; fi
}

# row CONFIG FILE: the summary.csv fields the table needs, comma-separated:
# arrivals, loop, bystander worst (ms), median run's lag max (ms), comparable
row() {
	awk -F, -v c="$1" 'NR > 1 && $1 == c { printf "%s,%s,%s,%s,%s", $18, $19, $13, $16, $22; f = 1 }
		END { if (!f) printf "-,-,,," }' "$2"
}

echo "python,c,py_arrivals,py_loop,py_bystander_max_ms,py_lag_max_ms,py_comparable,c_arrivals,c_loop,c_bystander_max_ms,c_lag_max_ms,c_comparable,same_shape" >"$py/pairs.csv"
for p in $pairs; do
	pc=${p%%:*}
	cc=${p#*:}
	pr=$(row "$pc" "$py/summary.csv")
	if [ "$cc" = - ]; then cr="-,-,,,"; else cr=$(row "$cc" "$dir/summary.csv"); fi
	same=$(echo "$pr,$cr" | awk -F, '{
		if ($1 == "-") print "not measured"
		else if ($6 == "-") print "no C twin"
		else print ($1 == $6 && $2 == $7) ? "yes" : "NO" }')
	echo "$pc,$cc,$pr,$cr,$same" >>"$py/pairs.csv"
done

# The figure's points. Lanes from the top: each pair's Python variant,
# then its C configuration; a C configuration that pairs twice is drawn
# twice. arrivals: every message of every run, ms after its request;
# bystander: each run's worst echo wait, ms.
: >"$py/pairs-arrivals.csv"
: >"$py/pairs-bystander.csv"
: >"$py/pairs-lanes.csv"
lane=0
for p in $pairs; do
	for side in py c; do
		if [ "$side" = py ]; then
			config=${p%%:*}
			where=$py
			label="Python ${config#py-}"
		else
			config=${p#*:}
			where=$dir
			[ "$config" = - ] && continue
			label="C $(pretty "$config")"
		fi
		# a configuration this run left out (VARIANTS, PY_VARIANTS): no lane
		[ -f "$where/$config.messages.csv" ] || continue
		lane=$((lane + 1))
		echo "$lane,$label" >>"$py/pairs-lanes.csv"
		awk -F, -v l="$lane" -v t="$label" 'NR > 1 && !/^#/ { printf "%d,%.3f,%s\n", l, ($9 - $4) / 1000, t }' \
			"$where/$config.messages.csv" >>"$py/pairs-arrivals.csv"
		awk -F, -v l="$lane" -v t="$label" 'NR > 1 && !/^#/ && $6 - $4 > w[$2] { w[$2] = $6 - $4 }
			END { for (r in w) printf "%d,%.3f,%s\n", l, w[r] / 1000, t }' \
			"$where/$config.bystander.csv" >>"$py/pairs-bystander.csv"
	done
done
gnuplot -e "dir='$dir'; lanes=$lane" scripts/plots/python.gp || die "gnuplot failed drawing $dir/python.png"

same=$(awk -F, 'NR > 1 && $13 == "yes"' "$py/pairs.csv" | wc -l)
twins=$(awk -F, 'NR > 1 && $2 != "-"' "$py/pairs.csv" | wc -l)
{
	echo
	echo "## The Python original beside C"
	echo
	echo "src/python/server.py (asyncio + websockets), the same job and bystander, $(sed -n 's/^parameters: RUNS=\([0-9]*\).*/\1/p' "$py/env.txt") runs each (python/summary.md has its full tables). A pair shows the same shape when both verdicts agree. $same of $twins pairs do. Figure: python.png. Times in ms; *lag* is the median run's loop lag max."
	echo
	echo "| Python code | its verdicts | bystander worst | lag | C configuration | its verdicts | bystander worst | lag | same shape |"
	echo "|---|---|---|---|---|---|---|---|---|"
	awk -F, 'NR > 1 { print }' "$py/pairs.csv" | while IFS=, read -r pc cc pa pl pb plag pcomp ca cl cb clag ccomp same; do
		echo "| \`$(code "$pc")\` ($pc) | $pa, $pl | $(num "$pb") | $(num "$plag") | $(pretty "$cc") | $([ "$ca" = - ] && echo - || echo "$ca, $cl") | $(num "$cb") | $(num "$clag") | $same |"
	done
} >>"$dir/summary.md"
{
	echo
	echo "python beside C: $same of $twins pairs show the same shape (python/pairs.csv)"
	awk -F, 'NR > 1 { printf "  %-16s %-8s %-8s %9.1f ms   %-19s %s\n", $1, $3, $4, $5, $2, $13 }' "$py/pairs.csv"
} >>"$dir/verdicts.txt"
