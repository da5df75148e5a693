/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * rules: the notrack, policy and fallback lists, their defaults, the
 * groups they jump to, the fallback derived from the policy.
 */
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <sys/socket.h>

#include <rte_common.h>

#include "config_private.h"
#include "reject.h"

/*
 * A service name of /etc/services ("ssh", "domain") as its port for
 * proto (tcp or udp; else either). Returns the port, or -1.
 */
static int
service_port(const char *name, int proto)
{
	struct servent se, *res = NULL;
	char buf[1024];
	const char *pn = proto == IPPROTO_TCP ? "tcp" :
			 proto == IPPROTO_UDP ? "udp" : NULL;

	/* The _r form: a reload reads its config on a thread of its own. */
	if (getservbyname_r(name, pn, &se, buf, sizeof(buf), &res) != 0 ||
	    res == NULL)
		return -1;
	return ntohs((uint16_t)res->s_port);
}

/* One end of a port list entry: a number, or a name to look up. */
static int
port_word(const char *w, size_t n, int proto, char *out, size_t outlen,
	  size_t *at)
{
	char name[64];
	int port;

	if (n == 0 || isdigit((unsigned char)w[0]) || n >= sizeof(name)) {
		*at += (size_t)snprintf(out + *at, *at < outlen ?
					outlen - *at : 0, "%.*s", (int)n, w);
		return 0;
	}
	memcpy(name, w, n);
	name[n] = '\0';
	port = service_port(name, proto);
	if (port < 0)
		return -1;
	*at += (size_t)snprintf(out + *at, *at < outlen ? outlen - *at : 0,
				"%d", port);
	return 0;
}

/*
 * A range of two words "lo-hi" whose ends may be names holding '-'
 * themselves (netbios-ns-netbios-dgm): each '-' in turn is tried as
 * the range's. Returns 0 with the numbers appended, or -1.
 */
static int
service_range(const char *t, size_t n, int proto, char *out, size_t outlen,
	      size_t *at)
{
	size_t d, mark = *at;

	for (d = 1; d + 1 < n; d++) {
		if (t[d] != '-')
			continue;
		*at = mark;
		if (port_word(t, d, proto, out, outlen, at) != 0)
			continue;
		*at += (size_t)snprintf(out + *at, *at < outlen ?
					outlen - *at : 0, "-");
		if (port_word(t + d + 1, n - d - 1, proto, out, outlen,
			      at) == 0)
			return 0;
	}
	*at = mark;
	return -1;
}

/*
 * Port lists with service names ("ssh, http-alt", "ssh-5000") become
 * numbers: a word is first looked up whole (names hold '-': netbios-ns),
 * then as the two ends of a range. Returns 0, or -1 with the unknown
 * name in *bad.
 */
static int
resolve_services(const char *text, int proto, char *out, size_t outlen,
		 char *bad, size_t badlen)
{
	size_t at = 0;
	const char *t = text;

	out[0] = '\0';
	while (*t) {
		size_t n = strcspn(t, ", !");

		if (n == 0) {
			at += (size_t)snprintf(out + at, at < outlen ?
					       outlen - at : 0, "%c", *t);
			t++;
			continue;
		}
		if (!isalpha((unsigned char)t[0]) ||
		    (n == 3 && strncasecmp(t, "any", 3) == 0)) {
			at += (size_t)snprintf(out + at, at < outlen ?
					       outlen - at : 0, "%.*s",
					       (int)n, t);
		} else if (port_word(t, n, proto, out, outlen, &at) != 0 &&
			   service_range(t, n, proto, out, outlen, &at) != 0) {
			snprintf(bad, badlen, "%.*s", (int)n, t);
			return -1;
		}
		t += n;
	}
	return at < outlen ? 0 : -1;
}

/*
 * A port list may be written 80 or "80,443", with service names of
 * /etc/services for the rule's proto ("ssh", "domain").
 */
