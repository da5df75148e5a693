/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * Config loader: valid files give the values (and defaults) they say;
 * every kind of error names the file, the line and the setting.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "config.h"
#include "prefixfile.h"

#include "config_test.h"

static void
test_config_empty_file_gives_defaults(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(load(fx, "# nothing\n"), 0);
	assert_int_equal(fx->cfg.nb_ports, 2);
	assert_string_equal(fx->cfg.ports[0].name, "outside");
	assert_string_equal(fx->cfg.ports[0].dev,
			    "net_af_packet0,iface=sw-out");
	assert_string_equal(fx->cfg.ports[1].name, "inside");
	assert_int_equal(fx->cfg.ports[0].peer, 1);
	assert_int_equal(fx->cfg.ports[1].peer, 0);
	assert_int_equal(fx->cfg.nb_workers, 1);
	assert_int_equal(fx->cfg.lcores[0], 1);
	assert_int_equal(fx->cfg.burst, 32);
	assert_true(fx->cfg.l2_passthrough);
	assert_true(fx->cfg.eal_argc > 0);
	assert_string_equal(fx->cfg.eal_argv[0], "-l");
}

static void
test_config_full_file(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(load(fx,
		"eal = [\"-l\", \"0-2\", \"--no-huge\"];\n"
		"ports = ( { name = \"a\"; dev = \"net_null0\"; },\n"
		"          { name = \"b\"; dev = \"0000:01:00.0\"; },\n"
		"          { name = \"c\"; dev = \"net_null1\"; },\n"
		"          { name = \"d\"; dev = \"net_ring0\"; } );\n"
		"pairs = ( (\"a\", \"c\"), [\"d\", \"b\"] );\n"
		"workers = { lcores = [1, 2]; burst = 16; };\n"
		"l2_passthrough = false;\n"), 0);
	assert_int_equal(fx->cfg.eal_argc, 3);
	assert_string_equal(fx->cfg.eal_argv[2], "--no-huge");
	assert_int_equal(fx->cfg.nb_ports, 4);
	assert_int_equal(fx->cfg.ports[0].peer, 2);
	assert_int_equal(fx->cfg.ports[2].peer, 0);
	assert_int_equal(fx->cfg.ports[1].peer, 3);
	assert_int_equal(fx->cfg.ports[3].peer, 1);
	assert_int_equal(fx->cfg.nb_workers, 2);
	assert_int_equal(fx->cfg.lcores[1], 2);
	assert_int_equal(fx->cfg.burst, 16);
	assert_false(fx->cfg.l2_passthrough);
}

static void
test_config_rules(void **state)
{
	struct fx *fx = *state;
	const struct sw_acl_rule *r;

	assert_int_equal(load(fx,
		"rules = {\n"
		"  notrack = ( { proto = \"udp\"; dport = 53; action = \"accept\"; } );\n"
		"  policy = (\n"
		"    { in = \"outside\"; proto = \"tcp\"; dst = \"192.0.2.80/32\";\n"
		"      dport = \"80,443,8000-8080\"; tcp_flags = \"syn,!ack\";\n"
		"      action = \"accept\"; comment = \"web\"; },\n"
		"    { proto = \"icmpv6\"; icmp_type = 128; icmp_code = 0;\n"
		"      src = \"2001:db8::/32\"; action = \"reject\"; } );\n"
		"  policy_default = \"reject\";\n"
		"  fallback_default = \"accept\";\n"
		"  allow_ndp = false; allow_mld = false; reject_rate = 5;\n"
		"  reject_rate_per_dest = 0;\n"
		"};\n"), 0);
	assert_int_equal(fx->cfg.rules.nb[SW_ACL_NOTRACK], 1);
	assert_int_equal(fx->cfg.rules.nb[SW_ACL_POLICY], 2);
	assert_int_equal(fx->cfg.rules.nb[SW_ACL_FALLBACK], 0);
	r = &fx->cfg.rules.rules[SW_ACL_NOTRACK][0];
	assert_int_equal(r->proto, 17);
	assert_int_equal(r->nb_dport, 1);
	assert_int_equal(r->dport[0].lo, 53);
	r = &fx->cfg.rules.rules[SW_ACL_POLICY][0];
	assert_int_equal(r->in_port, 0);
	assert_int_equal(r->proto, 6);
	assert_int_equal(r->dst.family, 4);
	assert_int_equal(r->dst.plen, 32);
	assert_int_equal(r->src.family, 0);
	assert_int_equal(r->nb_dport, 3);
	assert_int_equal(r->dport[2].hi, 8080);
	assert_int_equal(r->flags_value, 0x02);
	assert_int_equal(r->flags_mask, 0x12);
	assert_int_equal(r->action, SW_ACL_ACCEPT);
	assert_string_equal(r->comment, "web");
	assert_int_equal(r->line, 4);
	assert_int_equal(r->icmp_type, -1);
	r = &fx->cfg.rules.rules[SW_ACL_POLICY][1];
	assert_int_equal(r->proto, 58);
	assert_int_equal(r->icmp_type, 128);
	assert_int_equal(r->icmp_code, 0);
	assert_int_equal(r->in_port, -1);
	assert_int_equal(r->action, SW_ACL_REJECT);
	assert_int_equal(fx->cfg.rules.default_action[SW_ACL_POLICY],
			 SW_ACL_REJECT);
	assert_int_equal(fx->cfg.rules.default_action[SW_ACL_FALLBACK],
			 SW_ACL_ACCEPT);
	assert_int_equal(fx->cfg.rules.default_action[SW_ACL_NOTRACK],
			 SW_ACL_NONE);
	assert_false(fx->cfg.rules.allow_ndp);
	assert_false(fx->cfg.rules.allow_mld);
	assert_int_equal(fx->cfg.rules.reject_rate, 5);
	assert_int_equal(fx->cfg.rules.reject_rate_per_dest, 0);
}

