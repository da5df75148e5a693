/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "sw_acl.h"

RTE_LOG_REGISTER(sw_acl_logtype, user.sw.acl, INFO);
#define RTE_LOGTYPE_SW_ACL sw_acl_logtype
#define ACL_LOG(l, ...) RTE_LOG(l, SW_ACL, __VA_ARGS__)

#define ACL_MAGIC	0x5357ac11u
#define ACL_DEAD	0xdeadac11u
#define ACL_BURST	64
/*
 * rte_acl gives up on a rule set that needs more than 8 tries (-ENOMEM):
 * large, irregular sets of wide ranges and prefixes do. Such a set is
 * split in halves, recursively, into up to ACL_MAX_PARTS contexts that
 * are all classified; the lowest rule index among their answers wins.
 */
#define ACL_MAX_PARTS	16

/*
 * Field layouts over struct sw_acl_key. rte_acl reads the first field as
 * one byte, then groups of 4 consecutive bytes (input_index). Addresses
 * are MASK fields (prefix length), ports RANGE, the rest BITMASK.
 */
enum {
	F_PROTO, F_IN_PORT, F_FLAGS, F_ICMP_TYPE, F_ICMP_CODE, F_SPORT,
	F_DPORT, F_ADDR		/* src chunks, then dst chunks */
};

#define NB_FIELDS_V4 (F_ADDR + 2)
#define NB_FIELDS_V6 (F_ADDR + 8)

RTE_ACL_RULE_DEF(acl_rule4, NB_FIELDS_V4);
RTE_ACL_RULE_DEF(acl_rule6, NB_FIELDS_V6);

#define KEY_OFF(f) ((uint32_t)offsetof(struct sw_acl_key, f))

static void
fill_defs(struct rte_acl_field_def *d, int v6)
{
	unsigned int i, chunks = v6 ? 4 : 1, n = 0;

	d[n++] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_BITMASK, .size = 1,
		.field_index = F_PROTO, .input_index = 0,
		.offset = KEY_OFF(proto) };
	d[n++] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_BITMASK, .size = 1,
		.field_index = F_IN_PORT, .input_index = 1,
		.offset = KEY_OFF(in_port) };
	d[n++] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_BITMASK, .size = 1,
		.field_index = F_FLAGS, .input_index = 1,
		.offset = KEY_OFF(tcp_flags) };
	d[n++] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_BITMASK, .size = 1,
		.field_index = F_ICMP_TYPE, .input_index = 1,
		.offset = KEY_OFF(icmp_type) };
	d[n++] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_BITMASK, .size = 1,
		.field_index = F_ICMP_CODE, .input_index = 1,
		.offset = KEY_OFF(icmp_code) };
	d[n++] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
		.field_index = F_SPORT, .input_index = 2,
		.offset = KEY_OFF(sport) };
	d[n++] = (struct rte_acl_field_def){
		.type = RTE_ACL_FIELD_TYPE_RANGE, .size = 2,
		.field_index = F_DPORT, .input_index = 2,
		.offset = KEY_OFF(dport) };
	for (i = 0; i < 2 * chunks; i++) {
		uint32_t base = i < chunks ? KEY_OFF(src) : KEY_OFF(dst);

		d[n] = (struct rte_acl_field_def){
			.type = RTE_ACL_FIELD_TYPE_MASK, .size = 4,
			.field_index = (uint8_t)n, .input_index = (uint8_t)(3 + i),
			.offset = base + 4 * (i % chunks) };
		n++;
	}
}

struct acl_set {
	struct rte_acl_ctx *ctx[2][ACL_MAX_PARTS];	/* IPv4, IPv6 */
	uint8_t nb_parts[2];		/* 0: no rule of that family */
	struct sw_acl_rule *rules;
	unsigned int nb_rules;
	unsigned int nb_expanded;
	uint32_t hit_base;		/* first counter of this set */
	uint8_t default_action;
	bool default_log;
	bool logs;			/* a rule or the default logs */
};

struct sw_acl {
	uint32_t magic;
	unsigned int nb_workers;
	uint32_t hit_stride;		/* counters per worker bank */
	uint64_t *hits;			/* [worker][hit_stride] */
	bool synproxy;			/* a policy rule says synproxy = true */
	struct acl_set set[SW_ACL_NB_SETS];
};

