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

#include <stdint.h>

struct rte_mempool;

/*
 * Configure and start DPDK port `port_id` (called `name` in logs) with
 * nb_queues rx/tx queue pairs fed from `pool`. Returns 0 or -errno
 * with the reason logged.
 */
int sw_port_start(uint16_t port_id, const char *name, uint16_t nb_queues,
		  struct rte_mempool *pool);

/* Log the link state of a port ("up 10 Gbps full-duplex" / "down"). */
void sw_port_log_link(uint16_t port_id, const char *name);

#define SW_PORT_MAX_RING_FDS 64

/*
 * A net_af_packet port's receive rings overflow in the kernel, and the
 * PMD (22.11) never reports it: rx_missed stays 0 while frames are lost
 * before spillway sees them. These find the PMD's packet sockets for
 * the port's interface among this process's descriptors (the device
 * string's iface=), and read and reset their drop counts
 * (PACKET_STATISTICS). sw_port_ring_fds returns how many it found (0
 * for other devices).
 */
int sw_port_ring_fds(const char *dev, int *fds, int max);
uint64_t sw_port_ring_drops(const int *fds, int n);

#endif /* SW_PORT_H */
