/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_telemetry.h>

#include "app.h"
#include "stats.h"
#include "sw_acl.h"
#include "telemetry.h"
#include "utf8.h"
#include "counters.h"

/*
 * Rule counters a reply holds (a dict holds RTE_TEL_MAX_DICT_ENTRIES,
 * and the reply also says where the next page starts).
 */
#define PAGE_RULES 250

/* A rule's counter in the copy: which set, which rule (-1: default). */
struct tel_rule {
	int8_t set;
	int32_t index;
	uint64_t hits;
};

/* What the telemetry thread answers from: a copy, refreshed. */
static struct {
	pthread_mutex_t lock;
	struct sw_stats_snap s;
	char reload_error[RTE_TEL_MAX_STRING_LEN];	/* its start */
	unsigned int nb_rules, cap;
	struct tel_rule *rules;		/* every rule, grown as needed */
} snap = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void
copy_rule(const struct sw_stats_rule *r, void *arg)
{
	(void)arg;
	if (snap.nb_rules == snap.cap) {
		unsigned int cap = snap.cap ? 2 * snap.cap : 256;
		struct tel_rule *v = realloc(snap.rules, sizeof(*v) * cap);

		if (v == NULL)
			return;		/* this refresh lists fewer */
		snap.rules = v;
		snap.cap = cap;
	}
	snap.rules[snap.nb_rules++] = (struct tel_rule){
		.set = (int8_t)r->set, .index = r->index, .hits = r->hits };
}

void
sw_telemetry_update(const struct sw_app *app)
{
	const struct sw_stats_snap *s = sw_stats_take(app);
	unsigned int k;

	pthread_mutex_lock(&snap.lock);
	snap.s = *s;
	/* ASCII only: DPDK 22.11's telemetry mangles other bytes. */
	sw_utf8_copy_ascii(snap.reload_error, sizeof(snap.reload_error),
			   app->reload_error);
	snap.nb_rules = 0;
	for (k = 0; k < SW_ACL_NB_SETS; k++)
		sw_stats_foreach_rule(sw_app_acl(app), k, copy_rule, NULL);
	pthread_mutex_unlock(&snap.lock);
}

static void
add_value(struct rte_tel_data *d, const struct sw_stat_desc *desc,
	  uint64_t v)
{
	/* Telemetry has no fractions in 22.11: whole seconds. */
	rte_tel_data_add_dict_u64(d, desc->name,
				  desc->kind == SW_STAT_SECONDS ? v / 1000 : v);
}

static int
tel_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int k;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&snap.lock);
	for (k = 0; k < SW_CTL_MAX; k++)
		add_value(d, &sw_ctl_stats[k], snap.s.ctl[k]);
	for (k = 0; k < SW_CNT_MAX; k++)
		add_value(d, &sw_worker_stats[k], snap.s.worker_total[k]);
	/* Not a counter: the last refusal's reason, "" when none. */
	rte_tel_data_add_dict_string(d, "reload_error", snap.reload_error);
	pthread_mutex_unlock(&snap.lock);
	return 0;
}

static int
tel_flowtable(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int k;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&snap.lock);
	for (k = 0; snap.s.ft_enabled && k < SW_FT_STAT_MAX; k++)
		add_value(d, &sw_ft_stat_desc[k], snap.s.ft_total[k]);
	pthread_mutex_unlock(&snap.lock);
	return 0;
}

static int
tel_verdicts(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int i, k;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&snap.lock);
	for (i = 0; i < sw_nb_verdict_summary; i++) {
		k = sw_verdict_summary[i];
		add_value(d, &sw_worker_stats[k], snap.s.worker_total[k]);
	}
	pthread_mutex_unlock(&snap.lock);
	return 0;
}

/* HA: its mode and role, and SW_HA_STATS; {"enabled": 0} without. */
static int
tel_ha(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int k;

	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&snap.lock);
	rte_tel_data_add_dict_u64(d, "enabled", snap.s.ha_enabled);
	if (snap.s.ha_enabled) {
		rte_tel_data_add_dict_string(d, "mode", snap.s.ha_mode);
		rte_tel_data_add_dict_string(d, "role", snap.s.ha_role);
	}
	for (k = 0; snap.s.ha_enabled && k < SW_HA_STAT_MAX; k++)
		add_value(d, &sw_ha_stat_desc[k], snap.s.ha[k]);
	pthread_mutex_unlock(&snap.lock);
	return 0;
}

/* The port names, for /spillway/port,NAME (as /ethdev/list). */
static int
tel_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int p;

	(void)cmd;
	(void)params;
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	pthread_mutex_lock(&snap.lock);
	for (p = 0; p < snap.s.nb_ports; p++)
		rte_tel_data_add_array_string(d, snap.s.port_name[p]);
	pthread_mutex_unlock(&snap.lock);
	return 0;
}

/* One port's counters: /spillway/port,NAME (or its index). */
static int
tel_port(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int p, k;
	int rc = -EINVAL;

	(void)cmd;
	if (params == NULL)
		return -EINVAL;
	pthread_mutex_lock(&snap.lock);
	for (p = 0; p < snap.s.nb_ports; p++) {
		char idx[12];

		snprintf(idx, sizeof(idx), "%u", p);
		if (strcmp(params, snap.s.port_name[p]) != 0 &&
		    strcmp(params, idx) != 0)
			continue;
		rte_tel_data_start_dict(d);
		for (k = 0; k < SW_PORT_MAX; k++)
			add_value(d, &sw_port_stats[k], snap.s.port[p][k]);
		rc = 0;
		break;
	}
	pthread_mutex_unlock(&snap.lock);
	return rc;
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
	unsigned int start = 0, i;
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
	for (i = start; i < snap.nb_rules && i < start + PAGE_RULES; i++) {
		const struct tel_rule *r = &snap.rules[i];

		if (r->index < 0)
			snprintf(name, sizeof(name), "%s_default",
				 sw_acl_set_name(r->set));
		else
			snprintf(name, sizeof(name), "%s_%d",
				 sw_acl_set_name(r->set), r->index);
		rte_tel_data_add_dict_u64(d, name, r->hits);
	}
	if (i < snap.nb_rules)
		rte_tel_data_add_dict_u64(d, "next", i);
	pthread_mutex_unlock(&snap.lock);
	return 0;
}

void
sw_telemetry_init(void)
{
	rte_telemetry_register_cmd("/spillway/stats", tel_stats,
		"spillway control and worker counters, summed. No parameters");
	rte_telemetry_register_cmd("/spillway/flowtable", tel_flowtable,
		"spillway flow table counters, all shards. No parameters");
	rte_telemetry_register_cmd("/spillway/verdicts", tel_verdicts,
		"spillway verdict counters. No parameters");
	rte_telemetry_register_cmd("/spillway/ha", tel_ha,
		"spillway HA: mode, role, sync counters. No parameters");
	rte_telemetry_register_cmd("/spillway/ports", tel_ports,
		"spillway port names. No parameters");
	rte_telemetry_register_cmd("/spillway/port", tel_port,
		"spillway port counters. Parameters: port name or index");
	rte_telemetry_register_cmd("/spillway/rules", tel_rules,
		"spillway rule hits (SET_INDEX, SET_default), 250 a page. "
		"Parameter: first rule (0); 'next': the next page's");
}