static uint32_t ctx_serial;

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
	else
		return -EINVAL;
	return 0;
}

const char *
sw_acl_action_name(uint8_t action)
{
	static const char *const names[SW_ACL_NB_ACTIONS] = {
		"none", "accept", "drop", "reject",
	};

	return action < SW_ACL_NB_ACTIONS ? names[action] : "?";
}

const char *
sw_acl_set_name(enum sw_acl_set set)
{
	static const char *const names[SW_ACL_NB_SETS] = {
		"notrack", "policy", "fallback",
	};

	return (unsigned int)set < SW_ACL_NB_SETS ? names[set] : "?";
}

static int
rule_in_family(const struct sw_acl_rule *r, uint8_t family)
{
	return (r->src.family == 0 || r->src.family == family) &&
	       (r->dst.family == 0 || r->dst.family == family);
}

static void
set_bitmask(struct rte_acl_field *f, int v, uint8_t width_mask)
{
	if (v < 0) {
		f->value.u8 = 0;
		f->mask_range.u8 = 0;
	} else {
		f->value.u8 = (uint8_t)v;
		f->mask_range.u8 = width_mask;
	}
}

/* Address chunk i (4 bytes) of a CIDR: value in host order + bits. */
static void
set_addr_chunk(struct rte_acl_field *f, const struct sw_acl_cidr *c,
	       unsigned int i)
{
	uint32_t be;
	int bits = (int)c->plen - 32 * (int)i;

	if (c->family == 0 || bits <= 0) {
		f->value.u32 = 0;
		f->mask_range.u32 = 0;
		return;
	}
	memcpy(&be, c->addr + 4 * i, 4);
	f->value.u32 = rte_be_to_cpu_32(be);
	f->mask_range.u32 = (uint32_t)RTE_MIN(bits, 32);
}

/*
 * Fill the rte_acl rule for one (sport range, dport range) of rule r
 * in the given family. `fields` points at the rule's field array.
 */
static void
fill_rule(struct rte_acl_field *fields, const struct sw_acl_rule *r,
	  int v6, const struct sw_acl_range *sp,
	  const struct sw_acl_range *dp)
{
	unsigned int i, chunks = v6 ? 4 : 1;

	set_bitmask(&fields[F_PROTO], r->proto, 0xff);
	set_bitmask(&fields[F_IN_PORT], r->in_port, 0xff);
	fields[F_FLAGS].value.u8 = r->flags_value;
	fields[F_FLAGS].mask_range.u8 = r->flags_mask;
	set_bitmask(&fields[F_ICMP_TYPE], r->icmp_type, 0xff);
	set_bitmask(&fields[F_ICMP_CODE], r->icmp_code, 0xff);
	fields[F_SPORT].value.u16 = sp ? sp->lo : 0;
	fields[F_SPORT].mask_range.u16 = sp ? sp->hi : 0xffff;
	fields[F_DPORT].value.u16 = dp ? dp->lo : 0;
	fields[F_DPORT].mask_range.u16 = dp ? dp->hi : 0xffff;
	for (i = 0; i < chunks; i++) {
		set_addr_chunk(&fields[F_ADDR + i], &r->src, i);
		set_addr_chunk(&fields[F_ADDR + chunks + i], &r->dst, i);
	}
}

static unsigned int
expansion(const struct sw_acl_rule *r)
{
	return (r->nb_sport ? r->nb_sport : 1u) *
	       (r->nb_dport ? r->nb_dport : 1u);
}

/*
 * Build one context from the rules listed in idx[0..n-1] of one family of
 * one set. Rule i gets priority MAX - i, so the first match in the list
 * wins, and userdata i + 1.
 */
