# partition.gp: server-partition's slice size against what it buys (the
# bystander's and the lag monitor's worst wait; delivery stays prompt) and
# what it costs (the job's length beyond its CPU time). Called by
# scripts/partition.sh with
# dir (the run), blocking_bys and blocking_over (server-blocking's worst
# echo in ms and its job overhead in %, drawn as references).
set terminal pngcairo size 900,720 font ",11"
set output dir . "/partition.png"
set multiplot layout 2,1 title "server-partition: the slice size (3 x 300 ms, echo every 20 ms)"
set logscale x
set xrange [0.8:130]
set xtics (1, 2, 5, 10, 20, 50, 100)
set grid
set key top left
set logscale y
set ylabel "worst wait (ms)"
set yrange [0.05:2000]
plot dir . "/sweep.dat" using 1:2 with linespoints lw 2 pt 7 lc rgb "#0072B2" title "bystander's worst echo", \
     "" using 1:3 with linespoints lw 2 pt 5 dt 2 lc rgb "#D55E00" title "lag monitor's worst", \
     "" using 1:5 with linespoints lw 2 pt 9 dt 4 lc rgb "#CC79A7" title "worst delivery (arrival - done)", \
     x with lines dt 3 lc rgb "#555555" title "one slice", \
     blocking_bys with lines lw 1 lc rgb "#000000" title "server-blocking's worst echo"
unset logscale y
set yrange [0:*]
set xlabel "--slice-ms"
set ylabel "job beyond its CPU time (%)"
plot dir . "/sweep.dat" using 1:4 with linespoints lw 2 pt 7 lc rgb "#009E73" title "server-partition", \
     blocking_over with lines lw 1 lc rgb "#000000" title "server-blocking"
unset multiplot
