/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_LOG_H
#define SW_LOG_H

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

#endif /* SW_LOG_H */
