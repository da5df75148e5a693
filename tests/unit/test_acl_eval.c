/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * lib/acl evaluation beyond first match: rule groups (jump, goto,
 * return, as iptables' user chains and nftables' chains), and rules
 * whose conditions hold state (limit, meter, connection limit), which
 * do not match when the condition fails: evaluation goes on below
 * them. Time is passed in (hz 1000: a tick is a millisecond).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_lcore.h>
#include <rte_memory.h>

#include "eal.h"
#include "sw_acl.h"

#define HZ 1000

static char err[256];

/* The meters' hash: FNV-1a, enough for a test (spillway keys SipHash). */
static uint64_t
fnv(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ull;
	return h;
}

struct lists {
	struct sw_acl_conf conf;
	struct sw_acl_group_conf g[SW_ACL_MAX_GROUPS];
};

static void
lists_init(struct lists *l, unsigned int workers)
{
	memset(l, 0, sizeof(*l));
	l->conf.nb_workers = workers;
	l->conf.socket_id = SOCKET_ID_ANY;
	l->conf.hz = HZ;
	l->conf.hash = fnv;
	l->conf.groups = l->g;
	l->conf.set[SW_ACL_POLICY].default_action = SW_ACL_DROP;
	l->conf.set[SW_ACL_FALLBACK].default_action = SW_ACL_DROP;
}

static void
set_list(struct lists *l, enum sw_acl_set set, const struct sw_acl_rule *r,
	 unsigned int n)
{
	l->conf.set[set].rules = r;
	l->conf.set[set].nb_rules = n;
}

static void
add_group(struct lists *l, const char *name, const struct sw_acl_rule *r,
	  unsigned int n)
{
	struct sw_acl_group_conf *g = &l->g[l->conf.nb_groups++];

	snprintf(g->name, sizeof(g->name), "%s", name);
	g->rules = r;
	g->nb_rules = n;
}

static struct sw_acl *
build(struct lists *l)
{
	struct sw_acl *acl = sw_acl_create(&l->conf, err, sizeof(err));

	if (acl == NULL)
		fail_msg("sw_acl_create: %s", err);
	return acl;
}

static void
key4(struct sw_acl_key *k, const char *src, uint8_t proto, uint16_t dport)
{
	memset(k, 0, sizeof(*k));
	k->family = 4;
	k->proto = proto;
	inet_pton(AF_INET, src, k->src);
	inet_pton(AF_INET, "198.51.100.1", k->dst);
	k->sport = htons(40000);
	k->dport = htons(dport);
}

static void
key6(struct sw_acl_key *k, const char *src, uint8_t proto, uint16_t dport)
{
	memset(k, 0, sizeof(*k));
	k->family = 6;
	k->proto = proto;
	inet_pton(AF_INET6, src, k->src);
	inet_pton(AF_INET6, "2001:db8:ffff::1", k->dst);
	k->sport = htons(40000);
	k->dport = htons(dport);
}

static void
rule(struct sw_acl_rule *r, uint8_t action, int proto, uint16_t dport)
{
	sw_acl_rule_init(r, action);
	r->proto = (int16_t)proto;
	if (dport) {
		r->dport[0].lo = r->dport[0].hi = dport;
		r->nb_dport = 1;
	}
}

static void
jump(struct sw_acl_rule *r, uint8_t action, int proto, uint16_t group)
{
	rule(r, action, proto, 0);
	r->group = group;
}

/* One packet through sw_acl_eval: its verdict, *id its rule id + 1. */
static uint8_t
eval1(const struct sw_acl *acl, enum sw_acl_set set, const struct sw_acl_key *k,
      struct sw_acl_ctx *cx, uint32_t *id)
{
	const struct sw_acl_key *kp[1] = { k };
	uint32_t rid;
	uint8_t a;

	sw_acl_eval(acl, set, 0, kp, 1, &a, &rid, cx);
	if (id != NULL)
		*id = rid;
	return a;
}

/* The rule a rule id names: its list (a group's index: SW_ACL_GROUP). */
static void
expect_rule(const struct sw_acl *acl, enum sw_acl_set set, uint32_t id,
	    enum sw_acl_set list, unsigned int index)
{
	unsigned int i;

	assert_true(id != 0);
	assert_int_equal(sw_acl_rule_list(set, id - 1, &i), list);
	assert_int_equal(i, index);
	assert_non_null(sw_acl_get_rule(acl, set, id - 1));
	assert_ptr_equal(sw_acl_get_rule(acl, set, id - 1),
			 sw_acl_get_rule(acl, list, index));
}

