/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * control, stats, log and fragments.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <grp.h>
#include <netdb.h>
#include <sys/socket.h>

#include <rte_common.h>

#include "frag.h"
#include "config_private.h"

int
sw_config_parse_listen(const char *s, int *family, uint8_t *addr,
		       uint16_t *port)
{
	char host[64];
	const char *colon;
	char *end;
	unsigned long p;
	size_t n;

	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':')
			return -EINVAL;
		n = (size_t)(close - s - 1);
		if (n == 0 || n >= sizeof(host))
			return -EINVAL;
		memcpy(host, s + 1, n);
		colon = close + 1;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return -EINVAL;
		n = (size_t)(colon - s);
		if (n == 0 || n >= sizeof(host))
			return -EINVAL;
		memcpy(host, s, n);
	}
	host[n] = '\0';
	if (colon[1] < '0' || colon[1] > '9')
		return -EINVAL;
	p = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || p > 65535)
		return -EINVAL;
	*port = (uint16_t)p;
	memset(addr, 0, 16);
	if (strcmp(host, "localhost") == 0) {
		*family = AF_INET;
		addr[0] = 127;
		addr[3] = 1;
	} else if (inet_pton(AF_INET, host, addr) == 1) {
		*family = AF_INET;
	} else if (inet_pton(AF_INET6, host, addr) == 1) {
		*family = AF_INET6;
	} else {
		return -EINVAL;
	}
	return 0;
}

int
load_control(struct ctx *c, const config_setting_t *root,
	     struct sw_config *cfg)
{
	static const char *const keys[] = {
		"socket", "socket_group", "listen", "password", "tcp_admin",
		"idle_timeout", "max_clients", NULL
	};
	const config_setting_t *g = config_setting_get_member(root, "control");
	const config_setting_t *sl = NULL, *sp = NULL, *ss = NULL, *sg = NULL;
	struct sw_control_conf *k = &cfg->control;
	const char *sock = SW_CONTROL_SOCKET, *group = NULL, *listen = NULL;
	const char *pw = NULL;
	int rc;

	k->idle_timeout = 300;
	k->max_clients = 16;
	if (g != NULL) {
		rc = want_type(c, g, "control", CONFIG_TYPE_GROUP);
		if (rc == 0)
			rc = check_keys(c, g, "control", keys);
		if (rc == 0)
			rc = get_str(c, g, "control", "socket", &sock, &ss);
		if (rc == 0 && ss == NULL)
			sock = SW_CONTROL_SOCKET;
		if (rc == 0)
			rc = get_str(c, g, "control", "socket_group", &group,
				     &sg);
		if (rc == 0)
			rc = get_str(c, g, "control", "listen", &listen, &sl);
		if (rc == 0)
			rc = get_str(c, g, "control", "password", &pw, &sp);
		if (rc == 0)
			rc = get_bool(c, g, "control", "tcp_admin",
				      &k->tcp_admin);
		if (rc == 0)
			rc = get_int(c, g, "control", "idle_timeout", 1,
				     86400, &k->idle_timeout);
		if (rc == 0)
			rc = get_int(c, g, "control", "max_clients", 1, 256,
				     &k->max_clients);
		if (rc)
			return rc;
	}
	if (strlen(sock) >= sizeof(k->socket))
		return fail(c, ss, "control.socket", "longer than %zu "
			    "characters (a unix socket path)",
			    sizeof(k->socket) - 1);
	if (sock[0] != '\0' && sock[0] != '/')
		return fail(c, ss, "control.socket", "'%s' is not an absolute "
			    "path", sock);
	snprintf(k->socket, sizeof(k->socket), "%s", sock);
	if (group != NULL && group[0] != '\0') {
		struct group gr, *res = NULL;
		char buf[4096];

		if (strlen(group) >= sizeof(k->socket_group))
			return fail(c, sg, "control.socket_group", "too long");
		if (getgrnam_r(group, &gr, buf, sizeof(buf), &res) != 0 ||
		    res == NULL)
			return fail(c, sg, "control.socket_group", "no group "
				    "named '%s'", group);
		snprintf(k->socket_group, sizeof(k->socket_group), "%s",
			 group);
		k->socket_gid = gr.gr_gid;
	}
	if (pw != NULL) {
		if (strlen(pw) >= sizeof(k->password))
			return fail(c, sp, "control.password", "longer than %zu "
				    "characters", sizeof(k->password) - 1);
		snprintf(k->password, sizeof(k->password), "%s", pw);
	}
	if (listen == NULL || listen[0] == '\0')
		return 0;	/* no TCP listener */
	if (strlen(listen) >= sizeof(k->listen))
		return fail(c, sl, "control.listen", "too long");
	snprintf(k->listen, sizeof(k->listen), "%s", listen);
	if (sw_config_parse_listen(k->listen, &k->family, k->addr, &k->port))
		return fail(c, sl, "control.listen", "'%s' is not ADDR:PORT "
			    "(e.g. 192.0.2.1:9023, [2001:db8::1]:9023; \"\" "
			    "for no TCP listener)", k->listen);
	/*
	 * Loopback included: any local user, container sharing the network
	 * namespace or SSRF bug in a co-located service reaches it.
	 */
	if (k->password[0] == '\0')
		return fail(c, sl, "control.listen", "a TCP listener needs a "
			    "password, on loopback too (every local process "
			    "reaches it): set control.password, or use the "
			    "unix socket control.socket");
	return 0;
}

int
load_fragments(struct ctx *c, const config_setting_t *root,
	       struct sw_config *cfg)
{
	static const char *const keys[] = { "timeout", "per_source", NULL };
	const config_setting_t *g = config_setting_get_member(root,
							       "fragments");
	int rc;

