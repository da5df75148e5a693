/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_CLOCK_H
#define SW_CLOCK_H

/*
 * The control thread's clock: monotonic seconds (timeouts of clients,
 * intervals, uptime). Workers use the TSC, never this (a syscall).
 */

#include <time.h>

static inline double
sw_now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif /* SW_CLOCK_H */
