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
	for (i = 0; i < app->cfg.nb_sets; i++)
		sw_set_conf_drop_elements(&app->cfg.sets[i]);
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
 * Revalidation judge, run on a worker during its sweep after a reload
 * with revalidate_on_reload: a flow whose opening packet the policy in
 * force would not accept goes.
 */
static bool
judge_flow(unsigned int shard, const struct sw_ft_key *k, int orig_dir,
	   uint8_t port, uint8_t state, void *arg)
{
	struct sw_app *app = arg;
	const struct sw_ruleset *rs = sw_ruleset_current(&app->rules);
	const struct sw_acl_key *kp[1];
	struct sw_acl_key ak, *wk[1] = { &ak };
	struct sw_flow_tuple t;
	uint8_t act;

	(void)shard;
	(void)state;
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

/* A flush under way: the workers sweep; its waiter asks. */
struct sw_flush {
	uint32_t ticket;
	bool filtered;
	bool done;
	bool orphan;		/* its waiter has gone: free when done */
	uint64_t deleted;
	struct sw_flow_filter filter;
};

/* The flush's filter, on a worker during its sweep. */
static bool
flush_match(unsigned int shard, const struct sw_ft_key *k, int orig_dir,
	    uint8_t port, uint8_t state, void *arg)
{
	(void)shard;
	(void)port;
	return sw_flow_filter_match(arg, k, orig_dir, state);
}

struct sw_flush *
sw_app_flush_start(struct sw_app *app, const struct sw_flow_filter *f)
{
	struct sw_flush *fl;

	if (app->flush != NULL || app->ft == NULL)
		return NULL;
	fl = calloc(1, sizeof(*fl));
	if (fl == NULL)
		return NULL;
	if (f != NULL) {
		fl->filter = *f;
		fl->filtered = true;
	}
	fl->ticket = sw_ft_flush(app->ft, f != NULL ? flush_match : NULL,
				 f != NULL ? &fl->filter : NULL);
	app->flush = fl;
	return fl;
}

void
sw_app_flush_poll(struct sw_app *app)
{
	struct sw_flush *fl = app->flush;

	if (fl == NULL || !sw_ft_flush_done(app->ft, fl->ticket,
					    &fl->deleted))
		return;
	/* No worker reads the filter any more: the next may start. */
	fl->done = true;
	app->flush = NULL;
	if (fl->orphan)
		free(fl);
}

bool
sw_flush_done(const struct sw_flush *fl, uint64_t *deleted)
{
	if (!fl->done)
		return false;
	*deleted = fl->deleted;
	return true;
}

void
sw_flush_release(struct sw_app *app, struct sw_flush *fl)
{
	if (fl == NULL)
		return;
	if (fl->done || app->flush != fl)
		free(fl);
	else
		fl->orphan = true;
}
