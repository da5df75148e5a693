/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <grp.h>
#include <sys/socket.h>

#include <libconfig.h>

#include "config.h"
#include "frag.h"
#include "prefixfile.h"

/*
 * The built-in defaults describe the embedded demo: two net_af_packet
 * ports on veth interfaces sw-out and sw-in, bridged, one worker on
 * lcore 1, no hugepages. A file only needs the settings it changes.
 */
static const char *const default_eal[] = {
	"-l", "0-1", "--no-huge", "-m", "512",
};

static const struct {
	const char *name;
	const char *dev;
} default_ports[] = {
	{ "outside", "net_af_packet0,iface=sw-out" },
	{ "inside", "net_af_packet1,iface=sw-in" },
};

struct ctx {
	const char *file;
	char dir[256];		/* the config's directory, with a '/' */
	char *err;
	size_t errlen;
};

static int
fail(struct ctx *c, const config_setting_t *s, const char *path,
     const char *fmt, ...)
{
	const char *file = s ? config_setting_source_file(s) : NULL;
	int line = s ? config_setting_source_line(s) : 0;
	size_t n;
	va_list ap;

	n = (size_t)snprintf(c->err, c->errlen, "%s:%d: %s: ",
			     file ? file : c->file, line, path);
	if (n < c->errlen) {
		va_start(ap, fmt);
		vsnprintf(c->err + n, c->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static void
join(char *buf, size_t n, const char *parent, const char *name)
{
	if (parent[0] == '\0')
		snprintf(buf, n, "%s", name);
	else
		snprintf(buf, n, "%s.%s", parent, name);
}

static const char *
type_name(int t)
{
	switch (t) {
	case CONFIG_TYPE_GROUP: return "a group";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64: return "an integer";
	case CONFIG_TYPE_FLOAT: return "a float";
	case CONFIG_TYPE_STRING: return "a string";
	case CONFIG_TYPE_BOOL: return "a boolean";
	case CONFIG_TYPE_ARRAY: return "an array";
	case CONFIG_TYPE_LIST: return "a list";
	default: return "?";
	}
}

/* Every member of group g must be named in `known` (NULL-terminated). */
static int
check_keys(struct ctx *c, const config_setting_t *g, const char *path,
	   const char *const *known)
{
	char p[256];
	int i, n = config_setting_length(g);

	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, i);
		const char *name = config_setting_name(s);
		const char *const *k;

		for (k = known; *k != NULL; k++)
			if (strcmp(*k, name) == 0)
				break;
		if (*k == NULL) {
			join(p, sizeof(p), path, name);
			return fail(c, s, p, "unknown setting");
		}
	}
	return 0;
}

static int
want_type(struct ctx *c, const config_setting_t *s, const char *path,
	  int type)
{
	int t = config_setting_type(s);

	if (t == type || (type == CONFIG_TYPE_INT && t == CONFIG_TYPE_INT64))
		return 0;
	/* A list and an array read the same to a person: take either. */
	if (type == CONFIG_TYPE_LIST && t == CONFIG_TYPE_ARRAY)
		return 0;
	return fail(c, s, path, "expected %s, found %s", type_name(type),
		    type_name(t));
}

/*
 * Optional member `name` of g of the given type: *s is NULL when it is
 * absent; a member of another type is an error. p gets its path.
 */
static int
typed_member(struct ctx *c, const config_setting_t *g, const char *gpath,
	     const char *name, int type, const config_setting_t **s,
	     char *p, size_t plen)
{
	*s = config_setting_get_member(g, name);
	if (*s == NULL)
		return 0;
	join(p, plen, gpath, name);
	return want_type(c, *s, p, type);
}

/* Optional integer member `name` of g in [lo, hi]; absent keeps *out. */
static int
get_int(struct ctx *c, const config_setting_t *g, const char *gpath,
	const char *name, long long lo, long long hi, unsigned int *out)
{
	const config_setting_t *s;
	char p[256];
	long long v;
	int rc;

	rc = typed_member(c, g, gpath, name, CONFIG_TYPE_INT, &s, p,
			  sizeof(p));
	if (rc || s == NULL)
		return rc;
	v = config_setting_get_int64(s);
	if (v < lo || v > hi)
		return fail(c, s, p, "%lld is out of range %lld..%lld",
			    v, lo, hi);
	*out = (unsigned int)v;
	return 0;
}

static int
get_bool(struct ctx *c, const config_setting_t *g, const char *gpath,
	 const char *name, bool *out)
{
	const config_setting_t *s;
	char p[256];
	int rc;

	rc = typed_member(c, g, gpath, name, CONFIG_TYPE_BOOL, &s, p,
			  sizeof(p));
	if (rc == 0 && s != NULL)
		*out = config_setting_get_bool(s) != 0;
	return rc;
}

static int
set_eal(struct sw_config *cfg, const char *const *argv, unsigned int argc)
{
	unsigned int i;

	for (i = 0; i < argc; i++) {
		cfg->eal_argv[i] = strdup(argv[i]);
		if (cfg->eal_argv[i] == NULL)
			return -ENOMEM;
		cfg->eal_argc = i + 1;
	}
	return 0;
}

static int
load_eal(struct ctx *c, const config_setting_t *root, struct sw_config *cfg)
{
	const config_setting_t *s = config_setting_get_member(root, "eal");
	const char *argv[SW_MAX_EAL_ARGS];
	char p[32];
	int i, n, rc;

	if (s == NULL)
		return set_eal(cfg, default_eal,
			       sizeof(default_eal) / sizeof(default_eal[0]));
	rc = want_type(c, s, "eal", CONFIG_TYPE_LIST);
	if (rc)
		return rc;
	n = config_setting_length(s);
	if (n > SW_MAX_EAL_ARGS)
		return fail(c, s, "eal", "more than %d arguments",
			    SW_MAX_EAL_ARGS);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		snprintf(p, sizeof(p), "eal[%d]", i);
		rc = want_type(c, e, p, CONFIG_TYPE_STRING);
		if (rc)
			return rc;
		argv[i] = config_setting_get_string(e);
	}
	return set_eal(cfg, argv, (unsigned int)n);
}

