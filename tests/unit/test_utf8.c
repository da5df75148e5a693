/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * Text in, text out (lib/util/utf8.h, buf.h): what the config check
 * refuses, and what each writer makes of bytes that are not UTF-8 or
 * are control characters: JSON escapes, Prometheus escapes and U+FFFD,
 * \xHH for a person. One table of inputs, one expectation per writer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "utf8.h"

static const struct {
	const char *in;
	const char *check;	/* sw_utf8_check's why; NULL: valid */
	const char *json;
	const char *prom;	/* as a label value */
	const char *text;
} cases[] = {
	{ "web", NULL, "\"web\"", "web", "web" },
	{ "caf\xc3\xa9 \xe2\x98\x95 \xf0\x9d\x84\x9e", NULL,
	  "\"caf\xc3\xa9 \xe2\x98\x95 \xf0\x9d\x84\x9e\"",
	  "caf\xc3\xa9 \xe2\x98\x95 \xf0\x9d\x84\x9e",
	  "caf\xc3\xa9 \xe2\x98\x95 \xf0\x9d\x84\x9e" },
	{ "a\"b\\c", NULL, "\"a\\\"b\\\\c\"", "a\\\"b\\\\c", "a\"b\\c" },
	{ "caf\xe9", "byte 0xe9 is not UTF-8", "\"caf\\ufffd\"",
	  "caf\xef\xbf\xbd", "caf\\xe9" },
	{ "\xc0\xaf", "byte 0xc0 is not UTF-8", "\"\\ufffd\\ufffd\"",
	  "\xef\xbf\xbd\xef\xbf\xbd", "\\xc0\\xaf" },
	{ "\xed\xa0\x80", "byte 0xed is not UTF-8",
	  "\"\\ufffd\\ufffd\\ufffd\"",
	  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "\\xed\\xa0\\x80" },
	{ "cut \xe2\x98", "byte 0xe2 is not UTF-8", "\"cut \\ufffd\\ufffd\"",
	  "cut \xef\xbf\xbd\xef\xbf\xbd", "cut \\xe2\\x98" },
	{ "two\nlines", "control character U+000A", "\"two\\u000alines\"",
	  "two\\nlines", "two\nlines" },
	{ "esc\x1b[2J", "control character U+001B", "\"esc\\u001b[2J\"",
	  "esc\xef\xbf\xbd[2J", "esc\\x1b[2J" },
	{ "del\x7f", "control character U+007F", "\"del\\u007f\"",
	  "del\xef\xbf\xbd", "del\\x7f" },
	{ "nel\xc2\x85", "control character U+0085", "\"nel\\u0085\"",
	  "nel\xef\xbf\xbd", "nel\\xc2\\x85" },
	{ "tab\t", "control character U+0009", "\"tab\\u0009\"",
	  "tab\xef\xbf\xbd", "tab\t" },
};

static void
test_utf8_check(void **state)
{
	char why[64];
	size_t i, off;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why[0] = '\0';
		rc = sw_utf8_check(cases[i].in, strlen(cases[i].in), &off, why,
				   sizeof(why));
		if (cases[i].check == NULL)
			assert_int_equal(rc, 0);
		else if (rc != -1 || strcmp(why, cases[i].check) != 0)
			fail_msg("case %zu: rc %d '%s', want '%s'", i, rc, why,
				 cases[i].check);
	}
}

static void
expect(const char *what, size_t i, const struct sw_buf *b, const char *want)
{
	if (b->len != strlen(want) || memcmp(b->p, want, b->len) != 0)
		fail_msg("%s, case %zu: '%s', want '%s'", what, i, b->p, want);
}

static void
test_utf8_writers(void **state)
{
	struct sw_buf b;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sw_buf_init(&b);
		sw_buf_json_str(&b, cases[i].in);
		expect("json", i, &b, cases[i].json);
		sw_buf_reset(&b);
		sw_buf_prom_str(&b, cases[i].in, true);
		expect("prom", i, &b, cases[i].prom);
		/* The text writer cleans what follows a clean prefix. */
		sw_buf_reset(&b);
		sw_buf_append(&b, "\x01", 1);
		sw_buf_printf(&b, "%s", cases[i].in);
		sw_buf_text_clean(&b, 1);
		assert_int_equal(b.p[0], 1);
		sw_buf_consume(&b, 1);
		expect("text", i, &b, cases[i].text);
		sw_buf_free(&b);
	}
}

/* HELP text keeps the double quote; a label value escapes it. */
static void
test_utf8_prom_help_keeps_quotes(void **state)
{
	struct sw_buf b;

	(void)state;
	sw_buf_init(&b);
	sw_buf_prom_str(&b, "say \"hi\"\n", false);
	assert_string_equal(b.p, "say \"hi\"\\n");
	sw_buf_free(&b);
}

/*
 * Telemetry's strings: ASCII, escapes for the rest, never cut inside an
 * escape.
 */
static void
test_utf8_copy_ascii(void **state)
{
	char dst[16];

	(void)state;
	sw_utf8_copy_ascii(dst, sizeof(dst), "caf\xc3\xa9 \xf0\x9d\x84\x9e");
	assert_string_equal(dst, "caf\\u00e9 ");
	sw_utf8_copy_ascii(dst, sizeof(dst), "a\xe9\nz");
	assert_string_equal(dst, "a\\xe9\\u000az");
	sw_utf8_copy_ascii(dst, sizeof(dst), "\xf0\x9d\x84\x9e");
	assert_string_equal(dst, "\\U0001d11e");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_check),
		cmocka_unit_test(test_utf8_writers),
		cmocka_unit_test(test_utf8_prom_help_keeps_quotes),
		cmocka_unit_test(test_utf8_copy_ascii),
	};

	return cmocka_run_group_tests_name("utf8", tests, NULL, NULL);
}
