/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_FLOWFMT_H
#define SW_FLOWFMT_H

/*
 * One flow as one line in the style of `conntrack -L`:
 *   tcp 6 431998 ESTABLISHED src=192.0.2.10 dst=192.0.2.80 sport=40312
 *   dport=80 packets=6 bytes=431 src=192.0.2.80 dst=192.0.2.10 sport=80
 *   dport=40312 packets=4 bytes=520 [ASSURED]
 * (one line). The first tuple is the opener's. Control thread only.
 */

#include <stddef.h>

struct sw_ft_key;
struct sw_ft_info;

/*
 * Writes at most len bytes (NUL included); returns the length. With
 * `detail`, the line goes on with the flow's zone, the opener's ingress
 * port, its keyed hash and, for TCP, each side's window state (as
 * `conntrack -L -o extended` adds what it knows):
 *   zone=0 port=0 hash=0x1c9a03f2 orig=[end=1001 maxend=66536
 *   maxwin=65535 wscale=7 SACK_PERM] reply=[...]
 */
int sw_format_flow(char *buf, size_t len, const struct sw_ft_key *k,
		   const struct sw_ft_info *info, int detail);

#endif /* SW_FLOWFMT_H */
