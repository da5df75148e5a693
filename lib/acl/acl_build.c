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

#include "acl_private.h"
#include "sw_acl.h"

RTE_LOG_REGISTER(sw_acl_logtype, user.sw.acl, INFO);
#define RTE_LOGTYPE_SW_ACL sw_acl_logtype
#define ACL_LOG(l, ...) RTE_LOG(l, SW_ACL, __VA_ARGS__)

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

static uint32_t ctx_serial;

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
