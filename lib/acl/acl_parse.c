/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>

#include <rte_common.h>

#include "sw_acl.h"

static int
bad(char *err, size_t errlen, const char *fmt, const char *s)
{
	snprintf(err, errlen, fmt, s);
	return -EINVAL;
}

int
sw_acl_parse_cidr(const char *s, struct sw_acl_cidr *out, char *err,
		  size_t errlen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash;
	char *end;
	unsigned long plen;
	size_t n;
	int i;

	memset(out, 0, sizeof(*out));
	if (strcasecmp(s, "any") == 0)
		return 0;
	slash = strchr(s, '/');
	n = slash ? (size_t)(slash - s) : strlen(s);
	if (n == 0 || n >= INET6_ADDRSTRLEN)
		return bad(err, errlen, "'%s' is not an address", s);
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (inet_pton(AF_INET, buf, out->addr) == 1)
		out->family = 4;
	else if (inet_pton(AF_INET6, buf, out->addr) == 1)
		out->family = 6;
	else
		return bad(err, errlen, "'%s' is not an IPv4 or IPv6 address",
			   s);
	plen = out->family == 4 ? 32 : 128;
	if (slash) {
		if (slash[1] < '0' || slash[1] > '9')
			return bad(err, errlen, "'%s': bad prefix length", s);
		errno = 0;
		plen = strtoul(slash + 1, &end, 10);
		if (errno || *end != '\0' ||
		    plen > (out->family == 4 ? 32u : 128u))
			return bad(err, errlen, "'%s': bad prefix length", s);
	}
	out->plen = (uint8_t)plen;
	/* Clear host bits: 192.0.2.7/24 means 192.0.2.0/24, as in nft. */
	for (i = 0; i < 16; i++) {
		int keep = (int)plen - i * 8;

		if (keep <= 0)
			out->addr[i] = 0;
		else if (keep < 8)
			out->addr[i] &= (uint8_t)(0xff << (8 - keep));
	}
	return 0;
}

static int
port_num(const char *s, const char *all, uint16_t *v, char *err,
	 size_t errlen)
{
	char *end;
	unsigned long x;

	if (*s < '0' || *s > '9')
		return bad(err, errlen, "'%s': ports are numbers 0-65535",
			   all);
	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || *end != '\0' || x > 65535)
		return bad(err, errlen, "'%s': ports are numbers 0-65535",
			   all);
	*v = (uint16_t)x;
	return 0;
}

int
sw_acl_parse_ports(const char *s, struct sw_acl_range *r, unsigned int *nb,
		   char *err, size_t errlen)
{
	char buf[256], *tok, *save = NULL, *dash;
	unsigned int n = 0;
	int rc;

	*nb = 0;
	if (strcasecmp(s, "any") == 0)
		return 0;
	if (strlen(s) >= sizeof(buf) || s[0] == '\0')
		return bad(err, errlen, "'%s': bad port list", s);
	snprintf(buf, sizeof(buf), "%s", s);
	if (strchr(buf, ':') != NULL) {
		/* iptables writes ranges 137:139; spillway, as nft, 137-139. */
		for (tok = buf; *tok; tok++)
			if (*tok == ':')
				*tok = '-';
		snprintf(err, errlen, "'%s': a range is written with '-': "
			 "\"%s\"", s, buf);
		return -EINVAL;
	}
	if (buf[strlen(buf) - 1] == ',' || buf[0] == ',' ||
	    strstr(buf, ",,"))
		return bad(err, errlen, "'%s': empty entry in port list", s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (n == SW_ACL_MAX_RANGES) {
			snprintf(err, errlen, "'%s': more than %d ports or "
				 "ranges", s, SW_ACL_MAX_RANGES);
			return -EINVAL;
		}
		dash = strchr(tok, '-');
		if (dash)
			*dash = '\0';
		rc = port_num(tok, s, &r[n].lo, err, errlen);
		if (rc)
			return rc;
		r[n].hi = r[n].lo;
		if (dash) {
			rc = port_num(dash + 1, s, &r[n].hi, err, errlen);
			if (rc)
				return rc;
			if (r[n].hi < r[n].lo) {
				snprintf(err, errlen, "'%s': range %u-%u is "
					 "upside down", s, r[n].lo, r[n].hi);
				return -EINVAL;
			}
		}
		n++;
	}
	*nb = n;
	return 0;
}

