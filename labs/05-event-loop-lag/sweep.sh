#!/bin/sh
# Lab 05: each variant's p99 event-loop lag against the length of an item.
#
# For each variant: start its server on a free port; for each work_ms in
# WORKS run the harness RUNS times with items = JOB_MS / work_ms (so every
# job lasts about JOB_MS), a bystander echoing every 20 ms; print the median
# and range over the runs of the lag p99 (the harness's --lag-csv, column 6)
# and of the bystander's worst echo; stop the server.
#
#   sh labs/05-event-loop-lag/sweep.sh          # from the repo root, ~40 s
#   WORK=sleep VARIANTS="blocking threadpool" sh labs/05-event-loop-lag/sweep.sh
#
# Settings (environment): VARIANTS, WORKS, JOB_MS (500), RUNS (3),
# WORK (cpu|sleep), SEND (proactor|queue|direct), OUT (a directory for
# the CSVs; default a new one under /tmp). POSIX sh and awk only.
set -eu
. scripts/lib.sh

VARIANTS=${VARIANTS:-"blocking flush pingpong threadpool"}
WORKS=${WORKS:-"1 2 5 10 20 50"}
JOB_MS=${JOB_MS:-500}
RUNS=${RUNS:-3}
WORK=${WORK:-cpu}
SEND=${SEND:-proactor}
OUT=${OUT:-$(mktemp -d /tmp/lab05.XXXXXX)}
mkdir -p "$OUT"
PID=
trap 'if [ -n "$PID" ]; then kill "$PID" 2>/dev/null || :; fi' EXIT
trap 'exit 130' INT TERM

# "median (min-max)" of column $2 of CSV $1 (header skipped), us -> ms
med_range() {
	awk -F, -v c="$2" 'NR > 1 { v[n++] = $c / 1000 }
	END {
		for (i = 1; i < n; i++)		# insertion sort: a few values
			for (j = i; j > 0 && v[j-1] > v[j]; j--) {
				t = v[j]; v[j] = v[j-1]; v[j-1] = t
			}
		printf "%7.1f (%.1f-%.1f)", v[int((n-1)/2)], v[0], v[n-1]
	}' "$1"
}

echo "work=$WORK send=$SEND, jobs of ~$JOB_MS ms, $RUNS runs each; ms, median (range)"
printf '%-10s %7s %5s  %-24s %s\n' variant work_ms items "loop lag p99" \
	"bystander worst echo"
for v in $VARIANTS; do
	# scripts/lib.sh: a free port, and the port read once it listens
	server_start build/server-"$v" "$OUT/$v" --quiet --work "$WORK" --send "$SEND"
	PID=$SERVER_PID
	PORT=$SERVER_PORT
	for w in $WORKS; do
		items=$((JOB_MS / w))
		[ "$items" -ge 1 ] || items=1
		f="$OUT/$v-$WORK-$w"
		rm -f "$f.lag.csv" "$f.echo.csv"
		build/harness --url "ws://127.0.0.1:$PORT/" --items "$items" \
			--work-ms "$w" --runs "$RUNS" --bystander-ms 20 --quiet \
			--lag-csv "$f.lag.csv" --bystander-csv "$f.echo.csv" >/dev/null
		# each run's worst echo (t_arrive_us - t_sent_us), one per line
		awk -F, 'NR > 1 { w = $6 - $4; if (w > m[$2]) m[$2] = w }
			END { print "run,worst"; for (r in m) print r "," m[r] }' \
			"$f.echo.csv" >"$f.worst.csv"
		printf '%-10s %7s %5s  %-24s %s\n' "$v" "$w" "$items" \
			"$(med_range "$f.lag.csv" 6)" "$(med_range "$f.worst.csv" 2)"
	done
	kill "$PID"
	wait "$PID" || :
	PID=
done
echo "CSVs in $OUT"