/*
 * A jump's group decides, or ends without a verdict (a return rule, or
 * no rule of it matched) and the caller goes on below the jump; the
 * group's own rules are counted as hits, as the jump is.
 */
static void
test_acl_eval_jump_returns_below(void **state)
{
	struct sw_acl_rule base[3], g[3];
	struct sw_acl_key k;
	struct lists l;
	struct sw_acl *acl;
	uint32_t id;

	(void)state;
	lists_init(&l, 1);
	jump(&base[0], SW_ACL_JUMP, 6, 0);		/* tcp: jump ssh */
	rule(&base[1], SW_ACL_ACCEPT, 6, 80);
	rule(&base[2], SW_ACL_REJECT, 6, 0);
	rule(&g[0], SW_ACL_DROP, 6, 22);
	rule(&g[1], SW_ACL_RETURN, 6, 80);
	rule(&g[2], SW_ACL_ACCEPT, 6, 443);
	set_list(&l, SW_ACL_POLICY, base, 3);
	add_group(&l, "ssh", g, 3);
	acl = build(&l);
	assert_int_equal(sw_acl_nb_lists(acl), SW_ACL_NB_SETS + 1);
	assert_string_equal(sw_acl_list_name(acl, SW_ACL_GROUP(0)), "ssh");
	assert_true(sw_acl_stateful(acl, SW_ACL_POLICY));

	key4(&k, "192.0.2.1", 6, 22);			/* the group drops */
	assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, NULL, &id),
			 SW_ACL_DROP);
	expect_rule(acl, SW_ACL_POLICY, id, SW_ACL_GROUP(0), 0);
	key4(&k, "192.0.2.1", 6, 443);			/* the group accepts */
	assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, NULL, &id),
			 SW_ACL_ACCEPT);
	expect_rule(acl, SW_ACL_POLICY, id, SW_ACL_GROUP(0), 2);
	key4(&k, "192.0.2.1", 6, 80);			/* return: below */
	assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, NULL, &id),
			 SW_ACL_ACCEPT);
	expect_rule(acl, SW_ACL_POLICY, id, SW_ACL_POLICY, 1);
	key4(&k, "192.0.2.1", 6, 8080);			/* falls off: below */
	assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, NULL, &id),
			 SW_ACL_REJECT);
	expect_rule(acl, SW_ACL_POLICY, id, SW_ACL_POLICY, 2);
	key4(&k, "192.0.2.1", 17, 53);			/* no jump: default */
	assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, NULL, &id),
			 SW_ACL_DROP);
	assert_int_equal(id, 0);
	/* Hits: the jump 4 times, each group rule once, the default. */
	assert_int_equal(sw_acl_hits(acl, SW_ACL_POLICY, 0), 4);
	assert_int_equal(sw_acl_hits(acl, SW_ACL_GROUP(0), 0), 1);
	assert_int_equal(sw_acl_hits(acl, SW_ACL_GROUP(0), 1), 1);
	assert_int_equal(sw_acl_hits(acl, SW_ACL_GROUP(0), 2), 1);
	assert_int_equal(sw_acl_hits(acl, SW_ACL_POLICY, 1), 1);
	assert_int_equal(sw_acl_hits(acl, SW_ACL_POLICY, 3), 1);
	/* sw_acl_classify is the same walk, without conditions. */
	key4(&k, "192.0.2.1", 6, 8080);
	{
		const struct sw_acl_key *kp[1] = { &k };
		uint8_t a;

		sw_acl_classify(acl, SW_ACL_POLICY, SW_ACL_NO_COUNT, kp, 1,
				&a, &id);
		assert_int_equal(a, SW_ACL_REJECT);
	}
	sw_acl_free(acl);
}

/*
 * goto: the group's end is the caller's end (iptables -g): from a set,
 * its default, not the rules below the goto; return in a goto'd group
 * likewise.
 */