/* Protocol names rules may use; the first of a number is its name. */
static const struct {
	const char *name;
	int num;
} proto_names[] = {
	{ "any", -1 }, { "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP },
	{ "icmp", IPPROTO_ICMP }, { "icmpv6", IPPROTO_ICMPV6 },
	{ "ipv6-icmp", IPPROTO_ICMPV6 }, { "gre", IPPROTO_GRE },
	{ "esp", IPPROTO_ESP }, { "ah", IPPROTO_AH }, { "sctp", IPPROTO_SCTP },
};

const char *
sw_acl_proto_name(int proto)
{
	size_t i;

	for (i = 0; i < RTE_DIM(proto_names); i++)
		if (proto_names[i].num == proto)
			return proto_names[i].name;
	return NULL;
}

int
sw_acl_parse_proto(const char *s, int *proto, char *err, size_t errlen)
{
	unsigned long x;
	char *end;
	size_t i;

	for (i = 0; i < RTE_DIM(proto_names); i++)
		if (strcasecmp(s, proto_names[i].name) == 0) {
			*proto = proto_names[i].num;
			return 0;
		}
	if (*s < '0' || *s > '9')
		return bad(err, errlen, "unknown protocol '%s'", s);
	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || *end != '\0' || x > 255)
		return bad(err, errlen, "'%s': protocol numbers are 0-255", s);
	*proto = (int)x;
	return 0;
}

int
sw_acl_parse_tcp_flags(const char *s, uint8_t *value, uint8_t *mask,
		       char *err, size_t errlen)
{
	static const char *const names[8] = {
		"fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr",
	};
	char buf[128], *tok, *save = NULL;
	int i, neg;

	*value = 0;
	*mask = 0;
	if (s[0] == '\0' || strlen(s) >= sizeof(buf))
		return bad(err, errlen, "'%s': bad TCP flag list", s);
	snprintf(buf, sizeof(buf), "%s", s);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		neg = tok[0] == '!';
		if (neg)
			tok++;
		for (i = 0; i < 8; i++)
			if (strcasecmp(tok, names[i]) == 0)
				break;
		if (i == 8) {
			snprintf(err, errlen, "'%s': unknown TCP flag '%s' "
				 "(fin syn rst psh ack urg ece cwr, ! to "
				 "negate)", s, tok);
			return -EINVAL;
		}
		if (*mask & (1u << i)) {
			snprintf(err, errlen, "'%s': flag '%s' given twice",
				 s, names[i]);
			return -EINVAL;
		}
		*mask |= (uint8_t)(1u << i);
		if (!neg)
			*value |= (uint8_t)(1u << i);
	}
	return 0;
}

int
sw_acl_parse_ports_neg(const char *s, struct sw_acl_range *r, unsigned int *nb,
		       uint8_t *neg, char *err, size_t errlen)
{
	while (*s == ' ')
		s++;
	*neg = s[0] == '!';
	if (*neg && strchr(s + 1, '!') == NULL && strcasecmp(s + 1, "any"))
		return sw_acl_parse_ports(s + 1, r, nb, err, errlen);
	if (*neg || strchr(s, '!') != NULL)
		return bad(err, errlen, "'%s': one leading '!' negates the "
			   "whole port list (and never 'any')", s);
	return sw_acl_parse_ports(s, r, nb, err, errlen);
}

void
sw_acl_pool_free(struct sw_acl_pool *pool)
{
	free(pool->v);
	memset(pool, 0, sizeof(*pool));
}

static int
pool_add(struct sw_acl_pool *pool, const struct sw_acl_cidr *c)
{
	if (pool->n == pool->cap) {
		unsigned int cap = pool->cap ? 2 * pool->cap : 64;
		void *v = realloc(pool->v, sizeof(*pool->v) * cap);

		if (v == NULL)
			return -ENOMEM;
		pool->v = v;
		pool->cap = cap;
	}
	pool->v[pool->n++] = *c;
	return 0;
}