/* Sets, lists, negation, return: what the rules name resolves. */
static void
test_config_sets_lists_negation(void **state)
{
	struct fx *fx = *state;
	const struct sw_acl_rule *r;
	const struct sw_set_conf *sc;
	char feed[80];
	FILE *f;

	snprintf(feed, sizeof(feed), "%s.feed", fx->path);
	f = fopen(feed, "w");
	assert_non_null(f);
	fputs("# a feed\n198.51.100.0/24\n\n  203.0.113.7  # one host\n", f);
	fclose(f);
	{
		char text[1024];

		snprintf(text, sizeof(text),
			 "sets = {\n"
			 "  admin = { family = \"any\";\n"
			 "    elements = [\"192.0.2.0/24\", "
			 "\"2001:db8:1::/48\"]; };\n"
			 "  feed = { file = \"%s\"; max = 1000; };\n"
			 "};\n"
			 "rules = { notrack = (\n"
			 "  { src = \"@admin\"; action = \"return\"; },\n"
			 "  { src = [\"@feed\", \"10.0.0.0/8\"]; "
			 "action = \"drop\"; },\n"
			 "  { dst = \"!{@admin, 198.51.100.0/24}\"; "
			 "proto = \"tcp\"; dport = \"!22\";"
			 " action = \"drop\"; } ); };\n",
			 strrchr(feed, '/') + 1);
		assert_int_equal(load(fx, text), 0);
	}
	assert_int_equal(fx->cfg.nb_sets, 2);
	sc = &fx->cfg.sets[1];
	assert_string_equal(sc->name, "feed");
	assert_int_equal(sc->family, 4);
	assert_int_equal(sc->max, 1000);
	assert_int_equal(sc->nb_prefixes, 2);
	assert_int_equal(sc->prefixes[1].plen, 32);
	/* The file is read next to the config, not from the cwd. */
	assert_string_equal(sc->path, feed);
	assert_int_equal(fx->cfg.sets[0].nb_prefixes, 2);
	assert_int_equal(fx->cfg.sets[0].family, 0);
	r = &fx->cfg.rules.rules[SW_ACL_NOTRACK][0];
	assert_int_equal(r->action, SW_ACL_RETURN);
	assert_int_equal(r->srcx.sets, 1);
	r = &fx->cfg.rules.rules[SW_ACL_NOTRACK][1];
	assert_int_equal(r->srcx.sets, 2);
	assert_int_equal(r->srcx.nb, 1);
	assert_int_equal(fx->cfg.rules.pool.v[r->srcx.list].plen, 8);
	r = &fx->cfg.rules.rules[SW_ACL_NOTRACK][2];
	assert_int_equal(r->dstx.neg, 1);
	assert_int_equal(r->dstx.sets, 1);
	assert_int_equal(r->dport_neg, 1);
	/* A changed file changes the digest a reload compares. */
	{
		uint64_t d = sc->digest;
		char text[1024];

		f = fopen(feed, "a");
		fputs("198.51.100.99\n", f);
		fclose(f);
		snprintf(text, sizeof(text), "sets = { feed = { file = \"%s\"; "
			 "max = 1000; }; };\n", feed);
		assert_int_equal(load(fx, text), 0);
		assert_true(fx->cfg.sets[0].digest != d);
	}
	/* Bad lines name the file and the line. */
	f = fopen(feed, "a");
	fputs("198.51.100.300\n", f);
	fclose(f);
	{
		char text[1024];

		snprintf(text, sizeof(text), "sets = { feed = { file = \"%s\"; "
			 "}; };\n", feed);
		assert_int_equal(load(fx, text), -EINVAL);
		if (strstr(fx->err, ".feed:6: '198.51.100.300'") == NULL)
			fail_msg("error: %s", fx->err);
	}
	unlink(feed);
}

/*
 * fallback_from_policy: the policy in order, each accept with its
 * reply, after the hand-written fallback rules.
 */
static void
test_config_fallback_from_policy(void **state)
{
	struct fx *fx = *state;
	const struct sw_acl_rule *r;

	assert_int_equal(load(fx,
		"rules = {\n"
		"  fallback_from_policy = true;\n"
		"  fallback = ( { proto = \"udp\"; dport = 53;\n"
		"                 action = \"accept\"; } );\n"
		"  policy = (\n"
		"    { src = \"198.51.100.0/24\"; action = \"drop\"; },\n"
		"    { in = \"outside\"; proto = \"tcp\";\n"
		"      dst = \"192.0.2.80\";\n"
		"      dport = \"80,443\"; tcp_flags = \"syn,!ack\";\n"
		"      action = \"accept\"; comment = \"web\"; },\n"
		"    { proto = \"icmp\"; icmp_type = 8;\n"
		"      action = \"accept\"; },\n"
		"    { in = \"inside\"; action = \"accept\"; } );\n"
		"};\n"), 0);
	assert_int_equal(fx->cfg.rules.nb_written_fallback, 1);
	/* 1 written + drop copy + (web + reply) + (ping + reply) +
	 * (inside + tcp, udp, icmp, icmpv6 replies). */
	assert_int_equal(fx->cfg.rules.nb[SW_ACL_FALLBACK], 1 + 1 + 2 + 2 + 5);
	r = fx->cfg.rules.rules[SW_ACL_FALLBACK];
	assert_int_equal(r[1].origin, SW_ACL_DERIVED_COPY);
	assert_int_equal(r[1].action, SW_ACL_DROP);
	assert_int_equal(r[2].origin, SW_ACL_DERIVED);
	assert_int_equal(r[2].flags_mask, 0);	/* every packet of it */
	assert_int_equal(r[2].from, 1);
	assert_string_equal(r[2].comment, "web");
	assert_int_equal(r[3].origin, SW_ACL_DERIVED_REPLY);
	assert_int_equal(r[3].in_port, 1);	/* from the inside */
	assert_int_equal(r[3].src.plen, 32);	/* the server */
	assert_int_equal(r[3].nb_sport, 2);
	assert_int_equal(r[3].sport[1].lo, 443);
	assert_int_equal(r[3].nb_dport, 0);
	assert_int_equal(r[3].flags_mask, 0x10);	/* ACK set */
	assert_int_equal(r[3].flags_value, 0x10);
	assert_int_equal(r[5].icmp_type, 0);	/* echo reply */
	assert_int_equal(r[6].in_port, 1);
	assert_int_equal(r[7].in_port, 0);	/* replies: from outside */
	assert_int_equal(r[7].proto, 6);
	assert_int_equal(r[10].proto, 58);
	assert_int_equal(r[10].icmp_type, 129);
}

/* @include is read next to the config; a rule names its own file. */
static void
test_config_include_names_its_file(void **state)
{
	struct fx *fx = *state;
	char inc[80], text[256];
	const struct sw_acl_rule *r;
	FILE *f;

	snprintf(inc, sizeof(inc), "%s.inc", fx->path);
	f = fopen(inc, "w");
	assert_non_null(f);
	fputs("# included\n\n{ proto = \"udp\"; action = \"drop\"; }\n", f);
	fclose(f);
	snprintf(text, sizeof(text), "rules = { policy = (\n"
		 "  { proto = \"tcp\"; action = \"drop\"; },\n"
		 "  @include \"%s\"\n); };\n"
		 "stats = { rules_in_file = true; };\n",
		 strrchr(inc, '/') + 1);
	assert_int_equal(load(fx, text), 0);
	assert_true(fx->cfg.stats.rules_in_file);
	assert_int_equal(fx->cfg.rules.nb[SW_ACL_POLICY], 2);
	r = &fx->cfg.rules.rules[SW_ACL_POLICY][1];
	assert_int_equal(r->line, 3);
	assert_string_equal(fx->cfg.rules.files[r->file], inc);
	r = &fx->cfg.rules.rules[SW_ACL_POLICY][0];
	assert_string_equal(fx->cfg.rules.files[r->file], fx->path);
	unlink(inc);
}

