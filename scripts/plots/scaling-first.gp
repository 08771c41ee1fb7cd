# scaling-first.gp: how long each client waited for its first message,
# against the number of clients, one panel per kind of work (loaded by
# scripts/plot.gp). A point is the median over every client of every run;
# its bar reaches the worst client: a long bar is an unfair server (first
# come, first served: the last job in line waits for all the others).
if (!in_overview) {
	set multiplot layout 1, nworks title sprintf("first message vs clients: median and worst client (%d items x %d ms a job, %d cores)", items, work_ms, cores)
}
set ylabel "first message after the request (ms, log scale)"
set logscale y
# one scale for both panels: from well under one item to a 16-client queue
set yrange [50:10000]
set format y "%g"
do for [w = 1:nworks] {
	work = word(works, w)
	sl = series_of(work)
	ns = words(sl)
	set title sprintf("--work %s: first message, median (point) to worst (bar)", work)
	plot for [i = 1:ns] pts skip 1 using (k_of(work, word(sl, i), nudge(i, ns))):18:18:20 \
		with yerrorbars pt shape(sidx(word(sl, i))) ps 1.3 lw 1.2 \
		lc rgb grey(sidx(word(sl, i))) notitle, \
	     for [i = 1:ns] pts skip 1 using (k_of(work, word(sl, i), nudge(i, ns))):18 \
		with linespoints pt shape(sidx(word(sl, i))) ps 1.3 dt dashes(sidx(word(sl, i))) \
		lc rgb grey(sidx(word(sl, i))) title label_of(word(sl, i))
}
if (!in_overview) { unset multiplot }
