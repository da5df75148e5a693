/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * systemd readiness, status and watchdog (notify.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>

#ifdef SW_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#else
/* Built without libsystemd: never under a notifying manager. */
static int
sd_notify(int unset, const char *state)
{
	(void)unset;
	(void)state;
	return 0;
}

static int
sd_watchdog_enabled(int unset, uint64_t *usec)
{
	(void)unset;
	(void)usec;
	return 0;
}
#endif

#include "app.h"
#include "log.h"
#include "notify.h"
#include "sw_ft.h"
#include "worker.h"

static struct {
	double every;			/* watchdog: seconds between pings */
	double next;
	uint64_t last[SW_MAX_WORKERS];	/* loop counters seen last */
	bool starved;			/* a worker stopped: said once */
	bool reloading;
	double next_status;
	char status[160];		/* the last STATUS= sent */
} nt;

bool
sw_watchdog_progress(const uint64_t *now, uint64_t *last, unsigned int n,
		     unsigned int *stuck)
{
	bool all = true;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (now[i] == last[i] && all) {
			*stuck = i;
			all = false;
		}
		last[i] = now[i];
	}
	return all;
}

/* "STATUS=..." of the flow table and the spill state, into buf. */
static void
status(const struct sw_app *app, char *buf, size_t len)
{
	struct sw_ft_stats st;
	uint64_t flows = 0;
	unsigned int i, n = 0, spilling = 0;

	if (app->ft == NULL) {
		snprintf(buf, len, "STATUS=running, %u ports, %u workers, "
			 "stateless (flowtable off)", app->cfg.nb_ports,
			 app->cfg.nb_workers);
		return;
	}
	n = sw_ft_nb_shards(app->ft);
	for (i = 0; i < n; i++) {
		sw_ft_shard_stats(app->ft, i, &st);
		flows += st.flows;
		spilling += st.spilling != 0;
	}
	snprintf(buf, len, "STATUS=running, %u ports, %u workers, %" PRIu64
		 " flows of %u, %s", app->cfg.nb_ports, app->cfg.nb_workers,
		 flows, app->cfg.flowtable.ft.max_flows, spilling == 0 ?
		 "not spilling" : spilling == n ? "spilling (every shard)" :
		 "spilling (some shards)");
	if (spilling != 0 && spilling != n)
		snprintf(buf + strlen(buf), len - strlen(buf), ": %u of %u",
			 spilling, n);
}

static void
send_status(struct sw_app *app, bool force)
{
	char buf[sizeof(nt.status)];

	status(app, buf, sizeof(buf));
	if (!force && strcmp(buf, nt.status) == 0)
		return;
	snprintf(nt.status, sizeof(nt.status), "%s", buf);
	sd_notify(0, buf);
}

void
sw_notify_ready(struct sw_app *app)
{
	char msg[sizeof(nt.status) + 64];
	uint64_t usec = 0;
	unsigned int i;

	status(app, nt.status, sizeof(nt.status));
	snprintf(msg, sizeof(msg), "READY=1\nMAINPID=%ld\n%s",
		 (long)getpid(), nt.status);
	sd_notify(0, msg);
	if (sd_watchdog_enabled(0, &usec) > 0 && usec > 0) {
		nt.every = (double)usec / 2e6;
		SW_LOG(INFO, "systemd: watchdog every %.1f s, fed while every "
		       "worker makes progress\n", (double)usec / 1e6);
	}
	for (i = 0; i < app->cfg.nb_workers; i++)
		if (app->workers[i] != NULL)
			nt.last[i] = __atomic_load_n(&app->workers[i]->loops,
						     __ATOMIC_RELAXED);
}

static void
watchdog(struct sw_app *app, double now)
{
	uint64_t cur[SW_MAX_WORKERS];
	unsigned int i, n = app->cfg.nb_workers, stuck = 0;

	if (nt.every <= 0 || now < nt.next)
		return;
	nt.next = now + nt.every;
	for (i = 0; i < n; i++)
		cur[i] = app->workers[i] != NULL ?
			 __atomic_load_n(&app->workers[i]->loops,
					 __ATOMIC_RELAXED) : 0;
	if (sw_watchdog_progress(cur, nt.last, n, &stuck)) {
		sd_notify(0, "WATCHDOG=1");
		if (nt.starved)
			SW_LOG(NOTICE, "watchdog: every worker makes progress "
			       "again: fed\n");
		nt.starved = false;
	} else if (!nt.starved) {
		SW_LOG(ERR, "watchdog: worker %u (lcore %u) made no progress "
		       "in %.1f s: not fed; systemd restarts spillway when "
		       "WatchdogSec runs out\n", stuck,
		       app->cfg.lcores[stuck], nt.every);
		nt.starved = true;
	}
}

void
sw_notify_tick(struct sw_app *app, double now)
{
	watchdog(app, now);
	if (app->reload_job != NULL && !nt.reloading) {
		nt.reloading = true;
		sd_notify(0, "RELOADING=1");
	} else if (app->reload_job == NULL && nt.reloading) {
		nt.reloading = false;
		sd_notify(0, "READY=1");
		send_status(app, true);
	}
	if (now >= nt.next_status) {
		nt.next_status = now + 1;
		send_status(app, false);
	}
}

void
sw_notify_stopping(void)
{
	sd_notify(0, "STOPPING=1");
}

void
sw_notify_test_hook(struct sw_app *app)
{
	const char *e = getenv("SPILLWAY_TEST_STALL_WORKER");
	unsigned int id;
	double secs;

	if (e == NULL || sscanf(e, "%u:%lf", &id, &secs) != 2 ||
	    id >= app->cfg.nb_workers || app->workers[id] == NULL)
		return;
	app->workers[id]->stall_tsc = rte_rdtsc() +
		(uint64_t)(secs * (double)rte_get_tsc_hz());
	SW_LOG(WARNING, "test hook SPILLWAY_TEST_STALL_WORKER: worker %u "
	       "stops making progress in %.1f s\n", id, secs);
}
