# plot.gp: draws one figure of an experiment run, as PNG and SVG.
#
#   gnuplot -e "dir='results/latest'; which='timeline'" scripts/plot.gp
#
# which: arrivals | timeline | latency | bystander | lag | overview
# (overview: timeline, latency, bystander and lag on one page, for the
# README). Every figure is drawn from the run's CSVs alone: the harness's
# <config>.messages.csv and .bystander.csv, the servers' <config>.lagmon.csv,
# and latency.csv from build/summarize. The run's parameters come from its
# env.txt. scripts/plots.sh draws them all; `make plots` calls it.
#
# A scaling sweep's figures (make scaling), from its points.csv:
# which: scaling-throughput | scaling-first | scaling-bystander |
# scaling-overview (the three, one row each).
#
# Style: black and grey only, told apart by point shape and dash pattern,
# so every figure survives a black-and-white printer.

if (!exists("dir")) dir = "results/latest"
if (!exists("which")) which = "overview"
in_overview = 0	# 1 while scaling-overview loads the scaling figures, one row each

# the run's parameters, from env.txt ("key: value" lines)
envval(key) = system(sprintf("sed -n 's/^%s: //p' '%s/env.txt'", key, dir))
param(name) = system(sprintf("sed -n 's/^parameters: //p' '%s/env.txt' | tr ' ' '\\n' | sed -n 's/^%s=//p'", dir, name))
configs = envval("configs")
items = int(param("ITEMS"))
work_ms = int(param("WORK_MS"))
runs = int(param("RUNS"))
n = words(configs)

# A configuration's display name: "blocking-queue" -> "blocking --send queue"
dash_at(c) = strstrt(c, "-")
pretty(c) = (dash_at(c) > 0) ? c[1:dash_at(c)-1] . " --send " . c[dash_at(c)+1:] : c

# one point shape and one dash pattern per configuration (up to 8)
shape(i) = word("7 5 9 11 13 4 6 8", (i - 1) % 8 + 1) + 0
dashes(i) = (i - 1) % 5 + 1
grey(i) = word("#000000 #555555 #000000 #555555 #000000 #555555 #000000 #555555", (i - 1) % 8 + 1)

set datafile separator ","

size_w = 1200
size_h = 700
if (which eq "arrivals") { size_w = 1500; size_h = 60 + 500 * ((n + 2) / 3) }
if (which eq "timeline") { size_h = 160 + 80 * n }
if (which eq "overview") { size_w = 1800; size_h = 1300 }
if (strstrt(which, "scaling-") == 1) { size_w = 1600; size_h = 650 }
if (which eq "scaling-overview") { size_h = 1800 }

do for [fmt in "png svg"] {
	if (fmt eq "png") {
		set terminal pngcairo size size_w, size_h font "DejaVu Sans,12" noenhanced
	} else {
		set terminal svg size size_w, size_h font "DejaVu Sans,12" noenhanced
	}
	set output dir . "/" . which . "." . fmt
	if (which eq "overview") {
		set multiplot layout 2, 2 title sprintf("sendlab: %d configurations, %d items x %d ms (%s)", n, items, work_ms, envval("run_id")) font ",16"
		load "scripts/plots/timeline.gp"
		load "scripts/plots/latency.gp"
		load "scripts/plots/bystander.gp"
		load "scripts/plots/lag.gp"
		unset multiplot
	} else { if (which eq "scaling-overview") {
		# each figure draws its row of panels, one per kind of work
		nw = words(system(sprintf("awk -F, 'NR > 1 && !seen[$2]++ { print $2 }' '%s/points.csv'", dir)))
		set multiplot layout 3, nw title sprintf("sendlab scaling: K clients x %d items x %d ms, %s cores (%s)", items, work_ms, param("CORES"), envval("run_id")) font ",16"
		in_overview = 1
		load "scripts/plots/scaling-throughput.gp"
		load "scripts/plots/scaling-first.gp"
		load "scripts/plots/scaling-bystander.gp"
		in_overview = 0
		unset multiplot
	} else {
		load "scripts/plots/" . which . ".gp"
	} }
	unset output
}
