/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * lib/acl unit tests: rule field parsing.
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
#include <unistd.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_log.h>
#include <rte_malloc.h>
#include <rte_rcu_qsbr.h>

#include "eal.h"
#include "ruleset.h"
#include "sw_acl.h"

static char err[256];

static void
test_acl_cidr_v4_v6_any(void **state)
{
	struct sw_acl_cidr c;

	(void)state;
	assert_int_equal(sw_acl_parse_cidr("any", &c, err, sizeof(err)), 0);
	assert_int_equal(c.family, 0);
	assert_int_equal(sw_acl_parse_cidr("192.0.2.77/24", &c, err,
					   sizeof(err)), 0);
	assert_int_equal(c.family, 4);
	assert_int_equal(c.plen, 24);
	assert_int_equal(c.addr[3], 0);		/* host bits cleared */
	assert_int_equal(c.addr[2], 2);
	assert_int_equal(sw_acl_parse_cidr("198.51.100.7", &c, err,
					   sizeof(err)), 0);
	assert_int_equal(c.plen, 32);
	assert_int_equal(c.addr[3], 7);
	assert_int_equal(sw_acl_parse_cidr("2001:db8:ff00::1/33", &c, err,
					   sizeof(err)), 0);
	assert_int_equal(c.family, 6);
	assert_int_equal(c.plen, 33);
	assert_int_equal(c.addr[4], 0x80);	/* 0xff, first bit kept */
	assert_int_equal(c.addr[15], 0);
}

static void
test_acl_cidr_errors(void **state)
{
	static const char *const bad[] = {
		"", "192.0.2.0/33", "2001:db8::/129", "192.0.2.0/", "300.1.1.1",
		"192.0.2.0/24x", "192.0.2.0/-1", "host", "/24",
	};
	struct sw_acl_cidr c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sw_acl_parse_cidr(bad[i], &c, err, sizeof(err)) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
}

