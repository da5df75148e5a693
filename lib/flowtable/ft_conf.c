/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * lib/flowtable's names and defaults: timeouts, states, verdicts, the
 * configuration a table is created with.
 */
#include <string.h>

#include <rte_memory.h>

#include "ft_private.h"

static const char *const timeout_names[SW_FT_TO_MAX] = {
#define TO_NAME(n, d) #n,
	SW_FT_TIMEOUTS(TO_NAME)
#undef TO_NAME
};

static const uint32_t timeout_defaults[SW_FT_TO_MAX] = {
#define TO_DEF(n, d) d,
	SW_FT_TIMEOUTS(TO_DEF)
#undef TO_DEF
};

static const char *const state_names[SW_FT_STATE_MAX] = {
#define ST_NAME(n, s, t) s,
	SW_FT_STATES(ST_NAME)
#undef ST_NAME
};

const uint8_t ft_state_timeout[SW_FT_STATE_MAX] = {
#define ST_TO(n, s, t) SW_FT_TO_##t,
	SW_FT_STATES(ST_TO)
#undef ST_TO
};

int
sw_ft_timeout_index(const char *name)
{
	unsigned int i;

	for (i = 0; i < SW_FT_TO_MAX; i++)
		if (strcmp(name, timeout_names[i]) == 0)
			return (int)i;
	return -1;
}

const char *
sw_ft_timeout_name(unsigned int t)
{
	return t < SW_FT_TO_MAX ? timeout_names[t] : "?";
}

uint32_t
sw_ft_timeout_default(unsigned int t)
{
	return t < SW_FT_TO_MAX ? timeout_defaults[t] : 0;
}

const char *
sw_ft_state_name(unsigned int state)
{
	return state < SW_FT_STATE_MAX ? state_names[state] : "?";
}

static const char *const verdict_names[SW_FT_VERDICT_MAX] = {
#define V_NAME(n, d) #n,
	SW_FT_VERDICTS(V_NAME)
#undef V_NAME
};

const char *
sw_ft_verdict_name(unsigned int v)
{
	return v < SW_FT_VERDICT_MAX ? verdict_names[v] : "?";
}

void
sw_ft_conf_defaults(struct sw_ft_conf *c)
{
	unsigned int t;

	memset(c, 0, sizeof(*c));
	c->max_flows = 1u << 20;
	c->nb_shards = 1;
	c->tcp_loose = true;
	c->tcp_be_liberal = false;
	c->early_drop = true;
	c->high_water = 95;
	c->adaptive_start = 60;
	c->adaptive_end = 120;
	for (t = 0; t < SW_FT_TO_MAX; t++)
		c->timeouts[t] = timeout_defaults[t];
	c->hz = 1;
	c->socket_id = SOCKET_ID_ANY;
	c->proxy_mode = SW_FT_PROXY_AUTO;
	c->proxy_start = 50;
	c->proxy_wscale = 7;
	c->proxy_cookie_period = 64;
	c->proxy_bad_cookies = 32;
	c->src_v4_prefix = 32;
	c->src_v6_prefix = 64;
}
