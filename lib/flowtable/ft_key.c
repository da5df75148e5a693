/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <string.h>

#include <rte_byteorder.h>

#include "sw_ft.h"

/* Compare addresses as big-endian numbers: -1, 0, 1. */
static inline int
addr_cmp(const uint8_t *a, const uint8_t *b, int v6)
{
	uint64_t x, y;

	if (!v6) {
		uint32_t p, q;

		memcpy(&p, a, 4);
		memcpy(&q, b, 4);
		p = rte_be_to_cpu_32(p);
		q = rte_be_to_cpu_32(q);
		return (p > q) - (p < q);
	}
	memcpy(&x, a, 8);
	memcpy(&y, b, 8);
	if (x == y) {
		memcpy(&x, a + 8, 8);
		memcpy(&y, b + 8, 8);
	}
	x = rte_be_to_cpu_64(x);
	y = rte_be_to_cpu_64(y);
	return (x > y) - (x < y);
}

int
sw_ft_key_make(struct sw_ft_key *key, uint8_t family, uint8_t proto,
	       const uint8_t *src, const uint8_t *dst, uint16_t sport,
	       uint16_t dport)
{
	int v6 = family == 6;
	size_t alen = v6 ? 16 : 4;
	int c = addr_cmp(src, dst, v6);
	int dir;

	/* Equal addresses (a host talking to itself) order by port. */
	if (c == 0)
		c = (int)rte_be_to_cpu_16(sport) - (int)rte_be_to_cpu_16(dport);
	dir = c > 0 ? SW_FT_DIR_HI : SW_FT_DIR_LO;

	if (!v6) {
		/* Only the 4-byte tails of lo/hi need clearing. */
		memset(key->lo + 4, 0, 12);
		memset(key->hi + 4, 0, 12);
	}
	if (dir == SW_FT_DIR_LO) {
		memcpy(key->lo, src, alen);
		memcpy(key->hi, dst, alen);
		key->lo_port = sport;
		key->hi_port = dport;
	} else {
		memcpy(key->lo, dst, alen);
		memcpy(key->hi, src, alen);
		key->lo_port = dport;
		key->hi_port = sport;
	}
	key->proto = proto;
	key->family = family;
	key->zone = 0;
	return dir;
}
