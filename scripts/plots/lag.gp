# lag.gp: the server's event-loop lag during run 1 (loaded by scripts/plot.gp).
# Each server's 10 ms timer records how late it fired. A sample (t, lag)
# is drawn as a point and as a ramp from (t - lag, 0): during a stall the
# timer grows late until the loop runs again. A free loop stays flat at 0.
# The line at 100 ms is where asyncio's debug mode and sendlab call it a
# stall.
#
# <config>.lagmon.csv (t_us,lag_us) holds every sample of the server's
# life: before run 1, every run, between runs. Only run 1's are drawn: the
# samples from its request to its last arrival + 50 ms (the window
# build/summarize counts a run's lag in), ended at run 2's request if that
# comes first, as it does when run 2 starts within the 50 ms.
reset
set datafile separator ","
# messages.csv columns, by number (more may follow): 2 run, 4 t_request_us,
# 9 t_arrive_us
msgs(i) = dir . "/" . word(configs, i) . ".messages.csv"
lagmon(i) = dir . "/" . word(configs, i) . ".lagmon.csv"
tail_us = 50000	# SUMMARY_WINDOW_TAIL_US in src/analysis/summary.h
# run 1's window per configuration, [t0, t1] in us (computed before any
# range is set: stats obeys them). t0 is NaN for a configuration whose
# run 1 got no result, as when the harness gave up on it: it draws nothing.
array t0[n]
array t1[n]
do for [i = 1:n] {
	undefine STATS_*
	stats msgs(i) skip 1 using ((column(2) == 1) ? column(4) : NaN):((column(2) == 1) ? column(9) : NaN) nooutput
	t0[i] = exists("STATS_min_x") ? STATS_min_x : NaN
	t1[i] = exists("STATS_max_y") ? STATS_max_y + tail_us : NaN
	if (t0[i] == t0[i]) {
		# the next run's request (1e300 on run 1's rows: never empty)
		stats msgs(i) skip 1 using ((column(2) > 1) ? column(4) : 1e300) nooutput
		if (STATS_min < t1[i]) { t1[i] = STATS_min - 1 }
	}
}
in_run1(i) = (column(1) >= t0[i] && column(1) <= t1[i])
set title sprintf("event-loop lag, run 1 (its request to its last arrival + %d ms)", tail_us / 1000)
set xlabel "time after the request (ms)"
set ylabel "timer fired late by (ms)"
set xrange [-50:items * work_ms * 1.12]
set yrange [-20:items * work_ms * 1.12]
set grid lc rgb "#dddddd"
set key outside right top
# a sample (t, lag) means the loop last ran at t - lag: draw the ramp from
# there, over which the timer grew late, and the sample itself
ramp_x(i) = in_run1(i) ? (column(1) - t0[i] - column(2)) / 1000.0 : NaN
plot for [i = 1:n] lagmon(i) skip 1 using (ramp_x(i)):(0):(column(2) / 1000.0):(column(2) / 1000.0) \
		with vectors nohead dt dashes(i) lw 1.5 lc rgb grey(i) notitle, \
     for [i = 1:n] lagmon(i) skip 1 using (in_run1(i) ? (column(1) - t0[i]) / 1000.0 : NaN):(column(2) / 1000.0) \
		with points pt shape(i) ps 0.9 lc rgb grey(i) title pretty(word(configs, i)), \
     100 with lines dt 3 lw 2 lc rgb "#000000" title "stall: 100 ms"