static void
test_acl_eval_goto_ends_the_caller(void **state)
{
	struct sw_acl_rule base[3], g[2], inner[2];
	struct sw_acl_key k;
	struct lists l;
	struct sw_acl *acl;
	uint32_t id;

	(void)state;
	lists_init(&l, 1);
	jump(&base[0], SW_ACL_JUMP, 17, 1);		/* udp: jump outer */
	jump(&base[1], SW_ACL_GOTO, 6, 0);		/* tcp: goto web */
	rule(&base[2], SW_ACL_ACCEPT, -1, 0);		/* never for tcp */
	rule(&g[0], SW_ACL_ACCEPT, 6, 443);
	rule(&g[1], SW_ACL_RETURN, 6, 80);
	/* outer: goto inner; inner's end returns below outer's jump. */
	jump(&inner[0], SW_ACL_GOTO, 17, 2);
	rule(&inner[1], SW_ACL_DROP, 17, 0);		/* never reached */
	set_list(&l, SW_ACL_POLICY, base, 3);
	add_group(&l, "web", g, 2);
	add_group(&l, "outer", inner, 2);
	{
		static struct sw_acl_rule last[1];

		rule(&last[0], SW_ACL_REJECT, 17, 53);
		add_group(&l, "inner", last, 1);
	}
	acl = build(&l);

	key4(&k, "192.0.2.1", 6, 443);
	assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, NULL, &id),
			 SW_ACL_ACCEPT);
	expect_rule(acl, SW_ACL_POLICY, id, SW_ACL_GROUP(0), 0);
	key4(&k, "192.0.2.1", 6, 8080);			/* falls off: default */
	assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, NULL, &id),
			 SW_ACL_DROP);
	assert_int_equal(id, 0);
	key4(&k, "192.0.2.1", 6, 80);			/* return: default */
	assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, NULL, &id),
			 SW_ACL_DROP);
	expect_rule(acl, SW_ACL_POLICY, id, SW_ACL_GROUP(0), 1);
	/* udp 53: jump outer, goto inner, which rejects. */
	key4(&k, "192.0.2.1", 17, 53);
	assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, NULL, &id),
			 SW_ACL_REJECT);
	expect_rule(acl, SW_ACL_POLICY, id, SW_ACL_GROUP(2), 0);
	/* udp 54: inner ends, which ends outer: below the jump, accept. */
	key4(&k, "192.0.2.1", 17, 54);
	assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, NULL, &id),
			 SW_ACL_ACCEPT);
	expect_rule(acl, SW_ACL_POLICY, id, SW_ACL_POLICY, 2);
	sw_acl_free(acl);
}

/* Groups that jump in a circle, deeper than the most, or to nothing. */
static void
test_acl_eval_groups_refused(void **state)
{
	struct sw_acl_rule g[SW_ACL_MAX_DEPTH + 2][1], base[1];
	struct lists l;
	unsigned int i;

	(void)state;
	lists_init(&l, 1);
	jump(&base[0], SW_ACL_JUMP, -1, 0);
	set_list(&l, SW_ACL_POLICY, base, 1);
	jump(&g[0][0], SW_ACL_JUMP, 6, 1);
	jump(&g[1][0], SW_ACL_GOTO, 6, 0);		/* a circle */
	add_group(&l, "a", g[0], 1);
	add_group(&l, "b", g[1], 1);
	assert_null(sw_acl_create(&l.conf, err, sizeof(err)));
	assert_non_null(strstr(err, "circle"));

	/* A chain of jumps one deeper than SW_ACL_MAX_DEPTH. */
	lists_init(&l, 1);
	set_list(&l, SW_ACL_POLICY, base, 1);
	for (i = 0; i < SW_ACL_MAX_DEPTH; i++) {
		jump(&g[i][0], SW_ACL_JUMP, -1, (uint16_t)(i + 1));
		add_group(&l, "deep", g[i], 1);
	}
	rule(&g[i][0], SW_ACL_ACCEPT, -1, 0);
	add_group(&l, "end", g[i], 1);
	assert_null(sw_acl_create(&l.conf, err, sizeof(err)));
	assert_non_null(strstr(err, "deeper than"));
	/* As deep as allowed: builds, and the last group decides. */
	l.conf.nb_groups = SW_ACL_MAX_DEPTH;
	jump(&g[SW_ACL_MAX_DEPTH - 1][0], SW_ACL_ACCEPT, -1, 0);
	{
		struct sw_acl *acl = build(&l);
		struct sw_acl_key k;
		uint32_t id;

		key4(&k, "192.0.2.1", 6, 1);
		assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, NULL, &id),
				 SW_ACL_ACCEPT);
		expect_rule(acl, SW_ACL_POLICY, id,
			    SW_ACL_GROUP(SW_ACL_MAX_DEPTH - 1), 0);
		sw_acl_free(acl);
	}
	/* A jump to a group that is not there. */
	lists_init(&l, 1);
	jump(&base[0], SW_ACL_JUMP, -1, 3);
	set_list(&l, SW_ACL_POLICY, base, 1);
	assert_null(sw_acl_create(&l.conf, err, sizeof(err)));
	assert_non_null(strstr(err, "bad rule"));
}