static int
valid_port_name(const char *s)
{
	size_t i, n = strlen(s);

	if (n == 0 || n >= SW_PORT_NAME_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

static int
load_ports(struct ctx *c, const config_setting_t *root, struct sw_config *cfg)
{
	static const char *const keys[] = { "name", "dev", NULL };
	const config_setting_t *s = config_setting_get_member(root, "ports");
	char p[64], q[80];
	int i, n, rc;
	unsigned int j;

	if (s == NULL) {
		for (j = 0; j < 2; j++) {
			snprintf(cfg->ports[j].name, SW_PORT_NAME_MAX, "%s",
				 default_ports[j].name);
			snprintf(cfg->ports[j].dev, SW_PORT_DEV_MAX, "%s",
				 default_ports[j].dev);
		}
		cfg->nb_ports = 2;
		return 0;
	}
	rc = want_type(c, s, "ports", CONFIG_TYPE_LIST);
	if (rc)
		return rc;
	n = config_setting_length(s);
	if (n < 2 || n > SW_MAX_PORTS)
		return fail(c, s, "ports", "need 2..%d ports, found %d",
			    SW_MAX_PORTS, n);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);
		struct sw_port_conf *pc = &cfg->ports[i];
		const config_setting_t *name, *dev;

		snprintf(p, sizeof(p), "ports[%d]", i);
		rc = want_type(c, e, p, CONFIG_TYPE_GROUP);
		if (rc)
			return rc;
		rc = check_keys(c, e, p, keys);
		if (rc)
			return rc;
		name = config_setting_get_member(e, "name");
		dev = config_setting_get_member(e, "dev");
		if (name == NULL)
			return fail(c, e, p, "missing 'name'");
		if (dev == NULL)
			return fail(c, e, p, "missing 'dev'");
		snprintf(q, sizeof(q), "%s.name", p);
		rc = want_type(c, name, q, CONFIG_TYPE_STRING);
		if (rc)
			return rc;
		if (!valid_port_name(config_setting_get_string(name)))
			return fail(c, name, q, "'%s' is not a port name "
				    "(1-%d of A-Z a-z 0-9 _ -)",
				    config_setting_get_string(name),
				    SW_PORT_NAME_MAX - 1);
		if (sw_config_port_index(cfg,
					 config_setting_get_string(name)) >= 0)
			return fail(c, name, q, "duplicate port name '%s'",
				    config_setting_get_string(name));
		snprintf(q, sizeof(q), "%s.dev", p);
		rc = want_type(c, dev, q, CONFIG_TYPE_STRING);
		if (rc)
			return rc;
		if (config_setting_get_string(dev)[0] == '\0' ||
		    strlen(config_setting_get_string(dev)) >= SW_PORT_DEV_MAX)
			return fail(c, dev, q, "device string must be 1-%d "
				    "characters", SW_PORT_DEV_MAX - 1);
		for (j = 0; j < (unsigned int)i; j++)
			if (strcmp(cfg->ports[j].dev,
				   config_setting_get_string(dev)) == 0)
				return fail(c, dev, q, "device also used by "
					    "port '%s'", cfg->ports[j].name);
		snprintf(pc->name, SW_PORT_NAME_MAX, "%s",
			 config_setting_get_string(name));
		snprintf(pc->dev, SW_PORT_DEV_MAX, "%s",
			 config_setting_get_string(dev));
		cfg->nb_ports = (unsigned int)i + 1;
	}
	return 0;
}

/*
 * pairs = ( ("a", "b"), ... ). Every port is in exactly one pair: a
 * bump in the wire has no port without a peer. Absent, ports pair up in
 * the order they are listed.
 */
static int
load_pairs(struct ctx *c, const config_setting_t *root, struct sw_config *cfg)
{
	const config_setting_t *s = config_setting_get_member(root, "pairs");
	bool used[SW_MAX_PORTS] = { false };
	char p[64];
	int i, n, k, idx[2], rc;
	unsigned int j;

	if (s == NULL) {
		if (cfg->nb_ports % 2)
			return fail(c, config_setting_get_member(root, "ports"),
				    "ports", "odd number of ports and no "
				    "'pairs' to say which port pairs with "
				    "which");
		for (j = 0; j < cfg->nb_ports; j += 2) {
			cfg->ports[j].peer = (uint8_t)(j + 1);
			cfg->ports[j + 1].peer = (uint8_t)j;
		}
		return 0;
	}
	rc = want_type(c, s, "pairs", CONFIG_TYPE_LIST);
	if (rc)
		return rc;
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		snprintf(p, sizeof(p), "pairs[%d]", i);
		rc = want_type(c, e, p, CONFIG_TYPE_LIST);
		if (rc)
			return rc;
		if (config_setting_length(e) != 2)
			return fail(c, e, p, "a pair names exactly 2 ports");
		for (k = 0; k < 2; k++) {
			const config_setting_t *x =
				config_setting_get_elem(e, (unsigned int)k);
			const char *name;

			rc = want_type(c, x, p, CONFIG_TYPE_STRING);
			if (rc)
				return rc;
			name = config_setting_get_string(x);
			idx[k] = sw_config_port_index(cfg, name);
			if (idx[k] < 0)
				return fail(c, x, p, "no port named '%s'",
					    name);
			if (used[idx[k]])
				return fail(c, x, p, "port '%s' is already "
					    "paired", name);
			used[idx[k]] = true;
		}
		cfg->ports[idx[0]].peer = (uint8_t)idx[1];
		cfg->ports[idx[1]].peer = (uint8_t)idx[0];
	}
	for (j = 0; j < cfg->nb_ports; j++)
		if (!used[j])
			return fail(c, s, "pairs", "port '%s' is in no pair",
				    cfg->ports[j].name);
	return 0;
}

/*
 * l2_passthrough: true (ARP and LLDP), false (no non-IP frame), or the
 * list of what passes: names (arp, lldp, mpls, ...) and ethertypes.
 */
static int
load_l2(struct ctx *c, const config_setting_t *root, struct sw_config *cfg)
{
	const config_setting_t *s;
	char p[64], why[256];
	int i, n, rc;

	s = config_setting_get_member(root, "l2_passthrough");
	sw_l2_default(&cfg->l2);
	cfg->l2_passthrough = true;
	if (s == NULL)
		return 0;
	if (config_setting_type(s) == CONFIG_TYPE_BOOL) {
		cfg->l2_passthrough = config_setting_get_bool(s) != 0;
		if (!cfg->l2_passthrough)
			memset(&cfg->l2, 0, sizeof(cfg->l2));
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_LIST &&
	    config_setting_type(s) != CONFIG_TYPE_ARRAY)
		return fail(c, s, "l2_passthrough", "expected a boolean or a "
			    "list of ethertypes (\"arp\", \"lldp\", "
			    "\"0x88b5\"), found %s",
			    type_name(config_setting_type(s)));
	memset(&cfg->l2, 0, sizeof(cfg->l2));
	n = config_setting_length(s);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, i);

		snprintf(p, sizeof(p), "l2_passthrough[%d]", i);
		rc = want_type(c, e, p, CONFIG_TYPE_STRING);
		if (rc)
			return rc;
		if (sw_l2_add(&cfg->l2, config_setting_get_string(e), why,
			      sizeof(why)))
			return fail(c, e, p, "%s", why);
	}
	cfg->l2_passthrough = n > 0;
	return 0;
}

