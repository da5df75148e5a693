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

#include "linebuf.h"

struct sw_app;
struct sw_buf;

enum {
	SW_CLI_OK = 0,
	SW_CLI_QUIT,		/* the client asked to leave */
};

/* Longest accepted command line, newline excluded. */
#define SW_CLI_LINE_MAX SW_LINEBUF_MAX

/* Run one command line (no newline); append its reply to out. */
int sw_cli_exec(struct sw_app *app, const char *line, struct sw_buf *out);

#endif /* SW_CLI_H */
