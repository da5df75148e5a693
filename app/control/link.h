/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_LINK_H
#define SW_LINK_H

/*
 * Ports' links, watched by the control thread: each change is logged,
 * and on a pair with link_propagate (pairs[]) a link that goes down
 * takes its peer's down (rte_eth_dev_set_link_down), and brings it back
 * up when it returns, as virtual-wire appliances do ("link state
 * pass-through"): a bump in the wire whose one side is dead must look
 * dead on the other, so that the network routes around it.
 *
 * Thread-safety: control thread only.
 */

struct sw_app;

/* How often sw_links_watch() reads the links, in seconds. */
#define SW_LINK_POLL_S	0.1

/*
 * Read every port's link (at most every SW_LINK_POLL_S; now: monotonic
 * seconds), log what changed, and propagate as the pairs say.
 */
void sw_links_watch(struct sw_app *app, double now);

/* Bring back up every link spillway took down (before ports stop). */
void sw_links_release(struct sw_app *app);

#endif /* SW_LINK_H */
