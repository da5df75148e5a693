/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
/*
 * A configuration's lists checked before anything is built: every rule
 * names lists, sets and groups that exist, and the groups' jumps end
 * (no circle, at most SW_ACL_MAX_DEPTH deep).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_common.h>

#include "acl_private.h"
#include "sw_acl.h"

/* The rules of list k of a conf (a set, then the groups). */
const struct sw_acl_rule *
acl_conf_rules(const struct sw_acl_conf *conf, unsigned int k,
	       unsigned int *n)
{
	if (k < SW_ACL_NB_SETS) {
		*n = conf->set[k].nb_rules;
		return conf->set[k].rules;
	}
	*n = conf->groups[k - SW_ACL_NB_SETS].nb_rules;
	return conf->groups[k - SW_ACL_NB_SETS].rules;
}

const char *
acl_conf_name(const struct sw_acl_conf *conf, unsigned int k, char *buf,
	      size_t len)
{
	if (k < SW_ACL_NB_SETS)
		return sw_acl_set_name(k);
	snprintf(buf, len, "group %s", conf->groups[k - SW_ACL_NB_SETS].name);
	return buf;
}

/*
 * The deepest stack of jumps list k can lead to (a goto replaces its
 * list, a jump adds one), or -1 when its groups jump in a circle.
 * mark: 0 not seen, 1 on the path, 2 done (depth[] holds the answer).
 */
static int
jump_depth(const struct sw_acl_conf *conf, unsigned int k, uint8_t *mark,
	   int *depth)
{
	const struct sw_acl_rule *r;
	unsigned int i, n;
	int d, best = 0;

	if (mark[k] == 2)
		return depth[k];
	if (mark[k] == 1)
		return -1;
	mark[k] = 1;
	r = acl_conf_rules(conf, k, &n);
	for (i = 0; i < n; i++) {
		if (r[i].action != SW_ACL_JUMP && r[i].action != SW_ACL_GOTO)
			continue;
		d = jump_depth(conf, SW_ACL_NB_SETS + r[i].group, mark, depth);
		if (d < 0)
			return -1;
		d += r[i].action == SW_ACL_JUMP;
		best = RTE_MAX(best, d);
	}
	mark[k] = 2;
	depth[k] = best;
	return best;
}

/* Check that every list, set and group a rule names is there. */
int
acl_check_refs(const struct sw_acl_conf *conf, char *err, size_t errlen)
{
	uint8_t mark[SW_ACL_NB_SETS + SW_ACL_MAX_GROUPS] = { 0 };
	int depth[SW_ACL_NB_SETS + SW_ACL_MAX_GROUPS];
	unsigned int k, i, n, nl = SW_ACL_NB_SETS + conf->nb_groups;
	const struct sw_acl_rule *rules;
	char nm[48];

	if (conf->nb_groups > SW_ACL_MAX_GROUPS ||
	    (conf->nb_groups && conf->groups == NULL)) {
		snprintf(err, errlen, "%u groups, at most %u",
			 conf->nb_groups, SW_ACL_MAX_GROUPS);
		return -EINVAL;
	}
	for (k = 0; k < nl; k++) {
		rules = acl_conf_rules(conf, k, &n);
		for (i = 0; i < n; i++) {
			const struct sw_acl_rule *r = &rules[i];

			uint64_t se = (uint64_t)r->srcx.list + r->srcx.nb;
			uint64_t de = (uint64_t)r->dstx.list + r->dstx.nb;

			if (se > conf->nb_pool || de > conf->nb_pool ||
			    r->action == SW_ACL_NONE ||
			    r->action >= SW_ACL_NB_ACTIONS ||
			    ((r->action == SW_ACL_JUMP ||
			      r->action == SW_ACL_GOTO) &&
			     r->group >= conf->nb_groups)) {
				snprintf(err, errlen, "%s[%u]: bad rule",
					 acl_conf_name(conf, k, nm, sizeof(nm)), i);
				return -EINVAL;
			}
			if ((r->limit.packets || r->meter.rate.packets) &&
			    (conf->hz == 0 || (r->meter.rate.packets &&
					       conf->hash == NULL))) {
				snprintf(err, errlen, "%s[%u]: a limit needs "
					 "the clock's rate (and a meter the "
					 "hash)", acl_conf_name(conf, k, nm,
							    sizeof(nm)), i);
				return -EINVAL;
			}
		}
	}
	for (k = 0; k < SW_ACL_NB_SETS; k++) {
		int d = jump_depth(conf, k, mark, depth);

		if (d < 0 || d > SW_ACL_MAX_DEPTH) {
			snprintf(err, errlen, d < 0 ? "%s: its groups jump in "
				 "a circle" : "%s: groups jump deeper than "
				 "%d", sw_acl_set_name(k), SW_ACL_MAX_DEPTH);
			return -EINVAL;
		}
	}
	/* A group no set reaches must be sound too. */
	for (k = SW_ACL_NB_SETS; k < nl; k++)
		if (jump_depth(conf, k, mark, depth) < 0) {
			snprintf(err, errlen, "%s: jumps in a circle",
				 acl_conf_name(conf, k, nm, sizeof(nm)));
			return -EINVAL;
		}
	return 0;
}
