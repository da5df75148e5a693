/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_POLICY_H
#define SW_POLICY_H

/*
 * The rules in force (policy.c): built from the config's rule sets,
 * published to the workers with RCU, and used to judge live flows again
 * after a reload (revalidate_on_reload).
 *
 * Thread-safety: control thread only, but the judge, which runs on the
 * workers during their sweep (it reads the published build, as they
 * do).
 */

#include <stddef.h>

struct sw_acl;
struct sw_app;
struct sw_rules_conf;

/* Compile rule sets into a new build for nb_workers. NULL: err says why. */
struct sw_acl *sw_app_rules_build(const struct sw_rules_conf *rules,
				  unsigned int nb_workers, char *err,
				  size_t errlen);

/* The first build, from app->cfg.rules, at start. 0 or -EINVAL. */
int sw_app_rules_start(struct sw_app *app);

/*
 * Make acl the build in force (it was built from *next), wait until no
 * worker holds the old one, free it, and move next's rules into the
 * config in force (next is left empty).
 */
void sw_app_rules_publish(struct sw_app *app, struct sw_acl *acl,
			  struct sw_rules_conf *next);

/* Give the flow table the judge of live flows (at start, table made). */
void sw_app_rules_judge(struct sw_app *app);

/*
 * Have every worker pass its live flows to the judge: those the policy
 * in force would not accept now are deleted (asynchronous).
 */
void sw_app_rules_rejudge(struct sw_app *app);

#endif /* SW_POLICY_H */
