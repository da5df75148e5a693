/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_BUF_H
#define SW_BUF_H

/*
 * A growable text buffer for the control thread (replies, JSON). Never
 * used on a worker. On allocation failure it stops growing and sets
 * `oom`; the text written so far stays valid.
 */

#include <stdbool.h>
#include <stddef.h>

struct sw_buf {
	char *p;
	size_t len;
	size_t cap;
	bool oom;
};

void sw_buf_init(struct sw_buf *b);
void sw_buf_free(struct sw_buf *b);
void sw_buf_reset(struct sw_buf *b);
void sw_buf_printf(struct sw_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sw_buf_append(struct sw_buf *b, const char *s, size_t n);
/*
 * Writers of text by format (utf8.h): whatever s holds, what they write
 * is valid in their format and valid UTF-8.
 *
 * sw_buf_json_str: s as a JSON string literal, quotes included (RFC
 * 8259): quote and backslash escaped, control characters (C0, DEL, C1)
 * as \u00XX, each byte that is not UTF-8 as \ufffd.
 * sw_buf_prom_str: s as a Prometheus label value (quoted: true) or HELP
 * text (false), text format 0.0.4: backslash, newline (and in a label
 * value the double quote) escaped; other control characters and bytes
 * that are not UTF-8 become U+FFFD (the format has no escape for them).
 * sw_buf_text_clean: the text appended since offset `from`, for a
 * person or a line-based client: control characters other than newline
 * and tab, and bytes that are not UTF-8, become \xHH (per byte), so
 * nothing echoed can move a terminal's cursor or split a reply line.
 */
void sw_buf_json_str(struct sw_buf *b, const char *s);
void sw_buf_prom_str(struct sw_buf *b, const char *s, bool quoted);
void sw_buf_text_clean(struct sw_buf *b, size_t from);
/* Drop the first n bytes. */
void sw_buf_consume(struct sw_buf *b, size_t n);

#endif /* SW_BUF_H */
