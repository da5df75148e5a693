/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * libFuzzer target: the JSON writers (show stats json, the stats file)
 * on any bytes. The input is cut at NUL bytes into the strings a JSON
 * document may carry that a person wrote: the last reload's error (a
 * set file's line, quoted back) and two port names, taken as they come
 * (the config refuses what is not UTF-8; the writer must not rely on
 * it). Jansson, a parser of its own, must read every document, and a
 * string that was UTF-8 must come back byte for byte.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <unistr.h>

#include "app.h"
#include "buf.h"
#include "stats.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sw_app app;
static struct sw_stats_snap snap;

/* The next NUL-terminated piece of data into dst (size bytes). */
static size_t
piece(const uint8_t *data, size_t size, size_t at, char *dst, size_t len)
{
	size_t n = 0;

	while (at < size && data[at] != 0 && n + 1 < len)
		dst[n++] = (char)data[at++];
	dst[n] = '\0';
	while (at < size && data[at] != 0)
		at++;
	return at < size ? at + 1 : at;
}

/* One string alone: a JSON literal that decodes to what it was given. */
static void
one_string(const char *s)
{
	struct sw_buf b;
	json_error_t err;
	json_t *j;

	sw_buf_init(&b);
	sw_buf_json_str(&b, s);
	if (b.oom || u8_check((const uint8_t *)b.p, b.len) != NULL)
		abort();
	j = json_loadb(b.p, b.len, JSON_DECODE_ANY, &err);
	if (j == NULL || !json_is_string(j))
		abort();
	/* UTF-8 in, the same out (controls travel as \u00XX escapes). */
	if (u8_check((const uint8_t *)s, strlen(s)) == NULL &&
	    strcmp(json_string_value(j), s) != 0)
		abort();
	json_decref(j);
	sw_buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sw_buf b;
	json_error_t err;
	json_t *j;
	size_t at = 0;

	at = piece(data, size, at, app.reload_error,
		   sizeof(app.reload_error));
	at = piece(data, size, at, snap.port_name[0],
		   sizeof(snap.port_name[0]));
	piece(data, size, at, snap.port_name[1], sizeof(snap.port_name[1]));
	one_string(app.reload_error);

	snap.nb_ports = 2;
	sw_buf_init(&b);
	sw_stats_json(&snap, &app, &b, false);
	if (b.oom)
		abort();
	j = json_loadb(b.p, b.len, 0, &err);
	if (j == NULL)
		abort();
	if (u8_check((const uint8_t *)app.reload_error,
		     strlen(app.reload_error)) == NULL &&
	    strcmp(json_string_value(json_object_get(j, "reload_error")),
		   app.reload_error) != 0)
		abort();
	json_decref(j);
	sw_buf_free(&b);
	return 0;
}
