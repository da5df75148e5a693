/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <string.h>

#include "linebuf.h"

/* Telnet: IAC and the commands that carry an option byte (RFC 854). */
#define IAC 255
#define SB 250
#define SE 240
#define WILL 251
#define DONT 254

enum { TN_DATA, TN_IAC, TN_OPT, TN_SB, TN_SB_IAC };

void
sw_linebuf_init(struct sw_linebuf *lb)
{
	memset(lb, 0, sizeof(*lb));
}

size_t
sw_linebuf_feed(struct sw_linebuf *lb, const uint8_t *p, size_t n,
		sw_linebuf_cb cb, void *arg)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t b = p[i];

		switch (lb->tn) {
		case TN_DATA:
			if (b == IAC) {
				lb->tn = TN_IAC;
				continue;
			}
			break;
		case TN_IAC:
			/* IAC IAC is an escaped 255: not text, dropped. */
			if (b == SB)
				lb->tn = TN_SB;
			else if (b >= WILL && b <= DONT)
				lb->tn = TN_OPT;
			else
				lb->tn = TN_DATA;
			continue;
		case TN_OPT:
			lb->tn = TN_DATA;
			continue;
		case TN_SB:
			if (b == IAC)
				lb->tn = TN_SB_IAC;
			continue;
		default:	/* TN_SB_IAC */
			lb->tn = b == SE ? TN_DATA : TN_SB;
			continue;
		}
		if (b == '\n') {
			bool go;

			if (lb->too_long) {
				lb->too_long = false;
				go = cb(NULL, arg);
			} else {
				if (lb->len && lb->line[lb->len - 1] == '\r')
					lb->len--;
				lb->line[lb->len] = '\0';
				go = cb(lb->line, arg);
			}
			lb->len = 0;
			if (!go)
				return i + 1;
		} else if (lb->too_long) {
			continue;
		} else if (lb->len == SW_LINEBUF_MAX) {
			lb->too_long = true;
			lb->len = 0;
		} else {
			lb->line[lb->len++] = (char)b;
		}
	}
	return n;
}
