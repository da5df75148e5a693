/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>

#include "sw_pkt.h"
#include "worker.h"

/* Packets ahead whose first cache line is fetched (l3fwd uses 3). */
#define SW_PREFETCH 3

const char *const sw_counter_names[SW_CNT_MAX] = {
#define SW_CNT_NAME(n, d) #n,
	SW_WORKER_COUNTERS(SW_CNT_NAME)
#undef SW_CNT_NAME
};

const char *const sw_counter_help[SW_CNT_MAX] = {
#define SW_CNT_HELP(n, d) d,
	SW_WORKER_COUNTERS(SW_CNT_HELP)
#undef SW_CNT_HELP
};

void
sw_worker_burst(struct sw_worker *w, uint8_t in_port, struct rte_mbuf **pkts,
		uint16_t nb)
{
	struct sw_pkt meta[SW_BURST_MAX];
	struct rte_mbuf *drop[SW_BURST_MAX];
	uint8_t out = w->peer[in_port];
	struct rte_eth_dev_tx_buffer *txb = w->txb[out];
	uint16_t out_id = w->port_id[out];
	uint64_t *c = w->cnt.c;
	uint16_t i, nd = 0;
	int r;

	for (i = 0; i < nb && i < SW_PREFETCH; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));

	/* Stage 1: parse the whole burst. */
	for (i = 0; i < nb; i++) {
		struct rte_mbuf *m = pkts[i];

		if (i + SW_PREFETCH < nb)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + SW_PREFETCH],
						       void *));
		/*
		 * Headers are read from the first segment only: without rx
		 * scatter every frame up to the mbuf size is one segment.
		 */
		r = sw_parse(rte_pktmbuf_mtod(m, const uint8_t *),
			     rte_pktmbuf_data_len(m), &meta[i]);
		meta[i].k.in_port = in_port;
		if (unlikely(r != SW_PARSE_IP)) {
			if (r == SW_PARSE_L2 && w->l2_passthrough) {
				c[SW_CNT_l2_passthrough]++;
				goto forward;
			}
			c[r == SW_PARSE_L2 ? SW_CNT_l2_dropped :
					     SW_CNT_malformed]++;
			drop[nd++] = m;
			continue;
		}
forward:
		c[SW_CNT_tx]++;
		rte_eth_tx_buffer(out_id, w->txq, txb, m);
	}
	c[SW_CNT_rx] += nb;
	if (nd)
		rte_pktmbuf_free_bulk(drop, nd);
}

void
sw_worker_flush(struct sw_worker *w)
{
	unsigned int p;

	for (p = 0; p < w->nb_ports; p++)
		rte_eth_tx_buffer_flush(w->port_id[p], w->txq, w->txb[p]);
}

int
sw_worker_main(void *arg)
{
	struct sw_worker *w = arg;
	struct rte_mbuf *pkts[SW_BURST_MAX];
	unsigned int q;
	uint16_t nb;

	while (!*w->quit) {
		for (q = 0; q < w->nb_rxq; q++) {
			nb = rte_eth_rx_burst(w->rxq[q].port_id,
					      w->rxq[q].queue, pkts, w->burst);
			if (nb)
				sw_worker_burst(w, w->rxq[q].port, pkts, nb);
		}
		sw_worker_flush(w);
	}
	sw_worker_flush(w);
	return 0;
}
