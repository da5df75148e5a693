/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_LINEBUF_H
#define SW_LINEBUF_H

/*
 * Bytes from a CLI client to command lines: telnet option negotiation
 * (IAC sequences) dropped, CR before LF dropped, lines longer than
 * SW_LINEBUF_MAX reported once as too long and discarded to their end.
 * Pure byte handling, no I/O: the control server and the fuzzer share it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SW_LINEBUF_MAX 4096

struct sw_linebuf {
	char line[SW_LINEBUF_MAX + 1];
	size_t len;
	bool too_long;
	uint8_t tn;		/* telnet parser state */
};

/* Called for each complete line (NUL-terminated), or with line NULL
 * for a line that was too long. Return false to stop feeding. */
typedef bool (*sw_linebuf_cb)(const char *line, void *arg);

void sw_linebuf_init(struct sw_linebuf *lb);

/* Feed n bytes; returns how many were consumed (all unless cb stopped). */
size_t sw_linebuf_feed(struct sw_linebuf *lb, const uint8_t *p, size_t n,
		       sw_linebuf_cb cb, void *arg);

#endif /* SW_LINEBUF_H */
