/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * Rules and sets as one published snapshot: building (sets kept or
 * made, the memory checked first), publishing (RCU), and carrying hit
 * counts over a reload.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include <rte_cycles.h>

#include "buf.h"
#include "clock.h"
#include "prefixfile.h"
#include "ruleset.h"
#include "sw_ft.h"
#include "sw_pset.h"

/*
 * rte_acl memory per classifier rule when no build of 1,000 rules or
 * more has been measured yet: 420 bytes measured here for 60,000
 * IPv4 edge rules (README, "Reloads"), more for IPv6; a quarter is
 * added to every estimate.
 */
#define ACL_BYTES_PER_RULE	512
#define ACL_BYTES_FIXED		(1u << 20)

_Static_assert(sizeof(struct sw_pset_prefix) == sizeof(struct sw_acl_cidr) &&
	       offsetof(struct sw_pset_prefix, addr) ==
	       offsetof(struct sw_acl_cidr, addr),
	       "a pset prefix and an acl cidr share their layout");

static size_t
huge_free(void)
{
	char path[300];
	struct dirent *d;
	size_t sum = 0;
	DIR *dir;

	if (!rte_eal_has_hugepages())
		return 0;
	dir = opendir("/sys/kernel/mm/hugepages");
	if (dir == NULL)
		return 0;
	while ((d = readdir(dir)) != NULL) {
		unsigned long kb, n;
		FILE *f;

		if (sscanf(d->d_name, "hugepages-%lukB", &kb) != 1)
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/%s/"
			 "free_hugepages", d->d_name);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fscanf(f, "%lu", &n) == 1)
			sum += (size_t)n * kb * 1024;
		fclose(f);
	}
	closedir(dir);
	return sum;
}

void
sw_ruleset_memory_free(size_t *free_bytes, size_t *largest)
{
	struct rte_malloc_socket_stats st;
	unsigned int i, n = rte_socket_count();

	*free_bytes = 0;
	*largest = 0;
	for (i = 0; i < n; i++) {
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i),
						&st) != 0)
			continue;
		*free_bytes += st.heap_freesz_bytes;
		*largest = RTE_MAX(*largest, st.greatest_free_size);
	}
	/* With hugepages the heap grows into free pages as needed. */
	*free_bytes += huge_free();
	*largest = RTE_MAX(*largest, huge_free());
}

void
sw_ruleset_free(struct sw_ruleset *rs, const struct sw_ruleset *keep)
{
	unsigned int i, j;

	if (rs == NULL)
		return;
	for (i = 0; i < rs->nb_sets; i++) {
		bool shared = false;

		for (j = 0; keep != NULL && j < keep->nb_sets; j++)
			shared |= keep->sets[j] == rs->sets[i];
		if (!shared)
			sw_pset_free(rs->sets[i]);
	}
	sw_acl_free(rs->acl);
	free(rs->tag_rule);
	free(rs);
}

int
sw_ruleset_set_index(const struct sw_ruleset *rs, const char *name)
{
	unsigned int i;

	for (i = 0; rs != NULL && i < rs->nb_sets; i++)
		if (strcmp(rs->names[i], name) == 0)
			return (int)i;
	return -1;
}

static void
pset_conf(const struct sw_set_conf *sc, int socket, struct rte_rcu_qsbr *qs,
	  struct sw_pset_conf *pc)
{
	memset(pc, 0, sizeof(*pc));
	pc->name = sc->name;
	pc->family = sc->family;
	pc->max4 = sc->max;
	pc->max6 = sc->max;
	pc->nets4 = sc->max_nets;
	pc->nets6 = sc->max_nets;
	pc->socket_id = socket;
	pc->qs = qs;
	pc->timeouts = sc->timeouts;
}

static void
acl_conf(const struct sw_config *cfg, unsigned int nb_workers, int socket,
	 struct sw_acl_group_conf *groups, struct sw_acl_conf *ac)
{
	unsigned int k;

