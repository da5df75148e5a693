/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_PROTO_H
#define SW_PROTO_H

/*
 * The protocol constants spillway reads that its usual sources lack.
 * Protocol numbers come from <netinet/in.h> (IPPROTO_TCP, ...), TCP
 * flags from rte_tcp.h (RTE_TCP_SYN_FLAG, ...), ICMP echo from
 * rte_icmp.h (RTE_IP_ICMP_ECHO_REQUEST, ...). What is left is here:
 * ICMP error types, ICMPv6 types and neighbour discovery. (glibc's
 * <netinet/ip_icmp.h> has them too, but it defines icmp_id and its
 * kin as macros, which break any struct member of that name.)
 */

/* ICMP (RFC 792) */
#define SW_ICMP_UNREACH		3	/* destination unreachable */
#define SW_ICMP_UNREACH_PORT	3	/*   code: port unreachable */
#define SW_ICMP_SOURCEQUENCH	4
#define SW_ICMP_REDIRECT	5
#define SW_ICMP_TIMXCEED	11
#define SW_ICMP_PARAMPROB	12

/* ICMPv6 (RFC 4443) */
#define SW_ICMP6_UNREACH	1	/* destination unreachable */
#define SW_ICMP6_UNREACH_PORT	4	/*   code: port unreachable */
#define SW_ICMP6_PARAMPROB	4	/* the last error type */
#define SW_ICMP6_ECHO_REQUEST	128
#define SW_ICMP6_ECHO_REPLY	129

/* Neighbour discovery (RFC 4861): types 133 to 137. */
#define SW_ND_ROUTER_SOLICIT	133
#define SW_ND_REDIRECT		137

/* Multicast listener discovery (RFC 2710, RFC 3810). */
#define SW_MLD_QUERY		130
#define SW_MLD_REPORT		131
#define SW_MLD_DONE		132
#define SW_MLD2_REPORT		143

#endif /* SW_PROTO_H */
