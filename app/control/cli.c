/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_common.h>

#include "app.h"
#include "atomicfile.h"
#include "buf.h"
#include "cli.h"
#include "prefixfile.h"
#include "ruleset.h"
#include "sw_ft.h"
#include "sw_pset.h"
#include "report.h"
#include "reload.h"
#include "flowfilter.h"
#include "ha.h"

/* Words a line may hold: a `set add` line of prefixes fills 4 KiB. */
#define MAX_ARGS 512
#define FLOWS_DEFAULT 1000
#define SET_LIST_DEFAULT 1000
/* Prefixes one chunk of `set list` appends. */
#define SET_LIST_CHUNK 2048

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

static bool
no_table(const struct sw_app *app, struct sw_buf *out)
{
	if (app->ft != NULL)
		return false;
	sw_buf_printf(out, "error: the flow table is disabled "
		      "(flowtable.enabled = false)\n");
	return true;
}

/* show flows [detail] [N] [FILTER...] */
static int
cmd_show_flows(struct sw_app *app, struct sw_cli_session *s, int argc,
	       char **argv, struct sw_buf *out)
{
	struct sw_flow_filter f;
	char err[200];
	int i = 2, detail = 0;
	long long n = FLOWS_DEFAULT;

	if (i < argc && strcmp(argv[i], "detail") == 0) {
		detail = 1;
		i++;
	}
	if (i < argc && strchr(argv[i], '=') == NULL) {
		n = number(argv[i], UINT32_MAX);
		if (n < 0) {
			sw_buf_printf(out, "error: show flows [detail] [N] "
				      "[FILTER...]: '%.40s' is not a count\n",
				      argv[i]);
			return SW_CLI_OK;
		}
		i++;
	}
	if (sw_flow_filter_parse(&f, argc - i, argv + i, err, sizeof(err))) {
		sw_buf_printf(out, "error: %s\n", err);
		return SW_CLI_OK;
	}
	if (no_table(app, out))
		return SW_CLI_OK;
	sw_report_flows_begin(app, &s->flows, (uint64_t)n, detail,
			      i < argc ? &f : NULL);
	s->stream = SW_STREAM_FLOWS;
	s->streaming = true;
	return SW_CLI_MORE;
}

static struct sw_pset *
find_set(const struct sw_app *app, const char *name, struct sw_buf *out)
{
	int i = sw_ruleset_set_index(app->rules, name);

	if (i < 0) {
		sw_buf_printf(out, "error: no set named '%.40s' (show sets "
			      "lists them)\n", name);
		return NULL;
	}
	return app->rules->sets[i];
}

static void
cmd_show_sets(const struct sw_app *app, struct sw_buf *out)
{
	static const char *const fam[] = { "any", "", "", "", "ipv4", "",
					   "ipv6" };
	unsigned int i;

	if (app->rules == NULL || app->rules->nb_sets == 0) {
		sw_buf_printf(out, "no sets (define them under sets in the "
			      "config)\n");
		return;
	}
	for (i = 0; i < app->rules->nb_sets; i++) {
		const struct sw_pset *ps = app->rules->sets[i];
		uint8_t f = sw_pset_family(ps);

		sw_buf_printf(out, "set %s family=%s ipv4=%u ipv6=%u max=%u "
			      "changes=%" PRIu64 "%s%s\n", app->rules->names[i],
			      fam[f], sw_pset_count(ps, 4),
			      sw_pset_count(ps, 6), sw_pset_max(ps, f ? f : 4),
			      sw_pset_generation(ps),
			      app->cfg.sets[i].file[0] ? " file=" : "",
			      app->cfg.sets[i].file);
	}
}

/* The handlers of the command table (cli_cmds, below). */

static int
cmd_stats(struct sw_app *app, struct sw_cli_session *s, int argc,
	  char **argv, struct sw_buf *out)
{
	(void)s;
	(void)argc;
	(void)argv;
	sw_report_stats(app, out);
	return SW_CLI_OK;
}

static int
cmd_stats_json(struct sw_app *app, struct sw_cli_session *s, int argc,
	       char **argv, struct sw_buf *out)
{
	(void)s;
	(void)argc;
	(void)argv;
	sw_report_stats_json(app, out, true);
	return SW_CLI_OK;
}

