/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * Config loader, the rule fields an iptables or nftables admin brings:
 * limit, meter, conn_limit, reject_with, rule groups (jump / goto),
 * service names in ports, iptables' "137:139" answered with a hint,
 * and the fallback derived from the policy.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "reject.h"

#include "config_test.h"

static const struct sw_acl_rule *
policy(struct fx *fx, unsigned int i)
{
	assert_true(i < fx->cfg.rules.nb[SW_ACL_POLICY]);
	return &fx->cfg.rules.rules[SW_ACL_POLICY][i];
}

static void
test_config_rules_limit_meter_conn(void **state)
{
	struct fx *fx = *state;
	const struct sw_acl_rule *r;

	assert_int_equal(load(fx,
		"rules = { policy = (\n"
		"  { proto = \"icmp\"; limit = \"10/second\"; action = \"accept\"; },\n"
		"  { proto = \"tcp\"; limit = { rate = \"600/minute\"; burst = 20;"
		" over = true; }; action = \"drop\"; },\n"
		"  { proto = \"udp\"; meter = { rate = \"5/second\"; burst = 10;"
		" by = \"dst\"; v4_prefix = 24; v6_prefix = 48; size = 4096; };"
		" action = \"accept\"; },\n"
		"  { proto = \"tcp\"; dport = 22; conn_limit = { max = 3;"
		" over = true; per_source = true; }; action = \"reject\"; },\n"
		"  { proto = \"tcp\"; dport = 80; conn_limit = 100;"
		" action = \"accept\"; }\n"
		"); };\n"), 0);
	r = policy(fx, 0);
	assert_int_equal(r->limit.packets, 10);
	assert_int_equal(r->limit.seconds, 1);
	assert_int_equal(r->limit.burst, 5);	/* nft's and iptables' */
	assert_int_equal(r->limit.over, 0);
	r = policy(fx, 1);
	assert_int_equal(r->limit.packets, 600);
	assert_int_equal(r->limit.seconds, 60);
	assert_int_equal(r->limit.burst, 20);
	assert_int_equal(r->limit.over, 1);
	r = policy(fx, 2);
	assert_int_equal(r->meter.rate.packets, 5);
	assert_int_equal(r->meter.rate.burst, 10);
	assert_int_equal(r->meter.by_dst, 1);
	assert_int_equal(r->meter.v4_prefix, 24);
	assert_int_equal(r->meter.v6_prefix, 48);
	assert_int_equal(r->meter.size, 4096);
	r = policy(fx, 3);
	assert_int_equal(r->conn.max, 3);
	assert_int_equal(r->conn.over, 1);
	assert_int_equal(r->conn.v4_prefix, 32);
	assert_int_equal(r->conn.v6_prefix, 64);
	r = policy(fx, 4);
	assert_int_equal(r->conn.max, 100);
	assert_int_equal(r->conn.over, 0);
	assert_int_equal(r->conn.v4_prefix, 0);	/* the rule's flows */

	expect_error(fx, "rules = { policy = ( { limit = \"10/fortnight\";"
		     " action = \"accept\"; } ); };\n", 1,
		     "rules.policy[0].limit", "second, minute, hour or day");
	expect_error(fx, "rules = { policy = ( { limit = { burst = 3; };"
		     " action = \"accept\"; } ); };\n", 1,
		     "rules.policy[0].limit", "missing 'rate'");
	expect_error(fx, "rules = { policy = ( { meter = { rate = \"1/s\";"
		     " by = \"port\"; }; action = \"accept\"; } ); };\n", 1,
		     "rules.policy[0].meter.by", "is not src or dst");
	expect_error(fx, "rules = { policy = ( { limit = { rate = \"1/s\";"
		     " brust = 3; }; action = \"accept\"; } ); };\n", 1,
		     "rules.policy[0].limit.brust", "unknown setting");
	expect_error(fx, "rules = { fallback = ( { conn_limit = 3;"
		     " action = \"accept\"; } ); };\n", 1,
		     "rules.fallback[0].conn_limit", "counted only by the "
		     "policy");
	expect_error(fx, "rules = { policy = ( { conn_limit = 0;"
		     " action = \"accept\"; } ); };\n", 1,
		     "rules.policy[0].conn_limit", "out of range");
	/* No flow table, no flows to count. */
	assert_int_equal(load(fx, "flowtable = { enabled = false; };\n"
			      "rules = { policy = ( { conn_limit = 3;"
			      " action = \"accept\"; } ); };\n"), -EINVAL);
	assert_non_null(strstr(fx->err, "rules.policy[0].conn_limit: needs "
			       "the flow table"));
}