/*
 * limit 10/second burst 5: five packets at once, then one every 100 ms;
 * a packet over the rate does not match the rule and gets the rule
 * below it. `over` matches those instead.
 */
static void
test_acl_eval_limit_rate_and_burst(void **state)
{
	struct sw_acl_rule r[2];
	struct sw_acl_ctx cx;
	struct sw_acl_key k;
	struct lists l;
	struct sw_acl *acl;
	unsigned int i, pass = 0;
	uint64_t t, t0;

	(void)state;
	lists_init(&l, 1);
	rule(&r[0], SW_ACL_ACCEPT, 1, 0);
	assert_int_equal(sw_acl_parse_rate("10/second", &r[0].limit, err,
					   sizeof(err)), 0);
	r[0].limit.burst = 5;
	rule(&r[1], SW_ACL_REJECT, 1, 0);
	set_list(&l, SW_ACL_POLICY, r, 2);
	acl = build(&l);
	key4(&k, "192.0.2.1", 1, 0);
	memset(&cx, 0, sizeof(cx));
	cx.now = 5000;
	for (i = 0; i < 8; i++)
		pass += eval1(acl, SW_ACL_POLICY, &k, &cx, NULL) ==
			SW_ACL_ACCEPT;
	assert_int_equal(pass, 5);
	assert_int_equal(cx.limited, 3);
	/* Over the rate: the next rule, reject. */
	assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, &cx, NULL),
			 SW_ACL_REJECT);
	/* 100 ms later, one token; 99 ms after that, none yet. */
	cx.now += 100;
	assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, &cx, NULL),
			 SW_ACL_ACCEPT);
	cx.now += 99;
	assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, &cx, NULL),
			 SW_ACL_REJECT);
	/* A flood for 10 s passes 10 a second, and nothing more. */
	t0 = cx.now + 1;
	for (pass = 0, t = t0; t < t0 + 10000; t++) {
		cx.now = t;
		pass += eval1(acl, SW_ACL_POLICY, &k, &cx, NULL) ==
			SW_ACL_ACCEPT;
		pass += eval1(acl, SW_ACL_POLICY, &k, &cx, NULL) ==
			SW_ACL_ACCEPT;
	}
	assert_int_equal(pass, 100);
	/* Idle for a while: the bucket holds at most the burst. */
	cx.now += 60000;
	for (pass = 0, i = 0; i < 20; i++)
		pass += eval1(acl, SW_ACL_POLICY, &k, &cx, NULL) ==
			SW_ACL_ACCEPT;
	assert_int_equal(pass, 5);
	/* Without a context the limit is met and nothing is spent. */
	for (i = 0; i < 20; i++)
		assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, NULL, NULL),
				 SW_ACL_ACCEPT);
	sw_acl_free(acl);

	/* over: the rule drops what the rate does not allow. */
	r[0].action = SW_ACL_DROP;
	r[0].limit.over = 1;
	r[1].action = SW_ACL_ACCEPT;
	acl = build(&l);
	cx.now = 1000;
	for (pass = 0, i = 0; i < 8; i++)
		pass += eval1(acl, SW_ACL_POLICY, &k, &cx, NULL) ==
			SW_ACL_ACCEPT;
	assert_int_equal(pass, 5);
	assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, NULL, NULL),
			 SW_ACL_ACCEPT);
	sw_acl_free(acl);
}

/*
 * A meter: the rate per source prefix (/24, /64 here), each its own
 * bucket; sources in one prefix share it.
 */
