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
# Style: every series is told apart by point shape and dash pattern, so
# every figure survives a black-and-white printer. The scaling figures are
# black and grey only; the experiment's per-configuration series
# (bystander, lag) add a colour each, to be told apart at a glance on a
# screen.

if (!exists("dir")) dir = "results/latest"
if (!exists("which")) which = "overview"

# the run's parameters, from env.txt ("key: value" lines)
envval(key) = system(sprintf("sed -n 's/^%s: //p' '%s/env.txt'", key, dir))
param(name) = system(sprintf("sed -n 's/^parameters: //p' '%s/env.txt' | tr ' ' '\\n' | sed -n 's/^%s=//p'", dir, name))
configs = envval("configs")
items = int(param("ITEMS"))
work_ms = int(param("WORK_MS"))
runs = int(param("RUNS"))
n = words(configs)

# configuration i's messages file (the harness's)
msgs(i) = dir . "/" . word(configs, i) . ".messages.csv"

# A configuration's display name: "blocking-queue" -> "blocking --send queue"
dash_at(c) = strstrt(c, "-")
pretty(c) = (dash_at(c) > 0) ? c[1:dash_at(c)-1] . " --send " . c[dash_at(c)+1:] : c

# the scaling figures' series: one point shape, dash pattern and grey each
shape(i) = word("7 5 9 11 13 4 6 8", (i - 1) % 8 + 1) + 0
dashes(i) = (i - 1) % 5 + 1
grey(i) = word("#000000 #555555 #000000 #555555 #000000 #555555 #000000 #555555", (i - 1) % 8 + 1)

# the experiment's configurations, in env.txt's order: configuration i is
# drawn with line type series(i), which sets a colour, a dash pattern and a
# hollow point shape, each different from the other seven (reset, which
# every figure's script begins with, leaves line types alone).
# - colour, for a screen: the Okabe-Ito palette, which colour-blind readers
#   tell apart too; printed in grey its colours fall on several levels
#   (0 black to about 160 of 255 for the orange), none too pale to see;
# - dash pattern and point shape, for a black-and-white printer, where
#   colours that print as similar greys are still told apart by these: no
#   plain dots, which stay the stall line's; hollow shapes, so that points
#   of several series at one place stay visible on top of one another.
set linetype 101 lc rgb "#000000" dt 1                      pt 6	# solid, circle
set linetype 102 lc rgb "#E69F00" dt (30, 12)               pt 4	# long dashes, square
set linetype 103 lc rgb "#0072B2" dt (20, 8, 4, 8)          pt 8	# dash-dot, triangle
set linetype 104 lc rgb "#009E73" dt (10, 8)                pt 12	# short dashes, diamond
set linetype 105 lc rgb "#D55E00" dt (20, 8, 4, 8, 4, 8)    pt 10	# dash-dot-dot, triangle down
set linetype 106 lc rgb "#CC79A7" dt (36, 8, 10, 8)         pt 14	# long-short, pentagon
set linetype 107 lc rgb "#56B4E9" dt (6, 6)                 pt 2	# fine dashes, cross
set linetype 108 lc rgb "#777777" dt (24, 6, 24, 18)        pt 1	# paired dashes, plus
series(i) = 100 + (i - 1) % 8 + 1

# the figures drawn into one file: the overviews have several, each a
# panel or (the scaling ones) a row of panels, one per kind of work
in_overview = (which eq "scaling-overview")
figures = (which eq "overview") ? "timeline latency bystander lag" : \
	  in_overview ? "scaling-throughput scaling-first scaling-bystander" : which
if (in_overview) { load "scripts/plots/scaling-common.gp" }	# nworks: a row's panels

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
	}
	if (in_overview) {
		set multiplot layout 3, nworks title sprintf("sendlab scaling: K clients x %d items x %d ms, %s cores (%s)", items, work_ms, param("CORES"), envval("run_id")) font ",16"
	}
	# each figure starts from gnuplot's defaults (reset forgets the CSV
	# separator too), a scaling figure from scaling-common.gp's as well
	do for [fig in figures] {
		reset
		set datafile separator ","
		if (strstrt(fig, "scaling-") == 1) { load "scripts/plots/scaling-common.gp" }
		load "scripts/plots/" . fig . ".gp"
	}
	if (which eq "overview" || in_overview) { unset multiplot }
	unset output
}
