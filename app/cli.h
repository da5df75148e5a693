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

#include "app.h"
#include "linebuf.h"

struct sw_buf;

enum {
	SW_CLI_OK = 0,
	SW_CLI_QUIT,		/* the client asked to leave */
	SW_CLI_MORE,		/* a streamed reply: call sw_cli_more() */
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
	struct sw_flow_stream flows;
};

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
 * Returns SW_CLI_MORE while more is to come, SW_CLI_OK at its end.
 */
int sw_cli_more(struct sw_app *app, struct sw_cli_session *s,
		struct sw_buf *out);

#endif /* SW_CLI_H */
