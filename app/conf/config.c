/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The config loader's walk: the EAL, ports, pairs, workers and non-IP
 * frames here, then each section's loader (conf_*.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <grp.h>
#include <sys/socket.h>

#include "config_private.h"

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

/*
 * A port's NIC settings: MTU (the largest IP packet, as Linux's ip link
 * mtu; frames are allowed 14 bytes of Ethernet and two VLAN tags
 * more), descriptors per rx and tx queue, queues (0 here: one per
 * worker, settled once the workers are known). What the device can
 * take is checked at start, against rte_eth_dev_info.
 */
static const struct {
	const char *name;
	size_t off;
	unsigned int lo, hi;
} port_nic[] = {
	{ "mtu", offsetof(struct sw_port_conf, mtu), 68, 16000 },
	{ "rx_desc", offsetof(struct sw_port_conf, rx_desc), 16, 32768 },
	{ "tx_desc", offsetof(struct sw_port_conf, tx_desc), 16, 32768 },
	{ "queues", offsetof(struct sw_port_conf, queues), 1, SW_MAX_WORKERS },
};

static void
port_defaults(struct sw_port_conf *pc)
{
	pc->mtu = SW_PORT_MTU;
	pc->rx_desc = SW_PORT_DESC;
	pc->tx_desc = SW_PORT_DESC;
	pc->queues = 0;
}

static int
load_port_nic(struct ctx *c, const config_setting_t *e, const char *p,
	      struct sw_port_conf *pc)
{
	unsigned int v, k;
	int rc;

	for (k = 0; k < sizeof(port_nic) / sizeof(port_nic[0]); k++) {
		v = *(uint16_t *)(void *)((char *)pc + port_nic[k].off);
		rc = get_int(c, e, p, port_nic[k].name, port_nic[k].lo,
			     port_nic[k].hi, &v);
		if (rc)
			return rc;
		*(uint16_t *)(void *)((char *)pc + port_nic[k].off) =
			(uint16_t)v;
	}
	return 0;
}

static int
load_ports(struct ctx *c, const config_setting_t *root, struct sw_config *cfg)
{
	static const char *const keys[] = { "name", "dev", "mtu", "rx_desc",
					    "tx_desc", "queues", NULL };
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
			port_defaults(&cfg->ports[j]);
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
		port_defaults(pc);
		rc = load_port_nic(c, e, p, pc);
		if (rc)
			return rc;
		cfg->nb_ports = (unsigned int)i + 1;
	}
	return 0;
}

/*
 * pairs = ( ("a", "b"), ... ), or a pair as a group with its options:
 * { ports = ("a", "b"); link_propagate = true; }. Every port is in
 * exactly one pair: a bump in the wire has no port without a peer.
 * Absent, ports pair up in the order they are listed.
 */
static int
load_pair_ports(struct ctx *c, const config_setting_t *e, const char *p,
		struct sw_config *cfg, bool *used, int *idx)
{
	int k, rc;

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
			return fail(c, x, p, "no port named '%s'", name);
		if (used[idx[k]])
			return fail(c, x, p, "port '%s' is already paired",
				    name);
		used[idx[k]] = true;
	}
	return 0;
}

static int
load_pairs(struct ctx *c, const config_setting_t *root, struct sw_config *cfg)
{
	static const char *const keys[] = { "ports", "link_propagate", NULL };
	const config_setting_t *s = config_setting_get_member(root, "pairs");
	bool used[SW_MAX_PORTS] = { false };
	char p[64], q[80];
	int i, n, idx[2], rc;
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
		bool propagate = false;

		snprintf(p, sizeof(p), "pairs[%d]", i);
		if (config_setting_type(e) == CONFIG_TYPE_GROUP) {
			const config_setting_t *ports;

			rc = check_keys(c, e, p, keys);
			if (rc == 0)
				rc = get_bool(c, e, p, "link_propagate",
					      &propagate);
			if (rc)
				return rc;
			ports = config_setting_get_member(e, "ports");
			if (ports == NULL)
				return fail(c, e, p, "missing 'ports'");
			snprintf(q, sizeof(q), "%s.ports", p);
			rc = load_pair_ports(c, ports, q, cfg, used, idx);
		} else {
			rc = load_pair_ports(c, e, p, cfg, used, idx);
		}
		if (rc)
			return rc;
		cfg->ports[idx[0]].peer = (uint8_t)idx[1];
		cfg->ports[idx[1]].peer = (uint8_t)idx[0];
		cfg->ports[idx[0]].link_propagate = propagate;
		cfg->ports[idx[1]].link_propagate = propagate;
	}
	for (j = 0; j < cfg->nb_ports; j++)
		if (!used[j])
			return fail(c, s, "pairs", "port '%s' is in no pair",
				    cfg->ports[j].name);
	return 0;
}

