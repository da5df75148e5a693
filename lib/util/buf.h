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
/* Append s as a JSON string literal, quotes included. */
void sw_buf_json_str(struct sw_buf *b, const char *s);
/* Drop the first n bytes. */
void sw_buf_consume(struct sw_buf *b, size_t n);

#endif /* SW_BUF_H */
