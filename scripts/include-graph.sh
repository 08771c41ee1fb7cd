#!/bin/sh
# include-graph.sh: which module includes which (make include-graph).
#
# A module is a directory under src/ (or labs/). For each one, prints the
# other modules whose headers its files include, from the `#include "dir/..."`
# lines themselves, so it is always the code's real graph. With a module
# name as argument (e.g. harness), prints that module's includes file by file.
# The rules it should show (docs/architecture.md): servers and labs -> core;
# core, harness, analysis, client -> common; grade -> client, harness;
# nothing shipped -> tests.
set -eu
cd "$(dirname "$0")/.."

modules() {
	for d in src/*/ labs/; do
		echo "${d%/}"
	done
}

# the modules the files under $1 include, one per line, sorted
includes_of() {
	find "$1" -name '*.[ch]' -exec grep -h '^#include "' {} + 2>/dev/null |
		sed 's/^#include "\([^/"]*\)\/.*/\1/' | grep -v '^#include' |
		sort -u | grep -vx "$(basename "$1")" || true
}

if [ $# -eq 1 ]; then
	dir=src/$1
	[ -d "$dir" ] || dir=$1
	[ -d "$dir" ] || { echo "include-graph: no module '$1' (try: $(modules | tr '\n' ' '))" >&2; exit 2; }
	for f in $(find "$dir" -name '*.[ch]' | sort); do
		printf '%s -> %s\n' "$f" "$(grep -h '^#include "' "$f" | sed 's/^#include "\(.*\)"/\1/' | tr '\n' ' ')"
	done
	exit 0
fi
for m in $(modules); do
	printf '%-14s -> %s\n' "$m" "$(includes_of "$m" | tr '\n' ' ')"
done
