# lag.gp: the server's event-loop lag during run 1, one row per
# configuration (loaded by scripts/plot.gp).
# Each server's 10 ms timer records how late it fired. A sample (t, lag)
# is drawn as a point at height lag in its configuration's row, and as a
# ramp rising to it from (t - lag, 0), where the loop last ran: during a
# stall the timer grows late until the loop runs again. A free loop stays
# flat at 0. The dotted line in each row is 100 ms, where asyncio's debug
# mode and sendlab call it a stall.
#
# Rows, not one shared panel: a ramp always rises 1 ms per ms, so stalls
# that begin together draw one line (in the reference run five
# configurations begin one at the request: every blocking one, flush and
# pingpong); no colour or dash keeps them apart on one axis.
#
# <config>.lagmon.csv (t_us,lag_us) holds every sample of the server's
# life: before run 1, every run, between runs. Only run 1's are drawn: the
# samples from its request to its last arrival + 50 ms (the window
# build/summarize counts a run's lag in), ended at run 2's request if that
# comes first, as it does when run 2 starts within the 50 ms.
# messages.csv columns, by number (more may follow): 2 run, 4 t_request_us,
# 9 t_arrive_us
lagmon(i) = dir . "/" . word(configs, i) . ".lagmon.csv"
tail_us = 50000	# SUMMARY_WINDOW_TAIL_US in src/analysis/summary.h
# run 1's window per configuration, [t0, t1] in us, and its worst sample
# (computed before any range is set: stats obeys them). t0 is NaN for a
# configuration whose run 1 got no result, as when the harness gave up on
# it: its row stays empty.
array t0[n]
array t1[n]
in_run1(i) = (column(1) >= t0[i] && column(1) <= t1[i])
lag_top = 0
do for [i = 1:n] {
	undefine STATS_*
	stats msgs(i) skip 1 using ((column(2) == 1) ? column(4) : NaN):((column(2) == 1) ? column(9) : NaN) nooutput
	t0[i] = exists("STATS_min_x") ? STATS_min_x : NaN
	t1[i] = exists("STATS_max_y") ? STATS_max_y + tail_us : NaN
	if (t0[i] == t0[i]) {
		# the next run's request (1e300 on run 1's rows: never empty)
		stats msgs(i) skip 1 using ((column(2) > 1) ? column(4) : 1e300) nooutput
		if (STATS_min < t1[i]) { t1[i] = STATS_min - 1 }
		# (0 outside the window: never empty either)
		stats lagmon(i) skip 1 using (in_run1(i) ? column(2) / 1000.0 : 0) nooutput
		if (STATS_max > lag_top) { lag_top = STATS_max }
	}
}
# each row's lag axis, 0 to top ms: the job's length as on the other
# figures' time axes, more if a sample lagged longer, at least room for the
# stall line; rounded up to a fifth of the step between its tics
L = items * work_ms * 1.12
top = (L > lag_top * 1.05) ? L : lag_top * 1.05
top = (top < 120) ? 120 : top
step = 10 ** floor(log10(top))
step = (top / step < 2) ? step / 2 : step
top = ceil(top / (step / 5.0)) * step / 5.0
# configuration i's row is centred on n - i + 1, as in timeline.gp; its
# lag axis fills 0.84 of it
row(i) = n - i + 1
base(i) = row(i) - 0.42
lag_y(i, ms) = base(i) + 0.84 * ms / top

set title sprintf("event-loop lag, run 1 (its request to its last arrival + %d ms)", tail_us / 1000)
set xlabel "time after the request (ms)"
set xrange [-50:L]
set yrange [0.5:n + 0.5]
set ytics () nomirror
do for [i = 1:n] { set ytics add (pretty(word(configs, i)) row(i)) }
set y2label sprintf("timer fired late by (ms), each row 0 to %g", top)
set y2range [0.5:n + 0.5]
set y2tics () nomirror font ",9"
do for [i = 1:n] {
	do for [k = 0:int(top / step)] { set y2tics add (sprintf("%g", k * step) lag_y(i, k * step)) }
}
set grid xtics lc rgb "#dddddd"
set key above horizontal
# a sample (t, lag) means the loop last ran at t - lag: draw the ramp from
# there, over which the timer grew late, and the sample itself
ramp_x(i) = in_run1(i) ? (column(1) - t0[i] - column(2)) / 1000.0 : NaN
plot for [i = 1:n] '+' using (-50):(base(i)):(L + 50):(0) every ::0::0 \
		with vectors nohead lc rgb "#bbbbbb" notitle, \
     for [i = 1:n] '+' using (-50):(lag_y(i, 100)):(L + 50):(0) every ::0::0 \
		with vectors nohead dt 3 lw 1.5 lc rgb "#000000" title (i == 1 ? "stall: 100 ms" : ""), \
     for [i = 1:n] lagmon(i) skip 1 using (ramp_x(i)):(base(i)):(column(2) / 1000.0):(0.84 * column(2) / 1000.0 / top) \
		with vectors nohead lt series(i) lw 2 notitle, \
     for [i = 1:n] lagmon(i) skip 1 using (in_run1(i) ? (column(1) - t0[i]) / 1000.0 : NaN):(lag_y(i, column(2) / 1000.0)) \
		with points lt series(i) ps 1.4 lw 1.5 notitle
