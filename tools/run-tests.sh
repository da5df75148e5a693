#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Runs the whole suite: every test of the release build (unit,
# integration, end to end), the unit tests again under ASan+UBSan, the
# multi-threaded suites under ThreadSanitizer, and each fuzz target for
# 20 seconds. Ends with a "N passed, N failed" line and a non-zero exit
# if anything failed.
#
# usage: run-tests.sh BUILD ASAN_BUILD TSAN_BUILD FUZZ_BUILD
set -uo pipefail

build=${1:-build}
asan=${2:-build-asan}
tsan=${3:-build-tsan}
fuzz=${4:-build-fuzz}
passed=0
failed=0

count() {	# count TESTLOG_JSON
	passed=$((passed + $(grep -c '"result": "OK"' "$1")))
	failed=$((failed + $(grep -c '"result": "\(FAIL\|TIMEOUT\|ERROR\|UNEXPECTEDPASS\)"' "$1")))
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$(pwd)/tests/tsan.supp"

echo "== release build: unit, integration, end to end"
meson test -C "$build" --print-errorlogs
count "$build/meson-logs/testlog.json"

echo "== ASan+UBSan: unit"
meson test -C "$asan" --print-errorlogs --suite unit
count "$asan/meson-logs/testlog.json"

echo "== ThreadSanitizer: the multi-threaded suites"
meson test -C "$tsan" --print-errorlogs --no-rebuild flowtable acl
count "$tsan/meson-logs/testlog.json"

echo "== fuzzing, 20 s a target"
if tools/run-fuzz.sh "$fuzz" 20; then
	passed=$((passed + 4))
else
	failed=$((failed + 1))
fi

echo
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