static int
get_ports(struct ctx *c, const config_setting_t *g, const char *gpath,
	  const char *name, int proto, struct sw_acl_range *r, uint8_t *nb,
	  uint8_t *neg, const config_setting_t **set)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	char p[256], buf[16], why[160], num[256], unk[64];
	const char *text;
	unsigned int n;

	*set = s;
	if (s == NULL)
		return 0;
	join(p, sizeof(p), gpath, name);
	if (config_setting_type(s) == CONFIG_TYPE_INT ||
	    config_setting_type(s) == CONFIG_TYPE_INT64) {
		snprintf(buf, sizeof(buf), "%lld",
			 (long long)config_setting_get_int64(s));
		text = buf;
	} else if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		text = config_setting_get_string(s);
	} else {
		return fail(c, s, p, "expected a port list such as \"80,443\", "
			    "\"8000-8080\" or \"!22\"");
	}
	if (resolve_services(text, proto, num, sizeof(num), unk,
			     sizeof(unk)) != 0)
		return fail(c, s, p, "'%s': no %s service named '%s' in "
			    "/etc/services", text, proto == IPPROTO_UDP ?
			    "udp" : proto == IPPROTO_TCP ? "tcp" : "tcp or udp",
			    unk);
	text = num;
	if (sw_acl_parse_ports_neg(text, r, &n, neg, why, sizeof(why)))
		return fail(c, s, p, "%s", why);
	*nb = (uint8_t)n;
	return 0;
}

static int
get_icmp(struct ctx *c, const config_setting_t *g, const char *gpath,
	 const char *name, int16_t *out, const config_setting_t **set)
{
	unsigned int v = 0;
	int rc;

	*set = config_setting_get_member(g, name);
	rc = get_int(c, g, gpath, name, 0, 255, &v);
	if (rc == 0 && *set != NULL)
		*out = (int16_t)v;
	return rc;
}

/* Syslog's names (and numbers), as iptables' --log-level takes them. */
static int
syslog_level(const char *v)
{
	static const char *const names[] = {
		"emerg", "alert", "crit", "err", "warning", "notice", "info",
		"debug"
	};
	unsigned int i;

	if (v[0] >= '0' && v[0] <= '7' && v[1] == '\0')
		return v[0] - '0';
	for (i = 0; i < RTE_DIM(names); i++)
		if (strcmp(v, names[i]) == 0)
			return (int)i;
	return strcmp(v, "error") == 0 ? 3 : strcmp(v, "warn") == 0 ? 4 :
	       strcmp(v, "panic") == 0 ? 0 : -1;
}

/*
 * log = true: what the rule decides goes to the drop log; log_prefix
 * starts its lines (printable ASCII: a prefix cannot forge a line);
 * log_level is their syslog level.
 */
static int
load_rule_log(struct ctx *c, const config_setting_t *e, const char *p,
	      struct sw_acl_rule *r, const char *lp,
	      const config_setting_t *s_lp)
{
	const config_setting_t *s_lv;
	const char *lv;
	char q[256];
	bool log = false;
	size_t i;
	int rc;

	rc = get_bool(c, e, p, "log", &log);
	if (rc == 0)
		rc = get_str(c, e, p, "log_level", &lv, &s_lv);
	if (rc)
		return rc;
	r->log = log;
	if (lv != NULL) {
		join(q, sizeof(q), p, "log_level");
		if (!log)
			return fail(c, s_lv, q, "needs log = true");
		rc = syslog_level(lv);
		if (rc < 0)
			return fail(c, s_lv, q, "'%s' is not a syslog level "
				    "(emerg, alert, crit, err, warning, notice, "
				    "info, debug, or 0-7)", lv);
		/* DPDK's levels are syslog's, one up. */
		r->log_level = (uint8_t)(rc + 1);
	}
	if (lp == NULL)
		return 0;
	join(q, sizeof(q), p, "log_prefix");
	if (!log)
		return fail(c, s_lp, q, "needs log = true");
	if (strlen(lp) >= SW_ACL_LOG_PREFIX_MAX)
		return fail(c, s_lp, q, "longer than %d characters",
			    SW_ACL_LOG_PREFIX_MAX - 1);
	for (i = 0; lp[i]; i++)
		if ((unsigned char)lp[i] < 0x20 || (unsigned char)lp[i] > 0x7e)
			return fail(c, s_lp, q, "printable ASCII only (byte "
				    "%zu is 0x%02x)", i, (unsigned char)lp[i]);
	snprintf(r->log_prefix, sizeof(r->log_prefix), "%s", lp);
	return 0;
}

