/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * Link changes and their propagation across a pair (link.h).
 */
#include <string.h>

#include <rte_ethdev.h>

#include "app.h"
#include "link.h"
#include "log.h"
#include "port.h"

enum link_act {
	LA_NONE = 0,
	LA_HOLD,	/* take the peer's link down, and hold it */
	LA_RELEASE,	/* bring the held peer back up */
};

/*
 * What a port's link reading means for its peer, by (link before,
 * link now, peer held down by spillway). A port spillway holds down is
 * never read here (its link is down because of us, not news), so the
 * two ports of a pair can never hold each other down.
 */
static const uint8_t link_act[2][2][2] = {
/*                          peer free   peer held */
/* was down, now down */ { { LA_NONE,   LA_NONE },
/* was down, now up   */   { LA_NONE,   LA_RELEASE } },
/* was up,   now down */ { { LA_HOLD,   LA_NONE },
/* was up,   now up   */   { LA_NONE,   LA_RELEASE } },
/*   up with its peer held: a release that failed, tried again. */
};

static void
act(struct sw_app *app, unsigned int p, uint8_t a)
{
	unsigned int q = app->cfg.ports[p].peer;
	const char *pn = app->cfg.ports[p].name, *qn = app->cfg.ports[q].name;
	int rc;

	switch (a) {
	case LA_HOLD:
		rc = rte_eth_dev_set_link_down(app->port_id[q]);
		if (rc == 0) {
			app->link_held[q] = true;
			SW_LOG(NOTICE, "port %s: link down: port %s taken down "
			       "with it (link_propagate)\n", pn, qn);
		} else {
			SW_LOG(WARNING, "port %s: link down, but port %s "
			       "cannot be taken down: %s\n", pn, qn,
			       strerror(-rc));
		}
		break;
	case LA_RELEASE:
		rc = rte_eth_dev_set_link_up(app->port_id[q]);
		if (rc == 0) {
			app->link_held[q] = false;
			SW_LOG(NOTICE, "port %s: link up: port %s brought back "
			       "up (link_propagate)\n", pn, qn);
		} else {
			SW_LOG(WARNING, "port %s: link up, but port %s cannot "
			       "be brought up: %s\n", pn, qn, strerror(-rc));
		}
		break;
	default:
		break;
	}
}

void
sw_links_watch(struct sw_app *app, double now)
{
	struct rte_eth_link link;
	unsigned int p, q;
	int was, is;

	if (now < app->link_next)
		return;
	app->link_next = now + SW_LINK_POLL_S;
	for (p = 0; p < app->cfg.nb_ports; p++) {
		if (!app->port_started[p] || app->link_held[p] ||
		    rte_eth_link_get_nowait(app->port_id[p], &link) != 0)
			continue;
		is = link.link_status ? 1 : 0;
		/* Unknown at first: as if it had been up. */
		was = app->link_up[p] < 0 ? 1 : app->link_up[p];
		if (is != app->link_up[p]) {
			app->link_up[p] = is;
			sw_port_log_link(app->port_id[p],
					 app->cfg.ports[p].name);
		}
		if (!app->cfg.ports[p].link_propagate)
			continue;
		q = app->cfg.ports[p].peer;
		act(app, p, link_act[was][is][app->link_held[q]]);
	}
}

void
sw_links_release(struct sw_app *app)
{
	unsigned int p;

	for (p = 0; p < app->cfg.nb_ports; p++)
		if (app->link_held[p] && app->port_started[p] &&
		    rte_eth_dev_set_link_up(app->port_id[p]) == 0)
			app->link_held[p] = false;
}
