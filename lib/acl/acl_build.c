/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_acl.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_log.h>
#include <rte_malloc.h>

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
	F_DPORT, F_ADDR		/* src chunks, dst chunks, the sets */
};

/*
 * The sets field comes last, and only in contexts whose rules test a
 * set: a context without one pays nothing for it.
 */
#define NB_FIELDS_V4 (F_ADDR + 2)
#define NB_FIELDS_V6 (F_ADDR + 8)
#define F_SETS(v6) ((v6) ? NB_FIELDS_V6 : NB_FIELDS_V4)
#define NB_FIELDS(v6, sets) (F_SETS(v6) + ((sets) ? 1 : 0))
/* rte_acl rules one config rule may expand to. */
#define ACL_MAX_EXPAND 65536

RTE_ACL_RULE_DEF(acl_rule4, NB_FIELDS_V4 + 1);
RTE_ACL_RULE_DEF(acl_rule6, NB_FIELDS_V6 + 1);

#define KEY_OFF(f) ((uint32_t)offsetof(struct sw_acl_key, f))

static void
fill_defs(struct rte_acl_field_def *d, int v6, bool sets)
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
	if (sets)
		d[n] = (struct rte_acl_field_def){
			.type = RTE_ACL_FIELD_TYPE_BITMASK, .size = 4,
			.field_index = (uint8_t)n,
			.input_index = (uint8_t)(3 + 2 * chunks),
			.offset = KEY_OFF(sets) };
}


static uint32_t ctx_serial;

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
 * One alternative of a source or destination: a prefix ("any" when its
 * family is 0) and bits of key->sets that must equal val under mask.
 */
struct alt {
	struct sw_acl_cidr c;
	uint32_t mask;
	uint32_t val;
};

/*
 * The complement of prefixes p[0..n-1] (family f) within prefix `at`,
 * as the fewest prefixes: appended to out (at most cap). Returns the
 * new count, or cap + 1 when it does not fit.
 */
static unsigned int
complement(const struct sw_acl_cidr *const *p, unsigned int n,
	   const struct sw_acl_cidr *at, struct alt *out, unsigned int nout,
	   unsigned int cap)
{
	const struct sw_acl_cidr *in[256];
	struct sw_acl_cidr half;
	unsigned int i, k = 0, width = at->family == 4 ? 32 : 128, b;

	for (i = 0; i < n; i++) {
		uint8_t shorter = RTE_MIN(p[i]->plen, at->plen);
		struct sw_acl_cidr t = *p[i];

		/* Disjoint from `at`: nothing to do with it. */
		t.plen = shorter;
		if (!sw_acl_cidr_holds(&t, at->family, at->addr))
			continue;
		if (p[i]->plen <= at->plen)
			return nout;	/* `at` is wholly covered */
		if (k == RTE_DIM(in))
			return cap + 1;
		in[k++] = p[i];
	}
	if (k == 0) {
		if (nout >= cap)
			return cap + 1;
		memset(&out[nout], 0, sizeof(out[nout]));
		out[nout].c = *at;
		return nout + 1;
	}
	if (at->plen >= width)
		return nout;
	for (b = 0; b < 2 && nout <= cap; b++) {
		half = *at;
		half.plen++;
		if (b)
			half.addr[at->plen / 8] |=
				(uint8_t)(0x80 >> (at->plen % 8));
		nout = complement(in, k, &half, out, nout, cap);
	}
	return nout;
}

struct build {
	const struct sw_acl *acl;
	struct alt *alt[2];		/* source, destination scratch */
	unsigned int cap;
};

static bool
set_in_family(const struct sw_acl *acl, unsigned int id, uint8_t family)
{
	return acl->set_family[id] == 0 || acl->set_family[id] == family;
}

/*
 * The alternatives of one side (dir 0: source) of rule r in a family.
 * Returns how many (0: the rule cannot match in this family), or
 * cap + 1 when there are too many.
 */
