#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Runs one libFuzzer target for SW_TEST_FUZZ_SECONDS (10 by default) from
# a copy of its seed corpus; a crash exits non-zero and leaves its input
# at ARTIFACT_PREFIX*. tests/fuzz/meson.build registers each target as a
# meson test of suite "fuzz" that runs this script.
#
# usage: run-fuzz.sh TARGET CORPUS_DIR ARTIFACT_PREFIX
set -uo pipefail
target=$1
corpus=$2
artifacts=$3
secs=${SW_TEST_FUZZ_SECONDS:-10}
name=$(basename "$target")
work=$(mktemp -d "/tmp/sw-$name.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$(dirname "$artifacts")"
cp -r "$corpus/." "$work/" 2>/dev/null
ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
"$target" -max_total_time="$secs" -print_final_stats=1 \
	-artifact_prefix="$artifacts" -max_len=4096 -timeout=10 "$work" \
	>"$work.log" 2>&1
rc=$?
execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work.log" |
	grep -o '[0-9]*$')
cov=$(grep -o 'cov: [0-9]*' "$work.log" | tail -1)
if [ $rc -eq 0 ]; then
	echo "$name: ok, ${execs:-?} executions in ${secs}s, $cov"
else
	echo "$name: FAILED (exit $rc), input in ${artifacts}*"
	tail -40 "$work.log"
fi
rm -f "$work.log"
# A crash is a failure, whatever libFuzzer's status (77 would read as a
# skip to meson).
[ $rc -eq 0 ] || exit 1
