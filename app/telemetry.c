/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "app.h"
#include "sw_acl.h"
#include "sw_ft.h"
#include "telemetry.h"

/*
 * Rule counters a reply holds (a dict holds RTE_TEL_MAX_DICT_ENTRIES,
 * and the reply also says where the next page starts).
 */
#define PAGE_RULES 250

static struct {
	pthread_mutex_t lock;
	uint64_t c[SW_CNT_MAX];
	uint64_t uptime_s;
	uint64_t reloads;
	uint64_t reload_failures;
	char reload_error[RTE_TEL_MAX_STRING_LEN];	/* its start */
	uint64_t max_flows;
	struct sw_ft_stats ft;
	uint32_t scale_min;
	/* Every rule's hits, notrack then policy then fallback (each
	 * list's default last, but notrack's). */
	unsigned int nb[SW_ACL_NB_SETS];
	unsigned int nb_rules;
	unsigned int cap;
	uint64_t *hits;
} snap = { .lock = PTHREAD_MUTEX_INITIALIZER };

void
sw_telemetry_update(const struct sw_app *app)
{
	struct sw_ft_stats st;
	unsigned int i, k, n = 0;

	const struct sw_acl *acl = sw_app_acl(app);

	pthread_mutex_lock(&snap.lock);
	sw_app_counters(app, snap.c);
	snap.uptime_s = (uint64_t)(sw_now_s() - app->start_time);
	snap.reloads = app->reloads;
	snap.reload_failures = app->reload_failures;
	snprintf(snap.reload_error, sizeof(snap.reload_error), "%.*s",
		 (int)sizeof(snap.reload_error) - 1, app->reload_error);
	memset(&snap.ft, 0, sizeof(snap.ft));
	snap.scale_min = 1024;
	snap.max_flows = 0;
	if (app->ft != NULL) {
		snap.max_flows = (uint64_t)sw_ft_shard_max(app->ft) *
				 sw_ft_nb_shards(app->ft);
		for (i = 0; i < sw_ft_nb_shards(app->ft); i++) {
			sw_ft_shard_stats(app->ft, i, &st);
			snap.ft.flows += st.flows;
			snap.ft.inserts += st.inserts;
			snap.ft.insert_failed += st.insert_failed;
			snap.ft.early_drops += st.early_drops;
			snap.ft.expired += st.expired;
			snap.ft.spilling |= st.spilling;
			if (st.adaptive_scale_q10 < snap.scale_min)
				snap.scale_min = st.adaptive_scale_q10;
		}
	}
	for (k = 0; acl != NULL && k < SW_ACL_NB_SETS; k++)
		n += sw_acl_nb_rules(acl, k) + (k != SW_ACL_NOTRACK);
	if (n > snap.cap) {
		uint64_t *h = realloc(snap.hits, sizeof(*h) * n);

		if (h == NULL)
			n = 0;
		else {
			snap.hits = h;
			snap.cap = n;
		}
	}
	n = 0;
	for (k = 0; acl != NULL && snap.hits && k < SW_ACL_NB_SETS; k++) {
		unsigned int nr = sw_acl_nb_rules(acl, k);

		snap.nb[k] = nr + (k != SW_ACL_NOTRACK);
		for (i = 0; i < snap.nb[k] && n < snap.cap; i++)
			snap.hits[n++] = sw_acl_hits(acl, k, i);
	}
	snap.nb_rules = n;
	pthread_mutex_unlock(&snap.lock);
}

static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int k;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&snap.lock);
	rte_tel_data_add_dict_u64(d, "uptime_s", snap.uptime_s);
	rte_tel_data_add_dict_u64(d, "reloads", snap.reloads);
	rte_tel_data_add_dict_u64(d, "reload_failures", snap.reload_failures);
	rte_tel_data_add_dict_string(d, "reload_error", snap.reload_error);
	for (k = 0; k < SW_CNT_MAX; k++)
		rte_tel_data_add_dict_u64(d, sw_counter_names[k], snap.c[k]);
	pthread_mutex_unlock(&snap.lock);
	return 0;
}