static unsigned int
side_alts(const struct build *b, const struct sw_acl_rule *r, int dir,
	  uint8_t family)
{
	const struct sw_acl *acl = b->acl;
	const struct sw_acl_cidr *one = dir ? &r->dst : &r->src;
	const struct sw_acl_addr *x = dir ? &r->dstx : &r->srcx;
	struct alt *out = b->alt[dir];
	const struct sw_acl_cidr *mine[256];
	unsigned int i, n = 0, k = 0, shift = dir ? 16 : 0;
	uint32_t mask = 0;
	bool any_elem = false;

	if (x->nb == 0 && x->sets == 0 && !x->neg) {
		if (one->family != 0 && one->family != family)
			return 0;
		memset(&out[0], 0, sizeof(out[0]));
		out[0].c = *one;
		return 1;
	}
	for (i = 0; i < x->nb; i++) {
		const struct sw_acl_cidr *c = &acl->pool[x->list + i];

		if (c->family != family)
			continue;
		any_elem = true;
		if (x->neg) {
			if (k == RTE_DIM(mine))
				return b->cap + 1;
			mine[k++] = c;
		} else {
			if (n >= b->cap)
				return b->cap + 1;
			memset(&out[n], 0, sizeof(out[n]));
			out[n++].c = *c;
		}
	}
	for (i = 0; i < SW_ACL_MAX_SETS; i++) {
		uint32_t bit;

		if (!(x->sets & (1u << i)) || !set_in_family(acl, i, family))
			continue;
		any_elem = true;
		bit = 1u << (acl->set_bit[dir][i] + shift);
		if (x->neg) {
			mask |= bit;
		} else {
			if (n >= b->cap)
				return b->cap + 1;
			memset(&out[n], 0, sizeof(out[n]));
			out[n].mask = bit;
			out[n++].val = bit;
		}
	}
	if (!x->neg || !any_elem)
		return n;
	/* Not in any: the complement of the prefixes, every set bit 0. */
	{
		struct sw_acl_cidr all;

		memset(&all, 0, sizeof(all));
		all.family = family;
		n = complement(mine, k, &all, out, 0, b->cap);
		if (n > b->cap)
			return n;
		for (i = 0; i < n; i++) {
			if (out[i].c.plen == 0)
				out[i].c.family = 0;	/* all of it: any */
			out[i].mask = mask;
			out[i].val = 0;
		}
		/* Every address is listed: the rule can never match. */
		return n;
	}
}

/*
 * Port ranges of a rule side as rte_acl sees them: the written ranges,
 * or their complement. Returns how many (0 with neg: none left, the
 * rule cannot match); *any when there is no port condition.
 */
static unsigned int
port_alts(const struct sw_acl_range *r, uint8_t n, uint8_t neg,
	  struct sw_acl_range *out, bool *any)
{
	struct sw_acl_range t[SW_ACL_MAX_RANGES];
	unsigned int i, j, k = 0;
	uint32_t next = 0;

	*any = n == 0 && !neg;
	if (!neg) {
		memcpy(out, r, sizeof(*r) * n);
		return n ? n : 1;
	}
	memcpy(t, r, sizeof(*r) * n);
	for (i = 1; i < n; i++)		/* few: insertion sort by lo */
		for (j = i; j > 0 && t[j].lo < t[j - 1].lo; j--) {
			struct sw_acl_range x = t[j];

			t[j] = t[j - 1];
			t[j - 1] = x;
		}
	for (i = 0; i < n; i++) {
		if (t[i].lo > next) {
			out[k].lo = (uint16_t)next;
			out[k++].hi = (uint16_t)(t[i].lo - 1);
		}
		if ((uint32_t)t[i].hi + 1 > next)
			next = (uint32_t)t[i].hi + 1;
	}
	if (next <= 65535) {
		out[k].lo = (uint16_t)next;
		out[k++].hi = 65535;
	}
	return k;
}

/*
 * Fill the rte_acl rule for one combination of rule r in the given
 * family. `fields` points at the rule's field array.
 */
static void
fill_rule(struct rte_acl_field *fields, const struct sw_acl_rule *r,
	  int v6, bool sets, const struct alt *sa, const struct alt *da,
	  const struct sw_acl_range *sp, const struct sw_acl_range *dp)
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
		set_addr_chunk(&fields[F_ADDR + i], &sa->c, i);
		set_addr_chunk(&fields[F_ADDR + chunks + i], &da->c, i);
	}
	if (sets) {
		fields[F_SETS(v6)].value.u32 = sa->val | da->val;
		fields[F_SETS(v6)].mask_range.u32 = sa->mask | da->mask;
	}
}