/* Index of the file a setting came from (the config or an @include). */
static int
file_index(struct ctx *c, const config_setting_t *e, struct sw_config *cfg)
{
	const char *f = config_setting_source_file(e);
	char path[512];
	unsigned int i;

	if (f == NULL)
		f = c->file;
	/* libconfig names an included file as written: say where it is. */
	if (strcmp(f, c->file) != 0 && f[0] != '/' && c->dir[0]) {
		snprintf(path, sizeof(path), "%s%s", c->dir, f);
		f = path;
	}
	for (i = 0; i < cfg->rules.nb_files; i++)
		if (strcmp(cfg->rules.files[i], f) == 0)
			return (int)i;
	if (i == SW_MAX_FILES)
		return 0;
	cfg->rules.files[i] = strdup(f);
	if (cfg->rules.files[i] == NULL)
		return -ENOMEM;
	cfg->rules.nb_files = i + 1;
	return (int)i;
}

/*
 * A source or destination: a string ("192.0.2.0/24", "@feed",
 * "!{a, @b}") or a list of strings, read as one comma-separated list
 * (a leading "!" on the first element negates the whole list).
 */
static int
get_addr(struct ctx *c, const config_setting_t *e, const char *p,
	 const char *name, struct sw_config *cfg, struct sw_acl_cidr *one,
	 struct sw_acl_addr *x, const config_setting_t **set)
{
	const char *names[SW_ACL_MAX_SETS];
	const config_setting_t *s = config_setting_get_member(e, name);
	char q[256], why[256], *text = NULL;
	size_t len = 0;
	int i, n, rc;

	*set = s;
	if (s == NULL)
		return 0;
	join(q, sizeof(q), p, name);
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		text = strdup(config_setting_get_string(s));
	} else if (config_setting_type(s) == CONFIG_TYPE_LIST ||
		   config_setting_type(s) == CONFIG_TYPE_ARRAY) {
		n = config_setting_length(s);
		for (i = 0; i < n; i++) {
			const config_setting_t *el =
				config_setting_get_elem(s, (unsigned int)i);
			const char *v = config_setting_get_string(el);
			char *t;

			if (v == NULL) {
				free(text);
				return fail(c, el, q, "expected strings "
					    "(prefixes or @sets)");
			}
			t = realloc(text, len + strlen(v) + 3);
			if (t == NULL) {
				free(text);
				return -ENOMEM;
			}
			text = t;
			len += (size_t)sprintf(text + len, "%s%s",
					       i ? ", " : "", v);
		}
		if (n == 0)
			return fail(c, s, q, "an empty list matches nothing");
	} else {
		return fail(c, s, q, "expected an address, @set or a list of "
			    "them");
	}
	if (text == NULL)
		return -ENOMEM;
	sw_config_names(cfg, NULL, names);
	rc = sw_acl_parse_addr(text, names, cfg->nb_sets, &cfg->rules.pool,
			       one, x, why, sizeof(why));
	free(text);
	if (rc == -EINVAL)
		return fail(c, s, q, "%s", why);
	return rc;
}

/* What a rule's loader has read of it so far. */
struct rule_in {
	const config_setting_t *e;	/* the rule */
	const char *p;			/* its path */
	const char *in, *proto, *flags, *action, *comment, *lp, *rw, *jump,
		*go;
	const config_setting_t *s_in, *s_src, *s_dst, *s_proto, *s_sport,
		*s_dport, *s_flags, *s_type, *s_code, *s_action, *s_comment,
		*s_lp, *s_rw, *s_jump, *s_goto;
	unsigned int src_fams, dst_fams;	/* bit 0 IPv4, bit 1 IPv6 */
};

