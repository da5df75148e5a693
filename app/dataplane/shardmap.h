/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_SHARDMAP_H
#define SW_SHARDMAP_H

/*
 * Which worker's shard a flow belongs to, as the NIC decides it: worker
 * i polls queue i of every port, and the NIC picks the queue by RSS,
 * Toeplitz over the flow's addresses (and ports, for the protocols its
 * hash types name) under spillway's symmetric key, then its redirection
 * table. A flow that arrives from the HA peer or a state file must go
 * into the shard its packets will reach: this computes that shard the
 * NIC's way, from the key, hash types and table the ports were given
 * (control/port.c fills the map).
 *
 * With one worker every flow is shard 0. With several on ports whose
 * hash spillway cannot compute (net_af_packet's qpairs use the kernel's
 * fanout hash, seeded at random per boot), the owner is unknown (-1):
 * HA and the state file then refuse to start rather than put flows
 * where no packet of theirs will come.
 *
 * Thread-safety: the control thread fills a map once; any thread may
 * then read it.
 */

#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>

struct sw_ft_key;

#define SW_SHARDMAP_KEY_MAX	64
#define SW_SHARDMAP_RETA_MAX	512

struct sw_shardmap {
	unsigned int nb_shards;
	bool rss;			/* several shards, known hash */
	/* rte_softrss reads the key a 32-bit word at a time. */
	uint8_t key[SW_SHARDMAP_KEY_MAX] __rte_aligned(4);
	uint8_t key_len;
	uint64_t rss_hf;		/* RTE_ETH_RSS_* the ports hash by */
	uint16_t reta_size;		/* a power of two */
	uint16_t reta[SW_SHARDMAP_RETA_MAX];	/* hash bits -> queue */
};

/* The shard of flow k: 0 with one shard; -1 when it cannot be known. */
int sw_shardmap_owner(const struct sw_shardmap *m, const struct sw_ft_key *k);

#endif /* SW_SHARDMAP_H */
