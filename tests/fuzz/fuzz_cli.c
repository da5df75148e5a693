/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * libFuzzer target: the CLI line handler as a client reaches it: raw
 * bytes through the telnet filter and line framing, each line run as a
 * command against an app with no flow table or rules (no EAL), in an
 * admin or a read-only session (the first byte says which). Every
 * reply is text without NUL bytes; reload and quit are left out (they
 * read files or end the session).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "buf.h"
#include "cli.h"
#include "linebuf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sw_app app;
static struct sw_buf out;
static struct sw_cli_session sess;
static int ready;

static bool
on_line(const char *line, void *arg)
{
	(void)arg;
	if (line == NULL)
		return true;	/* too long: the server replies an error */
	if (strlen(line) > SW_LINEBUF_MAX)
		abort();
	if (strstr(line, "reload") != NULL)
		return true;
	sw_buf_reset(&out);
	if (sw_cli_exec(&app, &sess, line, &out) == SW_CLI_MORE)
		while (sw_cli_more(&app, &sess, &out) == SW_CLI_MORE)
			;
	if (out.len && strlen(out.p) != out.len)
		abort();
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_linebuf lb;
	char err[SW_ERR_MAX];

	if (!ready) {
		if (sw_config_load("/dev/null", &app.cfg, err, sizeof(err)))
			abort();
		sw_buf_init(&out);
		ready = 1;
	}
	sw_linebuf_init(&lb);
	memset(&sess, 0, sizeof(sess));
	sess.admin = size > 0 && (data[0] & 1);
	if (sw_linebuf_feed(&lb, data, size, on_line, NULL) != size)
		abort();
	return 0;
}
