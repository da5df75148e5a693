/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_CLI_H
#define SW_CLI_H

/*
 * The control commands, one line in, reply text out. The socket side
 * (control.c) frames the reply: in the text mode (people, nc, the
 * scripts of old) it ends with a line holding only "."; errors are
 * replies whose first line starts with "error:". In the machine mode
 * (`mode machine`, `mode json`: spillway ctl) it ends with a status
 * line that says whether the reply is an error and whether it is JSON
 * (see control.h). Control thread only: commands may take a while
 * (reload builds rules) but never touch a worker's hot path.
 *
 * Every command is one row of one table (cli.c): its words, its
 * arguments, whether it needs an admin session, whether it changes
 * state (then it is logged), what completes its first argument, its
 * help and its handler. help, dispatch, the state-change log and the
 * completion of `spillway ctl` all read that table.
 */

#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "linebuf.h"
#include "report.h"

struct sw_buf;
struct sw_flush;

enum {
	SW_CLI_OK = 0,
	SW_CLI_QUIT,		/* the client asked to leave */
	SW_CLI_MORE,		/* a streamed reply: call sw_cli_more() */
	SW_CLI_WAIT,		/* sw_cli_more(): nothing yet, ask later */
};

/* What a streamed reply is. */
enum {
	SW_STREAM_NONE = 0,
	SW_STREAM_FLOWS,	/* show flows */
	SW_STREAM_RULES,	/* show rules */
	SW_STREAM_SET,		/* set list */
	SW_STREAM_RELOAD,	/* reload: waiting for the reload thread */
	SW_STREAM_FLUSH,	/* flush flows: waiting for the workers */
	SW_STREAM_DEFER,	/* a change held back while a reload runs */
};

/* How replies are framed (the `mode` command). */
enum sw_cli_mode {
	SW_CLI_TEXT = 0,	/* for people: "." ends a reply */
	SW_CLI_MACHINE,		/* a status line ends a reply */
	SW_CLI_JSON,		/* the same, and JSON where a command has it */
};

/* Longest accepted command line, newline excluded. */
#define SW_CLI_LINE_MAX SW_LINEBUF_MAX

/*
 * One client's session. `admin` is set by the server: a read-only
 * session (TCP without control.tcp_admin) may look (help, show, quit)
 * but not change anything (set, flush, reload).
 */
struct sw_cli_session {
	bool admin;
	uint8_t mode;		/* enum sw_cli_mode */
	bool failed;		/* the reply under way is an error */
	bool json_out;		/* the reply under way is JSON */
	bool streaming;		/* a reply is being streamed */
	int stream;		/* which: SW_STREAM_* */
	uint64_t reload_seq;	/* reload: the run that answers it */
	struct sw_flow_stream flows;
	struct sw_rule_stream rules;
	struct sw_set_list set;
	struct sw_flush *flush;	/* flush flows: the one it waits on */
	bool flush_filtered;
	char *deferred;		/* SW_STREAM_DEFER: the line, malloc'd */
};

/* True for a line whose command changes state (logged). */
bool sw_cli_changes_state(const char *line);

/*
 * Run one command line (no newline); append its reply to out. Returns
 * SW_CLI_OK, SW_CLI_QUIT, or SW_CLI_MORE when the reply is streamed:
 * the caller then calls sw_cli_more() whenever out runs low, and reads
 * no further command before the stream is over. s->failed and
 * s->json_out say, once the reply is complete, whether it is an error
 * and whether it is JSON.
 */
int sw_cli_exec(struct sw_app *app, struct sw_cli_session *s,
		const char *line, struct sw_buf *out);

/*
 * Append the next chunk of a streamed reply (a few tens of KiB at most).
 * Returns SW_CLI_MORE while more is to come, SW_CLI_OK at its end, and
 * SW_CLI_WAIT when nothing is ready yet (a reload still building, the
 * workers still flushing): ask again later, without waiting on the
 * client.
 */
int sw_cli_more(struct sw_app *app, struct sw_cli_session *s,
		struct sw_buf *out);

/* The session ends (its client closed): let go of what it holds. */
void sw_cli_end(struct sw_app *app, struct sw_cli_session *s);

/*
 * Completion, for spillway ctl's prompt: call cb with each word that
 * may follow the words argv[0..argc-1] and starts with `prefix`: the
 * table's command words, then its arguments' words (the alternatives
 * an argument lists, the names of `sets`, the flow timeouts). Any
 * thread: it reads the table only.
 */
typedef void (*sw_cli_word_cb)(const char *word, void *arg);

void sw_cli_complete(int argc, char *const *argv, const char *prefix,
		     const char *const *sets, unsigned int nb_sets,
		     sw_cli_word_cb cb, void *arg);

#endif /* SW_CLI_H */
