/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_CLI_H
#define SW_CLI_H

/*
 * The control commands, one line in, reply text out. The socket side
 * (control.c) adds the final "." line; errors are lines that start with
 * "error:". Control thread only: commands may take a while (reload
 * builds rules) but never touch a worker's hot path.
 */

#include <stdbool.h>
#include <stdint.h>

#include "app.h"
#include "linebuf.h"
#include "report.h"

struct sw_buf;

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
	bool streaming;		/* a reply is being streamed */
	int stream;		/* which: SW_STREAM_* */
	uint64_t reload_seq;	/* reload: the run that answers it */
	struct sw_flow_stream flows;
	struct sw_rule_stream rules;
	struct sw_set_list set;
};

/* True for a line that changes state (set, flush, reload): logged. */
bool sw_cli_changes_state(const char *line);

/*
 * Run one command line (no newline); append its reply to out. Returns
 * SW_CLI_OK, SW_CLI_QUIT, or SW_CLI_MORE when the reply is streamed:
 * the caller then calls sw_cli_more() whenever out runs low, and reads
 * no further command before the stream is over.
 */
int sw_cli_exec(struct sw_app *app, struct sw_cli_session *s,
		const char *line, struct sw_buf *out);

/*
 * Append the next chunk of a streamed reply (a few tens of KiB at most).
 * Returns SW_CLI_MORE while more is to come, SW_CLI_OK at its end, and
 * SW_CLI_WAIT when nothing is ready yet (a reload still building): ask
 * again later, without waiting on the client.
 */
int sw_cli_more(struct sw_app *app, struct sw_cli_session *s,
		struct sw_buf *out);

#endif /* SW_CLI_H */