static int
cmd_sources(struct sw_app *app, struct sw_cli_session *s, int argc,
	    char **argv, struct sw_buf *out)
{
	long long n = argc == 3 ? number(argv[2], 100000) : 20;

	(void)s;
	if (n < 0)
		sw_buf_printf(out, "error: show sources [N]: '%s' is not a "
			      "count\n", argv[2]);
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
cmd_sets(struct sw_app *app, struct sw_cli_session *s, int argc,
	 char **argv, struct sw_buf *out)
{
	(void)s;
	(void)argc;
	(void)argv;
	cmd_show_sets(app, out);
	return SW_CLI_OK;
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

static void
cmd_timeout(struct sw_app *app, int argc, char **argv, struct sw_buf *out)
{
	long long secs;
	int t;

	if (argc != 4) {
		sw_buf_printf(out, "error: usage: set timeout NAME SECONDS\n");
		return;
	}
	t = sw_ft_timeout_index(argv[2]);
	if (t < 0) {
		sw_buf_printf(out, "error: no timeout named '%.40s' (show "
			      "timeouts lists them)\n", argv[2]);
		return;
	}
	secs = number(argv[3], INT32_MAX);
	if (secs < 1) {
		sw_buf_printf(out, "error: '%.40s' is not a number of seconds "
			      "(1 to %d)\n", argv[3], INT32_MAX);
		return;
	}
	app->cfg.flowtable.ft.timeouts[t] = (uint32_t)secs;
	if (app->ft != NULL)
		sw_ft_set_timeout(app->ft, (unsigned int)t, (uint32_t)secs);
	sw_buf_printf(out, "%s = %lld (live flows follow at once; the config "
		      "file is unchanged)\n", argv[2], secs);
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * A file a command names, as the config's own files are found: a
 * relative path is read next to the config file, never in whatever
 * directory spillway runs in (the unit's, /).
 */
static void
cli_path(const struct sw_app *app, const char *file, char *buf, size_t len)
{
	const char *slash = strrchr(app->conf_path, '/');

	if (file[0] == '/' || slash == NULL)
		snprintf(buf, len, "%s", file);
	else
		snprintf(buf, len, "%.*s/%s", (int)(slash - app->conf_path),
			 app->conf_path, file);
}

/*
 * Under systemd, spillway's /tmp is its own (the unit's PrivateTmp): a
 * file an admin left in the host's /tmp is not there. Say so.
 */
static const char *
tmp_hint(const char *path, int rc)
{
	if (rc != -ENOENT || getenv("INVOCATION_ID") == NULL ||
	    (strncmp(path, "/tmp/", 5) != 0 &&
	     strncmp(path, "/var/tmp/", 9) != 0))
		return "";
	return " (spillway's /tmp is its own under systemd, PrivateTmp: "
	       "put the file in /var/lib/spillway)";
}

/* The prefixes of a set command: the words, or -f FILE's lines. */
static int
set_prefixes(const struct sw_app *app, struct sw_pset *ps, int argc,
	     char **argv, struct sw_acl_cidr **v, uint32_t *n,
	     struct sw_buf *out)
{
	uint8_t fam = sw_pset_family(ps);
	char err[SW_ERR_MAX], path[PATH_MAX];
	uint64_t digest = 0;
	int i, rc;

	*v = NULL;
	*n = 0;
	if (argc == 2 && strcmp(argv[0], "-f") == 0) {
		cli_path(app, argv[1], path, sizeof(path));
		rc = sw_prefix_file_read(path, fam, v, n, &digest, err,
					 sizeof(err));
		if (rc == 0)
			return 0;
		sw_buf_printf(out, "error: %s%s\n", err, tmp_hint(path, rc));
		free(*v);
		return -EINVAL;
	}
	*v = malloc(sizeof(**v) * (size_t)(argc ? argc : 1));
	if (*v == NULL) {
		sw_buf_printf(out, "error: out of memory\n");
		return -ENOMEM;
	}
	for (i = 0; i < argc; i++) {
		struct sw_acl_cidr *c = &(*v)[*n];

		if (sw_acl_parse_cidr(argv[i], c, err, sizeof(err)) != 0 ||
		    c->family == 0 || (fam && c->family != fam)) {
			sw_buf_printf(out, "error: '%.60s': %s\n", argv[i],
				      c->family == 0 ? "not a prefix" :
				      fam && c->family != fam ?
				      "not of the set's family" : err);
			free(*v);
			return -EINVAL;
		}
		(*n)++;
	}
	return 0;
}

static void
cmd_set_change(struct sw_app *app, const char *op, const char *name,
	       int argc, char **argv, struct sw_buf *out)
{
	struct sw_pset *ps = find_set(app, name, out);
	struct sw_pset_result res;
	struct sw_acl_cidr *v;
	struct timespec t0;
	bool del = strcmp(op, "del") == 0, load = strcmp(op, "load") == 0;
	uint32_t n;
	char a[64];
	int rc;

	if (ps == NULL)
		return;
	if (argc == 0) {
		sw_buf_printf(out, "error: usage: set %s NAME PREFIX... (or "
			      "-f FILE)\n", op);
		return;
	}
	if (load && argc == 1) {
		char *fa[2] = { "-f", argv[0] };

		rc = set_prefixes(app, ps, 2, fa, &v, &n, out);
	} else {
		rc = set_prefixes(app, ps, argc, argv, &v, &n, out);
	}
	if (rc)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = load ? sw_pset_replace(ps, (const struct sw_pset_prefix *)v, n,
				    &res) :
		    sw_pset_update(ps, (const struct sw_pset_prefix *)v, n, del,
				   &res);
	if (rc) {
		sw_acl_cidr_format(&v[res.failed], a, sizeof(a));
		sw_buf_printf(out, "error: set %s: %s at %s: nothing changed%s"
			      "\n", name, rc == -ENOSPC ? "full" :
			      rc == -EINVAL ? "not of its family" :
			      strerror(-rc), a, rc == -ENOSPC ?
			      " (its max is in the config: sets.NAME.max, "
			      "max_nets; a restart applies a new size)" : "");
	} else if (load) {
		sw_buf_printf(out, "set %s: now %u prefixes from %s (%u "
			      "duplicates), swapped in at once, %.1f ms; the "
			      "config is unchanged\n", name, res.changed,
			      argv[0], res.unchanged, ms_since(&t0));
	} else {
		sw_buf_printf(out, "set %s: %u %s, %u %s, %.1f ms, in place "
			      "(no rule rebuild; the config is unchanged)\n",
			      name, res.changed, del ? "deleted" : "added",
			      res.unchanged, del ? "were not in it" :
			      "were already in it", ms_since(&t0));
	}
	free(v);
}

static void
cmd_set_test(struct sw_app *app, const char *name, const char *addr,
	     struct sw_buf *out)
{
	struct sw_pset *ps = find_set(app, name, out);
	struct sw_pset_prefix m;
	struct sw_acl_cidr c;
	char err[160], a[64];

	if (ps == NULL)
		return;
	if (sw_acl_parse_cidr(addr, &c, err, sizeof(err)) != 0 ||
	    c.family == 0 || c.plen != (c.family == 4 ? 32 : 128)) {
		sw_buf_printf(out, "error: '%.60s' is not an address\n", addr);
		return;
	}
	if (sw_pset_test(ps, c.family, c.addr, &m)) {
		sw_acl_cidr_format((const struct sw_acl_cidr *)&m, a,
				   sizeof(a));
		sw_buf_printf(out, "%s is in %s (by %s)\n", addr, name, a);
	} else {
		sw_buf_printf(out, "%s is not in %s\n", addr, name);
	}
}

static void
cmd_set_save(struct sw_app *app, const char *name, const char *file,
	     struct sw_buf *out)
{
	struct sw_pset *ps = find_set(app, name, out);
	struct sw_set_list l;
	char path[PATH_MAX];
	struct sw_buf b;
	int rc;

	if (ps == NULL)
		return;
	sw_buf_init(&b);
	memset(&l, 0, sizeof(l));
	snprintf(l.name, sizeof(l.name), "%s", name);
	l.gen = sw_pset_generation(ps);
	sw_buf_printf(&b, "# set %s, saved by spillway\n", name);
	while (sw_report_set_more(app, &l, &b))
		;
	cli_path(app, file, path, sizeof(path));
	rc = b.oom ? -ENOMEM : sw_file_replace(path, b.p, b.len, 0644);
	if (rc)
		sw_buf_printf(out, "error: %s: %s%s\n", path, strerror(-rc),
			      rc == -EROFS ? " (read-only under systemd's "
			      "ProtectSystem: save to /var/lib/spillway or "
			      "/etc/spillway/sets)" : "");
	else
		sw_buf_printf(out, "set %s: %" PRIu64 " prefixes written to %s"
			      "\n", name, l.shown, path);
	sw_buf_free(&b);
}

static int
cmd_set_timeout(struct sw_app *app, struct sw_cli_session *s, int argc,
		char **argv, struct sw_buf *out)
{
	(void)s;
	cmd_timeout(app, argc, argv, out);
	return SW_CLI_OK;
}

static int
cmd_set_add_del(struct sw_app *app, struct sw_cli_session *s, int argc,
		char **argv, struct sw_buf *out)
{
	(void)s;
	cmd_set_change(app, argv[1], argv[2], argc - 3, argv + 3, out);
	return SW_CLI_OK;
}

static int
cmd_set_load(struct sw_app *app, struct sw_cli_session *s, int argc,
	     char **argv, struct sw_buf *out)
{
	(void)s;
	(void)argc;
	cmd_set_change(app, "load", argv[2], 1, argv + 3, out);
	return SW_CLI_OK;
}

static int
cmd_set_test_fn(struct sw_app *app, struct sw_cli_session *s, int argc,
		char **argv, struct sw_buf *out)
{
	(void)s;
	(void)argc;
	cmd_set_test(app, argv[2], argv[3], out);
	return SW_CLI_OK;
}

static int
cmd_set_save_fn(struct sw_app *app, struct sw_cli_session *s, int argc,
		char **argv, struct sw_buf *out)
{
	(void)s;
	(void)argc;
	cmd_set_save(app, argv[2], argv[3], out);
	return SW_CLI_OK;
}

static int
cmd_set_list(struct sw_app *app, struct sw_cli_session *s, int argc,
	     char **argv, struct sw_buf *out)
{
	long long n = argc == 4 ? number(argv[3], UINT32_MAX) :
		      SET_LIST_DEFAULT;
	struct sw_pset *ps = find_set(app, argv[2], out);

	if (ps == NULL)
		return SW_CLI_OK;
	if (n < 0) {
		sw_buf_printf(out, "error: set list NAME [N]: '%.40s' is not "
			      "a count\n", argv[3]);
		return SW_CLI_OK;
	}
	memset(&s->set, 0, sizeof(s->set));
	snprintf(s->set.name, sizeof(s->set.name), "%s", argv[2]);
	s->set.limit = (uint64_t)n;
	s->set.gen = sw_pset_generation(ps);
	s->stream = SW_STREAM_SET;
	s->streaming = true;
	return SW_CLI_MORE;
}

static void
cmd_flush(struct sw_app *app, int argc, char **argv, struct sw_buf *out)
{
	struct sw_flow_filter f, *ff;
	char err[200];

	if (sw_flow_filter_parse(&f, argc - 2, argv + 2, err, sizeof(err))) {
		sw_buf_printf(out, "error: %s\n", err);
		return;
	}
	if (no_table(app, out))
		return;
	if (argc == 2) {
		sw_buf_printf(out, "flushing %" PRIu64 " flows (each worker "
			      "empties its own shard)\n", total_flows(app));
		sw_ft_flush(app->ft);
		return;
	}
	if (app->flush_filter != NULL) {
		sw_buf_printf(out, "error: a filtered flush is still going on; "
			      "try again in a moment\n");
		return;
	}
	ff = malloc(sizeof(*ff));
	if (ff == NULL) {
		sw_buf_printf(out, "error: out of memory\n");
		return;
	}
	*ff = f;
	/* The workers' judge reads it from now until its pass is over. */
	__atomic_store_n(&app->flush_filter, ff, __ATOMIC_RELEASE);
	sw_ft_revalidate(app->ft);
	sw_buf_printf(out, "flushing the flows that match (each worker sweeps "
		      "its shard; show flowtable counts them as revalidated)"
		      "\n");
}

static int
cmd_flush_fn(struct sw_app *app, struct sw_cli_session *s, int argc,
	     char **argv, struct sw_buf *out)
{
	(void)s;
	cmd_flush(app, argc, argv, out);
	return SW_CLI_OK;
}

static int
cmd_reload(struct sw_app *app, struct sw_cli_session *s, int argc,
	   char **argv, struct sw_buf *out)
{
	(void)argc;
	(void)argv;
	if (app->conf_path[0] == '\0') {
		sw_buf_printf(out, "error: no config file to reload\n");
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

typedef int (*cli_fn)(struct sw_app *app, struct sw_cli_session *s, int argc,
		      char **argv, struct sw_buf *out);

/*
 * Every command, once: the words that name it, its arguments, how many
 * words a line of it has in all (min, max; -1: any), whether it changes
 * state (a read-only session may not; it is logged), its help (lines
 * after the first start with a tab) and its handler. help, dispatch and
 * the state-change log all read this table (VPP's VLIB_CLI_COMMAND).
 */
static const struct cli_cmd {
	const char *words;
	const char *args;
	int8_t min, max;
	bool changes;
	const char *help;
	cli_fn fn;
} cli_cmds[] = {
	{ "help", "", 1, 1, false, "this list", cmd_help },
	{ "show stats", "", 2, 2, false, "counters (human table)", cmd_stats },
	{ "show stats json", "", 3, 3, false,
	  "the same counters as one JSON object, with rules", cmd_stats_json },
	{ "show flows", "[detail] [N] [FILTER...]", 2, -1, false,
	  "flows, like conntrack -L (default: first 1000;\n"
	  "\t0: all); detail adds zone, port, hash and windows;\n"
	  "\tFILTER: src=ADDR[/LEN] dst=... sport=P dport=P\n"
	  "\tproto=tcp|udp|icmp|N state=ESTABLISHED|...", cmd_show_flows },
	{ "show flowtable", "", 2, 2, false,
	  "size, occupancy, per-worker shards, adaptive scale", cmd_flowtable },
	{ "show sources", "[N]", 2, 3, false,
	  "the N sources (default 20) holding most flows, with\n"
	  "\ttheir new flows a second (per-source quotas)", cmd_sources },
	{ "show rules", "[notrack|policy|fallback] [TEXT...]", 2, -1, false,
	  "every rule: action, hits, match, file:line,\n"
	  "\tcomment; only lines holding TEXT if given", cmd_rules },
	{ "show sets", "", 2, 2, false, "each set: family, prefixes, size",
	  cmd_sets },
	{ "show timeouts", "", 2, 2, false, "flow timeouts in seconds",
	  cmd_timeouts },
	{ "set timeout", "NAME SECONDS", 2, -1, true,
	  "change a timeout; live flows follow at once", cmd_set_timeout },
	{ "set add", "NAME PREFIX...", 3, -1, true,
	  "add prefixes to a set, in place (also: -f FILE)", cmd_set_add_del },
	{ "set del", "NAME PREFIX...", 3, -1, true,
	  "delete prefixes from a set (also: -f FILE)", cmd_set_add_del },
	{ "set test", "NAME ADDRESS", 4, 4, true,
	  "is the address in the set, by which prefix", cmd_set_test_fn },
	{ "set list", "NAME [N]", 3, 4, true,
	  "the set's prefixes (default: first 1000; 0: all)", cmd_set_list },
	{ "set load", "NAME FILE", 4, 4, true,
	  "replace the set's content with FILE's, at once", cmd_set_load },
	{ "set save", "NAME FILE", 4, 4, true,
	  "write the set's prefixes to FILE\n"
	  "\t(set changes are not written back to the config;\n"
	  "\ta reload keeps them unless the set's definition or\n"
	  "\tfile changed)", cmd_set_save_fn },
	{ "show ports", "", 2, 2, false, "DPDK port counters and links",
	  cmd_ports },
	{ "flush flows", "[FILTER...]", 2, -1, true,
	  "delete every flow, or those FILTER names", cmd_flush_fn },
	{ "reload", "", 1, 1, true,
	  "re-read the config file and wait for the result;\n"
	  "\tthe running one stays on error", cmd_reload },
	{ "show ha", "", 2, 2, false,
	  "HA: mode, role, peer, bulk progress, sync counters", cmd_show_ha },
	{ "ha role", "active|standby", 3, 3, true,
	  "forward (active), or forward nothing and keep the\n"
	  "\tpeer's flows (standby); keepalived's notify scripts", cmd_ha_role },
	{ "ha resync", "", 2, 2, true, "ask the peer for a bulk of its flows",
	  cmd_ha_resync },
	{ "quit", "", 1, 1, false, "close this session", cmd_quit },
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
cli_find(int argc, char **argv, bool *partial)
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
no_command(int argc, char **argv, bool partial, struct sw_buf *out)
{
	size_t i;

	if (partial && strcmp(argv[0], "show") == 0) {
		if (argc < 2)
			sw_buf_printf(out, "error: show what? stats, flows, "
				      "flowtable, rules, sets, timeouts, "
				      "ports, ha\n");
		else
			sw_buf_printf(out, "error: unknown: show %.40s (help "
				      "lists the commands)\n", argv[1]);
		return;
	}
	if (partial && strcmp(argv[0], "set") == 0) {
		sw_buf_printf(out, "error: usage: set timeout NAME SECONDS | "
			      "set add|del NAME PREFIX... | set test NAME ADDR "
			      "| set list NAME [N] | set load|save NAME "
			      "FILE\n");
		return;
	}
	if (partial) {
		sw_buf_printf(out, "error: unknown command '%.40s' (help lists "
			      "the commands)\n", argv[0]);
		return;
	}
	/* Never echo junk back raw: quote printable ASCII only. */
	for (i = 0; argv[0][i]; i++)
		if ((unsigned char)argv[0][i] > 0x7e)
			argv[0][i] = '?';
	if (strlen(argv[0]) > 40)
		argv[0][40] = '\0';
	sw_buf_printf(out, "error: unknown command '%s' (help lists the "
		      "commands)\n", argv[0]);
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
	/* A word of a group that changes state counts, as before. */
	if (c == NULL)
		return partial && (strcmp(argv[0], "set") == 0 ||
				   strcmp(argv[0], "flush") == 0);
	return c->changes;
}

static int
stream_more(struct sw_app *app, struct sw_cli_session *s, struct sw_buf *out)
{
	bool more = false;

	switch (s->stream) {
	case SW_STREAM_FLOWS:
		more = sw_report_flows_more(app, &s->flows, out);
		break;
	case SW_STREAM_RULES:
		more = sw_report_rules_more(app, &s->rules, out);
		break;
	case SW_STREAM_SET:
		more = sw_report_set_more(app, &s->set, out);
		break;
	case SW_STREAM_RELOAD:
		/* The reload thread works; the answer comes when it is done. */
		if (app->reload_done < s->reload_seq)
			return SW_CLI_WAIT;
		sw_buf_printf(out, "%s", app->reload_result ?
			      app->reload_result : "error: no result\n");
		break;
	default:
		break;
	}
	if (more)
		return SW_CLI_MORE;
	s->stream = SW_STREAM_NONE;
	s->streaming = false;
	return SW_CLI_OK;
}

static int
exec_line(struct sw_app *app, struct sw_cli_session *s, const char *line,
	  struct sw_buf *out)
{
	char buf[SW_CLI_LINE_MAX + 1];
	char *argv[MAX_ARGS];
	const struct cli_cmd *c;
	bool partial;
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
	c = cli_find(argc, argv, &partial);
	if (((c != NULL && c->changes) ||
	     (c == NULL && partial && (strcmp(argv[0], "set") == 0 ||
				       strcmp(argv[0], "flush") == 0))) &&
	    !s->admin) {
		sw_buf_printf(out, "error: this session is read-only (TCP "
			      "without control.tcp_admin); %s needs the unix "
			      "socket\n", argv[0]);
		return SW_CLI_OK;
	}
	if (!fits(c, argc)) {
		no_command(argc, argv, partial, out);
		return SW_CLI_OK;
	}
	return c->fn(app, s, argc, argv, out);
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
