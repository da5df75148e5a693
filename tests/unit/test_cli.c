/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * CLI command parsing, on an app with no flow table and no rules (no
 * EAL needed): replies, errors, limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "app.h"
#include "buf.h"
#include "cli.h"

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
	assert_int_equal(app.cfg.flowtable.timeouts[SW_FT_TO_udp], 13);
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
	run("show rules", SW_CLI_OK);
	run("show ports", SW_CLI_OK);
}

/*
 * A read-only session (TCP without control.tcp_admin) may look but not
 * change anything: set, flush and reload are refused before they run.
 */
static void
test_cli_read_only_session(void **state)
{
	struct sw_cli_session ro = { .admin = false };
	uint32_t before = app.cfg.flowtable.timeouts[SW_FT_TO_udp];

	(void)state;
	assert_true(strncmp(run_as(&ro, "set timeout udp 1", SW_CLI_OK),
			    "error: this session is read-only", 32) == 0);
	assert_int_equal(app.cfg.flowtable.timeouts[SW_FT_TO_udp], before);
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
	};

	return cmocka_run_group_tests_name("cli", tests, setup, teardown);
}
