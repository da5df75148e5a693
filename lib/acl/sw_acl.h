/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_ACL_H
#define SW_ACL_H

/*
 * lib/acl: spillway's rule model and its rte_acl compilation.
 *
 * Usage: parse each field of a rule from text with sw_acl_parse_*();
 * each returns 0 or -EINVAL with a one-line reason in `err`.
 *
 * Thread-safety: the parsers are pure; any thread.
 */

#include <stddef.h>
#include <stdint.h>

/* Port ranges one rule may list ("80,443,8000-8080"). */
#define SW_ACL_MAX_RANGES 16

struct sw_acl_cidr {
	uint8_t family;		/* 0: any, 4 or 6 */
	uint8_t plen;		/* prefix length */
	uint8_t addr[16];	/* network order, host bits cleared */
};

struct sw_acl_range {
	uint16_t lo;		/* host order, inclusive */
	uint16_t hi;
};

/* "any", "192.0.2.0/24", "192.0.2.1", "2001:db8::/32", "2001:db8::1". */
int sw_acl_parse_cidr(const char *s, struct sw_acl_cidr *out,
		      char *err, size_t errlen);

/*
 * "80", "80,443", "8000-8080", "22,8000-8080", "any". Fills up to
 * SW_ACL_MAX_RANGES ranges; *nb = 0 means any.
 */
int sw_acl_parse_ports(const char *s, struct sw_acl_range *r,
		       unsigned int *nb, char *err, size_t errlen);

/* "tcp", "udp", "icmp", "icmpv6", "any" (-1), or a number 0-255. */
int sw_acl_parse_proto(const char *s, int *proto, char *err, size_t errlen);

/*
 * "syn", "ack", "syn,!ack", "fin,syn,rst,psh,ack,urg,ece,cwr": flags in
 * *mask must equal their bit in *value; "!" means must be clear.
 */
int sw_acl_parse_tcp_flags(const char *s, uint8_t *value, uint8_t *mask,
			   char *err, size_t errlen);

#endif /* SW_ACL_H */
