/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * CLI command parsing, on an app with no flow table and no rules (no
 * EAL needed): replies, errors, limits. Then, with an EAL, rules built
 * from a config and two started net_null ports: what show rules and
 * show ports say, line by line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "app.h"
#include "buf.h"
#include "cli.h"
#include "port.h"
#include "ruleset.h"
#include "sw_acl.h"

static struct sw_app app;
static struct sw_buf out;
static struct sw_cli_session admin = { .admin = true };

static const char *
run_as(struct sw_cli_session *s, const char *line, int want_rc)
{
	sw_buf_reset(&out);
	assert_int_equal(sw_cli_exec(&app, s, line, &out), want_rc);
	return out.p ? out.p : "";
}

static const char *
run(const char *line, int want_rc)
{
	return run_as(&admin, line, want_rc);
}

/* A streamed reply, whole (show rules, show flows). */
static const char *
run_all(const char *line)
{
	int rc;

	sw_buf_reset(&out);
	rc = sw_cli_exec(&app, &admin, line, &out);
	while (rc == SW_CLI_MORE)
		rc = sw_cli_more(&app, &admin, &out);
	assert_int_equal(rc, SW_CLI_OK);
	return out.p ? out.p : "";
}

static int
setup(void **state)
{
	char err[SW_ERR_MAX];

	(void)state;
	memset(&app, 0, sizeof(app));
	sw_buf_init(&out);
	/* An empty file: every default. */
	return sw_config_load("/dev/null", &app.cfg, err, sizeof(err));
}

static int
teardown(void **state)
{
	(void)state;
	sw_config_free(&app.cfg);
	sw_buf_free(&out);
	return 0;
}

static void
test_cli_help_lists_every_command(void **state)
{
	static const char *const cmds[] = {
		"show stats", "show stats json", "show flows", "show flowtable",
		"show rules", "show timeouts", "set timeout", "show ports",
		"flush flows", "reload", "quit",
	};
	const char *r;
	size_t i;

	(void)state;
	r = run("help", SW_CLI_OK);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		assert_non_null(strstr(r, cmds[i]));
}

static void
test_cli_set_timeout(void **state)
{
	(void)state;
	assert_non_null(strstr(run("set timeout udp 12", SW_CLI_OK),
			       "udp = 12"));
	assert_non_null(strstr(run("show timeouts", SW_CLI_OK), "udp"));
	assert_non_null(strstr(run("  set\ttimeout  udp   13 ", SW_CLI_OK),
			       "udp = 13"));
	assert_int_equal(app.cfg.flowtable.ft.timeouts[SW_FT_TO_udp], 13);
	assert_true(strncmp(run("set timeout nope 1", SW_CLI_OK),
			    "error: no timeout named 'nope'", 30) == 0);
	assert_true(strncmp(run("set timeout udp 0", SW_CLI_OK), "error:",
			    6) == 0);
	assert_true(strncmp(run("set timeout udp -1", SW_CLI_OK), "error:",
			    6) == 0);
	assert_true(strncmp(run("set timeout udp 99999999999", SW_CLI_OK),
			    "error:", 6) == 0);
	assert_true(strncmp(run("set timeout udp", SW_CLI_OK),
			    "error: usage", 12) == 0);
	assert_true(strncmp(run("set color red", SW_CLI_OK),
			    "error: usage", 12) == 0);
}

