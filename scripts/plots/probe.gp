# probe.gp: the figure of one wsprobe CSV (scripts/probe-plot.sh draws it).
#
#   gnuplot -e "csv='probe.csv'; out='probe.png'" scripts/plots/probe.gp
#
# Top: how long each ping waited for its pong, drawn as a bar from its
# sending to its pong at the height of the wait (log scale: an idle loop
# answers in a fraction of a millisecond, a blocked one after the whole
# block, so a stall is a long bar high up). A ping never answered is drawn
# at the top in red. Bottom: when each message from the server arrived and
# when wsprobe sent its own (--send): stacked dots are messages that
# arrived within the same millisecond, a burst.

if (!exists("csv")) csv = "probe.csv"
if (!exists("out")) out = "probe.png"
if (!exists("label")) label = csv
t0 = real(system(sprintf("awk -F, 'NR == 2 { print ($2 != \"\" ? $2 : $3); exit }' '%s'", csv)))
tmax = real(system(sprintf("awk -F, 'NR > 1 { t = ($2 != \"\" ? $2 : $3); if (t > m) m = t; if ($3 > m) m = $3 } END { print m }' '%s'", csv)))
wmax = real(system(sprintf("awk -F, 'NR > 1 && $1 == \"ping\" && $3 != \"\" { w = $3 - $2; if (w > m) m = w } END { print (m > 0 ? m : 1000) }' '%s'", csv)))
span = (tmax - t0) / 1e6
top = wmax / 1000 * 3

set terminal pngcairo size 1200, 640 font "DejaVu Sans,12" noenhanced
set output out
set datafile separator ","
set multiplot layout 2, 1 title "wsprobe: " . label font ",14"
set grid lc rgb "#dddddd"
set xrange [0:span * 1.02 + 0.01]
set key top right box opaque

set title "how long each ping waited for its pong (the server's event loop answers it)"
set ylabel "pong wait (ms, log)"
set logscale y
set yrange [0.01:(top > 1 ? top : 1)]
set format x ""
plot csv using (strcol(1) eq "ping" && strcol(3) ne "" ? ($2 - t0) / 1e6 : NaN):(($3 - $2) / 1000.0):(($3 - $2) / 1e6):(0) \
	with vectors nohead lw 2.5 lc rgb "#0072B2" title "a ping, from its sending to its pong", \
     csv using (strcol(1) eq "ping" && strcol(3) ne "" ? ($3 - t0) / 1e6 : NaN):(($3 - $2) / 1000.0) \
	with points pt 7 ps 0.4 lc rgb "#0072B2" notitle, \
     csv using (strcol(1) eq "ping" && strcol(3) eq "" ? ($2 - t0) / 1e6 : NaN):(top * 0.8) \
	with points pt 9 ps 1.4 lc rgb "#D55E00" title "no pong"

set title "messages: arrivals from the server, and what wsprobe sent"
unset logscale y
set format x "%g"
set xlabel "seconds since the probe started"
set ylabel "messages"
set ytics 1
set yrange [0:*]
# the messages of one millisecond are summed into one bar: a burst is tall
plot csv using (strcol(1) eq "msg" ? floor(($3 - t0) / 1000.0) / 1000.0 : NaN):(1) smooth frequency \
	with impulses lw 3 lc rgb "#009E73" title "messages arrived in that ms", \
     csv using (strcol(1) eq "send" ? ($2 - t0) / 1e6 : NaN):(0.5) \
	with points pt 11 ps 1.6 lc rgb "#CC79A7" title "wsprobe sent (--send)"
unset multiplot
