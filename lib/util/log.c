/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "buf.h"
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

static bool journal;

bool
sw_log_is_journal(int fd)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (e == NULL || sscanf(e, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(fd, &st) != 0)
		return false;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

static void
write_all(const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(STDOUT_FILENO, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;		/* nowhere to log that it failed */
		p += w;
		n -= (size_t)w;
	}
}

/*
 * The stream's writer: rte_vlog() prints a message and flushes, so this
 * gets whole messages (the buffer is larger than any line DPDK makes).
 */
static ssize_t
sink_write(void *cookie, const char *buf, size_t size)
{
	/* DPDK's levels are syslog's plus one (RTE_LOG_ERR is 4). */
	int level = rte_log_cur_msg_loglevel();
	struct sw_buf b;
	size_t i, start = 0;

	(void)cookie;
	sw_buf_init(&b);
	for (i = 0; i <= size; i++) {
		if (i < size && buf[i] != '\n')
			continue;
		if (i == start && i == size)
			break;
		if (journal)
			sw_buf_printf(&b, "<%d>", level >= 1 && level <= 8 ?
				      level - 1 : 6);
		sw_buf_append(&b, buf + start, i - start);
		sw_buf_text_clean(&b, b.len - (i - start));
		sw_buf_append(&b, "\n", 1);
		start = i + 1;
	}
	if (b.oom)
		write_all(buf, size);
	else
		write_all(b.p, b.len);
	sw_buf_free(&b);
	return (ssize_t)size;
}

bool
sw_log_open(void)
{
	static const cookie_io_functions_t fns = { .write = sink_write };
	FILE *f;

	journal = sw_log_is_journal(STDOUT_FILENO);
	f = fopencookie(NULL, "w", fns);
	if (f == NULL)
		return journal;
	setvbuf(f, NULL, _IOFBF, 1 << 16);
	rte_openlog_stream(f);
	return journal;
}