static void
test_cli_errors(void **state)
{
	(void)state;
	assert_true(strncmp(run("bogus", SW_CLI_OK),
			    "error: unknown command 'bogus'", 30) == 0);
	assert_true(strncmp(run("show", SW_CLI_OK), "error: show what?",
			    17) == 0);
	assert_true(strncmp(run("show nothing", SW_CLI_OK),
			    "error: unknown: show nothing", 28) == 0);
	assert_true(strncmp(run("show stats json please", SW_CLI_OK),
			    "error:", 6) == 0);
	{
		char many[1200];
		int i;

		for (i = 0; i < 590; i++)
			memcpy(many + 2 * i, "a ", 2);
		many[2 * i] = '\0';
		assert_true(strncmp(run(many, SW_CLI_OK),
				    "error: too many words", 21) == 0);
	}
	/* No flow table here. */
	assert_true(strncmp(run("show flows", SW_CLI_OK), "error:", 6) == 0);
	assert_true(strncmp(run("flush flows", SW_CLI_OK), "error:", 6) == 0);
	assert_true(strncmp(run("show flows ten", SW_CLI_OK), "error:", 6) == 0);
	/* Filters are checked before the table is. */
	assert_true(strncmp(run("show flows src=192.0.2.300", SW_CLI_OK),
			    "error: '192.0.2.300'", 20) == 0);
	assert_true(strncmp(run("flush flows colour=red", SW_CLI_OK),
			    "error: 'colour=red': filters are", 32) == 0);
	assert_true(strncmp(run("show flows 5 dport=70000", SW_CLI_OK),
			    "error: '70000': a port", 22) == 0);
	assert_true(strncmp(run("set add nope 192.0.2.1", SW_CLI_OK),
			    "error: no set named 'nope'", 26) == 0);
	/* Junk is never echoed raw. */
	assert_null(strchr(run("\xff\xfe\x01junk", SW_CLI_OK), '\xff'));
	assert_string_equal(run("", SW_CLI_OK), "");
	assert_string_equal(run("   \t ", SW_CLI_OK), "");
}

static void
test_cli_reports_without_table(void **state)
{
	(void)state;
	assert_non_null(strstr(run("show stats", SW_CLI_OK), "malformed"));
	assert_non_null(strstr(run("show stats json", SW_CLI_OK),
			       "\"verdicts\":{"));
	assert_non_null(strstr(run("show flowtable", SW_CLI_OK),
			       "flowtable disabled"));
	/* No rules built and no port started: nothing to list (the live
	 * group below checks what they list). */
	assert_string_equal(run("show rules", SW_CLI_OK), "");
	assert_string_equal(run("show ports", SW_CLI_OK), "");
}

/*
 * A read-only session (TCP without control.tcp_admin) may look but not
 * change anything: set, flush and reload are refused before they run.
 */
static void
test_cli_read_only_session(void **state)
{
	struct sw_cli_session ro = { .admin = false };
	uint32_t before = app.cfg.flowtable.ft.timeouts[SW_FT_TO_udp];

	(void)state;
	assert_true(strncmp(run_as(&ro, "set timeout udp 1", SW_CLI_OK),
			    "error: this session is read-only", 32) == 0);
	assert_int_equal(app.cfg.flowtable.ft.timeouts[SW_FT_TO_udp], before);
	assert_true(strncmp(run_as(&ro, "flush flows", SW_CLI_OK),
			    "error: this session is read-only", 32) == 0);
	assert_true(strncmp(run_as(&ro, "reload", SW_CLI_OK),
			    "error: this session is read-only", 32) == 0);
	assert_non_null(strstr(run_as(&ro, "show timeouts", SW_CLI_OK),
			       "udp"));
	assert_non_null(strstr(run_as(&ro, "help", SW_CLI_OK), "reload"));
	assert_string_equal(run_as(&ro, "quit", SW_CLI_QUIT), "bye\n");
}

static void
test_cli_quit(void **state)
{
	(void)state;
	assert_string_equal(run("quit", SW_CLI_QUIT), "bye\n");
}


/* The words completion offers, as one "a b c" text. */
static char words_seen[512];

static void
word_cb(const char *w, void *arg)
{
	(void)arg;
	snprintf(words_seen + strlen(words_seen),
		 sizeof(words_seen) - strlen(words_seen), "%s%s",
		 words_seen[0] ? " " : "", w);
}

static const char *
complete(const char *typed, const char *prefix)
{
	static const char *const sets[] = { "feed", "admin" };
	char buf[256], *argv[16], *save = NULL, *t;
	int argc = 0;

	snprintf(buf, sizeof(buf), "%s", typed);
	for (t = strtok_r(buf, " ", &save); t != NULL;
	     t = strtok_r(NULL, " ", &save))
		argv[argc++] = t;
	words_seen[0] = '\0';
	sw_cli_complete(argc, argv, prefix, sets, 2, word_cb, NULL);
	return words_seen;
}