/*
 * Expand rule r (index idx of its list) in one family into rte_acl
 * rules at buf (stride rsz), in the categories of cmask, or only count
 * them when buf is NULL.
 * *uses_sets tells whether any of them tests a set. Returns the count,
 * or -E2BIG.
 */
static int64_t
expand(struct build *b, const struct sw_acl_rule *r, uint32_t idx, int v6,
       bool sets, uint32_t cmask, uint8_t *buf, size_t rsz, bool *uses_sets)
{
	struct sw_acl_range sp[SW_ACL_MAX_RANGES + 1];
	struct sw_acl_range dp[SW_ACL_MAX_RANGES + 1];
	uint8_t family = v6 ? 6 : 4;
	unsigned int ns, nd, nsp, ndp, i, j, a, c;
	bool sany, dany;
	int64_t k = 0;

	ns = side_alts(b, r, 0, family);
	nd = ns ? side_alts(b, r, 1, family) : 0;
	if (ns > b->cap || nd > b->cap)
		return -E2BIG;
	nsp = port_alts(r->sport, r->nb_sport, r->sport_neg, sp, &sany);
	ndp = port_alts(r->dport, r->nb_dport, r->dport_neg, dp, &dany);
	if ((uint64_t)ns * nd * nsp * ndp > ACL_MAX_EXPAND)
		return -E2BIG;
	for (i = 0; i < ns; i++)
		for (j = 0; j < nd; j++) {
			if (uses_sets != NULL &&
			    (b->alt[0][i].mask | b->alt[1][j].mask))
				*uses_sets = true;
			for (a = 0; a < nsp; a++)
				for (c = 0; c < ndp; c++) {
					struct rte_acl_rule *ar;

					if (buf == NULL) {
						k++;
						continue;
					}
					ar = (struct rte_acl_rule *)(buf +
								    k * rsz);
					ar->data.category_mask = cmask;
					ar->data.priority = (int32_t)
						(RTE_ACL_MAX_PRIORITY - idx);
					ar->data.userdata = idx + 1;
					fill_rule(ar->field, r, v6, sets,
						  &b->alt[0][i], &b->alt[1][j],
						  sany ? NULL : &sp[a],
						  dany ? NULL : &dp[c]);
					k++;
				}
		}
	return k;
}

static int
build_init(struct build *b, const struct sw_acl *acl)
{
	b->acl = acl;
	b->cap = 4096;
	b->alt[0] = malloc(sizeof(struct alt) * (b->cap + 1));
	b->alt[1] = malloc(sizeof(struct alt) * (b->cap + 1));
	return b->alt[0] && b->alt[1] ? 0 : -ENOMEM;
}

static void
build_fini(struct build *b)
{
	free(b->alt[0]);
	free(b->alt[1]);
}

/* "policy", or "group NAME", for messages. */
static const char *
lname(const struct acl_set *s, enum sw_acl_set which, char *buf, size_t len)
{
	if ((unsigned int)which < SW_ACL_NB_SETS)
		snprintf(buf, len, "%s", sw_acl_set_name(which));
	else
		snprintf(buf, len, "group %s", s->name);
	return buf;
}

/*
 * The categories rule idx is in, in segment c of its list: category 0,
 * and j for each of the segment's continue rules j above it.
 */
static uint32_t
seg_mask(const struct acl_set *s, unsigned int c, uint32_t idx)
{
	uint32_t m = 1, j, first = c * ACL_SEG_CONT;

	for (j = 1; j <= ACL_SEG_CONT && first + j <= s->nb_cont; j++)
		if (idx > s->cont[first + j - 1])
			m |= 1u << j;
	return m;
}

/*
 * Build one context of segment g from the rules listed in idx[0..n-1]
 * of one family of one list. Rule i gets priority MAX - i, so the first
 * match in the list wins, and userdata i + 1.
 */
