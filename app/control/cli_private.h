/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * Private to the CLI's files: the handlers the command table (cli.c)
 * names that live beside it (cli_set.c: sets; cli_flow.c: flows), and
 * the helpers every handler uses.
 */
#ifndef SW_CLI_PRIVATE_H
#define SW_CLI_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>

#include "cli.h"

struct sw_app;
struct sw_buf;
struct sw_pset;

/* A handler: the line's words (argv[0] is the command's first word). */
typedef int (*cli_fn)(struct sw_app *app, struct sw_cli_session *s, int argc,
		      char **argv, struct sw_buf *out);

/*
 * An error reply: "error: ..." and the session's reply marked failed,
 * so the machine mode's status line says so whatever the text.
 */
void cli_fail(struct sw_cli_session *s, struct sw_buf *out, const char *fmt,
	      ...) __attribute__((format(printf, 3, 4)));

/* The set called name, or NULL with the error replied. */
struct sw_pset *cli_find_set(const struct sw_app *app,
			     struct sw_cli_session *s, const char *name,
			     struct sw_buf *out);

/* JSON replies: only in `mode json`, which asked for them. */
static inline bool
cli_json(const struct sw_cli_session *s)
{
	return s->mode == SW_CLI_JSON;
}

/* cli_set.c */
int cli_show_sets(struct sw_app *app, struct sw_cli_session *s, int argc,
		  char **argv, struct sw_buf *out);
int cli_set_add_del(struct sw_app *app, struct sw_cli_session *s, int argc,
		    char **argv, struct sw_buf *out);
int cli_set_load(struct sw_app *app, struct sw_cli_session *s, int argc,
		 char **argv, struct sw_buf *out);
int cli_set_test(struct sw_app *app, struct sw_cli_session *s, int argc,
		 char **argv, struct sw_buf *out);
int cli_set_list(struct sw_app *app, struct sw_cli_session *s, int argc,
		 char **argv, struct sw_buf *out);
int cli_set_save(struct sw_app *app, struct sw_cli_session *s, int argc,
		 char **argv, struct sw_buf *out);

/* cli_flow.c */
int cli_show_flows(struct sw_app *app, struct sw_cli_session *s, int argc,
		   char **argv, struct sw_buf *out);
int cli_flush_flows(struct sw_app *app, struct sw_cli_session *s, int argc,
		    char **argv, struct sw_buf *out);
/* flush flows: the workers done? The count, or SW_CLI_WAIT. */
int cli_flush_more(struct sw_app *app, struct sw_cli_session *s,
		   struct sw_buf *out);

#endif /* SW_CLI_PRIVATE_H */
