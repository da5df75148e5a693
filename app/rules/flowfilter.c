/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * conntrack-style flow filters, and a flow's original direction.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "flowfilter.h"
#include "sw_acl.h"
#include "sw_ft.h"

int
sw_flow_filter_parse(struct sw_flow_filter *f, int argc, char **argv,
		     char *err, size_t errlen)
{
	char why[160];
	int i, pr;

	memset(f, 0, sizeof(*f));
	f->sport = f->dport = -1;
	f->proto = -1;
	f->state = -1;
	for (i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		const char *v = eq ? eq + 1 : "";
		size_t n = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
		char *end;
		long x;

		if (n == 3 && strncmp(argv[i], "src", 3) == 0) {
			if (sw_acl_parse_cidr(v, &f->src, why, sizeof(why)))
				goto bad;
		} else if (n == 3 && strncmp(argv[i], "dst", 3) == 0) {
			if (sw_acl_parse_cidr(v, &f->dst, why, sizeof(why)))
				goto bad;
		} else if (n == 5 && (strncmp(argv[i], "sport", 5) == 0 ||
				      strncmp(argv[i], "dport", 5) == 0)) {
			x = strtol(v, &end, 10);
			if (*v < '0' || *v > '9' || *end || x > 65535) {
				snprintf(why, sizeof(why), "'%s': a port is "
					 "0-65535", v);
				goto bad;
			}
			*(argv[i][0] == 's' ? &f->sport : &f->dport) =
				(int32_t)x;
		} else if (n == 5 && strncmp(argv[i], "proto", 5) == 0) {
			if (sw_acl_parse_proto(v, &pr, why, sizeof(why)))
				goto bad;
			f->proto = (int16_t)pr;
		} else if (n == 5 && strncmp(argv[i], "state", 5) == 0) {
			unsigned int s;

			for (s = 0; s < SW_FT_STATE_MAX; s++)
				if (strcasecmp(v, sw_ft_state_name(s)) == 0)
					break;
			if (s == SW_FT_STATE_MAX) {
				snprintf(why, sizeof(why), "no state '%s' "
					 "(ESTABLISHED, SYN_SENT, TIME_WAIT, "
					 "UNREPLIED, REPLIED, ICMP, ...)", v);
				goto bad;
			}
			f->state = (int16_t)s;
		} else {
			snprintf(why, sizeof(why), "'%s': filters are src=, "
				 "dst=, sport=, dport=, proto=, state=",
				 argv[i]);
			goto bad;
		}
	}
	return 0;
bad:
	snprintf(err, errlen, "%s", why);
	return -EINVAL;
}

void
sw_flow_orig(const struct sw_ft_key *k, int orig_dir, struct sw_flow_tuple *t)
{
	bool hi = orig_dir == SW_FT_DIR_HI;

	t->src = hi ? k->hi : k->lo;
	t->dst = hi ? k->lo : k->hi;
	t->sport = hi ? k->hi_port : k->lo_port;
	t->dport = hi ? k->lo_port : k->hi_port;
}

bool
sw_flow_filter_match(const struct sw_flow_filter *f, const struct sw_ft_key *k,
		     int orig_dir, uint8_t state)
{
	struct sw_flow_tuple t;
	uint16_t sp, dp;

	sw_flow_orig(k, orig_dir, &t);
	sp = ntohs(t.sport);
	dp = ntohs(t.dport);
	if (f->proto >= 0 && f->proto != k->proto)
		return false;
	if (f->state >= 0 && f->state != state)
		return false;
	if (!sw_acl_cidr_holds(&f->src, k->family, t.src) ||
	    !sw_acl_cidr_holds(&f->dst, k->family, t.dst))
		return false;
	if (k->proto != IPPROTO_TCP && k->proto != IPPROTO_UDP &&
	    (f->sport >= 0 || f->dport >= 0))
		return false;
	return (f->sport < 0 || f->sport == sp) &&
	       (f->dport < 0 || f->dport == dp);
}