/* The rule's string members, and which it has at all. */
static int
rule_strings(struct ctx *c, struct rule_in *ri)
{
	static const char *const keys[] = {
		"in", "src", "dst", "proto", "sport", "dport", "tcp_flags",
		"icmp_type", "icmp_code", "action", "comment", "synproxy",
		"log", "log_prefix", "log_level", "reject_with", "jump", "goto",
		"limit", "meter", "conn_limit", NULL
	};
	const config_setting_t *e = ri->e;
	const char *p = ri->p;
	int rc;

	rc = want_type(c, e, p, CONFIG_TYPE_GROUP);
	if (rc == 0)
		rc = check_keys(c, e, p, keys);
	if (rc == 0)
		rc = get_str(c, e, p, "in", &ri->in, &ri->s_in);
	if (rc == 0)
		rc = get_str(c, e, p, "proto", &ri->proto, &ri->s_proto);
	if (rc == 0)
		rc = get_str(c, e, p, "tcp_flags", &ri->flags, &ri->s_flags);
	if (rc == 0)
		rc = get_str(c, e, p, "action", &ri->action, &ri->s_action);
	if (rc == 0)
		rc = get_str(c, e, p, "comment", &ri->comment, &ri->s_comment);
	if (rc == 0)
		rc = get_str(c, e, p, "log_prefix", &ri->lp, &ri->s_lp);
	if (rc == 0)
		rc = get_str(c, e, p, "reject_with", &ri->rw, &ri->s_rw);
	if (rc == 0)
		rc = get_str(c, e, p, "jump", &ri->jump, &ri->s_jump);
	if (rc == 0)
		rc = get_str(c, e, p, "goto", &ri->go, &ri->s_goto);
	return rc;
}

/* jump = "NAME" / goto = "NAME": the group, instead of an action. */
static int
rule_target(struct ctx *c, struct rule_in *ri, struct sw_config *cfg,
	    struct sw_acl_rule *r)
{
	const config_setting_t *s = ri->jump ? ri->s_jump : ri->s_goto;
	const char *name = ri->jump ? ri->jump : ri->go;
	char q[256];
	unsigned int g;

	join(q, sizeof(q), ri->p, ri->jump ? "jump" : "goto");
	if (ri->action != NULL || (ri->jump && ri->go))
		return fail(c, s, q, "a rule has one of action, jump and goto");
	for (g = 0; g < cfg->rules.nb_groups; g++)
		if (strcmp(cfg->rules.groups[g].name, name) == 0)
			break;
	if (g == cfg->rules.nb_groups)
		return fail(c, s, q, "no group named '%s' (define it under "
			    "rules.groups)", name);
	r->action = ri->jump ? SW_ACL_JUMP : SW_ACL_GOTO;
	r->group = (uint16_t)g;
	return 0;
}

/* action, in: what the rule does, where its packets come in. */
static int
rule_action(struct ctx *c, struct rule_in *ri, struct sw_config *cfg,
	    struct sw_acl_rule *r)
{
	char q[256];
	int rc;

	if (ri->jump != NULL || ri->go != NULL) {
		rc = rule_target(c, ri, cfg, r);
		if (rc)
			return rc;
	} else if (ri->action == NULL) {
		return fail(c, ri->e, ri->p, "missing 'action' (accept, drop, "
			    "reject or return; or jump / goto a group)");
	} else {
		join(q, sizeof(q), ri->p, "action");
		if (sw_acl_parse_action(ri->action, &r->action))
			return fail(c, ri->s_action, q, "'%s' is not accept, "
				    "drop, reject or return", ri->action);
	}
	if (ri->in != NULL) {
		join(q, sizeof(q), ri->p, "in");
		r->in_port = (int16_t)sw_config_port_index(cfg, ri->in);
		if (r->in_port < 0)
			return fail(c, ri->s_in, q, "no port named '%s'",
				    ri->in);
	}
	return 0;
}

/* src, dst: the families they allow must meet. */
static int
rule_addrs(struct ctx *c, struct rule_in *ri, struct sw_config *cfg,
	   struct sw_acl_rule *r)
{
	uint8_t setfam[SW_ACL_MAX_SETS];
	unsigned int i;
	char q[256];
	int rc;

	rc = get_addr(c, ri->e, ri->p, "src", cfg, &r->src, &r->srcx,
		      &ri->s_src);
	if (rc == 0)
		rc = get_addr(c, ri->e, ri->p, "dst", cfg, &r->dst, &r->dstx,
			      &ri->s_dst);
	if (rc)
		return rc;
	for (i = 0; i < SW_ACL_MAX_SETS; i++)
		setfam[i] = i < cfg->nb_sets ? cfg->sets[i].family : 0;
	ri->src_fams = sw_acl_addr_families(&r->src, &r->srcx,
					    cfg->rules.pool.v, setfam);
	ri->dst_fams = sw_acl_addr_families(&r->dst, &r->dstx,
					    cfg->rules.pool.v, setfam);
	if ((ri->src_fams & ri->dst_fams) == 0) {
		join(q, sizeof(q), ri->p, "dst");
		return fail(c, ri->s_dst, q, "an IPv%u match, but src is "
			    "IPv%u: the rule could never match",
			    ri->dst_fams == 1 ? 4 : 6,
			    ri->src_fams == 1 ? 4 : 6);
	}
	return 0;
}