static void
test_acl_eval_meter_per_source(void **state)
{
	struct sw_acl_rule r[1];
	struct sw_acl_ctx cx;
	struct sw_acl_key k;
	struct lists l;
	struct sw_acl *acl;
	char a[64];
	unsigned int s, i, pass;

	(void)state;
	lists_init(&l, 1);
	rule(&r[0], SW_ACL_ACCEPT, 17, 53);
	assert_int_equal(sw_acl_parse_rate("2/second", &r[0].meter.rate, err,
					   sizeof(err)), 0);
	r[0].meter.rate.burst = 3;
	r[0].meter.v4_prefix = 24;
	r[0].meter.v6_prefix = 64;
	r[0].meter.size = 16384;
	set_list(&l, SW_ACL_POLICY, r, 1);
	acl = build(&l);
	memset(&cx, 0, sizeof(cx));
	cx.now = 7;
	/* 200 sources, 10 packets each: 3 of each pass. */
	for (s = 0; s < 200; s++) {
		snprintf(a, sizeof(a), "198.51.%u.9", s);
		key4(&k, a, 17, 53);
		for (pass = 0, i = 0; i < 10; i++)
			pass += eval1(acl, SW_ACL_POLICY, &k, &cx, NULL) ==
				SW_ACL_ACCEPT;
		assert_int_equal(pass, 3);
	}
	/* Another host of source 5's /24: its bucket is empty. */
	key4(&k, "198.51.5.200", 17, 53);
	assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, &cx, NULL),
			 SW_ACL_DROP);
	/* IPv6 by /64. */
	key6(&k, "2001:db8:1:2::1", 17, 53);
	for (pass = 0, i = 0; i < 10; i++)
		pass += eval1(acl, SW_ACL_POLICY, &k, &cx, NULL) ==
			SW_ACL_ACCEPT;
	assert_int_equal(pass, 3);
	key6(&k, "2001:db8:1:2::99", 17, 53);
	assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, &cx, NULL),
			 SW_ACL_DROP);
	key6(&k, "2001:db8:1:3::1", 17, 53);
	assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, &cx, NULL),
			 SW_ACL_ACCEPT);
	/* Half a second later each source has one token again. */
	cx.now += 500;
	key4(&k, "198.51.7.1", 17, 53);
	assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, &cx, NULL),
			 SW_ACL_ACCEPT);
	assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, &cx, NULL),
			 SW_ACL_DROP);
	sw_acl_free(acl);
}

/* A fake connection count: rule -> flows, max from the rule. */
struct conns {
	uint32_t flows[4];
	unsigned int asked;
};

static bool
conn_cb(void *arg, uint16_t i, const struct sw_acl_rule *r)
{
	struct conns *c = arg;

	(void)i;
	c->asked++;
	if (c->flows[r->conn.tag] >= r->conn.max)
		return false;
	c->flows[r->conn.tag]++;
	return true;
}

/*
 * conn_limit: upto (the rule admits max flows) and over (the rule
 * matches once a flow would make more than max); the tag the caller
 * gave reaches the callback.
 */
static void
test_acl_eval_conn_limit(void **state)
{
	struct sw_acl_rule r[3];
	struct sw_acl_ctx cx;
	struct sw_acl_key k;
	struct conns c;
	struct lists l;
	struct sw_acl *acl;
	unsigned int i, pass = 0;

	(void)state;
	lists_init(&l, 1);
	rule(&r[0], SW_ACL_REJECT, 6, 22);
	r[0].conn.max = 2;
	r[0].conn.over = 1;
	rule(&r[1], SW_ACL_ACCEPT, 6, 22);
	rule(&r[2], SW_ACL_ACCEPT, 6, 80);
	r[2].conn.max = 3;
	set_list(&l, SW_ACL_POLICY, r, 3);
	acl = build(&l);
	sw_acl_set_conn_tag(acl, SW_ACL_POLICY, 0, 1);
	sw_acl_set_conn_tag(acl, SW_ACL_POLICY, 2, 2);
	memset(&c, 0, sizeof(c));
	memset(&cx, 0, sizeof(cx));
	cx.conn = conn_cb;
	cx.arg = &c;
	key4(&k, "192.0.2.1", 6, 22);
	/* Two pass the over rule (counted against tag 1), then rejects. */
	assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, &cx, NULL),
			 SW_ACL_ACCEPT);
	assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, &cx, NULL),
			 SW_ACL_ACCEPT);
	assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, &cx, NULL),
			 SW_ACL_REJECT);
	assert_int_equal(c.flows[1], 2);
	key4(&k, "192.0.2.1", 6, 80);
	for (i = 0; i < 5; i++)
		pass += eval1(acl, SW_ACL_POLICY, &k, &cx, NULL) ==
			SW_ACL_ACCEPT;
	assert_int_equal(pass, 3);
	assert_int_equal(c.flows[2], 3);
	assert_int_equal(cx.conn_limited, 2);
	/* Without a context nothing is counted: the limit is not over. */
	c.asked = 0;
	assert_int_equal(eval1(acl, SW_ACL_POLICY, &k, NULL, NULL),
			 SW_ACL_ACCEPT);
	assert_int_equal(c.asked, 0);
	sw_acl_free(acl);
}

