/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * spillway-acl-bench: rte_acl build time and classify cost of lib/acl for
 * rule sets of 100, 1,000 and 10,000 rules, IPv4 and IPv6. Prints
 * figures; asserts nothing.
 *
 * Rules look like an edge firewall's: a source prefix (/8 to /32), a
 * destination host or /24, TCP or UDP, one destination port or a small
 * range, sometimes a list; source ports mostly any. Packets are aimed at
 * random rules (so classification walks deep into the trie) or random.
 *
 *   spillway-acl-bench [-- EAL args]
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_lcore.h>

#include "sw_acl.h"
#include "xorshift.h"

#define PACKETS 65536
#define BURST 32
#define ROUNDS 20

SW_XORSHIFT_STREAM(static, rnd, 88172645463325252ull)

static void
prefix(struct sw_acl_cidr *c, uint8_t family, unsigned int plen)
{
	unsigned int i;

	memset(c, 0, sizeof(*c));
	c->family = family;
	c->plen = (uint8_t)plen;
	if (family == 4) {
		c->addr[0] = 198;
		c->addr[1] = 51;
		c->addr[2] = (uint8_t)rnd();
		c->addr[3] = (uint8_t)rnd();
	} else {
		c->addr[0] = 0x20;
		c->addr[1] = 0x01;
		c->addr[2] = 0x0d;
		c->addr[3] = 0xb8;
		for (i = 4; i < 16; i++)
			c->addr[i] = (uint8_t)rnd();
	}
	for (i = 0; i < 16; i++) {
		int keep = (int)plen - (int)i * 8;

		if (keep <= 0)
			c->addr[i] = 0;
		else if (keep < 8)
			c->addr[i] &= (uint8_t)(0xff << (8 - keep));
	}
}

static void
make_rule(struct sw_acl_rule *r, uint8_t family)
{
	unsigned int max = family == 4 ? 32 : 128;

	sw_acl_rule_init(r, (uint8_t)(rnd() % 4 ? SW_ACL_ACCEPT : SW_ACL_DROP));
	prefix(&r->src, family, max - rnd() % (family == 4 ? 24 : 64));
	prefix(&r->dst, family, rnd() % 2 ? max : max - 8);
	r->proto = rnd() % 3 ? 6 : 17;
	r->nb_dport = 1;
	r->dport[0].lo = (uint16_t)(rnd() % 2 ? rnd() % 1024 : rnd());
	r->dport[0].hi = r->dport[0].lo;
	if (rnd() % 8 == 0)
		r->dport[0].hi = (uint16_t)RTE_MIN(65535u,
						   r->dport[0].lo + rnd() % 100);
	if (rnd() % 10 == 0) {
		r->nb_dport = 2;
		r->dport[1].lo = r->dport[1].hi = 443;
	}
	if (rnd() % 10 == 0) {
		r->nb_sport = 1;
		r->sport[0].lo = 1024;
		r->sport[0].hi = 65535;
	}
}

