# timeline.gp: the arrival timeline (loaded by scripts/plot.gp).
# One row per configuration, run 1, on one time axis: grey bars are the
# items being computed (a small gap between items), a black dot is a message arriving, a dashed line
# joins a result that waited to the moment it arrived. Dots piled at one
# time are a clump; dots right at the end of their bars are on time.
set title sprintf("arrival timeline (run 1): computing vs when each message arrived")
set xlabel "time after the request (ms)"
set xrange [0:items * work_ms * 1.12]
set yrange [0.5:n + 0.5]
set ytics () nomirror
do for [i = 1:n] { set ytics add (pretty(word(configs, i)) n - i + 1) }
set grid xtics lc rgb "#dddddd"
set key above horizontal maxrows 1 width -2
in1(x) = (column(2) == 1) ? x : NaN
ms(c) = (column(c) - column(4)) / 1000.0
row(i) = n - i + 1
# message k sits a little above message k-1, so a clump shows as a pile
lift(i) = row(i) + 0.3 * column(3) / (items > 1 ? items - 1 : 1)
plot for [i = 1:n] msgs(i) skip 1 using (in1(ms(6)) + 3):(row(i) - 0.18):(ms(7) - ms(6) - 6):(0) \
		with vectors nohead lw 10 lc rgb "#aaaaaa" title (i == 1 ? "computing an item" : ""), \
     for [i = 1:n] msgs(i) skip 1 using (in1(ms(7))):(lift(i)):(ms(9) - ms(7)):(0) \
		with vectors nohead dt 2 lw 1.5 lc rgb "#000000" title (i == 1 ? "result waiting, then in transit" : ""), \
     for [i = 1:n] msgs(i) skip 1 using (in1(ms(9))):(lift(i)) \
		with points pt 7 ps 1.6 lc rgb "#000000" title (i == 1 ? "message arrived" : "")