	memset(ac, 0, sizeof(*ac));
	for (k = 0; k < cfg->rules.nb_groups; k++) {
		snprintf(groups[k].name, sizeof(groups[k].name), "%s",
			 cfg->rules.groups[k].name);
		groups[k].rules = cfg->rules.groups[k].rules;
		groups[k].nb_rules = cfg->rules.groups[k].nb;
	}
	ac->groups = groups;
	ac->nb_groups = cfg->rules.nb_groups;
	/* Limits run on the workers' clock; meters hash as flows do. */
	ac->hz = rte_get_tsc_hz();
	ac->hash = sw_ft_siphash;
	for (k = 0; k < SW_ACL_NB_SETS; k++) {
		ac->set[k].rules = cfg->rules.rules[k];
		ac->set[k].nb_rules = cfg->rules.nb[k];
		ac->set[k].default_action = cfg->rules.default_action[k];
		ac->set[k].default_log = cfg->rules.default_log[k];
	}
	ac->pool = cfg->rules.pool.v;
	ac->nb_pool = cfg->rules.pool.n;
	for (k = 0; k < cfg->nb_sets; k++)
		ac->set_family[k] = cfg->sets[k].family;
	ac->nb_workers = nb_workers;
	ac->socket_id = socket;
}

/* What the build will need, from what the one in force took. */
static int
need_of(const struct sw_config *cfg, const struct sw_ruleset *cur,
	const struct sw_acl_conf *ac, int socket,
	struct sw_ruleset_need *need, char *err, size_t errlen)
{
	unsigned int i;
	size_t per = ACL_BYTES_PER_RULE;

	memset(need, 0, sizeof(*need));
	need->expanded = sw_acl_count_expanded(ac, err, errlen);
	if (need->expanded == 0)
		return -EINVAL;
	if (cur != NULL && cur->acl != NULL &&
	    sw_acl_nb_expanded_all(cur->acl) >= 1000)
		per = RTE_MAX(per / 4, sw_acl_memory(cur->acl) /
			      sw_acl_nb_expanded_all(cur->acl));
	need->acl_bytes = ACL_BYTES_FIXED + need->expanded * per * 5 / 4;
	for (i = 0; i < cfg->nb_sets; i++) {
		int k = sw_ruleset_set_index(cur, cfg->sets[i].name);
		struct sw_pset_conf pc;

		if (k >= 0 && cur->digest[k] == cfg->sets[i].digest)
			continue;	/* kept */
		pset_conf(&cfg->sets[i], socket, NULL, &pc);
		need->set_bytes += sw_pset_memsize(&pc);
	}
	return 0;
}

/*
 * The config's elements into set ps, each with the timeout it gave or
 * the set's default (sets with timeouts).
 */
static int
load_elements(struct sw_pset *ps, const struct sw_set_conf *sc,
	      struct sw_pset_result *res)
{
	uint32_t *t = NULL, i;
	int rc;

	if (sc->timeouts && sc->nb_prefixes) {
		t = malloc(sizeof(*t) * sc->nb_prefixes);
		if (t == NULL)
			return -ENOMEM;
		for (i = 0; i < sc->nb_prefixes; i++)
			t[i] = sc->timeouts_of == NULL ||
			       sc->timeouts_of[i] == SW_PREFIX_NO_TIMEOUT ?
			       sc->timeout : sc->timeouts_of[i];
	}
	rc = sw_pset_load(ps, (const struct sw_pset_prefix *)sc->prefixes, t,
			  sc->nb_prefixes, (uint64_t)sw_now_s(), res);
	free(t);
	return rc;
}

