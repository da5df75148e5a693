#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
#
# Side by side, at full attack rate: hping3 --flood of SYNs from one
# spoofed address to the web port (tests/e2e/synproxy.py, part 2) while a
# client makes 200 paced connections (1 s time-out each) before, during
# and after it, against
#   - spillway, max_flows 1024, flowtable.synproxy "off" and "auto",
#   - a Linux router (nftables, the same policy), nf_conntrack_max 1024,
#     buckets = max and buckets at their default,
#   - Linux SYNPROXY as the nftables wiki sets it up (raw notrack of
#     the SYNs, "synproxy mss 1460 wscale 7 timestamp sack-perm").
# The same from random sources in 198.51.100.0/24 (agent.py synblast, as
# fast as hping3), where one source's quota cannot help. Then
# connection exhaustion from one source against spillway's
# per-source quota (part 3, 200 connections a phase). Each RUNS times
# (default 3). Prints one table; about 25 minutes; not part of
# `make test`, which runs a shortened flood.
#
# With --paced, also the older comparison (tests/e2e/flood.py): a paced
# 3,000 SYN/s flood and exhaustion without quotas, spillway beside
# Linux (about 7 minutes more).
#
# nf_conntrack_max and the bucket count are global (read-only inside a
# namespace): they are saved, set, and restored on exit, and a lock
# keeps two runs from overlapping.
#
# usage: tests/e2e/compare-kernel.sh [--paced] [BUILD_DIR]   (as root)
#        RUNS=1 tests/e2e/compare-kernel.sh                 (one run each)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
paced=0
[ "${1:-}" = --paced ] && { paced=1; shift; }
build=${1:-$top/build}
runs=${RUNS:-3}
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 1; }
for t in nft conntrack hping3; do
	command -v $t >/dev/null || {
		echo "needs nftables, conntrack and hping3 (apt-get install nftables conntrack hping3)"
		exit 1; }
done

exec 9>/run/spillway-compare-kernel.lock
flock -n 9 || { echo "another comparison is running"; exit 1; }
max=/proc/sys/net/netfilter/nf_conntrack_max
buckets=/sys/module/nf_conntrack/parameters/hashsize
saved_max=$(cat $max)
saved_buckets=$(cat $buckets)
work=$(mktemp -d /tmp/sw-compare.XXXXXX)
restore() {
	echo "$saved_buckets" >$buckets || true
	echo "$saved_max" >$max || true
	rm -rf "$work"
}
trap restore EXIT

px="/usr/bin/python3 $top/tests/e2e/synproxy.py"
flood="--parts 2 --phase 200 --flood-seconds 14"
show() { grep -E "legit|flood:|spoofed|CLI|engaged|FAIL" || true; }
# A run with a failed check still reports: the table says what failed.

for r in $(seq "$runs"); do
	echo "== run $r: spillway, synproxy off"
	$px "$build/app/spillway" $flood --mode off --json "$work/off.$r.json" | show || true
	echo "== run $r: spillway, synproxy auto"
	$px "$build/app/spillway" $flood --mode auto --json "$work/auto.$r.json" | show || true
	echo "== run $r: Linux conntrack, nf_conntrack_max 1024, buckets 1024"
	echo 1024 >$buckets; echo 1024 >$max
	$px --fw linux $flood --json "$work/linux.$r.json" | show || true
	echo "== run $r: Linux conntrack, nf_conntrack_max 1024, buckets $saved_buckets"
	echo "$saved_buckets" >$buckets; echo 1024 >$max
	$px --fw linux $flood --json "$work/linuxdef.$r.json" | show || true
	echo "== run $r: Linux SYNPROXY, nf_conntrack_max 1024, buckets 1024"
	echo 1024 >$buckets; echo 1024 >$max
	$px --fw linux-synproxy $flood --json "$work/linuxpx.$r.json" | show || true
	echo "== run $r: random sources: spillway, synproxy auto"
	$px "$build/app/spillway" $flood --rand-source --mode auto --json "$work/rauto.$r.json" | show || true
	echo "== run $r: random sources: Linux conntrack, buckets = max = 1024"
	echo 1024 >$buckets; echo 1024 >$max
	$px --fw linux $flood --rand-source --json "$work/rlinux.$r.json" | show || true
	echo "== run $r: random sources: Linux SYNPROXY"
	$px --fw linux-synproxy $flood --rand-source --json "$work/rlinuxpx.$r.json" | show || true
	echo "== run $r: spillway, exhaustion from one source, per-source quota 32"
	$px "$build/app/spillway" --parts 3 --phase 200 --json "$work/quota.$r.json" | show || true
done

/usr/bin/python3 - "$work" "$runs" "$saved_buckets" <<'PY'
import json, sys
work, runs, b = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def load(tag):
    out = []
    for r in range(1, runs + 1):
        try:
            out.append(json.load(open("%s/%s.%d.json" % (work, tag, r))))
        except (OSError, ValueError):
            out.append({})
    return out

def col(runs_, f):
    return ", ".join(str(f(d)) if d else "-" for d in runs_)

