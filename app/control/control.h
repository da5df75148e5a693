/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_CONTROL_H
#define SW_CONTROL_H

/*
 * The control server: a line-based CLI (nc, socat, telnet, scripts)
 * served from the control thread with poll(), on
 *
 *  - a unix socket (control.socket, default /run/spillway/control.sock),
 *    mode 0600 (0660 with control.socket_group), whose peers' kernel
 *    credentials (SO_PEERCRED) are checked and logged: root, spillway's
 *    own uid, or a member of socket_group. Full rights, no password.
 *  - optionally TCP (control.listen), which always needs "auth PASSWORD"
 *    first (3 tries a connection; every failure logged, and its source
 *    made to wait 1, 2, 4 ... 64 s before anything more from it is read
 *    or answered; 4 such connections per address, each closed 10 s
 *    after its connect unless authenticated, whatever it sends or
 *    waits on), and is read-only unless control.tcp_admin.
 *
 * Every reply ends with a line holding only "."; errors start with
 * "error:". Telnet option bytes are dropped; lines over SW_CLI_LINE_MAX
 * get an error; at most max_clients at once (TCP at most half of them
 * when the unix socket is on); idle clients and clients that stop
 * reading are closed. show flows is streamed a chunk at a time as the
 * client reads, so a client costs a few tens of KiB whatever the table.
 *
 * Thread-safety: control thread only. Workers never wait on it.
 */

struct sw_app;
struct sw_ctl;

/* Bind and listen; NULL with err filled on failure. */
struct sw_ctl *sw_ctl_create(struct sw_app *app, char *err, size_t errlen);

/* Serve clients for up to timeout_ms. */
void sw_ctl_poll(struct sw_ctl *ctl, int timeout_ms);

/* The TCP address as bound ("127.0.0.1:9023", port 0 resolved); NULL
 * without a TCP listener. */
const char *sw_ctl_address(const struct sw_ctl *ctl);

/* The unix socket's path; NULL without one. */
const char *sw_ctl_socket(const struct sw_ctl *ctl);

/* Close every client and the listeners, and remove the socket file
 * (if it is still the one made). NULL is a no-op. */
void sw_ctl_free(struct sw_ctl *ctl);

#endif /* SW_CONTROL_H */