static char *
trim(char *t)
{
	char *e;

	while (isspace((unsigned char)*t))
		t++;
	e = t + strlen(t);
	while (e > t && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return t;
}

int
sw_acl_parse_addr(const char *s, const char *const *names,
		  unsigned int nb_sets, struct sw_acl_pool *pool,
		  struct sw_acl_cidr *one, struct sw_acl_addr *x, char *err,
		  size_t errlen)
{
	char buf[4096], *t, *tok, *save = NULL;
	struct sw_acl_cidr c;
	unsigned int first = pool->n, i, elems = 0;
	size_t n;
	int rc;

	memset(one, 0, sizeof(*one));
	memset(x, 0, sizeof(*x));
	if (strlen(s) >= sizeof(buf))
		return bad(err, errlen, "'%.40s...': list too long", s);
	snprintf(buf, sizeof(buf), "%s", s);
	t = trim(buf);
	if (*t == '!') {
		x->neg = 1;
		t = trim(t + 1);
	}
	n = strlen(t);
	if (n >= 2 && t[0] == '{' && t[n - 1] == '}') {
		t[n - 1] = '\0';
		t = trim(t + 1);
	}
	if (*t == '\0')
		return bad(err, errlen, "'%s': empty address", s);
	for (tok = strtok_r(t, ",", &save); tok != NULL;
	     tok = strtok_r(NULL, ",", &save)) {
		tok = trim(tok);
		elems++;
		if (*tok == '!' || *tok == '{' || strchr(tok, '}')) {
			pool->n = first;
			return bad(err, errlen, "'%s': one leading '!' negates "
				   "the whole list; lists do not nest", s);
		}
		if (*tok == '@') {
			for (i = 0; i < nb_sets; i++)
				if (names[i] && strcmp(names[i], tok + 1) == 0)
					break;
			if (i == nb_sets) {
				pool->n = first;
				snprintf(err, errlen, "'%s': no set named '%s' "
					 "(define it under sets)", s, tok + 1);
				return -EINVAL;
			}
			x->sets |= 1u << i;
			continue;
		}
		rc = sw_acl_parse_cidr(tok, &c, err, errlen);
		if (rc == 0 && c.family == 0 && (x->neg || elems > 1 ||
						 strtok_r(NULL, "", &save))) {
			pool->n = first;
			return bad(err, errlen, "'%s': 'any' cannot be "
				   "negated or listed", s);
		}
		if (rc == 0)
			rc = pool_add(pool, &c);
		if (rc) {
			pool->n = first;
			return rc;
		}
	}
	if (!x->neg && x->sets == 0 && pool->n - first <= 1) {
		/* One plain prefix (or any): the common case. */
		if (pool->n > first)
			*one = pool->v[first];
		pool->n = first;
		return 0;
	}
	if (pool->n - first > UINT16_MAX) {
		pool->n = first;
		return bad(err, errlen, "'%.40s...': more than 65535 prefixes "
			   "(use a set)", s);
	}
	x->list = first;
	x->nb = (uint16_t)(pool->n - first);
	return 0;
}

unsigned int
sw_acl_addr_families(const struct sw_acl_cidr *one, const struct sw_acl_addr *x,
		     const struct sw_acl_cidr *pool, const uint8_t *set_family)
{
	unsigned int i, f = 0;

	if (x->nb == 0 && x->sets == 0 && !x->neg)
		return one->family == 0 ? 3 : one->family == 4 ? 1 : 2;
	for (i = 0; i < x->nb; i++)
		f |= pool[x->list + i].family == 4 ? 1 : 2;
	for (i = 0; i < SW_ACL_MAX_SETS; i++)
		if (x->sets & (1u << i))
			f |= set_family[i] == 0 ? 3 :
			     set_family[i] == 4 ? 1 : 2;
	return f;
}

bool
sw_acl_cidr_holds(const struct sw_acl_cidr *c, uint8_t family,
		  const uint8_t *a)
{
	unsigned int full = c->plen / 8, rest = c->plen % 8;

	if (c->family == 0)
		return true;
	if (c->family != family || memcmp(c->addr, a, full) != 0)
		return false;
	return rest == 0 ||
	       ((c->addr[full] ^ a[full]) & (uint8_t)(0xff << (8 - rest))) == 0;
}

void
sw_acl_cidr_format(const struct sw_acl_cidr *c, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (c->family == 0) {
		snprintf(buf, len, "any");
		return;
	}
	inet_ntop(c->family == 4 ? AF_INET : AF_INET6, c->addr, a, sizeof(a));
	if (c->plen == (c->family == 4 ? 32 : 128))
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%u", a, c->plen);
}

struct text {
	char *p;
	size_t len;
	size_t off;		/* what it would be */
};

static void
put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->off < t->len ? t->p + t->off : NULL,
		      t->off < t->len ? t->len - t->off : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->off += (size_t)n;
}

