/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <string.h>

#include <rte_byteorder.h>

#include "sw_ft.h"

int
sw_ft_key_make(struct sw_ft_key *key, uint8_t family, uint8_t proto,
	       const uint8_t *src, const uint8_t *dst, uint16_t sport,
	       uint16_t dport)
{
	size_t alen = family == 6 ? 16 : 4;
	int c = memcmp(src, dst, alen);
	int dir;

	/* Equal addresses (a host talking to itself) order by port. */
	if (c == 0)
		c = (int)rte_be_to_cpu_16(sport) - (int)rte_be_to_cpu_16(dport);
	dir = c > 0 ? SW_FT_DIR_HI : SW_FT_DIR_LO;

	memset(key, 0, sizeof(*key));
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
	return dir;
}
