#!/bin/sh
# build-wrong.sh: builds one plausible wrong lab solution for the grader's
# tests (src/tests/test_grade.c), which require `make grade` to fail it.
#
#   sh scripts/build-wrong.sh PATCH OUT "CC CFLAGS" "LDFLAGS LIBS" OBJ...
#
# PATCH (src/tests/wrong/NAME.patch) is a unified diff against the
# reference solutions: a few lines saying what is wrong, a line
# "Reference: src/servers/V.c" naming the server it starts from, then the
# diff of that file and/or of core files. The patched files are compiled
# from OUT.d/ (the reference from src/ if unpatched); a patched core file
# replaces the object of the same name among OBJ. A patch that no longer
# applies (the reference changed) fails the build, loudly: update it.
set -eu

patch_file=$1 out=$2 cc=$3 ld=$4
shift 4
command -v patch >/dev/null || { echo "build-wrong.sh: 'patch' is not installed (apt-get install patch)" >&2; exit 1; }
dir=$out.d
rm -rf "$dir"
files=$(sed -n 's|^+++ b/\([^	 ]*\).*|\1|p' "$patch_file")
ref=$(sed -n 's|^Reference: \(src/servers/[a-z]*\.c\)$|\1|p' "$patch_file")
[ -n "$files" ] || { echo "build-wrong.sh: $patch_file changes no file" >&2; exit 1; }
[ -n "$ref" ] || { echo "build-wrong.sh: $patch_file has no 'Reference: src/servers/V.c' line" >&2; exit 1; }
for f in $files; do
	mkdir -p "$dir/$(dirname "$f")"
	cp "$f" "$dir/$f"
done
if ! patch -s -p1 -d "$dir" <"$patch_file" >"$dir.log" 2>&1; then
	echo "build-wrong.sh: $patch_file no longer applies to the reference:" >&2
	cat "$dir.log" >&2
	exit 1
fi
objs=
for o in "$@"; do		# the core objects the patch does not replace
	case " $files " in
	*" src/core/$(basename "$o" .o).c "*) ;;
	*) objs="$objs $o" ;;
	esac
done
new=
case " $files " in
*" $ref "*) ;;
*)	$cc -c "$ref" -o "$dir/reference.o"	# shellcheck disable=SC2086
	new="$dir/reference.o" ;;
esac
for f in $files; do
	# shellcheck disable=SC2086 # cc and ld are word lists
	$cc -c "$dir/$f" -o "$dir/$f.o"
	new="$new $dir/$f.o"
done
# shellcheck disable=SC2086
$cc $new $objs $ld -o "$out"