/* proto; ICMP is IPv4's, ICMPv6 IPv6's: an address of the other family
 * could never match. */
static int
rule_proto(struct ctx *c, struct rule_in *ri, struct sw_acl_rule *r)
{
	const config_setting_t *bad = NULL;
	const char *which = NULL;
	char q[256], why[160];
	unsigned int bit;
	uint8_t want;
	int pr;

	if (ri->proto != NULL) {
		join(q, sizeof(q), ri->p, "proto");
		if (sw_acl_parse_proto(ri->proto, &pr, why, sizeof(why)))
			return fail(c, ri->s_proto, q, "%s", why);
		r->proto = (int16_t)pr;
	}
	if (r->proto != IPPROTO_ICMP && r->proto != IPPROTO_ICMPV6)
		return 0;
	want = r->proto == IPPROTO_ICMP ? 4 : 6;
	bit = want == 4 ? 1 : 2;
	if (!(ri->src_fams & bit)) {
		bad = ri->s_src;
		which = "src";
	} else if (!(ri->dst_fams & bit)) {
		bad = ri->s_dst;
		which = "dst";
	}
	if (bad == NULL)
		return 0;
	join(q, sizeof(q), ri->p, which);
	return fail(c, bad, q, "an IPv%u address in an %s rule (use %s)",
		    10 - want, want == 4 ? "icmp" : "icmpv6",
		    want == 4 ? "icmpv6" : "icmp");
}

/* sport, dport, tcp_flags, icmp_type, icmp_code: each needs its proto. */
static int
rule_l4(struct ctx *c, struct rule_in *ri, struct sw_acl_rule *r)
{
	const config_setting_t *e = ri->e;
	const char *p = ri->p;
	char q[256], why[160];
	int rc;

	rc = get_ports(c, e, p, "sport", r->proto, r->sport, &r->nb_sport,
		       &r->sport_neg, &ri->s_sport);
	if (rc == 0)
		rc = get_ports(c, e, p, "dport", r->proto, r->dport,
			       &r->nb_dport, &r->dport_neg, &ri->s_dport);
	if (rc)
		return rc;
	if ((ri->s_sport || ri->s_dport) && r->proto != IPPROTO_TCP &&
	    r->proto != IPPROTO_UDP) {
		join(q, sizeof(q), p, ri->s_sport ? "sport" : "dport");
		return fail(c, ri->s_sport ? ri->s_sport : ri->s_dport, q,
			    "ports need proto \"tcp\" or \"udp\"");
	}
	if (ri->flags != NULL) {
		join(q, sizeof(q), p, "tcp_flags");
		if (r->proto != IPPROTO_TCP)
			return fail(c, ri->s_flags, q, "needs proto \"tcp\"");
		if (sw_acl_parse_tcp_flags(ri->flags, &r->flags_value,
					   &r->flags_mask, why, sizeof(why)))
			return fail(c, ri->s_flags, q, "%s", why);
	}
	rc = get_icmp(c, e, p, "icmp_type", &r->icmp_type, &ri->s_type);
	if (rc == 0)
		rc = get_icmp(c, e, p, "icmp_code", &r->icmp_code, &ri->s_code);
	if (rc)
		return rc;
	if ((ri->s_type || ri->s_code) && r->proto != IPPROTO_ICMP &&
	    r->proto != IPPROTO_ICMPV6) {
		join(q, sizeof(q), p, ri->s_type ? "icmp_type" : "icmp_code");
		return fail(c, ri->s_type ? ri->s_type : ri->s_code, q,
			    "needs proto \"icmp\" or \"icmpv6\"");
	}
	return 0;
}

/*
 * reject_with: the reply a reject sends. tcp-reset answers TCP only,
 * prot-unreachable has no ICMPv6 kind: a rule that may see packets
 * they cannot answer is refused.
 */