static void
test_config_flowtable(void **state)
{
	struct fx *fx = *state;
	const struct sw_flowtable_conf *f = &fx->cfg.flowtable;

	assert_int_equal(load(fx, "\n"), 0);
	assert_true(f->enabled);
	assert_int_equal(f->ft.max_flows, 1u << 20);
	assert_true(f->ft.tcp_loose);
	assert_true(f->ft.early_drop);
	assert_int_equal(f->ft.high_water, 95);
	assert_int_equal(f->ft.adaptive_start, 60);
	assert_int_equal(f->ft.adaptive_end, 120);
	assert_int_equal(f->ft.timeouts[SW_FT_TO_tcp_established], 432000);
	assert_int_equal(f->ft.timeouts[SW_FT_TO_udp], 30);
	/*
	 * Accepted with Linux's default, for Linux compatibility; the README
	 * says it has no effect until sequence windows are tracked.
	 */
	assert_int_equal(f->ft.timeouts[SW_FT_TO_tcp_unacknowledged], 300);

	assert_int_equal(load(fx,
		"flowtable = { enabled = false; max_flows = 1024;\n"
		"  tcp_loose = false; early_drop = false; high_water = 90;\n"
		"  adaptive = { start = 0; end = 1; };\n"
		"  timeouts = { tcp_established = 3600; udp = 10;\n"
		"               tcp_unacknowledged = 45; }; };\n"), 0);
	assert_false(f->enabled);
	assert_int_equal(f->ft.max_flows, 1024);
	assert_false(f->ft.tcp_loose);
	assert_false(f->ft.early_drop);
	assert_int_equal(f->ft.high_water, 90);
	assert_int_equal(f->ft.adaptive_start, 0);
	assert_int_equal(f->ft.timeouts[SW_FT_TO_tcp_established], 3600);
	assert_int_equal(f->ft.timeouts[SW_FT_TO_udp], 10);
	assert_int_equal(f->ft.timeouts[SW_FT_TO_icmp], 30);
	assert_int_equal(f->ft.timeouts[SW_FT_TO_tcp_unacknowledged], 45);
}

static void
test_config_control_and_stats(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(load(fx, "\n"), 0);
	/* The default endpoint is the unix socket; no TCP listener. */
	assert_string_equal(fx->cfg.control.socket,
			    "/run/spillway/control.sock");
	assert_string_equal(fx->cfg.control.socket_group, "");
	assert_string_equal(fx->cfg.control.listen, "");
	assert_false(fx->cfg.control.tcp_admin);
	assert_int_equal(fx->cfg.control.idle_timeout, 300);
	assert_int_equal(fx->cfg.control.max_clients, 16);
	assert_string_equal(fx->cfg.stats.file, "");
	assert_int_equal(fx->cfg.stats.interval_ms, 1000);
	assert_false(fx->cfg.flowtable.revalidate_on_reload);

	assert_int_equal(load(fx,
		"control = { listen = \"[2001:db8::1]:9100\"; password = \"s3cret\";\n"
		"  idle_timeout = 60; max_clients = 4; tcp_admin = true;\n"
		"  socket = \"/run/sw/ctl.sock\"; socket_group = \"root\"; };\n"
		"stats = { file = \"/run/sw.json\"; interval_ms = 250; };\n"
		"flowtable = { revalidate_on_reload = true; };\n"), 0);
	assert_int_equal(fx->cfg.control.port, 9100);
	assert_int_equal(fx->cfg.control.addr[0], 0x20);
	assert_string_equal(fx->cfg.control.password, "s3cret");
	assert_true(fx->cfg.control.tcp_admin);
	assert_string_equal(fx->cfg.control.socket, "/run/sw/ctl.sock");
	assert_string_equal(fx->cfg.control.socket_group, "root");
	assert_int_equal(fx->cfg.control.socket_gid, 0);
	assert_int_equal(fx->cfg.control.idle_timeout, 60);
	assert_int_equal(fx->cfg.control.max_clients, 4);
	assert_string_equal(fx->cfg.stats.file, "/run/sw.json");
	assert_int_equal(fx->cfg.stats.interval_ms, 250);
	assert_true(fx->cfg.flowtable.revalidate_on_reload);

	assert_int_equal(load(fx,
			      "control = { listen = \"\"; socket = \"\"; };\n"), 0);
	assert_string_equal(fx->cfg.control.listen, "");
	assert_string_equal(fx->cfg.control.socket, "");
}

static void
test_config_rules_defaults(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(load(fx, "\n"), 0);
	assert_int_equal(fx->cfg.rules.nb[SW_ACL_POLICY], 0);
	assert_int_equal(fx->cfg.rules.default_action[SW_ACL_POLICY],
			 SW_ACL_DROP);
	assert_int_equal(fx->cfg.rules.default_action[SW_ACL_FALLBACK],
			 SW_ACL_DROP);
	assert_true(fx->cfg.rules.allow_ndp);
	assert_true(fx->cfg.rules.allow_mld);
	assert_int_equal(fx->cfg.rules.reject_rate, 1000);
	assert_int_equal(fx->cfg.rules.reject_rate_per_dest, 10);
	assert_false(fx->cfg.rules.allow_source_route);
	assert_int_equal(fx->cfg.fragments.timeout, 30);
	assert_int_equal(fx->cfg.fragments.per_source, 64);
	/* The drop log is on, rate-limited; the metrics endpoint off. */
	assert_int_equal(fx->cfg.log.rate, 20);
	assert_true(fx->cfg.log.invalid && fx->cfg.log.spill);
	assert_true(fx->cfg.rules.default_log[SW_ACL_POLICY]);
	assert_true(fx->cfg.rules.default_log[SW_ACL_FALLBACK]);
	assert_string_equal(fx->cfg.stats.prom_listen, "");
	assert_int_equal(fx->cfg.stats.nb_prom_allow, 2);
}

/* l2_passthrough: true is ARP and LLDP; a list names what passes. */
static void
test_config_l2_passthrough_list(void **state)
{
	struct fx *fx = *state;
	char d[128];

	assert_int_equal(load(fx, "\n"), 0);
	sw_l2_describe(&fx->cfg.l2, d, sizeof(d));
	assert_string_equal(d, "arp, lldp");
	assert_int_equal(load(fx, "l2_passthrough = true;\n"), 0);
	sw_l2_describe(&fx->cfg.l2, d, sizeof(d));
	assert_string_equal(d, "arp, lldp");
	assert_int_equal(load(fx, "l2_passthrough = false;\n"), 0);
	sw_l2_describe(&fx->cfg.l2, d, sizeof(d));
	assert_string_equal(d, "none");
	assert_false(fx->cfg.l2_passthrough);
	assert_int_equal(load(fx, "l2_passthrough = [ \"arp\", \"stp\", "
			      "\"mpls\", \"0x88b5\", \"0x88CC\", \"34958\" ];\n"
			      "rules = { allow_source_route = true; };\n"
			      "fragments = { timeout = 5;\n"
			      "  per_source = 8; };\n"),
			 0);
	sw_l2_describe(&fx->cfg.l2, d, sizeof(d));
	assert_string_equal(d, "arp, lldp, eapol, stp, mpls, 0x88b5");
	assert_true(fx->cfg.l2_passthrough);
	assert_true(fx->cfg.rules.allow_source_route);
	assert_int_equal(fx->cfg.fragments.timeout, 5);
	assert_int_equal(fx->cfg.fragments.per_source, 8);
	assert_int_equal(load(fx, "l2_passthrough = [ ];\n"), 0);
	assert_false(fx->cfg.l2_passthrough);
}

static void
test_config_ports_pair_in_order_without_pairs(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(load(fx,
		"ports = ( { name = \"a\"; dev = \"net_null0\"; },\n"
		"          { name = \"b\"; dev = \"net_null1\"; },\n"
		"          { name = \"c\"; dev = \"net_null2\"; },\n"
		"          { name = \"d\"; dev = \"net_null3\"; } );\n"), 0);
	assert_int_equal(fx->cfg.ports[0].peer, 1);
	assert_int_equal(fx->cfg.ports[3].peer, 2);
}

