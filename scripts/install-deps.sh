#!/bin/sh
# install-deps.sh: install the Debian packages sendlab needs, if any are missing.
#
# Run by `make` before the first build (and by .ci/run), so `make test` and
# `make experiment` work on a fresh Debian or Ubuntu machine. With the
# argument `fuzz` (run by `make fuzz`) it also installs clang and its
# libFuzzer runtime; nothing else needs them. With `valgrind` (run by
# `make test-valgrind`) it installs valgrind; with `browser` (run by
# .ci/run), chromium-headless-shell for the live view's test. Installs with
# apt-get as root, or through sudo otherwise; says clearly what to do when
# neither is possible. Does nothing (quickly) when everything is installed.
set -eu

# libwebsockets-dev: the server and client library (LEJP JSON parser built in)
# check:             the unit-test framework      gnuplot-nox: every plot
# pkg-config, gcc, make, libc6-dev: the build     procps: ps/pgrep for scripts
# fonts-dejavu-core: text in the PNG plots
# patch: builds the wrong lab solutions the grader's tests must fail
# python3-websockets: the Python original (src/python/server.py, lab 07,
#                    make experiment's Python section); it brings python3
# ca-certificates:   the CA bundle build/wsprobe trusts for wss:// URLs
# openssl:           the self-signed certificate of wsprobe's TLS test
PACKAGES="libwebsockets-dev check gnuplot-nox pkg-config gcc make libc6-dev procps fonts-dejavu-core patch python3-websockets ca-certificates openssl"
# clang: the fuzz target (make fuzz). Its runtimes (libclang_rt.fuzzer,
# .asan, .ubsan_standalone) are in libclang-rt-14-dev, which clang only
# recommends, and recommends are not installed here; libclang-rt-dev pulls
# the one that matches the default clang.
FUZZ_PACKAGES="clang libclang-rt-dev"
# valgrind: make test-valgrind (memcheck under the abuse suite)
VALGRIND_PACKAGES="valgrind"
# chromium-headless-shell: the live view's test in a real browser
# (src/tests/test_browser.c); make test skips it, loudly, without one.
# Not needed for make demo: any browser will do.
BROWSER_PACKAGES="chromium-headless-shell"

case "${1:-}" in
"") ;;
fuzz) PACKAGES="$PACKAGES $FUZZ_PACKAGES" ;;
valgrind) PACKAGES="$PACKAGES $VALGRIND_PACKAGES" ;;
browser) PACKAGES="$PACKAGES $BROWSER_PACKAGES" ;;
*)
	echo "usage: install-deps.sh [fuzz|valgrind|browser]" >&2
	exit 2
	;;
esac

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

echo "sendlab: installing missing packages:$missing"
if ! command -v apt-get >/dev/null 2>&1; then
	echo "sendlab: apt-get not found: this is not a Debian-like system." >&2
	echo "sendlab: install the equivalents of:$missing, then run make again." >&2
	exit 1
fi
if [ "$(id -u)" -eq 0 ]; then
	run=""
elif command -v sudo >/dev/null 2>&1; then
	run="sudo"
	echo "sendlab: not root, using sudo (it may ask for your password)"
else
	echo "sendlab: need root to install:$missing" >&2
	echo "sendlab: run as root: apt-get install -y$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086 # word splitting of the package list is intended
if ! $run apt-get update -qq || ! $run apt-get install -y -qq --no-install-recommends $missing; then
	echo "sendlab: apt-get could not install:$missing" >&2
	echo "sendlab: check the network and your apt sources, then run make again." >&2
	exit 1
fi
