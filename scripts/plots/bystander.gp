# bystander.gp: how long another client waited (loaded by scripts/plot.gp).
# The bystander sends an `echo` every few ms during the job; a line per
# configuration joins its echoes of run 1: when each was sent (x) and how
# long its answer took (y, log scale). A free loop answers within a
# millisecond; a blocked one answers only when the item (or the whole job)
# is over. Configurations whose loops behave alike draw one line (blocking
# under every send discipline, and flush), so each marks only every n-th
# of its echoes (n configurations), beginning at its own: along a shared
# line their marks take turns, and each stays in sight.
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
set key outside right top samplen 6
echoes(i) = dir . "/" . word(configs, i) . ".bystander.csv"
sent(i) = (column(2) == 1) ? (column(4) - t0[i]) / 1000.0 : NaN
waited(i) = (column(6) - column(4)) / 1000.0
plot for [i = 1:n] echoes(i) skip 1 using (sent(i)):(waited(i)) \
		with lines lt series(i) lw 1.5 notitle, \
     for [i = 1:n] echoes(i) skip 1 every n::(i - 1) using (sent(i)):(waited(i)) \
		with points lt series(i) lw 1.5 ps 1.6 notitle, \
     for [i = 1:n] keyentry with linespoints lt series(i) lw 1.5 ps 1.6 title pretty(word(configs, i))
