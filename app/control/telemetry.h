/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_TELEMETRY_H
#define SW_TELEMETRY_H

/*
 * rte_telemetry commands under /spillway/ (dpdk-telemetry.py):
 * /spillway/stats, /spillway/flowtable, /spillway/verdicts,
 * /spillway/rules. DPDK's telemetry thread answers them from a snapshot
 * the control thread refreshes, under a mutex: it never reads memory a
 * reload or shutdown could free, and never a worker's hot data.
 */

struct sw_app;

/* Register the commands (once, from the main thread). */
void sw_telemetry_init(void);

/* Refresh the snapshot (control thread). */
void sw_telemetry_update(const struct sw_app *app);

#endif /* SW_TELEMETRY_H */
