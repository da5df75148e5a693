/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_NOTIFY_H
#define SW_NOTIFY_H

/*
 * spillway as a systemd service (Type=notify, sd_notify(3), through
 * libsystemd): READY=1 once the ports are up, the rules built and the
 * workers running; STATUS= with the flows and the spill state;
 * RELOADING=1 while a reload runs, READY=1 after; STOPPING=1 at stop.
 *
 * The watchdog (WatchdogSec=, WATCHDOG_USEC): WATCHDOG=1 is sent from
 * the control thread every half interval, and only while every worker
 * has made progress (its poll loop counter moved) since the last time:
 * a worker stuck in a loop, or a control thread that stops, starves
 * the watchdog and systemd restarts the service.
 *
 * Without NOTIFY_SOCKET (not under systemd) every call does nothing.
 * Thread-safety: control thread only.
 */

#include <stdbool.h>
#include <stdint.h>

struct sw_app;

/*
 * The watchdog's decision: true when every one of the n workers'
 * loop counters in now[] moved past last[]; last[] takes now[]. A
 * worker that did not move is named in *stuck (the first such).
 */
bool sw_watchdog_progress(const uint64_t *now, uint64_t *last,
			  unsigned int n, unsigned int *stuck);

/* READY=1 and a first STATUS=, after start. */
void sw_notify_ready(struct sw_app *app);

/*
 * From the control loop (now: monotonic seconds): the watchdog, the
 * reload's RELOADING=1 / READY=1, STATUS= when it changes.
 */
void sw_notify_tick(struct sw_app *app, double now);

/* STOPPING=1. */
void sw_notify_stopping(void);

/*
 * Test hook: SPILLWAY_TEST_STALL_WORKER="ID:SECONDS" makes worker ID
 * stop making progress SECONDS after start, as a stuck worker would
 * (tests/integration/test_systemd.py). Logged when set. After the
 * workers are made, before they run.
 */
void sw_notify_test_hook(struct sw_app *app);

#endif /* SW_NOTIFY_H */
