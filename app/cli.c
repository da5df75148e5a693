/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "buf.h"
#include "cli.h"
#include "sw_ft.h"

#define MAX_ARGS 8
#define FLOWS_DEFAULT 1000

static const char help_text[] =
"help                      this list\n"
"show stats                counters (human table)\n"
"show stats json           the same counters as one JSON object\n"
"show flows [detail] [N]   flows, like conntrack -L (default: first 1000; 0: all);\n"
"                          detail adds zone, port, hash and TCP windows\n"
"show flowtable            size, occupancy, per-worker shards, adaptive scale\n"
"show sources [N]          the N sources (default 20) holding most flows, with\n"
"                          their new flows a second (per-source quotas)\n"
"show rules                every rule with its hit counter\n"
"show timeouts             flow timeouts in seconds\n"
"set timeout NAME SECONDS  change a timeout; live flows follow at once\n"
"show ports                DPDK port counters and links\n"
"flush flows               delete every flow (each worker empties its shard)\n"
"reload                    re-read the config file; the old one stays on error\n"
"quit                      close this session\n";

static int
split(char *line, char **argv)
{
	int argc = 0;
	char *save = NULL, *tok;

	for (tok = strtok_r(line, " \t", &save); tok != NULL && argc < MAX_ARGS;
	     tok = strtok_r(NULL, " \t", &save))
		argv[argc++] = tok;
	return tok != NULL ? -1 : argc;
}

/* A decimal number in [0, max]; -1 when it is not one. */
static long long
number(const char *s, long long max)
{
	char *end;
	long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end != '\0' || v > max)
		return -1;
	return v;
}

static uint64_t
total_flows(const struct sw_app *app)
{
	struct sw_ft_stats st;
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; app->ft && i < sw_ft_nb_shards(app->ft); i++) {
		sw_ft_shard_stats(app->ft, i, &st);
		n += st.flows;
	}
	return n;
}

static int
cmd_show(struct sw_app *app, struct sw_cli_session *s, int argc, char **argv,
	 struct sw_buf *out)
{
	if (argc < 2) {
		sw_buf_printf(out, "error: show what? stats, flows, flowtable, "
			      "rules, timeouts, ports\n");
	} else if (strcmp(argv[1], "stats") == 0 && argc == 2) {
		sw_report_stats(app, out);
	} else if (strcmp(argv[1], "stats") == 0 && argc == 3 &&
		   strcmp(argv[2], "json") == 0) {
		sw_report_stats_json(app, out);
	} else if (strcmp(argv[1], "flows") == 0 && argc <= 4) {
		int detail = argc >= 3 && strcmp(argv[2], "detail") == 0;
		const char *count = argc == 3 + detail ? argv[2 + detail] : NULL;
		long long n = count ? number(count, UINT32_MAX) : FLOWS_DEFAULT;

		if (n < 0 || (argc == 4 && !detail)) {
			sw_buf_printf(out, "error: show flows [detail] [N]: '%s' "
				      "is not a count\n", count ? count :
				      argv[argc - 1]);
			return SW_CLI_OK;
		}
		if (app->ft == NULL) {
			sw_buf_printf(out, "error: the flow table is disabled "
				      "(flowtable.enabled = false)\n");
			return SW_CLI_OK;
		}
		sw_report_flows_begin(app, &s->flows, (uint64_t)n, detail);
		s->streaming = true;
		return SW_CLI_MORE;
	} else if (strcmp(argv[1], "sources") == 0 && argc <= 3) {
		long long n = argc == 3 ? number(argv[2], 100000) : 20;

		if (n < 0)
			sw_buf_printf(out, "error: show sources [N]: '%s' is "
				      "not a count\n", argv[2]);
		else
			sw_report_sources(app, out, (unsigned int)n);
	} else if (strcmp(argv[1], "flowtable") == 0 && argc == 2) {
		sw_report_flowtable(app, out);
	} else if (strcmp(argv[1], "rules") == 0 && argc == 2) {
		sw_report_rules(app, out);
	} else if (strcmp(argv[1], "timeouts") == 0 && argc == 2) {
		sw_report_timeouts(app, out);
	} else if (strcmp(argv[1], "ports") == 0 && argc == 2) {
		sw_report_ports(app, out);
	} else {
		sw_buf_printf(out, "error: unknown: show %s (help lists the "
			      "commands)\n", argv[1]);
	}
	return SW_CLI_OK;
}