static int
load_workers(struct ctx *c, const config_setting_t *root,
	     struct sw_config *cfg)
{
	static const char *const keys[] = { "lcores", "burst", NULL };
	const config_setting_t *s = config_setting_get_member(root, "workers");
	const config_setting_t *l;
	char p[64];
	int i, n, rc;
	unsigned int j, v;

	cfg->nb_workers = 1;
	cfg->lcores[0] = 1;
	cfg->burst = 32;
	if (s == NULL)
		return 0;
	rc = want_type(c, s, "workers", CONFIG_TYPE_GROUP);
	if (rc)
		return rc;
	rc = check_keys(c, s, "workers", keys);
	if (rc)
		return rc;
	rc = get_int(c, s, "workers", "burst", 1, 64, &cfg->burst);
	if (rc)
		return rc;
	l = config_setting_get_member(s, "lcores");
	if (l == NULL)
		return 0;
	rc = want_type(c, l, "workers.lcores", CONFIG_TYPE_LIST);
	if (rc)
		return rc;
	n = config_setting_length(l);
	if (n < 1 || n > SW_MAX_WORKERS)
		return fail(c, l, "workers.lcores", "need 1..%d lcores",
			    SW_MAX_WORKERS);
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(l, i);
		long long x;

		snprintf(p, sizeof(p), "workers.lcores[%d]", i);
		rc = want_type(c, e, p, CONFIG_TYPE_INT);
		if (rc)
			return rc;
		x = config_setting_get_int64(e);
		if (x < 0 || x >= 1024)
			return fail(c, e, p, "%lld is not an lcore id", x);
		v = (unsigned int)x;
		for (j = 0; j < (unsigned int)i; j++)
			if (cfg->lcores[j] == v)
				return fail(c, e, p, "lcore %u listed twice",
					    v);
		cfg->lcores[i] = v;
	}
	cfg->nb_workers = (unsigned int)n;
	return 0;
}

/* Optional string member; *out NULL when absent. */
static int
get_str(struct ctx *c, const config_setting_t *g, const char *gpath,
	const char *name, const char **out, const config_setting_t **set)
{
	char p[256];
	int rc;

	*out = NULL;
	rc = typed_member(c, g, gpath, name, CONFIG_TYPE_STRING, set, p,
			  sizeof(p));
	if (rc == 0 && *set != NULL)
		*out = config_setting_get_string(*set);
	return rc;
}

