/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The set commands: show sets, set add/del/load (in place, all or
 * none, counted), set test, set list and set save (sorted).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app.h"
#include "atomicfile.h"
#include "buf.h"
#include "cli_private.h"
#include "clock.h"
#include "prefixfile.h"
#include "report.h"
#include "ruleset.h"
#include "sw_pset.h"

int
cli_show_sets(struct sw_app *app, struct sw_cli_session *s, int argc,
	      char **argv, struct sw_buf *out)
{
	(void)argc;
	(void)argv;
	s->json_out = cli_json(s);
	sw_report_sets(app, out, s->json_out);
	return SW_CLI_OK;
}

static double
ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 +
	       (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* What a set command changes: its elements and their timeouts. */
struct elems {
	struct sw_acl_cidr *v;
	uint32_t *t;		/* NULL: none given */
	uint32_t n;
};

static void
elems_free(struct elems *e)
{
	free(e->v);
	free(e->t);
	memset(e, 0, sizeof(*e));
}

/*
 * A set's config (its default timeout), by name: the running set's
 * definition is the config's in force.
 */
static const struct sw_set_conf *
set_conf(const struct sw_app *app, const char *name)
{
	int i = sw_config_set_index(&app->cfg, name);

	return i < 0 ? NULL : &app->cfg.sets[i];
}

/*
 * The elements of a set command: the words (PREFIX [timeout SECONDS]
 * ...), or -f FILE's lines. Elements that give no timeout get the
 * set's default (sets with timeouts).
 */
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

static int
read_elems(const struct sw_app *app, struct sw_cli_session *s,
	   struct sw_pset *ps, const char *name, bool del, int argc,
	   char **argv, struct elems *e, struct sw_buf *out)
{
	const struct sw_set_conf *sc = set_conf(app, name);
	bool timed = sw_pset_has_timeouts(ps);
	uint8_t fam = sw_pset_family(ps);
	char err[SW_ERR_MAX], path[PATH_MAX];
	uint64_t digest = 0;
	uint32_t i;
	int k, rc;

	memset(e, 0, sizeof(*e));
	if (argc == 2 && strcmp(argv[0], "-f") == 0) {
		cli_path(app, argv[1], path, sizeof(path));
		rc = sw_prefix_file_read(path, fam, &e->v,
					 timed ? &e->t : NULL, &e->n, &digest,
					 err, sizeof(err));
		if (rc) {
			cli_fail(s, out, "%s%s", err, tmp_hint(path, rc));
			elems_free(e);
			return rc;
		}
	} else {
		e->v = malloc(sizeof(*e->v) * (size_t)(argc ? argc : 1));
		e->t = malloc(sizeof(*e->t) * (size_t)(argc ? argc : 1));
		if (e->v == NULL || e->t == NULL) {
			cli_fail(s, out, "out of memory");
			elems_free(e);
			return -ENOMEM;
		}
		for (k = 0; k < argc; k += rc) {
			struct sw_acl_cidr *c = &e->v[e->n];

			rc = sw_prefix_words(argc - k, argv + k, c,
					     &e->t[e->n], err, sizeof(err));
			if (rc < 0 || (fam && c->family != fam)) {
				cli_fail(s, out, "%s", rc < 0 ? err :
					 "a prefix not of the set's family");
				elems_free(e);
				return -EINVAL;
			}
			e->n++;
		}
	}
	for (i = 0; e->t != NULL && i < e->n; i++) {
		if (e->t[i] == SW_PREFIX_NO_TIMEOUT) {
			e->t[i] = sc != NULL && timed ? sc->timeout : 0;
		} else if (del || !timed) {
			cli_fail(s, out, "a timeout %s", del ? "on a delete" :
				 "on a set without timeouts (give it one: "
				 "sets.NAME.timeout)");
			elems_free(e);
			return -EINVAL;
		}
	}
	return 0;
}

/* A change the set refused: nothing changed, and why. */
static void
refused(struct sw_cli_session *s, const char *name, int rc,
	const struct elems *e, const struct sw_pset_result *res,
	struct sw_buf *out)
{
	char a[64] = "?";

	if (res->failed < e->n)
		sw_acl_cidr_format(&e->v[res->failed], a, sizeof(a));
	cli_fail(s, out, "set %s: %s at %s: nothing changed%s", name,
		 rc == -ENOSPC ? "full" : rc == -EINVAL ?
		 "not of its family" : strerror(-rc), a,
		 rc == -ENOSPC ? " (its size is in the config: sets.NAME.max, "
		 "max_nets; a reload with a larger one makes the set again, "
		 "keeping what it holds)" : "");
}

static void
changed_reply(struct sw_cli_session *s, const char *name, const char *op,
	      const struct sw_pset_result *res, bool timed, double ms,
	      struct sw_buf *out)
{
	bool del = strcmp(op, "del") == 0;

	if (cli_json(s)) {
		s->json_out = true;
		sw_buf_printf(out, "{\"set\":");
		sw_buf_json_str(out, name);
		sw_buf_printf(out, ",\"op\":\"%s\",\"changed\":%u,"
			      "\"unchanged\":%u,\"ms\":%.1f}\n", op,
			      res->changed, res->unchanged, ms);
		return;
	}
	sw_buf_printf(out, "set %s: %u %s, %u %s, %.1f ms, in place (no rule "
		      "rebuild; the config is unchanged)\n", name,
		      res->changed, del ? "deleted" : "added", res->unchanged,
		      del ? "were not in it" : timed ?
		      "were already in it (their timeouts set anew)" :
		      "were already in it", ms);
}

int
cli_set_add_del(struct sw_app *app, struct sw_cli_session *s, int argc,
		char **argv, struct sw_buf *out)
{
	const char *op = argv[1], *name = argv[2];
	struct sw_pset *ps = cli_find_set(app, s, name, out);
	bool del = strcmp(op, "del") == 0;
	struct sw_pset_result res;
	struct timespec t0;
	struct elems e;
	int rc;

	if (ps == NULL)
		return SW_CLI_OK;
	if (argc < 4) {
		cli_fail(s, out, "usage: set %s NAME PREFIX... (or -f FILE)",
			 op);
		return SW_CLI_OK;
	}
	if (read_elems(app, s, ps, name, del, argc - 3, argv + 3, &e, out))
		return SW_CLI_OK;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = del ? sw_pset_update(ps, (const struct sw_pset_prefix *)e.v, e.n,
				  true, &res) :
		   sw_pset_add(ps, (const struct sw_pset_prefix *)e.v, e.t, e.n,
			       (uint64_t)sw_now_s(), &res);
	if (rc)
		refused(s, name, rc, &e, &res, out);
	else
		changed_reply(s, name, op, &res, sw_pset_has_timeouts(ps),
			      ms_since(&t0), out);
	elems_free(&e);
	return SW_CLI_OK;
}

int
cli_set_load(struct sw_app *app, struct sw_cli_session *s, int argc,
	     char **argv, struct sw_buf *out)
{
	const char *name = argv[2];
	struct sw_pset *ps = cli_find_set(app, s, name, out);
	char *fa[2] = { "-f", argv[3] };
	struct sw_pset_result res;
	struct timespec t0;
	struct elems e;
	int rc;

	(void)argc;
	if (ps == NULL || read_elems(app, s, ps, name, false, 2, fa, &e, out))
		return SW_CLI_OK;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = sw_pset_load(ps, (const struct sw_pset_prefix *)e.v, e.t, e.n,
			  (uint64_t)sw_now_s(), &res);
	if (rc) {
		refused(s, name, rc, &e, &res, out);
	} else if (cli_json(s)) {
		s->json_out = true;
		sw_buf_printf(out, "{\"set\":");
		sw_buf_json_str(out, name);
		sw_buf_printf(out, ",\"op\":\"load\",\"prefixes\":%u,"
			      "\"duplicates\":%u,\"ms\":%.1f}\n", res.changed,
			      res.unchanged, ms_since(&t0));
	} else {
		sw_buf_printf(out, "set %s: now %u prefixes from %s (%u "
			      "duplicates), swapped in at once, %.1f ms; the "
			      "config is unchanged\n", name, res.changed,
			      argv[3], res.unchanged, ms_since(&t0));
	}
	elems_free(&e);
	return SW_CLI_OK;
}

int
cli_set_test(struct sw_app *app, struct sw_cli_session *s, int argc,
	     char **argv, struct sw_buf *out)
{
	const char *name = argv[2], *addr = argv[3];
	struct sw_pset *ps = cli_find_set(app, s, name, out);
	struct sw_pset_prefix m;
	struct sw_acl_cidr c;
	char err[160], a[64] = "";
	uint32_t left = 0;
	bool in;

	(void)argc;
	if (ps == NULL)
		return SW_CLI_OK;
	if (sw_acl_parse_cidr(addr, &c, err, sizeof(err)) != 0 ||
	    c.family == 0 || c.plen != (c.family == 4 ? 32 : 128)) {
		cli_fail(s, out, "'%.60s' is not an address", addr);
		return SW_CLI_OK;
	}
	in = sw_pset_test(ps, c.family, c.addr, &m);
	if (in) {
		sw_acl_cidr_format((const struct sw_acl_cidr *)&m, a,
				   sizeof(a));
		left = sw_pset_timeout_left(ps, &m, (uint64_t)sw_now_s());
	}
	if (cli_json(s)) {
		s->json_out = true;
		sw_buf_printf(out, "{\"set\":");
		sw_buf_json_str(out, name);
		sw_buf_printf(out, ",\"address\":");
		sw_buf_json_str(out, addr);
		sw_buf_printf(out, ",\"member\":%s,\"by\":", in ? "true" :
			      "false");
		if (in)
			sw_buf_json_str(out, a);
		else
			sw_buf_printf(out, "null");
		sw_buf_printf(out, ",\"timeout\":%u}\n", left);
	} else if (in && left) {
		sw_buf_printf(out, "%s is in %s (by %s, timeout %u)\n", addr,
			      name, a, left);
	} else if (in) {
		sw_buf_printf(out, "%s is in %s (by %s)\n", addr, name, a);
	} else {
		sw_buf_printf(out, "%s is not in %s\n", addr, name);
	}
	return SW_CLI_OK;
}

int
cli_set_list(struct sw_app *app, struct sw_cli_session *s, int argc,
	     char **argv, struct sw_buf *out)
{
	long long n = argc == 4 ? sw_decimal(argv[3], UINT32_MAX) : 1000;

	if (cli_find_set(app, s, argv[2], out) == NULL)
		return SW_CLI_OK;
	if (n < 0) {
		cli_fail(s, out, "set list NAME [N]: '%.40s' is not a count",
			 argv[3]);
		return SW_CLI_OK;
	}
	if (sw_report_set_begin(app, &s->set, argv[2], (uint64_t)n) != 0) {
		cli_fail(s, out, "out of memory");
		return SW_CLI_OK;
	}
	s->stream = SW_STREAM_SET;
	s->streaming = true;
	return SW_CLI_MORE;
}

int
cli_set_save(struct sw_app *app, struct sw_cli_session *s, int argc,
	     char **argv, struct sw_buf *out)
{
	const char *name = argv[2], *file = argv[3];
	char path[PATH_MAX];
	struct sw_set_list l;
	struct sw_buf b;
	int rc;

	(void)argc;
	if (cli_find_set(app, s, name, out) == NULL)
		return SW_CLI_OK;
	if (sw_report_set_begin(app, &l, name, 0) != 0) {
		cli_fail(s, out, "out of memory");
		return SW_CLI_OK;
	}
	sw_buf_init(&b);
	sw_buf_printf(&b, "# set %s, saved by spillway, sorted\n", name);
	while (sw_report_set_more(app, &l, &b))
		;
	cli_path(app, file, path, sizeof(path));
	rc = b.oom ? -ENOMEM : sw_file_replace(path, b.p, b.len, 0644);
	if (rc)
		cli_fail(s, out, "%s: %s%s", path, strerror(-rc),
			 rc == -EROFS ? " (read-only under systemd's "
			 "ProtectSystem: save to /var/lib/spillway or "
			 "/etc/spillway/sets)" : "");
	else
		sw_buf_printf(out, "set %s: %" PRIu64 " prefixes written to %s"
			      "\n", name, l.shown, path);
	sw_report_set_end(&l);
	sw_buf_free(&b);
	return SW_CLI_OK;
}