static int
rule_reject_with(struct ctx *c, struct rule_in *ri, struct sw_acl_rule *r)
{
	char q[256];
	int k;

	if (ri->rw == NULL)
		return 0;
	join(q, sizeof(q), ri->p, "reject_with");
	if (r->action != SW_ACL_REJECT)
		return fail(c, ri->s_rw, q, "needs action \"reject\"");
	k = sw_reject_with_parse(ri->rw);
	if (k < 0)
		return fail(c, ri->s_rw, q, "'%s' is not tcp-reset, "
			    "port-unreachable, host-unreachable, "
			    "net-unreachable, prot-unreachable, "
			    "admin-prohibited, host-prohibited or "
			    "net-prohibited (iptables' names work too)",
			    ri->rw);
	if (k == SW_REJECT_WITH_TCP_RESET && r->proto != IPPROTO_TCP)
		return fail(c, ri->s_rw, q, "tcp-reset needs proto \"tcp\"");
	if (k == SW_REJECT_WITH_PROT_UNREACH && r->proto != IPPROTO_ICMP &&
	    (ri->src_fams & ri->dst_fams & 2))
		return fail(c, ri->s_rw, q, "prot-unreachable has no ICMPv6 "
			    "kind: the rule must match IPv4 only (an IPv4 "
			    "src or dst, or proto icmp)");
	r->reject_with = (uint8_t)k;
	return 0;
}

/* comment, log, log_prefix, synproxy, reject_with. */
static int
rule_extras(struct ctx *c, struct rule_in *ri, enum sw_acl_set set,
	    struct sw_acl_rule *r)
{
	const config_setting_t *s_px;
	char q[256];
	bool px = false;
	int rc;

	if (ri->comment != NULL) {
		join(q, sizeof(q), ri->p, "comment");
		if (strlen(ri->comment) >= SW_ACL_COMMENT_MAX)
			return fail(c, ri->s_comment, q, "longer than %d "
				    "characters", SW_ACL_COMMENT_MAX - 1);
		snprintf(r->comment, sizeof(r->comment), "%s", ri->comment);
	}
	rc = load_rule_log(c, ri->e, ri->p, r, ri->lp, ri->s_lp);
	if (rc == 0)
		rc = rule_reject_with(c, ri, r);
	if (rc)
		return rc;
	s_px = config_setting_get_member(ri->e, "synproxy");
	if (s_px == NULL)
		return 0;
	join(q, sizeof(q), ri->p, "synproxy");
	/* A group's rules may decide policy misses: they may ask too. */
	if (set == SW_ACL_NOTRACK || set == SW_ACL_FALLBACK ||
	    r->action != SW_ACL_ACCEPT ||
	    (r->proto != IPPROTO_TCP && r->proto != -1))
		return fail(c, s_px, q, "only on policy rules that accept "
			    "TCP");
	rc = get_bool(c, ri->e, ri->p, "synproxy", &px);
	if (rc == 0)
		r->synproxy = px ? 1 : 0;
	return rc;
}

static int
load_rule(struct ctx *c, const config_setting_t *e, const char *p,
	  struct sw_config *cfg, enum sw_acl_set set,
	  struct sw_acl_rule *r)
{
	struct rule_in ri = { .e = e, .p = p };
	int rc;

	rc = rule_strings(c, &ri);
	if (rc)
		return rc;
	sw_acl_rule_init(r, SW_ACL_NONE);
	r->line = (uint32_t)config_setting_source_line(e);
	rc = file_index(c, e, cfg);
	if (rc < 0)
		return rc;
	r->file = (uint16_t)rc;
	rc = rule_action(c, &ri, cfg, r);
	if (rc == 0)
		rc = rule_addrs(c, &ri, cfg, r);
	if (rc == 0)
		rc = rule_proto(c, &ri, r);
	if (rc == 0)
		rc = rule_l4(c, &ri, r);
	if (rc == 0)
		rc = rule_extras(c, &ri, set, r);
	if (rc == 0)
		rc = load_rule_limits(c, e, p, set, r);
	return rc;
}