/*
 * Queues, once the workers are known: worker i polls queue i of each
 * port that has one, so a port has at most one queue a worker (default:
 * one each), and both ports of a pair have as many (symmetric RSS
 * sends both directions of a flow to the same queue number, so to the
 * same worker's shard).
 */
static int
settle_queues(struct ctx *c, const config_setting_t *root,
	      struct sw_config *cfg)
{
	const config_setting_t *ports = config_setting_get_member(root,
								  "ports");
	unsigned int j, peer;
	char p[64];

	for (j = 0; j < cfg->nb_ports; j++)
		if (cfg->ports[j].queues == 0)
			cfg->ports[j].queues = (uint16_t)cfg->nb_workers;
	for (j = 0; j < cfg->nb_ports; j++) {
		const config_setting_t *e = ports != NULL ?
			config_setting_get_elem(ports, j) : NULL;

		snprintf(p, sizeof(p), "ports[%u].queues", j);
		if (cfg->ports[j].queues > cfg->nb_workers)
			return fail(c, e ? config_setting_get_member(e,
				    "queues") : NULL, p, "%u queues for %u "
				    "workers: each queue needs its worker",
				    cfg->ports[j].queues, cfg->nb_workers);
		peer = cfg->ports[j].peer;
		if (cfg->ports[j].queues != cfg->ports[peer].queues)
			return fail(c, e, p, "port '%s' has %u queues, its "
				    "pair '%s' %u: a pair's ports have as many",
				    cfg->ports[j].name, cfg->ports[j].queues,
				    cfg->ports[peer].name,
				    cfg->ports[peer].queues);
	}
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
load_checksum(struct ctx *c, const config_setting_t *root,
	      struct sw_config *cfg)
{
	return get_bool(c, root, "", "checksum_verify", &cfg->checksum_verify);
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

/* The settings at the top of a file. */
static const char *const top_keys[] = {
	"eal", "ports", "pairs", "workers", "l2_passthrough",
	"checksum_verify", "sets", "rules", "flowtable", "fragments",
	"control", "stats", "log", "ha", NULL
};

/*
 * Read f (named path) with libconfig into lc, @include and set files
 * next to the config file, not wherever spillway was started; c gets
 * that directory. -EINVAL with err filled on a syntax error.
 */
static int
read_file(FILE *f, const char *path, config_t *lc, struct ctx *c)
{
	const char *slash = strrchr(path, '/');

	config_init(lc);
	if (slash != NULL && (size_t)(slash - path) + 2 < sizeof(c->dir))
		snprintf(c->dir, sizeof(c->dir), "%.*s/",
			 (int)(slash - path), path);
	config_set_include_dir(lc, c->dir[0] ? c->dir : ".");
	if (config_read(lc, f) != CONFIG_TRUE) {
		snprintf(c->err, c->errlen, "%s:%d: syntax error: %s", path,
			 config_error_line(lc), config_error_text(lc));
		return -EINVAL;
	}
	return 0;
}

/* check_rules_need_table, as a section of the walk. */
static int
rules_need_table(struct ctx *c, const config_setting_t *root,
		 struct sw_config *cfg)
{
	(void)root;
	return check_rules_need_table(c, cfg);
}

/*
 * Every section, in order; past one that fails the next still runs,
 * so the file's errors are all reported (out of memory stops it).
 * -EINVAL when any failed.
 */
static int
walk(struct ctx *c, const config_setting_t *root, struct sw_config *cfg)
{
	int (*const sections[])(struct ctx *, const config_setting_t *,
				struct sw_config *) = {
		load_eal, load_ports, load_pairs, load_workers, settle_queues,
		load_l2, load_checksum, load_sets, load_rules, load_flowtable,
		rules_need_table, load_fragments, load_control, load_stats,
		load_log, load_ha,
	};
	unsigned int i;
	int rc, bad;

	bad = check_keys(c, root, "", top_keys);
	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		/*
		 * The queues follow from ports and workers, and the rules'
		 * need of a table from both rules and flowtable: checked
		 * only when what they follow from is sound.
		 */
		if ((sections[i] == settle_queues ||
		     sections[i] == rules_need_table) && (bad || c->nb_err))
			continue;
		rc = sections[i](c, root, cfg);
		if (rc == -ENOMEM)
			return rc;
		bad = bad ? bad : rc;
	}
	bad = bad ? bad : c->nb_err ? -EINVAL : 0;
	/* After the sections: their own checks say more (a log prefix is
	 * printable ASCII); this one covers every string they let by. */
	if (bad == 0)
		bad = check_strings(c, root, "");
	return bad;
}

int
sw_config_load_file(FILE *f, const char *path, struct sw_config *cfg,
		    char *err, size_t errlen)
{
	struct ctx c = { .file = path, .err = err, .errlen = errlen };
	const config_setting_t *root;
	config_t lc;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	rc = read_file(f, path, &lc, &c);
	if (rc)
		goto out;
	snprintf(cfg->file, sizeof(cfg->file), "%s", path);
	cfg->checksum_verify = true;

	root = config_root_setting(&lc);
	rc = walk(&c, root, cfg);
	if (rc == -ENOMEM)
		snprintf(err, errlen, "%s: out of memory", path);
	else if (c.nb_err > c.shown && c.used + 1 < errlen)
		snprintf(err + c.used, errlen - c.used, "\n%s: %u more errors "
			 "not shown", path, c.nb_err - c.shown);
	if (rc)
		sw_config_free(cfg);
out:
	config_destroy(&lc);
	return rc;
}

int
sw_config_socket(const char *path, char *sock, size_t len, char *err,
		 size_t errlen)
{
	struct ctx c = { .file = path, .err = err, .errlen = errlen };
	const config_setting_t *root, *g;
	struct sw_config *cfg;
	config_t lc;
	FILE *f;
	int rc;

	f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -ENOENT;
	}
	cfg = calloc(1, sizeof(*cfg));
	rc = cfg == NULL ? -ENOMEM : read_file(f, path, &lc, &c);
	fclose(f);
	if (rc == -ENOMEM) {
		snprintf(err, errlen, "%s: out of memory", path);
		return rc;
	}
	if (rc == 0) {
		root = config_root_setting(&lc);
		g = config_setting_get_member(root, "control");
		rc = check_keys(&c, root, "", top_keys);
		if (rc == 0 && g != NULL)
			rc = check_strings(&c, g, "control");
		if (rc == 0)
			rc = load_control(&c, root, cfg);
		if (rc == 0)
			snprintf(sock, len, "%s", cfg->control.socket);
	}
	config_destroy(&lc);
	free(cfg);
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
	for (i = 0; i < cfg->rules.nb_groups; i++) {
		free(cfg->rules.groups[i].rules);
		cfg->rules.groups[i].rules = NULL;
		cfg->rules.groups[i].nb = 0;
	}
	cfg->rules.nb_groups = 0;
	sw_acl_pool_free(&cfg->rules.pool);
	for (i = 0; i < cfg->rules.nb_files; i++)
		free(cfg->rules.files[i]);
	cfg->rules.nb_files = 0;
	for (i = 0; i < cfg->nb_sets; i++)
		sw_set_conf_drop_elements(&cfg->sets[i]);
	cfg->nb_sets = 0;
}

void
sw_set_conf_drop_elements(struct sw_set_conf *sc)
{
	free(sc->prefixes);
	free(sc->timeouts_of);
	sc->prefixes = NULL;
	sc->timeouts_of = NULL;
	sc->nb_prefixes = 0;
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
