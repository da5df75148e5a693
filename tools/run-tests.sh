#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Runs the whole suite in stages: every test of the release build (unit,
# integration, end to end), the unit suites and the tests that run
# spillway on pcap files and drive its control server again under
# ASan+UBSan (meson suite "asan", test setup "asan"), the multi-threaded
# suites under ThreadSanitizer (suite and setup "tsan"), and each fuzz
# target (suite "fuzz") for SW_TEST_FUZZ_SECONDS (10 by default). Which
# tests make up a suite, and what they need built, is asked of meson
# (tests/meson.build and the files it includes are the one list).
#
# Each stage builds what it runs first (the sanitizer and fuzz stages'
# builds start early, in the background at the lowest CPU priority,
# while the release stage's tests run); a build that fails, a meson test
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

# suite DIR SUITE: meson is the one list of tests. Prints the targets
# (paths in DIR) that SUITE's tests need, then, on a second line, the
# names of those tests. SUITE "": every test but the fuzz targets.
suite() {
	/usr/bin/python3 - "$1" "$2" <<'PY'
import json, os, subprocess, sys
d, want_suite = sys.argv[1], sys.argv[2]
def intro(what):
    return json.loads(subprocess.run(["meson", "introspect", d, what],
                                     capture_output=True, text=True,
                                     check=True).stdout)
files = {t["id"]: t["filename"][0] for t in intro("--targets")}
names, deps = [], set()
for t in intro("--tests"):
    suites = [s.split(":")[-1] for s in t["suite"]]
    if want_suite in suites or (not want_suite and "fuzz" not in suites):
        names.append(t["name"])
        deps.update(t["depends"])
print(" ".join(sorted(os.path.relpath(files[i], d) for i in deps if i in files)))
print(" ".join(names))
PY
}

# prebuild DIR SUITE [DIR SUITE...]: build, one directory after the
# other, what each SUITE's tests need, touching DIR/runner-prebuilt when
# done (or failed). Run in the background at the lowest CPU priority
# while the release stage's tests run: most of those wait on timeouts
# and paced traffic with a CPU to spare, and the sanitizer and fuzz
# builds took minutes of their own between stages. Each stage still
# builds, a no-op then, and reports a failed build itself.
prebuild_pid=
# shellcheck disable=SC2317 # reached through stage's THEN, start_prebuild
prebuild() {
	local dir suite info
	while [ $# -ge 2 ]; do
		dir=$1 suite=$2
		shift 2
		if ninja -C "$dir" build.ninja >"$dir/runner-prebuild.log" 2>&1 &&
		   info=$(suite "$dir" "$suite"); then
			# shellcheck disable=SC2046 # target paths have no spaces
			ninja -C "$dir" $(echo "$info" | sed -n 1p) \
				>>"$dir/runner-prebuild.log" 2>&1
		fi
		touch "$dir/runner-prebuilt"
	done
}

# stage NAME DIR SUITE [SETUP [THEN]]: build what SUITE's tests need, run
# THEN (a command) once that is built, run the tests (with meson's test
# setup SETUP), and count; each test meson lists in the suite must have
# run.
stage() {
	local name=$1 dir=$2 want_suite=$3 setup=${4:-} then=${5:-} log rc
	local line counts=0 bad=0 info targets want args=()
	echo
	echo "== $name"
	# Two ninjas in one directory would trip over each other: the
	# prebuild of this one ends first.
	while [ -n "$prebuild_pid" ] && [ ! -e "$dir/runner-prebuilt" ] &&
	      kill -0 "$prebuild_pid" 2>/dev/null; do
		sleep 1
	done
	# meson names the log of a test setup after it.
	log=$dir/meson-logs/testlog${setup:+-$setup}.json
	rm -f "$log"
	# Reconfigure first if a meson.build changed since the last build:
	# introspection reads what the last configure wrote.
	if ! ninja -C "$dir" build.ninja >"$dir/runner-build.log" 2>&1; then
		tail -30 "$dir/runner-build.log"
		fail "$name: meson reconfigure failed (see $dir/runner-build.log)"
		return
	fi
	if ! info=$(suite "$dir" "$want_suite"); then
		fail "$name: meson introspect failed in $dir"
		return
	fi
	targets=$(echo "$info" | sed -n 1p)
	want=$(echo "$info" | sed -n 2p)
	[ -n "$want_suite" ] && args+=(--suite "$want_suite")
	[ -n "$setup" ] && args+=(--setup "$setup")
	# shellcheck disable=SC2086 # target paths have no spaces
	if ! ninja -C "$dir" $targets >"$dir/runner-build.log" 2>&1; then
		tail -30 "$dir/runner-build.log"
		fail "$name: build failed (see $dir/runner-build.log)"
		return
	fi
	[ -z "$then" ] || $then
	meson test -C "$dir" --no-rebuild --print-errorlogs "${args[@]}"
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
	done < <(count "$name" "$log" $want)
	[ $counts = 1 ] || fail "$name: could not read $log"
	if [ $rc -ne 0 ] && [ $bad = 0 ]; then
		fail "$name: meson test exited $rc"
	fi
}

export SW_TEST_FUZZ_SECONDS=${SW_TEST_FUZZ_SECONDS:-10}
start=$SECONDS

# shellcheck disable=SC2317 # stage's THEN below
start_prebuild() {
	rm -f "$asan/runner-prebuilt" "$tsan/runner-prebuilt" \
		"$fuzz/runner-prebuilt"
	(renice -n 19 -p "$BASHPID" >/dev/null
	 prebuild "$asan" asan "$tsan" tsan "$fuzz" fuzz) &
	prebuild_pid=$!
}
trap '[ -z "$prebuild_pid" ] || kill "$prebuild_pid" 2>/dev/null' EXIT

stage release "$build" "" "" start_prebuild
stage asan "$asan" asan asan
stage tsan "$tsan" tsan tsan
stage "fuzzing, ${SW_TEST_FUZZ_SECONDS} s a target" "$fuzz" fuzz

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
