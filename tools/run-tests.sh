#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Runs the whole suite: every test of the release build (unit and
# integration), then the unit tests again under ASan+UBSan. Ends with a
# "N passed, N failed" line and a non-zero exit if anything failed.
set -uo pipefail

build=${1:-build}
asan=${2:-build-asan}
passed=0
failed=0

run() {	# run DIR [meson test args...]
	local dir=$1 log
	shift
	meson test -C "$dir" --print-errorlogs "$@"
	log=$dir/meson-logs/testlog.json
	passed=$((passed + $(grep -c '"result": "OK"' "$log")))
	failed=$((failed + $(grep -c '"result": "\(FAIL\|TIMEOUT\|ERROR\|UNEXPECTEDPASS\)"' "$log")))
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

run "$build"
run "$asan" --suite unit

echo
echo "spillway tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