/* An empty set for sc, or an error that says what to raise. */
static int
new_set(struct sw_ruleset *rs, unsigned int i, const struct sw_set_conf *sc,
	int socket, struct rte_rcu_qsbr *qs, char *err, size_t errlen)
{
	struct sw_pset_conf pc;

	pset_conf(sc, socket, qs, &pc);
	rs->sets[i] = sw_pset_create(&pc);
	if (rs->sets[i] != NULL)
		return 0;
	snprintf(err, errlen, "sets.%s: cannot make its tables (%s, %zu MB): "
		 "raise eal -m or the hugepages, or lower its max", sc->name,
		 rte_strerror(rte_errno), sw_pset_memsize(&pc) >> 20);
	return -ENOMEM;
}

static void
full_err(const struct sw_set_conf *sc, int rc, const char *at, uint32_t n,
	 char *err, size_t errlen)
{
	snprintf(err, errlen, "sets.%s: %s at %s (%u prefixes; max %u, of "
		 "which networks %u)", sc->name, rc == -ENOSPC ? "full" :
		 strerror(-rc), at, n, sc->max, sc->max_nets ?
		 sc->max_nets : RTE_MIN(sc->max, 65536u));
}

/* Set i made from the config's elements. */
static int
make_set(struct sw_ruleset *rs, unsigned int i, const struct sw_set_conf *sc,
	 int socket, struct rte_rcu_qsbr *qs, char *err, size_t errlen)
{
	struct sw_pset_result res;
	char a[64];
	int rc;

	rc = new_set(rs, i, sc, socket, qs, err, errlen);
	if (rc)
		return rc;
	rc = load_elements(rs->sets[i], sc, &res);
	if (rc) {
		sw_acl_cidr_format(&sc->prefixes[res.failed], a, sizeof(a));
		full_err(sc, rc, a, sc->nb_prefixes, err, errlen);
		return rc;
	}
	rs->loaded[i] = sw_pset_digest(rs->sets[i]);
	return 0;
}

/*
 * Set i made again with sc's size and timeouts, beside the running
 * one (`from`), holding what that one holds: a feed's set grows by a
 * reload, its runtime changes kept.
 */
static int
resize_set(struct sw_ruleset *rs, unsigned int i, const struct sw_set_conf *sc,
	   const struct sw_pset *from, int socket, struct rte_rcu_qsbr *qs,
	   char *err, size_t errlen)
{
	struct sw_pset_result res;
	int rc;

	rc = new_set(rs, i, sc, socket, qs, err, errlen);
	if (rc)
		return rc;
	rc = sw_pset_copy(rs->sets[i], from, (uint64_t)sw_now_s(), &res);
	if (rc)
		full_err(sc, rc, "what it holds now", sw_pset_count(from, 4) +
			 sw_pset_count(from, 6), err, errlen);
	return rc;
}

bool
sw_ruleset_set_drifted(const struct sw_ruleset *rs, unsigned int i)
{
	return i < rs->nb_sets &&
	       sw_pset_digest(rs->sets[i]) != rs->loaded[i];
}

uint64_t
sw_ruleset_expire(struct sw_ruleset *rs, uint64_t now)
{
	uint64_t n = 0;
	unsigned int i;
	int rc;

	for (i = 0; rs != NULL && i < rs->nb_sets; i++) {
		if (sw_pset_nb_timed(rs->sets[i]) == 0)
			continue;
		rc = sw_pset_expire(rs->sets[i], now);
		if (rc > 0)
			n += (uint64_t)rc;
	}
	return n;
}

/*
 * Set i of the build: kept (same definition and elements), made again
 * beside the running one with what it holds (same elements, another
 * size or timeouts), or made from the config. A line to the report.
 */
static int
build_set(struct sw_ruleset *rs, unsigned int i, const struct sw_set_conf *sc,
	  const struct sw_ruleset *cur, int socket, struct rte_rcu_qsbr *qs,
	  struct sw_buf *report, char *err, size_t errlen)
{
	int k = sw_ruleset_set_index(cur, sc->name);
	const struct sw_pset *run = k >= 0 ? cur->sets[k] : NULL;
	uint32_t now_n = run ? sw_pset_count(run, 4) + sw_pset_count(run, 6) :
			       0;
	bool drifted = k >= 0 && sw_ruleset_set_drifted(cur, (unsigned int)k);
	int rc;

