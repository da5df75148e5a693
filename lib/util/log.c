/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

RTE_LOG_REGISTER(sw_logtype, user.sw.app, INFO);
RTE_LOG_REGISTER(sw_drop_logtype, user.sw.drop, NOTICE);

void
sw_log(uint32_t level, const char *fmt, ...)
{
	char small[512], *text = small, *line, *nl;
	va_list ap;
	int n;

	if (!rte_log_can_log(sw_logtype, level))
		return;
	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(small)) {
		text = malloc((size_t)n + 1);
		if (text == NULL) {
			text = small;	/* the first 511 bytes, at least */
		} else {
			va_start(ap, fmt);
			vsnprintf(text, (size_t)n + 1, fmt, ap);
			va_end(ap);
		}
	}
	/* One rte_log() a line, each with the tag; none for the last '\n'. */
	for (line = text; *line != '\0'; line = nl + 1) {
		nl = strchr(line, '\n');
		if (nl == NULL) {
			rte_log(level, sw_logtype, "SPILLWAY: %s\n", line);
			break;
		}
		rte_log(level, sw_logtype, "SPILLWAY: %.*s\n",
			(int)(nl - line), line);
	}
	if (text != small)
		free(text);
}