static void
put_addr(struct text *t, const char *key, const struct sw_acl_cidr *one,
	 const struct sw_acl_addr *x, const struct sw_acl_cidr *pool,
	 const char *const *sets)
{
	char a[64];
	unsigned int i, n = 0, elems = x->nb;

	if (x->nb == 0 && x->sets == 0 && !x->neg) {
		if (one->family == 0)
			return;
		sw_acl_cidr_format(one, a, sizeof(a));
		put(t, " %s=%s", key, a);
		return;
	}
	for (i = 0; i < SW_ACL_MAX_SETS; i++)
		elems += (x->sets >> i) & 1;
	put(t, " %s=%s%s", key, x->neg ? "!" : "", elems > 1 ? "{" : "");
	for (i = 0; i < SW_ACL_MAX_SETS; i++)
		if (x->sets & (1u << i)) {
			if (sets != NULL && sets[i] != NULL)
				put(t, "%s@%s", n++ ? "," : "", sets[i]);
			else
				put(t, "%s@%u", n++ ? "," : "", i);
		}
	for (i = 0; i < x->nb; i++) {
		sw_acl_cidr_format(&pool[x->list + i], a, sizeof(a));
		put(t, "%s%s", n++ ? "," : "", a);
	}
	if (elems > 1)
		put(t, "}");
}

static void
put_ports(struct text *t, const char *key, const struct sw_acl_range *r,
	  uint8_t n, uint8_t neg)
{
	unsigned int i;

	if (n == 0)
		return;
	put(t, " %s=%s", key, neg ? "!" : "");
	for (i = 0; i < n; i++) {
		if (r[i].lo == r[i].hi)
			put(t, "%s%u", i ? "," : "", r[i].lo);
		else
			put(t, "%s%u-%u", i ? "," : "", r[i].lo, r[i].hi);
	}
}

/* " limit=over 10/1s,burst=5": a rate as its rule says it. */
static void
put_rate(struct text *t, const char *key, const struct sw_acl_rate *r)
{
	if (r->packets == 0)
		return;
	put(t, " %s=%s%u/%us,burst=%u", key, r->over ? "over " : "",
	    r->packets, r->seconds, r->burst);
}

int
sw_acl_match_text(const struct sw_acl_rule *r, const struct sw_acl_cidr *pool,
		  const char *const *ports, const char *const *sets,
		  char *buf, size_t len)
{
	static const char *const flag[8] = {
		"fin", "syn", "rst", "psh", "ack", "urg", "ece", "cwr",
	};
	struct text t = { .p = buf, .len = len, .off = 0 };
	unsigned int i, n = 0;

	if (len)
		buf[0] = '\0';
	if (r->in_port >= 0) {
		if (ports != NULL && ports[r->in_port] != NULL)
			put(&t, " in=%s", ports[r->in_port]);
		else
			put(&t, " in=%d", r->in_port);
	}
	if (r->proto >= 0)
		switch (r->proto) {
		case 6: put(&t, " proto=tcp"); break;
		case 17: put(&t, " proto=udp"); break;
		case 1: put(&t, " proto=icmp"); break;
		case 58: put(&t, " proto=icmpv6"); break;
		default: put(&t, " proto=%d", r->proto); break;
		}
	put_addr(&t, "src", &r->src, &r->srcx, pool, sets);
	put_addr(&t, "dst", &r->dst, &r->dstx, pool, sets);
	put_ports(&t, "sport", r->sport, r->nb_sport, r->sport_neg);
	put_ports(&t, "dport", r->dport, r->nb_dport, r->dport_neg);
	if (r->flags_mask) {
		put(&t, " tcp_flags=");
		for (i = 0; i < 8; i++)
			if (r->flags_mask & (1u << i))
				put(&t, "%s%s%s", n++ ? "," : "",
				    r->flags_value & (1u << i) ? "" : "!",
				    flag[i]);
	}
	if (r->icmp_type >= 0)
		put(&t, " icmp_type=%d", r->icmp_type);
	if (r->icmp_code >= 0)
		put(&t, " icmp_code=%d", r->icmp_code);
	put_rate(&t, "limit", &r->limit);
	if (r->meter.rate.packets) {
		put_rate(&t, "meter", &r->meter.rate);
		put(&t, ",%s/%u,/%u", r->meter.by_dst ? "dst" : "src",
		    r->meter.v4_prefix, r->meter.v6_prefix);
	}
	if (r->conn.max) {
		put(&t, " conn_limit=%s%u", r->conn.over ? "over " : "",
		    r->conn.max);
		if (r->conn.v4_prefix)
			put(&t, ",src/%u,/%u", r->conn.v4_prefix,
			    r->conn.v6_prefix);
	}
	if (t.off == 0)
		put(&t, " any");
	/* Drop the leading space. */
	if (len > 1)
		memmove(buf, buf + 1, strlen(buf));
	return (int)t.off - 1;
}