static void
test_config_shipped_file_is_valid(void **state)
{
	struct fx *fx = *state;

	sw_config_free(&fx->cfg);
	assert_int_equal(sw_config_load(SW_SOURCE_ROOT
					"/config/spillway.conf", &fx->cfg,
					fx->err, sizeof(fx->err)), 0);
}

static void
test_config_missing_file(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(sw_config_load("/nonexistent/sw.conf", &fx->cfg,
					fx->err, sizeof(fx->err)), -ENOENT);
	assert_non_null(strstr(fx->err, "/nonexistent/sw.conf"));
}

static void
test_config_syntax_error_names_line(void **state)
{
	struct fx *fx = *state;
	char want[128];

	assert_int_equal(load(fx, "workers = {\n  burst = ;\n};\n"),
			 -EINVAL);
	snprintf(want, sizeof(want), "%s:2: syntax error", fx->path);
	assert_non_null(strstr(fx->err, want));
}

/* One row per error: the file, and where and what the error says. */
static const struct {
	const char *text;
	int line;
	const char *setting;
	const char *what;
} bad_files[] = {
	{ "\n\nfoo = 1;\n", 3, "foo", "unknown setting" },
	{ "workers = {\n  lcores = [1];\n  bogus = 2;\n};\n", 3,
	  "workers.bogus", "unknown setting" },
	{ "workers = { burst = 0; };\n", 1, "workers.burst", "out of range" },
	{ "workers = { burst = 65; };\n", 1, "workers.burst",
	  "out of range" },
	{ "workers = {\n burst = \"32\";\n};\n", 2, "workers.burst",
	  "expected an integer" },
	{ "workers = { lcores = [1, 1]; };\n", 1, "workers.lcores[1]",
	  "twice" },
	{ "workers = { lcores = []; };\n", 1, "workers.lcores", "1.." },
	{ "l2_passthrough = [ \"arp\",\n \"0x8847\" ];\n", 2,
	  "l2_passthrough[1]", "allow it by name (mpls)" },
	{ "l2_passthrough = [ \"0x8864\" ];\n", 1, "l2_passthrough[0]",
	  "carries IP that no rule would see" },
	{ "l2_passthrough = [ \"0x0800\" ];\n", 1, "l2_passthrough[0]",
	  "is IP or a VLAN tag" },
	{ "l2_passthrough = [ \"0x0100\" ];\n", 1, "l2_passthrough[0]",
	  "a length, not an ethertype" },
	{ "l2_passthrough = [ \"appletalk\" ];\n", 1, "l2_passthrough[0]",
	  "neither an ethertype" },
	{ "l2_passthrough = [ 2054 ];\n", 1, "l2_passthrough[0]",
	  "expected a string" },
	{ "l2_passthrough = [ \"0x1001\", \"0x1002\", \"0x1003\", \"0x1004\", "
	  "\"0x1005\", \"0x1006\", \"0x1007\", \"0x1008\", \"0x1009\" ];\n", 1,
	  "l2_passthrough[8]", "more than 8 ethertypes" },
	{ "rules = { allow_source_route = \"no\"; };\n", 1,
	  "rules.allow_source_route", "expected a boolean" },
	{ "fragments = { timeout = 0; };\n", 1, "fragments.timeout",
	  "out of range" },
	{ "fragments = { per_source = 0; };\n", 1, "fragments.per_source",
	  "out of range" },
	{ "fragments = { slots = 1; };\n", 1, "fragments.slots",
	  "unknown setting" },
	{ "l2_passthrough = 1;\n", 1, "l2_passthrough",
	  "expected a boolean" },
	{ "eal = 5;\n", 1, "eal", "expected a list" },
	{ "eal = (\"-l\", 1);\n", 1, "eal[1]", "expected a string" },
	{ "ports = ( { name = \"a\"; dev = \"net_null0\"; } );\n", 1,
	  "ports", "need 2" },
	{ "ports = ( { name = \"a\"; dev = \"net_null0\"; },\n"
	  "  { name = \"a\"; dev = \"net_null1\"; } );\n", 2, "ports[1].name",
	  "duplicate" },
	{ "ports = ( { name = \"a b\"; dev = \"net_null0\"; },\n"
	  "  { name = \"c\"; dev = \"net_null1\"; } );\n", 1, "ports[0].name",
	  "not a port name" },
	{ "ports = ( { name = \"a\"; dev = \"net_null0\"; },\n"
	  "  { name = \"b\"; } );\n", 2, "ports[1]", "missing 'dev'" },
	{ "ports = ( { name = \"a\"; dev = \"net_null0\"; },\n"
	  "  { name = \"b\"; dev = \"net_null0\"; } );\n", 2, "ports[1].dev",
	  "also used" },
	{ "ports = ( { name = \"a\"; dev = \"net_null0\"; },\n"
	  "  { name = \"b\"; dev = \"net_null1\"; speed = 10; } );\n", 2,
	  "ports[1].speed", "unknown setting" },
	{ "ports = ( { name = \"a\"; dev = \"net_null0\"; },\n"
	  "  { name = \"b\"; dev = \"net_null1\"; } );\n"
	  "pairs = ( (\"a\", \"x\") );\n", 3, "pairs[0]", "no port named 'x'" },
	{ "ports = ( { name = \"a\"; dev = \"net_null0\"; },\n"
	  "  { name = \"b\"; dev = \"net_null1\"; },\n"
	  "  { name = \"c\"; dev = \"net_null2\"; } );\n", 1, "ports",
	  "odd number" },
	{ "ports = ( { name = \"a\"; dev = \"net_null0\"; },\n"
	  "  { name = \"b\"; dev = \"net_null1\"; },\n"
	  "  { name = \"c\"; dev = \"net_null2\"; },\n"
	  "  { name = \"d\"; dev = \"net_null3\"; } );\n"
	  "pairs = ( (\"a\", \"b\") );\n", 5, "pairs", "'c' is in no pair" },
	{ "ports = ( { name = \"a\"; dev = \"net_null0\"; },\n"
	  "  { name = \"b\"; dev = \"net_null1\"; } );\n"
	  "pairs = ( (\"a\", \"a\") );\n", 3, "pairs[0]", "already paired" },
	{ "pairs = ( (\"outside\") );\n", 1, "pairs[0]", "exactly 2" },
	{ "pairs = ( { ports = (\"outside\", \"inside\");\n"
	  " link_propagate = 1; } );\n", 2, "pairs[0].link_propagate",
	  "expected a boolean" },
	{ "pairs = ( { link_propagate = true; } );\n", 1, "pairs[0]",
	  "missing 'ports'" },
	{ "pairs = ( { ports = (\"outside\", \"inside\"); mode = 1; } );\n",
	  1, "pairs[0].mode", "unknown setting" },
	{ "pairs = ( { ports = (\"outside\", \"x\"); } );\n", 1,
	  "pairs[0].ports", "no port named 'x'" },
	{ "ports = ( { name = \"a\"; dev = \"net_null0\";\n mtu = 20000; },\n"
	  "  { name = \"b\"; dev = \"net_null1\"; } );\n", 2, "ports[0].mtu",
	  "out of range 68..16000" },
	{ "ports = ( { name = \"a\"; dev = \"net_null0\"; rx_desc = 8; },\n"
	  "  { name = \"b\"; dev = \"net_null1\"; } );\n", 1,
	  "ports[0].rx_desc", "out of range" },
	{ "ports = ( { name = \"a\"; dev = \"net_null0\"; },\n"
	  "  { name = \"b\"; dev = \"net_null1\"; tx_desc = \"1k\"; } );\n", 2,
	  "ports[1].tx_desc", "expected an integer" },
	{ "ports = ( { name = \"a\"; dev = \"net_null0\"; queues = 2; },\n"
	  "  { name = \"b\"; dev = \"net_null1\"; queues = 2; } );\n", 1,
	  "ports[0].queues", "2 queues for 1 workers" },
	{ "workers = { lcores = [1, 2]; };\n"
	  "ports = ( { name = \"a\"; dev = \"net_null0\"; queues = 1; },\n"
	  "  { name = \"b\"; dev = \"net_null1\"; } );\n", 2,
	  "ports[0].queues", "its pair 'b' 2" },
	{ "rules = {\n policy = (\n { proto = \"tcp\"; } );\n};\n", 3,
	  "rules.policy[0]", "missing 'action'" },
	{ "rules = { policy = ( { action = \"allow\"; } ); };\n", 1,
	  "rules.policy[0].action", "not accept, drop, reject or return" },
	{ "rules = { fallback = ( { action = \"drop\"; },\n"
	  "  { action = \"drop\"; colour = \"red\"; } ); };\n", 2,
	  "rules.fallback[1].colour", "unknown setting" },
	{ "rules = { notrack = ( { in = \"dmz\"; action = \"drop\"; } ); };\n",
	  1, "rules.notrack[0].in", "no port named 'dmz'" },
	{ "rules = { policy = ( { src = \"192.0.2.0/33\"; action = \"drop\"; "
	  "} ); };\n", 1, "rules.policy[0].src", "prefix length" },
	{ "rules = { policy = ( { src = \"192.0.2.0/24\";\n"
	  " dst = \"2001:db8::/32\"; action = \"drop\"; } ); };\n", 2,
	  "rules.policy[0].dst", "an IPv6 match, but src is IPv4" },
	{ "rules = {\n policy_default = \"return\";\n};\n", 2,
	  "rules.policy_default", "not accept, drop or reject" },
	{ "rules = { policy = ( { src = \"@feed\"; action = \"drop\"; } ); "
	  "};\n", 1, "rules.policy[0].src", "no set named 'feed'" },
	{ "rules = { policy = ( { src = \"192.0.2.0/24, !198.51.100.0/24\";\n"
	  " action = \"drop\"; } ); };\n", 1, "rules.policy[0].src",
	  "negates the whole list" },
	{ "rules = { policy = ( { src = [];\n action = \"drop\"; } ); };\n",
	  1, "rules.policy[0].src", "an empty list matches nothing" },
	{ "rules = { policy = ( { proto = \"tcp\"; dport = \"22,!80\";\n"
	  " action = \"drop\"; } ); };\n", 1, "rules.policy[0].dport",
	  "negates the whole port list" },
	{ "sets = { feed = { family = \"ipv4\";\n elements = "
	  "[\"2001:db8::/32\"]; }; };\n", 2, "sets.feed.elements[0]",
	  "not an IPv4 prefix" },
	{ "sets = { feed = { family = \"ipv5\"; }; };\n", 1,
	  "sets.feed.family", "not ipv4, ipv6 or any" },
	{ "sets = { feed = {\n file = \"/nonexistent/feed.txt\"; }; };\n", 2,
	  "sets.feed.file", "No such file" },
	{ "sets = { feed = { max = 0; }; };\n", 1, "sets.feed.max",
	  "out of range" },
	{ "sets = { v6 = { family = \"ipv6\"; }; };\n"
	  "rules = { policy = ( { proto = \"icmp\"; src = \"@v6\";\n"
	  " action = \"drop\"; } ); };\n", 2, "rules.policy[0].src",
	  "in an icmp rule" },
	{ "rules = { policy = ( { proto = \"icmp\";\n"
	  " dst = \"2001:db8::1\"; action = \"drop\"; } ); };\n", 2,
	  "rules.policy[0].dst", "IPv6 address in an icmp rule" },
	{ "rules = { policy = ( { proto = \"icmpv6\"; src = \"192.0.2.1\"; "
	  "action = \"drop\"; } ); };\n", 1, "rules.policy[0].src",
	  "IPv4 address in an icmpv6 rule" },
	{ "rules = { policy = ( { proto = \"tcp\";\n dport = \"90-80\"; "
	  "action = \"drop\"; } ); };\n", 2, "rules.policy[0].dport",
	  "upside down" },
	{ "rules = { policy = ( { proto = \"icmp\"; dport = 80; "
	  "action = \"drop\"; } ); };\n", 1, "rules.policy[0].dport",
	  "ports need proto" },
	{ "rules = { policy = ( { proto = \"tcp\"; tcp_flags = \"syn,bogus\"; "
	  "action = \"drop\"; } ); };\n", 1, "rules.policy[0].tcp_flags",
	  "unknown TCP flag 'bogus'" },
	{ "rules = { policy = ( { proto = \"udp\"; tcp_flags = \"syn\"; "
	  "action = \"drop\"; } ); };\n", 1, "rules.policy[0].tcp_flags",
	  "needs proto \"tcp\"" },
	{ "rules = { policy = ( { proto = \"tcp\"; icmp_type = 8; "
	  "action = \"drop\"; } ); };\n", 1, "rules.policy[0].icmp_type",
	  "needs proto" },
	{ "rules = { policy = ( { proto = \"icmp\"; icmp_type = 256; "
	  "action = \"drop\"; } ); };\n", 1, "rules.policy[0].icmp_type",
	  "out of range" },
	{ "rules = { policy = ( { proto = \"tcpx\"; action = \"drop\"; } ); };\n",
	  1, "rules.policy[0].proto", "unknown protocol" },
	{ "rules = {\n policy_default = \"allow\";\n};\n", 2,
	  "rules.policy_default", "not accept, drop or reject" },
	{ "rules = { reject_rate_per_dest = -1; };\n", 1,
	  "rules.reject_rate_per_dest", "out of range" },
	{ "rules = { reject_rate = -1; };\n", 1, "rules.reject_rate",
	  "out of range" },
	{ "rules = { policy = ( { dport = [80]; proto = \"tcp\"; "
	  "action = \"drop\"; } ); };\n", 1, "rules.policy[0].dport",
	  "expected a port list" },
	{ "flowtable = {\n max_flows = 0;\n};\n", 2, "flowtable.max_flows",
	  "out of range" },
	{ "workers = { lcores = [1, 2]; };\nflowtable = { max_flows = 1; };\n",
	  2, "flowtable.max_flows", "below the number of workers" },
	{ "flowtable = { high_water = 40; };\n", 1, "flowtable.high_water",
	  "out of range" },
	{ "flowtable = { adaptive = {\n start = 80; end = 70; }; };\n", 1,
	  "flowtable.adaptive", "must be above start" },
	{ "flowtable = { adaptive = { middle = 1; }; };\n", 1,
	  "flowtable.adaptive.middle", "unknown setting" },
	{ "flowtable = { timeouts = {\n tcp_establshed = 10; }; };\n", 2,
	  "flowtable.timeouts.tcp_establshed", "unknown setting" },
	{ "flowtable = { timeouts = { udp = 0; }; };\n", 1,
	  "flowtable.timeouts.udp", "out of range" },
	{ "flowtable = { enabled = \"yes\"; };\n", 1, "flowtable.enabled",
	  "expected a boolean" },
	{ "control = {\n listen = \"0.0.0.0:9023\"; };\n", 2,
	  "control.listen", "set control.password" },
	{ "control = { listen = \"[2001:db8::1]:23\"; };\n", 1,
	  "control.listen", "set control.password" },
	/* Loopback is no excuse: every local process reaches it. */
	{ "control = { listen = \"127.0.0.1:9023\"; };\n", 1,
	  "control.listen", "on loopback too" },
	{ "control = { socket = \"run/ctl.sock\"; };\n", 1,
	  "control.socket", "not an absolute path" },
	{ "control = { socket = \"/run/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  ".sock\"; };\n", 1, "control.socket", "longer than 107" },
	{ "control = { socket_group = \"no-such-group-sw\"; };\n", 1,
	  "control.socket_group", "no group named" },
	{ "control = { tcp_admin = 1; };\n", 1, "control.tcp_admin",
	  "expected a boolean" },
	{ "control = { listen = \"127.0.0.1\"; };\n", 1, "control.listen",
	  "not ADDR:PORT" },
	{ "control = { listen = \"127.0.0.1:70000\"; };\n", 1,
	  "control.listen", "not ADDR:PORT" },
	{ "control = { port = 1; };\n", 1, "control.port", "unknown setting" },
	{ "stats = { interval_ms = 10; };\n", 1, "stats.interval_ms",
	  "out of range" },
	{ "stats = { prometheus_listen = \"localhost\"; };\n", 1,
	  "stats.prometheus_listen", "not ADDR:PORT" },
	{ "stats = { prometheus_allow = [\"192.0.2.0/33\"]; };\n", 1,
	  "stats.prometheus_allow[0]", "" },
	{ "stats = { prometheus_allow = \"192.0.2.0/24\"; };\n", 1,
	  "stats.prometheus_allow", "expected a list" },
	{ "rules = { policy = ( { action = \"drop\"; log_prefix = \"x\"; "
	  "} ); };\n", 1, "rules.policy[0].log_prefix", "needs log = true" },
	{ "rules = { policy = ( { action = \"drop\"; log = true; "
	  "log_prefix = \"a\\nfake line\"; } ); };\n", 1,
	  "rules.policy[0].log_prefix", "printable ASCII only" },
	{ "rules = { policy = ( { action = \"drop\"; log = true; "
	  "log_prefix = \"123456789012345678901234567890\"; } ); };\n", 1,
	  "rules.policy[0].log_prefix", "longer than 29" },
	{ "log = { rate = 1000000; };\n", 1, "log.rate", "out of range" },
	{ "log = { invalid = 1; };\n", 1, "log.invalid", "expected a boolean" },
	{ "log = { level = 1; };\n", 1, "log.level", "unknown setting" },
	{ "log = { format = \"xml\"; };\n", 1, "log.format",
	  "'xml' is not text or json" },
	{ "rules = { policy = ( { action = \"drop\"; log = true; "
	  "log_level = \"loud\"; } ); };\n", 1, "rules.policy[0].log_level",
	  "not a syslog level" },
	{ "rules = { policy = ( { action = \"drop\"; log_level = \"info\"; "
	  "} ); };\n", 1, "rules.policy[0].log_level", "needs log = true" },
	{ "sets = { s = { timeout = 3000000; }; };\n", 1, "sets.s.timeout",
	  "out of range" },
	/* Strings are UTF-8 without control characters (issue 24). */
	{ "rules = { policy = ( {\n action = \"drop\";\n"
	  " comment = \"caf\xe9\"; } ); };\n", 3, "rules.policy[0].comment",
	  "byte 0xe9 is not UTF-8 at offset 3" },
	{ "rules = { policy = ( { action = \"drop\";\n"
	  " comment = \"a\\x01b\"; } ); };\n", 2, "rules.policy[0].comment",
	  "control character U+0001 at offset 1" },
	{ "rules = { policy = ( { action = \"drop\"; comment = \"x\xc2\x85\"; "
	  "} ); };\n", 1, "rules.policy[0].comment",
	  "control character U+0085" },
	{ "rules = { policy = ( { action = \"drop\"; comment = \"\xc0\xaf\"; "
	  "} ); };\n", 1, "rules.policy[0].comment", "byte 0xc0 is not UTF-8" },
	{ "rules = { policy = ( { action = \"drop\"; comment = \"\xed\xa0\x80\"; "
	  "} ); };\n", 1, "rules.policy[0].comment", "byte 0xed is not UTF-8" },
	{ "rules = { policy = ( { action = \"drop\"; comment = \"\xe2\x82\"; "
	  "} ); };\n", 1, "rules.policy[0].comment", "byte 0xe2 is not UTF-8" },
	{ "eal = [\"-l\", \"0-1\\t\"];\n", 1, "eal[1]",
	  "control character U+0009" },
	{ "ports = ( { name = \"a\"; dev = \"net_null0\"; },\n"
	  "  { name = \"b\"; dev = \"net_null1,iface=\xff\"; } );\n", 2,
	  "ports[1].dev", "byte 0xff is not UTF-8" },
	{ "stats = { file = \"/run/st\\x7fats.json\"; };\n", 1, "stats.file",
	  "control character U+007F" },
};

