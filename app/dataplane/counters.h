/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_COUNTERS_H
#define SW_COUNTERS_H

/*
 * The worker's counters, declared once: the enum a worker counts by
 * and the help every output (control/stats.h) shows, from one list.
 * Each worker writes its own struct sw_counters; the control thread
 * sums them without locks.
 */

#include <stdint.h>

#include <rte_common.h>

/*
 * Worker counters: X(name, family, help). `family` says how the
 * Prometheus output groups the counter: OWN, a family of its own
 * (spillway_NAME_packets_total); VERDICT, the packet's verdict
 * (spillway_verdict_packets_total{verdict="NAME"}); INVALID, a reason a
 * packet was invalid (spillway_invalid_reason_packets_total{reason="NAME"});
 * DROPPED, a reason a packet was dropped before or beside the rules
 * (spillway_dropped_reason_packets_total{reason="NAME"}).
 */
#define SW_WORKER_COUNTERS(X) \
	X(rx,             OWN,     "packets received") \
	X(tx,             OWN,     "packets handed to the paired port's tx queue") \
	X(tx_dropped,     OWN,     "of those, packets the tx queue refused (freed)") \
	X(malformed,      DROPPED, "frames dropped by the parser") \
	X(over_mtu,       DROPPED, "frames dropped unparsed: longer than their port's MTU (ports[].mtu) allows") \
	X(rx_chained,     OWN,     "frames that came in segments (rx scatter), copied whole before parsing") \
	X(chain_dropped,  DROPPED, "frames in segments dropped: no buffer free to copy them into") \
	X(l2_passthrough, OWN,     "non-IP frames passed (their type is in l2_passthrough)") \
	X(l2_dropped,     DROPPED, "non-IP frames dropped (their type is not in l2_passthrough)") \
	X(accept,         VERDICT, "IP packets accepted") \
	X(drop,           VERDICT, "IP packets dropped by a rule or a default") \
	X(reject,         VERDICT, "IP packets rejected by a rule or a default") \
	X(reject_sent,    OWN,     "of those, RST / ICMP replies sent (rest: rate limit or none due)") \
	X(notrack,        OWN,     "packets decided by the notrack rules") \
	X(fallback_accept, OWN,    "packets accepted by the fallback rules") \
	X(fallback_drop,  OWN,     "packets dropped or rejected by the fallback rules") \
	X(ndp,            OWN,     "ICMPv6 neighbour discovery passed after notrack (rules.allow_ndp)") \
	X(mld,            OWN,     "ICMPv6 multicast listener discovery passed after notrack (rules.allow_mld)") \
	X(frag_unknown,   DROPPED, "non-first fragments dropped: no accepted first fragment seen") \
	X(tracked,        OWN,     "packets that hit a flow and passed") \
	X(invalid,        OWN,     "packets dropped as invalid: the sum of the reasons below") \
	X(invalid_flags,  INVALID, "invalid: impossible TCP flag set (XMAS, NULL, SYN+FIN, ...)") \
	X(invalid_state,  INVALID, "invalid: not possible in its flow's state, or a TCP miss that cannot open a flow") \
	X(invalid_seq,    INVALID, "invalid: TCP sequence or acknowledgement outside the window") \
	X(invalid_rst,    INVALID, "invalid: TCP RST outside the window") \
	X(invalid_zone,   INVALID, "invalid: arrived on the wrong port for its flow's direction") \
	X(icmp_unrelated, INVALID, "invalid: ICMP error about no flow, a flow it cannot concern, or a redirect") \
	X(invalid_frag,   INVALID, "invalid: a TCP first fragment outside an established flow, or carrying SYN, FIN or RST") \
	X(bad_checksum,   INVALID, "invalid: IPv4 header, TCP, UDP, ICMP or ICMPv6 checksum wrong") \
	X(cksum_by_nic,   OWN,     "TCP/UDP packets whose checksum the port's rx offload checked: not summed in software") \
	X(related,        OWN,     "ICMP errors about a tracked flow, passed as related") \
	X(policy_accept,  OWN,     "new flows accepted by the policy rules") \
	X(spilled,        OWN,     "packets sent to the fallback rules: table full or spilling") \
	X(synproxy_cookies_sent, OWN, "SYNs the SYN proxy answered with a cookie") \
	X(synproxy_valid,  OWN,    "ACKs with a valid cookie: the proxy opened a flow") \
	X(synproxy_invalid, DROPPED, "ACKs without a valid cookie while the proxy answers SYNs (dropped)") \
	X(synproxy_checked, OWN,   "ACKs checked as cookies: the policy would accept and proxy their SYN") \
	X(synproxy_bad_cookie, OWN, "of those, cookies that were not valid") \
	X(synproxy_source_limited, OWN, "ACKs not checked as cookies: their source sent flowtable.synproxy_bad_cookies invalid ones in 10 s") \
	X(synproxy_unfit, DROPPED, "SYNs the proxy would answer but cannot represent (fragments): dropped") \
	X(synproxy_rewritten, OWN, "segments of proxied flows translated or rebuilt") \
	X(synproxy_consumed, OWN,  "segments the proxy kept (its handshakes; the client's, before the server answered)") \
	X(source_over,    OWN,     "new flows refused: their source is over its per-source quota") \
	X(rule_limited,   OWN,     "rule matches a limit or meter turned away: over the rate, the packet went on to the rules below") \
	X(conn_limited,   OWN,     "rule matches a conn_limit turned away: the rule's flows at their max, the packet went on to the rules below") \
	X(reject_limited, OWN,     "reject replies not sent: the worker's rules.reject_rate") \
	X(reject_dest_limited, OWN, "reject replies not sent: the destination /24 or /64 over rules.reject_rate_per_dest") \
	X(source_route,   DROPPED, "IP packets dropped: IPv4 LSRR/SSRR option or IPv6 type 0 routing header") \
	X(ndp_invalid,    DROPPED, "neighbour discovery dropped: hop limit not 255 or code not 0 (RFC 4861)") \
	X(mld_invalid,    DROPPED, "multicast listener discovery dropped: hop limit not 1, or a source not link-local (RFC 3810)") \
	X(l2_hidden_ip,   OWN,     "of l2_dropped, frames whose type carries IP no rule sees (MPLS, PPPoE, SNAP, ...)") \
	X(frag_overlap,   DROPPED, "fragments dropped: they overlap bytes of their datagram already sent") \
	X(frag_bad,       DROPPED, "fragments dropped: not a multiple of 8, past the last, or too many holes") \
	X(frag_full,      DROPPED, "first fragments dropped: the fragment table is full of live datagrams") \
	X(frag_source_limit, DROPPED, "first fragments dropped: their source holds fragments.per_source datagrams") \
	X(log_queued,     OWN,     "drop log records handed to the control thread") \
	X(log_limited,    OWN,     "drop log records not made: over the worker's log.rate") \
	X(log_ring_full,  OWN,     "drop log records lost: the ring to the control thread was full") \
	X(ha_standby,     DROPPED, "frames dropped unseen: this node is the HA standby, it forwards nothing")

enum sw_counter {
#define SW_CNT_ENUM(n, f, d) SW_CNT_##n,
	SW_WORKER_COUNTERS(SW_CNT_ENUM)
#undef SW_CNT_ENUM
	SW_CNT_MAX
};

struct sw_counters {
	uint64_t c[SW_CNT_MAX];
} __rte_cache_aligned;

#endif /* SW_COUNTERS_H */
