#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
#
# The demo: client and server namespaces bridged by spillway over
# net_af_packet on veth pairs, running the shipped config/spillway.conf.
# Sends ping (v4, v6) and an HTTP fetch across, shows the counters, and
# keeps a ping going until Ctrl-C (or --duration S). Cleans up on exit.
#
# usage: tools/demo.sh [--build DIR] [--duration S] [--config FILE]
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build=$top/build
duration=0
config=$top/config/spillway.conf
while [ $# -gt 0 ]; do
	case $1 in
	--build) build=$(cd "$2" && pwd); shift 2 ;;
	--duration) duration=$2; shift 2 ;;
	--config) config=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
	*) echo "usage: $0 [--build DIR] [--duration S] [--config FILE]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "demo: needs root (network namespaces)" >&2; exit 1; }

. "$top/tools/netns.sh"
log=$(mktemp /tmp/spillway-demo.XXXXXX)
# The CLI's unix socket, one per run (spillway makes the directory).
ctl=/run/spillway-demo-$SW_ID/control.sock
trap 'sw_topo_down; rm -rf "$log" "${ctl%/*}" "/var/run/dpdk/spillway-demo-$SW_ID"' EXIT
trap 'echo; echo "demo: stopping"; exit 0' INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "namespaces: $SW_CLI ($SW_CLI4) <-> $SW_FW (spillway) <-> $SW_SRV ($SW_SRV4)"
sw_topo_up

say "starting spillway -c ${config#$top/}"
# The file prefix is per run so a demo never collides with another DPDK
# process on this machine.
ip netns exec "$SW_FW" "$build/app/spillway" -c "$config" --stats 5 \
	--socket "$ctl" -- --file-prefix "spillway-demo-$SW_ID" >"$log" 2>&1 &
for _ in $(seq 100); do
	grep -q "running:" "$log" && break
	if ! ip netns pids "$SW_FW" | grep -q .; then
		cat "$log"; echo "demo: spillway did not start" >&2; exit 1
	fi
	sleep 0.1
done
grep -E "SPILLWAY|error" "$log" || true

say "ping $SW_SRV4 from the client (IPv4, across spillway)"
ip netns exec "$SW_CLI" ping -c 3 -i 0.2 -W 2 "$SW_SRV4"
say "ping $SW_SRV6 from the client (IPv6: neighbour discovery crosses too)"
ip netns exec "$SW_CLI" ping -6 -c 3 -i 0.2 -W 2 "$SW_SRV6"

say "TCP: HTTP server in $SW_SRV, fetched by the client"
mkdir -p /tmp/spillway-demo-www-$SW_ID
echo "hello from the server side of spillway" >/tmp/spillway-demo-www-$SW_ID/index.html
ip netns exec "$SW_SRV" /usr/bin/python3 -m http.server 8080 --bind "$SW_SRV4" \
	--directory /tmp/spillway-demo-www-$SW_ID >/dev/null 2>&1 &
trap 'sw_topo_down; rm -rf "$log" "${ctl%/*}" /tmp/spillway-demo-www-$SW_ID "/var/run/dpdk/spillway-demo-$SW_ID"' EXIT
for _ in $(seq 50); do
	ip netns exec "$SW_SRV" ss -ltn | grep -q ":8080" && break
	sleep 0.1
done
ip netns exec "$SW_CLI" curl -sS --max-time 5 "http://$SW_SRV4:8080/"

say "TCP to port 23: the rules say reject, so the client gets an RST at once"
start_ms=$(date +%s%3N)
if ip netns exec "$SW_CLI" curl -sS --max-time 3 "telnet://$SW_SRV4:23" </dev/null 2>&1; then
	echo "demo: port 23 was not refused" >&2; exit 1
fi
echo "  (refused after $(( $(date +%s%3N) - start_ms )) ms)"

say "TCP to port 9: no rule accepts it, so it is dropped (the client times out)"
if ip netns exec "$SW_CLI" curl -sS --max-time 1 "http://$SW_SRV4:9/" 2>&1; then
	echo "demo: port 9 was not dropped" >&2; exit 1
fi

cli() {	# cli COMMAND: one CLI command, as a script would send it
	printf '%s\nquit\n' "$1" | "$build/app/spillway" --cli --socket "$ctl" |
		sed -e '1,/^\.$/d' -e '/^bye$/,$d' -e '/^\.$/d'
}

say "the CLI (spillway --cli --socket $ctl): show flows"
cli "show flows"
say "the CLI: show flowtable"
cli "show flowtable"
say "the CLI: show rules"
cli "show rules"

if [ "$duration" != 0 ]; then
	say "running ${duration}s more with a ping a second"
else
	say "spillway is up; a ping a second crosses it. Ctrl-C to stop."
	echo "  the CLI, from another terminal: $build/app/spillway --cli --socket $ctl"
	echo "  (then: help, show stats, show flows, show rules, reload, ...)"
fi
ip netns exec "$SW_CLI" ping -i 1 -W 1 "$SW_SRV4" >/dev/null 2>&1 &
start=$SECONDS
tail -n 0 -f "$log" --pid=$$ | grep --line-buffered "^stats:" &
while [ "$duration" = 0 ] || [ $((SECONDS - start)) -lt "${duration%.*}" ]; do
	sleep 1
done
say "stopping"
pkill -TERM -f "spillway-demo-$SW_ID" || true
for _ in $(seq 50); do
	ip netns pids "$SW_FW" | grep -q . || break
	sleep 0.1
done
sed -n '/spillway: totals/,$p' "$log"
