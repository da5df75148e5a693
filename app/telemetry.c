/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <rte_telemetry.h>

#include "app.h"
#include "sw_acl.h"
#include "sw_ft.h"
#include "telemetry.h"

#define SNAP_RULES 200	/* under RTE_TEL_MAX_DICT_ENTRIES */

static struct {
	pthread_mutex_t lock;
	uint64_t c[SW_CNT_MAX];
	uint64_t uptime_s;
	uint64_t reloads;
	uint64_t max_flows;
	struct sw_ft_stats ft;
	uint32_t scale_min;
	unsigned int nb_rules;
	char rule_name[SNAP_RULES][40];
	uint64_t rule_hits[SNAP_RULES];
} snap = { .lock = PTHREAD_MUTEX_INITIALIZER };

void
sw_telemetry_update(const struct sw_app *app)
{
	struct sw_ft_stats st;
	unsigned int i, k, n = 0;

	pthread_mutex_lock(&snap.lock);
	sw_app_counters(app, snap.c);
	snap.uptime_s = (uint64_t)(sw_now_s() - app->start_time);
	snap.reloads = app->reloads;
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
	for (k = 0; app->acl != NULL && k < SW_ACL_NB_SETS; k++) {
		unsigned int nr = sw_acl_nb_rules(app->acl, k);

		for (i = 0; i <= nr && n < SNAP_RULES; i++) {
			if (i == nr && k == SW_ACL_NOTRACK)
				break;
			if (i == nr)
				snprintf(snap.rule_name[n], 40, "%s_default",
					 sw_acl_set_name(k));
			else
				snprintf(snap.rule_name[n], 40, "%s_%u",
					 sw_acl_set_name(k), i);
			snap.rule_hits[n++] = sw_acl_hits(app->acl, k, i);
		}
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

static int
tel_rules(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int i;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&snap.lock);
	for (i = 0; i < snap.nb_rules; i++)
		rte_tel_data_add_dict_u64(d, snap.rule_name[i],
					  snap.rule_hits[i]);
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
		"spillway rule hits as SET_INDEX and SET_default. No parameters");
}
