/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_RELOAD_H
#define SW_RELOAD_H

/*
 * Thread-safety: control thread only (the reload's own thread is
 * internal to reload.c).
 */

#include <stdint.h>

struct sw_app;
struct sw_buf;

/*
 * Reload, in two halves. sw_app_reload_ask() asks for one and returns
 * its number: it starts at once on a thread of its own, which reads and
 * validates `app->conf_path` and builds rules and sets (checking the
 * memory first) while the control thread goes on serving; or, when one
 * is running, it is the next, run when that one is done. The control
 * thread calls sw_app_reload_poll() every loop: it finishes what the
 * thread built (swaps it in, applies timeouts and live settings,
 * reports what needs a restart) or counts the failure, logs the report,
 * and starts the next if asked. reload_done, reload_ok and
 * reload_result then tell waiters how it went (reports hold "error:"
 * lines on refusal and for each setting that needs a restart).
 */
uint64_t sw_app_reload_ask(struct sw_app *app, const char *why);
void sw_app_reload_poll(struct sw_app *app);

/*
 * Reload and wait for the result (tests, --duration runs): 0 when it
 * took in full, -EINVAL refused, -EAGAIN took but a setting needs a
 * restart (not applied).
 */
int sw_app_reload(struct sw_app *app, struct sw_buf *out);

/* Stop and discard a reload still running (shutdown). */
void sw_app_reload_cancel(struct sw_app *app);

#endif /* SW_RELOAD_H */
