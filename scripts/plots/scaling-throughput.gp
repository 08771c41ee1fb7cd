# scaling-throughput.gp: throughput against the number of clients, one
# panel per kind of work (loaded by scripts/plot.gp). Each line is a
# variant at one pool size: items delivered a second, at the median run's
# makespan (first request to last arrival); its dashed grey twin is the
# ideal for that pool, K x items over max(one job, K jobs spread over
# min(threads, cores) for cpu, over the threads for sleep).
if (!in_overview) {
	set multiplot layout 1, nworks title sprintf("throughput vs clients: %d items x %d ms a job, %d cores (%s)", items, work_ms, cores, envval("run_id"))
}
set ylabel "items delivered per second"
set yrange [0:*]
# room above the highest line, ideal ones included
set offsets 0, 0, graph 0.08, 0
do for [w = 1:nworks] {
	work = word(works, w)
	sl = series_of(work)
	ns = words(sl)
	set title sprintf("--work %s: throughput", work)
	plot for [i = 1:ns] pts skip 1 using (k_of(work, word(sl, i), nudge(i, ns))):14 \
		with linespoints pt shape(sidx(word(sl, i))) ps 1.3 dt 1 lw 1.5 \
		lc rgb grey(sidx(word(sl, i))) title label_of(word(sl, i)), \
	     for [i = 1:ns] pts skip 1 using (k_of(work, word(sl, i), 1)):16 \
		with lines dt 2 lw 1 lc rgb "#999999" title (i == 1 ? "ideal (each line's own)" : "")
}
if (!in_overview) { unset multiplot }