/* The rules of list l (path `path`) into *out, *nb. */
static int
load_list(struct ctx *c, const config_setting_t *l, const char *path,
	  struct sw_config *cfg, enum sw_acl_set set, struct sw_acl_rule **out,
	  unsigned int *nb)
{
	char p[128];
	int i, n, rc, bad = 0;

	rc = want_type(c, l, path, CONFIG_TYPE_LIST);
	if (rc)
		return rc;
	n = config_setting_length(l);
	if (n > SW_ACL_MAX_RULES)
		return fail(c, l, path, "%d rules, at most %d", n,
			    SW_ACL_MAX_RULES);
	if (n == 0)
		return 0;
	*out = calloc((size_t)n, sizeof(struct sw_acl_rule));
	if (*out == NULL)
		return -ENOMEM;
	/* Each rule on its own: one bad rule hides no other's error. */
	for (i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "%s[%d]", path, i);
		rc = load_rule(c, config_setting_get_elem(l, (unsigned int)i),
			       p, cfg, set, &(*out)[i]);
		if (rc == -ENOMEM)
			return rc;
		bad = bad ? bad : rc;
		*nb = (unsigned int)i + 1;
	}
	return bad;
}

static int
load_rule_list(struct ctx *c, const config_setting_t *g, enum sw_acl_set set,
	       struct sw_config *cfg)
{
	const char *name = sw_acl_set_name(set);
	const config_setting_t *l = config_setting_get_member(g, name);
	char p[64];

	if (l == NULL)
		return 0;
	snprintf(p, sizeof(p), "rules.%s", name);
	return load_list(c, l, p, cfg, set, &cfg->rules.rules[set],
			 &cfg->rules.nb[set]);
}

/*
 * rules.groups = { NAME = ( rules ); ... }: named lists that jump and
 * goto rules enter (iptables' user chains). Their names are read
 * first, so a rule may name a group defined below it.
 */
static int
group_names(struct ctx *c, const config_setting_t *g, struct sw_config *cfg)
{
	const config_setting_t *gs = config_setting_get_member(g, "groups");
	int i, n, rc;

	if (gs == NULL)
		return 0;
	rc = want_type(c, gs, "rules.groups", CONFIG_TYPE_GROUP);
	if (rc)
		return rc;
	n = config_setting_length(gs);
	if (n > SW_ACL_MAX_GROUPS)
		return fail(c, gs, "rules.groups", "%d groups, at most %d", n,
			    SW_ACL_MAX_GROUPS);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(gs, i);
		const char *name = config_setting_name(e);
		struct sw_group_conf *gc = &cfg->rules.groups[i];
		char p[96];

		snprintf(p, sizeof(p), "rules.groups.%s", name);
		if (strlen(name) >= sizeof(gc->name))
			return fail(c, e, p, "a group's name is 1-%zu "
				    "characters", sizeof(gc->name) - 1);
		snprintf(gc->name, sizeof(gc->name), "%s", name);
		gc->line = (uint32_t)config_setting_source_line(e);
		cfg->rules.nb_groups = (unsigned int)i + 1;
	}
	return 0;
}

static int
load_groups(struct ctx *c, const config_setting_t *g, struct sw_config *cfg)
{
	const config_setting_t *gs = config_setting_get_member(g, "groups");
	unsigned int i;
	int rc;

	for (i = 0; gs != NULL && i < cfg->rules.nb_groups; i++) {
		struct sw_group_conf *gc = &cfg->rules.groups[i];
		char p[96];

		snprintf(p, sizeof(p), "rules.groups.%s", gc->name);
		rc = load_list(c, config_setting_get_elem(gs, i), p, cfg,
			       SW_ACL_GROUP(i), &gc->rules, &gc->nb);
		if (rc)
			return rc;
	}
	return 0;
}

/* The first error of two steps that both ran (out of memory first). */
static int
first(int a, int b)
{
	return a == -ENOMEM || b == -ENOMEM ? -ENOMEM : a ? a : b;
}

static int
get_default(struct ctx *c, const config_setting_t *g, const char *name,
	    uint8_t *out)
{
	const config_setting_t *s;
	const char *v;
	char p[64];
	int rc;

	snprintf(p, sizeof(p), "rules.%s", name);
	rc = get_str(c, g, "rules", name, &v, &s);
	if (rc || v == NULL)
		return rc;
	if (sw_acl_parse_action(v, out) || *out == SW_ACL_RETURN)
		return fail(c, s, p, "'%s' is not accept, drop or reject", v);
	return 0;
}

