# arrivals.gp: when each message arrived against when its result was ready,
# one panel per configuration, every run (loaded by scripts/plot.gp).
# x: the item's compute finished (t_done - t_request), y: the message
# arrived (t_arrive - t_request), both in ms after the client sent `run`.
# On the dashed diagonal a message left the moment it was ready; a point
# above it waited in the server; points at one height arrived together.
cols = (n > 3) ? 3 : n
rows = (n + cols - 1) / cols
lim = items * work_ms * 1.15
# one point shape per message (up to 6; more items share one shape)
mshape(s) = (s == 0) ? 7 : (s == 1) ? 9 : (s == 2) ? 5 : (s == 3) ? 11 : (s == 4) ? 13 : 3
label(s) = sprintf("message %d", s)
ready(s) = (column(3) == s) ? (column(7) - column(4)) / 1000.0 : NaN
ready_any(s) = (column(7) - column(4)) / 1000.0
arrived(s) = (column(9) - column(4)) / 1000.0

set multiplot layout rows, cols title sprintf("when each message arrives vs when its result was ready (%d items x %d ms; every run)", items, work_ms)
do for [i = 1:n] {
	config = word(configs, i)
	file = dir . "/" . config . ".messages.csv"
	set title pretty(config)
	set xlabel "result ready (ms after the request)"
	set ylabel "message arrived (ms after the request)"
	set xrange [0:lim]
	set yrange [0:lim]
	set size ratio -1
	set grid lc rgb "#dddddd"
	set key bottom right box opaque
	if (items <= 6) {
		plot x title "sent at once" with lines dt 2 lc rgb "#777777", \
		     for [s = 0:items-1] file skip 1 using (ready(s)):(arrived(s)) \
			with points pt mshape(s) ps 1.8 lc rgb "black" title label(s)
	} else {
		plot x title "sent at once" with lines dt 2 lc rgb "#777777", \
		     file skip 1 using (ready_any(0)):(arrived(0)) with points pt 7 ps 1 \
			lc rgb "black" title "a message"
	}
}
unset multiplot
