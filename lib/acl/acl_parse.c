/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>

#include <rte_common.h>

#include "sw_acl.h"

static int
bad(char *err, size_t errlen, const char *fmt, const char *s)
{
	snprintf(err, errlen, fmt, s);
	return -EINVAL;
}

int
sw_acl_parse_cidr(const char *s, struct sw_acl_cidr *out, char *err,
		  size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash;
	char *end;
	unsigned long plen;
	size_t n;
	int i;

	memset(out, 0, sizeof(*out));
	if (strcasecmp(s, "any") == 0)
		return 0;
	slash = strchr(s, '/');
	n = slash ? (size_t)(slash - s) : strlen(s);
	if (n == 0 || n >= INET6_ADDRSTRLEN)
		return bad(err, errlen, "'%s' is not an address", s);
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, out->addr) == 1)
		out->family = 4;
	else if (inet_pton(AF_INET6, buf, out->addr) == 1)
		out->family = 6;
	else
		return bad(err, errlen, "'%s' is not an IPv4 or IPv6 address",
			   s);
	plen = out->family == 4 ? 32 : 128;
	if (slash) {
		if (slash[1] < '0' || slash[1] > '9')
			return bad(err, errlen, "'%s': bad prefix length", s);
		errno = 0;
		plen = strtoul(slash + 1, &end, 10);
		if (errno || *end != '\0' ||
		    plen > (out->family == 4 ? 32u : 128u))
			return bad(err, errlen, "'%s': bad prefix length", s);
	}
	out->plen = (uint8_t)plen;
	/* Clear host bits: 192.0.2.7/24 means 192.0.2.0/24, as in nft. */
	for (i = 0; i < 16; i++) {
		int keep = (int)plen - i * 8;

		if (keep <= 0)
			out->addr[i] = 0;
		else if (keep < 8)
			out->addr[i] &= (uint8_t)(0xff << (8 - keep));
	}
	return 0;
}

static int
port_num(const char *s, const char *all, uint16_t *v, char *err,
	 size_t errlen)
{
	char *end;
	unsigned long x;

	if (*s < '0' || *s > '9')
		return bad(err, errlen, "'%s': ports are numbers 0-65535",
			   all);
	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || *end != '\0' || x > 65535)
		return bad(err, errlen, "'%s': ports are numbers 0-65535",
			   all);
	*v = (uint16_t)x;
	return 0;
}

int
sw_acl_parse_ports(const char *s, struct sw_acl_range *r, unsigned int *nb,
		   char *err, size_t errlen)
{
	char buf[256], *tok, *save = NULL, *dash;
	unsigned int n = 0;
	int rc;

	*nb = 0;
	if (strcasecmp(s, "any") == 0)
		return 0;
	if (strlen(s) >= sizeof(buf) || s[0] == '\0')
		return bad(err, errlen, "'%s': bad port list", s);
	snprintf(buf, sizeof(buf), "%s", s);
	if (buf[strlen(buf) - 1] == ',' || buf[0] == ',' ||
	    strstr(buf, ",,"))
		return bad(err, errlen, "'%s': empty entry in port list", s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (n == SW_ACL_MAX_RANGES) {
			snprintf(err, errlen, "'%s': more than %d ports or "
				 "ranges", s, SW_ACL_MAX_RANGES);
			return -EINVAL;
		}
		dash = strchr(tok, '-');
		if (dash)
			*dash = '\0';
		rc = port_num(tok, s, &r[n].lo, err, errlen);
		if (rc)
			return rc;
		r[n].hi = r[n].lo;
		if (dash) {
			rc = port_num(dash + 1, s, &r[n].hi, err, errlen);
			if (rc)
				return rc;
			if (r[n].hi < r[n].lo) {
				snprintf(err, errlen, "'%s': range %u-%u is "
					 "upside down", s, r[n].lo, r[n].hi);
				return -EINVAL;
			}
		}
		n++;
	}
	*nb = n;
	return 0;
}

