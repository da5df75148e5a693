/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * flowtable: the flow table's settings. They start from lib/flowtable's
 * own defaults (sw_ft_conf_defaults), the one place they are written,
 * and land in the struct sw_ft_conf spillway creates the table with.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <rte_common.h>

#include "config_private.h"

#define F struct sw_flowtable_conf

static const char *const proxy_modes[] = { "off", "auto", "on", NULL };
static const char *const over_words[] = { "drop", "fallback", NULL };

static const struct conf_key timeout_keys[] = {
#define TO_KEY(n, d) CK_UINT(#n, F, ft.timeouts[SW_FT_TO_##n], 1, INT32_MAX),
	SW_FT_TIMEOUTS(TO_KEY)
#undef TO_KEY
};

static int
load_timeouts(struct ctx *c, const config_setting_t *s, const char *p,
	      void *base)
{
	return conf_load_keys(c, s, p, timeout_keys, RTE_DIM(timeout_keys),
			      base);
}

static const struct conf_key adaptive_keys[] = {
	CK_UINT("start", F, ft.adaptive_start, 0, 100),
	CK_UINT("end", F, ft.adaptive_end, 1, 1000),
};

static int
load_adaptive(struct ctx *c, const config_setting_t *s, const char *p,
	      void *base)
{
	F *f = base;
	int rc = conf_load_keys(c, s, p, adaptive_keys,
				RTE_DIM(adaptive_keys), base);

	if (rc == 0 && f->ft.adaptive_start &&
	    f->ft.adaptive_end <= f->ft.adaptive_start)
		rc = fail(c, s, p, "end (%u) must be above start (%u)",
			  f->ft.adaptive_end, f->ft.adaptive_start);
	return rc;
}

static const struct conf_key per_source_keys[] = {
	CK_UINT("v4_prefix", F, ft.src_v4_prefix, 1, 32),
	CK_UINT("v6_prefix", F, ft.src_v6_prefix, 1, 128),
	CK_UINT("max_flows", F, ft.src_max_flows, 0, 1 << 28),
	CK_UINT("max_new_per_s", F, ft.src_max_new_per_s, 0, 100000000),
	CK_ENUM("over", F, src_over_fallback, over_words),
	CK_UINT("max_sources", F, ft.src_max_sources, 0, 1 << 28),
};

static int
load_per_source(struct ctx *c, const config_setting_t *s, const char *p,
		void *base)
{
	F *f = base;
	int rc = conf_load_keys(c, s, p, per_source_keys,
				RTE_DIM(per_source_keys), base);
	const config_setting_t *m = config_setting_get_member(s, "max_flows");
	char mp[256];

	/* No source holds more than the table. */
	if (rc == 0 && m != NULL && f->ft.src_max_flows > f->ft.max_flows) {
		join(mp, sizeof(mp), p, "max_flows");
		rc = fail(c, m, mp, "%u is out of range 0..%u",
			  f->ft.src_max_flows, f->ft.max_flows);
	}
	return rc;
}

/*
 * flowtable.state_file: where a clean stop writes the flows and the
 * next start reads them; relative to the config's directory.
 */
static int
load_state_file(struct ctx *c, const config_setting_t *s, const char *p,
		void *base)
{
	F *f = base;
	const char *v;
	int rc = want_type(c, s, p, CONFIG_TYPE_STRING);

	if (rc)
		return rc;
	v = config_setting_get_string(s);
	if (strlen(v) >= sizeof(f->state_file))
		return fail(c, s, p, "longer than %zu characters",
			    sizeof(f->state_file) - 1);
	snprintf(f->state_file, sizeof(f->state_file), "%s", v);
	if (v[0] != '\0')
		snprintf(f->state_path, sizeof(f->state_path), "%s%s",
			 v[0] == '/' ? "" : c->dir, v);
	return 0;
}

/* Loaded in this order: per_source's range depends on max_flows. */
static const struct conf_key flowtable_keys[] = {
	CK_BOOL("enabled", F, enabled),
	CK_UINT("max_flows", F, ft.max_flows, 1, 1 << 28),
	CK_BOOL("tcp_loose", F, ft.tcp_loose),
	CK_BOOL("tcp_be_liberal", F, ft.tcp_be_liberal),
	CK_BOOL("zone_vlan", F, zone_vlan),
	CK_BOOL("early_drop", F, ft.early_drop),
	CK_UINT("high_water", F, ft.high_water, 50, 100),
	CK_GROUP("adaptive", load_adaptive),
	CK_GROUP("timeouts", load_timeouts),
	CK_BOOL("revalidate_on_reload", F, revalidate_on_reload),
	CK_ENUM("synproxy", F, ft.proxy_mode, proxy_modes),
	CK_UINT("synproxy_start", F, ft.proxy_start, 1, 100),
	CK_UINT("synproxy_wscale", F, ft.proxy_wscale, 0, 14),
	CK_UINT("synproxy_mss", F, synproxy_mss, 0, 9000),
	CK_UINT("synproxy_cookie_period", F, ft.proxy_cookie_period, 1, 3600),
	CK_UINT("synproxy_bad_cookies", F, ft.proxy_bad_cookies, 0, 1000000),
	CK_GROUP("per_source", load_per_source),
	CK_GROUP("state_file", load_state_file),
};

int
load_flowtable(struct ctx *c, const config_setting_t *root,
	       struct sw_config *cfg)
{
	const config_setting_t *g = config_setting_get_member(root,
							       "flowtable");
	F *f = &cfg->flowtable;
	int rc;

	memset(f, 0, sizeof(*f));
	sw_ft_conf_defaults(&f->ft);
	f->enabled = true;
	/* Unset: a quarter of max_flows, whatever max_flows becomes. */
	f->ft.src_max_flows = UINT32_MAX;
	rc = conf_load_keys(c, g, "flowtable", flowtable_keys,
			    RTE_DIM(flowtable_keys), f);
	if (rc)
		return rc;
	if (f->ft.src_max_flows == UINT32_MAX)
		f->ft.src_max_flows = f->ft.max_flows / 4 ?
				      f->ft.max_flows / 4 : 1;
	if (f->ft.max_flows < cfg->nb_workers)
		return fail(c, config_setting_get_member(g, "max_flows"),
			    "flowtable.max_flows", "%u is below the number "
			    "of workers (%u): each needs a shard",
			    f->ft.max_flows, cfg->nb_workers);
	if (f->synproxy_mss && f->synproxy_mss < 536)
		return fail(c, config_setting_get_member(g, "synproxy_mss"),
			    "flowtable.synproxy_mss", "%u is below 536 (0: "
			    "1460 for IPv4, 1440 for IPv6)", f->synproxy_mss);
	return 0;
}
