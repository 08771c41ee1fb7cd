# scaling-common.gp: what every scaling figure needs from a sweep's
# points.csv (written by build/scaling-summarize; scripts/plot.gp loads it
# before each scripts/plots/scaling-*.gp).
#
# points.csv has one row per point, sorted by work, variant, pool and K,
# so the rows of one line of a plot (a "series": a variant and its pool
# size) are consecutive. The columns used here:
#   2 work, 6 series (a variant and pool; the same in both works), 7 label, 8 clients (K), 10 status, 14 throughput,
#   16 ideal_throughput, 18 first_p50_ms, 20 first_max_ms,
#   23 bystander_max_ms
# A failed point has NaN in every measured column: gnuplot skips it.
pts = dir . "/points.csv"
awk_list(prog) = system(sprintf("awk -F, '%s' '%s'", prog, pts))
# the kinds of work, every series, the Ks, in points.csv's order
works = awk_list("NR > 1 && !seen[$2]++ { printf \"%s \", $2 }")
nworks = words(works)
all_series = " " . awk_list("NR > 1 && !seen[$6]++ { printf \"%s \", $6 }")
series_of(w) = awk_list(sprintf("NR > 1 && $2 == \"%s\" && !seen[$6]++ { printf \"%%s \", $6 }", w))
label_of(s) = awk_list(sprintf("$6 == \"%s\" { print $7; exit }", s))
ks = system(sprintf("awk -F, 'NR > 1 && !seen[$8]++ { print $8 }' '%s' | sort -n | tr '\\n' ' '", pts))
kmax = word(ks, words(ks)) + 0
cores = int(param("CORES"))

# a series keeps its style in every panel and figure: its place in the
# list of all series picks one of plot.gp's shapes, dashes and greys
sidx(s) = words(all_series[1:strstrt(all_series, " " . s . " ")]) + 1
# so the points of several series at one K do not hide each other
nudge(i, n) = 2 ** ((i - (n + 1) / 2.0) * 0.035)
# a row's x in the line of series s in the panel of `work`: its K times
# f (a nudge, or 1), NaN on every other row
k_of(work, s, f) = (strcol(2) eq work && strcol(6) eq s) ? column(8) * f : NaN

# K on a log-2 axis, a tic at each K measured
set logscale x 2
set xrange [0.8:kmax * 1.25]
set xtics () nomirror
do for [i = 1:words(ks)] { set xtics add (word(ks, i) word(ks, i) + 0) }
set xlabel "clients at once (K)"
set grid lc rgb "#dddddd"
# the key goes right of each panel; a fixed right margin keeps panels
# with fewer or shorter names the same width as their neighbours
set key outside right top vertical samplen 3
set rmargin 30
