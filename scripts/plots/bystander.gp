# bystander.gp: how long another client waited (loaded by scripts/plot.gp).
# The bystander sends an `echo` every few ms during the job; each point is
# one echo of run 1: when it was sent (x) and how long its answer took (y,
# log scale). A free loop answers within a millisecond; a blocked one
# answers only when the item (or the whole job) is over.
reset
set datafile separator ","
msgs(i) = dir . "/" . word(configs, i) . ".messages.csv"
# run 1's request time per configuration (before any range is set:
# stats obeys them)
# (NaN for a configuration whose run 1 got no result, as when the harness
# gave up on it: its points have nothing to be placed by and are not drawn)
array t0[n]
do for [i = 1:n] {
	undefine STATS_*
	stats msgs(i) skip 1 using ((column(2) == 1) ? column(4) : NaN) nooutput
	t0[i] = exists("STATS_min") ? STATS_min : NaN
}
set title "another client's wait: each echo during the job (run 1)"
set xlabel "echo sent (ms after the request)"
set ylabel "echo answered after (ms, log scale)"
set logscale y
set yrange [0.05:5000]
set format y "%g"
set xrange [0:items * work_ms * 1.12]
set grid lc rgb "#dddddd"
set key outside right top
echoes(i) = dir . "/" . word(configs, i) . ".bystander.csv"
plot for [i = 1:n] echoes(i) skip 1 using ((column(2) == 1) ? (column(4) - t0[i]) / 1000.0 : NaN):((column(6) - column(4)) / 1000.0) \
		with linespoints pt shape(i) ps 0.9 dt dashes(i) lc rgb grey(i) title pretty(word(configs, i))