static void
test_acl_ports_lists_and_ranges(void **state)
{
	struct sw_acl_range r[SW_ACL_MAX_RANGES];
	unsigned int n;

	(void)state;
	assert_int_equal(sw_acl_parse_ports("80", r, &n, err, sizeof(err)),
			 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].lo, 80);
	assert_int_equal(r[0].hi, 80);
	assert_int_equal(sw_acl_parse_ports("22, 80,8000-8080", r, &n, err,
					    sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_int_equal(r[2].lo, 8000);
	assert_int_equal(r[2].hi, 8080);
	assert_int_equal(sw_acl_parse_ports("any", r, &n, err, sizeof(err)),
			 0);
	assert_int_equal(n, 0);
	assert_int_equal(sw_acl_parse_ports("0-65535", r, &n, err,
					    sizeof(err)), 0);
	assert_int_equal(r[0].hi, 65535);
}

static void
test_acl_ports_errors(void **state)
{
	static const char *const bad[] = {
		"", "80,", ",80", "80,,443", "65536", "90-80", "http", "1-",
		"-5", "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17",
	};
	struct sw_acl_range r[SW_ACL_MAX_RANGES];
	unsigned int n;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sw_acl_parse_ports(bad[i], r, &n, err, sizeof(err)) !=
		    -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
	sw_acl_parse_ports("90-80", r, &n, err, sizeof(err));
	assert_non_null(strstr(err, "upside down"));
}

static void
test_acl_proto(void **state)
{
	int p;

	(void)state;
	assert_int_equal(sw_acl_parse_proto("tcp", &p, err, sizeof(err)), 0);
	assert_int_equal(p, 6);
	assert_int_equal(sw_acl_parse_proto("ICMPv6", &p, err, sizeof(err)),
			 0);
	assert_int_equal(p, 58);
	assert_int_equal(sw_acl_parse_proto("any", &p, err, sizeof(err)), 0);
	assert_int_equal(p, -1);
	assert_int_equal(sw_acl_parse_proto("132", &p, err, sizeof(err)), 0);
	assert_int_equal(p, 132);
	assert_int_equal(sw_acl_parse_proto("256", &p, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(sw_acl_parse_proto("tcpp", &p, err, sizeof(err)),
			 -EINVAL);
}

static void
test_acl_tcp_flags(void **state)
{
	uint8_t v, m;

	(void)state;
	assert_int_equal(sw_acl_parse_tcp_flags("syn,!ack", &v, &m, err,
						sizeof(err)), 0);
	assert_int_equal(v, 0x02);
	assert_int_equal(m, 0x12);
	assert_int_equal(sw_acl_parse_tcp_flags("ack", &v, &m, err,
						sizeof(err)), 0);
	assert_int_equal(v, 0x10);
	assert_int_equal(m, 0x10);
	assert_int_equal(sw_acl_parse_tcp_flags("syn,bogus", &v, &m, err,
						sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown TCP flag 'bogus'"));
	assert_int_equal(sw_acl_parse_tcp_flags("syn,!syn", &v, &m, err,
						sizeof(err)), -EINVAL);
	assert_int_equal(sw_acl_parse_tcp_flags("", &v, &m, err,
						sizeof(err)), -EINVAL);
}


/* ---- classification ---- */

static struct sw_acl *
build1(enum sw_acl_set set, const struct sw_acl_rule *rules, unsigned int n,
       uint8_t def, unsigned int workers)
{
	struct sw_acl_conf conf;
	struct sw_acl *acl;

	memset(&conf, 0, sizeof(conf));
	conf.set[set].rules = rules;
	conf.set[set].nb_rules = n;
	conf.set[set].default_action = def;
	conf.nb_workers = workers;
	conf.socket_id = SOCKET_ID_ANY;
	acl = sw_acl_create(&conf, err, sizeof(err));
	if (acl == NULL)
		fail_msg("sw_acl_create: %s", err);
	return acl;
}

static void
key4(struct sw_acl_key *k, const char *src, const char *dst, uint8_t proto,
     uint16_t sport, uint16_t dport)
{
	memset(k, 0, sizeof(*k));
	k->family = 4;
	k->proto = proto;
	inet_pton(AF_INET, src, k->src);
	inet_pton(AF_INET, dst, k->dst);
	k->sport = htons(sport);
	k->dport = htons(dport);
}

static void
key6(struct sw_acl_key *k, const char *src, const char *dst, uint8_t proto,
     uint16_t sport, uint16_t dport)
{
	memset(k, 0, sizeof(*k));
	k->family = 6;
	k->proto = proto;
	inet_pton(AF_INET6, src, k->src);
	inet_pton(AF_INET6, dst, k->dst);
	k->sport = htons(sport);
	k->dport = htons(dport);
}

/* Rule index (1-based, 0 = default) that one packet hits. */
static uint32_t
hit(const struct sw_acl *acl, enum sw_acl_set set, const struct sw_acl_key *k,
    uint8_t *action)
{
	const struct sw_acl_key *kp[1] = { k };
	uint32_t rule;
	uint8_t a;

	sw_acl_classify(acl, set, 0, kp, 1, &a, &rule);
	if (action)
		*action = a;
	return rule;
}

static void
cidr(struct sw_acl_cidr *c, const char *s)
{
	assert_int_equal(sw_acl_parse_cidr(s, c, err, sizeof(err)), 0);
}

static void
ports(struct sw_acl_range *r, uint8_t *n, const char *s)
{
	unsigned int nb;

	assert_int_equal(sw_acl_parse_ports(s, r, &nb, err, sizeof(err)), 0);
	*n = (uint8_t)nb;
}

static void
test_acl_first_match_wins(void **state)
{
	struct sw_acl_rule r[3];
	struct sw_acl_key k;
	struct sw_acl *acl;
	uint8_t a;

	(void)state;
	sw_acl_rule_init(&r[0], SW_ACL_DROP);
	cidr(&r[0].src, "192.0.2.66/32");
	sw_acl_rule_init(&r[1], SW_ACL_ACCEPT);
	cidr(&r[1].src, "192.0.2.0/24");
	sw_acl_rule_init(&r[2], SW_ACL_REJECT);	/* shadowed by rule 2 */
	cidr(&r[2].src, "192.0.2.0/25");
	acl = build1(SW_ACL_POLICY, r, 3, SW_ACL_DROP, 1);

	key4(&k, "192.0.2.66", "198.51.100.1", 6, 1, 80);
	assert_int_equal(hit(acl, SW_ACL_POLICY, &k, &a), 1);
	assert_int_equal(a, SW_ACL_DROP);
	key4(&k, "192.0.2.65", "198.51.100.1", 6, 1, 80);
	assert_int_equal(hit(acl, SW_ACL_POLICY, &k, &a), 2);
	assert_int_equal(a, SW_ACL_ACCEPT);
	key4(&k, "192.0.3.1", "198.51.100.1", 6, 1, 80);
	assert_int_equal(hit(acl, SW_ACL_POLICY, &k, &a), 0);
	assert_int_equal(a, SW_ACL_DROP);	/* the default */
	sw_acl_free(acl);
}

static void
test_acl_ports_lists_ranges_classify(void **state)
{
	struct sw_acl_rule r[2];
	struct sw_acl_key k;
	struct sw_acl *acl;

	(void)state;
	sw_acl_rule_init(&r[0], SW_ACL_ACCEPT);
	r[0].proto = 6;
	ports(r[0].dport, &r[0].nb_dport, "22,80,8000-8080");
	ports(r[0].sport, &r[0].nb_sport, "1024-65535");
	sw_acl_rule_init(&r[1], SW_ACL_ACCEPT);
	r[1].proto = 17;
	ports(r[1].dport, &r[1].nb_dport, "53");
	acl = build1(SW_ACL_FALLBACK, r, 2, SW_ACL_DROP, 1);
	assert_int_equal(sw_acl_nb_expanded(acl, SW_ACL_FALLBACK),
			 2 * (3 * 1 + 1));	/* v4 and v6 contexts */

	key4(&k, "192.0.2.1", "192.0.2.2", 6, 40000, 80);
	assert_int_equal(hit(acl, SW_ACL_FALLBACK, &k, NULL), 1);
	key4(&k, "192.0.2.1", "192.0.2.2", 6, 40000, 8080);
	assert_int_equal(hit(acl, SW_ACL_FALLBACK, &k, NULL), 1);
	key4(&k, "192.0.2.1", "192.0.2.2", 6, 40000, 8081);
	assert_int_equal(hit(acl, SW_ACL_FALLBACK, &k, NULL), 0);
	key4(&k, "192.0.2.1", "192.0.2.2", 6, 1023, 80);	/* sport */
	assert_int_equal(hit(acl, SW_ACL_FALLBACK, &k, NULL), 0);
	key4(&k, "192.0.2.1", "192.0.2.2", 17, 1023, 80);	/* udp */
	assert_int_equal(hit(acl, SW_ACL_FALLBACK, &k, NULL), 0);
	key6(&k, "2001:db8::1", "2001:db8::2", 17, 5353, 53);
	assert_int_equal(hit(acl, SW_ACL_FALLBACK, &k, NULL), 2);
	sw_acl_free(acl);
}

static void
test_acl_v6_prefixes(void **state)
{
	struct sw_acl_rule r[3];
	struct sw_acl_key k;
	struct sw_acl *acl;

	(void)state;
	sw_acl_rule_init(&r[0], SW_ACL_DROP);
	cidr(&r[0].dst, "2001:db8:0:1::/64");
	sw_acl_rule_init(&r[1], SW_ACL_ACCEPT);
	cidr(&r[1].src, "2001:db8::/33");
	cidr(&r[1].dst, "2001:db8::/32");
	sw_acl_rule_init(&r[2], SW_ACL_REJECT);	/* v4 only */
	cidr(&r[2].src, "192.0.2.0/24");
	acl = build1(SW_ACL_POLICY, r, 3, SW_ACL_DROP, 1);

	key6(&k, "2001:db8::5", "2001:db8:0:1::9", 6, 1, 2);
	assert_int_equal(hit(acl, SW_ACL_POLICY, &k, NULL), 1);
	key6(&k, "2001:db8::5", "2001:db8:0:2::9", 6, 1, 2);
	assert_int_equal(hit(acl, SW_ACL_POLICY, &k, NULL), 2);
	key6(&k, "2001:db8:8000::5", "2001:db8:0:2::9", 6, 1, 2); /* /33 */
	assert_int_equal(hit(acl, SW_ACL_POLICY, &k, NULL), 0);
	/* An IPv4 packet whose bytes look like the v6 prefix: no match. */
	key4(&k, "32.1.13.184", "192.0.2.1", 6, 1, 2);
	assert_int_equal(hit(acl, SW_ACL_POLICY, &k, NULL), 0);
	key4(&k, "192.0.2.9", "198.51.100.1", 6, 1, 2);
	assert_int_equal(hit(acl, SW_ACL_POLICY, &k, NULL), 3);
	sw_acl_free(acl);
}

static void
test_acl_tcp_flags_classify(void **state)
{
	struct sw_acl_rule r[2];
	struct sw_acl_key k;
	struct sw_acl *acl;

	(void)state;
	sw_acl_rule_init(&r[0], SW_ACL_ACCEPT);	/* new connections */
	r[0].proto = 6;
	assert_int_equal(sw_acl_parse_tcp_flags("syn,!ack", &r[0].flags_value,
						&r[0].flags_mask, err,
						sizeof(err)), 0);
	sw_acl_rule_init(&r[1], SW_ACL_REJECT);	/* anything with ack */
	r[1].proto = 6;
	assert_int_equal(sw_acl_parse_tcp_flags("ack", &r[1].flags_value,
						&r[1].flags_mask, err,
						sizeof(err)), 0);
	acl = build1(SW_ACL_FALLBACK, r, 2, SW_ACL_DROP, 1);
	key4(&k, "192.0.2.1", "192.0.2.2", 6, 1, 2);
	k.tcp_flags = 0x02;			/* SYN */
	assert_int_equal(hit(acl, SW_ACL_FALLBACK, &k, NULL), 1);
	k.tcp_flags = 0x02 | 0x40 | 0x80;	/* SYN + ECN bits */
	assert_int_equal(hit(acl, SW_ACL_FALLBACK, &k, NULL), 1);
	k.tcp_flags = 0x12;			/* SYN ACK */
	assert_int_equal(hit(acl, SW_ACL_FALLBACK, &k, NULL), 2);
	k.tcp_flags = 0x18;			/* PSH ACK */
	assert_int_equal(hit(acl, SW_ACL_FALLBACK, &k, NULL), 2);
	k.tcp_flags = 0x01;			/* FIN alone */
	assert_int_equal(hit(acl, SW_ACL_FALLBACK, &k, NULL), 0);
	sw_acl_free(acl);
}

static void
test_acl_icmp_and_in_port(void **state)
{
	struct sw_acl_rule r[2];
	struct sw_acl_key k;
	struct sw_acl *acl;

	(void)state;
	sw_acl_rule_init(&r[0], SW_ACL_ACCEPT);	/* echo request in port 1 */
	r[0].proto = 1;
	r[0].icmp_type = 8;
	r[0].icmp_code = 0;
	r[0].in_port = 1;
	sw_acl_rule_init(&r[1], SW_ACL_ACCEPT);	/* ICMPv6 echo reply */
	r[1].proto = 58;
	r[1].icmp_type = 129;
	acl = build1(SW_ACL_POLICY, r, 2, SW_ACL_DROP, 1);
	key4(&k, "192.0.2.1", "192.0.2.2", 1, 0, 0);
	k.icmp_type = 8;
	k.in_port = 1;
	assert_int_equal(hit(acl, SW_ACL_POLICY, &k, NULL), 1);
	k.in_port = 0;
	assert_int_equal(hit(acl, SW_ACL_POLICY, &k, NULL), 0);
	k.in_port = 1;
	k.icmp_code = 1;
	assert_int_equal(hit(acl, SW_ACL_POLICY, &k, NULL), 0);
	key6(&k, "2001:db8::1", "2001:db8::2", 58, 0, 0);
	k.icmp_type = 129;
	k.icmp_code = 5;
	assert_int_equal(hit(acl, SW_ACL_POLICY, &k, NULL), 2);
	k.icmp_type = 128;
	assert_int_equal(hit(acl, SW_ACL_POLICY, &k, NULL), 0);
	sw_acl_free(acl);
}

static void
test_acl_defaults_and_empty_sets(void **state)
{
	struct sw_acl_conf conf;
	struct sw_acl_key k;
	struct sw_acl *acl;
	uint8_t a;

	(void)state;
	memset(&conf, 0, sizeof(conf));
	conf.set[SW_ACL_NOTRACK].default_action = SW_ACL_NONE;
	conf.set[SW_ACL_POLICY].default_action = SW_ACL_ACCEPT;
	conf.set[SW_ACL_FALLBACK].default_action = SW_ACL_REJECT;
	conf.nb_workers = 1;
	conf.socket_id = SOCKET_ID_ANY;
	acl = sw_acl_create(&conf, err, sizeof(err));
	assert_non_null(acl);
	key4(&k, "192.0.2.1", "192.0.2.2", 6, 1, 2);
	assert_int_equal(hit(acl, SW_ACL_NOTRACK, &k, &a), 0);
	assert_int_equal(a, SW_ACL_NONE);
	hit(acl, SW_ACL_POLICY, &k, &a);
	assert_int_equal(a, SW_ACL_ACCEPT);
	key6(&k, "2001:db8::1", "2001:db8::2", 6, 1, 2);
	hit(acl, SW_ACL_FALLBACK, &k, &a);
	assert_int_equal(a, SW_ACL_REJECT);
	assert_int_equal(sw_acl_hits(acl, SW_ACL_FALLBACK, 0), 1);
	sw_acl_free(acl);
	sw_acl_free(NULL);

	conf.nb_workers = 0;
	assert_null(sw_acl_create(&conf, err, sizeof(err)));
}

static void
test_acl_hit_counters_sum_workers(void **state)
{
	struct sw_acl_rule r;
	struct sw_acl_key k[3];
	const struct sw_acl_key *kp[3] = { &k[0], &k[1], &k[2] };
	struct sw_acl *acl;
	uint8_t a[3];

	(void)state;
	sw_acl_rule_init(&r, SW_ACL_ACCEPT);
	r.proto = 17;
	acl = build1(SW_ACL_FALLBACK, &r, 1, SW_ACL_DROP, 4);
	key4(&k[0], "192.0.2.1", "192.0.2.2", 17, 1, 2);
	key6(&k[1], "2001:db8::1", "2001:db8::2", 17, 1, 2);
	key4(&k[2], "192.0.2.1", "192.0.2.2", 6, 1, 2);
	sw_acl_classify(acl, SW_ACL_FALLBACK, 0, kp, 3, a, NULL);
	sw_acl_classify(acl, SW_ACL_FALLBACK, 3, kp, 3, a, NULL);
	assert_int_equal(a[0], SW_ACL_ACCEPT);
	assert_int_equal(a[1], SW_ACL_ACCEPT);
	assert_int_equal(a[2], SW_ACL_DROP);
	assert_int_equal(sw_acl_hits(acl, SW_ACL_FALLBACK, 0), 4);
	assert_int_equal(sw_acl_hits(acl, SW_ACL_FALLBACK, 1), 2);
	assert_int_equal(sw_acl_hits(acl, SW_ACL_POLICY, 0), 0);
	sw_acl_free(acl);
}

/* ---- differential test: rte_acl against a linear first-match ---- */

static uint64_t rng;

static uint32_t
rnd(void)
{
	/* xorshift64*: reproducible from the seed on every libc. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ull) >> 32);
}

static const char *const pool4[] = {
	"192.0.2.0", "198.51.100.0", "203.0.113.0", "10.1.0.0",
};
static const char *const pool6[] = {
	"2001:db8::", "2001:db8:1:2::", "2001:db8:ffff::", "fe80::",
};
static const uint16_t pool_ports[] = {
	0, 1, 22, 53, 80, 443, 1023, 1024, 8080, 32768, 65535,
};
static const int pool_proto[] = { 6, 17, 1, 58, 47, 6, 17 };

static void
rnd_addr(uint8_t family, uint8_t *a)
{
	unsigned int i;

	memset(a, 0, 16);
	if (family == 4) {
		inet_pton(AF_INET, pool4[rnd() % 4], a);
		a[3] = (uint8_t)(rnd() % 8 == 0 ? rnd() : rnd() % 4);
		if (rnd() % 4 == 0)
			a[2] = (uint8_t)rnd();
	} else {
		inet_pton(AF_INET6, pool6[rnd() % 4], a);
		for (i = 8; i < 16; i++)
			a[i] = (uint8_t)(rnd() % 4 == 0 ? rnd() : 0);
		a[15] = (uint8_t)(rnd() % 4);
		if (rnd() % 4 == 0)
			a[5] = (uint8_t)rnd();
	}
}

static uint16_t
rnd_port(void)
{
	return rnd() % 3 ? pool_ports[rnd() % 11] : (uint16_t)rnd();
}

static void
rnd_cidr(uint8_t family, struct sw_acl_cidr *c)
{
	unsigned int i, max = family == 4 ? 32 : 128;

	memset(c, 0, sizeof(*c));
	if (family == 0)
		return;
	c->family = family;
	rnd_addr(family, c->addr);
	c->plen = (uint8_t)(rnd() % 3 ? max - rnd() % 24 : rnd() % (max + 1));
	for (i = 0; i < 16; i++) {
		int keep = (int)c->plen - (int)i * 8;

		if (keep <= 0)
			c->addr[i] = 0;
		else if (keep < 8)
			c->addr[i] &= (uint8_t)(0xff << (8 - keep));
	}
}

static void
rnd_ranges(struct sw_acl_range *r, uint8_t *n)
{
	unsigned int i, nb = rnd() % 3 ? 0 : 1 + rnd() % 4;

	for (i = 0; i < nb; i++) {
		uint16_t a = rnd_port(), b = rnd() % 2 ? a : rnd_port();

		r[i].lo = RTE_MIN(a, b);
		r[i].hi = RTE_MAX(a, b);
	}
	*n = (uint8_t)nb;
}

static void
rnd_rule(struct sw_acl_rule *r)
{
	uint8_t fam = (uint8_t)(rnd() % 3 == 0 ? 0 : rnd() % 2 ? 4 : 6);

	sw_acl_rule_init(r, (uint8_t)(SW_ACL_ACCEPT + rnd() % 3));
	if (rnd() % 4)
		rnd_cidr(fam, &r->src);
	if (rnd() % 4)
		rnd_cidr(fam, &r->dst);
	if (rnd() % 4)
		r->proto = (int16_t)pool_proto[rnd() % 7];
	if (rnd() % 4 == 0)
		r->in_port = (int16_t)(rnd() % 3);
	rnd_ranges(r->sport, &r->nb_sport);
	rnd_ranges(r->dport, &r->nb_dport);
	if (rnd() % 4 == 0) {
		r->flags_mask = (uint8_t)(rnd() & 0x17);
		r->flags_value = (uint8_t)(rnd() & r->flags_mask);
	}
	if (rnd() % 6 == 0)
		r->icmp_type = (int16_t)(rnd() % 4 ? 8 : rnd() % 256);
	if (rnd() % 8 == 0)
		r->icmp_code = (int16_t)(rnd() % 3);
	/* No catch-alls: one would shadow every rule after it. */
	if (r->src.family == 0 && r->dst.family == 0) {
		rnd_cidr((uint8_t)(rnd() % 2 ? 4 : 6), &r->dst);
		r->dst.plen = (uint8_t)RTE_MAX(r->dst.plen, 16);
	}
}

/* Put a random address inside prefix c (no-op for "any"). */
static void
aim_addr(const struct sw_acl_cidr *c, uint8_t *a)
{
	unsigned int i;

	if (c->family == 0)
		return;
	for (i = 0; i < c->plen; i++) {
		uint8_t bit = (uint8_t)(0x80 >> (i % 8));

		a[i / 8] = (uint8_t)((a[i / 8] & ~bit) | (c->addr[i / 8] & bit));
	}
}

static uint16_t
aim_port(const struct sw_acl_range *r)
{
	switch (rnd() % 3) {
	case 0: return r->lo;
	case 1: return r->hi;
	default: return (uint16_t)(r->lo + rnd() % (r->hi - r->lo + 1u));
	}
}

static void
rnd_key(struct sw_acl_key *k, const struct sw_acl_rule *rules, unsigned int n)
{
	memset(k, 0, sizeof(*k));
	k->family = (uint8_t)(rnd() % 2 ? 4 : 6);
	rnd_addr(k->family, k->src);
	rnd_addr(k->family, k->dst);
	k->proto = (uint8_t)(rnd() % 8 ? (uint32_t)pool_proto[rnd() % 7] : rnd());
	k->in_port = (uint8_t)(rnd() % 3);
	k->sport = htons(rnd_port());
	k->dport = htons(rnd_port());
	k->tcp_flags = (uint8_t)rnd();
	k->icmp_type = (uint8_t)(rnd() % 2 ? 8 : rnd());
	k->icmp_code = (uint8_t)(rnd() % 4);
	/*
	 * Most packets are built to satisfy a random rule, then perhaps
	 * nudged off it in one field (near misses); the rest are random.
	 */
	if (n && rnd() % 4) {
		const struct sw_acl_rule *r = &rules[rnd() % n];

		if (r->src.family || r->dst.family) {
			k->family = r->src.family ? r->src.family :
						    r->dst.family;
			rnd_addr(k->family, k->src);
			rnd_addr(k->family, k->dst);
		}
		aim_addr(&r->src, k->src);
		aim_addr(&r->dst, k->dst);
		if (r->proto >= 0)
			k->proto = (uint8_t)r->proto;
		if (r->in_port >= 0)
			k->in_port = (uint8_t)r->in_port;
		if (r->nb_sport)
			k->sport = htons(aim_port(&r->sport[rnd() %
							   r->nb_sport]));
		if (r->nb_dport)
			k->dport = htons(aim_port(&r->dport[rnd() %
							   r->nb_dport]));
		k->tcp_flags = (uint8_t)((k->tcp_flags & ~r->flags_mask) |
					 r->flags_value);
		if (r->icmp_type >= 0)
			k->icmp_type = (uint8_t)r->icmp_type;
		if (r->icmp_code >= 0)
			k->icmp_code = (uint8_t)r->icmp_code;
		switch (rnd() % 12) {
		case 0: k->src[rnd() % 16] ^= (uint8_t)(1 << rnd() % 8); break;
		case 1: k->dst[rnd() % 16] ^= (uint8_t)(1 << rnd() % 8); break;
		case 2: k->sport = htons((uint16_t)(ntohs(k->sport) + 1)); break;
		case 3: k->dport = htons((uint16_t)(ntohs(k->dport) - 1)); break;
		case 4: k->tcp_flags ^= (uint8_t)(1 << rnd() % 8); break;
		case 5: k->proto++; break;
		default: break;
		}
	}
}

static int
ref_cidr(const struct sw_acl_cidr *c, uint8_t family, const uint8_t *a)
{
	unsigned int i;

	if (c->family == 0)
		return 1;
	if (c->family != family)
		return 0;
	for (i = 0; i < c->plen; i++) {
		uint8_t bit = (uint8_t)(0x80 >> (i % 8));

		if ((a[i / 8] & bit) != (c->addr[i / 8] & bit))
			return 0;
	}
	return 1;
}

static int
ref_ports(const struct sw_acl_range *r, uint8_t n, uint16_t net)
{
	uint16_t p = ntohs(net);
	unsigned int i;

	if (n == 0)
		return 1;
	for (i = 0; i < n; i++)
		if (p >= r[i].lo && p <= r[i].hi)
			return 1;
	return 0;
}

static uint32_t ref_xmatch(const struct sw_acl_rule *rules, unsigned int n,
			   const struct sw_acl_cidr *pool,
			   const struct sw_acl_key *k, unsigned int member);

/* The reference: the rules read as the README defines them. */
static uint32_t
ref_match(const struct sw_acl_rule *rules, unsigned int n,
	  const struct sw_acl_key *k)
{
	/* Plain rules: no list, no set, nothing negated. */
	return ref_xmatch(rules, n, NULL, k, 0);
}

#define DIFF_PACKETS 10000

static void
differential(uint64_t seed, unsigned int nb_rules)
{
	struct sw_acl_rule *rules = calloc(nb_rules, sizeof(*rules));
	struct sw_acl_key *keys = calloc(DIFF_PACKETS, sizeof(*keys));
	const struct sw_acl_key *kp[32];
	uint32_t got[32];
	uint8_t act[32];
	struct sw_acl *acl;
	unsigned int i, j, matched = 0, distinct = 0;
	uint8_t *seen = calloc(nb_rules + 1, 1);

	rng = seed;
	for (i = 0; i < nb_rules; i++)
		rnd_rule(&rules[i]);
	for (i = 0; i < DIFF_PACKETS; i++)
		rnd_key(&keys[i], rules, nb_rules);
	acl = build1(SW_ACL_POLICY, rules, nb_rules, SW_ACL_DROP, 1);
	for (i = 0; i < DIFF_PACKETS; i += 32) {
		for (j = 0; j < 32; j++)
			kp[j] = &keys[i + j < DIFF_PACKETS ? i + j : i];
		sw_acl_classify(acl, SW_ACL_POLICY, 0, kp, 32, act, got);
		for (j = 0; j < 32 && i + j < DIFF_PACKETS; j++) {
			uint32_t want = ref_match(rules, nb_rules, kp[j]);

			if (got[j] != want)
				fail_msg("seed %llu packet %u: rte_acl says "
					 "rule %u, linear says %u",
					 (unsigned long long)seed, i + j,
					 got[j], want);
			matched += want != 0;
			distinct += !seen[want];
			seen[want] = 1;
		}
	}
	printf("differential seed %llu: %u rules (%u rte_acl rules), "
	       "%u packets: %u matched a rule, %u distinct outcomes\n",
	       (unsigned long long)seed, nb_rules,
	       sw_acl_nb_expanded(acl, SW_ACL_POLICY), DIFF_PACKETS, matched,
	       distinct);
	/*
	 * Packets must exercise many rules and the default, not all fall
	 * to one early catch-all.
	 */
	assert_true(matched > DIFF_PACKETS / 10);
	assert_true(matched < DIFF_PACKETS);
	assert_true(distinct > nb_rules / 4);
	free(seen);
	sw_acl_free(acl);
	free(rules);
	free(keys);
}

/*
 * Rule sets of wide, overlapping IPv4 prefixes and port ranges on both
 * ports: rte_acl needs many tries for them and gives up past 8, so
 * spillway splits the set into up to 16 classifiers, and refuses it
 * beyond that (README, known limits).
 */
static void
wide_prefix(struct sw_acl_cidr *c)
{
	uint32_t a = rnd();

	c->family = 4;
	c->plen = (uint8_t)(1 + rnd() % 32);
	if (c->plen < 32)
		a &= ~((1u << (32 - c->plen)) - 1);
	memset(c->addr, 0, sizeof(c->addr));
	c->addr[0] = (uint8_t)(a >> 24);
	c->addr[1] = (uint8_t)(a >> 16);
	c->addr[2] = (uint8_t)(a >> 8);
	c->addr[3] = (uint8_t)a;
}

static void
wide_range(struct sw_acl_range *r, uint8_t *n)
{
	uint16_t a = (uint16_t)rnd(), b = (uint16_t)rnd();

	r->lo = RTE_MIN(a, b);
	r->hi = RTE_MAX(a, b);
	*n = 1;
}

static struct sw_acl_rule *
wide_rules(uint64_t seed, unsigned int n)
{
	struct sw_acl_rule *r = calloc(n, sizeof(*r));
	unsigned int i;

	rng = seed;
	for (i = 0; i < n; i++) {
		sw_acl_rule_init(&r[i], (uint8_t)(SW_ACL_ACCEPT + rnd() % 3));
		r[i].proto = 6;
		wide_prefix(&r[i].src);
		wide_prefix(&r[i].dst);
		wide_range(r[i].sport, &r[i].nb_sport);
		wide_range(r[i].dport, &r[i].nb_dport);
	}
	return r;
}

/* Build with the library's log captured; *log gets it (free it). */
static struct sw_acl *
build_logged(const struct sw_acl_rule *rules, unsigned int n, char **log)
{
	struct sw_acl_conf conf;
	struct sw_acl *acl;
	size_t len;
	FILE *f = open_memstream(log, &len);

	assert_non_null(f);
	rte_openlog_stream(f);
	memset(&conf, 0, sizeof(conf));
	conf.set[SW_ACL_POLICY].rules = rules;
	conf.set[SW_ACL_POLICY].nb_rules = n;
	conf.set[SW_ACL_POLICY].default_action = SW_ACL_DROP;
	conf.nb_workers = 1;
	conf.socket_id = SOCKET_ID_ANY;
	acl = sw_acl_create(&conf, err, sizeof(err));
	rte_openlog_stream(NULL);
	fclose(f);
	return acl;
}

static void
test_acl_split_classifies_as_one(void **state)
{
	struct sw_acl_rule *rules = wide_rules(42, 400);
	struct sw_acl_key k;
	const struct sw_acl_key *kp[1] = { &k };
	unsigned int i, parts = 0, matched = 0;
	uint32_t got;
	uint8_t act;
	char *log = NULL, *m;
	struct sw_acl *acl;

	(void)state;
	acl = build_logged(rules, 400, &log);
	if (acl == NULL)
		fail_msg("sw_acl_create: %s", err);
	m = strstr(log, "policy: IPv4 rules split into ");
	if (m != NULL)
		parts = (unsigned int)atoi(m + 30);
	printf("400 wide rules: %u classifiers\n", parts);
	free(log);
	assert_true(parts >= 2 && parts <= 16);
	/* Split or not, the answer is the first matching rule's. */
	for (i = 0; i < DIFF_PACKETS; i++) {
		rnd_key(&k, rules, 400);
		k.family = 4;
		sw_acl_classify(acl, SW_ACL_POLICY, 0, kp, 1, &act, &got);
		if (got != ref_match(rules, 400, &k))
			fail_msg("packet %u: split rte_acl says rule %u, linear "
				 "says %u", i, got, ref_match(rules, 400, &k));
		matched += got != 0;
	}
	assert_true(matched > DIFF_PACKETS / 4);
	sw_acl_free(acl);
	free(rules);
}

static void
test_acl_split_refused_beyond_16(void **state)
{
	struct sw_acl_rule *rules = wide_rules(43, 3000);
	char *log = NULL;
	struct sw_acl *acl;

	(void)state;
	acl = build_logged(rules, 3000, &log);
	free(log);
	free(rules);
	if (acl != NULL) {
		sw_acl_free(acl);
		fail_msg("3000 wide rules were accepted");
	}
	printf("3000 wide rules: %s\n", err);
	assert_non_null(strstr(err, "policy: "));
	assert_non_null(strstr(err, "IPv4"));
}

static void
test_acl_differential_random_rulesets(void **state)
{
	static const struct {
		uint64_t seed;
		unsigned int rules;
	} runs[] = {
		{ 1, 10 }, { 2, 50 }, { 3, 200 }, { 4, 500 }, { 5, 1000 },
		{ 0x5eed, 300 }, { 0xdecafbad, 100 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++)
		differential(runs[i].seed, runs[i].rules);
}

/*
 * The same, with what an edge ruleset adds: prefix lists, named sets
 * (their membership given per packet, as the worker gives it in
 * key->sets), negation of both, negated ports and return rules. The
 * reference reads each rule as the README defines it.
 */
static const uint8_t xset_family[4] = { 0, 4, 6, 0 };

static void
rnd_x(struct sw_acl_pool *pool, struct sw_acl_cidr *one,
      struct sw_acl_addr *x)
{
	unsigned int i, n = rnd() % 4;
	struct sw_acl_cidr c;

	memset(one, 0, sizeof(*one));
	memset(x, 0, sizeof(*x));
	x->list = pool->n;
	for (i = 0; i < n; i++) {
		rnd_cidr((uint8_t)(rnd() % 2 ? 4 : 6), &c);
		if (pool->n == pool->cap) {
			pool->cap = pool->cap ? 2 * pool->cap : 256;
			pool->v = realloc(pool->v, sizeof(c) * pool->cap);
		}
		pool->v[pool->n++] = c;
	}
	x->nb = (uint16_t)n;
	if (rnd() % 2)
		x->sets = rnd() % 16;
	x->neg = rnd() % 3 == 0;
	if (x->nb == 0 && x->sets == 0)
		x->sets = 1u << (rnd() % 4);
}

static void
rnd_xrule(struct sw_acl_rule *r, struct sw_acl_pool *pool)
{
	rnd_rule(r);
	if (rnd() % 2)
		rnd_x(pool, &r->src, &r->srcx);
	if (rnd() % 3 == 0)
		rnd_x(pool, &r->dst, &r->dstx);
	if (r->nb_sport && rnd() % 2)
		r->sport_neg = 1;
	if (r->nb_dport && rnd() % 2)
		r->dport_neg = 1;
	if (rnd() % 6 == 0)
		r->action = SW_ACL_RETURN;
}

static int
ref_x(const struct sw_acl_cidr *one, const struct sw_acl_addr *x,
      const struct sw_acl_cidr *pool, uint8_t family, const uint8_t *a,
      unsigned int member)
{
	unsigned int i, fam = family == 4 ? 1 : 2;
	int in = 0;

	if (x->nb == 0 && x->sets == 0 && !x->neg)
		return ref_cidr(one, family, a);
	if (!(sw_acl_addr_families(one, x, pool, xset_family) & fam))
		return 0;
	for (i = 0; i < x->nb; i++)
		in |= ref_cidr(&pool[x->list + i], family, a) &&
		      pool[x->list + i].family == family;
	for (i = 0; i < 4; i++)
		in |= (x->sets >> i & 1) && (member >> i & 1);
	return x->neg ? !in : in;
}

static int
ref_xports(const struct sw_acl_range *r, uint8_t n, uint8_t neg,
	   uint16_t net)
{
	return neg ? !ref_ports(r, n, net) : ref_ports(r, n, net);
}

/* Membership of a key's source (low 4 bits) and destination in sets 0-3. */
static unsigned int
rnd_member(uint8_t family)
{
	unsigned int m = rnd() & 0xff, i;

	for (i = 0; i < 4; i++)
		if (xset_family[i] && xset_family[i] != family)
			m &= ~(0x11u << i);
	return m;
}

static uint32_t
ref_xmatch(const struct sw_acl_rule *rules, unsigned int n,
	   const struct sw_acl_cidr *pool, const struct sw_acl_key *k,
	   unsigned int member)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct sw_acl_rule *r = &rules[i];

		if (r->in_port >= 0 && r->in_port != k->in_port)
			continue;
		if (r->proto >= 0 && r->proto != k->proto)
			continue;
		if (!ref_x(&r->src, &r->srcx, pool, k->family, k->src,
			   member & 0xf) ||
		    !ref_x(&r->dst, &r->dstx, pool, k->family, k->dst,
			   member >> 4))
			continue;
		if (!ref_xports(r->sport, r->nb_sport, r->sport_neg,
				k->sport) ||
		    !ref_xports(r->dport, r->nb_dport, r->dport_neg,
				k->dport))
			continue;
		if ((k->tcp_flags & r->flags_mask) != r->flags_value)
			continue;
		if (r->icmp_type >= 0 && r->icmp_type != k->icmp_type)
			continue;
		if (r->icmp_code >= 0 && r->icmp_code != k->icmp_code)
			continue;
		return i + 1;
	}
	return 0;
}

/* key->sets as the worker writes it, from set-id membership. */
static uint32_t
key_sets(const struct sw_acl *acl, unsigned int member)
{
	uint8_t ids[SW_ACL_SET_BITS];
	unsigned int d, b, n;
	uint32_t v = 0;

	for (d = 0; d < 2; d++) {
		n = sw_acl_set_map(acl, (int)d, ids);
		for (b = 0; b < n; b++)
			if (member >> (4 * d + ids[b]) & 1)
				v |= 1u << (b + 16 * d);
	}
	return htonl(v);
}

static void
xdifferential(uint64_t seed, unsigned int nb_rules)
{
	struct sw_acl_rule *rules = calloc(nb_rules, sizeof(*rules));
	struct sw_acl_key *keys = calloc(DIFF_PACKETS, sizeof(*keys));
	unsigned int *member = calloc(DIFF_PACKETS, sizeof(*member));
	struct sw_acl_pool pool = { 0 };
	struct sw_acl_conf conf;
	const struct sw_acl_key *kp[32];
	uint32_t got[32];
	uint8_t act[32];
	struct sw_acl *acl;
	unsigned int i, j, matched = 0, returned = 0;

	rng = seed;
	for (i = 0; i < nb_rules; i++)
		rnd_xrule(&rules[i], &pool);
	for (i = 0; i < DIFF_PACKETS; i++) {
		rnd_key(&keys[i], rules, nb_rules);
		member[i] = rnd_member(keys[i].family);
	}
	memset(&conf, 0, sizeof(conf));
	conf.set[SW_ACL_POLICY].rules = rules;
	conf.set[SW_ACL_POLICY].nb_rules = nb_rules;
	conf.set[SW_ACL_POLICY].default_action = SW_ACL_REJECT;
	conf.pool = pool.v;
	conf.nb_pool = pool.n;
	memcpy(conf.set_family, xset_family, sizeof(xset_family));
	conf.nb_workers = 1;
	conf.socket_id = SOCKET_ID_ANY;
	acl = sw_acl_create(&conf, err, sizeof(err));
	if (acl == NULL)
		fail_msg("sw_acl_create: %s", err);
	for (i = 0; i < DIFF_PACKETS; i++)
		keys[i].sets = key_sets(acl, member[i]);
	for (i = 0; i < DIFF_PACKETS; i += 32) {
		for (j = 0; j < 32; j++)
			kp[j] = &keys[i + j < DIFF_PACKETS ? i + j : i];
		sw_acl_classify(acl, SW_ACL_POLICY, 0, kp, 32, act, got);
		for (j = 0; j < 32 && i + j < DIFF_PACKETS; j++) {
			unsigned int m = member[i + j < DIFF_PACKETS ? i + j :
						i];
			uint32_t want = ref_xmatch(rules, nb_rules, pool.v,
						   kp[j], m);
			uint8_t wact = want ? rules[want - 1].action :
					      SW_ACL_REJECT;

			if (wact == SW_ACL_RETURN)
				wact = SW_ACL_REJECT;
			if (got[j] != want || act[j] != wact)
				fail_msg("seed %llu packet %u: rte_acl says "
					 "rule %u (%s), linear says %u (%s)",
					 (unsigned long long)seed, i + j,
					 got[j], sw_acl_action_name(act[j]),
					 want, sw_acl_action_name(wact));
			matched += want != 0;
			returned += want && rules[want - 1].action ==
					    SW_ACL_RETURN;
		}
	}
	printf("lists/sets/negation seed %llu: %u rules (%u rte_acl "
	       "rules), %u packets: %u matched a rule, %u a return rule\n",
	       (unsigned long long)seed, nb_rules,
	       sw_acl_nb_expanded(acl, SW_ACL_POLICY), DIFF_PACKETS, matched,
	       returned);
	assert_true(matched > DIFF_PACKETS / 10);
	assert_true(matched < DIFF_PACKETS);
	assert_true(returned > 0);
	sw_acl_free(acl);
	sw_acl_pool_free(&pool);
	free(member);
	free(rules);
	free(keys);
}

static void
test_acl_differential_lists_sets_negation(void **state)
{
	static const struct {
		uint64_t seed;
		unsigned int rules;
	} runs[] = {
		{ 11, 20 }, { 12, 60 }, { 13, 90 }, { 0xfeed, 120 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++)
		xdifferential(runs[i].seed, runs[i].rules);
}

/* A negated prefix is a match of its own family only, as in nft and pf. */
static void
test_acl_negated_prefix_is_its_family(void **state)
{
	struct sw_acl_pool pool = { 0 };
	struct sw_acl_rule r;
	struct sw_acl_conf conf;
	struct sw_acl_key k;
	struct sw_acl *acl;
	const char *names[1] = { "feed" };

	(void)state;
	sw_acl_rule_init(&r, SW_ACL_DROP);
	assert_int_equal(sw_acl_parse_addr("!192.0.2.0/24", names, 1, &pool,
					   &r.src, &r.srcx, err, sizeof(err)),
			 0);
	memset(&conf, 0, sizeof(conf));
	conf.set[SW_ACL_POLICY].rules = &r;
	conf.set[SW_ACL_POLICY].nb_rules = 1;
	conf.set[SW_ACL_POLICY].default_action = SW_ACL_ACCEPT;
	conf.pool = pool.v;
	conf.nb_pool = pool.n;
	conf.nb_workers = 1;
	conf.socket_id = SOCKET_ID_ANY;
	acl = sw_acl_create(&conf, err, sizeof(err));
	assert_non_null(acl);
	key4(&k, "198.51.100.1", "192.0.2.1", 6, 1, 2);
	assert_int_equal(hit(acl, SW_ACL_POLICY, &k, NULL), 1);
	key4(&k, "192.0.2.200", "198.51.100.1", 6, 1, 2);
	assert_int_equal(hit(acl, SW_ACL_POLICY, &k, NULL), 0);
	key6(&k, "2001:db8::1", "2001:db8::2", 6, 1, 2);
	assert_int_equal(hit(acl, SW_ACL_POLICY, &k, NULL), 0);
	sw_acl_free(acl);
	sw_acl_pool_free(&pool);
}

/* "return" ends the list: notrack gives no verdict, policy its default. */
static void
test_acl_return_ends_the_list(void **state)
{
	struct sw_acl_rule r[2];
	struct sw_acl_key k;
	struct sw_acl *acl;
	uint8_t a;

	(void)state;
	sw_acl_rule_init(&r[0], SW_ACL_RETURN);
	cidr(&r[0].src, "192.0.2.0/24");
	sw_acl_rule_init(&r[1], SW_ACL_DROP);
	cidr(&r[1].src, "192.0.0.0/12");
	acl = build1(SW_ACL_NOTRACK, r, 2, SW_ACL_NONE, 1);
	key4(&k, "192.0.2.10", "198.51.100.1", 6, 1, 22);
	assert_int_equal(hit(acl, SW_ACL_NOTRACK, &k, &a), 1);
	assert_int_equal(a, SW_ACL_NONE);
	key4(&k, "192.0.3.10", "198.51.100.1", 6, 1, 22);
	assert_int_equal(hit(acl, SW_ACL_NOTRACK, &k, &a), 2);
	assert_int_equal(a, SW_ACL_DROP);
	assert_int_equal(sw_acl_hits(acl, SW_ACL_NOTRACK, 0), 1);
	sw_acl_free(acl);
	acl = build1(SW_ACL_POLICY, r, 2, SW_ACL_REJECT, 1);
	key4(&k, "192.0.2.10", "198.51.100.1", 6, 1, 22);
	assert_int_equal(hit(acl, SW_ACL_POLICY, &k, &a), 1);
	assert_int_equal(a, SW_ACL_REJECT);
	sw_acl_free(acl);
}

static void
test_acl_parse_addr_forms_and_errors(void **state)
{
	static const char *const names[2] = { "feed", "admin" };
	static const char *const bad[] = {
		"", "!", "{}", "192.0.2.0/24, !198.51.100.0/24", "@nope",
		"!any", "any, 192.0.2.0/24", "{192.0.2.0/24, {@feed}}",
		"192.0.2.0/33",
	};
	struct sw_acl_pool pool = { 0 };
	struct sw_acl_rule r;
	char text[256];
	size_t i;

	(void)state;
	sw_acl_rule_init(&r, SW_ACL_DROP);
	assert_int_equal(sw_acl_parse_addr("192.0.2.7/24", names, 2, &pool,
					   &r.src, &r.srcx, err, sizeof(err)),
			 0);
	assert_int_equal(r.src.plen, 24);
	assert_int_equal(pool.n, 0);
	assert_int_equal(sw_acl_parse_addr("!{ @admin, 2001:db8::/32 ,@feed}",
					   names, 2, &pool, &r.dst, &r.dstx,
					   err, sizeof(err)), 0);
	assert_int_equal(r.dstx.neg, 1);
	assert_int_equal(r.dstx.sets, 3);
	assert_int_equal(r.dstx.nb, 1);
	assert_int_equal(sw_acl_addr_families(&r.dst, &r.dstx, pool.v,
					      (const uint8_t[2]){ 4, 4 }), 3);
	r.proto = 6;
	assert_int_equal(sw_acl_parse_ports_neg("!22, 80", r.dport,
						&(unsigned int){ 0 },
						&r.dport_neg, err,
						sizeof(err)), 0);
	r.nb_dport = 2;
	sw_acl_match_text(&r, pool.v, NULL, names, text, sizeof(text));
	assert_string_equal(text, "proto=tcp src=192.0.2.0/24 "
			    "dst=!{@feed,@admin,2001:db8::/32} dport=!22,80");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sw_acl_parse_addr(bad[i], names, 2, &pool, &r.src, &r.srcx,
				      err, sizeof(err)) != -EINVAL)
			fail_msg("'%s' accepted", bad[i]);
	assert_int_equal(pool.n, 1);	/* errors leave the pool alone */
	sw_acl_pool_free(&pool);
}

/* Sets a build tests get bits per direction, 16 at most each. */
static void
test_acl_set_bits_per_direction(void **state)
{
	struct sw_acl_rule r[17];
	struct sw_acl_conf conf;
	struct sw_acl *acl;
	uint8_t ids[SW_ACL_SET_BITS];
	unsigned int i;

	(void)state;
	memset(&conf, 0, sizeof(conf));
	for (i = 0; i < 17; i++) {
		sw_acl_rule_init(&r[i], SW_ACL_DROP);
		r[i].srcx.sets = 1u << (i + 3);
	}
	r[0].dstx.sets = 1u << 7;
	conf.set[SW_ACL_NOTRACK].rules = r;
	conf.set[SW_ACL_NOTRACK].nb_rules = 16;
	conf.nb_workers = 1;
	conf.socket_id = SOCKET_ID_ANY;
	acl = sw_acl_create(&conf, err, sizeof(err));
	assert_non_null(acl);
	assert_int_equal(sw_acl_set_map(acl, 0, ids), 16);
	assert_int_equal(ids[0], 3);
	assert_int_equal(sw_acl_set_map(acl, 1, ids), 1);
	assert_int_equal(ids[0], 7);
	sw_acl_free(acl);
	conf.set[SW_ACL_NOTRACK].nb_rules = 17;
	assert_null(sw_acl_create(&conf, err, sizeof(err)));
	assert_non_null(strstr(err, "more than 16 sets tested as sources"));
}

/* A reload keeps the count of a rule that did not change. */
static void
test_acl_hits_base_adds(void **state)
{
	struct sw_acl_rule r;
	struct sw_acl_key k;
	struct sw_acl *acl;

	(void)state;
	sw_acl_rule_init(&r, SW_ACL_ACCEPT);
	acl = build1(SW_ACL_POLICY, &r, 1, SW_ACL_DROP, 2);
	sw_acl_set_hits_base(acl, SW_ACL_POLICY, 0, 40);
	key4(&k, "192.0.2.1", "192.0.2.2", 6, 1, 2);
	hit(acl, SW_ACL_POLICY, &k, NULL);
	assert_int_equal(sw_acl_hits(acl, SW_ACL_POLICY, 0), 41);
	assert_true(sw_acl_memory(acl) > 0);
	sw_acl_free(acl);
}

/* ---- RCU swap under readers ---- */

#define SWAP_READERS 2
#define SWAPS 200

struct swap_ctx {
	struct sw_ruleset *slot;
	struct rte_rcu_qsbr *qs;
	int stop;		/* atomic: readers stop at 1 */
	int bad;		/* atomic: a reader saw a freed build */
	uint64_t seen[SWAP_READERS];
};

struct reader_arg {
	struct swap_ctx *ctx;
	unsigned int id;
};

static void *
reader(void *p)
{
	struct reader_arg *ra = p;
	struct swap_ctx *ctx = ra->ctx;
	struct sw_acl_key k;
	const struct sw_acl_key *kp[1] = { &k };
	const struct sw_acl *last = NULL;
	uint8_t a;
	int spin;

	key4(&k, "192.0.2.1", "192.0.2.2", 6, 1, 80);
	rte_rcu_qsbr_thread_register(ctx->qs, ra->id);
	rte_rcu_qsbr_thread_online(ctx->qs, ra->id);
	while (!__atomic_load_n(&ctx->stop, __ATOMIC_ACQUIRE)) {
		const struct sw_acl *acl = sw_ruleset_current(&ctx->slot)->acl;

		sw_acl_classify(acl, SW_ACL_POLICY, ra->id, kp, 1, &a, NULL);
		/* Hold the build a while, as a worker holds it a burst. */
		for (spin = 0; spin < 200; spin++)
			__asm__ volatile("" ::: "memory");
		if (!sw_acl_alive(acl) || a != SW_ACL_ACCEPT)
			__atomic_store_n(&ctx->bad, 1, __ATOMIC_RELAXED);
		if (acl != last) {
			ctx->seen[ra->id]++;
			last = acl;
		}
		rte_rcu_qsbr_quiescent(ctx->qs, ra->id);
	}
	rte_rcu_qsbr_thread_offline(ctx->qs, ra->id);
	rte_rcu_qsbr_thread_unregister(ctx->qs, ra->id);
	return NULL;
}

/*
 * A build goes in as spillway publishes one: in a snapshot, through
 * sw_ruleset_publish, which waits out the readers before the old one
 * is freed.
 */
static void
publish(struct swap_ctx *ctx, struct sw_acl *acl)
{
	struct sw_ruleset *rs = sw_ruleset_wrap(acl, NULL, 0);

	assert_non_null(rs);
	sw_ruleset_publish(&ctx->slot, rs, NULL, NULL, ctx->qs);
}

static void
test_acl_publish_swaps_under_readers(void **state)
{
	struct swap_ctx ctx;
	struct reader_arg ra[SWAP_READERS];
	pthread_t th[SWAP_READERS];
	struct sw_acl_rule r;
	size_t sz = rte_rcu_qsbr_get_memsize(SWAP_READERS);
	unsigned int i;

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	ctx.qs = rte_zmalloc("qs", sz, RTE_CACHE_LINE_SIZE);
	assert_non_null(ctx.qs);
	assert_int_equal(rte_rcu_qsbr_init(ctx.qs, SWAP_READERS), 0);
	sw_acl_rule_init(&r, SW_ACL_ACCEPT);
	r.proto = 6;
	ports(r.dport, &r.nb_dport, "80");
	publish(&ctx, build1(SW_ACL_POLICY, &r, 1, SW_ACL_DROP,
			     SWAP_READERS));
	for (i = 0; i < SWAP_READERS; i++) {
		ra[i].ctx = &ctx;
		ra[i].id = i;
		pthread_create(&th[i], NULL, reader, &ra[i]);
	}
	for (i = 0; i < SWAPS; i++) {
		/* Each build differs, so it really is a new one. */
		ports(r.sport, &r.nb_sport, i % 2 ? "0-65535" : "any");
		publish(&ctx, build1(SW_ACL_POLICY, &r, 1, SW_ACL_DROP,
				     SWAP_READERS));
		usleep(200);
	}
	__atomic_store_n(&ctx.stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < SWAP_READERS; i++)
		pthread_join(th[i], NULL);
	printf("swap: %d publishes, readers saw %llu and %llu builds\n",
	       SWAPS, (unsigned long long)ctx.seen[0],
	       (unsigned long long)ctx.seen[1]);
	assert_false(__atomic_load_n(&ctx.bad, __ATOMIC_RELAXED));
	for (i = 0; i < SWAP_READERS; i++)
		assert_true(ctx.seen[i] > 1);
	sw_ruleset_free(ctx.slot, NULL);
	rte_free(ctx.qs);
}

TEST_EAL_GROUP("acl")

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acl_cidr_v4_v6_any),
		cmocka_unit_test(test_acl_cidr_errors),
		cmocka_unit_test(test_acl_ports_lists_and_ranges),
		cmocka_unit_test(test_acl_ports_errors),
		cmocka_unit_test(test_acl_proto),
		cmocka_unit_test(test_acl_tcp_flags),
		cmocka_unit_test(test_acl_first_match_wins),
		cmocka_unit_test(test_acl_ports_lists_ranges_classify),
		cmocka_unit_test(test_acl_v6_prefixes),
		cmocka_unit_test(test_acl_tcp_flags_classify),
		cmocka_unit_test(test_acl_icmp_and_in_port),
		cmocka_unit_test(test_acl_defaults_and_empty_sets),
		cmocka_unit_test(test_acl_hit_counters_sum_workers),
		cmocka_unit_test(test_acl_differential_random_rulesets),
		cmocka_unit_test(test_acl_differential_lists_sets_negation),
		cmocka_unit_test(test_acl_negated_prefix_is_its_family),
		cmocka_unit_test(test_acl_return_ends_the_list),
		cmocka_unit_test(test_acl_parse_addr_forms_and_errors),
		cmocka_unit_test(test_acl_set_bits_per_direction),
		cmocka_unit_test(test_acl_hits_base_adds),
		cmocka_unit_test(test_acl_publish_swaps_under_readers),
		cmocka_unit_test(test_acl_split_classifies_as_one),
		cmocka_unit_test(test_acl_split_refused_beyond_16),
	};

	/*
	 * Rule sets big enough to split cost seconds of rte_acl builds, too
	 * slow to repeat under the sanitizers: they run only with --split
	 * (suite "acl-split", release build), the rest only without.
	 */
	if (argc > 1 && strcmp(argv[1], "--split") == 0)
		cmocka_set_test_filter("test_acl_split_*");
	else if (getenv("SW_TEST_TSAN") != NULL)
		/* ThreadSanitizer: the rule swap under reading threads. */
		cmocka_set_test_filter("*_under_readers");
	else
		cmocka_set_skip_filter("test_acl_split_*");

	return cmocka_run_group_tests_name("acl", tests, eal_setup,
					   eal_teardown);
}
