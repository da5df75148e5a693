/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_SYNPROXY_H
#define SW_SYNPROXY_H

/*
 * The SYN proxy's packets (lib/flowtable decides, this writes): the
 * SYN/ACK with a cookie to a client, the SYN to the server, the ACK
 * that completes the server's handshake, the window update that tells
 * the client the server is there, and the translation of every segment
 * of a proxied flow (sequence and acknowledgement numbers, SACK blocks,
 * timestamps, windows). Every packet is written in place in the mbuf it
 * answers, keeping its Ethernet header and VLAN tags; a new segment gets
 * a plain IP header (no IPv4 options, no IPv6 extension headers) and
 * fresh checksums, a translated one keeps its headers and has its TCP
 * checksum adjusted (RFC 1624, also for fields at odd offsets).
 *
 * Thread-safety: pure functions over the caller's mbuf; any worker.
 */

#include <stdbool.h>
#include <stdint.h>

struct rte_mbuf;
struct sw_pkt;
struct sw_ft_syn_opts;
struct sw_ft_xlate;

/*
 * Turn the client's SYN into the proxy's SYN/ACK: ISN `cookie`, the
 * acknowledgement of the client's ISN (from seg, the SYN as
 * sw_parse_tcp_seg read it, as is its timestamp), window 0 (the client waits for
 * the server), MSS `mss`, and, as the client offered them, SACK-
 * permitted, window scale `wscale` and a timestamp `tsval`. The SYN/ACK
 * has a plain IP header whatever the SYN carried (IPv4 options, IPv6
 * extension headers), as Linux SYNPROXY answers; p must not be a
 * fragment (the worker drops those the proxy would answer). The mbuf
 * then leaves by the port it came in on.
 */
void sw_synproxy_synack(struct rte_mbuf *m, const struct sw_pkt *p,
			const struct sw_ft_pkt *seg, uint32_t cookie,
			const struct sw_ft_syn_opts *client, uint16_t mss,
			uint8_t wscale, uint32_t tsval);

/*
 * Rebuild a segment as another of the same connection: a SYN to the
 * server (SW_FT_PX_SYN, same direction) or the ACK to the server
 * (SW_FT_PX_ACK, back the way it came), from *x. Any packet of the
 * flow will do: IPv4 options, IPv6 extension headers and fragment
 * headers are dropped from the new segment.
 */
void sw_synproxy_build(struct rte_mbuf *m, const struct sw_pkt *p,
		       const struct sw_ft_xlate *x);

/*
 * The server has answered: write into `copy` (an empty mbuf) the
 * server's window update for the client, built from the server's
 * SYN/ACK m before sw_synproxy_build rewrites it.
 */
int sw_synproxy_client_ack(struct rte_mbuf *copy, const struct rte_mbuf *m,
			   const struct sw_pkt *p,
			   const struct sw_ft_xlate *x);

/* Translate a segment of a proxied flow by *x (SW_FT_PX_FWD). */
void sw_synproxy_translate(struct rte_mbuf *m, const struct sw_pkt *p,
			   const struct sw_ft_xlate *x);

#endif /* SW_SYNPROXY_H */
