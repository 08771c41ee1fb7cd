#!/bin/sh
# words.sh: how many words the project's prose holds, against its budget.
#
# Prints the word count (wc -w) of README.md, of each docs/*.md and of
# each labs/**/*.md, then the total of docs/ and labs/ together (the
# README is counted apart). Exits 1, saying why, if docs/ and labs/
# together exceed their budget or the .md files of any one lab directory
# (labs/NN-name/, everything under it) exceed 1500; 0 otherwise.
#
# The budget: 15000 words for docs/ and labs 01-06 (what they held under
# when the labs were rewritten), plus 1500 for each lab added since
# (labs/07-* and up): its README and its answers in the instructor guide.
#
# Usage: sh scripts/words.sh   (from anywhere; it reads the repository it
# lives in)
set -eu

TOTAL_BASE=15000
LAB_MAX=1500

cd "$(dirname "$0")/.."

words() { wc -w < "$1" | awk '{ print $1 }'; }

printf '%7d  %s\n' "$(words README.md)" README.md

total=0
for f in docs/*.md; do
	[ -f "$f" ] || continue
	n=$(words "$f")
	printf '%7d  %s\n' "$n" "$f"
	total=$((total + n))
done

fail=0
for f in $(find labs -name '*.md' -type f | LC_ALL=C sort); do
	n=$(words "$f")
	printf '%7d  %s\n' "$n" "$f"
	total=$((total + n))
done

# one line per lab directory: its .md files' words together
for d in labs/*/; do
	[ -d "$d" ] || continue
	d=${d%/}
	n=0
	for f in $(find "$d" -name '*.md' -type f); do
		n=$((n + $(words "$f")))
	done
	printf '%7d  %s/ (all .md files)\n' "$n" "$d"
	if [ "$n" -gt "$LAB_MAX" ]; then
		echo "words.sh: $d/ has $n words in its .md files, over the $LAB_MAX a lab may have" >&2
		fail=1
	fi
done

# labs added after the first six each bring their own allowance
added=0
for d in labs/[0-9][0-9]-*/; do
	[ -d "$d" ] || continue
	num=$(basename "$d" | cut -c1-2)
	[ "$num" -ge 7 ] 2>/dev/null && added=$((added + 1))
done
TOTAL_MAX=$((TOTAL_BASE + LAB_MAX * added))

printf '%7d  total of docs/ and labs/ (README.md apart), budget %d\n' "$total" "$TOTAL_MAX"
if [ "$total" -gt "$TOTAL_MAX" ]; then
	echo "words.sh: docs/ and labs/ hold $total words, over the budget of $TOTAL_MAX" >&2
	fail=1
fi
exit "$fail"