	cfg->fragments.timeout = SW_FRAG_TIMEOUT_S;
	cfg->fragments.per_source = SW_FRAG_PER_SOURCE;
	if (g == NULL)
		return 0;
	rc = want_type(c, g, "fragments", CONFIG_TYPE_GROUP);
	if (rc == 0)
		rc = check_keys(c, g, "fragments", keys);
	if (rc == 0)
		rc = get_int(c, g, "fragments", "timeout", 1, 3600,
			     &cfg->fragments.timeout);
	if (rc == 0)
		rc = get_int(c, g, "fragments", "per_source", 1,
			     SW_FRAG_SETS * SW_FRAG_WAYS,
			     &cfg->fragments.per_source);
	return rc;
}

/*
 * stats.prometheus_allow: the sources the metrics endpoint answers,
 * loopback unless listed (the endpoint has no password: keep it to the
 * Prometheus servers that scrape it).
 */
static int
load_prom_allow(struct ctx *c, const config_setting_t *g,
		struct sw_stats_conf *st)
{
	static const char *const loopback[] = { "127.0.0.0/8", "::1" };
	const config_setting_t *s = g == NULL ? NULL :
		config_setting_get_member(g, "prometheus_allow");
	char p[64], why[160];
	int i, n, rc;

	st->nb_prom_allow = 0;
	if (s == NULL) {
		for (i = 0; i < 2; i++)
			sw_acl_parse_cidr(loopback[i],
					  &st->prom_allow[st->nb_prom_allow++],
					  why, sizeof(why));
		return 0;
	}
	rc = want_type(c, s, "stats.prometheus_allow", CONFIG_TYPE_LIST);
	if (rc)
		return rc;
	n = config_setting_length(s);
	if (n > SW_PROM_ALLOW_MAX)
		return fail(c, s, "stats.prometheus_allow", "%d prefixes, at "
			    "most %d", n, SW_PROM_ALLOW_MAX);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		snprintf(p, sizeof(p), "stats.prometheus_allow[%d]", i);
		rc = want_type(c, e, p, CONFIG_TYPE_STRING);
		if (rc)
			return rc;
		if (sw_acl_parse_cidr(config_setting_get_string(e),
				      &st->prom_allow[i], why, sizeof(why)))
			return fail(c, e, p, "%s", why);
		st->nb_prom_allow++;
	}
	return 0;
}

int
load_stats(struct ctx *c, const config_setting_t *root, struct sw_config *cfg)
{
	static const char *const keys[] = {
		"file", "interval_ms", "prometheus_listen", "prometheus_allow",
		"rules_in_file", NULL
	};
	const config_setting_t *g = config_setting_get_member(root, "stats");
	const config_setting_t *sf, *sl;
	struct sw_stats_conf *st = &cfg->stats;
	const char *file = NULL, *listen = NULL;
	int rc;

	st->interval_ms = 1000;
	if (g == NULL)
		return load_prom_allow(c, NULL, st);
	rc = want_type(c, g, "stats", CONFIG_TYPE_GROUP);
	if (rc == 0)
		rc = check_keys(c, g, "stats", keys);
	if (rc == 0)
		rc = get_str(c, g, "stats", "file", &file, &sf);
	if (rc == 0)
		rc = get_int(c, g, "stats", "interval_ms", 100, 3600000,
			     &st->interval_ms);
	if (rc == 0)
		rc = get_str(c, g, "stats", "prometheus_listen", &listen, &sl);
	if (rc == 0)
		rc = load_prom_allow(c, g, st);
	if (rc == 0)
		rc = get_bool(c, g, "stats", "rules_in_file",
			      &st->rules_in_file);
	if (rc)
		return rc;
	if (file != NULL) {
		if (strlen(file) + 8 >= sizeof(st->file))
			return fail(c, sf, "stats.file", "path too long");
		snprintf(st->file, sizeof(st->file), "%s", file);
	}
	if (listen == NULL || listen[0] == '\0')
		return 0;	/* no metrics endpoint */
	if (strlen(listen) >= sizeof(st->prom_listen))
		return fail(c, sl, "stats.prometheus_listen", "too long");
	snprintf(st->prom_listen, sizeof(st->prom_listen), "%s", listen);
	if (sw_config_parse_listen(st->prom_listen, &st->prom_family,
				   st->prom_addr, &st->prom_port))
		return fail(c, sl, "stats.prometheus_listen", "'%s' is not "
			    "ADDR:PORT (e.g. 127.0.0.1:9124, [::1]:9124; \"\" "
			    "for none)", st->prom_listen);
	return 0;
}

/* log.*: the drop log. The defaults' switches live in the rules. */
static const char *const log_formats[] = { "text", "json", NULL };

static const struct conf_key log_keys[] = {
	CK_UINT("rate", struct sw_config, log.rate, 0, 100000),
	CK_BOOL("policy_default", struct sw_config,
		rules.default_log[SW_ACL_POLICY]),
	CK_BOOL("fallback_default", struct sw_config,
		rules.default_log[SW_ACL_FALLBACK]),
	CK_BOOL("invalid", struct sw_config, log.invalid),
	CK_BOOL("spill", struct sw_config, log.spill),
	CK_ENUM("format", struct sw_config, log.format, log_formats),
};

int
load_log(struct ctx *c, const config_setting_t *root, struct sw_config *cfg)
{
	struct sw_log_conf *l = &cfg->log;
	bool *dl = cfg->rules.default_log;

	l->rate = 20;
	l->invalid = true;
	l->spill = true;
	l->format = SW_LOG_FORMAT_TEXT;
	dl[SW_ACL_POLICY] = true;
	dl[SW_ACL_FALLBACK] = true;
	return conf_load_keys(c, config_setting_get_member(root, "log"), "log",
			      log_keys, RTE_DIM(log_keys), cfg);
}