static int
build_part(struct acl_set *s, enum sw_acl_set which, int v6, int socket,
	   const uint32_t *idx, unsigned int n, char *err, size_t errlen)
{
	uint8_t family = v6 ? 6 : 4;
	size_t rsz = v6 ? sizeof(struct acl_rule6) : sizeof(struct acl_rule4);
	struct rte_acl_field_def defs[NB_FIELDS_V6];
	struct rte_acl_param prm;
	struct rte_acl_config bcfg;
	struct rte_acl_rule *ar;
	struct rte_acl_ctx *ctx;
	char name[RTE_ACL_NAMESIZE];
	unsigned int i, a, b, k = 0, total = 0;
	uint8_t *buf;
	int rc;

	for (i = 0; i < n; i++)
		total += expansion(&s->rules[idx[i]]);
	buf = calloc(total, rsz);
	if (buf == NULL) {
		snprintf(err, errlen, "%s: out of memory",
			 sw_acl_set_name(which));
		return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const struct sw_acl_rule *r = &s->rules[idx[i]];
		unsigned int ns = r->nb_sport ? r->nb_sport : 1;
		unsigned int nd = r->nb_dport ? r->nb_dport : 1;

		for (a = 0; a < ns; a++)
			for (b = 0; b < nd; b++) {
				ar = (struct rte_acl_rule *)(buf + k * rsz);
				ar->data.category_mask = 1;
				ar->data.priority =
					(int32_t)(RTE_ACL_MAX_PRIORITY - idx[i]);
				ar->data.userdata = idx[i] + 1;
				fill_rule(ar->field, r, v6,
					  r->nb_sport ? &r->sport[a] : NULL,
					  r->nb_dport ? &r->dport[b] : NULL);
				k++;
			}
	}

	/*
	 * rte_acl_create() hands back an existing context of the same name,
	 * so every build names its contexts afresh.
	 */
	snprintf(name, sizeof(name), "sw%u_%s%d",
		 __atomic_fetch_add(&ctx_serial, 1, __ATOMIC_RELAXED),
		 sw_acl_set_name(which), family);
	memset(&prm, 0, sizeof(prm));
	prm.name = name;
	prm.socket_id = socket;
	prm.rule_size = (uint32_t)RTE_ACL_RULE_SZ(v6 ? NB_FIELDS_V6 :
						   NB_FIELDS_V4);
	prm.max_rule_num = total;
	ctx = rte_acl_create(&prm);
	if (ctx == NULL) {
		free(buf);
		snprintf(err, errlen, "%s: rte_acl_create: %s",
			 sw_acl_set_name(which), rte_strerror(rte_errno));
		return -ENOMEM;
	}
	rc = rte_acl_add_rules(ctx, (struct rte_acl_rule *)buf, total);
	free(buf);
	if (rc == 0) {
		memset(&bcfg, 0, sizeof(bcfg));
		fill_defs(defs, v6);
		bcfg.num_categories = 1;
		bcfg.num_fields = v6 ? NB_FIELDS_V6 : NB_FIELDS_V4;
		memcpy(bcfg.defs, defs, sizeof(defs[0]) * bcfg.num_fields);
		rc = rte_acl_build(ctx, &bcfg);
	}
	if (rc == -ENOMEM && n > 1 &&
	    s->nb_parts[v6] + 2 <= ACL_MAX_PARTS) {
		rte_acl_free(ctx);
		rc = build_part(s, which, v6, socket, idx, n / 2, err, errlen);
		if (rc == 0)
			rc = build_part(s, which, v6, socket, idx + n / 2,
					n - n / 2, err, errlen);
		return rc;
	}
	if (rc) {
		rte_acl_free(ctx);
		snprintf(err, errlen, "%s: building the IPv%u classifier "
			 "(%u rules): %s", sw_acl_set_name(which), family,
			 total, strerror(-rc));
		return rc;
	}
	if (s->nb_parts[v6] == ACL_MAX_PARTS) {
		rte_acl_free(ctx);
		snprintf(err, errlen, "%s: IPv%u rules too irregular to "
			 "classify in %d parts", sw_acl_set_name(which),
			 family, ACL_MAX_PARTS);
		return -ENOMEM;
	}
	s->ctx[v6][s->nb_parts[v6]++] = ctx;
	s->nb_expanded += total;
	return 0;
}

static int
build_ctx(struct acl_set *s, enum sw_acl_set which, int v6, int socket,
	  char *err, size_t errlen)
{
	uint8_t family = v6 ? 6 : 4;
	uint32_t *idx;
	unsigned int i, n = 0;
	int rc;

	idx = malloc(sizeof(*idx) * (s->nb_rules + 1));
	if (idx == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < s->nb_rules; i++)
		if (rule_in_family(&s->rules[i], family))
			idx[n++] = i;
	rc = n ? build_part(s, which, v6, socket, idx, n, err, errlen) : 0;
	free(idx);
	if (rc == 0 && s->nb_parts[v6] > 1)
		ACL_LOG(INFO, "%s: IPv%u rules split into %u classifiers\n",
			sw_acl_set_name(which), family, s->nb_parts[v6]);
	return rc;
}

