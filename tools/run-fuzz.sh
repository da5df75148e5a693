#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Runs every libFuzzer target for SECONDS each, from a copy of its seed
# corpus (tests/fuzz/corpus/TARGET). A crash fails the run and leaves
# its input in BUILD/fuzz-artifacts/. Prints executions per target and
# a "N passed, N failed" line.
#
# usage: run-fuzz.sh BUILD_DIR SECONDS
set -uo pipefail
build=$1
secs=$2
top=$(cd "$(dirname "$0")/.." && pwd)
passed=0
failed=0
mkdir -p "$build/fuzz-artifacts"
for t in parse config cli path; do
	work=$(mktemp -d /tmp/sw-fuzz-$t.XXXXXX)
	cp -r "$top/tests/fuzz/corpus/$t/." "$work/" 2>/dev/null
	log=$build/fuzz-$t.log
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	"$build/tests/fuzz/fuzz_$t" -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$build/fuzz-artifacts/$t-" -max_len=4096 \
		-timeout=10 "$work" >"$log" 2>&1
	rc=$?
	execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$')
	cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
	if [ $rc -eq 0 ]; then
		passed=$((passed + 1))
		echo "fuzz $t: ok, ${execs:-?} executions in ${secs}s, $cov"
	else
		failed=$((failed + 1))
		echo "fuzz $t: FAILED (exit $rc), see $log and $build/fuzz-artifacts/"
		tail -30 "$log"
	fi
	rm -rf "$work"
done
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
