/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_CONTROL_H
#define SW_CONTROL_H

/*
 * The control server: a line-based TCP CLI (telnet, nc, scripts) served
 * from the control thread with poll(). Every reply ends with a line
 * holding only "."; errors start with "error:". Telnet option bytes are
 * dropped; lines over SW_CLI_LINE_MAX get an error; at most max_clients
 * at once; idle clients and clients that stop reading are closed. When a
 * password is set, a client must send "auth PASSWORD" first.
 *
 * Thread-safety: control thread only. Workers never wait on it.
 */

struct sw_app;
struct sw_ctl;

/* Bind and listen; NULL with err filled on failure. */
struct sw_ctl *sw_ctl_create(struct sw_app *app, char *err, size_t errlen);

/* Serve clients for up to timeout_ms. */
void sw_ctl_poll(struct sw_ctl *ctl, int timeout_ms);

/* "127.0.0.1:9023" as actually bound (port 0 resolved). */
const char *sw_ctl_address(const struct sw_ctl *ctl);

/* Close every client and the listener. NULL is a no-op. */
void sw_ctl_free(struct sw_ctl *ctl);

#endif /* SW_CONTROL_H */
