/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * rules.*[].limit, .meter, .conn_limit: a rule's conditions with state,
 * as nftables' `limit rate 10/second burst 20`, a meter (iptables'
 * hashlimit) and `ct count` (iptables' connlimit). Each is a group of
 * settings, one table each; `limit = "10/second"` and `conn_limit = 8`
 * are the short forms.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>

#include "config_private.h"

/* nftables' and iptables' burst when none is given. */
#define DEFAULT_BURST 5

static int
load_rate(struct ctx *c, const config_setting_t *s, const char *p, void *base)
{
	struct sw_acl_rate *r = base;
	const char *v = config_setting_get_string(s);
	char why[160];

	if (config_setting_type(s) != CONFIG_TYPE_STRING)
		return fail(c, s, p, "expected a rate such as \"10/second\"");
	if (sw_acl_parse_rate(v, r, why, sizeof(why)))
		return fail(c, s, p, "%s", why);
	return 0;
}

#define R struct sw_acl_rate

static const struct conf_key limit_keys[] = {
	CK_GROUP("rate", load_rate),
	CK_UINT("burst", R, burst, 1, 100000000),
	CK_BOOL("over", R, over),
};

#undef R

static int
load_meter_rate(struct ctx *c, const config_setting_t *s, const char *p,
		void *base)
{
	return load_rate(c, s, p, &((struct sw_acl_meter *)base)->rate);
}

#define M struct sw_acl_meter

static const char *const by_words[] = { "src", "dst", NULL };

static const struct conf_key meter_keys[] = {
	CK_GROUP("rate", load_meter_rate),
	CK_UINT("burst", M, rate.burst, 1, 100000000),
	CK_BOOL("over", M, rate.over),
	CK_ENUM("by", M, by_dst, by_words),
	CK_UINT("v4_prefix", M, v4_prefix, 1, 32),
	CK_UINT("v6_prefix", M, v6_prefix, 1, 128),
	CK_UINT("size", M, size, 64, 1 << 24),
};

#undef M

/* What conn_limit says, before it becomes a struct sw_acl_conn. */
struct conn_in {
	uint32_t max;
	bool over;
	bool per_source;
	uint8_t v4_prefix;
	uint8_t v6_prefix;
};

#define C struct conn_in

static const struct conf_key conn_keys[] = {
	CK_UINT("max", C, max, 1, 1 << 28),
	CK_BOOL("over", C, over),
	CK_BOOL("per_source", C, per_source),
	CK_UINT("v4_prefix", C, v4_prefix, 1, 32),
	CK_UINT("v6_prefix", C, v6_prefix, 1, 128),
};

#undef C

/* limit: a group, or a rate string with the default burst. */
static int
load_limit(struct ctx *c, const config_setting_t *e, const char *rp,
	   struct sw_acl_rule *r)
{
	const config_setting_t *s = config_setting_get_member(e, "limit");
	char p[256];
	int rc;

	if (s == NULL)
		return 0;
	join(p, sizeof(p), rp, "limit");
	r->limit.burst = DEFAULT_BURST;
	if (config_setting_type(s) == CONFIG_TYPE_STRING)
		return load_rate(c, s, p, &r->limit);
	if (config_setting_type(s) != CONFIG_TYPE_GROUP)
		return fail(c, s, p, "expected a rate (\"10/second\") or a "
			    "group { rate = \"10/second\"; burst = 20; }");
	rc = conf_load_keys(c, s, p, limit_keys, RTE_DIM(limit_keys),
			    &r->limit);
	if (rc == 0 && r->limit.packets == 0)
		rc = fail(c, s, p, "missing 'rate' (as \"10/second\")");
	return rc;
}

static int
load_meter(struct ctx *c, const config_setting_t *e, const char *rp,
	   struct sw_acl_rule *r)
{
	const config_setting_t *s = config_setting_get_member(e, "meter");
	char p[256];
	int rc;

	if (s == NULL)
		return 0;
	join(p, sizeof(p), rp, "meter");
	r->meter.rate.burst = DEFAULT_BURST;
	r->meter.v4_prefix = 32;
	r->meter.v6_prefix = 64;
	rc = conf_load_keys(c, s, p, meter_keys, RTE_DIM(meter_keys),
			    &r->meter);
	if (rc == 0 && r->meter.rate.packets == 0)
		rc = fail(c, s, p, "missing 'rate' (as \"10/second\")");
	return rc;
}

static int
load_conn(struct ctx *c, const config_setting_t *e, const char *rp,
	  enum sw_acl_set set, struct sw_acl_rule *r)
{
	const config_setting_t *s = config_setting_get_member(e, "conn_limit");
	struct conn_in in = { 0 };
	char p[256];
	int rc;

	if (s == NULL)
		return 0;
	join(p, sizeof(p), rp, "conn_limit");
	if (set == SW_ACL_NOTRACK || set == SW_ACL_FALLBACK)
		return fail(c, s, p, "connections are counted only by the "
			    "policy (the %s rules open no flow)",
			    sw_acl_set_name(set));
	if (config_setting_type(s) == CONFIG_TYPE_INT) {
		long long v = config_setting_get_int64(s);

		if (v < 1 || v > 1 << 28)
			return fail(c, s, p, "%lld is out of range 1..%d", v,
				    1 << 28);
		r->conn.max = (uint32_t)v;
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_GROUP)
		return fail(c, s, p, "expected a number of flows or a group "
			    "{ max = 8; per_source = true; }");
	rc = conf_load_keys(c, s, p, conn_keys, RTE_DIM(conn_keys), &in);
	if (rc)
		return rc;
	if (in.max == 0)
		return fail(c, s, p, "missing 'max' (flows)");
	r->conn.max = in.max;
	r->conn.over = in.over;
	if (in.per_source || in.v4_prefix || in.v6_prefix) {
		r->conn.v4_prefix = in.v4_prefix ? in.v4_prefix : 32;
		r->conn.v6_prefix = in.v6_prefix ? in.v6_prefix : 64;
	}
	return 0;
}

int
load_rule_limits(struct ctx *c, const config_setting_t *e, const char *p,
		 enum sw_acl_set set, struct sw_acl_rule *r)
{
	int rc = load_limit(c, e, p, r);

	if (rc == 0)
		rc = load_meter(c, e, p, r);
	if (rc == 0)
		rc = load_conn(c, e, p, set, r);
	return rc;
}