	snprintf(rs->names[i], sizeof(rs->names[i]), "%s", sc->name);
	rs->digest[i] = sc->digest;
	rs->content[i] = sc->content;
	if (k >= 0 && cur->digest[k] == sc->digest) {
		rs->sets[i] = cur->sets[k];
		rs->loaded[i] = cur->loaded[k];
		sw_buf_printf(report, "set %s: unchanged, kept as it runs (%u "
			      "prefixes, runtime changes included", sc->name,
			      now_n);
		if (drifted)
			sw_buf_printf(report, "; it differs from what its "
				      "config gives (%u prefixes): set load "
				      "%s FILE puts a file back", sc->nb_prefixes,
				      sc->name);
		sw_buf_printf(report, ")\n");
		return 0;
	}
	if (k >= 0 && cur->content[k] == sc->content &&
	    sw_pset_family(run) == sc->family) {
		rc = resize_set(rs, i, sc, run, socket, qs, err, errlen);
		if (rc)
			return rc;
		rs->loaded[i] = cur->loaded[k];
		sw_buf_printf(report, "set %s: made again beside the running "
			      "one (max %u, timeouts %s), holding its %u "
			      "prefixes, runtime changes included\n", sc->name,
			      sc->max, sc->timeouts ? "on" : "off", now_n);
		return 0;
	}
	rc = make_set(rs, i, sc, socket, qs, err, errlen);
	if (rc)
		return rc;
	sw_buf_printf(report, "set %s: %s from the config (%u prefixes%s)\n",
		      sc->name, k >= 0 ? "made again" : "made",
		      sc->nb_prefixes, drifted ? "; its runtime changes are "
		      "gone" : "");
	return 0;
}

static void
map_looks(struct sw_ruleset *rs)
{
	uint8_t ids[SW_ACL_SET_BITS];
	unsigned int d, b;

	for (d = 0; d < 2; d++) {
		rs->nb_look[d] = sw_acl_set_map(rs->acl, (int)d, ids);
		for (b = 0; b < rs->nb_look[d]; b++)
			rs->look[d][b] = rs->sets[ids[b]];
	}
}

struct sw_ruleset *
sw_ruleset_wrap(struct sw_acl *acl, struct sw_pset *const *sets,
		unsigned int nb_sets)
{
	struct sw_ruleset *rs = calloc(1, sizeof(*rs));

	if (rs == NULL)
		return NULL;
	rs->acl = acl;
	rs->nb_sets = RTE_MIN(nb_sets, (unsigned int)SW_ACL_MAX_SETS);
	if (rs->nb_sets)
		memcpy(rs->sets, sets, sizeof(*sets) * rs->nb_sets);
	map_looks(rs);
	return rs;
}

/*
 * What a conn_limit rule is, for its tag: its list, match, action and
 * limit, in the config's own words (a rule that moves or whose port
 * indexes change keeps its tag; one whose limit changes gets another).
 */
static uint64_t
conn_rule_key(const struct sw_acl *acl, unsigned int list,
	      const struct sw_acl_rule *r, const struct sw_config *cfg)
{
	const char *ports[SW_MAX_PORTS], *sets[SW_ACL_MAX_SETS];
	const char *ln = sw_acl_list_name(acl, (enum sw_acl_set)list);
	char text[2048];
	uint64_t h = 0xcbf29ce484222325ull;

	sw_config_names(cfg, ports, sets);
	sw_acl_match_text(r, sw_acl_pool(acl), ports, sets, text,
			  sizeof(text));
	h = sw_digest(h, ln, strlen(ln));
	h = sw_digest(h, &r->action, 1);
	h = sw_digest(h, &r->group, sizeof(r->group));
	h = sw_digest(h, text, strlen(text));
	return h ? h : 1;
}

/*
 * Tags for the build's conn_limit rules: one the running snapshot
 * gives the same rule stays (its flows' count with it); a new rule
 * takes a tag no running rule uses and no live flow holds.
 */
