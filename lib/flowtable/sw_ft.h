/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_FT_H
#define SW_FT_H

/*
 * lib/flowtable: connection tracking for spillway's workers.
 *
 * Usage: build a canonical key for a packet with sw_ft_key_make(); both
 * directions of a connection give the same key, and the returned
 * direction says which side sent this packet.
 *
 * Thread-safety: the key functions are pure; any thread.
 */

#include <stdint.h>

/*
 * Canonical flow key: the lower endpoint (address, then port) first.
 * IPv4 addresses use the first 4 bytes of lo/hi, the rest zero. 40
 * bytes, a multiple of 4 as rte_hash's CRC prefers.
 */
struct sw_ft_key {
	uint8_t lo[16];
	uint8_t hi[16];
	uint16_t lo_port;	/* network order */
	uint16_t hi_port;	/* network order */
	uint8_t proto;
	uint8_t family;		/* 4 or 6 */
	uint16_t zero;		/* always 0: keys are hashed whole */
};

/* Direction of a packet relative to the canonical key. */
enum sw_ft_dir {
	SW_FT_DIR_LO = 0,	/* sent by the lower endpoint */
	SW_FT_DIR_HI = 1,	/* sent by the higher endpoint */
};

/*
 * Fill *key for a packet from (src, sport) to (dst, dport). `family` is
 * 4 or 6; addresses are 4 or 16 bytes in network order, ports in network
 * order. Returns the packet's direction (enum sw_ft_dir).
 */
int sw_ft_key_make(struct sw_ft_key *key, uint8_t family, uint8_t proto,
		   const uint8_t *src, const uint8_t *dst,
		   uint16_t sport, uint16_t dport);

#endif /* SW_FT_H */