/* spillway ctl's Tab: from the one command table, names included. */
static void
test_cli_completion_reads_the_table(void **state)
{
	(void)state;
	assert_string_equal(complete("", "sh"), "show");
	assert_string_equal(complete("", "s"), "show set");
	assert_string_equal(complete("show", "fl"), "flows flowtable");
	assert_string_equal(complete("show stats", ""), "json");
	assert_string_equal(complete("set", "l"), "list load");
	assert_string_equal(complete("set add", ""), "feed admin");
	assert_string_equal(complete("set list", "f"), "feed");
	assert_string_equal(complete("set timeout", "tcp_es"),
			    "tcp_established");
	assert_string_equal(complete("show rules", "p"), "policy");
	assert_string_equal(complete("mode", ""), "text machine json");
	/* Past the first argument, and for words no row has: nothing. */
	assert_string_equal(complete("set add feed", ""), "");
	assert_string_equal(complete("frobnicate", ""), "");
}

/*
 * The machine mode's status comes from the session, not the text: a
 * reply is an error when its command says so.
 */
static void
test_cli_reply_says_error_and_json(void **state)
{
	struct sw_cli_session js = { .admin = true };
	const char *r;

	(void)state;
	r = run_as(&js, "mode json", SW_CLI_OK);
	assert_string_equal(r, "mode json\n");
	assert_int_equal(js.mode, SW_CLI_JSON);
	assert_false(js.failed);
	r = run_as(&js, "show stats", SW_CLI_OK);
	assert_true(js.json_out && !js.failed && r[0] == '{');
	assert_non_null(strstr(r, "\"verdicts\":{"));
	run_as(&js, "set add nope 192.0.2.1", SW_CLI_OK);
	assert_true(js.failed);
	run_as(&js, "help", SW_CLI_OK);
	assert_true(!js.failed && !js.json_out);
	run_as(&js, "mode bogus", SW_CLI_OK);
	assert_true(js.failed);
	assert_int_equal(js.mode, SW_CLI_JSON);
	r = run_as(&js, "mode text", SW_CLI_OK);
	assert_int_equal(js.mode, SW_CLI_TEXT);
	/* The text mode: show stats stays the human table. */
	r = run_as(&js, "show stats", SW_CLI_OK);
	assert_false(js.json_out);
	assert_true(r[0] == ' ');
}

/*
 * An arrow key's escape sequence is refused whole, never run as a
 * command with the escape made a blank (the up-arrow bug).
 */
static void
test_cli_control_characters_refused(void **state)
{
	uint32_t before = app.cfg.flowtable.ft.timeouts[SW_FT_TO_udp];
	struct sw_cli_session s = { .admin = true };
	const char *r;

	(void)state;
	r = run_as(&s, "\x1b[Aset timeout udp 5", SW_CLI_OK);
	assert_true(strncmp(r, "error: control character 0x1b at byte 0",
			    39) == 0);
	assert_non_null(strstr(r, "escape sequence"));
	assert_true(s.failed);
	assert_int_equal(app.cfg.flowtable.ft.timeouts[SW_FT_TO_udp], before);
	/* DEL: a backspace a raw terminal sent. */
	r = run_as(&s, "show timeoutz\x7fs", SW_CLI_OK);
	assert_true(strncmp(r, "error: control character 0x7f at byte 13",
			    40) == 0);
	r = run_as(&s, "show\ttimeouts", SW_CLI_OK);
	assert_non_null(strstr(r, "udp"));
}

/* Only state changes are logged: the table's flag is the truth. */
static void
test_cli_only_changes_are_logged(void **state)
{
	struct sw_cli_session ro = { .admin = false };

	(void)state;
	assert_true(sw_cli_changes_state("set add feed 192.0.2.1"));
	assert_true(sw_cli_changes_state("set del feed 192.0.2.1"));
	assert_true(sw_cli_changes_state("set load feed /tmp/x"));
	assert_true(sw_cli_changes_state("set save feed /tmp/x"));
	assert_true(sw_cli_changes_state("set timeout udp 5"));
	assert_true(sw_cli_changes_state("flush flows"));
	assert_true(sw_cli_changes_state("reload"));
	assert_false(sw_cli_changes_state("set test feed 192.0.2.1"));
	assert_false(sw_cli_changes_state("set list feed"));
	assert_false(sw_cli_changes_state("show sets"));
	assert_false(sw_cli_changes_state("mode json"));
	assert_false(sw_cli_changes_state("help"));
	/* Not logged, yet still an admin's: read-only sessions may not. */
	assert_true(strncmp(run_as(&ro, "set test feed 192.0.2.1", SW_CLI_OK),
			    "error: this session is read-only", 32) == 0);
	assert_true(strncmp(run_as(&ro, "set list feed", SW_CLI_OK),
			    "error: this session is read-only", 32) == 0);
	assert_string_equal(run_as(&ro, "mode machine", SW_CLI_OK),
			    "mode machine\n");
}

