/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_FLOWFILTER_H
#define SW_FLOWFILTER_H

/*
 * A flow as its opener sent it, and conntrack-style filters over that
 * (show flows, flush flows, the revalidation judge).
 *
 * Thread-safety: pure functions; any thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sw_acl.h"

struct sw_ft_key;

/* A flow's original direction: the opener's address and port first. */
struct sw_flow_tuple {
	const uint8_t *src;	/* into the key: 4 or 16 bytes */
	const uint8_t *dst;
	uint16_t sport;		/* network order */
	uint16_t dport;
};

/* The original direction of key k, whose opener is orig_dir's side. */
void sw_flow_orig(const struct sw_ft_key *k, int orig_dir,
		  struct sw_flow_tuple *t);

/*
 * A conntrack-style filter (show flows, flush flows): src=, dst= (an
 * address or prefix, either side's original direction as conntrack -s
 * / -d), sport=, dport=, proto=, state=. Fields not given match all.
 */
struct sw_flow_filter {
	struct sw_acl_cidr src;
	struct sw_acl_cidr dst;
	int32_t sport;		/* -1: any */
	int32_t dport;
	int16_t proto;
	int16_t state;		/* enum sw_ft_state; -1: any */
};

/*
 * Parse "src=192.0.2.0/24 dport=22 state=ESTABLISHED" words (argv).
 * Returns 0 or -EINVAL with err.
 */
int sw_flow_filter_parse(struct sw_flow_filter *f, int argc, char **argv,
			 char *err, size_t errlen);
bool sw_flow_filter_match(const struct sw_flow_filter *f,
			  const struct sw_ft_key *k, int orig_dir,
			  uint8_t state);

#endif /* SW_FLOWFILTER_H */
