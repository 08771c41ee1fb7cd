# python.gp: the Python original beside C (scripts/pairs.sh draws it; not
# loaded by plot.gp). Reads DIR/python/pairs-arrivals.csv and
# pairs-bystander.csv (lane,ms,label: pairs.sh writes them from the
# harness's CSVs) and writes DIR/python.png and .svg.
#
#   gnuplot -e "dir='results/latest'; lanes=15" scripts/plots/python.gp
#
# One lane per configuration, from the top: each Python variant, then the
# C configuration that behaves the same. Left: when every message of every
# run arrived; right: each run's worst bystander wait. Python is drawn in
# filled circles, C in hollow squares, so a black-and-white print tells
# them apart.

if (!exists("dir")) dir = "results/latest"
envval(key) = system(sprintf("sed -n 's/^%s: //p' '%s/env.txt'", key, dir))
param(name) = system(sprintf("sed -n 's/^parameters: //p' '%s/env.txt' | tr ' ' '\\n' | sed -n 's/^%s=//p'", dir, name))
items = int(param("ITEMS"))
work_ms = int(param("WORK_MS"))
arr = dir . "/python/pairs-arrivals.csv"
bys = dir . "/python/pairs-bystander.csv"
lanesf = dir . "/python/pairs-lanes.csv"
is_py(l) = (strstrt(l, "Python") == 1)
# lane 1 at the top
y(l) = lanes + 1 - l

do for [fmt in "png svg"] {
	if (fmt eq "png") {
		set terminal pngcairo size 1600, 120 + 42 * lanes font "DejaVu Sans,12" noenhanced
	} else {
		set terminal svg size 1600, 120 + 42 * lanes font "DejaVu Sans,12" noenhanced
	}
	set output dir . "/python." . fmt
	set datafile separator ","
	set multiplot layout 1, 2 title sprintf("the Python original beside C: %d items x %d ms, a bystander echoing (%s)", items, work_ms, envval("run_id")) font ",15"
	set yrange [0.3:lanes + 0.7]
	set grid xtics lc rgb "#dddddd"
	set key top left box opaque

	set title "when each message arrived (every run)"
	set xlabel "ms after the request"
	set xrange [0:items * work_ms * 1.25]
	set lmargin 30
	plot lanesf using (NaN):(y($1)):ytic(2) notitle, \
	     arr using 2:(is_py(strcol(3)) ? y($1) : NaN) with points pt 7 ps 1.3 lc rgb "#0072B2" title "Python", \
	     arr using 2:(is_py(strcol(3)) ? NaN : y($1)) with points pt 4 ps 1.5 lc rgb "black" title "C"

	set title "the bystander's worst echo wait (one point per run)"
	set xlabel "ms (log scale)"
	set logscale x
	set xrange [0.1:items * work_ms * 2]
	set format y ""
	set lmargin 3
	plot bys using ($2 < 0.1 ? 0.1 : $2):(is_py(strcol(3)) ? y($1) : NaN) with points pt 7 ps 1.3 lc rgb "#0072B2" title "Python", \
	     bys using ($2 < 0.1 ? 0.1 : $2):(is_py(strcol(3)) ? NaN : y($1)) with points pt 4 ps 1.5 lc rgb "black" title "C"
	unset logscale x
	unset format
	unset multiplot
	unset output
}