static int
build_part(struct build *b, struct acl_set *s, struct acl_seg *g,
	   unsigned int c, enum sw_acl_set which, int v6, int socket,
	   const uint32_t *idx, unsigned int n, char *err, size_t errlen)
{
	uint8_t family = v6 ? 6 : 4;
	bool sets = s->has_sets[v6];
	size_t rsz = RTE_ACL_RULE_SZ(NB_FIELDS(v6, sets));
	struct rte_acl_field_def defs[NB_FIELDS_V6 + 1];
	struct rte_acl_param prm;
	struct rte_acl_config bcfg;
	struct rte_acl_ctx *ctx;
	char name[RTE_ACL_NAMESIZE], ln[48];
	unsigned int i;
	uint64_t total = 0;
	int64_t k;
	uint8_t *buf;
	int rc;

	lname(s, which, ln, sizeof(ln));
	for (i = 0; i < n; i++) {
		k = expand(b, &s->rules[idx[i]], idx[i], v6, sets, 1, NULL, 0,
			   NULL);
		if (k < 0) {
			snprintf(err, errlen, "%s[%u]: expands to too many "
				 "classifier rules (lists, negations and "
				 "ports multiply)", ln, idx[i]);
			return -E2BIG;
		}
		total += (uint64_t)k;
	}
	if (total == 0)
		return 0;
	if (total > UINT32_MAX / 2) {
		snprintf(err, errlen, "%s: too many classifier rules", ln);
		return -E2BIG;
	}
	buf = calloc(total, rsz);
	if (buf == NULL) {
		snprintf(err, errlen, "%s: out of memory", ln);
		return -ENOMEM;
	}
	for (i = 0, k = 0; i < n; i++)
		k += expand(b, &s->rules[idx[i]], idx[i], v6, sets,
			    seg_mask(s, c, idx[i]), buf + (size_t)k * rsz, rsz,
			    NULL);

	/*
	 * rte_acl_create() hands back an existing context of the same name,
	 * so every build names its contexts afresh.
	 */
	snprintf(name, sizeof(name), "sw%u_%.12s%d",
		 __atomic_fetch_add(&ctx_serial, 1, __ATOMIC_RELAXED),
		 (unsigned int)which < SW_ACL_NB_SETS ?
		 sw_acl_set_name(which) : s->name, family);
	memset(&prm, 0, sizeof(prm));
	prm.name = name;
	prm.socket_id = socket;
	prm.rule_size = (uint32_t)rsz;
	prm.max_rule_num = (uint32_t)total;
	ctx = rte_acl_create(&prm);
	if (ctx == NULL) {
		free(buf);
		snprintf(err, errlen, "%s: rte_acl_create: %s", ln,
			 rte_strerror(rte_errno));
		return -ENOMEM;
	}
	rc = rte_acl_add_rules(ctx, (struct rte_acl_rule *)buf,
			       (uint32_t)total);
	free(buf);
	if (rc == 0) {
		memset(&bcfg, 0, sizeof(bcfg));
		fill_defs(defs, v6, sets);
		bcfg.num_categories = g->nb_cats;
		bcfg.num_fields = NB_FIELDS(v6, sets);
		memcpy(bcfg.defs, defs, sizeof(defs[0]) * bcfg.num_fields);
		rc = rte_acl_build(ctx, &bcfg);
	}
	if (rc == -ENOMEM && n > 1 &&
	    g->nb_parts[v6] + 2 <= ACL_MAX_PARTS) {
		rte_acl_free(ctx);
		rc = build_part(b, s, g, c, which, v6, socket, idx, n / 2, err,
				errlen);
		if (rc == 0)
			rc = build_part(b, s, g, c, which, v6, socket,
					idx + n / 2, n - n / 2, err, errlen);
		return rc;
	}
	if (rc) {
		rte_acl_free(ctx);
		snprintf(err, errlen, "%s: building the IPv%u classifier "
			 "(%" PRIu64 " rules): %s", ln, family, total,
			 strerror(-rc));
		return rc;
	}
	if (g->nb_parts[v6] == ACL_MAX_PARTS) {
		rte_acl_free(ctx);
		snprintf(err, errlen, "%s: IPv%u rules too irregular to "
			 "classify in %d parts", ln, family, ACL_MAX_PARTS);
		return -ENOMEM;
	}
	g->ctx[v6][g->nb_parts[v6]++] = ctx;
	s->nb_expanded += (unsigned int)total;
	return 0;
}