/* A limit shared by workers: never more tokens than the bucket holds. */
struct hammer {
	const struct sw_acl *acl;
	unsigned int worker;
	unsigned int pass;
};

static void *
hammer(void *arg)
{
	struct hammer *h = arg;
	struct sw_acl_ctx cx;
	struct sw_acl_key k;
	const struct sw_acl_key *kp[1] = { &k };
	unsigned int i;
	uint64_t t;
	uint8_t a;

	memset(&cx, 0, sizeof(cx));
	key4(&k, "192.0.2.1", 17, 9);
	/* 2 s of time, 50 packets a millisecond, all at once. */
	for (t = 1; t <= 2000; t++) {
		cx.now = t;
		for (i = 0; i < 50; i++) {
			sw_acl_eval(h->acl, SW_ACL_POLICY, h->worker, kp, 1,
				    &a, NULL, &cx);
			h->pass += a == SW_ACL_ACCEPT;
		}
	}
	return NULL;
}

static void
test_acl_eval_limit_shared_by_workers(void **state)
{
	struct sw_acl_rule r[1];
	struct hammer h[2];
	pthread_t th[2];
	struct lists l;
	struct sw_acl *acl;
	unsigned int i;

	(void)state;
	lists_init(&l, 2);
	rule(&r[0], SW_ACL_ACCEPT, 17, 9);
	assert_int_equal(sw_acl_parse_rate("100/second", &r[0].limit, err,
					   sizeof(err)), 0);
	r[0].limit.burst = 10;
	set_list(&l, SW_ACL_POLICY, r, 1);
	acl = build(&l);
	for (i = 0; i < 2; i++) {
		h[i] = (struct hammer){ .acl = acl, .worker = i };
		pthread_create(&th[i], NULL, hammer, &h[i]);
	}
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	/*
	 * The threads' clocks differ (each runs its own 2 s), so the
	 * total lies between one clock's worth (burst + 100/s * 2 s) and
	 * what two interleaved clocks could give, never more: a token is
	 * never spent twice.
	 */
	printf("limit shared: %u + %u passed\n", h[0].pass, h[1].pass);
	assert_true(h[0].pass + h[1].pass >= 200);
	assert_true(h[0].pass + h[1].pass <= 210);
	assert_int_equal(sw_acl_hits(acl, SW_ACL_POLICY, 0),
			 h[0].pass + h[1].pass);
	sw_acl_free(acl);
}

/* ---- differential: the classifier's walk against a plain one ---- */

#define D_GROUPS 4
#define D_RULES 40

struct dlist {
	struct sw_acl_rule r[D_RULES];
	unsigned int n;
	uint8_t fails[D_RULES];	/* the condition fails (packet parity) */
};

static bool
d_match(const struct sw_acl_rule *r, const struct sw_acl_key *k)
{
	uint16_t dp = ntohs(k->dport);

	if (r->proto >= 0 && r->proto != k->proto)
		return false;
	if (r->nb_dport && (dp < r->dport[0].lo || dp > r->dport[0].hi))
		return false;
	return sw_acl_cidr_holds(&r->src, k->family, k->src);
}

/*
 * The reference: rules in order; a condition (here the callback's
 * answer) that fails skips its rule; jump, goto and return as the
 * iptables manual says. Returns the verdict, *at the rule (list <<
 * 16 | index) that gave it, or -1 for the default.
 */
static uint8_t
d_ref(const struct dlist *lists, unsigned int list, const struct sw_acl_key *k,
      unsigned int pkt, int *at, int *ended)
{
	const struct dlist *L = &lists[list];
	unsigned int i;
	uint8_t v;

	*ended = 0;
	for (i = 0; i < L->n; i++) {
		const struct sw_acl_rule *r = &L->r[i];

		if (!d_match(r, k))
			continue;
		if (r->conn.max && ((pkt ^ i ^ list) & 1))
			continue;
		switch (r->action) {
		case SW_ACL_RETURN:
			*at = (int)(list << 16 | i);
			*ended = 1;
			return SW_ACL_NONE;
		case SW_ACL_JUMP:
			v = d_ref(lists, SW_ACL_NB_SETS + r->group, k, pkt, at,
				  ended);
			if (!*ended)
				return v;
			continue;
		case SW_ACL_GOTO:
			return d_ref(lists, SW_ACL_NB_SETS + r->group, k, pkt,
				     at, ended);
		default:
			*at = (int)(list << 16 | i);
			*ended = 0;	/* a group jumped to before may end */
			return r->action;
		}
	}
	*ended = 1;
	*at = -1;
	return SW_ACL_NONE;
}

