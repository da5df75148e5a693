/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_POLICY_H
#define SW_POLICY_H

/*
 * The rules in force (policy.c): the first build at start, the judge
 * of live flows, which the workers run during their sweep after a
 * reload (revalidate_on_reload), and `flush flows [FILTER]`, which they
 * run in their sweep too while the control thread waits for it.
 *
 * Thread-safety: control thread only, but the judge, which runs on the
 * workers during their sweep (it reads the published build, as they
 * do).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sw_app;

/*
 * The first build of rules and sets, from app->cfg, at start. 0 or
 * -EINVAL (logged).
 */
int sw_app_rules_start(struct sw_app *app);

/* Give the flow table the judge of live flows (at start, table made). */
void sw_app_rules_judge(struct sw_app *app);

/*
 * Have every worker pass its live flows to the judge: those the policy
 * in force would not accept now are deleted (asynchronous).
 */
void sw_app_rules_rejudge(struct sw_app *app);

/*
 * A flush of the flows a filter names (or all), one at a time: the
 * workers delete during their next sweep, and the waiter (a CLI
 * session) asks whether it is done without blocking anyone.
 *
 * sw_app_flush_start() starts one when none runs (app->flush NULL):
 * NULL when one runs or out of memory. sw_app_flush_poll() (the
 * control loop, every turn) notes it done. sw_flush_done() tells the
 * waiter, with the count; sw_flush_release() lets it go (freed at once
 * if done, else when done: a session may close meanwhile).
 */
struct sw_flow_filter;
struct sw_flush;

struct sw_flush *sw_app_flush_start(struct sw_app *app,
				    const struct sw_flow_filter *f);
void sw_app_flush_poll(struct sw_app *app);
bool sw_flush_done(const struct sw_flush *fl, uint64_t *deleted);
void sw_flush_release(struct sw_app *app, struct sw_flush *fl);

#endif /* SW_POLICY_H */
