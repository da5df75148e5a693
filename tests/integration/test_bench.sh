#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
#
# Benchmark smoke test: spillway-bench --quick --json and
# spillway-acl-bench run to the end, their output is what they say it
# is (one JSON object per scenario with every field; a line per rule
# set size and family), and their own sanity checks pass (exit 0: a
# scenario that did not do what it measures fails them). The figures
# are printed, never asserted: tests never assert on time.
#
# usage: test_bench.sh SPILLWAY_BENCH SPILLWAY_ACL_BENCH
set -euo pipefail
bench=$1
acl_bench=$2
work=$(mktemp -d /tmp/sw-bench-test.XXXXXX)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do
		rm -rf "/var/run/dpdk/sw-bench-$p" "/var/run/dpdk/sw-acl-bench-$p"
	done
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

# spillway-bench ARGS into $work/NAME.json, failing on its exit status.
# Each names its EAL file prefix after its pid: run in the background to
# know it, and remove the runtime directory afterwards.
run_bench() {
	local name=$1 rc=0
	shift
	"$bench" "$@" >"$work/$name.json" 2>"$work/$name.err" &
	pids+=($!)
	wait $! || rc=$?
	cat "$work/$name.err"
	[ $rc -eq 0 ] || fail "spillway-bench $* exited $rc"
}

run_bench bench --quick --json
/usr/bin/python3 - "$work/bench.json" <<'PY' || fail "spillway-bench --json output"
import json, sys
rows = json.load(open(sys.argv[1]))
want = {"scenario", "flows", "packets", "mpps", "cycles_per_packet", "ratio_to_floor",
        "bytes_per_flow", "connections_per_s"}
names = [r["scenario"] for r in rows]
assert names[0] == "floor" and {"established_1K", "established_64K", "lifecycle",
                                "flood_64K_earlydrop", "mixed"} <= set(names), names
for r in rows:
    assert want <= set(r), (r["scenario"], want - set(r))
    assert r["packets"] > 0 and r["cycles_per_packet"] > 0, r
    print("%-24s %8.2f Mpps %7.1f cycles/packet" % (r["scenario"], r["mpps"],
                                                     r["cycles_per_packet"]))
PY
echo "ok: spillway-bench --quick --json: ${#pids[@]} run, every scenario, sanity checks passed"

# Two workers on two lcores, each with its own table and ports, at once.
run_bench bench2 --quick --json --workers 2 --only established_1K
/usr/bin/python3 - "$work/bench2.json" <<'PY' || fail "spillway-bench --workers 2 output"
import json, sys
rows = json.load(open(sys.argv[1]))
assert [r["scenario"] for r in rows] == ["floor", "established_1K"], rows
for r in rows:
    assert r["workers"] == 2 and len(r["per_worker_mpps"]) == 2, r
    assert all(m > 0 for m in r["per_worker_mpps"]), r
    assert abs(sum(r["per_worker_mpps"]) - r["mpps"]) < 0.01, r
    print("%-24s %8.2f Mpps in all, per worker %s" % (r["scenario"], r["mpps"],
                                                      r["per_worker_mpps"]))
PY
echo "ok: spillway-bench --workers 2: both workers ran every scenario"

rc=0
"$acl_bench" --no-huge >"$work/acl.txt" 2>&1 &
pids+=($!)
wait $! || rc=$?
cat "$work/acl.txt"
[ $rc -eq 0 ] || fail "spillway-acl-bench exited $rc"
n=$(grep -cE "^IPv[46] +[0-9]+ rules .*build .* ms, classify .* cycles/packet" "$work/acl.txt" || true)
[ "$n" -eq 6 ] || fail "spillway-acl-bench: $n result lines, want 6"
echo "ok: spillway-acl-bench: 3 sizes x 2 families, sanity checks passed"
echo "bench smoke: all checks passed"
