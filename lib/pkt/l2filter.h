/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_L2FILTER_H
#define SW_L2FILTER_H

/*
 * Which non-IP frames cross the bridge (l2_passthrough): an allow-list
 * of ethertypes, by name or number, default ARP and LLDP. Some frames
 * carry IP that no rule would see, because the parser does not look
 * inside them (MPLS, PPPoE sessions, 802.3 SNAP, provider backbone
 * bridging, MACsec, NSH): they pass only when allowed by name.
 * 802.3 frames (a length, not an ethertype) are told apart by their LLC
 * header: STP BPDUs (stp), SNAP (snap, may hide IP), the rest (llc).
 *
 * Thread-safety: sw_l2_parse on the control thread; sw_l2_allowed on a
 * worker reads a struct sw_l2_conf that a reload may rewrite one word
 * at a time: a frame then meets the old or the new entry for its type.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Pseudo ethertypes for 802.3 frames (below 0x0600, never real). */
#define SW_L2_ET_STP	0x0001
#define SW_L2_ET_LLC	0x0002
#define SW_L2_ET_SNAP	0x0003

/* class, its name, ethertype, a second ethertype or 0, hides IP */
#define SW_L2_CLASSES(X) \
	X(ARP,       "arp",             0x0806, 0,      false) \
	X(RARP,      "rarp",            0x8035, 0,      false) \
	X(LLDP,      "lldp",            0x88cc, 0,      false) \
	X(LACP,      "lacp",            0x8809, 0,      false) \
	X(EAPOL,     "eapol",           0x888e, 0,      false) \
	X(PTP,       "ptp",             0x88f7, 0,      false) \
	X(PPPOE_DISC, "pppoe-discovery", 0x8863, 0,     false) \
	X(STP,       "stp",             SW_L2_ET_STP,  0, false) \
	X(LLC,       "llc",             SW_L2_ET_LLC,  0, false) \
	X(SNAP,      "snap",            SW_L2_ET_SNAP, 0, true) \
	X(MPLS,      "mpls",            0x8847, 0x8848, true) \
	X(PPPOE,     "pppoe",           0x8864, 0,      true) \
	X(PBB,       "pbb",             0x88e7, 0,      true) \
	X(MACSEC,    "macsec",          0x88e5, 0,      true) \
	X(NSH,       "nsh",             0x894f, 0,      true)

enum sw_l2_class {
#define SW_L2_ENUM(c, n, e, e2, h) SW_L2_##c,
	SW_L2_CLASSES(SW_L2_ENUM)
#undef SW_L2_ENUM
	SW_L2_MAX
};

#define SW_L2_NUM_MAX 8

struct sw_l2_conf {
	uint64_t named;			/* bit i: enum sw_l2_class i */
	uint16_t num[SW_L2_NUM_MAX];	/* other ethertypes; 0: unused */
};

/* The default list: ARP and LLDP. */
void sw_l2_default(struct sw_l2_conf *c);

/*
 * Add one entry: a class name ("arp", "mpls") or an ethertype ("0x88b5",
 * "35061"). Returns 0, or -EINVAL with why filled: an unknown name, IP
 * itself or a VLAN tag, a number that hides IP (those need their name),
 * or -ENOSPC past SW_L2_NUM_MAX numbers.
 */
int sw_l2_add(struct sw_l2_conf *c, const char *s, char *why, size_t len);

/* The entries, as the config would name them ("arp, lldp, 0x88b5"). */
void sw_l2_describe(const struct sw_l2_conf *c, char *buf, size_t len);

/*
 * Does the non-IP frame f (len bytes, its payload after the last VLAN
 * tag at off) pass? *hides_ip says whether its type carries IP.
 */
bool sw_l2_allowed(const struct sw_l2_conf *c, const uint8_t *f, uint32_t len,
		   uint32_t off, bool *hides_ip);

#endif /* SW_L2FILTER_H */