struct sw_acl *
sw_acl_create(const struct sw_acl_conf *conf, char *err, size_t errlen)
{
	struct sw_acl *acl;
	uint32_t base = 0;
	unsigned int k, i;
	int rc = -EINVAL;

	if (conf->nb_workers == 0) {
		snprintf(err, errlen, "no workers");
		rte_errno = EINVAL;
		return NULL;
	}
	acl = calloc(1, sizeof(*acl));
	if (acl == NULL) {
		rte_errno = ENOMEM;
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	acl->magic = ACL_MAGIC;
	acl->nb_workers = conf->nb_workers;
	for (k = 0; k < SW_ACL_NB_SETS; k++) {
		const struct sw_acl_set_conf *sc = &conf->set[k];
		struct acl_set *s = &acl->set[k];

		if (sc->nb_rules > SW_ACL_MAX_RULES) {
			snprintf(err, errlen, "%s: %u rules, at most %u",
				 sw_acl_set_name(k), sc->nb_rules,
				 SW_ACL_MAX_RULES);
			goto err;
		}
		s->default_action = sc->default_action;
		s->default_log = sc->default_log;
		s->logs = sc->default_log;
		s->hit_base = base;
		base += sc->nb_rules + 1;	/* + the default */
		s->nb_rules = sc->nb_rules;
		if (sc->nb_rules == 0)
			continue;
		s->rules = malloc(sizeof(*s->rules) * sc->nb_rules);
		if (s->rules == NULL) {
			rc = -ENOMEM;
			snprintf(err, errlen, "out of memory");
			goto err;
		}
		memcpy(s->rules, sc->rules, sizeof(*s->rules) * sc->nb_rules);
		for (i = 0; i < sc->nb_rules; i++) {
			acl->synproxy |= sc->rules[i].synproxy == 1;
			s->logs |= sc->rules[i].log != 0;
		}
	}
	/* One cache-line-rounded bank of counters per worker. */
	acl->hit_stride = RTE_ALIGN_CEIL(base, RTE_CACHE_LINE_SIZE /
					 sizeof(uint64_t));
	acl->hits = rte_zmalloc_socket("sw_acl_hits", sizeof(uint64_t) *
				       acl->hit_stride * conf->nb_workers,
				       RTE_CACHE_LINE_SIZE, conf->socket_id);
	if (acl->hits == NULL) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory for hit counters");
		goto err;
	}
	for (k = 0; k < SW_ACL_NB_SETS; k++) {
		rc = build_ctx(&acl->set[k], k, 0, conf->socket_id, err,
			       errlen);
		if (rc == 0)
			rc = build_ctx(&acl->set[k], k, 1, conf->socket_id,
				       err, errlen);
		if (rc)
			goto err;
	}
	return acl;
err:
	sw_acl_free(acl);
	rte_errno = -rc;
	return NULL;
}

void
sw_acl_free(struct sw_acl *acl)
{
	unsigned int k;

	if (acl == NULL)
		return;
	unsigned int f, p;

	for (k = 0; k < SW_ACL_NB_SETS; k++) {
		for (f = 0; f < 2; f++)
			for (p = 0; p < acl->set[k].nb_parts[f]; p++)
				rte_acl_free(acl->set[k].ctx[f][p]);
		free(acl->set[k].rules);
	}
	rte_free(acl->hits);
	/* A reader that wrongly still holds this build sees it die. */
	acl->magic = ACL_DEAD;
	free(acl);
}