static void
test_config_rules_reject_with(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(load(fx,
		"rules = { policy = (\n"
		"  { proto = \"tcp\"; action = \"reject\"; reject_with = \"tcp-reset\"; },\n"
		"  { action = \"reject\"; reject_with = \"icmp-admin-prohibited\"; },\n"
		"  { action = \"reject\"; reject_with = \"icmp6-no-route\"; },\n"
		"  { src = \"192.0.2.0/24\"; action = \"reject\";"
		" reject_with = \"icmp-proto-unreachable\"; },\n"
		"  { action = \"reject\"; reject_with = \"host-unreachable\"; }\n"
		"); };\n"), 0);
	assert_int_equal(policy(fx, 0)->reject_with, SW_REJECT_WITH_TCP_RESET);
	assert_int_equal(policy(fx, 1)->reject_with,
			 SW_REJECT_WITH_ADMIN_PROHIB);
	assert_int_equal(policy(fx, 2)->reject_with,
			 SW_REJECT_WITH_NET_UNREACH);
	assert_int_equal(policy(fx, 3)->reject_with,
			 SW_REJECT_WITH_PROT_UNREACH);
	assert_int_equal(policy(fx, 4)->reject_with,
			 SW_REJECT_WITH_HOST_UNREACH);
	expect_error(fx, "rules = { policy = ( { proto = \"udp\";"
		     " action = \"reject\"; reject_with = \"tcp-reset\"; } );"
		     " };\n", 1, "rules.policy[0].reject_with",
		     "tcp-reset needs proto \"tcp\"");
	expect_error(fx, "rules = { policy = ( { action = \"drop\";"
		     " reject_with = \"tcp-reset\"; } ); };\n", 1,
		     "rules.policy[0].reject_with", "needs action \"reject\"");
	expect_error(fx, "rules = { policy = ( { action = \"reject\";"
		     " reject_with = \"icmp-proto-unreachable\"; } ); };\n", 1,
		     "rules.policy[0].reject_with", "no ICMPv6 kind");
	expect_error(fx, "rules = { policy = ( { action = \"reject\";"
		     " reject_with = \"go-away\"; } ); };\n", 1,
		     "rules.policy[0].reject_with", "is not tcp-reset");
}

static void
test_config_rules_groups(void **state)
{
	struct fx *fx = *state;
	const struct sw_group_conf *g;

	assert_int_equal(load(fx,
		"rules = {\n"
		"  policy = ( { proto = \"tcp\"; jump = \"ssh_in\"; },\n"
		"             { proto = \"udp\"; goto = \"dns\"; },\n"
		"             { action = \"accept\"; } );\n"
		"  groups = {\n"
		"    ssh_in = ( { proto = \"tcp\"; dport = 22; action = \"accept\"; },\n"
		"               { action = \"return\"; } );\n"
		"    dns = ( { proto = \"udp\"; dport = 53; jump = \"ssh_in\"; } );\n"
		"  };\n"
		"};\n"), 0);
	assert_int_equal(fx->cfg.rules.nb_groups, 2);
	assert_int_equal(policy(fx, 0)->action, SW_ACL_JUMP);
	assert_int_equal(policy(fx, 0)->group, 0);
	assert_int_equal(policy(fx, 1)->action, SW_ACL_GOTO);
	assert_int_equal(policy(fx, 1)->group, 1);
	g = &fx->cfg.rules.groups[0];
	assert_string_equal(g->name, "ssh_in");
	assert_int_equal(g->nb, 2);
	assert_int_equal(g->rules[1].action, SW_ACL_RETURN);
	g = &fx->cfg.rules.groups[1];
	assert_string_equal(g->name, "dns");
	assert_int_equal(g->rules[0].action, SW_ACL_JUMP);
	assert_int_equal(g->rules[0].group, 0);

	expect_error(fx, "rules = { policy = ( { jump = \"nowhere\"; } ); };\n",
		     1, "rules.policy[0].jump", "no group named 'nowhere'");
	expect_error(fx, "rules = { policy = ( { jump = \"a\";"
		     " action = \"accept\"; } ); groups = { a = (); }; };\n", 1,
		     "rules.policy[0].jump", "one of action, jump and goto");
	expect_error(fx, "rules = { policy = ( { proto = \"tcp\"; } ); };\n",
		     1, "rules.policy[0]", "jump / goto a group");
	expect_error(fx, "rules = {\n policy = ( { jump = \"a\"; } );\n"
		     " groups = { a = ( { proto = \"udp\"; dport = \"dns\";"
		     " action = \"accept\"; } ); };\n};\n", 3,
		     "rules.groups.a[0].dport", "no udp service named 'dns'");
	/* Derivation cannot follow jumps: said, not half done. */
	expect_error(fx, "rules = {\n fallback_from_policy = true;\n"
		     " policy = ( { jump = \"a\"; } );\n groups = { a = (); };\n"
		     "};\n", 1, "rules.fallback_from_policy",
		     "jumps to groups");
}

