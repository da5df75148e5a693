/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <errno.h>
#include <string.h>

#include <rte_ethdev.h>
#include "log.h"

#include "port.h"

#define PORT_LOG SW_LOG

#define RX_DESC 1024
#define TX_DESC 1024

/*
 * A key made of one repeated 16-bit pattern makes the Toeplitz hash
 * symmetric: swapping source and destination (addresses and ports)
 * gives the same hash, so both directions of a flow land on one queue
 * and so on one worker's shard (Woo and Park, "Scalable TCP Session
 * Monitoring with Symmetric Receive-side Scaling").
 */
static uint8_t rss_key[64];

void
sw_port_rss_key(uint8_t *key, size_t len)
{
	size_t i;

	for (i = 0; i < len; i += 2) {
		key[i] = 0x6d;
		if (i + 1 < len)
			key[i + 1] = 0x5a;
	}
}

int
sw_port_start(uint16_t port_id, const char *name, uint16_t nb_queues,
	      struct rte_mempool *pool)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	struct rte_eth_rxconf rxconf;
	struct rte_eth_txconf txconf;
	uint16_t nb_rxd = RX_DESC, nb_txd = TX_DESC, q;
	int socket = rte_eth_dev_socket_id(port_id);
	int rc;

	memset(&conf, 0, sizeof(conf));
	rc = rte_eth_dev_info_get(port_id, &info);
	if (rc) {
		PORT_LOG(ERR, "port %s: cannot get device info: %s\n", name,
			 strerror(-rc));
		return rc;
	}
	if (nb_queues > info.max_rx_queues || nb_queues > info.max_tx_queues) {
		PORT_LOG(ERR, "port %s (%s): %u workers need %u rx/tx queues, "
			 "the device has %u/%u (for net_af_packet add "
			 "qpairs=%u to the device string)\n", name,
			 info.driver_name, nb_queues, nb_queues,
			 info.max_rx_queues, info.max_tx_queues, nb_queues);
		return -EINVAL;
	}
	if (nb_queues > 1 && info.flow_type_rss_offloads != 0) {
		uint8_t len = info.hash_key_size ? info.hash_key_size : 40;

		if (len > sizeof(rss_key))
			len = sizeof(rss_key);
		sw_port_rss_key(rss_key, len);
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_key = rss_key;
		conf.rx_adv_conf.rss_conf.rss_key_len = len;
		conf.rx_adv_conf.rss_conf.rss_hf =
			(RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP | RTE_ETH_RSS_UDP) &
			info.flow_type_rss_offloads;
		PORT_LOG(INFO, "port %s: symmetric RSS over %u queues\n",
			 name, nb_queues);
	} else if (nb_queues > 1) {
		PORT_LOG(WARNING, "port %s (%s): no RSS; the driver spreads "
			 "%u queues itself and must keep both directions of "
			 "a flow on one queue\n", name, info.driver_name,
			 nb_queues);
	}
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;

	rc = rte_eth_dev_configure(port_id, nb_queues, nb_queues, &conf);
	if (rc) {
		PORT_LOG(ERR, "port %s: configure failed: %s\n", name,
			 strerror(-rc));
		return rc;
	}
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port_id, &nb_rxd, &nb_txd);
	if (rc)
		return rc;
	rxconf = info.default_rxconf;
	rxconf.offloads = conf.rxmode.offloads;
	txconf = info.default_txconf;
	txconf.offloads = conf.txmode.offloads;
	for (q = 0; q < nb_queues; q++) {
		rc = rte_eth_rx_queue_setup(port_id, q, nb_rxd, socket, &rxconf,
					    pool);
		if (rc == 0)
			rc = rte_eth_tx_queue_setup(port_id, q, nb_txd, socket,
						    &txconf);
		if (rc) {
			PORT_LOG(ERR, "port %s: queue %u setup failed: %s\n",
				 name, q, strerror(-rc));
			return rc;
		}
	}
	rc = rte_eth_dev_start(port_id);
	if (rc) {
		PORT_LOG(ERR, "port %s: start failed: %s\n", name,
			 strerror(-rc));
		return rc;
	}
	rc = rte_eth_promiscuous_enable(port_id);
	if (rc && rc != -ENOTSUP)
		PORT_LOG(WARNING, "port %s: promiscuous mode: %s\n", name,
			 strerror(-rc));
	return 0;
}

void
sw_port_log_link(uint16_t port_id, const char *name)
{
	struct rte_eth_link link;
	char text[RTE_ETH_LINK_MAX_STR_LEN];

	if (rte_eth_link_get_nowait(port_id, &link) != 0)
		return;
	rte_eth_link_to_str(text, sizeof(text), &link);
	PORT_LOG(INFO, "port %s: %s\n", name, text);
}
