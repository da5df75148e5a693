/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <stdio.h>
#include <string.h>

#include <unistr.h>

#include "utf8.h"

size_t
sw_utf8_next(const char *s, size_t n, uint32_t *cp)
{
	ucs4_t uc;
	int len;

	/* -1: an invalid sequence, -2: one cut short by the end. */
	len = u8_mbtoucr(&uc, (const uint8_t *)s, n);
	if (len <= 0) {
		*cp = SW_UTF8_BAD;
		return 1;
	}
	*cp = uc;
	return (size_t)len;
}

int
sw_utf8_check(const char *s, size_t len, size_t *off, char *why,
	      size_t whylen)
{
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		n = sw_utf8_next(s + i, len - i, &cp);
		if (cp == SW_UTF8_BAD) {
			snprintf(why, whylen, "byte 0x%02x is not UTF-8",
				 (unsigned int)(uint8_t)s[i]);
			*off = i;
			return -1;
		}
		if (sw_utf8_is_control(cp)) {
			snprintf(why, whylen, "control character U+%04X",
				 (unsigned int)cp);
			*off = i;
			return -1;
		}
		i += n;
	}
	return 0;
}

void
sw_utf8_copy_ascii(char *dst, size_t size, const char *src)
{
	size_t len = strlen(src), i = 0, o = 0, n;
	char esc[16];
	uint32_t cp;
	int e;

	if (size == 0)
		return;
	while (i < len) {
		n = sw_utf8_next(src + i, len - i, &cp);
		if (cp == SW_UTF8_BAD)
			e = snprintf(esc, sizeof(esc), "\\x%02x",
				     (unsigned int)(uint8_t)src[i]);
		else if (cp > 0xffff)
			e = snprintf(esc, sizeof(esc), "\\U%08x",
				     (unsigned int)cp);
		else if (cp >= 0x7f || cp < 0x20)
			e = snprintf(esc, sizeof(esc), "\\u%04x",
				     (unsigned int)cp);
		else
			e = snprintf(esc, sizeof(esc), "%c", (char)cp);
		if (o + (size_t)e >= size)
			break;
		memcpy(dst + o, esc, (size_t)e);
		o += (size_t)e;
		i += n;
	}
	dst[o] = '\0';
}