/* A port list may be written 80 or "80,443". */
static int
get_ports(struct ctx *c, const config_setting_t *g, const char *gpath,
	  const char *name, struct sw_acl_range *r, uint8_t *nb,
	  uint8_t *neg, const config_setting_t **set)
{
	const config_setting_t *s = config_setting_get_member(g, name);
	char p[256], buf[16], why[160];
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

/*
 * log = true: what the rule decides goes to the drop log; log_prefix
 * starts its lines (printable ASCII: a prefix cannot forge a line).
 */
static int
load_rule_log(struct ctx *c, const config_setting_t *e, const char *p,
	      struct sw_acl_rule *r, const char *lp,
	      const config_setting_t *s_lp)
{
	char q[256];
	bool log = false;
	size_t i;
	int rc;

	rc = get_bool(c, e, p, "log", &log);
	if (rc)
		return rc;
	r->log = log;
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

static int
load_rule(struct ctx *c, const config_setting_t *e, const char *p,
	  struct sw_config *cfg, enum sw_acl_set set,
	  struct sw_acl_rule *r)
{
	static const char *const keys[] = {
		"in", "src", "dst", "proto", "sport", "dport", "tcp_flags",
		"icmp_type", "icmp_code", "action", "comment", "synproxy",
		"log", "log_prefix", NULL
	};
	const config_setting_t *s_px, *s_lp;
	const config_setting_t *s_in, *s_src, *s_dst, *s_proto, *s_sport,
		*s_dport, *s_flags, *s_type, *s_code, *s_action, *s_comment;
	const char *in, *proto, *flags, *action, *comment, *lp;
	uint8_t setfam[SW_ACL_MAX_SETS];
	unsigned int fam, fs, fd, i;
	char q[256], why[160];
	int rc, pr;

	rc = want_type(c, e, p, CONFIG_TYPE_GROUP);
	if (rc == 0)
		rc = check_keys(c, e, p, keys);
	if (rc == 0)
		rc = get_str(c, e, p, "in", &in, &s_in);
	if (rc == 0)
		rc = get_str(c, e, p, "proto", &proto, &s_proto);
	if (rc == 0)
		rc = get_str(c, e, p, "tcp_flags", &flags, &s_flags);
	if (rc == 0)
		rc = get_str(c, e, p, "action", &action, &s_action);
	if (rc == 0)
		rc = get_str(c, e, p, "comment", &comment, &s_comment);
	if (rc == 0)
		rc = get_str(c, e, p, "log_prefix", &lp, &s_lp);
	if (rc)
		return rc;

	sw_acl_rule_init(r, SW_ACL_NONE);
	r->line = (uint32_t)config_setting_source_line(e);
	rc = file_index(c, e, cfg);
	if (rc < 0)
		return rc;
	r->file = (uint16_t)rc;
	if (action == NULL)
		return fail(c, e, p, "missing 'action' (accept, drop, reject "
			    "or return)");
	join(q, sizeof(q), p, "action");
	if (sw_acl_parse_action(action, &r->action))
		return fail(c, s_action, q, "'%s' is not accept, drop, reject "
			    "or return", action);
	if (in != NULL) {
		join(q, sizeof(q), p, "in");
		r->in_port = (int16_t)sw_config_port_index(cfg, in);
		if (r->in_port < 0)
			return fail(c, s_in, q, "no port named '%s'", in);
	}
	rc = get_addr(c, e, p, "src", cfg, &r->src, &r->srcx, &s_src);
	if (rc == 0)
		rc = get_addr(c, e, p, "dst", cfg, &r->dst, &r->dstx, &s_dst);
	if (rc)
		return rc;
	for (i = 0; i < SW_ACL_MAX_SETS; i++)
		setfam[i] = i < cfg->nb_sets ? cfg->sets[i].family : 0;
	fs = sw_acl_addr_families(&r->src, &r->srcx, cfg->rules.pool.v,
				  setfam);
	fd = sw_acl_addr_families(&r->dst, &r->dstx, cfg->rules.pool.v,
				  setfam);
	fam = fs & fd;
	if (fam == 0) {
		join(q, sizeof(q), p, "dst");
		return fail(c, s_dst, q, "an IPv%u match, but src is IPv%u: "
			    "the rule could never match", fd == 1 ? 4 : 6,
			    fs == 1 ? 4 : 6);
	}
	if (proto != NULL) {
		join(q, sizeof(q), p, "proto");
		if (sw_acl_parse_proto(proto, &pr, why, sizeof(why)))
			return fail(c, s_proto, q, "%s", why);
		r->proto = (int16_t)pr;
	}
	/* ICMP is IPv4's, ICMPv6 IPv6's: an address of the other family
	 * could never match. */
	if (r->proto == IPPROTO_ICMP || r->proto == IPPROTO_ICMPV6) {
		uint8_t want = r->proto == IPPROTO_ICMP ? 4 : 6;
		unsigned int bit = want == 4 ? 1 : 2;
		const config_setting_t *bad = NULL;
		const char *which = NULL;

		if (!(fs & bit)) {
			bad = s_src;
			which = "src";
		} else if (!(fd & bit)) {
			bad = s_dst;
			which = "dst";
		}
		if (bad != NULL) {
			join(q, sizeof(q), p, which);
			return fail(c, bad, q, "an IPv%u address in an %s "
				    "rule (use %s)", 10 - want,
				    want == 4 ? "icmp" : "icmpv6",
				    want == 4 ? "icmpv6" : "icmp");
		}
	}
	rc = get_ports(c, e, p, "sport", r->sport, &r->nb_sport,
		       &r->sport_neg, &s_sport);
	if (rc == 0)
		rc = get_ports(c, e, p, "dport", r->dport, &r->nb_dport,
			       &r->dport_neg, &s_dport);
	if (rc)
		return rc;
	if ((s_sport || s_dport) && r->proto != IPPROTO_TCP &&
	    r->proto != IPPROTO_UDP) {
		join(q, sizeof(q), p, s_sport ? "sport" : "dport");
		return fail(c, s_sport ? s_sport : s_dport, q,
			    "ports need proto \"tcp\" or \"udp\"");
	}
	if (flags != NULL) {
		join(q, sizeof(q), p, "tcp_flags");
		if (r->proto != IPPROTO_TCP)
			return fail(c, s_flags, q, "needs proto \"tcp\"");
		if (sw_acl_parse_tcp_flags(flags, &r->flags_value,
					   &r->flags_mask, why, sizeof(why)))
			return fail(c, s_flags, q, "%s", why);
	}
	rc = get_icmp(c, e, p, "icmp_type", &r->icmp_type, &s_type);
	if (rc == 0)
		rc = get_icmp(c, e, p, "icmp_code", &r->icmp_code, &s_code);
	if (rc)
		return rc;
	if ((s_type || s_code) && r->proto != IPPROTO_ICMP &&
	    r->proto != IPPROTO_ICMPV6) {
		join(q, sizeof(q), p, s_type ? "icmp_type" : "icmp_code");
		return fail(c, s_type ? s_type : s_code, q,
			    "needs proto \"icmp\" or \"icmpv6\"");
	}
	if (comment != NULL) {
		join(q, sizeof(q), p, "comment");
		if (strlen(comment) >= SW_ACL_COMMENT_MAX)
			return fail(c, s_comment, q, "longer than %d "
				    "characters", SW_ACL_COMMENT_MAX - 1);
		snprintf(r->comment, sizeof(r->comment), "%s", comment);
	}
	rc = load_rule_log(c, e, p, r, lp, s_lp);
	if (rc)
		return rc;
	s_px = config_setting_get_member(e, "synproxy");
	if (s_px != NULL) {
		bool px = false;

		join(q, sizeof(q), p, "synproxy");
		if (set != SW_ACL_POLICY || r->action != SW_ACL_ACCEPT ||
		    (r->proto != IPPROTO_TCP && r->proto != -1))
			return fail(c, s_px, q, "only on policy rules that "
				    "accept TCP");
		rc = get_bool(c, e, p, "synproxy", &px);
		if (rc)
			return rc;
		r->synproxy = px ? 1 : 0;
	}
	return 0;
}

static int
load_rule_list(struct ctx *c, const config_setting_t *g, enum sw_acl_set set,
	       struct sw_config *cfg)
{
	const char *name = sw_acl_set_name(set);
	const config_setting_t *l = config_setting_get_member(g, name);
	char p[64];
	int i, n, rc;

	if (l == NULL)
		return 0;
	snprintf(p, sizeof(p), "rules.%s", name);
	rc = want_type(c, l, p, CONFIG_TYPE_LIST);
	if (rc)
		return rc;
	n = config_setting_length(l);
	if (n > SW_ACL_MAX_RULES)
		return fail(c, l, p, "%d rules, at most %d", n,
			    SW_ACL_MAX_RULES);
	if (n == 0)
		return 0;
	cfg->rules.rules[set] = calloc((size_t)n, sizeof(struct sw_acl_rule));
	if (cfg->rules.rules[set] == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		snprintf(p, sizeof(p), "rules.%s[%d]", name, i);
		rc = load_rule(c, config_setting_get_elem(l, (unsigned int)i),
			       p, cfg, set, &cfg->rules.rules[set][i]);
		if (rc)
			return rc;
		cfg->rules.nb[set] = (unsigned int)i + 1;
	}
	return 0;
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
 * rules.fallback_from_policy: the policy, read statelessly. Each policy
 * rule becomes a fallback rule in the same order, so a drop or return
 * above an accept still comes first. An accept also lets through what
 * its connections send back: TCP segments with ACK set (which covers
 * the SYN-ACK, and never a bare SYN), UDP from the ports it accepted
 * to, ICMP echo replies; other protocols both ways. Its own TCP flags
 * condition is dropped: the fallback rules see every packet of a
 * connection, not only the SYN that opened it.
 */
static void
derived(struct sw_acl_rule *d, const struct sw_acl_rule *r, unsigned int from,
	uint8_t origin)
{
	*d = *r;
	d->origin = origin;
	d->from = from;
	d->synproxy = -1;
}

static void
reply_of(struct sw_acl_rule *d, const struct sw_acl_rule *r, unsigned int from,
	 const struct sw_config *cfg, int16_t proto)
{
	derived(d, r, from, SW_ACL_DERIVED_REPLY);
	d->in_port = r->in_port < 0 ? -1 :
		     (int16_t)cfg->ports[r->in_port].peer;
	d->src = r->dst;
	d->srcx = r->dstx;
	d->dst = r->src;
	d->dstx = r->srcx;
	memcpy(d->sport, r->dport, sizeof(d->sport));
	memcpy(d->dport, r->sport, sizeof(d->dport));
	d->nb_sport = r->nb_dport;
	d->nb_dport = r->nb_sport;
	d->sport_neg = r->dport_neg;
	d->dport_neg = r->sport_neg;
	d->proto = proto;
	d->flags_mask = 0;
	d->flags_value = 0;
	d->icmp_type = -1;
	d->icmp_code = -1;
	if (proto == 6)
		d->flags_mask = d->flags_value = 0x10;	/* ACK */
	else if (proto == 1)
		d->icmp_type = 0;			/* echo reply */
	else if (proto == 58)
		d->icmp_type = 129;
	if (proto != 6 && proto != 17) {
		d->nb_sport = d->nb_dport = 0;
		d->sport_neg = d->dport_neg = 0;
	}
}

static int
derive_fallback(struct ctx *c, const config_setting_t *g,
		struct sw_config *cfg)
{
	static const int16_t any_protos[] = { 6, 17, 1, 58 };
	struct sw_rules_conf *rc_ = &cfg->rules;
	const struct sw_acl_rule *pol = rc_->rules[SW_ACL_POLICY];
	unsigned int np = rc_->nb[SW_ACL_POLICY], nf = rc_->nb[SW_ACL_FALLBACK];
	unsigned int i, k, n = nf, cap = nf + np * 5;
	struct sw_acl_rule *out;

	rc_->nb_written_fallback = nf;
	if (np == 0)
		return 0;
	out = realloc(rc_->rules[SW_ACL_FALLBACK], sizeof(*out) * cap);
	if (out == NULL)
		return -ENOMEM;
	rc_->rules[SW_ACL_FALLBACK] = out;
	for (i = 0; i < np; i++) {
		const struct sw_acl_rule *r = &pol[i];

		if (r->action != SW_ACL_ACCEPT) {
			derived(&out[n++], r, i, SW_ACL_DERIVED_COPY);
			continue;
		}
		derived(&out[n], r, i, SW_ACL_DERIVED);
		out[n].flags_mask = out[n].flags_value = 0;
		n++;
		if (r->proto < 0) {
			for (k = 0; k < 4; k++)
				reply_of(&out[n++], r, i, cfg, any_protos[k]);
		} else if ((r->proto == 1 && r->icmp_type >= 0 &&
			    r->icmp_type != 8) ||
			   (r->proto == 58 && r->icmp_type >= 0 &&
			    r->icmp_type != 128)) {
			continue;	/* no reply to expect */
		} else {
			reply_of(&out[n++], r, i, cfg, r->proto);
		}
	}
	if (n > SW_ACL_MAX_RULES)
		return fail(c, g, "rules.fallback_from_policy", "%u fallback "
			    "rules with the derived ones, at most %d", n,
			    SW_ACL_MAX_RULES);
	rc_->nb[SW_ACL_FALLBACK] = n;
	return 0;
}

static int
load_rules(struct ctx *c, const config_setting_t *root, struct sw_config *cfg)
{
	static const char *const keys[] = {
		"notrack", "policy", "fallback", "policy_default",
		"fallback_default", "allow_ndp", "reject_rate",
		"reject_rate_per_dest", "allow_source_route",
		"fallback_from_policy", NULL
	};
	const config_setting_t *g = config_setting_get_member(root, "rules");
	struct sw_rules_conf *rc_ = &cfg->rules;
	int rc;

	rc_->default_action[SW_ACL_NOTRACK] = SW_ACL_NONE;
	rc_->default_action[SW_ACL_POLICY] = SW_ACL_DROP;
	rc_->default_action[SW_ACL_FALLBACK] = SW_ACL_DROP;
	rc_->allow_ndp = true;
	rc_->reject_rate = 1000;
	rc_->reject_rate_per_dest = 10;
	if (g == NULL)
		return 0;
	rc = want_type(c, g, "rules", CONFIG_TYPE_GROUP);
	if (rc == 0)
		rc = check_keys(c, g, "rules", keys);
	if (rc == 0)
		rc = load_rule_list(c, g, SW_ACL_NOTRACK, cfg);
	if (rc == 0)
		rc = load_rule_list(c, g, SW_ACL_POLICY, cfg);
	if (rc == 0)
		rc = load_rule_list(c, g, SW_ACL_FALLBACK, cfg);
	if (rc == 0)
		rc = get_default(c, g, "policy_default",
				 &rc_->default_action[SW_ACL_POLICY]);
	if (rc == 0)
		rc = get_default(c, g, "fallback_default",
				 &rc_->default_action[SW_ACL_FALLBACK]);
	if (rc == 0)
		rc = get_bool(c, g, "rules", "allow_ndp", &rc_->allow_ndp);
	if (rc == 0)
		rc = get_bool(c, g, "rules", "allow_source_route",
			      &rc_->allow_source_route);
	if (rc == 0)
		rc = get_int(c, g, "rules", "reject_rate", 0, 10000000,
			     &rc_->reject_rate);
	if (rc == 0)
		rc = get_int(c, g, "rules", "reject_rate_per_dest", 0,
			     10000000, &rc_->reject_rate_per_dest);
	if (rc == 0)
		rc = get_bool(c, g, "rules", "fallback_from_policy",
			      &rc_->fallback_from_policy);
	rc_->nb_written_fallback = rc_->nb[SW_ACL_FALLBACK];
	if (rc == 0 && rc_->fallback_from_policy)
		rc = derive_fallback(c, g, cfg);
	return rc;
}

static int
parse_family(const char *v, uint8_t *f)
{
	if (strcmp(v, "ipv4") == 0)
		*f = 4;
	else if (strcmp(v, "ipv6") == 0)
		*f = 6;
	else if (strcmp(v, "any") == 0)
		*f = 0;
	else
		return -EINVAL;
	return 0;
}

/* One set: definition, elements and file, read now. */
static int
load_set(struct ctx *c, const config_setting_t *e, struct sw_set_conf *sc)
{
	static const char *const keys[] = {
		"family", "file", "elements", "max", "max_nets", NULL
	};
	const config_setting_t *s_fam, *s_file, *s_el;
	const char *fam = NULL, *file = NULL;
	char p[128], q[160], why[SW_ERR_MAX];
	bool max_given, nets_given;
	uint32_t cap = 0;
	int i, n, rc;

	snprintf(p, sizeof(p), "sets.%s", config_setting_name(e));
	rc = want_type(c, e, p, CONFIG_TYPE_GROUP);
	if (rc == 0)
		rc = check_keys(c, e, p, keys);
	if (rc == 0)
		rc = get_str(c, e, p, "family", &fam, &s_fam);
	if (rc == 0)
		rc = get_str(c, e, p, "file", &file, &s_file);
	if (rc)
		return rc;
	if (strlen(config_setting_name(e)) >= SW_SET_NAME_MAX)
		return fail(c, e, p, "name longer than %d characters",
			    SW_SET_NAME_MAX - 1);
	snprintf(sc->name, sizeof(sc->name), "%s", config_setting_name(e));
	sc->line = (uint32_t)config_setting_source_line(e);
	sc->family = 4;
	if (fam != NULL && parse_family(fam, &sc->family)) {
		join(q, sizeof(q), p, "family");
		return fail(c, s_fam, q, "'%s' is not ipv4, ipv6 or any", fam);
	}
	rc = get_int(c, e, p, "max", 1, 64u << 20, &sc->max);
	if (rc == 0)
		rc = get_int(c, e, p, "max_nets", 1, 64u << 20, &sc->max_nets);
	if (rc)
		return rc;
	sc->digest = sw_digest(0xcbf29ce484222325ull, &sc->family, 1);
	sc->digest = sw_digest(sc->digest, &sc->max, sizeof(sc->max));
	sc->digest = sw_digest(sc->digest, &sc->max_nets,
			       sizeof(sc->max_nets));
	max_given = sc->max != 0;
	nets_given = sc->max_nets != 0;
	rc = typed_member(c, e, p, "elements", CONFIG_TYPE_LIST, &s_el, q,
			  sizeof(q));
	if (rc)
		return rc;
	n = s_el ? config_setting_length(s_el) : 0;
	for (i = 0; i < n; i++) {
		const config_setting_t *el =
			config_setting_get_elem(s_el, (unsigned int)i);
		const char *t = config_setting_get_string(el);
		struct sw_acl_cidr cidr;

		snprintf(q, sizeof(q), "%s.elements[%d]", p, i);
		if (t == NULL)
			return fail(c, el, q, "expected a prefix string");
		if (sw_acl_parse_cidr(t, &cidr, why, sizeof(why)))
			return fail(c, el, q, "%s", why);
		if (cidr.family == 0 ||
		    (sc->family && cidr.family != sc->family))
			return fail(c, el, q, "'%s' is not an IPv%u prefix", t,
				    sc->family ? sc->family : 4);
		if (sc->nb_prefixes == cap) {
			void *np;

			cap = cap ? 2 * cap : 64;
			np = realloc(sc->prefixes, sizeof(cidr) * cap);
			if (np == NULL)
				return -ENOMEM;
			sc->prefixes = np;
		}
		sc->prefixes[sc->nb_prefixes++] = cidr;
		sc->digest = sw_digest(sc->digest, &cidr, sizeof(cidr));
	}
	if (file != NULL) {
		join(q, sizeof(q), p, "file");
		if (strlen(file) >= sizeof(sc->file) || file[0] == '\0')
			return fail(c, s_file, q, "bad path");
		snprintf(sc->file, sizeof(sc->file), "%s", file);
		snprintf(sc->path, sizeof(sc->path), "%s%s",
			 file[0] == '/' ? "" : c->dir, file);
		sc->digest = sw_digest(sc->digest, sc->path,
				       strlen(sc->path));
		rc = sw_prefix_file_read(sc->path, sc->family, &sc->prefixes,
					 &sc->nb_prefixes, &sc->digest, why,
					 sizeof(why));
		if (rc == -ENOMEM)
			return rc;
		if (rc)
			return fail(c, s_file, q, "%s", why);
	}
	/*
	 * Sized at start: by default with room for twice what the set
	 * holds now (at least 4,096 prefixes, 1,024 of them networks).
	 */
	for (i = 0, n = 0; i < (int)sc->nb_prefixes; i++)
		n += sc->prefixes[i].plen != (sc->prefixes[i].family == 4 ?
					      32 : 128);
	if (!max_given)
		sc->max = sc->nb_prefixes > 2048 ? 2 * sc->nb_prefixes : 4096;
	if (!nets_given)
		sc->max_nets = n > 512 ? 2 * (uint32_t)n : 1024;
	if (sc->max_nets > sc->max)
		sc->max_nets = sc->max;
	if (sc->nb_prefixes > sc->max * (sc->family ? 1u : 2u))
		return fail(c, e, p, "%u prefixes, max is %u", sc->nb_prefixes,
			    sc->max);
	return 0;
}

static int
load_sets(struct ctx *c, const config_setting_t *root, struct sw_config *cfg)
{
	const config_setting_t *g = config_setting_get_member(root, "sets");
	int i, n, rc;

	if (g == NULL)
		return 0;
	rc = want_type(c, g, "sets", CONFIG_TYPE_GROUP);
	if (rc)
		return rc;
	n = config_setting_length(g);
	if (n > SW_ACL_MAX_SETS)
		return fail(c, g, "sets", "%d sets, at most %d", n,
			    SW_ACL_MAX_SETS);
	for (i = 0; i < n; i++) {
		rc = load_set(c, config_setting_get_elem(g, (unsigned int)i),
			      &cfg->sets[i]);
		cfg->nb_sets = (unsigned int)i + 1;
		if (rc)
			return rc;
	}
	return 0;
}

static int
load_timeouts(struct ctx *c, const config_setting_t *ft, struct sw_config *cfg)
{
	const config_setting_t *g = ft ? config_setting_get_member(ft,
								    "timeouts")
				       : NULL;
	const char *known[SW_FT_TO_MAX + 1];
	unsigned int t;
	int rc;

	for (t = 0; t < SW_FT_TO_MAX; t++) {
		known[t] = sw_ft_timeout_name(t);
		cfg->flowtable.timeouts[t] = sw_ft_timeout_default(t);
	}
	known[SW_FT_TO_MAX] = NULL;
	if (g == NULL)
		return 0;
	rc = want_type(c, g, "flowtable.timeouts", CONFIG_TYPE_GROUP);
	if (rc == 0)
		rc = check_keys(c, g, "flowtable.timeouts", known);
	for (t = 0; rc == 0 && t < SW_FT_TO_MAX; t++)
		rc = get_int(c, g, "flowtable.timeouts", known[t], 1,
			     INT32_MAX, &cfg->flowtable.timeouts[t]);
	return rc;
}

static int
load_per_source(struct ctx *c, const config_setting_t *g,
		struct sw_flowtable_conf *f)
{
	static const char *const keys[] = {
		"v4_prefix", "v6_prefix", "max_flows", "max_new_per_s", "over",
		"max_sources", NULL
	};
	const char *gp = "flowtable.per_source";
	const config_setting_t *p = config_setting_get_member(g, "per_source");
	const config_setting_t *so;
	const char *over;
	int rc;

	if (p == NULL)
		return 0;
	rc = want_type(c, p, gp, CONFIG_TYPE_GROUP);
	if (rc == 0)
		rc = check_keys(c, p, gp, keys);
	if (rc == 0)
		rc = get_int(c, p, gp, "v4_prefix", 1, 32, &f->src_v4_prefix);
	if (rc == 0)
		rc = get_int(c, p, gp, "v6_prefix", 1, 128, &f->src_v6_prefix);
	if (rc == 0)
		rc = get_int(c, p, gp, "max_flows", 0, f->max_flows,
			     &f->src_max_flows);
	if (rc == 0)
		rc = get_int(c, p, gp, "max_new_per_s", 0, 100000000,
			     &f->src_max_new_per_s);
	if (rc == 0)
		rc = get_int(c, p, gp, "max_sources", 0, 1 << 28,
			     &f->src_max_sources);
	if (rc == 0)
		rc = get_str(c, p, gp, "over", &over, &so);
	if (rc == 0 && over != NULL) {
		if (strcmp(over, "drop") == 0)
			f->src_over_fallback = false;
		else if (strcmp(over, "fallback") == 0)
			f->src_over_fallback = true;
		else
			rc = fail(c, so, "flowtable.per_source.over", "'%s' is "
				  "not drop or fallback", over);
	}
	return rc;
}

static int
load_flowtable(struct ctx *c, const config_setting_t *root,
	       struct sw_config *cfg)
{
	static const char *const keys[] = {
		"enabled", "max_flows", "tcp_loose", "tcp_be_liberal",
		"zone_vlan", "early_drop", "high_water", "adaptive",
		"timeouts", "revalidate_on_reload", "synproxy",
		"synproxy_start", "synproxy_wscale", "synproxy_mss",
		"synproxy_cookie_period", "synproxy_bad_cookies",
		"per_source", NULL
	};
	static const char *const akeys[] = { "start", "end", NULL };
	const config_setting_t *g = config_setting_get_member(root,
							       "flowtable");
	const config_setting_t *a;
	struct sw_flowtable_conf *f = &cfg->flowtable;
	int rc;

	f->enabled = true;
	f->max_flows = 1u << 20;
	f->tcp_loose = true;
	f->early_drop = true;
	f->high_water = 95;
	f->adaptive_start = 60;
	f->adaptive_end = 120;
	f->synproxy = SW_FT_PROXY_AUTO;
	f->synproxy_start = 50;
	f->synproxy_wscale = 7;
	f->synproxy_mss = 0;
	f->synproxy_cookie_period = 64;
	f->synproxy_bad_cookies = 32;
	f->src_v4_prefix = 32;
	f->src_v6_prefix = 64;
	f->src_max_new_per_s = 0;
	f->src_max_sources = 0;
	f->src_over_fallback = false;
	if (g == NULL)
		return load_timeouts(c, NULL, cfg);
	rc = want_type(c, g, "flowtable", CONFIG_TYPE_GROUP);
	if (rc == 0)
		rc = check_keys(c, g, "flowtable", keys);
	if (rc == 0)
		rc = get_bool(c, g, "flowtable", "enabled", &f->enabled);
	if (rc == 0)
		rc = get_int(c, g, "flowtable", "max_flows", 1, 1 << 28,
			     &f->max_flows);
	if (rc == 0 && f->max_flows < cfg->nb_workers)
		rc = fail(c, config_setting_get_member(g, "max_flows"),
			  "flowtable.max_flows", "%u is below the number of "
			  "workers (%u): each needs a shard",
			  f->max_flows, cfg->nb_workers);
	if (rc == 0)
		rc = get_bool(c, g, "flowtable", "tcp_loose", &f->tcp_loose);
	if (rc == 0)
		rc = get_bool(c, g, "flowtable", "tcp_be_liberal",
			      &f->tcp_be_liberal);
	if (rc == 0)
		rc = get_bool(c, g, "flowtable", "zone_vlan", &f->zone_vlan);
	if (rc == 0)
		rc = get_bool(c, g, "flowtable", "early_drop", &f->early_drop);
	if (rc == 0)
		rc = get_int(c, g, "flowtable", "high_water", 50, 100,
			     &f->high_water);
	if (rc == 0)
		rc = get_bool(c, g, "flowtable", "revalidate_on_reload",
			      &f->revalidate_on_reload);
	if (rc == 0) {
		const config_setting_t *sp;
		const char *mode;

		rc = get_str(c, g, "flowtable", "synproxy", &mode, &sp);
		if (rc == 0 && mode != NULL) {
			if (strcmp(mode, "off") == 0)
				f->synproxy = SW_FT_PROXY_OFF;
			else if (strcmp(mode, "auto") == 0)
				f->synproxy = SW_FT_PROXY_AUTO;
			else if (strcmp(mode, "on") == 0)
				f->synproxy = SW_FT_PROXY_ON;
			else
				rc = fail(c, sp, "flowtable.synproxy", "'%s' is "
					  "not off, auto or on", mode);
		}
	}
	if (rc == 0)
		rc = get_int(c, g, "flowtable", "synproxy_start", 1, 100,
			     &f->synproxy_start);
	if (rc == 0)
		rc = get_int(c, g, "flowtable", "synproxy_wscale", 0, 14,
			     &f->synproxy_wscale);
	if (rc == 0)
		rc = get_int(c, g, "flowtable", "synproxy_mss", 0, 9000,
			     &f->synproxy_mss);
	if (rc == 0)
		rc = get_int(c, g, "flowtable", "synproxy_cookie_period", 1,
			     3600, &f->synproxy_cookie_period);
	if (rc == 0)
		rc = get_int(c, g, "flowtable", "synproxy_bad_cookies", 0,
			     1000000, &f->synproxy_bad_cookies);
	if (rc == 0 && f->synproxy_mss && f->synproxy_mss < 536)
		rc = fail(c, config_setting_get_member(g, "synproxy_mss"),
			  "flowtable.synproxy_mss", "%u is below 536 (0: 1460 "
			  "for IPv4, 1440 for IPv6)", f->synproxy_mss);
	/* A single source never holds more than a quarter of the table. */
	f->src_max_flows = f->max_flows / 4 ? f->max_flows / 4 : 1;
	if (rc == 0)
		rc = load_per_source(c, g, f);
	if (rc)
		return rc;
	a = config_setting_get_member(g, "adaptive");
	if (a != NULL) {
		rc = want_type(c, a, "flowtable.adaptive", CONFIG_TYPE_GROUP);
		if (rc == 0)
			rc = check_keys(c, a, "flowtable.adaptive", akeys);
		if (rc == 0)
			rc = get_int(c, a, "flowtable.adaptive", "start", 0,
				     100, &f->adaptive_start);
		if (rc == 0)
			rc = get_int(c, a, "flowtable.adaptive", "end", 1,
				     1000, &f->adaptive_end);
		if (rc == 0 && f->adaptive_start &&
		    f->adaptive_end <= f->adaptive_start)
			rc = fail(c, a, "flowtable.adaptive", "end (%u) must "
				  "be above start (%u)", f->adaptive_end,
				  f->adaptive_start);
		if (rc)
			return rc;
	}
	return load_timeouts(c, g, cfg);
}

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

static int
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

static int
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

static int
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

static int
load_log(struct ctx *c, const config_setting_t *root, struct sw_config *cfg)
{
	static const char *const keys[] = {
		"rate", "policy_default", "fallback_default", "invalid",
		"spill", NULL
	};
	const config_setting_t *g = config_setting_get_member(root, "log");
	struct sw_log_conf *l = &cfg->log;
	bool *dl = cfg->rules.default_log;
	int rc;

	l->rate = 20;
	l->invalid = true;
	l->spill = true;
	dl[SW_ACL_POLICY] = true;
	dl[SW_ACL_FALLBACK] = true;
	if (g == NULL)
		return 0;
	rc = want_type(c, g, "log", CONFIG_TYPE_GROUP);
	if (rc == 0)
		rc = check_keys(c, g, "log", keys);
	if (rc == 0)
		rc = get_int(c, g, "log", "rate", 0, 100000, &l->rate);
	if (rc == 0)
		rc = get_bool(c, g, "log", "policy_default",
			      &dl[SW_ACL_POLICY]);
	if (rc == 0)
		rc = get_bool(c, g, "log", "fallback_default",
			      &dl[SW_ACL_FALLBACK]);
	if (rc == 0)
		rc = get_bool(c, g, "log", "invalid", &l->invalid);
	if (rc == 0)
		rc = get_bool(c, g, "log", "spill", &l->spill);
	return rc;
}

int
sw_config_load(const char *path, struct sw_config *cfg, char *err,
	       size_t errlen)
{
	FILE *f;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -ENOENT;
	}
	rc = sw_config_load_file(f, path, cfg, err, errlen);
	fclose(f);
	return rc;
}

int
sw_config_load_file(FILE *f, const char *path, struct sw_config *cfg,
		    char *err, size_t errlen)
{
	static const char *const top[] = {
		"eal", "ports", "pairs", "workers", "l2_passthrough",
		"checksum_verify", "sets", "rules", "flowtable", "fragments",
		"control", "stats", "log", NULL
	};
	struct ctx c = { .file = path, .err = err, .errlen = errlen };
	const config_setting_t *root;
	const char *slash = strrchr(path, '/');
	config_t lc;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	config_init(&lc);
	/*
	 * @include and set files are read next to the config file, not
	 * from wherever spillway was started.
	 */
	if (slash != NULL && (size_t)(slash - path) + 2 < sizeof(c.dir))
		snprintf(c.dir, sizeof(c.dir), "%.*s/",
			 (int)(slash - path), path);
	config_set_include_dir(&lc, c.dir[0] ? c.dir : ".");
	if (config_read(&lc, f) != CONFIG_TRUE) {
		snprintf(err, errlen, "%s:%d: syntax error: %s", path,
			 config_error_line(&lc), config_error_text(&lc));
		rc = -EINVAL;
		goto out;
	}
	snprintf(cfg->file, sizeof(cfg->file), "%s", path);
	cfg->checksum_verify = true;

	root = config_root_setting(&lc);
	rc = check_keys(&c, root, "", top);
	if (rc == 0)
		rc = load_eal(&c, root, cfg);
	if (rc == 0)
		rc = load_ports(&c, root, cfg);
	if (rc == 0)
		rc = load_pairs(&c, root, cfg);
	if (rc == 0)
		rc = load_workers(&c, root, cfg);
	if (rc == 0)
		rc = load_l2(&c, root, cfg);
	if (rc == 0)
		rc = get_bool(&c, root, "", "checksum_verify",
			      &cfg->checksum_verify);
	if (rc == 0)
		rc = load_sets(&c, root, cfg);
	if (rc == 0)
		rc = load_rules(&c, root, cfg);
	if (rc == 0)
		rc = load_flowtable(&c, root, cfg);
	if (rc == 0)
		rc = load_fragments(&c, root, cfg);
	if (rc == 0)
		rc = load_control(&c, root, cfg);
	if (rc == 0)
		rc = load_stats(&c, root, cfg);
	if (rc == 0)
		rc = load_log(&c, root, cfg);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", path);
	if (rc)
		sw_config_free(cfg);
out:
	config_destroy(&lc);
	return rc;
}

void
sw_config_free(struct sw_config *cfg)
{
	unsigned int i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->eal_argc; i++)
		free(cfg->eal_argv[i]);
	cfg->eal_argc = 0;
	for (i = 0; i < SW_ACL_NB_SETS; i++) {
		free(cfg->rules.rules[i]);
		cfg->rules.rules[i] = NULL;
		cfg->rules.nb[i] = 0;
	}
	sw_acl_pool_free(&cfg->rules.pool);
	for (i = 0; i < cfg->rules.nb_files; i++)
		free(cfg->rules.files[i]);
	cfg->rules.nb_files = 0;
	for (i = 0; i < cfg->nb_sets; i++) {
		free(cfg->sets[i].prefixes);
		cfg->sets[i].prefixes = NULL;
		cfg->sets[i].nb_prefixes = 0;
	}
	cfg->nb_sets = 0;
}

int
sw_config_set_index(const struct sw_config *cfg, const char *name)
{
	unsigned int i;

	for (i = 0; i < cfg->nb_sets; i++)
		if (strcmp(cfg->sets[i].name, name) == 0)
			return (int)i;
	return -1;
}

void
sw_config_names(const struct sw_config *cfg, const char *ports[SW_MAX_PORTS],
		const char *sets[SW_ACL_MAX_SETS])
{
	unsigned int i;

	for (i = 0; ports != NULL && i < SW_MAX_PORTS; i++)
		ports[i] = i < cfg->nb_ports ? cfg->ports[i].name : NULL;
	for (i = 0; sets != NULL && i < SW_ACL_MAX_SETS; i++)
		sets[i] = i < cfg->nb_sets ? cfg->sets[i].name : NULL;
}

int
sw_config_port_index(const struct sw_config *cfg, const char *name)
{
	unsigned int i;

	for (i = 0; i < cfg->nb_ports; i++)
		if (strcmp(cfg->ports[i].name, name) == 0)
			return (int)i;
	return -1;
}
