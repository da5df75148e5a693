#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Runs the whole suite in stages: every test of the release build (unit,
# integration, end to end), the unit suites and the tests that run
# spillway on pcap files and drive its control server again under
# ASan+UBSan (meson suite "asan"), the multi-threaded suites under
# ThreadSanitizer, and each fuzz target for SW_TEST_FUZZ_SECONDS (20 by
# default).
#
# Each stage builds what it runs first; a build that fails, a meson test
# that exits non-zero, a test log that is missing afterwards (stale logs
# are removed before each stage), a failed, timed-out or skipped test
# and a crashing fuzz target are each a failure. A skip is a failure
# when run as root (CI is root): every test can run there. The last line
# reads "spillway tests: N passed, N failed, N skipped" and names what
# failed; the exit status is non-zero if anything did.
#
# usage: run-tests.sh BUILD ASAN_BUILD TSAN_BUILD FUZZ_BUILD
set -uo pipefail

build=${1:-build}
asan=${2:-build-asan}
tsan=${3:-build-tsan}
fuzz=${4:-build-fuzz}
fuzz_seconds=${SW_TEST_FUZZ_SECONDS:-20}
top=$(cd "$(dirname "$0")/.." && pwd)
passed=0
failed=0
skipped=0
failures=()
as_root=false
[ "$(id -u)" = 0 ] && as_root=true

fail() {	# fail WHAT: one failure, named in the last line
	failed=$((failed + 1))
	failures+=("$1")
	echo "runner: FAILED: $1"
}

# count STAGE TESTLOG_JSON [WANT...]: add its results; print the name of
# each test that did not pass, and of each wanted test that did not run
# (meson test silently ignores a test name it does not know). Prints
# "passed failed skipped" on the last line for the caller.
count() {
	/usr/bin/python3 - "$@" <<'PY'
import json, sys
stage, path, want = sys.argv[1], sys.argv[2], set(sys.argv[3:])
ok = bad = skip = 0
for line in open(path):
    line = line.strip()
    if not line:
        continue
    t = json.loads(line)
    name = t["name"].split(" / ")[-1]
    want.discard(name)
    r = t["result"]
    if r in ("OK", "EXPECTEDFAIL"):
        ok += 1
    elif r == "SKIP":
        skip += 1
        print("skip %s/%s" % (stage, name))
    else:
        bad += 1
        print("fail %s/%s (%s)" % (stage, name, r))
for name in sorted(want):
    bad += 1
    print("fail %s/%s (did not run)" % (stage, name))
print("%d %d %d" % (ok, bad, skip))
PY
}

# stage NAME DIR BUILD_TARGETS -- MESON_TEST_ARGS...
# With WANT="test ..." set, each of those tests must have run.
stage() {
	local name=$1 dir=$2 targets=() log rc line counts=0 bad=0
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do
		targets+=("$1")
		shift
	done
	shift
	echo
	echo "== $name"
	log=$dir/meson-logs/testlog.json
	rm -f "$log"
	if ! ninja -C "$dir" "${targets[@]}" >"$dir/runner-build.log" 2>&1; then
		tail -30 "$dir/runner-build.log"
		fail "$name: build failed (see $dir/runner-build.log)"
		return
	fi
	meson test -C "$dir" --no-rebuild --print-errorlogs "$@"
	rc=$?
	if [ ! -s "$log" ]; then
		fail "$name: meson test wrote no log (exit $rc)"
		return
	fi
	while read -r line; do
		case $line in
		"skip "*)
			skipped=$((skipped + 1))
			if $as_root; then
				fail "${line#skip } skipped as root"
				bad=1
			fi ;;
		"fail "*)
			fail "${line#fail }"
			bad=1 ;;
		*)
			set -- $line
			passed=$((passed + $1))
			counts=1 ;;
		esac
	done < <(count "$name" "$log" ${WANT:-})
	[ $counts = 1 ] || fail "$name: could not read $log"
	if [ $rc -ne 0 ] && [ $bad = 0 ]; then
		fail "$name: meson test exited $rc"
	fi
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$(pwd)/tests/tsan.supp"
start=$SECONDS

stage release "$build" --
WANT="parse config acl flowtable cli frag atomicfile port pcap-forward
	pcap-rules flows pcap-filter control" stage asan "$asan" -- --suite asan -t 3
WANT="flowtable acl" \
	stage tsan "$tsan" tests/test_flowtable tests/test_acl -- flowtable acl

echo
echo "== fuzzing, ${fuzz_seconds} s a target"
fuzz_targets=(tests/fuzz/fuzz_parse tests/fuzz/fuzz_config tests/fuzz/fuzz_cli
	tests/fuzz/fuzz_path)
if ! ninja -C "$fuzz" "${fuzz_targets[@]}" >"$fuzz/runner-build.log" 2>&1; then
	tail -30 "$fuzz/runner-build.log"
	fail "fuzz: build failed (see $fuzz/runner-build.log)"
else
	out=$("$top/tools/run-fuzz.sh" "$fuzz" "$fuzz_seconds")
	rc=$?
	echo "$out"
	n=0
	while read -r t res; do
		n=$((n + 1))
		case $res in
		ok,*) passed=$((passed + 1)) ;;
		*) fail "fuzz/$t (${res%%,*})" ;;
		esac
	done < <(echo "$out" | sed -n 's/^fuzz \([a-z_]*\): \([A-Za-z]*\).*/\1 \2,/p')
	[ $n -eq ${#fuzz_targets[@]} ] ||
		fail "fuzz: $n of ${#fuzz_targets[@]} targets reported"
	if [ $rc -ne 0 ] && [ $n -eq ${#fuzz_targets[@]} ] &&
	   ! echo "$out" | grep -q ": FAILED"; then
		fail "fuzz: run-fuzz.sh exited $rc"
	fi
fi

echo
echo "runner: $((SECONDS - start)) s"
if [ $failed -eq 0 ]; then
	echo "spillway tests: $passed passed, $failed failed, $skipped skipped"
	exit 0
fi
list=$(printf '%s; ' "${failures[@]}")
echo "spillway tests: $passed passed, $failed failed, $skipped skipped;" \
	"FAILED: ${list%; }"
exit 1
