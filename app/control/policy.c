/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The rules in force: the first build at start (ruleset.c builds and
 * publishes rules and sets; reload.c rebuilds them on a thread of its
 * own), and the judge of live flows after a reload or for a filtered
 * flush.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <rte_icmp.h>
#include <rte_lcore.h>
#include <rte_tcp.h>

#include "app.h"
#include "buf.h"
#include "clock.h"
#include "flowfilter.h"
#include "log.h"
#include "policy.h"
#include "ruleset.h"
#include "sw_acl.h"
#include "sw_ft.h"
#include "sw_proto.h"

int
sw_app_rules_start(struct sw_app *app)
{
	struct sw_ruleset *rs;
	struct sw_buf rep;
	char err[SW_ERR_MAX];
	double t0 = sw_now_s();
	unsigned int i;

	sw_buf_init(&rep);
	rs = sw_ruleset_build(&app->cfg, NULL, app->cfg.nb_workers,
			      app->socket_id, app->qs, app->ft, false, &rep,
			      err, sizeof(err));
	if (rs == NULL) {
		SW_LOG(ERR, "%s: rules: %s\n", app->cfg.file, err);
		sw_buf_free(&rep);
		return -EINVAL;
	}
	sw_ruleset_publish(&app->rules, rs, &app->cfg, NULL, NULL);
	app->rule_builds++;
	/* The sets hold them now. */
	for (i = 0; i < app->cfg.nb_sets; i++) {
		free(app->cfg.sets[i].prefixes);
		app->cfg.sets[i].prefixes = NULL;
		app->cfg.sets[i].nb_prefixes = 0;
	}
	if (rep.len)
		SW_LOG(INFO, "%s", rep.p);
	sw_buf_free(&rep);
	SW_LOG(INFO, "rules: notrack %u, policy %u, fallback %u (%u, %u, "
	       "%u classifier entries, %zu KB), %u sets, built in %.3f s\n",
	       app->cfg.rules.nb[SW_ACL_NOTRACK],
	       app->cfg.rules.nb[SW_ACL_POLICY],
	       app->cfg.rules.nb[SW_ACL_FALLBACK],
	       sw_acl_nb_expanded(rs->acl, SW_ACL_NOTRACK),
	       sw_acl_nb_expanded(rs->acl, SW_ACL_POLICY),
	       sw_acl_nb_expanded(rs->acl, SW_ACL_FALLBACK),
	       sw_acl_memory(rs->acl) >> 10, app->cfg.nb_sets,
	       sw_now_s() - t0);
	return 0;
}

/*
 * Revalidation judge, run on a worker during its sweep: a flow `flush
 * flows FILTER` names goes; after a reload with revalidate_on_reload,
 * so does a flow whose opening packet the policy in force would not
 * accept.
 */
static bool
judge_flow(unsigned int shard, const struct sw_ft_key *k, int orig_dir,
	   uint8_t port, uint8_t state, void *arg)
{
	struct sw_app *app = arg;
	const struct sw_ruleset *rs = sw_ruleset_current(&app->rules);
	const struct sw_flow_filter *ff =
		__atomic_load_n(&app->flush_filter, __ATOMIC_ACQUIRE);
	const struct sw_acl_key *kp[1];
	struct sw_acl_key ak, *wk[1] = { &ak };
	struct sw_flow_tuple t;
	uint8_t act;

	(void)shard;
	if (ff != NULL && sw_flow_filter_match(ff, k, orig_dir, state))
		return false;
	if (!__atomic_load_n(&app->cfg.flowtable.revalidate_on_reload,
			     __ATOMIC_RELAXED))
		return true;
	memset(&ak, 0, sizeof(ak));
	ak.family = k->family;
	ak.proto = k->proto;
	ak.in_port = port;
	sw_flow_orig(k, orig_dir, &t);
	memcpy(ak.src, t.src, 16);
	memcpy(ak.dst, t.dst, 16);
	if (k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6) {
		ak.icmp_type = k->proto == IPPROTO_ICMP ?
			       RTE_IP_ICMP_ECHO_REQUEST : SW_ICMP6_ECHO_REQUEST;
	} else {
		ak.sport = t.sport;
		ak.dport = t.dport;
	}
	if (k->proto == IPPROTO_TCP)
		ak.tcp_flags = RTE_TCP_SYN_FLAG;	/* the SYN that opened it */
	sw_ruleset_set_bits(rs, wk, 1);
	kp[0] = &ak;
	sw_acl_classify(rs->acl, SW_ACL_POLICY, SW_ACL_NO_COUNT, kp, 1, &act,
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
