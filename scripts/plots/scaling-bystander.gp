# scaling-bystander.gp: the bystander's worst echo against the number of
# clients, one panel per kind of work, log scale (loaded by
# scripts/plot.gp). A server whose loop computes makes the bystander wait
# for whole jobs; a pool keeps it near a millisecond. The dotted line is
# the 20 ms the thread pool must stay under at every K, the dashed one
# the 100 ms stall line of the experiment.
if (!in_overview) {
	set multiplot layout 1, nworks title sprintf("another client's worst wait vs clients (%d items x %d ms a job, %d cores)", items, work_ms, cores)
}
set ylabel "bystander's worst echo (ms, log scale)"
set logscale y
# one scale for both panels: a free loop (a tenth of a ms) to a 16-job stall
set yrange [0.05:10000]
set format y "%g"
do for [w = 1:nworks] {
	work = word(works, w)
	sl = series_of(work)
	ns = words(sl)
	set title sprintf("--work %s: bystander's worst echo", work)
	plot for [i = 1:ns] pts skip 1 using (k_of(work, word(sl, i), nudge(i, ns))):23 \
		with linespoints pt shape(sidx(word(sl, i))) ps 1.3 dt dashes(sidx(word(sl, i))) \
		lc rgb grey(sidx(word(sl, i))) title label_of(word(sl, i)), \
	     20 with lines dt 3 lw 2 lc rgb "#000000" title "20 ms", \
	     100 with lines dt 2 lw 1 lc rgb "#777777" title "stall: 100 ms"
}
if (!in_overview) { unset multiplot }