static const char rules_conf[] =
"ports = ( { name = \"outside\"; dev = \"net_null0\"; },\n"
"          { name = \"inside\"; dev = \"net_null1\"; } );\n"
"rules = {\n"
"  notrack = ( { proto = \"udp\"; dport = 53; action = \"accept\";\n"
"                comment = \"dns\"; } );\n"
"  policy = ( { proto = \"tcp\"; dport = 80; action = \"accept\";\n"
"               comment = \"web\"; },\n"
"             { proto = \"tcp\"; dport = 23; action = \"reject\";\n"
"               comment = \"telnet\"; } );\n"
"  policy_default = \"drop\";\n"
"  fallback_default = \"accept\";\n"
"};\n"
"sets = {\n"
"  feed = { family = \"ipv4\"; timeout = 600;\n"
"           elements = [ \"198.51.100.7\", \"192.0.2.0/24\" ]; };\n"
"  plain = { family = \"any\"; elements = [ \"2001:db8::/32\" ]; };\n"
"};\n";

/* The file rules_conf was loaded from: rule lines name it. */
static char live_path[] = "/tmp/sw-test-cli-XXXXXX";

/* The EAL, the rules of rules_conf, both net_null ports started. */
static int
setup_live(void **state)
{
	static char prefix[64];
	char *argv[] = {
		"test_cli", "-l", "0", "--no-huge", "-m", "256", "--no-pci",
		"--no-telemetry", "--log-level", "*:error", "--vdev",
		"net_null0", "--vdev", "net_null1", "--file-prefix", prefix,
		NULL,
	};
	char err[SW_ERR_MAX];
	struct sw_ruleset *rs;
	struct sw_buf rep;
	unsigned int p;
	FILE *f;
	int fd;

	(void)state;
	snprintf(prefix, sizeof(prefix), "swtest-cli-%d", (int)getpid());
	if (rte_eal_init(16, argv) < 0)
		return -1;
	memset(&app, 0, sizeof(app));
	sw_buf_init(&out);
	fd = mkstemp(live_path);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (f == NULL)
		return -1;
	fputs(rules_conf, f);
	fclose(f);
	fd = sw_config_load(live_path, &app.cfg, err, sizeof(err));
	if (fd != 0)
		return -1;
	sw_buf_init(&rep);
	rs = sw_ruleset_build(&app.cfg, NULL, 1, SOCKET_ID_ANY, NULL, NULL,
			      false, &rep, err, sizeof(err));
	sw_buf_free(&rep);
	if (rs == NULL)
		return -1;
	sw_ruleset_publish(&app.rules, rs, &app.cfg, NULL, NULL);
	app.pool = rte_pktmbuf_pool_create("test_cli", 4095, 0, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	if (app.pool == NULL)
		return -1;
	for (p = 0; p < 2; p++) {
		if (rte_eth_dev_get_port_by_name(app.cfg.ports[p].dev,
						 &app.port_id[p]) != 0 ||
		    sw_port_start(app.port_id[p], app.cfg.ports[p].name, 1,
				  app.pool) != 0)
			return -1;
		app.port_started[p] = true;
	}
	return 0;
}

static int
teardown_live(void **state)
{
	char cmd[512];
	unsigned int p;

	(void)state;
	for (p = 0; p < 2; p++)
		if (app.port_started[p]) {
			rte_eth_dev_stop(app.port_id[p]);
			rte_eth_dev_close(app.port_id[p]);
		}
	sw_ruleset_free(app.rules, NULL);
	app.rules = NULL;
	unlink(live_path);
	rte_mempool_free(app.pool);
	sw_config_free(&app.cfg);
	sw_buf_free(&out);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	return system(cmd) == 0 ? 0 : -1;
}


/* set add/del say how many changed; timeouts; set list sorted. */
static void
test_cli_set_changes_counted_and_listed_sorted(void **state)
{
	struct sw_cli_session js = { .admin = true, .mode = SW_CLI_JSON };
	unsigned int left = 0;
	const char *r;
	int end = -1;

	(void)state;
	r = run("set add feed 203.0.113.1 timeout 30 192.0.2.0/24 10.0.0.0/8",
		SW_CLI_OK);
	assert_non_null(strstr(r, "set feed: 2 added, 1 were already in it"));
	r = run_all("set list feed");
	/*
	 * Sorted; the set's default timeout (600) for those given none.
	 * 198.51.100.7 came with the config at setup, and the timeouts
	 * count whole seconds: on a busy machine one may have turned
	 * since (it read 599 under load).
	 */
	assert_int_equal(sscanf(r, "10.0.0.0/8 timeout 600\n"
				"192.0.2.0/24 timeout 600\n"
				"198.51.100.7 timeout %u\n"
				"203.0.113.1 timeout 30\n%n", &left, &end), 1);
	assert_int_equal(end, (int)strlen(r));
	assert_true(left >= 590 && left <= 600);
	r = run_as(&js, "set del feed 10.0.0.0/8 10.9.9.9", SW_CLI_OK);
	assert_string_equal(r, strstr(r, "{\"set\":\"feed\",\"op\":\"del\","
				      "\"changed\":1,\"unchanged\":1,"));
	assert_true(js.json_out && !js.failed);
	r = run_all("set list feed 2");
	assert_non_null(strstr(r, "(2 of 3 shown"));
	/* A timeout on a set without timeouts, a delete with one: no. */
	assert_true(strncmp(run("set add plain 2001:db8:1::/48 timeout 5",
				SW_CLI_OK), "error: a timeout on a set without",
			    33) == 0);
	assert_true(strncmp(run("set del feed 203.0.113.1 timeout 5",
				SW_CLI_OK), "error: a timeout on a delete", 28) ==
		    0);
	assert_true(strncmp(run("set add feed 192.0.2.1 timeout x",
				SW_CLI_OK), "error: 192.0.2.1: timeout 'x'", 29) ==
		    0);
	r = run_as(&js, "set test feed 203.0.113.1", SW_CLI_OK);
	assert_non_null(strstr(r, "\"member\":true,\"by\":\"203.0.113.1\","
			       "\"timeout\":"));
	run("set del feed 203.0.113.1", SW_CLI_OK);
}

/* show sets says whether a set still holds what its config gave. */
static void
test_cli_show_sets_flags_drift(void **state)
{
	struct sw_cli_session js = { .admin = true, .mode = SW_CLI_JSON };
	const char *r;

	(void)state;
	r = run("show sets", SW_CLI_OK);
	assert_non_null(strstr(r, "set feed family=ipv4 ipv4=2 ipv6=0 "));
	assert_non_null(strstr(r, " timeout=600 timed=2 drift=no\n"));
	assert_non_null(strstr(r, "set plain family=any ipv4=0 ipv6=1 "));
	run("set add plain 2001:db8:1::/48", SW_CLI_OK);
	r = run("show sets", SW_CLI_OK);
	assert_non_null(strstr(r, "ipv6=2 max=4096 changes=2 drift=yes"));
	r = run_as(&js, "show sets", SW_CLI_OK);
	assert_non_null(strstr(r, "\"name\":\"plain\",\"family\":\"any\","
			       "\"ipv4\":0,\"ipv6\":2"));
	assert_non_null(strstr(r, "\"drift\":true"));
	/* Taken back out: the content is what the config gave again. */
	run("set del plain 2001:db8:1::/48", SW_CLI_OK);
	r = run("show sets", SW_CLI_OK);
	assert_null(strstr(r, "drift=yes"));
}

static void
test_cli_show_rules_lists_rules_and_hits(void **state)
{
	struct sw_acl_key k;
	const struct sw_acl_key *kp[1] = { &k };
	char want[1024];
	uint8_t act;

	(void)state;
	/* Match text, file and line (notrack on 4, policy on 6 and 8). */
	snprintf(want, sizeof(want),
		"  rule notrack[0] accept hits=0 proto=udp dport=53 at=%s:4 # dns\n"
		"  rule policy[0] accept hits=0 proto=tcp dport=80 at=%s:6 # web\n"
		"  rule policy[1] reject hits=0 proto=tcp dport=23 at=%s:8 # telnet\n"
		"  rule policy_default drop hits=0\n"
		"  rule fallback_default accept hits=0\n",
		live_path, live_path, live_path);
	assert_string_equal(run_all("show rules"), want);
	/* One TCP packet to port 80, one to port 22, classified by worker 0. */
	memset(&k, 0, sizeof(k));
	k.family = 4;
	k.proto = 6;
	k.dport = htons(80);
	sw_acl_classify(sw_app_acl(&app), SW_ACL_POLICY, 0, kp, 1, &act, NULL);
	assert_int_equal(act, SW_ACL_ACCEPT);
	k.dport = htons(22);
	sw_acl_classify(sw_app_acl(&app), SW_ACL_POLICY, 0, kp, 1, &act, NULL);
	assert_int_equal(act, SW_ACL_DROP);
	snprintf(want, sizeof(want),
		"  rule notrack[0] accept hits=0 proto=udp dport=53 at=%s:4 # dns\n"
		"  rule policy[0] accept hits=1 proto=tcp dport=80 at=%s:6 # web\n"
		"  rule policy[1] reject hits=0 proto=tcp dport=23 at=%s:8 # telnet\n"
		"  rule policy_default drop hits=1\n"
		"  rule fallback_default accept hits=0\n",
		live_path, live_path, live_path);
	assert_string_equal(run_all("show rules"), want);
}

static void
test_cli_show_ports_lists_both_with_counters(void **state)
{
	struct rte_mbuf *m[32];
	const char *r;
	uint16_t n;

	(void)state;
	r = run("show ports", SW_CLI_OK);
	assert_non_null(strstr(r, "  port outside    rx_packets=0 tx_packets=0 "));
	assert_non_null(strstr(r, " link_up=1 peer=inside dev=net_null0 dpdk_port="));
	assert_non_null(strstr(r, "  port inside     rx_packets=0 "));
	assert_non_null(strstr(r, " peer=outside dev=net_null1 dpdk_port="));
	/* One queue: the ports do not hash, so no RSS key is shown. */
	assert_null(strstr(r, "rss_key="));
	/* net_null makes up packets on rx: show ports must count them. */
	n = rte_eth_rx_burst(app.port_id[1], 0, m, 32);
	assert_true(n > 0);
	rte_pktmbuf_free_bulk(m, n);
	r = run("show ports", SW_CLI_OK);
	assert_non_null(strstr(r, "  port outside    rx_packets=0 "));
	{
		char want[64];

		snprintf(want, sizeof(want), "  port inside     rx_packets=%u ",
			 n);
		assert_non_null(strstr(r, want));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cli_help_lists_every_command),
		cmocka_unit_test(test_cli_set_timeout),
		cmocka_unit_test(test_cli_errors),
		cmocka_unit_test(test_cli_reports_without_table),
		cmocka_unit_test(test_cli_read_only_session),
		cmocka_unit_test(test_cli_quit),
		cmocka_unit_test(test_cli_completion_reads_the_table),
		cmocka_unit_test(test_cli_reply_says_error_and_json),
		cmocka_unit_test(test_cli_control_characters_refused),
		cmocka_unit_test(test_cli_only_changes_are_logged),
	};

	const struct CMUnitTest live[] = {
		cmocka_unit_test(test_cli_show_rules_lists_rules_and_hits),
		cmocka_unit_test(test_cli_show_ports_lists_both_with_counters),
		cmocka_unit_test(test_cli_set_changes_counted_and_listed_sorted),
		cmocka_unit_test(test_cli_show_sets_flags_drift),
	};

	return cmocka_run_group_tests_name("cli", tests, setup, teardown) |
	       cmocka_run_group_tests_name("cli, live", live, setup_live,
					   teardown_live);
}