static void
make_key(struct sw_acl_key *k, const struct sw_acl_rule *rules,
	 unsigned int n, uint8_t family)
{
	const struct sw_acl_rule *r = &rules[rnd() % n];
	unsigned int i;

	memset(k, 0, sizeof(*k));
	k->family = family;
	for (i = 0; i < 16; i++) {
		k->src[i] = (uint8_t)rnd();
		k->dst[i] = (uint8_t)rnd();
	}
	if (family == 4) {
		memset(k->src + 4, 0, 12);
		memset(k->dst + 4, 0, 12);
	}
	k->proto = (uint8_t)(rnd() % 2 ? 6 : 17);
	k->sport = htons((uint16_t)(1024 + rnd() % 60000));
	k->dport = htons((uint16_t)rnd());
	k->tcp_flags = 0x10;
	if (rnd() % 4) {	/* aimed at a rule: its prefixes' base */
		memcpy(k->src, r->src.addr, 16);
		memcpy(k->dst, r->dst.addr, 16);
		k->proto = (uint8_t)r->proto;
		k->dport = htons(r->dport[0].lo);
	}
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* A build that failed, or classification that missed its aim. */
static unsigned int sanity_failures;

static void
run(unsigned int nb_rules, uint8_t family)
{
	struct sw_acl_rule *rules = calloc(nb_rules, sizeof(*rules));
	struct sw_acl_key *keys = calloc(PACKETS, sizeof(*keys));
	const struct sw_acl_key *kp[BURST];
	struct sw_acl_conf conf;
	struct sw_acl *acl;
	uint64_t per_round[ROUNDS], t0, matched = 0;
	uint8_t act[BURST];
	uint32_t rule[BURST];
	char err[256];
	double ms;
	unsigned int i, j, k;

	for (i = 0; i < nb_rules; i++)
		make_rule(&rules[i], family);
	for (i = 0; i < PACKETS; i++)
		make_key(&keys[i], rules, nb_rules, family);
	memset(&conf, 0, sizeof(conf));
	conf.set[SW_ACL_POLICY].rules = rules;
	conf.set[SW_ACL_POLICY].nb_rules = nb_rules;
	conf.set[SW_ACL_POLICY].default_action = SW_ACL_DROP;
	conf.nb_workers = 1;
	conf.socket_id = (int)rte_socket_id();
	ms = now_ms();
	acl = sw_acl_create(&conf, err, sizeof(err));
	ms = now_ms() - ms;
	if (acl == NULL) {
		printf("IPv%u %6u rules: build failed: %s\n", family, nb_rules,
		       err);
		sanity_failures++;
		goto out;
	}
	for (k = 0; k < ROUNDS; k++) {
		t0 = rte_rdtsc_precise();
		for (i = 0; i < PACKETS; i += BURST) {
			for (j = 0; j < BURST; j++)
				kp[j] = &keys[i + j];
			sw_acl_classify(acl, SW_ACL_POLICY, 0, kp, BURST, act,
					rule);
			if (k == 0)
				for (j = 0; j < BURST; j++)
					matched += rule[j] != 0;
		}
		per_round[k] = rte_rdtsc_precise() - t0;
	}
	qsort(per_round, ROUNDS, sizeof(per_round[0]), cmp_u64);
	printf("IPv%u %6u rules (%6u entries): build %8.1f ms, classify "
	       "%6.1f cycles/packet (median of %d rounds of %d, burst %d), "
	       "%4.1f%% matched\n", family, nb_rules,
	       sw_acl_nb_expanded(acl, SW_ACL_POLICY), ms,
	       (double)per_round[ROUNDS / 2] / PACKETS, ROUNDS, PACKETS,
	       BURST, 100.0 * (double)matched / PACKETS);
	/* Three packets in four are aimed at a rule's prefixes and port. */
	if (matched < PACKETS / 2) {
		fprintf(stderr, "sanity check failed: IPv%u %u rules: only "
			"%" PRIu64 " of %d packets matched a rule\n", family,
			nb_rules, matched, PACKETS);
		sanity_failures++;
	}
	sw_acl_free(acl);
out:
	free(rules);
	free(keys);
}

int
main(int argc, char **argv)
{
	static const unsigned int sizes[] = { 100, 1000, 10000 };
	char prefix[64];
	char *eal[16] = { argv[0], "-l", "0", "--no-pci", "--no-telemetry",
			  "--log-level", "lib.eal:error", "--file-prefix",
			  prefix };
	int n = 9, i;
	unsigned int s;

	snprintf(prefix, sizeof(prefix), "sw-acl-bench-%d", (int)getpid());
	if (access("/dev/hugepages", F_OK) != 0 ||
	    (argc > 1 && strcmp(argv[1], "--no-huge") == 0)) {
		eal[n++] = "--no-huge";
		eal[n++] = "-m";
		eal[n++] = "1024";
		printf("(no hugepages: --no-huge)\n");
	}
	for (i = 1; i < argc && n < 15; i++)
		if (strcmp(argv[i], "--no-huge") != 0 &&
		    strcmp(argv[i], "--") != 0)
			eal[n++] = argv[i];
	if (rte_eal_init(n, eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	printf("TSC %.2f GHz\n", (double)rte_get_tsc_hz() / 1e9);
	for (s = 0; s < RTE_DIM(sizes); s++) {
		run(sizes[s], 4);
		run(sizes[s], 6);
	}
	rte_eal_cleanup();
	if (sanity_failures) {
		fprintf(stderr, "spillway-acl-bench: %u sanity check%s "
			"failed\n", sanity_failures,
			sanity_failures > 1 ? "s" : "");
		return 1;
	}
	return 0;
}
