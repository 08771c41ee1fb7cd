# network.gp: `make network`'s figure (scripts/network.sh draws it).
# Reads DIR/network.csv (rtt_ms,config,spacing_ms,item_ms,first_ms,...)
# and DIR/rtt-R/<config>.messages.csv, writes DIR/network.png and .svg.
#
#   gnuplot -e "dir='results/latest-network'" scripts/plots/network.gp
#
# Left: each configuration's item spacing against the round trip, with
# the two predictions drawn thin: item (flush, threadpool) and item + RTT
# (pingpong). Right: when every result of every run arrived at the round
# trip nearest 50 ms, one lane per configuration.

if (!exists("dir")) dir = "results/latest-network"
csv = dir . "/network.csv"
configs = "blocking-queue flush pingpong threadpool"
colors = "#D55E00 #009E73 #CC79A7 #0072B2"
rtts = system(sprintf("awk -F, 'NR > 1 { print $1 }' '%s' | sort -un | tr '\\n' ' '", csv))
# the round trip of the right panel: the one closest to 50 ms
rtt_r = int(system(sprintf("awk -F, 'NR > 1 { d = $1 - 50; if (d < 0) d = -d; if (!n++ || d < b) { b = d; r = $1 } } END { print r }' '%s'", csv)))
item = real(system(sprintf("awk -F, 'NR > 1 && $2 == \"flush\" { s += $4; n++ } END { print (n ? s / n : 300) }' '%s'", csv)))
rmax = real(word(rtts, words(rtts)))

do for [fmt in "png svg"] {
	if (fmt eq "png") {
		set terminal pngcairo size 1500, 560 font "DejaVu Sans,12" noenhanced
	} else {
		set terminal svg size 1500, 560 font "DejaVu Sans,12" noenhanced
	}
	set output dir . "/network." . fmt
	set datafile separator ","
	set multiplot layout 1, 2 title "what a network round trip costs each fix (build/delayproxy)" font ",15"
	set grid lc rgb "#dddddd"
	set key top left box opaque

	set title "gap between consecutive results' arrivals"
	set xlabel "round trip added (ms)"
	set ylabel "ms (median)"
	set xrange [-2:rmax * 1.05 + 2]
	set yrange [-10:(item + rmax) * 1.15]
	plot for [i = 1:words(configs)] csv using ($1):(strcol(2) eq word(configs, i) ? $3 : NaN) \
		with linespoints lw 2 pt 7 ps 1.3 lc rgb word(colors, i) title word(configs, i), \
	     item with lines dt 2 lc rgb "#555555" title "item", \
	     item + x with lines dt 3 lc rgb "#555555" title "item + round trip"

	set title sprintf("arrivals at a %d ms round trip (every run)", rtt_r)
	set xlabel "ms after the request"
	set ylabel ""
	set xrange [0:*]
	set yrange [0.4:words(configs) + 0.6]
	set ytics () 
	do for [i = 1:words(configs)] { set ytics add (word(configs, i) words(configs) + 1 - i) }
	set key off
	plot for [i = 1:words(configs)] sprintf("%s/rtt-%d/%s.messages.csv", dir, rtt_r, word(configs, i)) \
		skip 1 using (($9 - $4) / 1000.0):(words(configs) + 1 - i) \
		with points pt 7 ps 1.6 lc rgb word(colors, i) notitle
	unset multiplot
	unset output
}
