/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The rules in force: building them from the config, publishing a new
 * build (RCU), and judging live flows again after a reload.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <rte_icmp.h>
#include <rte_lcore.h>
#include <rte_tcp.h>

#include "app.h"
#include "log.h"
#include "policy.h"
#include "sw_acl.h"
#include "sw_ft.h"
#include "sw_proto.h"

struct sw_acl *
sw_app_rules_build(const struct sw_rules_conf *rules, unsigned int nb_workers,
		   char *err, size_t errlen)
{
	struct sw_acl_conf conf;
	unsigned int k;

	memset(&conf, 0, sizeof(conf));
	for (k = 0; k < SW_ACL_NB_SETS; k++) {
		conf.set[k].rules = rules->rules[k];
		conf.set[k].nb_rules = rules->nb[k];
		conf.set[k].default_action = rules->default_action[k];
		conf.set[k].default_log = rules->default_log[k];
	}
	conf.nb_workers = nb_workers;
	conf.socket_id = (int)rte_socket_id();
	return sw_acl_create(&conf, err, errlen);
}

int
sw_app_rules_start(struct sw_app *app)
{
	char err[SW_ERR_MAX];

	app->acl = sw_app_rules_build(&app->cfg.rules, app->cfg.nb_workers,
				      err, sizeof(err));
	if (app->acl == NULL) {
		SW_LOG(ERR, "%s: rules: %s\n", app->cfg.file, err);
		return -EINVAL;
	}
	SW_LOG(INFO, "rules: notrack %u, policy %u, fallback %u (%u, %u, "
	       "%u classifier entries)\n", app->cfg.rules.nb[SW_ACL_NOTRACK],
	       app->cfg.rules.nb[SW_ACL_POLICY],
	       app->cfg.rules.nb[SW_ACL_FALLBACK],
	       sw_acl_nb_expanded(app->acl, SW_ACL_NOTRACK),
	       sw_acl_nb_expanded(app->acl, SW_ACL_POLICY),
	       sw_acl_nb_expanded(app->acl, SW_ACL_FALLBACK));
	return 0;
}

void
sw_app_rules_publish(struct sw_app *app, struct sw_acl *acl,
		     struct sw_rules_conf *next)
{
	struct sw_rules_conf *cur = &app->cfg.rules;
	unsigned int k;

	/* Swap, then wait out every worker's burst before freeing. */
	sw_acl_publish(&app->acl, acl, app->qs);
	for (k = 0; k < SW_ACL_NB_SETS; k++) {
		free(cur->rules[k]);
		cur->rules[k] = next->rules[k];
		cur->nb[k] = next->nb[k];
		cur->default_action[k] = next->default_action[k];
		cur->default_log[k] = next->default_log[k];
		next->rules[k] = NULL;
		next->nb[k] = 0;
	}
}

/*
 * Revalidation judge, run on a worker during its sweep after a reload:
 * would the policy in force accept this flow's opening packet?
 */
static bool
judge_flow(unsigned int shard, const struct sw_ft_key *k, int orig_dir,
	   uint8_t port, void *arg)
{
	struct sw_app *app = arg;
	const struct sw_acl *acl = sw_acl_current(&app->acl);
	const struct sw_acl_key *kp[1];
	struct sw_acl_key ak;
	bool hi = orig_dir == SW_FT_DIR_HI;
	uint8_t act;

	(void)shard;
	memset(&ak, 0, sizeof(ak));
	ak.family = k->family;
	ak.proto = k->proto;
	ak.in_port = port;
	memcpy(ak.src, hi ? k->hi : k->lo, 16);
	memcpy(ak.dst, hi ? k->lo : k->hi, 16);
	if (k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6) {
		ak.icmp_type = k->proto == IPPROTO_ICMP ?
			       RTE_IP_ICMP_ECHO_REQUEST : SW_ICMP6_ECHO_REQUEST;
	} else {
		ak.sport = hi ? k->hi_port : k->lo_port;
		ak.dport = hi ? k->lo_port : k->hi_port;
	}
	if (k->proto == IPPROTO_TCP)
		ak.tcp_flags = RTE_TCP_SYN_FLAG;	/* the SYN that opened it */
	kp[0] = &ak;
	sw_acl_classify(acl, SW_ACL_POLICY, SW_ACL_NO_COUNT, kp, 1, &act,
			NULL);
	return act == SW_ACL_ACCEPT;
}

void
sw_app_rules_judge(struct sw_app *app)
{
	sw_ft_set_judge(app->ft, judge_flow, app);
}

void
sw_app_rules_rejudge(struct sw_app *app)
{
	if (app->ft != NULL)
		sw_ft_revalidate(app->ft);
}
