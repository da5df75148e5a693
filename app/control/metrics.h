/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_METRICS_H
#define SW_METRICS_H

/*
 * The Prometheus endpoint: GET /metrics on stats.prometheus_listen
 * (off by default), answered with the counters in the Prometheus text
 * format (sw_stats_prom), from the control thread.
 *
 * Usage: sw_metrics_create() at start when stats.prometheus_listen is
 * set; sw_metrics_poll() from the control loop; sw_metrics_free() at
 * exit.
 *
 * What it costs and whom it answers: it runs on the control thread
 * (nothing on the workers' path), serves at most SW_METRICS_CLIENTS
 * connections at once, each a bounded request (2 KiB, 5 s) and one
 * reply, then closes. Each connection slot keeps one reply buffer,
 * allocated at its first scrape and reused, so a scrape allocates
 * nothing once the buffers have grown to the reply's size. Only
 * sources in stats.prometheus_allow (default loopback) get an answer;
 * others are closed at once. There is no password: like every
 * Prometheus exporter, keep it on loopback or a management network.
 *
 * Thread-safety: control thread only.
 */

#include <stddef.h>

#define SW_METRICS_CLIENTS 4

struct sw_app;
struct sw_metrics;

/*
 * Bind and listen on app->cfg.stats.prometheus_listen. NULL with err
 * filled on failure.
 */
struct sw_metrics *sw_metrics_create(struct sw_app *app, char *err,
				     size_t errlen);

/* Accept, read and answer for up to timeout_ms. */
void sw_metrics_poll(struct sw_metrics *m, int timeout_ms);

/* The address as bound ("127.0.0.1:9124", port 0 resolved). */
const char *sw_metrics_address(const struct sw_metrics *m);

/* Close everything. NULL is a no-op. */
void sw_metrics_free(struct sw_metrics *m);

#endif /* SW_METRICS_H */
