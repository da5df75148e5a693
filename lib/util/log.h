/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_LOG_H
#define SW_LOG_H

#include <rte_log.h>

/* The application's one logtype, "user.sw.app" (--log-level to tune). */
extern int sw_logtype;
#define RTE_LOGTYPE_SPILLWAY sw_logtype
#define SW_LOG(l, ...) RTE_LOG(l, SPILLWAY, __VA_ARGS__)

/* The drop log's lines, "user.sw.drop" (droplog.h). */
extern int sw_drop_logtype;
#define RTE_LOGTYPE_SPILLWAY_DROP sw_drop_logtype

#endif /* SW_LOG_H */
