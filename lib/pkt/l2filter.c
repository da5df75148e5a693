/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l2filter.h"

static const struct {
	const char *name;
	uint16_t et, et2;
	bool hides_ip;
} classes[SW_L2_MAX] = {
#define L2_ROW(c, n, e, e2, h) [SW_L2_##c] = { n, e, e2, h },
	SW_L2_CLASSES(L2_ROW)
#undef L2_ROW
};

void
sw_l2_default(struct sw_l2_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->named = 1ull << SW_L2_ARP | 1ull << SW_L2_LLDP;
}

static int
class_of_ethertype(uint16_t et)
{
	int i;

	for (i = 0; i < SW_L2_MAX; i++)
		if (classes[i].et == et ||
		    (classes[i].et2 != 0 && classes[i].et2 == et))
			return i;
	return -1;
}

int
sw_l2_add(struct sw_l2_conf *c, const char *s, char *why, size_t len)
{
	unsigned long v;
	char *end;
	int i;

	for (i = 0; i < SW_L2_MAX; i++)
		if (strcmp(s, classes[i].name) == 0) {
			c->named |= 1ull << i;
			return 0;
		}
	if (s[0] < '0' || s[0] > '9' ||
	    (v = strtoul(s, &end, 0), *end != '\0') || v > 0xffff) {
		snprintf(why, len, "'%s' is neither an ethertype (0x0600 to "
			 "0xffff) nor one of arp, rarp, lldp, lacp, eapol, ptp,"
			 " pppoe-discovery, stp, llc, snap, mpls, pppoe, pbb, "
			 "macsec, nsh", s);
		return -EINVAL;
	}
	if (v < 0x0600) {
		snprintf(why, len, "%s is a length, not an ethertype (802.3 "
			 "frames: stp, llc, snap)", s);
		return -EINVAL;
	}
	if (v == 0x0800 || v == 0x86dd || v == 0x8100 || v == 0x88a8 ||
	    v == 0x9100) {
		snprintf(why, len, "0x%04lx is IP or a VLAN tag: the rules "
			 "decide those", v);
		return -EINVAL;
	}
	i = class_of_ethertype((uint16_t)v);
	if (i >= 0 && classes[i].hides_ip) {
		snprintf(why, len, "0x%04lx carries IP that no rule would see; "
			 "allow it by name (%s) if you mean it", v,
			 classes[i].name);
		return -EINVAL;
	}
	if (i >= 0) {
		c->named |= 1ull << i;
		return 0;
	}
	for (i = 0; i < SW_L2_NUM_MAX; i++) {
		if (c->num[i] == v)
			return 0;
		if (c->num[i] == 0) {
			c->num[i] = (uint16_t)v;
			return 0;
		}
	}
	snprintf(why, len, "more than %d ethertypes by number",
		 SW_L2_NUM_MAX);
	return -ENOSPC;
}

void
sw_l2_describe(const struct sw_l2_conf *c, char *buf, size_t len)
{
	size_t n = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < SW_L2_MAX && n < len; i++)
		if (c->named & (1ull << i))
			n += (size_t)snprintf(buf + n, len - n, "%s%s",
					      n ? ", " : "", classes[i].name);
	for (i = 0; i < SW_L2_NUM_MAX && n < len; i++)
		if (c->num[i])
			n += (size_t)snprintf(buf + n, len - n, "%s0x%04x",
					      n ? ", " : "", c->num[i]);
	if (n == 0)
		snprintf(buf, len, "none");
}

bool
sw_l2_allowed(const struct sw_l2_conf *c, const uint8_t *f, uint32_t len,
	      uint32_t off, bool *hides_ip)
{
	uint16_t et = off >= 2 && off <= len ?
		      (uint16_t)(f[off - 2] << 8 | f[off - 1]) : 0;
	uint64_t named = __atomic_load_n(&c->named, __ATOMIC_RELAXED);
	int i;

	if (et < 0x0600) {
		/* 802.3: the LLC header says what it is. */
		if (off + 2 <= len && f[off] == 0xaa && f[off + 1] == 0xaa)
			et = SW_L2_ET_SNAP;
		else if (off + 2 <= len && f[off] == 0x42 && f[off + 1] == 0x42)
			et = SW_L2_ET_STP;
		else
			et = SW_L2_ET_LLC;
	}
	i = class_of_ethertype(et);
	*hides_ip = i >= 0 && classes[i].hides_ip;
	if (i >= 0)
		return (named >> i) & 1;
	for (i = 0; i < SW_L2_NUM_MAX; i++)
		if (__atomic_load_n(&c->num[i], __ATOMIC_RELAXED) == et)
			return true;
	return false;
}
