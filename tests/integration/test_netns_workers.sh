#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
#
# Two workers (lcores 1 and 2 share a CPU through --lcores), two queue
# pairs per net_af_packet port: the kernel's fanout hash is symmetric, so
# both directions of every connection must meet in one worker's shard.
# If they did not, a SYN/ACK would miss its flow (invalid, or a second
# insert) and no flow would become assured.
#
# usage: test_netns_workers.sh SPILLWAY_BINARY
set -euo pipefail
bin=$1
top=$(cd "$(dirname "$0")/../.." && pwd)
export SW_ID=w$$
. "$top/tools/netns.sh"
work=$(mktemp -d /tmp/sw-workers.XXXXXX)
trap 'sw_topo_down; rm -rf "$work" "/var/run/dpdk/swt-workers-$$"' EXIT
[ "$(id -u)" = 0 ] || { echo "needs root"; exit 77; }

fail() { echo "FAIL: $*"; exit 1; }
sw_topo_up
cat >"$work/sw.conf" <<CONF
eal = ["--lcores", "0@0,1@1,2@1", "--no-huge", "-m", "256", "--no-telemetry",
       "--file-prefix", "swt-workers-$$"];
ports = ( { name = "outside"; dev = "net_af_packet0,iface=sw-out,qpairs=2"; },
          { name = "inside";  dev = "net_af_packet1,iface=sw-in,qpairs=2"; } );
workers = { lcores = [1, 2]; };
control = { socket = "$work/ctl.sock"; };
flowtable = { max_flows = 4096; };
rules = {
  policy = ( { in = "outside"; proto = "tcp"; dport = 8080; action = "accept"; },
             { in = "outside"; proto = "icmp"; icmp_type = 8; action = "accept"; } );
};
CONF
ip netns exec "$SW_FW" "$bin" -c "$work/sw.conf" --dump-flows >"$work/log" 2>&1 &
pid=$!	# ip netns exec execs spillway: same pid
for _ in $(seq 100); do
	grep -q "running:" "$work/log" && break
	sleep 0.1
done
grep -q "running:" "$work/log" || { cat "$work/log"; exit 1; }

mkdir -p "$work/www" && echo hello >"$work/www/index.html"
ip netns exec "$SW_SRV" /usr/bin/python3 -m http.server 8080 --bind "$SW_SRV4" \
	--directory "$work/www" >/dev/null 2>&1 &
for _ in $(seq 50); do
	ip netns exec "$SW_SRV" ss -ltn | grep -q ":8080" && break
	sleep 0.1
done
ip netns exec "$SW_CLI" ping -c 2 -i 0.2 -W 2 "$SW_SRV4" >/dev/null
n=24
for i in $(seq $n); do
	ip netns exec "$SW_CLI" curl -sS --max-time 5 "http://$SW_SRV4:8080/" >/dev/null
done
kill -TERM "$pid"
wait "$pid" || fail "spillway exited $?"
cat "$work/log" | grep -v "^EAL"

val() { awk -v k="$1" '$1 == k { print $2 }' "$work/log"; }
flows=$(grep -c "^flow: tcp .*dport=8080" "$work/log" || true)
assured=$(grep "^flow: tcp .*dport=8080" "$work/log" | grep -c "\[ASSURED\]" || true)
[ "$flows" -eq "$n" ] || fail "$flows TCP flows listed, $n connections made"
[ "$assured" -eq "$n" ] || fail "only $assured of $n flows assured"
echo "ok: $n connections, $n flows, all assured"
[ "$(val invalid)" -eq 0 ] || fail "invalid=$(val invalid): a direction missed its shard"
echo "ok: no invalid packet"
[ "$(val inserts)" -eq $((n + 1)) ] || fail "inserts=$(val inserts), want $((n + 1)) (24 TCP + 1 ping)"
echo "ok: each flow inserted once"
shard_inserts() { grep "flowtable shard $1:" "$work/log" | grep -o " inserts=[0-9]*" | cut -d= -f2; }
s0=$(shard_inserts 0)
s1=$(shard_inserts 1)
{ [ "$s0" -gt 0 ] && [ "$s1" -gt 0 ]; } || fail "one shard unused (inserts $s0 / $s1)"
echo "ok: both workers' shards took flows ($s0 and $s1)"
echo "netns workers: all checks passed"