static int
assign_tags(struct sw_ruleset *rs, const struct sw_ruleset *cur,
	    struct sw_ft *ft, const struct sw_config *cfg, char *err,
	    size_t errlen)
{
	unsigned int k, i, t, next = 1;

	for (k = 0; k < sw_acl_nb_lists(rs->acl); k++)
		for (i = 0; i < sw_acl_nb_rules(rs->acl, k); i++) {
			const struct sw_acl_rule *r =
				sw_acl_get_rule(rs->acl, k, i);
			uint64_t key;
			int rc;

			if (r->conn.max == 0)
				continue;
			if (ft == NULL) {
				snprintf(err, errlen, "%s[%u]: conn_limit "
					 "needs the flow table",
					 sw_acl_list_name(rs->acl, k), i);
				return -EINVAL;
			}
			if (rs->tag_rule == NULL) {
				rs->tag_rule = calloc(SW_FT_MAX_TAGS,
						      sizeof(uint64_t));
				if (rs->tag_rule == NULL)
					goto nomem;
			}
			key = conn_rule_key(rs->acl, k, r, cfg);
			for (t = 1; cur != NULL && cur->tag_rule != NULL &&
			     t < SW_FT_MAX_TAGS; t++)
				if (cur->tag_rule[t] == key &&
				    rs->tag_rule[t] == 0)
					break;
			if (cur == NULL || cur->tag_rule == NULL ||
			    t == SW_FT_MAX_TAGS) {
				for (t = next; t < SW_FT_MAX_TAGS; t++)
					if (rs->tag_rule[t] == 0 &&
					    (cur == NULL ||
					     cur->tag_rule == NULL ||
					     cur->tag_rule[t] == 0) &&
					    sw_ft_tag_count(ft, t) == 0)
						break;
				if (t == SW_FT_MAX_TAGS) {
					snprintf(err, errlen, "more than %u "
						 "conn_limit rules (or their "
						 "old flows still live)",
						 SW_FT_MAX_TAGS - 1);
					return -ENOSPC;
				}
				next = t + 1;
			}
			rc = sw_ft_tag_setup(ft, (uint16_t)t,
					     r->conn.v4_prefix,
					     r->conn.v6_prefix);
			if (rc != 0) {
				snprintf(err, errlen, "%s[%u]: conn_limit: %s",
					 sw_acl_list_name(rs->acl, k), i,
					 rc == -ENOMEM ? "out of memory" :
					 "its counter is busy");
				return rc;
			}
			rs->tag_rule[t] = key;
			sw_acl_set_conn_tag(rs->acl, k, i, (uint16_t)t);
		}
	return 0;
nomem:
	snprintf(err, errlen, "out of memory");
	return -ENOMEM;
}

struct sw_ruleset *
sw_ruleset_build(const struct sw_config *cfg, const struct sw_ruleset *cur,
		 unsigned int nb_workers, int socket_id,
		 struct rte_rcu_qsbr *qs, struct sw_ft *ft, bool check_memory,
		 struct sw_buf *report, char *err, size_t errlen)
{
	struct sw_acl_group_conf groups[SW_ACL_MAX_GROUPS];
	struct sw_ruleset_need need;
	struct sw_buf scratch;
	struct sw_acl_conf ac;
	struct sw_ruleset *rs;
	unsigned int i;
	size_t free_b, largest;