/* dport = "ssh" as in iptables and nft; "137:139" gets a hint. */
static void
test_config_rules_service_names(void **state)
{
	struct fx *fx = *state;
	const struct sw_acl_rule *r;

	assert_int_equal(load(fx,
		"rules = { policy = (\n"
		"  { proto = \"tcp\"; dport = \"ssh, http, 8000-8080\"; action = \"accept\"; },\n"
		"  { proto = \"udp\"; dport = \"domain\"; sport = \"!ntp\"; action = \"accept\"; },\n"
		"  { proto = \"udp\"; dport = \"netbios-ns-netbios-dgm\"; action = \"drop\"; },\n"
		"  { proto = \"tcp\"; dport = \"ssh-http\"; action = \"drop\"; }\n"
		"); };\n"), 0);
	r = policy(fx, 0);
	assert_int_equal(r->nb_dport, 3);
	assert_int_equal(r->dport[0].lo, 22);
	assert_int_equal(r->dport[1].lo, 80);
	assert_int_equal(r->dport[2].hi, 8080);
	r = policy(fx, 1);
	assert_int_equal(r->dport[0].lo, 53);
	assert_int_equal(r->sport[0].lo, 123);
	assert_int_equal(r->sport_neg, 1);
	r = policy(fx, 2);
	assert_int_equal(r->dport[0].lo, 137);
	assert_int_equal(r->dport[0].hi, 138);
	r = policy(fx, 3);
	assert_int_equal(r->dport[0].lo, 22);
	assert_int_equal(r->dport[0].hi, 80);
	expect_error(fx, "rules = { policy = ( { proto = \"tcp\";"
		     " dport = \"sshh\"; action = \"accept\"; } ); };\n", 1,
		     "rules.policy[0].dport", "no tcp service named 'sshh'");
	expect_error(fx, "rules = { policy = ( { proto = \"udp\";"
		     " dport = \"137:139\"; action = \"accept\"; } ); };\n", 1,
		     "rules.policy[0].dport", "a range is written with '-': "
		     "\"137-139\"");
}

/*
 * The fallback derived from a policy accept of any protocol: replies
 * only in the families the rule can match (an IPv4 rule has no ICMPv6
 * reply, which read "proto=icmpv6 dst=198.51.100.128/25", an IPv6 rule
 * with an IPv4 address).
 */
static void
test_config_rules_derived_reply_families(void **state)
{
	struct fx *fx = *state;
	const struct sw_acl_rule *f;
	unsigned int i, n;
	bool icmp4 = false, icmp6 = false;

	assert_int_equal(load(fx,
		"rules = { fallback_from_policy = true;\n"
		"  policy = ( { src = \"198.51.100.128/25\"; action = \"accept\"; },\n"
		"             { src = \"2001:db8::/32\"; action = \"accept\"; },\n"
		"             { proto = \"tcp\"; conn_limit = 4; action = \"accept\"; },\n"
		"             { limit = \"5/second\"; proto = \"icmp\"; action = \"accept\"; } );\n"
		"};\n"), 0);
	f = fx->cfg.rules.rules[SW_ACL_FALLBACK];
	n = fx->cfg.rules.nb[SW_ACL_FALLBACK];
	for (i = 0; i < n; i++) {
		if (f[i].origin != SW_ACL_DERIVED_REPLY)
			continue;
		if (f[i].from == 0) {
			assert_int_not_equal(f[i].proto, 58);
			icmp4 |= f[i].proto == 1;
		}
		if (f[i].from == 1) {
			assert_int_not_equal(f[i].proto, 1);
			icmp6 |= f[i].proto == 58;
		}
		/* A reply is not held to the accept's rate. */
		assert_int_equal(f[i].limit.packets, 0);
		/* A conn_limit accept is not derived at all. */
		assert_int_not_equal(f[i].from, 2);
	}
	assert_true(icmp4 && icmp6);
	/* v4: accept + tcp, udp, icmp; v6: accept + tcp, udp, icmpv6;
	 * the icmp accept keeps its limit, and its reply. */
	assert_int_equal(n, 4 + 4 + 2);
	assert_int_equal(f[8].origin, SW_ACL_DERIVED);
	assert_int_equal(f[8].limit.packets, 5);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_config_rules_limit_meter_conn, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_config_rules_reject_with, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_config_rules_groups, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_config_rules_service_names, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_config_rules_derived_reply_families, setup,
			teardown),
	};

	return cmocka_run_group_tests_name("config-rules", tests, NULL, NULL);
}
