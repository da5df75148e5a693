/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_PORT_H
#define SW_PORT_H

/*
 * Port set-up: one rx and one tx queue per worker, a symmetric RSS key
 * when there is more than one queue and the device hashes, promiscuous
 * mode. Control thread only.
 */

#include <stddef.h>
#include <stdint.h>

struct rte_mempool;

/*
 * Configure and start DPDK port `port_id` (called `name` in logs) with
 * nb_queues rx/tx queue pairs fed from `pool`. Returns 0 or -errno
 * with the reason logged.
 */
int sw_port_start(uint16_t port_id, const char *name, uint16_t nb_queues,
		  struct rte_mempool *pool);

/*
 * Fill key[0 .. len-1] with the symmetric RSS key sw_port_start() gives
 * a hashing device: Toeplitz over it gives one hash to both directions
 * of a connection (addresses and ports swapped). Any thread.
 */
void sw_port_rss_key(uint8_t *key, size_t len);

/* Log the link state of a port ("up 10 Gbps full-duplex" / "down"). */
void sw_port_log_link(uint16_t port_id, const char *name);

#endif /* SW_PORT_H */
