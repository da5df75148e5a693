/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The shard of a flow, computed as the NIC's RSS computes the queue
 * (shardmap.h).
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_thash.h>

#include "shardmap.h"
#include "sw_ft.h"

/* Does the port hash this flow's ports too, or its addresses only? */
static bool
hashes_ports(const struct sw_shardmap *m, const struct sw_ft_key *k)
{
	uint64_t tcp = k->family == 4 ? RTE_ETH_RSS_NONFRAG_IPV4_TCP :
		       RTE_ETH_RSS_NONFRAG_IPV6_TCP;
	uint64_t udp = k->family == 4 ? RTE_ETH_RSS_NONFRAG_IPV4_UDP :
		       RTE_ETH_RSS_NONFRAG_IPV6_UDP;

	if (k->proto == IPPROTO_TCP)
		return (m->rss_hf & tcp) != 0;
	if (k->proto == IPPROTO_UDP)
		return (m->rss_hf & udp) != 0;
	return false;
}

static uint32_t
word(const uint8_t *a)
{
	uint32_t w;

	memcpy(&w, a, 4);
	return rte_be_to_cpu_32(w);
}

int
sw_shardmap_owner(const struct sw_shardmap *m, const struct sw_ft_key *k)
{
	uint32_t t[RTE_THASH_V6_L4_LEN], h;
	unsigned int n = 0, i, aw = k->family == 4 ? 1 : 4;
	uint16_t q;

	if (m->nb_shards <= 1)
		return 0;
	if (!m->rss || m->reta_size == 0)
		return -1;
	/*
	 * Source then destination, as rte_thash_tuple lays them out. The
	 * key is symmetric (control/port.c), so either end first gives the
	 * same hash: the canonical key's lower end will do.
	 */
	for (i = 0; i < aw; i++)
		t[n++] = word(k->lo + 4 * i);
	for (i = 0; i < aw; i++)
		t[n++] = word(k->hi + 4 * i);
	if (hashes_ports(m, k))
		t[n++] = (uint32_t)rte_be_to_cpu_16(k->lo_port) << 16 |
			 rte_be_to_cpu_16(k->hi_port);
	if ((size_t)m->key_len < 4 * n + 4)
		return -1;
	h = rte_softrss(t, n, m->key);
	q = m->reta[h & (m->reta_size - 1)];
	return q < m->nb_shards ? q : -1;
}