	sw_buf_init(&scratch);
	acl_conf(cfg, nb_workers, socket_id, groups, &ac);
	if (need_of(cfg, cur, &ac, socket_id, &need, err, errlen))
		return NULL;
	if (check_memory) {
		sw_ruleset_memory_free(&free_b, &largest);
		if (need.acl_bytes + need.set_bytes > free_b) {
			snprintf(err, errlen, "not enough DPDK memory to build "
				 "the new rules: needs about %zu MB (%" PRIu64
				 " classifier rules%s), %zu MB free (largest "
				 "block %zu MB) while the running rules stay "
				 "in memory; raise %s, or lower "
				 "flowtable.max_flows or a set's max",
				 (need.acl_bytes + need.set_bytes) >> 20,
				 need.expanded, need.set_bytes ?
				 " and new sets" : "", free_b >> 20,
				 largest >> 20, rte_eal_has_hugepages() ?
				 "the hugepages (dpdk-hugepages.py --setup)" :
				 "eal -m (--no-huge memory)");
			return NULL;
		}
	}
	rs = calloc(1, sizeof(*rs));
	if (rs == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	rs->nb_sets = cfg->nb_sets;
	for (i = 0; i < cfg->nb_sets; i++) {
		/* Sets made so far count: a later failure frees them. */
		if (build_set(rs, i, &cfg->sets[i], cur, socket_id, qs,
			      report != NULL ? report : &scratch, err, errlen))
			goto err;
	}
	sw_buf_free(&scratch);
	rs->acl = sw_acl_create(&ac, err, errlen);
	if (rs->acl == NULL)
		goto err;
	if (assign_tags(rs, cur, ft, cfg, err, errlen))
		goto err;
	map_looks(rs);
	return rs;
err:
	sw_buf_free(&scratch);
	sw_ruleset_free(rs, cur);
	return NULL;
}

/* ---- hit counts across a reload ---- */

/*
 * Old rules by (action, match text): a rule of the new build whose text
 * and action are those of an old rule takes its count; equal rules
 * pair up in order.
 */
struct slot {
	uint64_t key;
	uint32_t idx;
	bool used;
	bool taken;
};

static uint64_t
rule_key(const struct sw_acl_rule *r, const struct sw_acl_cidr *pool,
	 const struct sw_config *cfg)
{
	const char *ports[SW_MAX_PORTS], *sets[SW_ACL_MAX_SETS];
	char text[2048];
	uint64_t h = 0xcbf29ce484222325ull;

	sw_config_names(cfg, ports, sets);
	sw_acl_match_text(r, pool, ports, sets, text, sizeof(text));
	h = sw_digest(h, &r->action, 1);
	h = sw_digest(h, &r->origin, 1);
	return sw_digest(h, text, strlen(text));
}

/* List k of `to` from list kf of `from` (a set, or a group by name). */
static void
carry_set(struct sw_acl *to, const struct sw_acl *from, enum sw_acl_set k,
	  enum sw_acl_set kf, const struct sw_config *to_cfg,
	  const struct sw_config *from_cfg)
{
	unsigned int no = sw_acl_nb_rules(from, kf);
	unsigned int nn = sw_acl_nb_rules(to, k);
	unsigned int cap, i, j;
	struct slot *t;

	if (k < SW_ACL_NB_SETS &&
	    sw_acl_default(to, k) == sw_acl_default(from, kf))
		sw_acl_set_hits_base(to, k, nn, sw_acl_hits(from, kf, no));
	if (no == 0 || nn == 0)
		return;
	cap = rte_align32pow2(2 * no);
	t = calloc(cap, sizeof(*t));
	if (t == NULL)
		return;	/* counts start again: no harm beyond that */
	for (i = 0; i < no; i++) {
		uint64_t key = rule_key(sw_acl_get_rule(from, kf, i),
					sw_acl_pool(from), from_cfg);

		for (j = (uint32_t)key & (cap - 1); t[j].used;
		     j = (j + 1) & (cap - 1))
			;
		t[j] = (struct slot){ .key = key, .idx = i, .used = true };
	}
	for (i = 0; i < nn; i++) {
		uint64_t key = rule_key(sw_acl_get_rule(to, k, i),
					sw_acl_pool(to), to_cfg);

		for (j = (uint32_t)key & (cap - 1); t[j].used;
		     j = (j + 1) & (cap - 1))
			if (t[j].key == key && !t[j].taken)
				break;
		if (!t[j].used)
			continue;
		t[j].taken = true;
		sw_acl_set_hits_base(to, k, i, sw_acl_hits(from, kf, t[j].idx));
	}
	free(t);
}

void
sw_ruleset_publish(struct sw_ruleset **slot, struct sw_ruleset *next,
		   const struct sw_config *next_cfg,
		   const struct sw_config *old_cfg, struct rte_rcu_qsbr *qs)
{
	struct sw_ruleset *old;
	unsigned int k;

	next->gen = *slot != NULL ? (*slot)->gen + 1 : 1;
	old = __atomic_exchange_n(slot, next, __ATOMIC_ACQ_REL);
	if (old == NULL)
		return;
	if (qs != NULL)
		rte_rcu_qsbr_synchronize(qs, RTE_QSBR_THRID_INVALID);
	/* The old counters are final now: no worker holds the old build. */
	for (k = 0; k < sw_acl_nb_lists(next->acl) && old_cfg != NULL; k++) {
		unsigned int kf = k;

		/* A group carries from the old group of its name. */
		for (kf = k < SW_ACL_NB_SETS ? k : SW_ACL_NB_SETS;
		     k >= SW_ACL_NB_SETS && kf < sw_acl_nb_lists(old->acl);
		     kf++)
			if (strcmp(sw_acl_list_name(old->acl, kf),
				   sw_acl_list_name(next->acl, k)) == 0)
				break;
		if (kf < sw_acl_nb_lists(old->acl))
			carry_set(next->acl, old->acl, k, kf, next_cfg,
				  old_cfg);
	}
	sw_ruleset_free(old, next);
}

/*
 * Set membership of the burst: one bulk lookup per set the rules test,
 * per direction, IPv4 and IPv6 apart; the answers become key->sets bits
 * that rte_acl tests like any other field. Nothing when no rule names
 * a set.
 */
void
sw_ruleset_set_bits(const struct sw_ruleset *rs, struct sw_acl_key *const *keys,
		    uint16_t n)
{
	uint32_t ip4[2][SW_RULESET_BURST_MAX], bits[SW_RULESET_BURST_MAX];
	uint8_t ip6[2][SW_RULESET_BURST_MAX][16];
	uint16_t i4[SW_RULESET_BURST_MAX], i6[SW_RULESET_BURST_MAX];
	uint64_t in[SW_RULESET_BURST_MAX];
	uint16_t j, n4 = 0, n6 = 0;
	unsigned int d, b;

	if (rs->nb_look[0] + rs->nb_look[1] == 0 || n == 0)
		return;
	for (j = 0; j < n; j++) {
		const struct sw_acl_key *k = keys[j];

		bits[j] = 0;
		if (k->family == 6) {
			memcpy(ip6[0][n6], k->src, 16);
			memcpy(ip6[1][n6], k->dst, 16);
			i6[n6++] = j;
		} else {
			uint32_t s4, d4;

			memcpy(&s4, k->src, 4);
			memcpy(&d4, k->dst, 4);
			ip4[0][n4] = rte_be_to_cpu_32(s4);
			ip4[1][n4] = rte_be_to_cpu_32(d4);
			i4[n4++] = j;
		}
	}
	for (d = 0; d < 2; d++)
		for (b = 0; b < rs->nb_look[d]; b++) {
			uint32_t bit = 1u << (b + 16 * d);

			if (n4) {
				sw_pset_lookup4(rs->look[d][b], ip4[d], n4, in);
				for (j = 0; j < n4; j++)
					bits[i4[j]] |= in[j] ? bit : 0;
			}
			if (n6) {
				sw_pset_lookup6(rs->look[d][b],
						(const uint8_t (*)[16])ip6[d],
						n6, in);
				for (j = 0; j < n6; j++)
					bits[i6[j]] |= in[j] ? bit : 0;
			}
		}
	for (j = 0; j < n; j++)
		keys[j]->sets = rte_cpu_to_be_32(bits[j]);
}
