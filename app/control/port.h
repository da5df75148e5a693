/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_PORT_H
#define SW_PORT_H

/*
 * Port set-up as DPDK applications do it: the port's queues (one rx
 * and one tx queue per worker that polls it) and descriptor counts,
 * checked against rte_eth_dev_info; its MTU, with jumbo frames received
 * into chains (rx scatter) when the device offers that and its mbufs
 * are smaller, or into larger mbufs; the rx checksum offloads it
 * offers (the worker then trusts the flags and sums in software only
 * what they leave unknown); a symmetric RSS key when it has more than
 * one queue and hashes; promiscuous mode. Control thread only.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct rte_mempool;
struct sw_shardmap;

/* The data room of a default mbuf (RTE_MBUF_DEFAULT_DATAROOM). */
#define SW_PORT_ROOM	2048

/* How a port takes frames of its MTU, from its settings and its device. */
struct sw_port_plan {
	uint32_t frame;		/* largest frame: MTU, Ethernet, 2 VLAN tags */
	uint32_t room;		/* data room its rx mbufs need; 0: default */
	bool scatter;		/* frames past SW_PORT_ROOM come as chains */
	bool kernel_mtu;	/* the driver caps the MTU below pc->mtu (a
				 * kernel-backed vdev): its kernel interface
				 * gets it instead, as its PMD would */
};

/*
 * Check pc against what device port_id offers (queues, descriptors,
 * MTU) and plan how it receives: *plan filled, 0; or -errno with the
 * reason logged (a setting the device cannot take).
 */
int sw_port_plan(uint16_t port_id, const struct sw_port_conf *pc,
		 struct sw_port_plan *plan);

/*
 * Plan each port of cfg (DPDK ids port_id[], plans into plan[]) and
 * create the mbuf pools they need, sized by their queues and
 * descriptors: *pool of default mbufs (every port's rx but those below,
 * every reply) and *big, NULL when no port needs it, with data room for
 * the largest frame: the rx of ports whose frames do not fit a default
 * mbuf and cannot scatter, and the copies the workers make of frames
 * that arrive as chains (sw_worker's lin_pool). Returns 0 or -errno,
 * logged.
 */
int sw_port_pools(const struct sw_config *cfg, const uint16_t *port_id,
		  unsigned int nb_workers, struct sw_port_plan *plan,
		  struct rte_mempool **pool, struct rte_mempool **big);

/*
 * Configure and start DPDK port `port_id` as pc and plan say, its rx
 * queues fed from `pool` (with data room for plan->room). fast_free:
 * every mbuf its tx queues get comes from one pool, whole (no chain):
 * RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE may be asked. Returns 0 or -errno
 * with the reason logged.
 */
int sw_port_start_conf(uint16_t port_id, const struct sw_port_conf *pc,
		       const struct sw_port_plan *plan,
		       struct rte_mempool *pool, bool fast_free);

/*
 * The same with the default settings (MTU 1500, 1024 descriptors) and
 * nb_queues queue pairs, for the benchmark and tests: port `name`.
 */
int sw_port_start(uint16_t port_id, const char *name, uint16_t nb_queues,
		  struct rte_mempool *pool);

/*
 * What is in force on a port, for show ports: " link=up speed=10000
 * duplex=full mtu=... dev_mtu=... queues=... rx_desc=... tx_desc=...
 * rx_offloads=A,B tx_offloads=C" (names as DPDK's
 * rte_eth_dev_rx_offload_name; "none"), appended to b.
 */
struct sw_buf;
void sw_port_describe(uint16_t port_id, const struct sw_port_conf *pc,
		      struct sw_buf *b);

/*
 * The symmetric RSS key sw_port_start() gives a hashing device: one
 * 16-bit pattern, repeated, so Toeplitz over it gives one hash to both
 * directions of a connection (addresses and ports swapped), drawn at
 * random once per process so nobody outside can tell which queue a
 * tuple reaches.
 *
 * sw_port_rss_init() draws the process's pattern from getrandom(); it
 * is idempotent, sw_port_start() calls it when a port hashes, and it
 * returns 0 or -errno from getrandom(). Control thread, at start.
 * sw_port_rss_key() fills key[0 .. len-1] with the process's key (all
 * zeros before sw_port_rss_init()). Any thread.
 * sw_port_rss_key_str() writes the key port_id was given, as lowercase
 * hex, to s; false when that port does not hash (one queue, no RSS) or
 * size is too small. Control thread.
 *
 * For tests: sw_port_rss_pattern_ok() says whether a pattern is strong
 * enough (port.c says what it refuses and why); sw_port_rss_draw()
 * draws a new acceptable pattern (0 or -errno); sw_port_rss_key_fill()
 * repeats any pattern over key[0 .. len-1]. Any thread.
 */
#define SW_PORT_RSS_KEY_MAX 64	/* bytes; its text takes twice that + 1 */

int sw_port_rss_init(void);
void sw_port_rss_key(uint8_t *key, size_t len);
bool sw_port_rss_key_str(uint16_t port_id, char *s, size_t size);
bool sw_port_rss_pattern_ok(uint16_t pattern);
int sw_port_rss_draw(uint16_t *pattern);
void sw_port_rss_key_fill(uint8_t *key, size_t len, uint16_t pattern);

/*
 * Fill *m with what decides a flow's shard on these started ports
 * (dataplane/shardmap.h): one shard, or their RSS key, hash types and
 * redirection table when every port hashes alike with spillway's key;
 * else m->rss stays false (several shards, hash unknown). Returns 0,
 * or -ENOTSUP with why[] saying which port does not hash. Control
 * thread, after sw_port_start().
 */
int sw_port_shardmap(const uint16_t *port_id, unsigned int nb_ports,
		     unsigned int nb_queues, struct sw_shardmap *m,
		     char *why, size_t len);

/* Log the link state of a port ("up 10 Gbps full-duplex" / "down"). */
void sw_port_log_link(uint16_t port_id, const char *name);

/*
 * Kernel rings of net_af_packet and net_af_xdp ports overflow before
 * spillway sees the frames, and the 22.11 PMDs do not say so (af_packet
 * reports nothing, af_xdp only XDP's rx_dropped, not a full RX ring or
 * an empty fill ring). These find the PMD's sockets for the port's
 * interface among this process's descriptors (the device string's
 * iface=) and read their drops: PACKET_STATISTICS (reset by reading),
 * XDP_STATISTICS rx_ring_full + rx_fill_ring_empty_descs (cumulative:
 * last[] holds what was read before). sw_port_ring_fds returns how many
 * sockets it found (0 for other devices); sw_port_ring_drops the drops
 * since its last call.
 *
 * An AF_XDP socket whose ring is full makes the XDP redirect fail, and
 * the interface counts that frame dropped (veth: rx_dropped), overlapping
 * rx_ring_full: for net_af_xdp ports sw_port_xdp_iface_drops gives the
 * interface's rx_dropped since its last call, and the caller takes the
 * larger of the two.
 */
int sw_port_ring_fds(const char *dev, int *fds, int max);
uint64_t sw_port_ring_drops(const int *fds, uint64_t *last, int n);
uint64_t sw_port_xdp_iface_drops(const char *dev, uint64_t *last);

#endif /* SW_PORT_H */