/* A key file of n bytes with mode `mode`, named after the config. */
static void
key_file(struct fx *fx, char *path, size_t len, size_t n, mode_t mode)
{
	FILE *f;

	snprintf(path, len, "%s.key", fx->path);
	f = fopen(path, "w");
	assert_non_null(f);
	while (n--)
		fputc('a' + (int)(n % 26), f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void
test_config_ha(void **state)
{
	struct fx *fx = *state;
	char key[96], text[1024];

	/* No group: no HA. */
	assert_int_equal(load(fx, "workers = { lcores = [1]; };\n"), 0);
	assert_false(fx->cfg.ha.enabled);
	key_file(fx, key, sizeof(key), 64, 0600);
	snprintf(text, sizeof(text),
		 "ha = { local = \"198.51.100.1:7400\";\n"
		 "       peer = \"198.51.100.2:7400\";\n"
		 "       key_file = \"%s\"; };\n"
		 "flowtable = { state_file = \"flows.state\"; };\n", key);
	assert_int_equal(load(fx, text), 0);
	assert_true(fx->cfg.ha.enabled);
	assert_int_equal(fx->cfg.ha.mode, SW_HA_ACTIVE_STANDBY);
	assert_int_equal(fx->cfg.ha.role, SW_HA_ROLE_STANDBY);
	assert_int_equal(fx->cfg.ha.local_port, 7400);
	assert_int_equal(fx->cfg.ha.peer_addr[3], 2);
	assert_string_equal(fx->cfg.ha.key_path, key);
	assert_string_equal(fx->cfg.flowtable.state_file, "flows.state");
	assert_string_equal(fx->cfg.flowtable.state_path, "/tmp/flows.state");
	/* Active-active: both forward unless told otherwise. */
	snprintf(text, sizeof(text),
		 "ha = { mode = \"active-active\"; local = \"[2001:db8::1]:7400\";"
		 " peer = \"[2001:db8::2]:7400\"; key_file = \"%s\"; };\n", key);
	assert_int_equal(load(fx, text), 0);
	assert_int_equal(fx->cfg.ha.mode, SW_HA_ACTIVE_ACTIVE);
	assert_int_equal(fx->cfg.ha.role, SW_HA_ROLE_ACTIVE);
	unlink(key);
}

static void
test_config_ha_errors(void **state)
{
	struct fx *fx = *state;
	char key[96], text[1024];

	key_file(fx, key, sizeof(key), 64, 0640);
	snprintf(text, sizeof(text),
		 "ha = { local = \"198.51.100.1:7400\";\n"
		 "  peer = \"198.51.100.2:7400\";\n"
		 "  key_file = \"%s\"; };\n", key);
	expect_error(fx, text, 3, "ha.key_file", "readable by its group");
	key_file(fx, key, sizeof(key), 64, 0604);
	expect_error(fx, text, 3, "ha.key_file", "chmod 600");
	key_file(fx, key, sizeof(key), 8, 0600);
	expect_error(fx, text, 3, "ha.key_file", "holds 8 bytes");
	unlink(key);
	expect_error(fx, text, 3, "ha.key_file", "No such file");
	key_file(fx, key, sizeof(key), 32, 0600);
	snprintf(text, sizeof(text),
		 "ha = { local = \"198.51.100.1\";\n"
		 "  peer = \"198.51.100.2:7400\"; key_file = \"%s\"; };\n", key);
	expect_error(fx, text, 1, "ha.local", "not ADDR:PORT");
	snprintf(text, sizeof(text),
		 "ha = { local = \"198.51.100.1:7400\";\n"
		 "  peer = \"[2001:db8::2]:7400\"; key_file = \"%s\"; };\n", key);
	expect_error(fx, text, 2, "ha.peer", "not of local's family");
	snprintf(text, sizeof(text),
		 "ha = { local = \"198.51.100.1:7400\"; key_file = \"%s\";\n"
		 "  mode = \"hot-cold\"; };\n", key);
	expect_error(fx, text, 2, "ha.mode", "active-standby");
	snprintf(text, sizeof(text),
		 "ha = { local = \"198.51.100.1:7400\"; key_file = \"%s\"; };\n",
		 key);
	expect_error(fx, text, 1, "ha", "missing 'peer'");
	snprintf(text, sizeof(text),
		 "ha = { local = \"198.51.100.1:7400\"; key_file = \"%s\";\n"
		 "  peer = \"198.51.100.1:7400\"; };\n", key);
	expect_error(fx, text, 2, "ha.peer", "own address");
	snprintf(text, sizeof(text),
		 "flowtable = { enabled = false; };\n"
		 "ha = { local = \"198.51.100.1:7400\"; key_file = \"%s\";\n"
		 "  peer = \"198.51.100.2:7400\"; };\n", key);
	expect_error(fx, text, 2, "ha", "needs the flow table");
	snprintf(text, sizeof(text),
		 "ha = { local = \"198.51.100.1:7400\"; key_file = \"%s\";\n"
		 "  peer = \"198.51.100.2:7400\"; secret = 1; };\n", key);
	expect_error(fx, text, 2, "ha.secret", "unknown");
	unlink(key);
}

/*
 * Odd but valid UTF-8 is kept exactly: accents, an emoji, a character
 * outside the BMP, quotes and backslashes (libconfig's escapes), a
 * right-to-left override, a zero-width joiner.
 */
static void
test_config_utf8_strings_kept(void **state)
{
	static const char want[] = "caf\xc3\xa9 \xe2\x98\x95 \xf0\x9d\x84\x9e "
		"\"q\" \\ \xe2\x80\xae rtl \xe2\x80\x8d";
	struct fx *fx = *state;
	const struct sw_acl_rule *r;

	assert_int_equal(load(fx, "rules = { policy = ( { action = \"drop\"; "
			      "comment = \"caf\xc3\xa9 \xe2\x98\x95 "
			      "\xf0\x9d\x84\x9e \\\"q\\\" \\\\ "
			      "\xe2\x80\xae rtl \xe2\x80\x8d\"; } ); };\n"), 0);
	assert_int_equal(fx->cfg.rules.nb[SW_ACL_POLICY], 1);
	r = &fx->cfg.rules.rules[SW_ACL_POLICY][0];
	assert_string_equal(r->comment, want);
}

/* A port's NIC settings and a pair's options (issue 24). */
static void
test_config_port_nic_and_pairs(void **state)
{
	struct fx *fx = *state;
	const struct sw_config *c = &fx->cfg;

	assert_int_equal(load(fx, ""), 0);
	assert_int_equal(c->ports[0].mtu, 1500);
	assert_int_equal(c->ports[0].rx_desc, 1024);
	assert_int_equal(c->ports[1].tx_desc, 1024);
	assert_int_equal(c->ports[0].queues, 1);
	assert_false(c->ports[0].link_propagate);
	assert_int_equal(load(fx,
		"workers = { lcores = [1, 2, 3]; };\n"
		"ports = ( { name = \"a\"; dev = \"net_null0\"; mtu = 9000;\n"
		"            rx_desc = 2048; tx_desc = 512; queues = 2; },\n"
		"          { name = \"b\"; dev = \"net_null1\"; queues = 2; },\n"
		"          { name = \"c\"; dev = \"net_null2\"; },\n"
		"          { name = \"d\"; dev = \"net_null3\"; } );\n"
		"pairs = ( { ports = (\"a\", \"b\"); link_propagate = true; },\n"
		"          (\"c\", \"d\") );\n"), 0);
	assert_int_equal(c->ports[0].mtu, 9000);
	assert_int_equal(c->ports[1].mtu, 1500);
	assert_int_equal(c->ports[0].rx_desc, 2048);
	assert_int_equal(c->ports[0].tx_desc, 512);
	assert_int_equal(c->ports[0].queues, 2);
	assert_int_equal(c->ports[2].queues, 3);
	assert_int_equal(c->ports[0].peer, 1);
	assert_int_equal(c->ports[2].peer, 3);
	assert_true(c->ports[0].link_propagate);
	assert_true(c->ports[1].link_propagate);
	assert_false(c->ports[2].link_propagate);
}

static void
test_config_errors_name_file_line_setting(void **state)
{
	struct fx *fx = *state;
	size_t i;

	for (i = 0; i < sizeof(bad_files) / sizeof(bad_files[0]); i++)
		expect_error(fx, bad_files[i].text, bad_files[i].line,
			     bad_files[i].setting, bad_files[i].what);
}

/* An ipset save file, as it comes; timeouts for a set that has them. */
static void
test_config_sets_ipset_save_and_timeouts(void **state)
{
	struct fx *fx = *state;
	const struct sw_set_conf *sc;
	char feed[80], text[512];
	uint64_t content, digest;
	FILE *f;

	snprintf(feed, sizeof(feed), "%s.ipset", fx->path);
	f = fopen(feed, "w");
	assert_non_null(f);
	fputs("create feed hash:net family inet hashsize 1024 maxelem 65536 "
	      "timeout 300 counters\n"
	      "add feed 192.0.2.0/24 timeout 60 packets 3 bytes 180\n"
	      "add feed 198.51.100.7 comment \"a host, quoted\"\n"
	      "203.0.113.9 timeout 5\n", f);
	fclose(f);
	snprintf(text, sizeof(text), "sets = { feed = { file = \"%s\"; "
		 "timeout = 30; }; };\n", feed);
	assert_int_equal(load(fx, text), 0);
	sc = &fx->cfg.sets[0];
	assert_true(sc->timeouts);
	assert_int_equal(sc->timeout, 30);
	assert_int_equal(sc->nb_prefixes, 3);
	assert_int_equal(sc->prefixes[0].plen, 24);
	assert_non_null(sc->timeouts_of);
	assert_int_equal(sc->timeouts_of[0], 60);
	assert_int_equal(sc->timeouts_of[1], SW_PREFIX_NO_TIMEOUT);
	assert_int_equal(sc->timeouts_of[2], 5);
	content = sc->content;
	digest = sc->digest;
	/* Another size: the definition changed, the elements did not. */
	snprintf(text, sizeof(text), "sets = { feed = { file = \"%s\"; "
		 "timeout = 30; max = 100000; }; };\n", feed);
	assert_int_equal(load(fx, text), 0);
	assert_true(fx->cfg.sets[0].content == content);
	assert_true(fx->cfg.sets[0].digest != digest);
	/* A timeout for a set without timeouts is an error, with a hint. */
	snprintf(text, sizeof(text), "sets = { feed = { file = \"%s\"; }; };\n",
		 feed);
	assert_int_equal(load(fx, text), -EINVAL);
	if (strstr(fx->err, ".ipset:2: a timeout, but the set has none "
		   "(give it one: sets.NAME.timeout)") == NULL)
		fail_msg("error: %s", fx->err);
	/* One file, one ipset; and address sets only. */
	f = fopen(feed, "w");
	fputs("add feed 192.0.2.1\nadd other 192.0.2.2\n", f);
	fclose(f);
	assert_int_equal(load(fx, text), -EINVAL);
	if (strstr(fx->err, ".ipset:2: holds more than one ipset ('feed' and "
		   "'other')") == NULL)
		fail_msg("error: %s", fx->err);
	f = fopen(feed, "w");
	fputs("create feed hash:ip,port family inet\n", f);
	fclose(f);
	assert_int_equal(load(fx, text), -EINVAL);
	if (strstr(fx->err, ".ipset:1: ipset type hash:ip,port: only address "
		   "sets") == NULL)
		fail_msg("error: %s", fx->err);
	f = fopen(feed, "w");
	fputs("add feed 192.0.2.0/24 nomatch\n", f);
	fclose(f);
	assert_int_equal(load(fx, text), -EINVAL);
	if (strstr(fx->err, "option 'nomatch' is not supported") == NULL)
		fail_msg("error: %s", fx->err);
	unlink(feed);
}

/* A rule's log level, in syslog's words; the drop log's format. */
static void
test_config_log_level_and_format(void **state)
{
	struct fx *fx = *state;

	assert_int_equal(load(fx, "rules = { policy = (\n"
			      "  { action = \"drop\"; log = true; "
			      "log_level = \"warning\"; },\n"
			      "  { action = \"drop\"; log = true; "
			      "log_level = \"7\"; },\n"
			      "  { action = \"drop\"; log = true; } ); };\n"
			      "log = { format = \"json\"; };\n"), 0);
	/* DPDK's levels: syslog's, one up (RTE_LOG_WARNING is 5). */
	assert_int_equal(fx->cfg.rules.rules[SW_ACL_POLICY][0].log_level, 5);
	assert_int_equal(fx->cfg.rules.rules[SW_ACL_POLICY][1].log_level, 8);
	assert_int_equal(fx->cfg.rules.rules[SW_ACL_POLICY][2].log_level, 0);
	assert_int_equal(fx->cfg.log.format, SW_LOG_FORMAT_JSON);
	assert_int_equal(load(fx, ""), 0);
	assert_int_equal(fx->cfg.log.format, SW_LOG_FORMAT_TEXT);
	assert_int_equal(fx->cfg.log.rate, 20);
	assert_true(fx->cfg.rules.default_log[SW_ACL_POLICY]);
}

/* Lines of err that start "PATH:LINE: SETTING: ", in order. */
static int
error_lines(const struct fx *fx, const int *lines, const char *const *what,
	    int n)
{
	const char *p = fx->err;
	char head[200];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(head, sizeof(head), "%s:%d: %s: ", fx->path, lines[i],
			 what[i]);
		if (strncmp(p, head, strlen(head)) != 0)
			return i;
		p = strchr(p, '\n');
		if (p == NULL)
			return i == n - 1 ? n : i;
		p++;
	}
	return *p == '\0' ? n : -1;
}

/*
 * Every error of a file, each on its line, not the first alone; past
 * 20, how many more.
 */
static void
test_config_reports_every_error(void **state)
{
	static const int lines[] = { 3, 4, 6, 1, 1, 7 };
	static const char *const what[] = {
		"sets.a.family", "rules.policy[0].proto",
		"rules.policy[2].dport", "flowtable.bogus",
		"flowtable.max_flows", "log.format",
	};
	struct fx *fx = *state;
	char text[4096];
	size_t n = 0;
	int i;

	assert_int_equal(load(fx,
		"flowtable = { max_flows = 0; bogus = 1; };\n"
		"sets = {\n"
		"  a = { family = \"ipv5\"; }; };\n"
		"rules = { policy = ( { proto = \"tcpx\"; action = \"drop\"; },\n"
		"  { proto = \"tcp\"; action = \"drop\"; },\n"
		"  { proto = \"tcp\"; dport = \"137:139\"; action = \"drop\"; } ); };\n"
		"log = { format = \"xml\"; };\n"), -EINVAL);
	i = error_lines(fx, lines, what, 6);
	if (i != 6)
		fail_msg("line %d of the errors is not as expected:\n%s", i,
			 fx->err);
	/* 25 bad rules: 20 shown, and how many more. */
	n += (size_t)snprintf(text + n, sizeof(text) - n,
			      "rules = { policy = (\n");
	for (i = 0; i < 25; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
				      "  { action = \"nope\"; }%s\n",
				      i < 24 ? "," : "");
	snprintf(text + n, sizeof(text) - n, "); };\n");
	assert_int_equal(load(fx, text), -EINVAL);
	for (i = 0, n = 0; fx->err[n]; n++)
		i += fx->err[n] == '\n';
	assert_int_equal(i, 20);
	assert_non_null(strstr(fx->err, "rules.policy[19].action"));
	assert_null(strstr(fx->err, "rules.policy[20].action"));
	assert_non_null(strstr(fx->err, ": 5 more errors not shown"));
	/* A small buffer: the first error, cut, rather than none. */
	assert_int_equal(sw_config_load(fx->path, &fx->cfg, fx->err, 40),
			 -EINVAL);
	assert_int_equal(strlen(fx->err), 39);
	assert_true(strncmp(fx->err, fx->path, strlen(fx->path)) == 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_config_empty_file_gives_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_full_file, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_config_ports_pair_in_order_without_pairs, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_config_shipped_file_is_valid, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_rules, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_config_rules_defaults,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_config_sets_lists_negation, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_config_fallback_from_policy, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_config_include_names_its_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_flowtable, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_config_l2_passthrough_list,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_control_and_stats,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_missing_file,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_config_syntax_error_names_line, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_config_errors_name_file_line_setting, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_config_sets_ipset_save_and_timeouts, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_config_log_level_and_format, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_config_reports_every_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_ha, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_config_ha_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_config_utf8_strings_kept,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_port_nic_and_pairs,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
