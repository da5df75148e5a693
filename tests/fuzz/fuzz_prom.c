/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * libFuzzer target: the Prometheus writer (GET /metrics) on any bytes,
 * as label values (port names here; rule comments take the same path)
 * and as HELP text. Every line must follow the text format 0.0.4 as
 * Prometheus reads it: "# HELP name text", "# TYPE name type", or
 * name{label="value",...} value, in UTF-8, label values with only the
 * escapes \\, \" and \n; and a label value that was UTF-8 without
 * control characters but newline must decode to itself.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <unistr.h>

#include "app.h"
#include "buf.h"
#include "stats.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sw_app app;
static struct sw_stats_snap snap;

static bool
name_char(char c, bool first)
{
	return isalpha((unsigned char)c) || c == '_' || c == ':' ||
	       (!first && isdigit((unsigned char)c));
}

/* A quoted label value from p (past its opening quote), decoded into
 * out; returns the position after its closing quote, or NULL. */
static const char *
label_value(const char *p, const char *end, struct sw_buf *out)
{
	while (p < end && *p != '"') {
		if (*p == '\n')
			return NULL;
		if (*p == '\\') {
			if (p + 1 >= end)
				return NULL;
			if (p[1] == 'n')
				sw_buf_append(out, "\n", 1);
			else if (p[1] == '\\' || p[1] == '"')
				sw_buf_append(out, p + 1, 1);
			else
				return NULL;
			p += 2;
			continue;
		}
		sw_buf_append(out, p, 1);
		p++;
	}
	return p < end ? p + 1 : NULL;
}

/* One sample line: name{l="v",...} value. */
static bool
sample(const char *p, const char *end)
{
	struct sw_buf v;
	bool ok = true;

	if (p >= end || !name_char(*p, true))
		return false;
	while (p < end && name_char(*p, false))
		p++;
	sw_buf_init(&v);
	if (p < end && *p == '{') {
		p++;
		while (ok && p < end && *p != '}') {
			if (!name_char(*p, true))
				ok = false;
			while (ok && p < end && name_char(*p, false))
				p++;
			if (ok && (p + 1 >= end || p[0] != '=' || p[1] != '"'))
				ok = false;
			if (ok)
				p = label_value(p + 2, end, &v);
			ok = ok && p != NULL;
			if (ok && p < end && *p == ',')
				p++;
		}
		ok = ok && p < end && *p++ == '}';
	}
	sw_buf_free(&v);
	if (!ok || p >= end || *p++ != ' ' || p >= end)
		return false;
	for (; p < end; p++)
		if (!isdigit((unsigned char)*p) && *p != '.')
			return false;
	return true;
}

static void
check_text(const struct sw_buf *b)
{
	const char *p = b->p, *end = b->p + b->len, *nl;

	if (b->oom || u8_check((const uint8_t *)b->p, b->len) != NULL)
		abort();
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			abort();	/* every line ends with a newline */
		if (strncmp(p, "# HELP ", 7) == 0 ||
		    strncmp(p, "# TYPE ", 7) == 0) {
			if (!name_char(p[7], true))
				abort();
		} else if (!sample(p, nl)) {
			abort();
		}
		p = nl + 1;
	}
}

/* s as a label value alone decodes to itself when it could. */
static void
one_value(const char *s)
{
	struct sw_buf b, v;
	const char *end;
	size_t i, n;
	uint32_t cp;
	bool clean = true;

	sw_buf_init(&b);
	sw_buf_init(&v);
	sw_buf_prom_str(&b, s, true);
	sw_buf_append(&b, "\"", 1);
	if (b.oom || u8_check((const uint8_t *)b.p, b.len) != NULL)
		abort();
	end = label_value(b.p, b.p + b.len, &v);
	if (end != b.p + b.len)
		abort();
	for (i = 0; s[i]; i += n) {
		n = sw_utf8_next(s + i, strlen(s + i), &cp);
		if (cp == SW_UTF8_BAD || (sw_utf8_is_control(cp) && cp != '\n'))
			clean = false;
	}
	/* An empty value leaves v.p NULL: memcmp must not see it. */
	if (clean && (v.len != strlen(s) ||
		      (v.len && memcmp(v.p, s, v.len) != 0)))
		abort();
	sw_buf_free(&b);
	sw_buf_free(&v);
	/* As HELP text: one line, UTF-8. */
	sw_buf_init(&b);
	sw_buf_prom_str(&b, s, false);
	if (b.len && (memchr(b.p, '\n', b.len) != NULL ||
		      u8_check((const uint8_t *)b.p, b.len) != NULL))
		abort();
	sw_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char s[512];
	struct sw_buf b;
	size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;

	memcpy(s, data, n);
	s[n] = '\0';
	one_value(s);
	/* The port names: what the scrape labels with. */
	snprintf(snap.port_name[0], sizeof(snap.port_name[0]), "%s", s);
	snprintf(snap.port_name[1], sizeof(snap.port_name[1]), "%s",
		 s + strlen(s) / 2);
	snap.nb_ports = 2;
	snap.nb_workers = 1;
	sw_buf_init(&b);
	sw_stats_prom(&snap, &app, &b);
	check_text(&b);
	sw_buf_free(&b);
	return 0;
}
