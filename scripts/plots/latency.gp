# latency.gp: delivery latency per configuration (loaded by scripts/plot.gp):
# arrival minus the moment the result was ready, every message of every
# run, as a box (quartiles), whiskers (min and max) and a bar (median), on
# a log axis. Reads latency.csv, written by build/summarize.
set title "delivery latency: result ready -> message arrived (all runs)"
set ylabel "delivery latency (ms, log scale)"
set logscale y
set yrange [0.01:10000]
set format y "%g"
set xrange [0.4:n + 0.6]
set xtics rotate by -25 nomirror
set grid ytics lc rgb "#dddddd"
set boxwidth 0.45
set key top left
floor_ms(v) = (v < 0.01) ? 0.01 : v
file = dir . "/latency.csv"
plot file skip 1 using 1:(floor_ms($4)):(floor_ms($3)):(floor_ms($7)):(floor_ms($6)):xtic(pretty(stringcolumn(2))) \
		with candlesticks whiskerbars lw 1.5 lc rgb "#000000" fs solid 0.25 title "box: quartiles; bar: median; whiskers: min and max", \
     file skip 1 using 1:(floor_ms($5)):(floor_ms($5)):(floor_ms($5)):(floor_ms($5)) \
		with candlesticks lw 3 lc rgb "#000000" notitle, \
     20 with lines dt 3 lc rgb "#555555" title "20 ms: under it, on time (make grade)"