def phase(d, i):
    p = d.get("phases", [])
    return "%d" % p[i]["ok"] if len(p) > i else "-"

print()
print("Full-rate flood: hping3 -S -p 80 -a 198.51.100.77 --flood (random "
      "sources: 198.51.100.0/24, as fast as one core sends), 200 paced "
      "connections a phase (1 s time-out each), table of 1,024; %d runs "
      "(values per run)." % runs)
print()
print("| firewall | legit before /200 | during | after | spoofed SYNs at the "
      "server | table peak | CLI p99 ms | lost before the firewall | SYNs sent/s |")
print("|---|---|---|---|---|---|---|---|---|")
for name, tag in (("spillway, synproxy off", "off"),
                  ("spillway, synproxy auto", "auto"),
                  ("Linux conntrack, buckets = max = 1024", "linux"),
                  ("Linux conntrack, max 1024, buckets %s" % b, "linuxdef"),
                  ("Linux SYNPROXY, max = buckets = 1024", "linuxpx"),
                  ("random sources: spillway, synproxy auto", "rauto"),
                  ("random sources: Linux conntrack, buckets = max = 1024", "rlinux"),
                  ("random sources: Linux SYNPROXY", "rlinuxpx")):
    rs = [d.get("flood", {}) for d in load(tag)]
    print("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
        name, col(rs, lambda d: phase(d, 0)), col(rs, lambda d: phase(d, 1)),
        col(rs, lambda d: phase(d, 2)), col(rs, lambda d: d.get("spoofed_at_server")),
        col(rs, lambda d: d.get("peak_flows")),
        col(rs, lambda d: d.get("cli", {}).get("p99_ms")),
        col(rs, lambda d: d.get("lost")), col(rs, lambda d: d.get("sent_per_s"))))
print()
print("Exhaustion from one source (real connections held open), "
      "per_source.max_flows = 32, 200 connections a phase:")
print()
print("| firewall | legit before /200 | during | after | the source's peak flows | refused over quota |")
print("|---|---|---|---|---|---|")
rs = [d.get("exhaustion", {}) for d in load("quota")]
print("| spillway, quota 32 | %s | %s | %s | %s | %s |" % (
    col(rs, lambda d: phase(d, 0)), col(rs, lambda d: phase(d, 1)),
    col(rs, lambda d: phase(d, 2)), col(rs, lambda d: d.get("peak_source")),
    col(rs, lambda d: d.get("source_over"))))
PY

[ "$paced" = 1 ] || exit 0

# The paced comparison: flood.py, spillway beside Linux.
echo "== spillway (max_flows 1024)"
/usr/bin/python3 "$top/tests/e2e/flood.py" "$build/app/spillway" \
	--json "$work/spillway.json" | grep -E "legit|FAIL|checks" || true

echo "$saved_buckets" >$buckets
echo 1024 >$max
echo "== Linux nftables, nf_conntrack_max 1024, buckets $saved_buckets"
/usr/bin/python3 "$top/tests/e2e/flood.py" --fw kernel \
	--json "$work/kernel.json" | grep -E "legit" || true

echo 1024 >$buckets
echo 1024 >$max
echo "== Linux nftables, nf_conntrack_max 1024, buckets 1024"
/usr/bin/python3 "$top/tests/e2e/flood.py" --fw kernel \
	--json "$work/kernel1024.json" | grep -E "legit" || true

# "legit" counts connections that lost nothing (no segment sent twice):
# a dropped SYN costs a client a second whatever the deadline.
/usr/bin/python3 - "$work" "$saved_buckets" <<'PY'
import json, sys
work, b = sys.argv[1], sys.argv[2]
rows = [("spillway, max_flows 1024", "spillway.json"),
        ("Linux, conntrack_max 1024, buckets %s" % b, "kernel.json"),
        ("Linux, conntrack_max 1024, buckets 1024", "kernel1024.json")]
print()
print("| firewall | attack | legit before | during | after | recovered after (s) "
      "| peak table | drops | early drops | insert failures | fallback decisions |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for name, f in rows:
    try:
        d = json.load(open("%s/%s" % (work, f)))
    except (OSError, ValueError):
        print("| %s | (no result) |" % name)
        continue
    for key, att in (("synflood", "syn flood"), ("exhaustion", "exhaustion")):
        ph = {p["phase"]: p for p in d["phases"] if p["attack"] == att}
        s = d.get(key, {})
        rec = ph.get("after", {}).get("recover_s")
        print("| %s | %s | %s/%s | %s/%s | %s/%s | %s | %s | %s | %s | %s | %s |" % (
            name, att,
            ph["before"]["clean"], ph["before"]["tried"], ph["during"]["clean"],
            ph["during"]["tried"], ph["after"]["clean"], ph["after"]["tried"],
            "0" if rec == 0 else (rec if rec is not None else "not within the phase"),
            s.get("peak_flows", "?"), s.get("drops", "?"), s.get("early_drops", "?"),
            s.get("insert_failed", "?"),
            s.get("fallback_accept", "?") if "spillway" in name else "n/a"))
PY