static void
cmd_set(struct sw_app *app, int argc, char **argv, struct sw_buf *out)
{
	long long secs;
	int t;

	if (argc != 4 || strcmp(argv[1], "timeout") != 0) {
		sw_buf_printf(out, "error: usage: set timeout NAME SECONDS\n");
		return;
	}
	t = sw_ft_timeout_index(argv[2]);
	if (t < 0) {
		sw_buf_printf(out, "error: no timeout named '%s' (show "
			      "timeouts lists them)\n", argv[2]);
		return;
	}
	secs = number(argv[3], INT32_MAX);
	if (secs < 1) {
		sw_buf_printf(out, "error: '%s' is not a number of seconds "
			      "(1 to %d)\n", argv[3], INT32_MAX);
		return;
	}
	app->cfg.flowtable.timeouts[t] = (uint32_t)secs;
	if (app->ft != NULL)
		sw_ft_set_timeout(app->ft, (unsigned int)t, (uint32_t)secs);
	sw_buf_printf(out, "%s = %lld (live flows follow at once; the config "
		      "file is unchanged)\n", argv[2], secs);
}

/* Commands that change what the firewall does: admin sessions only. */
static bool
changes_state(char **argv)
{
	return strcmp(argv[0], "set") == 0 || strcmp(argv[0], "flush") == 0 ||
	       strcmp(argv[0], "reload") == 0;
}

int
sw_cli_more(struct sw_app *app, struct sw_cli_session *s, struct sw_buf *out)
{
	if (!s->streaming)
		return SW_CLI_OK;
	if (sw_report_flows_more(app, &s->flows, out))
		return SW_CLI_MORE;
	s->streaming = false;
	return SW_CLI_OK;
}

int
sw_cli_exec(struct sw_app *app, struct sw_cli_session *s, const char *line,
	    struct sw_buf *out)
{
	char buf[SW_CLI_LINE_MAX + 1];
	char *argv[MAX_ARGS];
	size_t i;
	int argc;

	snprintf(buf, sizeof(buf), "%s", line);
	for (i = 0; buf[i]; i++)
		if ((unsigned char)buf[i] < 0x20 && buf[i] != '\t')
			buf[i] = ' ';
	argc = split(buf, argv);
	if (argc < 0) {
		sw_buf_printf(out, "error: too many words (help lists the "
			      "commands)\n");
		return SW_CLI_OK;
	}
	if (argc == 0)
		return SW_CLI_OK;
	if (changes_state(argv) && !s->admin) {
		sw_buf_printf(out, "error: this session is read-only (TCP "
			      "without control.tcp_admin); %s needs the unix "
			      "socket\n", argv[0]);
	} else if (strcmp(argv[0], "help") == 0 && argc == 1) {
		sw_buf_printf(out, "%s", help_text);
	} else if (strcmp(argv[0], "show") == 0) {
		return cmd_show(app, s, argc, argv, out);
	} else if (strcmp(argv[0], "set") == 0) {
		cmd_set(app, argc, argv, out);
	} else if (strcmp(argv[0], "flush") == 0 && argc == 2 &&
		   strcmp(argv[1], "flows") == 0) {
		if (app->ft == NULL) {
			sw_buf_printf(out, "error: the flow table is disabled "
				      "(flowtable.enabled = false)\n");
		} else {
			sw_buf_printf(out, "flushing %" PRIu64 " flows (each "
				      "worker empties its own shard)\n",
				      total_flows(app));
			sw_ft_flush(app->ft);
		}
	} else if (strcmp(argv[0], "reload") == 0 && argc == 1) {
		sw_app_reload(app, out);
	} else if (strcmp(argv[0], "quit") == 0 && argc == 1) {
		sw_buf_printf(out, "bye\n");
		return SW_CLI_QUIT;
	} else {
		/* Never echo junk back raw: quote printable ASCII only. */
		for (i = 0; argv[0][i]; i++)
			if ((unsigned char)argv[0][i] > 0x7e)
				argv[0][i] = '?';
		if (strlen(argv[0]) > 40)
			argv[0][40] = '\0';
		sw_buf_printf(out, "error: unknown command '%s' (help lists the "
			      "commands)\n", argv[0]);
	}
	return SW_CLI_OK;
}
