#!/bin/sh
# Lab 06: K clients at once against server-threadpool --threads T.
#
# For each kind of work (cpu, sleep), each pool size T (1, cores, cores+4)
# and each number of clients K (1 2 4 8): start the server, then REPS times
# start K harness processes at once (each one job of ITEMS x WORK_MS on its
# own connection) and wait for them. From their CSVs, per repetition: the
# makespan (last t_arrive_us minus first t_request_us), the throughput
# (items per second of makespan), the mean job time (each job's last
# arrival minus its request) and the median item time (t_done_us minus
# t_start_us: how long one item took on its worker). Prints the median
# over REPS and the range.
#
#   sh labs/06-scaling/scaling.sh        # from the repo root, ~1 minute
#
# Settings (environment): WORKS ("cpu sleep"), THREADS (default
# "1 cores cores+4", from nproc), CLIENTS ("1 2 4 8"), ITEMS (3),
# WORK_MS (100), REPS (3), OUT (a directory for the CSVs; default a new
# one under /tmp). POSIX sh and awk only.
set -eu
. scripts/lib.sh

CORES=$(nproc)
WORKS=${WORKS:-"cpu sleep"}
THREADS=${THREADS:-"1 $CORES $((CORES + 4))"}
CLIENTS=${CLIENTS:-"1 2 4 8"}
ITEMS=${ITEMS:-3}
WORK_MS=${WORK_MS:-100}
REPS=${REPS:-3}
OUT=${OUT:-$(mktemp -d /tmp/lab06.XXXXXX)}
mkdir -p "$OUT"
PID=
trap 'if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || :; fi' EXIT
trap 'exit 130' INT TERM

echo "$CORES cores; each client: one job of $ITEMS x $WORK_MS ms; median (range) of $REPS"
printf '%-5s %3s %3s  %-20s %-18s %-18s %s\n' work T K "makespan ms" \
	"items/s" "mean job ms" "item ms"
for work in $WORKS; do
	for t in $THREADS; do
		# scripts/lib.sh: a free port, and the port read once it listens
		server_start build/server-threadpool "$OUT/server" --quiet --threads "$t" \
			--work "$work"
		PID=$SERVER_PID
		PORT=$SERVER_PORT
		for k in $CLIENTS; do
			: >"$OUT/cell.txt"
			rep=1
			while [ "$rep" -le "$REPS" ]; do
				d="$OUT/$work-t$t-k$k-r$rep"
				mkdir -p "$d"
				pids=
				i=1
				while [ "$i" -le "$k" ]; do
					build/harness --url "ws://127.0.0.1:$PORT/" \
						--items "$ITEMS" --work-ms "$WORK_MS" --quiet \
						--csv "$d/client$i.csv" >/dev/null &
					pids="$pids $!"
					i=$((i + 1))
				done
				# one wait per harness (not a bare wait: the server is a
				# child too; and `wait $pids` reports only the last):
				# one that gave up has said why on stderr, and its CSV
				# holds a partial run that must not be averaged in
				for p in $pids; do
					wait "$p" || die "a harness failed (exit $?, above); its CSVs are in $d"
				done
				# one line per rep: makespan, items/s, mean job, median item
				awk -F, 'FNR == 1 { next }
				{	if (first == "" || $4 < first) first = $4
					if ($9 > last) last = $9
					if ($9 > end[FILENAME]) end[FILENAME] = $9
					req[FILENAME] = $4
					it[++n] = ($7 - $6) / 1000 }
				END {	for (f in end) { sum += end[f] - req[f]; jobs++ }
					for (i = 2; i <= n; i++)
						for (j = i; j > 1 && it[j-1] > it[j]; j--) {
							x = it[j]; it[j] = it[j-1]; it[j-1] = x
						}
					ms = (last - first) / 1000
					printf "%.1f %.1f %.1f %.1f\n", ms, n / ms * 1000,
						sum / jobs / 1000, it[int((n + 1) / 2)]
				}' "$d"/client*.csv >>"$OUT/cell.txt"
				rep=$((rep + 1))
			done
			# median (range) of each column over the reps
			cells=$(awk '{ for (c = 1; c <= 4; c++) v[c, NR] = $c }
			END {	for (c = 1; c <= 4; c++) {
					for (i = 2; i <= NR; i++)
						for (j = i; j > 1 && v[c, j-1] > v[c, j]; j--) {
							x = v[c, j]; v[c, j] = v[c, j-1]; v[c, j-1] = x
						}
					f = c == 2 ? "%.1f (%.1f-%.1f)" : "%.0f (%.0f-%.0f)"
					s = sprintf(f, v[c, int((NR + 1) / 2)], v[c, 1], v[c, NR])
					printf(c == 1 ? "%-20s " : c < 4 ? "%-18s " : "%s", s)
				}
			}' "$OUT/cell.txt")
			printf '%-5s %3s %3s  %s\n' "$work" "$t" "$k" "$cells"
		done
		kill "$PID"
		wait "$PID" || :
		PID=
	done
done
echo "CSVs in $OUT"