static int
build_ctx(struct build *b, struct acl_set *s, enum sw_acl_set which, int v6,
	  int socket, char *err, size_t errlen)
{
	uint8_t family = v6 ? 6 : 4;
	struct acl_seg *g;
	uint32_t *idx;
	unsigned int i, n, c;
	int64_t k;
	char ln[48];
	int rc = 0;

	idx = malloc(sizeof(*idx) * (s->nb_rules + 1));
	if (idx == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (i = 0; i < s->nb_rules; i++) {
		bool uses = false;

		expand(b, &s->rules[i], i, v6, false, 1, NULL, 0, &uses);
		s->has_sets[v6] |= uses;
	}
	for (c = 0; c < s->nb_seg && rc == 0; c++) {
		g = (struct acl_seg *)(uintptr_t)acl_seg_of(s, c);
		for (i = 0, n = 0; i < s->nb_rules; i++) {
			if ((int64_t)i <= g->base)
				continue;
			k = expand(b, &s->rules[i], i, v6, false, 1, NULL, 0,
				   NULL);
			if (k == 0)
				continue;	/* not in this family */
			idx[n++] = i;
		}
		rc = n ? build_part(b, s, g, c, which, v6, socket, idx, n, err,
				    errlen) : 0;
		if (rc == 0 && g->nb_parts[v6] > 1)
			ACL_LOG(INFO, "%s: IPv%u rules split into %u "
				"classifiers\n", lname(s, which, ln,
							  sizeof(ln)),
				family, g->nb_parts[v6]);
	}
	free(idx);
	return rc;
}

/* DPDK heap bytes in use, all sockets. */
static size_t
heap_used(void)
{
	struct rte_malloc_socket_stats st;
	unsigned int i, n = rte_socket_count();
	size_t sum = 0;

	for (i = 0; i < n; i++)
		if (rte_malloc_get_socket_stats(rte_socket_id_by_idx(i),
						&st) == 0)
			sum += st.heap_allocsz_bytes;
	return sum;
}

/* Give every set a rule tests a bit of key->sets, per direction. */
static int
map_sets(struct sw_acl *acl, char *err, size_t errlen)
{
	uint32_t used[2] = { 0, 0 };
	unsigned int k, i, d;

	memset(acl->set_bit, -1, sizeof(acl->set_bit));
	for (k = 0; k < acl->nb_lists; k++)
		for (i = 0; i < acl->set[k].nb_rules; i++) {
			used[0] |= acl->set[k].rules[i].srcx.sets;
			used[1] |= acl->set[k].rules[i].dstx.sets;
		}
	for (d = 0; d < 2; d++)
		for (i = 0; i < SW_ACL_MAX_SETS; i++) {
			if (!(used[d] & (1u << i)))
				continue;
			if (acl->nb_set_bits[d] == SW_ACL_SET_BITS) {
				snprintf(err, errlen, "more than %d sets "
					 "tested as %s", SW_ACL_SET_BITS,
					 d ? "destinations" : "sources");
				return -E2BIG;
			}
			acl->set_bit[d][i] = (int8_t)acl->nb_set_bits[d];
			acl->set_id[d][acl->nb_set_bits[d]++] = (uint8_t)i;
		}
	return 0;
}

/*
 * A list's continue rules (jumps, gotos, conditions with state) and its
 * segments: one per ACL_SEG_CONT of them.
 */
static int
plan_list(struct acl_set *s)
{
	unsigned int i, c;

	s->nb_seg = 1;
	s->seg.base = -1;
	s->seg.nb_cats = 1;
	for (i = 0; i < s->nb_rules; i++)
		if (s->rules[i].action == SW_ACL_JUMP ||
		    s->rules[i].action == SW_ACL_GOTO ||
		    sw_acl_rule_stateful(&s->rules[i]))
			s->nb_cont++;
	if (s->nb_cont == 0)
		return 0;
	s->stateful = true;
	s->cont = malloc(sizeof(*s->cont) * s->nb_cont);
	s->cont_no = calloc(s->nb_rules, sizeof(*s->cont_no));
	s->nb_seg = 1 + (s->nb_cont - 1) / ACL_SEG_CONT;
	if (s->nb_seg > 1)
		s->more = calloc(s->nb_seg - 1, sizeof(*s->more));
	if (s->cont == NULL || s->cont_no == NULL ||
	    (s->nb_seg > 1 && s->more == NULL))
		return -ENOMEM;
	for (i = 0, c = 0; i < s->nb_rules; i++)
		if (s->rules[i].action == SW_ACL_JUMP ||
		    s->rules[i].action == SW_ACL_GOTO ||
		    sw_acl_rule_stateful(&s->rules[i])) {
			s->cont[c] = i;
			s->cont_no[i] = ++c;
		}
	for (c = 0; c < s->nb_seg; c++) {
		struct acl_seg *g = (struct acl_seg *)(uintptr_t)
				    acl_seg_of(s, c);
		unsigned int k = RTE_MIN(s->nb_cont - c * ACL_SEG_CONT,
					 (unsigned int)ACL_SEG_CONT);

		g->base = c == 0 ? -1 : (int64_t)s->cont[c * ACL_SEG_CONT - 1];
		/* rte_acl: 1 category, or a multiple of 4. */
		g->nb_cats = (uint8_t)RTE_ALIGN_CEIL(1 + k, 4);
	}
	return 0;
}

/* Copy list k of the conf into the build. */
static int
take_list(struct sw_acl *acl, const struct sw_acl_conf *conf, unsigned int k,
	  char *err, size_t errlen)
{
	struct acl_set *s = &acl->set[k];
	const struct sw_acl_rule *rules;
	unsigned int i, n;
	char nm[48];

	rules = acl_conf_rules(conf, k, &n);
	if (n > SW_ACL_MAX_RULES) {
		snprintf(err, errlen, "%s: %u rules, at most %u",
			 acl_conf_name(conf, k, nm, sizeof(nm)), n,
			 SW_ACL_MAX_RULES);
		return -EINVAL;
	}
	if (k < SW_ACL_NB_SETS) {
		s->default_action = conf->set[k].default_action;
		s->default_log = conf->set[k].default_log;
		s->logs = s->default_log;
	} else {
		snprintf(s->name, sizeof(s->name), "%s",
			 conf->groups[k - SW_ACL_NB_SETS].name);
	}
	s->nb_rules = n;
	if (n) {
		s->rules = malloc(sizeof(*s->rules) * n);
		if (s->rules == NULL)
			return -ENOMEM;
		memcpy(s->rules, rules, sizeof(*s->rules) * n);
	}
	for (i = 0; i < n; i++) {
		acl->synproxy |= rules[i].synproxy == 1;
		s->logs |= rules[i].log != 0;
	}
	return plan_list(s);
}

struct sw_acl *
sw_acl_create(const struct sw_acl_conf *conf, char *err, size_t errlen)
{
	struct sw_acl *acl;
	struct build b = { 0 };
	uint32_t base = 0;
	unsigned int k;
	size_t before = heap_used();
	int rc = -EINVAL;

	if (conf->nb_workers == 0) {
		snprintf(err, errlen, "no workers");
		rte_errno = EINVAL;
		return NULL;
	}
	if (acl_check_refs(conf, err, errlen)) {
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
	acl->hz = conf->hz;
	acl->hash = conf->hash;
	acl->nb_lists = SW_ACL_NB_SETS + conf->nb_groups;
	memcpy(acl->set_family, conf->set_family, sizeof(acl->set_family));
	if (conf->nb_pool) {
		acl->pool = malloc(sizeof(*acl->pool) * conf->nb_pool);
		if (acl->pool == NULL) {
			rc = -ENOMEM;
			snprintf(err, errlen, "out of memory");
			goto err;
		}
		memcpy(acl->pool, conf->pool, sizeof(*acl->pool) *
		       conf->nb_pool);
		acl->nb_pool = conf->nb_pool;
	}
	for (k = 0; k < acl->nb_lists; k++) {
		rc = take_list(acl, conf, k, err, errlen);
		if (rc == -ENOMEM)
			snprintf(err, errlen, "out of memory");
		if (rc)
			goto err;
		acl->set[k].hit_base = base;
		base += acl->set[k].nb_rules + 1;	/* + the default */
	}
	rc = map_sets(acl, err, errlen);
	if (rc)
		goto err;
	/* One cache-line-rounded bank of counters per worker. */
	acl->hit_stride = RTE_ALIGN_CEIL(base, RTE_CACHE_LINE_SIZE /
					 sizeof(uint64_t));
	acl->hits = rte_zmalloc_socket("sw_acl_hits", sizeof(uint64_t) *
				       acl->hit_stride * conf->nb_workers,
				       RTE_CACHE_LINE_SIZE, conf->socket_id);
	acl->hits_base = calloc(acl->hit_stride, sizeof(uint64_t));
	if (acl->hits == NULL || acl->hits_base == NULL) {
		rc = -ENOMEM;
		snprintf(err, errlen, "out of memory for hit counters");
		goto err;
	}
	rc = acl_lims_create(acl, conf->socket_id, err, errlen);
	if (rc)
		goto err;
	rc = build_init(&b, acl);
	if (rc) {
		snprintf(err, errlen, "out of memory");
		goto err;
	}
	for (k = 0; k < acl->nb_lists; k++) {
		rc = build_ctx(&b, &acl->set[k], k, 0, conf->socket_id, err,
			       errlen);
		if (rc == 0)
			rc = build_ctx(&b, &acl->set[k], k, 1, conf->socket_id,
				       err, errlen);
		if (rc)
			goto err;
	}
	build_fini(&b);
	acl->mem = RTE_MAX(heap_used(), before) - before;
	return acl;
err:
	build_fini(&b);
	sw_acl_free(acl);
	rte_errno = -rc;
	return NULL;
}

uint64_t
sw_acl_count_expanded(const struct sw_acl_conf *conf, char *err,
		      size_t errlen)
{
	struct sw_acl *acl;
	struct build b = { 0 };
	uint64_t total = 0;
	unsigned int k, i, c;
	int v6;
	int64_t n;
	char nm[48];

	if (acl_check_refs(conf, err, errlen))
		return 0;
	acl = calloc(1, sizeof(*acl));
	if (acl == NULL) {
		snprintf(err, errlen, "out of memory");
		return 0;
	}
	acl->pool = (struct sw_acl_cidr *)(uintptr_t)conf->pool;
	acl->nb_pool = conf->nb_pool;
	acl->nb_lists = SW_ACL_NB_SETS + conf->nb_groups;
	memcpy(acl->set_family, conf->set_family, sizeof(acl->set_family));
	for (k = 0; k < acl->nb_lists; k++) {
		struct acl_set *s = &acl->set[k];

		s->rules = (struct sw_acl_rule *)(uintptr_t)
			   acl_conf_rules(conf, k, &s->nb_rules);
		if (plan_list(s)) {
			snprintf(err, errlen, "out of memory");
			goto out;
		}
	}
	if (map_sets(acl, err, errlen) || build_init(&b, acl))
		goto out;
	for (k = 0; k < acl->nb_lists; k++) {
		struct acl_set *s = &acl->set[k];

		for (c = 0; c < s->nb_seg; c++)
			for (i = (unsigned int)(acl_seg_of(s, c)->base + 1);
			     i < s->nb_rules; i++)
				for (v6 = 0; v6 < 2; v6++) {
					n = expand(&b, &s->rules[i], i, v6,
						   false, 1, NULL, 0, NULL);
					if (n < 0) {
						snprintf(err, errlen, "%s[%u]: "
							 "expands to too many "
							 "classifier rules",
							 acl_conf_name(conf, k, nm,
								   sizeof(nm)),
							 i);
						total = 0;
						goto out;
					}
					total += (uint64_t)n;
				}
	}
	total = total ? total : 1;
out:
	build_fini(&b);
	for (k = 0; k < acl->nb_lists; k++) {
		free(acl->set[k].cont);
		free(acl->set[k].cont_no);
		free(acl->set[k].more);
	}
	free(acl);
	return total;
}

void
sw_acl_free(struct sw_acl *acl)
{
	unsigned int k, c, f, p;

	if (acl == NULL)
		return;
	for (k = 0; k < acl->nb_lists; k++) {
		struct acl_set *s = &acl->set[k];

		for (c = 0; c < s->nb_seg && (c == 0 || s->more); c++) {
			const struct acl_seg *g = acl_seg_of(s, c);

			for (f = 0; f < 2; f++)
				for (p = 0; p < g->nb_parts[f]; p++)
					rte_acl_free(g->ctx[f][p]);
		}
		free(s->more);
		free(s->cont);
		free(s->cont_no);
		free(s->rules);
	}
	acl_lims_free(acl);
	rte_free(acl->hits);
	free(acl->hits_base);
	free(acl->pool);
	/* A reader that wrongly still holds this build sees it die. */
	acl->magic = ACL_DEAD;
	free(acl);
}
