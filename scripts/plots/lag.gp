# lag.gp: the server's event-loop lag over the job (loaded by scripts/plot.gp).
# Each server's 10 ms timer records how late it fired. A sample (t, lag)
# is drawn as a point and as a ramp from (t - lag, 0): during a stall the
# timer grows late until the loop runs again. A free loop stays flat at 0. The line at
# 100 ms is where asyncio's debug mode and sendlab call it a stall.
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
set title "event-loop lag during the job (run 1)"
set xlabel "time after the request (ms)"
set ylabel "timer fired late by (ms)"
set xrange [-50:items * work_ms * 1.12]
set yrange [-20:items * work_ms * 1.12]
set grid lc rgb "#dddddd"
set key outside right top
lagmon(i) = dir . "/" . word(configs, i) . ".lagmon.csv"
# a sample (t, lag) means the loop last ran at t - lag: draw the ramp from
# there, over which the timer grew late, and the sample itself
ramp_x(i) = ($1 - t0[i] - $2) / 1000.0
plot for [i = 1:n] lagmon(i) skip 1 using (ramp_x(i)):(0):($2 / 1000.0):($2 / 1000.0) \
		with vectors nohead dt dashes(i) lw 1.5 lc rgb grey(i) notitle, \
     for [i = 1:n] lagmon(i) skip 1 using (($1 - t0[i]) / 1000.0):($2 / 1000.0) \
		with points pt shape(i) ps 0.9 lc rgb grey(i) title pretty(word(configs, i)), \
     100 with lines dt 3 lw 2 lc rgb "#000000" title "stall: 100 ms"
