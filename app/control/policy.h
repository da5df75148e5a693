/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_POLICY_H
#define SW_POLICY_H

/*
 * The rules in force (policy.c): the first build at start, and the
 * judge of live flows, which the workers run during their sweep after a
 * reload (revalidate_on_reload) or for `flush flows FILTER`.
 *
 * Thread-safety: control thread only, but the judge, which runs on the
 * workers during their sweep (it reads the published build, as they
 * do).
 */

#include <stddef.h>

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
 * in force would not accept now (or a flush filter names) are deleted
 * (asynchronous).
 */
void sw_app_rules_rejudge(struct sw_app *app);

#endif /* SW_POLICY_H */