static int
tel_flowtable(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&snap.lock);
	rte_tel_data_add_dict_u64(d, "max_flows", snap.max_flows);
	rte_tel_data_add_dict_u64(d, "flows", snap.ft.flows);
	rte_tel_data_add_dict_u64(d, "inserts", snap.ft.inserts);
	rte_tel_data_add_dict_u64(d, "insert_failed", snap.ft.insert_failed);
	rte_tel_data_add_dict_u64(d, "early_drops", snap.ft.early_drops);
	rte_tel_data_add_dict_u64(d, "expired", snap.ft.expired);
	rte_tel_data_add_dict_u64(d, "spilling", snap.ft.spilling);
	rte_tel_data_add_dict_u64(d, "adaptive_scale_permille",
				  snap.scale_min * 1000ull / 1024);
	pthread_mutex_unlock(&snap.lock);
	return 0;
}

static int
tel_verdicts(const char *cmd, const char *params, struct rte_tel_data *d)
{
	static const int keys[] = {
		SW_CNT_accept, SW_CNT_drop, SW_CNT_reject, SW_CNT_notrack,
		SW_CNT_invalid, SW_CNT_malformed, SW_CNT_fallback_accept,
		SW_CNT_fallback_drop,
	};
	unsigned int i;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&snap.lock);
	for (i = 0; i < RTE_DIM(keys); i++)
		rte_tel_data_add_dict_u64(d, sw_counter_names[keys[i]],
					  snap.c[keys[i]]);
	pthread_mutex_unlock(&snap.lock);
	return 0;
}

/*
 * /spillway/rules[,START]: PAGE_RULES counters from rule START of the
 * whole list (notrack, policy, fallback), named "policy_12" and
 * "policy_default", with "total" and, unless this is the last page,
 * "next": the START of the next page. Every counter is on some page.
 */
static int
tel_rules(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int start = 0, i, k, base = 0, shown = 0;
	char name[40], *end;

	(void)cmd;
	if (params != NULL && *params) {
		unsigned long v = strtoul(params, &end, 10);

		if (*end != '\0')
			return -1;
		start = (unsigned int)v;
	}
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&snap.lock);
	rte_tel_data_add_dict_u64(d, "total", snap.nb_rules);
	for (k = 0; k < SW_ACL_NB_SETS && shown < PAGE_RULES; k++) {
		for (i = 0; i < snap.nb[k] && shown < PAGE_RULES; i++) {
			if (base + i < start)
				continue;
			if (k != SW_ACL_NOTRACK && i == snap.nb[k] - 1)
				snprintf(name, sizeof(name), "%s_default",
					 sw_acl_set_name(k));
			else
				snprintf(name, sizeof(name), "%s_%u",
					 sw_acl_set_name(k), i);
			rte_tel_data_add_dict_u64(d, name, snap.hits[base + i]);
			shown++;
		}
		base += snap.nb[k];
	}
	if (start + shown < snap.nb_rules)
		rte_tel_data_add_dict_u64(d, "next", start + shown);
	pthread_mutex_unlock(&snap.lock);
	return 0;
}

void
sw_telemetry_init(void)
{
	rte_telemetry_register_cmd("/spillway/stats", tel_stats,
		"spillway worker counters, summed. No parameters");
	rte_telemetry_register_cmd("/spillway/flowtable", tel_flowtable,
		"spillway flow table occupancy and counters. No parameters");
	rte_telemetry_register_cmd("/spillway/verdicts", tel_verdicts,
		"spillway verdict counters. No parameters");
	rte_telemetry_register_cmd("/spillway/rules", tel_rules,
		"spillway rule hits (SET_INDEX, SET_default), 250 a page. "
		"Parameter: first rule (0); 'next': the next page's");
}
