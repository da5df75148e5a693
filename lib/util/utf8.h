/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_UTF8_H
#define SW_UTF8_H

/*
 * Text in, text out. What spillway reads from a config must be UTF-8
 * without control characters (sw_utf8_check, called once by the config
 * loader on every string setting); what it writes is escaped by its
 * format's rules (the sw_buf_*_str writers in buf.h), whatever it is
 * handed, since not every string it prints came from the config (a set
 * file's line in an error, a CLI argument echoed back).
 *
 * The decoding is libunistring's (u8_mbtoucr): overlong forms,
 * surrogates and code points past U+10FFFF are not UTF-8.
 *
 * Thread-safety: pure functions; any thread (not a worker's hot path).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What sw_utf8_next() gives for a byte that starts no valid character. */
#define SW_UTF8_BAD	UINT32_MAX

/*
 * The character at s (n bytes readable, n >= 1): its code point in *cp
 * and its length in bytes. A byte that starts no valid character is
 * one byte long, with *cp SW_UTF8_BAD.
 */
size_t sw_utf8_next(const char *s, size_t n, uint32_t *cp);

/* A control character: C0 (below U+0020), DEL, or C1 (U+0080-U+009F). */
static inline bool
sw_utf8_is_control(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f);
}

/*
 * 0 when s[0 .. len-1] is UTF-8 without control characters. Otherwise
 * -1, with *off the offset of the first character that is not, and
 * why[] saying what it is ("byte 0xe9 is not UTF-8", "control
 * character U+000A").
 */
int sw_utf8_check(const char *s, size_t len, size_t *off, char *why,
		  size_t whylen);

/*
 * Copy src into dst (size bytes) as printable ASCII: other characters
 * as \uXXXX (\UXXXXXXXX past the BMP), bytes that are not UTF-8 as
 * \xHH; the copy stops before an escape that does not fit. For
 * rte_telemetry's strings: DPDK 22.11's JSON writer indexes a table
 * with a signed char, so it mangles every byte above 0x7f
 * (telemetry_json.h, __json_format_str).
 */
void sw_utf8_copy_ascii(char *dst, size_t size, const char *src);

#endif /* SW_UTF8_H */
