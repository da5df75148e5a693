/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The command table and what reads it: help, dispatch, the state-change
 * log, completion; the commands that are neither sets (cli_set.c) nor
 * flows (cli_flow.c).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <rte_common.h>

#include "app.h"
#include "buf.h"
#include "cli_private.h"
#include "policy.h"
#include "prefixfile.h"
#include "reload.h"
#include "report.h"
#include "ruleset.h"
#include "sw_ft.h"
#include "sw_pset.h"
#include "ha.h"

/* Words a line may hold: a `set add` line of prefixes fills 4 KiB. */
#define MAX_ARGS 512

void
cli_fail(struct sw_cli_session *s, struct sw_buf *out, const char *fmt, ...)
{
	char msg[SW_CLI_LINE_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sw_buf_printf(out, "error: %s\n", msg);
	s->failed = true;
}

struct sw_pset *
cli_find_set(const struct sw_app *app, struct sw_cli_session *s,
	     const char *name, struct sw_buf *out)
{
	int i = sw_ruleset_set_index(app->rules, name);

	if (i < 0) {
		cli_fail(s, out, "no set named '%.40s' (show sets lists them)",
			 name);
		return NULL;
	}
	return app->rules->sets[i];
}

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

/* The handlers of the command table (cli_cmds, below). */

static int
cmd_stats(struct sw_app *app, struct sw_cli_session *s, int argc,
	  char **argv, struct sw_buf *out)
{
	/* `show stats json`, or `show stats` asked in JSON. */
	s->json_out = argc == 3 || cli_json(s);
	(void)argv;
	if (s->json_out)
		sw_report_stats_json(app, out, true);
	else
		sw_report_stats(app, out);
	if (s->json_out && (out->len == 0 || out->p[out->len - 1] != '\n'))
		sw_buf_append(out, "\n", 1);
	return SW_CLI_OK;
}

static int
cmd_sources(struct sw_app *app, struct sw_cli_session *s, int argc,
	    char **argv, struct sw_buf *out)
{
	long long n = argc == 3 ? sw_decimal(argv[2], 100000) : 20;

	if (n < 0)
		cli_fail(s, out, "show sources [N]: '%.40s' is not a count",
			 argv[2]);
	else
		sw_report_sources(app, out, (unsigned int)n);
	return SW_CLI_OK;
}

static int
cmd_flowtable(struct sw_app *app, struct sw_cli_session *s, int argc,
	      char **argv, struct sw_buf *out)
{
	(void)s;
	(void)argc;
	(void)argv;
	sw_report_flowtable(app, out);
	return SW_CLI_OK;
}

static int
cmd_rules(struct sw_app *app, struct sw_cli_session *s, int argc,
	  char **argv, struct sw_buf *out)
{
	char grep[64] = "";
	int set = -1, k, i;

	(void)out;
	for (k = 0; argc >= 3 && k < SW_ACL_NB_SETS; k++)
		if (strcmp(argv[2], sw_acl_set_name(k)) == 0)
			set = k;
	/* The words after the list's name, as one text. */
	for (i = set < 0 ? 2 : 3; i < argc; i++)
		snprintf(grep + strlen(grep), sizeof(grep) - strlen(grep),
			 "%s%s", grep[0] ? " " : "", argv[i]);
	if (sw_app_acl(app) == NULL)
		return SW_CLI_OK;
	sw_report_rules_begin(app, &s->rules, set, grep[0] ? grep : NULL);
	s->stream = SW_STREAM_RULES;
	s->streaming = true;
	return SW_CLI_MORE;
}

static int
cmd_timeouts(struct sw_app *app, struct sw_cli_session *s, int argc,
	     char **argv, struct sw_buf *out)
{
	(void)s;
	(void)argc;
	(void)argv;
	sw_report_timeouts(app, out);
	return SW_CLI_OK;
}

static int
cmd_ports(struct sw_app *app, struct sw_cli_session *s, int argc,
	  char **argv, struct sw_buf *out)
{
	(void)s;
	(void)argc;
	(void)argv;
	sw_report_ports(app, out);
	return SW_CLI_OK;
}

static int
cmd_set_timeout(struct sw_app *app, struct sw_cli_session *s, int argc,
		char **argv, struct sw_buf *out)
{
	long long secs;
	int t;

	if (argc != 4) {
		cli_fail(s, out, "usage: set timeout NAME SECONDS");
		return SW_CLI_OK;
	}
	t = sw_ft_timeout_index(argv[2]);
	if (t < 0) {
		cli_fail(s, out, "no timeout named '%.40s' (show timeouts "
			 "lists them)", argv[2]);
		return SW_CLI_OK;
	}
	secs = sw_decimal(argv[3], INT32_MAX);
	if (secs < 1) {
		cli_fail(s, out, "'%.40s' is not a number of seconds (1 to "
			 "%d)", argv[3], INT32_MAX);
		return SW_CLI_OK;
	}
	app->cfg.flowtable.ft.timeouts[t] = (uint32_t)secs;
	if (app->ft != NULL)
		sw_ft_set_timeout(app->ft, (unsigned int)t, (uint32_t)secs);
	sw_buf_printf(out, "%s = %lld (live flows follow at once; the config "
		      "file is unchanged)\n", argv[2], secs);
	return SW_CLI_OK;
}

static int
cmd_reload(struct sw_app *app, struct sw_cli_session *s, int argc,
	   char **argv, struct sw_buf *out)
{
	(void)argc;
	(void)argv;
	if (app->conf_path[0] == '\0') {
		cli_fail(s, out, "no config file to reload");
		return SW_CLI_OK;
	}
	s->reload_seq = sw_app_reload_ask(app, "CLI");
	s->stream = SW_STREAM_RELOAD;
	s->streaming = true;
	return SW_CLI_MORE;
}

static int
cmd_show_ha(struct sw_app *app, struct sw_cli_session *s, int argc,
	    char **argv, struct sw_buf *out)
{
	(void)s;
	(void)argc;
	(void)argv;
	sw_ha_report(app, out);
	return SW_CLI_OK;
}

static int
cmd_ha_role(struct sw_app *app, struct sw_cli_session *s, int argc,
	    char **argv, struct sw_buf *out)
{
	(void)s;
	(void)argc;
	if (strcmp(argv[2], "active") == 0)
		sw_ha_set_role(app, SW_HA_ROLE_ACTIVE, "CLI", out);
	else if (strcmp(argv[2], "standby") == 0)
		sw_ha_set_role(app, SW_HA_ROLE_STANDBY, "CLI", out);
	else
		sw_buf_printf(out, "error: usage: ha role active|standby\n");
	return SW_CLI_OK;
}

static int
cmd_ha_resync(struct sw_app *app, struct sw_cli_session *s, int argc,
	      char **argv, struct sw_buf *out)
{
	(void)s;
	(void)argc;
	(void)argv;
	sw_ha_resync(app, out);
	return SW_CLI_OK;
}

static int
cmd_mode(struct sw_app *app, struct sw_cli_session *s, int argc,
	 char **argv, struct sw_buf *out)
{
	static const char *const modes[] = { "text", "machine", "json" };
	unsigned int m;

	(void)app;
	(void)argc;
	for (m = 0; m < RTE_DIM(modes); m++)
		if (strcmp(argv[1], modes[m]) == 0)
			break;
	if (m == RTE_DIM(modes)) {
		cli_fail(s, out, "usage: mode text|machine|json");
		return SW_CLI_OK;
	}
	/* The reply is framed in the new mode. */
	s->mode = (uint8_t)m;
	sw_buf_printf(out, "mode %s\n", modes[m]);
	return SW_CLI_OK;
}

static int
cmd_quit(struct sw_app *app, struct sw_cli_session *s, int argc,
	 char **argv, struct sw_buf *out)
{
	(void)app;
	(void)s;
	(void)argc;
	(void)argv;
	sw_buf_printf(out, "bye\n");
	return SW_CLI_QUIT;
}

static int cmd_help(struct sw_app *app, struct sw_cli_session *s, int argc,
		    char **argv, struct sw_buf *out);

/* What completes a command's first argument (spillway ctl's prompt). */
enum cli_arg {
	ARG_NONE = 0,
	ARG_SET,		/* a set's name */
	ARG_TIMEOUT,		/* a flow timeout's name */
	ARG_WORDS,		/* the words args lists: [a|b|c] */
};

/*
 * Every command, once: the words that name it, its arguments, how many
 * words a line of it has in all (min, max; -1: any), whether it needs
 * an admin session (a read-only one may not), whether it changes state
 * (logged at NOTICE with who asked), what completes its first argument,
 * its help (lines after the first start with a tab) and its handler.
 * help, dispatch, the state-change log and completion all read this
 * table (VPP's VLIB_CLI_COMMAND); nothing lists a command elsewhere.
 */
static const struct cli_cmd {
	const char *words;
	const char *args;
	int8_t min, max;
	bool admin;
	bool changes;
	uint8_t arg;		/* enum cli_arg */
	const char *help;
	cli_fn fn;
} cli_cmds[] = {
	{ "help", "", 1, 1, false, false, ARG_NONE, "this list", cmd_help },
	{ "show stats", "", 2, 2, false, false, ARG_NONE,
	  "counters (human table; JSON in mode json)", cmd_stats },
	{ "show stats json", "", 3, 3, false, false, ARG_NONE,
	  "the same counters as one JSON object, with rules", cmd_stats },
	{ "show flows", "[detail] [N] [FILTER...]", 2, -1, false, false,
	  ARG_WORDS,
	  "flows, like conntrack -L (default: first 1000;\n"
	  "\t0: all); detail adds zone, port, hash and windows;\n"
	  "\tFILTER: src=ADDR[/LEN] dst=... sport=P dport=P\n"
	  "\tproto=tcp|udp|icmp|N state=ESTABLISHED|...",
	  cli_show_flows },
	{ "show flowtable", "", 2, 2, false, false, ARG_NONE,
	  "size, occupancy, per-worker shards, adaptive scale", cmd_flowtable },
	{ "show sources", "[N]", 2, 3, false, false, ARG_NONE,
	  "the N sources (default 20) holding most flows, with\n"
	  "\ttheir new flows a second (per-source quotas)", cmd_sources },
	{ "show rules", "[notrack|policy|fallback] [TEXT...]", 2, -1, false,
	  false, ARG_WORDS,
	  "every rule: action, hits, match, file:line,\n"
	  "\tcomment; only lines holding TEXT if given", cmd_rules },
	{ "show sets", "", 2, 2, false, false, ARG_NONE,
	  "each set: family, prefixes, size, timeouts, its file;\n"
	  "\tdrift=yes: it no longer holds what its config gave\n"
	  "\t(set add/del/load, timeouts); file_changed=yes: the\n"
	  "\tfile changed since read (a reload applies it)", cli_show_sets },
	{ "show timeouts", "", 2, 2, false, false, ARG_NONE,
	  "flow timeouts in seconds", cmd_timeouts },
	{ "show ports", "", 2, 2, false, false, ARG_NONE,
	  "DPDK port counters and links", cmd_ports },
	{ "set timeout", "NAME SECONDS", 2, -1, true, true, ARG_TIMEOUT,
	  "change a flow timeout; live flows follow at once", cmd_set_timeout },
	{ "set add", "SET PREFIX [timeout S]...", 3, -1, true, true, ARG_SET,
	  "add prefixes to a set, in place, all or none, counted\n"
	  "\t(also: -f FILE); timeout: seconds to live (sets\n"
	  "\twith timeouts; default: the set's)", cli_set_add_del },
	{ "set del", "SET PREFIX...", 3, -1, true, true, ARG_SET,
	  "delete prefixes from a set, all or none, counted\n"
	  "\t(also: -f FILE)", cli_set_add_del },
	{ "set test", "SET ADDRESS", 4, 4, true, false, ARG_SET,
	  "is the address in the set, by which prefix", cli_set_test },
	{ "set list", "SET [N]", 3, 4, true, false, ARG_SET,
	  "the set's prefixes, sorted (default: first 1000;\n"
	  "\t0: all), with the seconds their timeouts have left", cli_set_list },
	{ "set load", "SET FILE", 4, 4, true, true, ARG_SET,
	  "replace the set's content with FILE's, at once\n"
	  "\t(a prefix a line, or ipset save output)", cli_set_load },
	{ "set save", "SET FILE", 4, 4, true, true, ARG_SET,
	  "write the set's prefixes to FILE, sorted\n"
	  "\t(set changes are not written back to the config;\n"
	  "\ta reload keeps them unless the set's elements or\n"
	  "\tfile changed)", cli_set_save },
	{ "flush flows", "[FILTER...]", 2, -1, true, true, ARG_WORDS,
	  "delete every flow, or those FILTER names; answers\n"
	  "\tonce the workers are done, with the count", cli_flush_flows },
	{ "reload", "", 1, 1, true, true, ARG_NONE,
	  "re-read the config file and wait for the result;\n"
	  "\tthe running one stays on error; an error too when a\n"
	  "\tsetting needs a restart (not applied)", cmd_reload },
	{ "mode", "text|machine|json", 2, 2, false, false, ARG_WORDS,
	  "how replies end: text (a '.' line), machine (a\n"
	  "\tstatus line: spillway ctl), json (machine, and JSON\n"
	  "\twhere a command has it)", cmd_mode },
	{ "show ha", "", 2, 2, false, false, ARG_NONE,
	  "HA: mode, role, peer, bulk progress, sync counters", cmd_show_ha },
	{ "ha role", "active|standby", 3, 3, true, true, ARG_WORDS,
	  "forward (active), or forward nothing and keep the\n"
	  "\tpeer's flows (standby); what keepalived's transitions\n"
	  "\tcall (spillway-keepalived-notify sets its role back)",
	  cmd_ha_role },
	{ "ha resync", "", 2, 2, true, true, ARG_NONE,
	  "ask the peer for a bulk of its flows", cmd_ha_resync },
	{ "quit", "", 1, 1, false, false, ARG_NONE, "close this session",
	  cmd_quit },
};

#define HELP_COL 26

static int
cmd_help(struct sw_app *app, struct sw_cli_session *s, int argc,
	 char **argv, struct sw_buf *out)
{
	size_t i;

	(void)app;
	(void)s;
	(void)argc;
	(void)argv;
	for (i = 0; i < RTE_DIM(cli_cmds); i++) {
		const struct cli_cmd *c = &cli_cmds[i];
		const char *h = c->help, *nl;
		char syn[128];
		int n;

		n = snprintf(syn, sizeof(syn), "%s%s%s", c->words,
			     c->args[0] ? " " : "", c->args);
		if (n >= HELP_COL)
			sw_buf_printf(out, "%s\n%*s", syn, HELP_COL, "");
		else
			sw_buf_printf(out, "%-*s", HELP_COL, syn);
		for (; (nl = strchr(h, '\n')) != NULL; h = nl + 2)
			sw_buf_printf(out, "%.*s\n%*s", (int)(nl - h), h,
				      HELP_COL, "");
		sw_buf_printf(out, "%s\n", h);
	}
	return SW_CLI_OK;
}

/*
 * The command argv names: the row whose words it starts with, the
 * longest such. *partial: the first word names a group of commands
 * ("show", "set") though no row of it matched.
 */
static const struct cli_cmd *
cli_find(int argc, char *const *argv, bool *partial)
{
	const struct cli_cmd *best = NULL;
	size_t i, best_n = 0;

	*partial = false;
	for (i = 0; i < RTE_DIM(cli_cmds); i++) {
		const char *w = cli_cmds[i].words;
		size_t n = 0;
		int k;

		for (k = 0; k < argc && *w; k++) {
			size_t len = strcspn(w, " ");

			if (strlen(argv[k]) != len ||
			    strncmp(argv[k], w, len) != 0)
				break;
			if (k == 0)
				*partial = true;
			n++;
			w += len;
			w += *w == ' ';
		}
		if (*w == '\0' && n > best_n) {
			best = &cli_cmds[i];
			best_n = n;
		}
	}
	return best;
}

static bool
fits(const struct cli_cmd *c, int argc)
{
	return c != NULL && argc >= c->min && (c->max < 0 || argc <= c->max);
}

/* The error of a line no row takes, by the group it starts with. */
static void
no_command(struct sw_cli_session *s, int argc, char **argv, bool partial,
	   struct sw_buf *out)
{
	size_t i;

	if (partial && strcmp(argv[0], "show") == 0) {
		if (argc < 2)
			cli_fail(s, out, "show what? stats, flows, flowtable, "
				 "rules, sets, timeouts, ports, ha");
		else
			cli_fail(s, out, "unknown: show %.40s (help lists the "
				 "commands)", argv[1]);
		return;
	}
	if (partial && strcmp(argv[0], "set") == 0) {
		cli_fail(s, out, "usage: set timeout NAME SECONDS | set "
			 "add|del SET PREFIX... | set test SET ADDR | set list "
			 "SET [N] | set load|save SET FILE");
		return;
	}
	if (partial && strcmp(argv[0], "mode") == 0) {
		cli_fail(s, out, "usage: mode text|machine|json");
		return;
	}
	if (partial) {
		cli_fail(s, out, "unknown command '%.40s' (help lists the "
			 "commands)", argv[0]);
		return;
	}
	/* Never echo junk back raw: quote printable ASCII only. */
	for (i = 0; argv[0][i]; i++)
		if ((unsigned char)argv[0][i] > 0x7e)
			argv[0][i] = '?';
	if (strlen(argv[0]) > 40)
		argv[0][40] = '\0';
	cli_fail(s, out, "unknown command '%s' (help lists the commands)",
		 argv[0]);
}

/* A word of a group that changes state counts, as before the table. */
static bool
group_changes(const struct cli_cmd *c, int argc, char **argv, bool partial)
{
	if (c != NULL)
		return c->changes;
	return argc > 0 && partial && (strcmp(argv[0], "set") == 0 ||
				       strcmp(argv[0], "flush") == 0);
}

bool
sw_cli_changes_state(const char *line)
{
	char buf[SW_CLI_LINE_MAX + 1], *argv[8];
	const struct cli_cmd *c;
	bool partial;
	int argc = 0;
	char *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", line);
	for (tok = strtok_r(buf, " \t", &save); tok != NULL && argc < 8;
	     tok = strtok_r(NULL, " \t", &save))
		argv[argc++] = tok;
	if (argc == 0)
		return false;
	c = cli_find(argc, argv, &partial);
	/* set test, set list: looks, not changes, though admin's only. */
	if (c != NULL && !fits(c, argc))
		return c->changes;
	return group_changes(c, argc, argv, partial);
}

/*
 * A control character in a line is refused, not run: it is most often
 * an escape sequence a terminal sent for an arrow key, and turned into
 * a blank it made another command of the line ("\e[Ashow timeouts"
 * ran as an unknown "[Ashow"); DEL is a backspace sent raw. Tabs
 * separate words.
 */
static bool
has_control(struct sw_cli_session *s, const char *line, struct sw_buf *out)
{
	size_t i;

	for (i = 0; line[i]; i++) {
		unsigned char b = (unsigned char)line[i];

		if ((b >= 0x20 && b != 0x7f) || b == '\t')
			continue;
		cli_fail(s, out, "control character 0x%02x at byte %zu%s: "
			 "nothing was run", b, i, b == 0x1b ?
			 " (an escape sequence: an arrow key? spillway ctl "
			 "edits lines with them)" : "");
		return true;
	}
	return false;
}

/*
 * A change while a reload builds waits for it: the reload reads the
 * running sets from its own thread, and the order of changes stays the
 * order they were asked in.
 */
static int
defer(struct sw_cli_session *s, const char *line, struct sw_buf *out)
{
	free(s->deferred);
	s->deferred = strdup(line);
	if (s->deferred == NULL) {
		cli_fail(s, out, "out of memory");
		return SW_CLI_OK;
	}
	s->stream = SW_STREAM_DEFER;
	s->streaming = true;
	return SW_CLI_MORE;
}

static int
exec_line(struct sw_app *app, struct sw_cli_session *s, const char *line,
	  struct sw_buf *out)
{
	char buf[SW_CLI_LINE_MAX + 1];
	char *argv[MAX_ARGS];
	const struct cli_cmd *c;
	size_t start = out->len;
	bool partial;
	int argc, rc;

	s->failed = false;
	s->json_out = false;
	if (has_control(s, line, out))
		return SW_CLI_OK;
	snprintf(buf, sizeof(buf), "%s", line);
	argc = split(buf, argv);
	if (argc < 0) {
		cli_fail(s, out, "too many words (help lists the commands)");
		return SW_CLI_OK;
	}
	if (argc == 0)
		return SW_CLI_OK;
	c = cli_find(argc, argv, &partial);
	if (((c != NULL && c->admin) ||
	     (c == NULL && group_changes(c, argc, argv, partial))) &&
	    !s->admin) {
		cli_fail(s, out, "this session is read-only (TCP without "
			 "control.tcp_admin); %s needs the unix socket",
			 argv[0]);
		return SW_CLI_OK;
	}
	if (!fits(c, argc)) {
		no_command(s, argc, argv, partial, out);
		return SW_CLI_OK;
	}
	if (c->changes && c->fn != cmd_reload && app->reload_job != NULL)
		return defer(s, line, out);
	rc = c->fn(app, s, argc, argv, out);
	/* The text protocol's own rule: a reply that starts so failed. */
	if (out->len - start >= 6 && strncmp(out->p + start, "error:", 6) == 0)
		s->failed = true;
	return rc;
}

/* reload: its result once the reload thread is done. */
static int
reload_more(struct sw_app *app, struct sw_cli_session *s, struct sw_buf *out)
{
	if (app->reload_done < s->reload_seq)
		return SW_CLI_WAIT;
	sw_buf_printf(out, "%s", app->reload_result ? app->reload_result :
		      "error: no result\n");
	/* Refused, or a setting not applied (restart needed). */
	if (app->reload_result == NULL || !app->reload_ok)
		s->failed = true;
	return SW_CLI_OK;
}

static int
deferred_more(struct sw_app *app, struct sw_cli_session *s,
	      struct sw_buf *out)
{
	char *line = s->deferred;
	int rc;

	if (app->reload_job != NULL)
		return SW_CLI_WAIT;
	s->deferred = NULL;
	s->stream = SW_STREAM_NONE;
	s->streaming = false;
	rc = sw_cli_exec(app, s, line, out);
	free(line);
	return rc == SW_CLI_MORE ? SW_CLI_MORE : SW_CLI_OK;
}

static int
stream_more(struct sw_app *app, struct sw_cli_session *s, struct sw_buf *out)
{
	int rc = SW_CLI_OK;

	switch (s->stream) {
	case SW_STREAM_FLOWS:
		rc = sw_report_flows_more(app, &s->flows, out) ? SW_CLI_MORE :
								 SW_CLI_OK;
		break;
	case SW_STREAM_RULES:
		rc = sw_report_rules_more(app, &s->rules, out) ? SW_CLI_MORE :
								 SW_CLI_OK;
		break;
	case SW_STREAM_SET:
		rc = sw_report_set_more(app, &s->set, out) ? SW_CLI_MORE :
							     SW_CLI_OK;
		if (rc == SW_CLI_OK)
			sw_report_set_end(&s->set);
		break;
	case SW_STREAM_RELOAD:
		rc = reload_more(app, s, out);
		break;
	case SW_STREAM_FLUSH:
		rc = cli_flush_more(app, s, out);
		break;
	case SW_STREAM_DEFER:
		/* It runs the line: the stream is the line's now. */
		return deferred_more(app, s, out);
	default:
		break;
	}
	if (rc != SW_CLI_OK)
		return rc;
	s->stream = SW_STREAM_NONE;
	s->streaming = false;
	return SW_CLI_OK;
}

void
sw_cli_end(struct sw_app *app, struct sw_cli_session *s)
{
	sw_report_set_end(&s->set);
	sw_flush_release(app, s->flush);
	s->flush = NULL;
	free(s->deferred);
	s->deferred = NULL;
	s->streaming = false;
	s->stream = SW_STREAM_NONE;
}

/* ---- completion ---- */

/* Call cb with each alternative of "[a|b|c]" or "a|b|c" that fits. */
static void
complete_words(const char *args, const char *prefix, sw_cli_word_cb cb,
	       void *arg)
{
	size_t len = strcspn(args, " "), n;
	char alt[48];
	const char *p = args;

	if (*p == '[') {
		p++;
		len -= 2;
	}
	while (len > 0) {
		n = strcspn(p, "|] ");
		if (n > len)
			n = len;
		/* Upper case words stand for a value, not a word. */
		if (n < sizeof(alt) && !(p[0] >= 'A' && p[0] <= 'Z')) {
			memcpy(alt, p, n);
			alt[n] = '\0';
			if (strncmp(alt, prefix, strlen(prefix)) == 0)
				cb(alt, arg);
		}
		if (n == len)
			break;
		p += n + 1;
		len -= n + 1;
	}
}

static void
complete_arg(const struct cli_cmd *c, const char *prefix,
	     const char *const *sets, unsigned int nb_sets, sw_cli_word_cb cb,
	     void *arg)
{
	unsigned int i;
	const char *n;

	switch (c->arg) {
	case ARG_SET:
		for (i = 0; i < nb_sets; i++)
			if (strncmp(sets[i], prefix, strlen(prefix)) == 0)
				cb(sets[i], arg);
		break;
	case ARG_TIMEOUT:
		for (i = 0; i < SW_FT_TO_MAX; i++) {
			n = sw_ft_timeout_name(i);
			if (strncmp(n, prefix, strlen(prefix)) == 0)
				cb(n, arg);
		}
		break;
	case ARG_WORDS:
		complete_words(c->args, prefix, cb, arg);
		break;
	default:
		break;
	}
}

void
sw_cli_complete(int argc, char *const *argv, const char *prefix,
		const char *const *sets, unsigned int nb_sets,
		sw_cli_word_cb cb, void *arg)
{
	/* Rows of a group share their next word: offered once. */
	const char *seen[RTE_DIM(cli_cmds)];
	size_t i, j, nb_seen = 0, len;
	char word[32];

	for (i = 0; i < RTE_DIM(cli_cmds); i++) {
		const struct cli_cmd *c = &cli_cmds[i];
		const char *w = c->words;
		int k;

		for (k = 0; k < argc && *w; k++) {
			len = strcspn(w, " ");
			if (strlen(argv[k]) != len ||
			    strncmp(argv[k], w, len) != 0)
				break;
			w += len;
			w += *w == ' ';
		}
		if (k < argc && *w)
			continue;	/* a typed word is not this row's */
		if (*w == '\0') {
			/* The row's words typed: its first argument. */
			if (k == argc)
				complete_arg(c, prefix, sets, nb_sets, cb,
					     arg);
			continue;
		}
		len = strcspn(w, " ");
		if (len >= sizeof(word) || strncmp(w, prefix,
						   strlen(prefix)) != 0)
			continue;
		for (j = 0; j < nb_seen; j++)
			if (strncmp(seen[j], w, len) == 0 &&
			    (seen[j][len] == ' ' || seen[j][len] == '\0'))
				break;
		if (j < nb_seen)
			continue;
		seen[nb_seen++] = w;
		memcpy(word, w, len);
		word[len] = '\0';
		cb(word, arg);
	}
}

/*
 * Every reply is text for a person or a line-based script: whatever a
 * command echoes (an argument, a set file's line, a reload's error)
 * comes out as UTF-8 without control characters but newlines and tabs.
 */
int
sw_cli_more(struct sw_app *app, struct sw_cli_session *s, struct sw_buf *out)
{
	size_t from = out->len;
	int rc = stream_more(app, s, out);

	sw_buf_text_clean(out, from);
	return rc;
}

int
sw_cli_exec(struct sw_app *app, struct sw_cli_session *s, const char *line,
	    struct sw_buf *out)
{
	size_t from = out->len;
	int rc = exec_line(app, s, line, out);

	sw_buf_text_clean(out, from);
	return rc;
}