static void
classify_family(const struct acl_set *s, int v6, const uint8_t **data,
		const uint16_t *idx, uint16_t n, uint64_t *hits,
		uint8_t *action, uint32_t *rule)
{
	uint32_t res[ACL_BURST], more[ACL_BURST];
	uint16_t j;
	unsigned int p;

	if (n == 0)
		return;
	if (s->nb_parts[v6] != 0)
		rte_acl_classify(s->ctx[v6][0], data, res, n, 1);
	else
		memset(res, 0, sizeof(res[0]) * n);
	for (p = 1; p < s->nb_parts[v6]; p++) {
		rte_acl_classify(s->ctx[v6][p], data, more, n, 1);
		for (j = 0; j < n; j++)
			if (more[j] != 0 && (res[j] == 0 || more[j] < res[j]))
				res[j] = more[j];
	}
	for (j = 0; j < n; j++) {
		uint32_t ud = res[j];

		action[idx[j]] = ud ? s->rules[ud - 1].action :
				      s->default_action;
		if (rule != NULL)
			rule[idx[j]] = ud;
		if (hits != NULL)
			hits[ud ? ud - 1 : s->nb_rules]++;
	}
}

void
sw_acl_classify(const struct sw_acl *acl, enum sw_acl_set set,
		unsigned int worker, const struct sw_acl_key *const *keys,
		uint16_t nb, uint8_t *action, uint32_t *rule)
{
	const struct acl_set *s = &acl->set[set];
	const uint8_t *d4[ACL_BURST], *d6[ACL_BURST];
	uint16_t i4[ACL_BURST], i6[ACL_BURST];
	uint16_t i, n4 = 0, n6 = 0;
	uint64_t *hits = worker == SW_ACL_NO_COUNT ? NULL :
			 acl->hits + (size_t)worker * acl->hit_stride +
			 s->hit_base;

	RTE_ASSERT(nb <= ACL_BURST);
	RTE_ASSERT(worker == SW_ACL_NO_COUNT || worker < acl->nb_workers);
	for (i = 0; i < nb; i++) {
		if (keys[i]->family == 6) {
			d6[n6] = (const uint8_t *)keys[i];
			i6[n6++] = i;
		} else {
			d4[n4] = (const uint8_t *)keys[i];
			i4[n4++] = i;
		}
	}
	classify_family(s, 0, d4, i4, n4, hits, action, rule);
	classify_family(s, 1, d6, i6, n6, hits, action, rule);
}

bool
sw_acl_any_synproxy(const struct sw_acl *acl)
{
	return acl->synproxy;
}

bool
sw_acl_logs(const struct sw_acl *acl, enum sw_acl_set set)
{
	return acl->set[set].logs;
}

bool
sw_acl_default_logs(const struct sw_acl *acl, enum sw_acl_set set)
{
	return acl->set[set].default_log;
}

bool
sw_acl_empty(const struct sw_acl *acl, enum sw_acl_set set)
{
	return acl->set[set].nb_rules == 0;
}

unsigned int
sw_acl_nb_rules(const struct sw_acl *acl, enum sw_acl_set set)
{
	return acl->set[set].nb_rules;
}

const struct sw_acl_rule *
sw_acl_get_rule(const struct sw_acl *acl, enum sw_acl_set set, unsigned int i)
{
	return i < acl->set[set].nb_rules ? &acl->set[set].rules[i] : NULL;
}

uint8_t
sw_acl_default(const struct sw_acl *acl, enum sw_acl_set set)
{
	return acl->set[set].default_action;
}

unsigned int
sw_acl_nb_expanded(const struct sw_acl *acl, enum sw_acl_set set)
{
	return acl->set[set].nb_expanded;
}

uint64_t
sw_acl_hits(const struct sw_acl *acl, enum sw_acl_set set, unsigned int i)
{
	const struct acl_set *s = &acl->set[set];
	uint64_t sum = 0;
	unsigned int w;

	if (i > s->nb_rules)
		return 0;
	for (w = 0; w < acl->nb_workers; w++)
		sum += acl->hits[(size_t)w * acl->hit_stride + s->hit_base + i];
	return sum;
}

void
sw_acl_publish(struct sw_acl **slot, struct sw_acl *next,
	       struct rte_rcu_qsbr *qs)
{
	struct sw_acl *old = __atomic_exchange_n(slot, next, __ATOMIC_ACQ_REL);

	if (old == NULL)
		return;
	if (qs != NULL)
		rte_rcu_qsbr_synchronize(qs, RTE_QSBR_THRID_INVALID);
	sw_acl_free(old);
}

int
sw_acl_alive(const struct sw_acl *acl)
{
	return acl->magic == ACL_MAGIC;
}