void
sw_acl_rule_init(struct sw_acl_rule *r, uint8_t action)
{
	memset(r, 0, sizeof(*r));
	r->in_port = -1;
	r->proto = -1;
	r->icmp_type = -1;
	r->icmp_code = -1;
	r->synproxy = -1;
	r->action = action;
}

int
sw_acl_parse_action(const char *s, uint8_t *action)
{
	if (strcmp(s, "accept") == 0)
		*action = SW_ACL_ACCEPT;
	else if (strcmp(s, "drop") == 0)
		*action = SW_ACL_DROP;
	else if (strcmp(s, "reject") == 0)
		*action = SW_ACL_REJECT;
	else if (strcmp(s, "return") == 0)
		*action = SW_ACL_RETURN;
	else
		return -EINVAL;
	return 0;
}

const char *
sw_acl_action_name(uint8_t action)
{
	static const char *const names[SW_ACL_NB_ACTIONS] = {
		"none", "accept", "drop", "reject", "return", "jump", "goto",
	};

	return action < SW_ACL_NB_ACTIONS ? names[action] : "?";
}

int
sw_acl_parse_rate(const char *s, struct sw_acl_rate *r, char *err,
		  size_t errlen)
{
	static const struct {
		const char *name;
		uint32_t seconds;
	} units[] = {
		{ "second", 1 }, { "sec", 1 }, { "s", 1 },
		{ "minute", 60 }, { "min", 60 }, { "m", 60 },
		{ "hour", 3600 }, { "h", 3600 },
		{ "day", 86400 }, { "d", 86400 },
	};
	const char *slash = strchr(s, '/');
	unsigned long x;
	char *end;
	size_t i;

	if (*s < '0' || *s > '9' || slash == NULL)
		return bad(err, errlen, "'%s': a rate is packets/unit, as "
			   "\"10/second\" (second, minute, hour, day)", s);
	errno = 0;
	x = strtoul(s, &end, 10);
	if (errno || end != slash || x == 0 || x > 100000000)
		return bad(err, errlen, "'%s': the packets of a rate are "
			   "1-100000000", s);
	for (i = 0; i < RTE_DIM(units); i++)
		if (strcasecmp(slash + 1, units[i].name) == 0)
			break;
	if (i == RTE_DIM(units))
		return bad(err, errlen, "'%s': the unit is second, minute, "
			   "hour or day", s);
	r->packets = (uint32_t)x;
	r->seconds = units[i].seconds;
	return 0;
}

bool
sw_acl_rule_stateful(const struct sw_acl_rule *r)
{
	return r->limit.packets || r->meter.rate.packets || r->conn.max;
}

const char *
sw_acl_set_name(enum sw_acl_set set)
{
	static const char *const names[SW_ACL_NB_SETS] = {
		"notrack", "policy", "fallback",
	};

	return (unsigned int)set < SW_ACL_NB_SETS ? names[set] : "?";
}
