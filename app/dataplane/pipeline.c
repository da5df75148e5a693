/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * A worker and its flow table from a configuration (pipeline.h).
 */
#include <errno.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "config.h"
#include "pipeline.h"
#include "sw_ft.h"
#include "worker.h"
#include "counters.h"

struct sw_ft *
sw_pipeline_flowtable(const struct sw_config *cfg, uint64_t hz, int socket)
{
	struct sw_ft_conf c = cfg->flowtable.ft;
	unsigned int n = cfg->nb_workers ? cfg->nb_workers : 1;

	if (!cfg->flowtable.enabled) {
		rte_errno = 0;
		return NULL;
	}
	c.nb_shards = n;
	c.hz = hz;
	c.socket_id = socket;
	/*
	 * Quotas count per shard, as the table does: a source's flows
	 * spread over the workers by RSS, so each shard allows its share.
	 */
	if (c.src_max_flows)
		c.src_max_flows = (c.src_max_flows + n - 1) / n;
	if (c.src_max_new_per_s)
		c.src_max_new_per_s = (c.src_max_new_per_s + n - 1) / n;
	return sw_ft_create(&c);
}

struct sw_worker *
sw_pipeline_worker(const struct sw_config *cfg, unsigned int id,
		   unsigned int lcore, const uint16_t *port_id,
		   struct sw_ruleset *const *rules, struct rte_rcu_qsbr *qs,
		   struct sw_ft *ft, const volatile bool *quit)
{
	int socket = (int)rte_lcore_to_socket_id(lcore);
	struct sw_worker *w;
	unsigned int p;

	w = rte_zmalloc_socket("sw_worker", sizeof(*w), RTE_CACHE_LINE_SIZE,
			       socket);
	if (w == NULL)
		return NULL;
	w->id = id;
	w->lcore = lcore;
	w->burst = (uint16_t)cfg->burst;
	w->txq = (uint16_t)id;
	w->quit = quit;
	sw_worker_init(w, cfg, rules, qs, ft ? sw_ft_shard(ft, id) : NULL);
	w->nb_ports = cfg->nb_ports;
	w->nb_rxq = 0;
	for (p = 0; p < cfg->nb_ports; p++) {
		w->port_id[p] = port_id[p];
		w->peer[p] = cfg->ports[p].peer;
		/* Queue `id` of the ports that have one (ports[].queues;
		 * 0: a config built by hand, one per worker). */
		if (cfg->ports[p].queues == 0 || id < cfg->ports[p].queues) {
			w->rxq[w->nb_rxq].port_id = port_id[p];
			w->rxq[w->nb_rxq].queue = (uint16_t)id;
			w->rxq[w->nb_rxq].port = (uint8_t)p;
			w->nb_rxq++;
		}
		w->txb[p] = rte_zmalloc_socket("sw_txb",
			RTE_ETH_TX_BUFFER_SIZE(SW_BURST_MAX), 0, socket);
		if (w->txb[p] == NULL) {
			sw_pipeline_worker_free(w);
			return NULL;
		}
		rte_eth_tx_buffer_init(w->txb[p], w->burst);
		rte_eth_tx_buffer_set_err_callback(w->txb[p],
			rte_eth_tx_buffer_count_callback,
			&w->cnt.c[SW_CNT_tx_dropped]);
	}
	return w;
}

void
sw_pipeline_worker_free(struct sw_worker *w)
{
	unsigned int p;

	if (w == NULL)
		return;
	for (p = 0; p < SW_MAX_PORTS; p++)
		rte_free(w->txb[p]);
	rte_free(w);
}