static bool
d_cb(void *arg, uint16_t i, const struct sw_acl_rule *r)
{
	const unsigned int *pkt = arg;

	/* The rule's comment holds "list index" for the parity. */
	unsigned int list, idx;

	sscanf(r->comment, "%u %u", &list, &idx);
	return ((pkt[i] ^ idx ^ list) & 1) == 0;
}

static void
d_random_rule(struct sw_acl_rule *r, unsigned int list, unsigned int i,
	      unsigned int *seed)
{
	static const char *const srcs[] = {
		"any", "192.0.2.0/24", "192.0.2.0/26", "2001:db8::/32",
		"2001:db8::/48",
	};
	unsigned int x = (unsigned int)rand_r(seed);

	rule(r, (uint8_t)(SW_ACL_ACCEPT + x % 3), x / 3 % 3 == 0 ? -1 :
	     x / 3 % 3 == 1 ? 6 : 17, 0);
	if (x / 9 % 2) {
		r->dport[0].lo = (uint16_t)(x / 18 % 8);
		r->dport[0].hi = (uint16_t)(r->dport[0].lo + x / 144 % 4);
		r->nb_dport = 1;
		if (r->proto < 0)
			r->proto = 6;
	}
	assert_int_equal(sw_acl_parse_cidr(srcs[x / 576 % 5], &r->src, err,
					   sizeof(err)), 0);
	x = (unsigned int)rand_r(seed);
	/* Groups only jump to groups after them: no circle. */
	if (x % 10 < 3 && list + 1 < SW_ACL_NB_SETS + D_GROUPS) {
		unsigned int first = list < SW_ACL_NB_SETS ? 0 :
				     list - SW_ACL_NB_SETS + 1;

		r->action = x % 10 == 0 ? SW_ACL_GOTO : SW_ACL_JUMP;
		r->group = (uint16_t)(first + x / 10 % (D_GROUPS - first));
	} else if (x % 10 == 3) {
		r->action = SW_ACL_RETURN;
	}
	if (x / 100 % 3 == 0)
		r->conn.max = 1;	/* a condition: the callback decides */
	snprintf(r->comment, sizeof(r->comment), "%u %u", list, i);
}

/*
 * Random lists of 40 rules (more than 15 continue rules: the walk goes
 * through several segments), four groups jumped to with jump and goto,
 * returns, conditions that fail for half the packets: every packet
 * gets the verdict and rule the reference walk gives it.
 */
static void
test_acl_eval_differential_random_groups(void **state)
{
	static struct dlist lists[SW_ACL_NB_SETS + D_GROUPS];
	const struct sw_acl_key *kp[64];
	struct sw_acl_key keys[64];
	unsigned int pkt[64], seed = 20260507, round, g, i, j;
	struct sw_acl_ctx cx;
	struct lists l;
	struct sw_acl *acl;
	uint32_t id[64];
	uint8_t act[64];

	(void)state;
	for (round = 0; round < 40; round++) {
		lists_init(&l, 1);
		memset(lists, 0, sizeof(lists));
		for (g = 0; g < SW_ACL_NB_SETS + D_GROUPS; g++) {
			if (g == SW_ACL_NOTRACK || g == SW_ACL_FALLBACK)
				continue;
			lists[g].n = g == SW_ACL_POLICY ? D_RULES :
				     5 + (unsigned int)rand_r(&seed) % 30;
			for (i = 0; i < lists[g].n; i++)
				d_random_rule(&lists[g].r[i], g, i, &seed);
			if (g >= SW_ACL_NB_SETS)
				add_group(&l, "g", lists[g].r, lists[g].n);
		}
		set_list(&l, SW_ACL_POLICY, lists[SW_ACL_POLICY].r,
			 lists[SW_ACL_POLICY].n);
		acl = build(&l);
		memset(&cx, 0, sizeof(cx));
		cx.conn = d_cb;
		cx.arg = pkt;
		for (j = 0; j < 64; j++) {
			unsigned int x = (unsigned int)rand_r(&seed);
			static const char *const a4[] = { "192.0.2.1",
				"192.0.2.100", "198.51.100.1" };
			static const char *const a6[] = { "2001:db8::1",
				"2001:db8:1::1", "2001:db9::1" };

			if (x % 2)
				key4(&keys[j], a4[x / 2 % 3], x / 6 % 2 ? 6 : 17,
				     (uint16_t)(x / 12 % 12));
			else
				key6(&keys[j], a6[x / 2 % 3], x / 6 % 2 ? 6 : 17,
				     (uint16_t)(x / 12 % 12));
			kp[j] = &keys[j];
			pkt[j] = x / 144;
		}
		sw_acl_eval(acl, SW_ACL_POLICY, 0, kp, 64, act, id, &cx);
		for (j = 0; j < 64; j++) {
			int at, ended;
			uint8_t want = d_ref(lists, SW_ACL_POLICY, &keys[j],
					     pkt[j], &at, &ended);
			unsigned int idx;
			enum sw_acl_set ls;

			if (want == SW_ACL_NONE)
				want = SW_ACL_DROP;	/* the default */
			if (act[j] != want)
				fail_msg("round %u packet %u: verdict %u, "
					 "reference %u", round, j, act[j],
					 want);
			if (at < 0) {
				assert_int_equal(id[j], 0);
				continue;
			}
			assert_true(id[j] != 0);
			ls = sw_acl_rule_list(SW_ACL_POLICY, id[j] - 1, &idx);
			if ((unsigned int)ls != ((unsigned int)at >> 16) ||
			    idx != ((unsigned int)at & 0xffff))
				fail_msg("round %u packet %u: rule %u[%u], "
					 "reference %u[%u]", round, j, ls, idx,
					 (unsigned int)at >> 16, at & 0xffff);
		}
		sw_acl_free(acl);
	}
}

