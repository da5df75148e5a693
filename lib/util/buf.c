/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "utf8.h"

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
	size_t len = strlen(s), i = 0, n;
	uint32_t cp;

	sw_buf_append(b, "\"", 1);
	while (i < len) {
		n = sw_utf8_next(s + i, len - i, &cp);
		if (cp == '"' || cp == '\\')
			sw_buf_printf(b, "\\%c", (char)cp);
		else if (cp == SW_UTF8_BAD)
			sw_buf_append(b, "\\ufffd", 6);
		else if (sw_utf8_is_control(cp))
			sw_buf_printf(b, "\\u%04x", (unsigned int)cp);
		else
			sw_buf_append(b, s + i, n);
		i += n;
	}
	sw_buf_append(b, "\"", 1);
}

void
sw_buf_prom_str(struct sw_buf *b, const char *s, bool quoted)
{
	size_t len = strlen(s), i = 0, n;
	uint32_t cp;

	while (i < len) {
		n = sw_utf8_next(s + i, len - i, &cp);
		if (cp == '\\')
			sw_buf_append(b, "\\\\", 2);
		else if (cp == '\n')
			sw_buf_append(b, "\\n", 2);
		else if (cp == '"' && quoted)
			sw_buf_append(b, "\\\"", 2);
		else if (cp == SW_UTF8_BAD || sw_utf8_is_control(cp))
			sw_buf_append(b, "\xef\xbf\xbd", 3);
		else
			sw_buf_append(b, s + i, n);
		i += n;
	}
}

void
sw_buf_text_clean(struct sw_buf *b, size_t from)
{
	struct sw_buf t;
	size_t i, n, k, first;
	uint32_t cp;

	/* Most replies are clean ASCII: look before copying. */
	for (i = from; i < b->len; i += n) {
		uint8_t c = (uint8_t)b->p[i];

		n = 1;
		if ((c >= 0x20 && c < 0x7f) || c == '\n')
			continue;
		n = sw_utf8_next(b->p + i, b->len - i, &cp);
		if ((cp == SW_UTF8_BAD || sw_utf8_is_control(cp)) &&
		    cp != '\n' && cp != '\t')
			break;
	}
	if (i >= b->len)
		return;
	first = i;
	sw_buf_init(&t);
	for (; i < b->len; i += n) {
		n = sw_utf8_next(b->p + i, b->len - i, &cp);
		if ((cp == SW_UTF8_BAD || sw_utf8_is_control(cp)) &&
		    cp != '\n' && cp != '\t')
			for (k = 0; k < n; k++)
				sw_buf_printf(&t, "\\x%02x",
					      (unsigned int)(uint8_t)b->p[i + k]);
		else
			sw_buf_append(&t, b->p + i, n);
	}
	/* Out of memory: keep only what needed no escape. */
	b->len = first;
	b->p[b->len] = '\0';
	if (t.oom)
		b->oom = true;
	else
		sw_buf_append(b, t.p, t.len);
	sw_buf_free(&t);
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
