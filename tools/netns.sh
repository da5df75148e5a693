# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The spillway authors
#
# Sourced by the demo and the namespace tests: a client and a server
# namespace joined through a firewall namespace, where spillway runs on
# net_af_packet over veth ends "sw-out" (client side) and "sw-in"
# (server side). Names carry $SW_ID so runs never collide; sw_topo_down
# removes everything (call it from a trap).
#
#   client eth0 <-veth-> sw-out [fw: spillway] sw-in <-veth-> eth0 server
#   192.0.2.1/24                                        192.0.2.2/24
#   2001:db8::1/64                                      2001:db8::2/64

SW_ID=${SW_ID:-$$}
SW_CLI=sw-cli-$SW_ID
SW_FW=sw-fw-$SW_ID
SW_SRV=sw-srv-$SW_ID
SW_CLI4=192.0.2.1
SW_SRV4=192.0.2.2
SW_CLI6=2001:db8::1
SW_SRV6=2001:db8::2

# veth offloads would hand af_packet 64 KiB GSO frames and leave
# checksums to a NIC that isn't there: turn them off on every end.
sw_no_offload() {
	ip netns exec "$1" ethtool -K "$2" tx off rx off tso off gso off \
		gro off >/dev/null 2>&1 || true
}

sw_topo_up() {
	ip netns add "$SW_CLI"
	ip netns add "$SW_FW"
	ip netns add "$SW_SRV"
	ip -n "$SW_FW" link add sw-out type veth peer name eth0 netns "$SW_CLI"
	ip -n "$SW_FW" link add sw-in type veth peer name eth0 netns "$SW_SRV"
	for ns in "$SW_CLI" "$SW_FW" "$SW_SRV"; do
		ip -n "$ns" link set lo up
	done
	# The firewall's ends carry no addresses and must not speak IPv6
	# themselves (no router solicitations of their own on the wire).
	for dev in sw-out sw-in; do
		ip netns exec "$SW_FW" sysctl -qw \
			"net.ipv6.conf.$dev.disable_ipv6=1"
		sw_no_offload "$SW_FW" "$dev"
		ip -n "$SW_FW" link set "$dev" up
	done
	ip -n "$SW_CLI" addr add "$SW_CLI4/24" dev eth0
	ip -n "$SW_CLI" addr add "$SW_CLI6/64" dev eth0 nodad
	ip -n "$SW_SRV" addr add "$SW_SRV4/24" dev eth0
	ip -n "$SW_SRV" addr add "$SW_SRV6/64" dev eth0 nodad
	for ns in "$SW_CLI" "$SW_SRV"; do
		sw_no_offload "$ns" eth0
		ip -n "$ns" link set eth0 up
	done
}

# The same client and server around a Linux router instead (for
# comparisons with netfilter): two /25s and two /64s.
#
#   client eth0 <-> r-out [fw: Linux router] r-in <-> eth0 server
#   192.0.2.1/25      192.0.2.126   192.0.2.129      192.0.2.130/25
#   2001:db8:1::1/64                                 2001:db8:2::2/64
SW_RSRV4=192.0.2.130
SW_RSRV6=2001:db8:2::2
SW_RCLI6=2001:db8:1::1

sw_topo_router_up() {
	local ns
	for ns in "$SW_CLI" "$SW_FW" "$SW_SRV"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	ip -n "$SW_FW" link add r-out type veth peer name eth0 netns "$SW_CLI"
	ip -n "$SW_FW" link add r-in type veth peer name eth0 netns "$SW_SRV"
	ip -n "$SW_FW" addr add 192.0.2.126/25 dev r-out
	ip -n "$SW_FW" addr add 192.0.2.129/25 dev r-in
	ip -n "$SW_FW" addr add 2001:db8:1::ff/64 dev r-out nodad
	ip -n "$SW_FW" addr add 2001:db8:2::ff/64 dev r-in nodad
	ip -n "$SW_CLI" addr add "$SW_CLI4/25" dev eth0
	ip -n "$SW_CLI" addr add "$SW_RCLI6/64" dev eth0 nodad
	ip -n "$SW_SRV" addr add "$SW_RSRV4/25" dev eth0
	ip -n "$SW_SRV" addr add "$SW_RSRV6/64" dev eth0 nodad
	ip -n "$SW_FW" link set r-out up
	ip -n "$SW_FW" link set r-in up
	for ns in "$SW_CLI" "$SW_SRV"; do
		ip -n "$ns" link set eth0 up
	done
	ip -n "$SW_CLI" route add default via 192.0.2.126
	ip -n "$SW_CLI" -6 route add default via 2001:db8:1::ff
	ip -n "$SW_SRV" route add default via 192.0.2.129
	ip -n "$SW_SRV" -6 route add default via 2001:db8:2::ff
	ip netns exec "$SW_FW" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 net.ipv4.conf.all.rp_filter=0 \
		net.ipv4.conf.r-out.rp_filter=0
}

sw_topo_down() {
	local ns
	for ns in "$SW_CLI" "$SW_FW" "$SW_SRV"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
	done
	sleep 0.2
	for ns in "$SW_CLI" "$SW_FW" "$SW_SRV"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill -9 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	return 0
}
