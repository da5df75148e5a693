#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
#
# The demo: client and server namespaces bridged by spillway over
# net_af_packet on veth pairs, running the shipped config/spillway.conf.
# Sends ping (v4, v6) and an HTTP fetch across, shows a reject and a
# drop, the CLI and the counters, a short SYN flood from a spoofed
# address (the quota holds it, the SYN proxy engages, the page still
# loads), and keeps a ping going until Ctrl-C
# (or --duration S). Everything it shows it also checks: it exits 1
# ("demo: FAILED: ...") if a step does not behave as the README says,
# and 0 only when spillway stopped cleanly (exit 0, totals printed).
# Cleans up on exit.
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
trap 'echo; echo "demo: stopping"; stop_spillway; exit 0' INT TERM

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
demo_fail() { echo "demo: FAILED: $*" >&2; exit 1; }
sw_pid=

# Stop spillway as an admin would (SIGTERM; Ctrl-C sends it SIGINT),
# and insist on a clean exit with its totals.
stop_spillway() {
	local rc=0
	[ -n "$sw_pid" ] || return 0
	kill -TERM "$sw_pid" 2>/dev/null || true
	wait "$sw_pid" || rc=$?
	sw_pid=
	sed -n '/spillway: totals/,$p' "$log"
	[ "$rc" -eq 0 ] || demo_fail "spillway exited $rc"
	grep -q "spillway: totals" "$log" || demo_fail "spillway printed no totals"
	echo "demo: spillway stopped cleanly (exit 0)"
}

say "namespaces: $SW_CLI ($SW_CLI4) <-> $SW_FW (spillway) <-> $SW_SRV ($SW_SRV4)"
sw_topo_up

say "starting spillway -c ${config#$top/}"
# The file prefix is per run so a demo never collides with another DPDK
# process on this machine.
ip netns exec "$SW_FW" "$build/app/spillway" -c "$config" --stats 5 \
	--socket "$ctl" -- --file-prefix "spillway-demo-$SW_ID" >"$log" 2>&1 &
sw_pid=$!	# ip netns exec execs spillway: the same process
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
page=$(ip netns exec "$SW_CLI" curl -sS --max-time 5 "http://$SW_SRV4:8080/")
echo "$page"
[ "$page" = "hello from the server side of spillway" ] || demo_fail "HTTP fetch"

# curl_rc ARGS...: curl's exit status (7: refused, 28: timed out).
curl_rc() {
	local rc=0
	ip netns exec "$SW_CLI" curl -sS "$@" </dev/null 2>&1 || rc=$?
	return $rc
}

say "TCP to port 23: the rules say reject, so the client gets an RST at once"
start_ms=$(date +%s%3N)
rc=0
curl_rc --max-time 3 "telnet://$SW_SRV4:23" || rc=$?
ms=$(( $(date +%s%3N) - start_ms ))
echo "  (curl exit $rc after $ms ms)"
[ "$rc" -eq 7 ] && [ "$ms" -lt 2000 ] ||
	demo_fail "port 23: want an RST at once (curl exit 7), got exit $rc after $ms ms"

say "TCP to port 9: no rule accepts it, so it is dropped (the client times out)"
rc=0
curl_rc --max-time 1 "http://$SW_SRV4:9/" || rc=$?
echo "  (curl exit $rc)"
[ "$rc" -eq 28 ] || demo_fail "port 9: want a time-out (curl exit 28), got exit $rc"

cli() {	# cli COMMAND: one CLI command, as a script would send it
	printf '%s\nquit\n' "$1" | "$build/app/spillway" --cli --socket "$ctl" |
		sed -e '1,/^\.$/d' -e '/^bye$/,$d' -e '/^\.$/d'
}
# show COMMAND REGEX WHAT: print the reply; it must match REGEX.
show() {
	local out
	out=$(cli "$1")
	echo "$out"
	grep -qE -- "$2" <<<"$out" || demo_fail "$1: $3"
}

say "the CLI (spillway --cli --socket $ctl): show flows"
show "show flows" "^tcp 6 [0-9]+ [A-Z_]+ src=$SW_CLI4 dst=$SW_SRV4 sport=[0-9]+ dport=8080 .*\[ASSURED\]" \
	"no assured flow for the HTTP fetch"
grep -qE "^icmp 1 [0-9]+ src=$SW_CLI4 dst=$SW_SRV4 " <<<"$(cli "show flows")" ||
	demo_fail "show flows: no flow for the ping"
say "the CLI: show flowtable"
show "show flowtable" "^max_flows 65536, flows [1-9]" "no flows in a 65536 table"
say "the CLI: show rules"
show "show rules" "rule policy\[4\] reject hits=[1-9][0-9]* .* # telnet" \
	"the telnet reject rule was not hit"
grep -qE "rule policy_default drop hits=[1-9]" <<<"$(cli "show rules")" ||
	demo_fail "show rules: the default drop (port 9) was not hit"

# The flood act: what spillway is for. One spoofed address (in the
# client's /24, nobody's) sends 30,000 SYNs in a few seconds. The
# per-source quota (a quarter of the table) holds its half-open entries;
# the quota hit engages the SYN proxy, which answers every further SYN
# with a cookie and keeps nothing; the page still loads, through the
# proxy.
spoof=192.0.2.77
say "flood: 30,000 SYNs to port 8080 from a spoofed $spoof (hping3, a few seconds)"
show "show flowtable" "synproxy=idle" "the SYN proxy was answering before the flood"
ip netns exec "$SW_CLI" hping3 -q -S -p 8080 -a "$spoof" -i u50 -c 30000 \
	"$SW_SRV4" >/dev/null 2>&1 &
flood=$!
engaged=0
for _ in $(seq 100); do
	grep -q "synproxy=answering" <<<"$(cli "show flowtable")" && { engaged=1; break; }
	sleep 0.1
done
[ "$engaged" = 1 ] || demo_fail "the SYN proxy did not engage under the flood"
say "during the flood: the page, fetched again (through the SYN proxy)"
page=$(ip netns exec "$SW_CLI" curl -sS --max-time 5 "http://$SW_SRV4:8080/")
echo "$page"
[ "$page" = "hello from the server side of spillway" ] || demo_fail "HTTP fetch during the flood"
wait "$flood" || true
say "after the flood: show flowtable, show sources 3, the proxy's counters"
show "show flowtable" "synproxy=answering" "the SYN proxy let go during the flood"
show "show sources 3" "^source $spoof/32 flows=[0-9]+" "the spoofed source is not listed"
quota=$(( 65536 / 4 ))
held=$(cli "show sources 3" | sed -n "s|^source $spoof/32 flows=\([0-9]*\).*|\1|p")
[ "$held" -le "$quota" ] || demo_fail "the spoofed source holds $held flows, over its quota $quota"
stats=$(cli "show stats")
grep -E "^ *(synproxy_cookies_sent|synproxy_valid|source_over|flows) " <<<"$stats"
cookies=$(sed -n 's/^ *synproxy_cookies_sent *\([0-9]*\).*/\1/p' <<<"$stats")
[ "${cookies:-0}" -gt 0 ] || demo_fail "no SYN was answered with a cookie"
echo "  ($spoof holds $held half-open flows, its quota; $cookies SYNs were answered"
echo "   with cookies and left no state; they time out in tcp_syn_sent)"

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
stop_spillway