/*
 * Connection limits count flows: without the flow table (flowtable.
 * enabled = false) there are none. Called once both sections are read.
 */
int
check_rules_need_table(struct ctx *c, const struct sw_config *cfg)
{
	const struct sw_rules_conf *rc_ = &cfg->rules;
	const struct sw_acl_rule *r;
	unsigned int g, i, n;

	if (cfg->flowtable.enabled)
		return 0;
	for (g = 0; g <= rc_->nb_groups; g++) {
		r = g ? rc_->groups[g - 1].rules : rc_->rules[SW_ACL_POLICY];
		n = g ? rc_->groups[g - 1].nb : rc_->nb[SW_ACL_POLICY];
		for (i = 0; i < n; i++) {
			if (r[i].conn.max == 0)
				continue;
			snprintf(c->err, c->errlen, "%s:%u: %s%s[%u]."
				 "conn_limit: needs the flow table "
				 "(flowtable.enabled is false)",
				 r[i].file < rc_->nb_files ?
				 rc_->files[r[i].file] : c->file, r[i].line,
				 g ? "rules.groups." : "rules.",
				 g ? rc_->groups[g - 1].name : "policy", i);
			return -EINVAL;
		}
	}
	return 0;
}

int
load_rules(struct ctx *c, const config_setting_t *root, struct sw_config *cfg)
{
	static const char *const keys[] = {
		"notrack", "policy", "fallback", "policy_default",
		"fallback_default", "allow_ndp", "allow_mld", "reject_rate",
		"reject_rate_per_dest", "allow_source_route",
		"fallback_from_policy", "groups", NULL
	};
	const config_setting_t *g = config_setting_get_member(root, "rules");
	struct sw_rules_conf *rc_ = &cfg->rules;
	int rc, bad;

	rc_->default_action[SW_ACL_NOTRACK] = SW_ACL_NONE;
	rc_->default_action[SW_ACL_POLICY] = SW_ACL_DROP;
	rc_->default_action[SW_ACL_FALLBACK] = SW_ACL_DROP;
	rc_->allow_ndp = true;
	rc_->allow_mld = true;
	rc_->reject_rate = 1000;
	rc_->reject_rate_per_dest = 10;
	if (g == NULL)
		return 0;
	rc = want_type(c, g, "rules", CONFIG_TYPE_GROUP);
	if (rc)
		return rc;
	/* Every part, its errors all reported; the first one's code. */
	rc = check_keys(c, g, "rules", keys);
	/* The rules name groups: a bad name list makes no more sense. */
	bad = group_names(c, g, cfg);
	if (bad)
		return first(rc, bad);
	rc = first(rc, load_rule_list(c, g, SW_ACL_NOTRACK, cfg));
	rc = first(rc, load_rule_list(c, g, SW_ACL_POLICY, cfg));
	rc = first(rc, load_rule_list(c, g, SW_ACL_FALLBACK, cfg));
	rc = first(rc, load_groups(c, g, cfg));
	rc = first(rc, get_default(c, g, "policy_default",
				   &rc_->default_action[SW_ACL_POLICY]));
	rc = first(rc, get_default(c, g, "fallback_default",
				   &rc_->default_action[SW_ACL_FALLBACK]));
	rc = first(rc, get_bool(c, g, "rules", "allow_ndp", &rc_->allow_ndp));
	rc = first(rc, get_bool(c, g, "rules", "allow_mld", &rc_->allow_mld));
	rc = first(rc, get_bool(c, g, "rules", "allow_source_route",
				&rc_->allow_source_route));
	rc = first(rc, get_int(c, g, "rules", "reject_rate", 0, 10000000,
			       &rc_->reject_rate));
	rc = first(rc, get_int(c, g, "rules", "reject_rate_per_dest", 0,
			       10000000, &rc_->reject_rate_per_dest));
	rc = first(rc, get_bool(c, g, "rules", "fallback_from_policy",
				&rc_->fallback_from_policy));
	rc_->nb_written_fallback = rc_->nb[SW_ACL_FALLBACK];
	if (rc == 0 && rc_->fallback_from_policy)
		rc = conf_derive_fallback(c, g, cfg);
	return rc;
}
