/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

#include "flowfilter.h"
#include "flowfmt.h"
#include "sw_acl.h"
#include "sw_ft.h"

/* conntrack -L's name for a protocol. */
static const char *
proto_name(uint8_t p)
{
	const char *n = sw_acl_proto_name(p);

	return n != NULL ? n : "unknown";
}

static size_t
format_side(char *buf, size_t len, const char *name,
	    const struct sw_ft_tcp_side *t)
{
	return (size_t)snprintf(buf, len, " %s=[end=%u maxend=%u maxwin=%u "
				"wscale=%u%s%s%s]", name, t->end, t->maxend,
				t->maxwin, t->scale,
				(t->flags & SW_FT_TCPF_SACK_PERM) ?
				" SACK_PERM" : "",
				(t->flags & SW_FT_TCPF_UNACKED) ?
				" UNACKED" : "",
				(t->flags & SW_FT_TCPF_PICKUP) ?
				" PICKUP" : "");
}

int
sw_format_flow(char *buf, size_t len, const struct sw_ft_key *k,
	       const struct sw_ft_info *info, int detail)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	int af = k->family == 6 ? AF_INET6 : AF_INET;
	struct sw_flow_tuple t;
	unsigned int sp, dp;
	int icmp = k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6;
	int tcp = k->proto == IPPROTO_TCP;
	size_t n;

	sw_flow_orig(k, info->orig_dir, &t);
	sp = ntohs(t.sport);
	dp = ntohs(t.dport);
	inet_ntop(af, t.src, a, sizeof(a));
	inet_ntop(af, t.dst, b, sizeof(b));
	n = (size_t)snprintf(buf, len, "%s %u %" PRIu64 " %s%s", proto_name(k->proto),
			     k->proto, info->remaining,
			     tcp ? sw_ft_state_name(info->state) : "",
			     tcp ? " " : "");
	if (n >= len)
		return (int)n;
	if (icmp)
		n += (size_t)snprintf(buf + n, len - n, "src=%s dst=%s id=%u "
				      "packets=%" PRIu64 " bytes=%" PRIu64
				      " src=%s dst=%s id=%u packets=%" PRIu64
				      " bytes=%" PRIu64, a, b, sp,
				      info->pkts[0], info->bytes[0], b, a, sp,
				      info->pkts[1], info->bytes[1]);
	else
		n += (size_t)snprintf(buf + n, len - n, "src=%s dst=%s "
				      "sport=%u dport=%u packets=%" PRIu64
				      " bytes=%" PRIu64 " src=%s dst=%s "
				      "sport=%u dport=%u packets=%" PRIu64
				      " bytes=%" PRIu64, a, b, sp, dp,
				      info->pkts[0], info->bytes[0], b, a, dp,
				      sp, info->pkts[1], info->bytes[1]);
	if (n < len && !info->replied)
		n += (size_t)snprintf(buf + n, len - n, " [UNREPLIED]");
	if (n < len && info->assured)
		n += (size_t)snprintf(buf + n, len - n, " [ASSURED]");
	if (n < len && info->proxied)
		n += (size_t)snprintf(buf + n, len - n, " [SYNPROXY]");
	if (!detail)
		return (int)n;
	if (n < len && info->proxied)
		n += (size_t)snprintf(buf + n, len - n, " seq_delta=%u "
				      "ts_offset=%u", info->px_delta,
				      info->px_tsoff);
	if (n < len)
		n += (size_t)snprintf(buf + n, len - n, " zone=%u port=%u "
				      "hash=0x%08x", k->zone, info->port,
				      info->hash);
	if (tcp && n < len)
		n += format_side(buf + n, len - n, "orig", &info->tcp[0]);
	if (tcp && n < len)
		n += format_side(buf + n, len - n, "reply", &info->tcp[1]);
	return (int)n;
}
