/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_LOG_H
#define SW_LOG_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_log.h>

/* The application's one logtype, "user.sw.app" (--log-level to tune). */
extern int sw_logtype;
#define RTE_LOGTYPE_SPILLWAY sw_logtype

/*
 * A message of the application's, at level l (ERR, NOTICE, ...): each
 * of its lines gets the "SPILLWAY: " tag, so a multi-line message (a
 * reload's report) keeps it on every line it writes to the log.
 */
#define SW_LOG(l, ...) sw_log(RTE_LOG_##l, __VA_ARGS__)

void sw_log(uint32_t level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The drop log's lines, "user.sw.drop" (droplog.h). */
extern int sw_drop_logtype;
#define RTE_LOGTYPE_SPILLWAY_DROP sw_drop_logtype

/*
 * One log sink: DPDK's log (every logtype, EAL's too) goes to standard
 * output only, a line at a time, each line as UTF-8 without control
 * characters (a set file's line or a client's bytes quoted in an error
 * cannot break the log). DPDK 22.11's own stream writes each line to
 * stdout and to syslog, which under systemd are both the journal: every
 * line twice. When standard output is the journal (JOURNAL_STREAM names
 * it, sd_journal_stream_fd(3)), each line starts with its priority,
 * "<3>" for ERR ... "<7>" for DEBUG, which journald keeps as the
 * line's priority.
 *
 * Call once, before rte_eal_init() (its messages go the same way).
 * Returns true when stdout is the journal. Main thread.
 */
bool sw_log_open(void);

/* True when fd is the stream JOURNAL_STREAM ("DEV:INODE") names. */
bool sw_log_is_journal(int fd);

#endif /* SW_LOG_H */
