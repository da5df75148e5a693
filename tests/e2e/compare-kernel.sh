#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
#
# Side by side: the same two attacks (spoofed SYN flood, connection
# exhaustion), each while a client makes 200 paced connections before,
# during and after, against
#   - spillway (max_flows 1024),
#   - Linux: a router namespace with nftables stateful rules (the same
#     policy), nf_conntrack_max = 1024, conntrack buckets at their
#     default (262144 here),
#   - Linux again with nf_conntrack_buckets = nf_conntrack_max = 1024,
#     where its early drop does find spoofed half-open entries.
# Prints one table. About 7 minutes; not part of `make test`.
#
# nf_conntrack_max and the bucket count are global (read-only inside a
# namespace): they are saved, set, and restored on exit, and a lock
# keeps two runs from overlapping.
#
# usage: tests/e2e/compare-kernel.sh [BUILD_DIR]     (as root)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$top/build}
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 1; }
command -v nft >/dev/null && command -v conntrack >/dev/null || {
	echo "needs nftables and conntrack (apt-get install nftables conntrack)"; exit 1; }

exec 9>/run/spillway-compare-kernel.lock
flock -n 9 || { echo "another comparison is running"; exit 1; }
modprobe nf_conntrack 2>/dev/null || true
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

echo "== spillway (max_flows 1024)"
/usr/bin/python3 "$top/tests/e2e/flood.py" "$build/app/spillway" \
	--json "$work/spillway.json" | grep -E "legit|FAIL|checks" || true

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