/* The rule's conditions and reject kind show in its text. */
static void
test_acl_eval_rate_parse_and_text(void **state)
{
	static const char *const bad[] = {
		"10", "10/fortnight", "/s", "0/s", "x/s", "10/", "-1/s",
	};
	struct sw_acl_rule r;
	char text[256];
	size_t i;

	(void)state;
	sw_acl_rule_init(&r, SW_ACL_ACCEPT);
	assert_int_equal(sw_acl_parse_rate("600/minute", &r.limit, err,
					   sizeof(err)), 0);
	assert_int_equal(r.limit.packets, 600);
	assert_int_equal(r.limit.seconds, 60);
	assert_int_equal(sw_acl_parse_rate("5/sec", &r.limit, err,
					   sizeof(err)), 0);
	assert_int_equal(r.limit.seconds, 1);
	assert_int_equal(sw_acl_parse_rate("3/d", &r.limit, err, sizeof(err)),
			 0);
	assert_int_equal(r.limit.seconds, 86400);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sw_acl_parse_rate(bad[i], &r.limit, err, sizeof(err)) !=
		    -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
	sw_acl_rule_init(&r, SW_ACL_ACCEPT);
	r.proto = 1;
	r.limit = (struct sw_acl_rate){ .packets = 10, .seconds = 1,
					.burst = 20 };
	r.conn.max = 4;
	r.conn.over = 1;
	r.conn.v4_prefix = 32;
	r.conn.v6_prefix = 64;
	assert_true(sw_acl_rule_stateful(&r));
	sw_acl_match_text(&r, NULL, NULL, NULL, text, sizeof(text));
	assert_string_equal(text, "proto=icmp limit=10/1s,burst=20 "
			    "conn_limit=over 4,src/32,/64");
	assert_string_equal(sw_acl_action_name(SW_ACL_JUMP), "jump");
	assert_string_equal(sw_acl_action_name(SW_ACL_GOTO), "goto");
}

TEST_EAL_GROUP("acl-eval")

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acl_eval_jump_returns_below),
		cmocka_unit_test(test_acl_eval_goto_ends_the_caller),
		cmocka_unit_test(test_acl_eval_groups_refused),
		cmocka_unit_test(test_acl_eval_limit_rate_and_burst),
		cmocka_unit_test(test_acl_eval_meter_per_source),
		cmocka_unit_test(test_acl_eval_conn_limit),
		cmocka_unit_test(test_acl_eval_limit_shared_by_workers),
		cmocka_unit_test(test_acl_eval_differential_random_groups),
		cmocka_unit_test(test_acl_eval_rate_parse_and_text),
	};

	/*
	 * ThreadSanitizer (SW_TEST_TSAN, suite "tsan"): the limit two
	 * workers share, the one test with threads; the others run in one
	 * thread, have no race to find, and took 20 s there.
	 */
	if (getenv("SW_TEST_TSAN") != NULL)
		cmocka_set_test_filter("*_shared_by_workers");

	return cmocka_run_group_tests_name("acl-eval", tests, eal_setup,
					   eal_teardown);
}
