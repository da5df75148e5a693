/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_STATS_H
#define SW_STATS_H

/*
 * Per-worker counters. Each worker writes only its own struct (one
 * cache line or more, never shared); the control thread sums them
 * without locks. A torn read of a 64-bit counter cannot happen on the
 * 64-bit targets DPDK supports, and a sum a few packets stale is fine.
 *
 * The X-macro keeps the struct, the names and the help text together.
 */

#include <stdint.h>

#include <rte_common.h>

#define SW_WORKER_COUNTERS(X) \
	X(rx,             "packets received") \
	X(tx,             "packets handed to the paired port's tx queue") \
	X(tx_dropped,     "of those, packets the tx queue refused (freed)") \
	X(malformed,      "frames dropped by the parser") \
	X(l2_passthrough, "non-IP frames passed (their type is in l2_passthrough)") \
	X(l2_dropped,     "non-IP frames dropped (their type is not in l2_passthrough)") \
	X(accept,         "IP packets accepted") \
	X(drop,           "IP packets dropped by a rule or a default") \
	X(reject,         "IP packets rejected by a rule or a default") \
	X(reject_sent,    "of those, RST / ICMP replies sent (rest: rate limit or none due)") \
	X(notrack,        "packets decided by the notrack rules") \
	X(fallback_accept, "packets accepted by the fallback rules") \
	X(fallback_drop,  "packets dropped or rejected by the fallback rules") \
	X(ndp,            "ICMPv6 neighbour discovery passed after notrack (rules.allow_ndp)") \
	X(frag_unknown,   "non-first fragments dropped: no accepted first fragment seen") \
	X(tracked,        "packets that hit a flow and passed") \
	X(invalid,        "packets dropped as invalid: the sum of the reasons below") \
	X(invalid_flags,  "invalid: impossible TCP flag set (XMAS, NULL, SYN+FIN, ...)") \
	X(invalid_state,  "invalid: not possible in its flow's state, or a TCP miss that cannot open a flow") \
	X(invalid_seq,    "invalid: TCP sequence or acknowledgement outside the window") \
	X(invalid_rst,    "invalid: TCP RST outside the window") \
	X(invalid_zone,   "invalid: arrived on the wrong port for its flow's direction") \
	X(icmp_unrelated, "invalid: ICMP error about no flow, a flow it cannot concern, or a redirect") \
	X(bad_checksum,   "invalid: IPv4 header, TCP, UDP, ICMP or ICMPv6 checksum wrong") \
	X(related,        "ICMP errors about a tracked flow, passed as related") \
	X(policy_accept,  "new flows accepted by the policy rules") \
	X(spilled,        "packets sent to the fallback rules: table full or spilling") \
	X(synproxy_cookies_sent, "SYNs the SYN proxy answered with a cookie") \
	X(synproxy_valid,  "ACKs with a valid cookie: the proxy opened a flow") \
	X(synproxy_invalid, "ACKs without a valid cookie while the proxy answers SYNs (dropped)") \
	X(synproxy_rewritten, "segments of proxied flows translated or rebuilt") \
	X(synproxy_consumed, "segments the proxy kept (its handshakes; the client's, before the server answered)") \
	X(source_over,    "new flows refused: their source is over its per-source quota") \
	X(reject_limited, "reject replies not sent: the worker's rules.reject_rate") \
	X(reject_dest_limited, "reject replies not sent: the destination /24 or /64 over rules.reject_rate_per_dest") \
	X(source_route,   "IP packets dropped: IPv4 LSRR/SSRR option or IPv6 type 0 routing header") \
	X(ndp_invalid,    "neighbour discovery dropped: hop limit not 255 or code not 0 (RFC 4861)") \
	X(l2_hidden_ip,   "of l2_dropped, frames whose type carries IP no rule sees (MPLS, PPPoE, SNAP, ...)") \
	X(frag_overlap,   "fragments dropped: they overlap bytes of their datagram already sent") \
	X(frag_bad,       "fragments dropped: not a multiple of 8, past the last, or too many holes") \
	X(frag_full,      "first fragments dropped: the fragment table is full of live datagrams") \
	X(frag_source_limit, "first fragments dropped: their source holds fragments.per_source datagrams")

enum sw_counter {
#define SW_CNT_ENUM(n, d) SW_CNT_##n,
	SW_WORKER_COUNTERS(SW_CNT_ENUM)
#undef SW_CNT_ENUM
	SW_CNT_MAX
};

struct sw_counters {
	uint64_t c[SW_CNT_MAX];
} __rte_cache_aligned;

extern const char *const sw_counter_names[SW_CNT_MAX];
extern const char *const sw_counter_help[SW_CNT_MAX];

#endif /* SW_STATS_H */