/* Protocol names rules may use; the first of a number is its name. */
static const struct {
	const char *name;
	int num;
} proto_names[] = {
	{ "any", -1 }, { "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP },
	{ "icmp", IPPROTO_ICMP }, { "icmpv6", IPPROTO_ICMPV6 },
	{ "ipv6-icmp", IPPROTO_ICMPV6 }, { "gre", IPPROTO_GRE },
	{ "esp", IPPROTO_ESP }, { "ah", IPPROTO_AH }, { "sctp", IPPROTO_SCTP },
};

const char *
sw_acl_proto_name(int proto)
{
	size_t i;

	for (i = 0; i < RTE_DIM(proto_names); i++)
		if (proto_names[i].num == proto)
			return proto_names[i].name;
	return NULL;
}

int
sw_acl_parse_proto(const char *s, int *proto, char *err, size_t errlen)
{
	unsigned long x;
	char *end;
	size_t i;

	for (i = 0; i < RTE_DIM(proto_names); i++)
		if (strcasecmp(s, proto_names[i].name) == 0) {
			*proto = proto_names[i].num;
			return 0;
		}
	if (*s < '0' || *s > '9')
		return bad(err, errlen, "unknown protocol '%s'", s);
	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || *end != '\0' || x > 255)
		return bad(err, errlen, "'%s': protocol numbers are 0-255", s);
	*proto = (int)x;
	return 0;
}

int
sw_acl_parse_tcp_flags(const char *s, uint8_t *value, uint8_t *mask,
		       char *err, size_t errlen)
{
	static const char *const names[8] = {
		"fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr",
	};
	char buf[128], *tok, *save = NULL;
	int i, neg;

	*value = 0;
	*mask = 0;
	if (s[0] == '\0' || strlen(s) >= sizeof(buf))
		return bad(err, errlen, "'%s': bad TCP flag list", s);
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		neg = tok[0] == '!';
		if (neg)
			tok++;
		for (i = 0; i < 8; i++)
			if (strcasecmp(tok, names[i]) == 0)
				break;
		if (i == 8) {
			snprintf(err, errlen, "'%s': unknown TCP flag '%s' "
				 "(fin syn rst psh ack urg ece cwr, ! to "
				 "negate)", s, tok);
			return -EINVAL;
		}
		if (*mask & (1u << i)) {
			snprintf(err, errlen, "'%s': flag '%s' given twice",
				 s, names[i]);
			return -EINVAL;
		}
		*mask |= (uint8_t)(1u << i);
		if (!neg)
			*value |= (uint8_t)(1u << i);
	}
	return 0;
}

void
sw_acl_rule_init(struct sw_acl_rule *r, uint8_t action)
{
	memset(r, 0, sizeof(*r));
	r->in_port = -1;
	r->proto = -1;
	r->icmp_type = -1;
	r->icmp_code = -1;
	r->synproxy = -1;
	r->action = action;
}

int
sw_acl_parse_action(const char *s, uint8_t *action)
{
	if (strcmp(s, "accept") == 0)
		*action = SW_ACL_ACCEPT;
	else if (strcmp(s, "drop") == 0)
		*action = SW_ACL_DROP;
	else if (strcmp(s, "reject") == 0)
		*action = SW_ACL_REJECT;
	else
		return -EINVAL;
	return 0;
}

const char *
sw_acl_action_name(uint8_t action)
{
	static const char *const names[SW_ACL_NB_ACTIONS] = {
		"none", "accept", "drop", "reject",
	};

	return action < SW_ACL_NB_ACTIONS ? names[action] : "?";
}

const char *
sw_acl_set_name(enum sw_acl_set set)
{
	static const char *const names[SW_ACL_NB_SETS] = {
		"notrack", "policy", "fallback",
	};

	return (unsigned int)set < SW_ACL_NB_SETS ? names[set] : "?";
}
