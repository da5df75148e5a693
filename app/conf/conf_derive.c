/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * rules.fallback_from_policy: the fallback list derived from the
 * policy, each rule read statelessly, replies kept to its families.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "config_private.h"

/*
 * rules.fallback_from_policy: the policy, read statelessly. Each policy
 * rule becomes a fallback rule in the same order, so a drop or return
 * above an accept still comes first. An accept also lets through what
 * its connections send back: TCP segments with ACK set (which covers
 * the SYN-ACK, and never a bare SYN), UDP from the ports it accepted
 * to, ICMP echo replies; other protocols both ways. Its own TCP flags
 * condition is dropped: the fallback rules see every packet of a
 * connection, not only the SYN that opened it.
 */
static void
derived(struct sw_acl_rule *d, const struct sw_acl_rule *r, unsigned int from,
	uint8_t origin)
{
	*d = *r;
	d->origin = origin;
	d->from = from;
	d->synproxy = -1;
}

static void
reply_of(struct sw_acl_rule *d, const struct sw_acl_rule *r, unsigned int from,
	 const struct sw_config *cfg, int16_t proto)
{
	derived(d, r, from, SW_ACL_DERIVED_REPLY);
	d->in_port = r->in_port < 0 ? -1 :
		     (int16_t)cfg->ports[r->in_port].peer;
	d->src = r->dst;
	d->srcx = r->dstx;
	d->dst = r->src;
	d->dstx = r->srcx;
	memcpy(d->sport, r->dport, sizeof(d->sport));
	memcpy(d->dport, r->sport, sizeof(d->dport));
	d->nb_sport = r->nb_dport;
	d->nb_dport = r->nb_sport;
	d->sport_neg = r->dport_neg;
	d->dport_neg = r->sport_neg;
	d->proto = proto;
	d->flags_mask = 0;
	d->flags_value = 0;
	d->icmp_type = -1;
	d->icmp_code = -1;
	/* What comes back is not what the conditions count. */
	memset(&d->limit, 0, sizeof(d->limit));
	memset(&d->meter, 0, sizeof(d->meter));
	if (proto == 6)
		d->flags_mask = d->flags_value = 0x10;	/* ACK */
	else if (proto == 1)
		d->icmp_type = 0;			/* echo reply */
	else if (proto == 58)
		d->icmp_type = 129;
	if (proto != 6 && proto != 17) {
		d->nb_sport = d->nb_dport = 0;
		d->sport_neg = d->dport_neg = 0;
	}
}

/*
 * Families a rule can match (bit 0 IPv4, bit 1 IPv6): those its source
 * and its destination both allow.
 */
static unsigned int
rule_families(const struct sw_acl_rule *r, const struct sw_config *cfg)
{
	uint8_t setfam[SW_ACL_MAX_SETS];
	unsigned int i;

	for (i = 0; i < SW_ACL_MAX_SETS; i++)
		setfam[i] = i < cfg->nb_sets ? cfg->sets[i].family : 0;
	return sw_acl_addr_families(&r->src, &r->srcx, cfg->rules.pool.v,
				    setfam) &
	       sw_acl_addr_families(&r->dst, &r->dstx, cfg->rules.pool.v,
				    setfam);
}

int
conf_derive_fallback(struct ctx *c, const config_setting_t *g,
		     struct sw_config *cfg)
{
	static const int16_t any_protos[] = { 6, 17, 1, 58 };
	/* Families each of any_protos can be: ICMP is IPv4's, ICMPv6 v6's. */
	static const unsigned int proto_fams[] = { 3, 3, 1, 2 };
	struct sw_rules_conf *rc_ = &cfg->rules;
	const struct sw_acl_rule *pol = rc_->rules[SW_ACL_POLICY];
	unsigned int np = rc_->nb[SW_ACL_POLICY], nf = rc_->nb[SW_ACL_FALLBACK];
	unsigned int i, k, n = nf, cap = nf + np * 5;
	struct sw_acl_rule *out;

	rc_->nb_written_fallback = nf;
	if (np == 0)
		return 0;
	for (i = 0; i < np; i++)
		if (pol[i].action == SW_ACL_JUMP ||
		    pol[i].action == SW_ACL_GOTO)
			return fail(c, g, "rules.fallback_from_policy",
				    "the policy jumps to groups (policy[%u]): "
				    "derive by hand, write rules.fallback", i);
	out = realloc(rc_->rules[SW_ACL_FALLBACK], sizeof(*out) * cap);
	if (out == NULL)
		return -ENOMEM;
	rc_->rules[SW_ACL_FALLBACK] = out;
	for (i = 0; i < np; i++) {
		const struct sw_acl_rule *r = &pol[i];

		if (r->action != SW_ACL_ACCEPT) {
			derived(&out[n], r, i, SW_ACL_DERIVED_COPY);
			/* Without flows there is nothing to count. */
			memset(&out[n++].conn, 0, sizeof(out[0].conn));
			continue;
		}
		/*
		 * An accept up to a number of flows cannot be kept to it
		 * statelessly: what spills is refused, as past its limit.
		 */
		if (r->conn.max)
			continue;
		derived(&out[n], r, i, SW_ACL_DERIVED);
		out[n].flags_mask = out[n].flags_value = 0;
		n++;
		if (r->proto < 0) {
			unsigned int fams = rule_families(r, cfg);

			/* An IPv4 rule has no ICMPv6 reply, nor v6 ICMP. */
			for (k = 0; k < 4; k++)
				if (fams & proto_fams[k])
					reply_of(&out[n++], r, i, cfg,
						 any_protos[k]);
		} else if ((r->proto == 1 && r->icmp_type >= 0 &&
			    r->icmp_type != 8) ||
			   (r->proto == 58 && r->icmp_type >= 0 &&
			    r->icmp_type != 128)) {
			continue;	/* no reply to expect */
		} else {
			reply_of(&out[n++], r, i, cfg, r->proto);
		}
	}
	if (n > SW_ACL_MAX_RULES)
		return fail(c, g, "rules.fallback_from_policy", "%u fallback "
			    "rules with the derived ones, at most %d", n,
			    SW_ACL_MAX_RULES);
	rc_->nb[SW_ACL_FALLBACK] = n;
	return 0;
}
