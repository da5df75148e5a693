/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

void
sw_buf_init(struct sw_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void
sw_buf_free(struct sw_buf *b)
{
	free(b->p);
	sw_buf_init(b);
}

void
sw_buf_reset(struct sw_buf *b)
{
	b->len = 0;
	b->oom = false;
	if (b->p != NULL)
		b->p[0] = '\0';
}

static bool
grow(struct sw_buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 256;
	char *p;

	if (b->len + need + 1 <= b->cap)
		return true;
	while (cap < b->len + need + 1)
		cap *= 2;
	p = realloc(b->p, cap);
	if (p == NULL) {
		b->oom = true;
		return false;
	}
	b->p = p;
	b->cap = cap;
	return true;
}

void
sw_buf_append(struct sw_buf *b, const char *s, size_t n)
{
	if (!grow(b, n))
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
sw_buf_printf(struct sw_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
sw_buf_json_str(struct sw_buf *b, const char *s)
{
	sw_buf_append(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			sw_buf_printf(b, "\\%c", c);
		else if (c < 0x20)
			sw_buf_printf(b, "\\u%04x", c);
		else
			sw_buf_append(b, (const char *)&c, 1);
	}
	sw_buf_append(b, "\"", 1);
}

void
sw_buf_consume(struct sw_buf *b, size_t n)
{
	if (n >= b->len) {
		sw_buf_reset(b);
		return;
	}
	memmove(b->p, b->p + n, b->len - n);
	b->len -= n;
	b->p[b->len] = '\0';
}
