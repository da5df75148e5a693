/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>

#include "reject.h"
#include "sw_acl.h"
#include "sw_pkt.h"
#include "worker.h"

/* Packets ahead whose first cache line is fetched (l3fwd uses 3). */
#define SW_PREFETCH 3

/* Per-packet verdicts beyond the rule actions. */
#define V_PENDING	SW_ACL_NONE	/* still to be classified */
#define V_L2		(SW_ACL_NB_ACTIONS + 0)	/* non-IP, passed */
#define V_L2_DROP	(SW_ACL_NB_ACTIONS + 1)
#define V_MALFORMED	(SW_ACL_NB_ACTIONS + 2)
#define V_FRAG		(SW_ACL_NB_ACTIONS + 3)	/* non-first fragment */

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
sw_worker_init(struct sw_worker *w, const struct sw_config *cfg,
	       struct sw_acl *const *acl, struct rte_rcu_qsbr *qs)
{
	uint64_t hz = rte_get_tsc_hz();

	w->acl = acl;
	w->qs = qs;
	w->l2_passthrough = cfg->l2_passthrough;
	w->allow_ndp = cfg->rules.allow_ndp;
	w->rl_burst = cfg->rules.reject_rate;
	w->rl_tokens = w->rl_burst;
	w->rl_tsc_per_token = w->rl_burst ? hz / w->rl_burst : 0;
	w->rl_last = rte_rdtsc();
	sw_frag_init(&w->frag, hz);
}

/* One token per reply; the division runs only when the bucket is dry. */
static bool
reject_allowed(struct sw_worker *w, uint64_t now)
{
	uint64_t add;

	if (w->rl_tokens == 0) {
		if (w->rl_burst == 0 || w->rl_tsc_per_token == 0)
			return false;
		add = (now - w->rl_last) / w->rl_tsc_per_token;
		if (add == 0)
			return false;
		w->rl_tokens = RTE_MIN(add, w->rl_burst);
		w->rl_last += add * w->rl_tsc_per_token;
	}
	w->rl_tokens--;
	return true;
}

static inline bool
is_ndp(const struct sw_pkt *p)
{
	/* Router/neighbour solicitation and advertisement, redirect. */
	return p->k.family == SW_AF_INET6 && p->k.proto == 58 &&
	       p->frag == SW_FRAG_NONE && p->k.icmp_type >= 133 &&
	       p->k.icmp_type <= 137;
}

/*
 * Stage 1: parse the burst and settle what needs no rule: malformed and
 * non-IP frames, neighbour discovery, non-first fragments. The rest is
 * listed in keys[] / ki[] for classification. Returns how many.
 */
static uint16_t
stage_parse(struct sw_worker *w, uint8_t in_port, struct rte_mbuf **pkts,
	    uint16_t nb, struct sw_pkt *meta, uint8_t *v,
	    const struct sw_acl_key **keys, uint16_t *ki)
{
	uint64_t *c = w->cnt.c;
	uint16_t i, nk = 0;
	int r;

	for (i = 0; i < nb && i < SW_PREFETCH; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < nb; i++) {
		struct sw_pkt *p = &meta[i];

		if (i + SW_PREFETCH < nb)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + SW_PREFETCH],
						       void *));
		/*
		 * Headers are read from the first segment only: without rx
		 * scatter every frame up to the mbuf size is one segment.
		 */
		r = sw_parse(rte_pktmbuf_mtod(pkts[i], const uint8_t *),
			     rte_pktmbuf_data_len(pkts[i]), p);
		p->k.in_port = in_port;
		if (likely(r == SW_PARSE_IP)) {
			if (unlikely(p->frag == SW_FRAG_LATER)) {
				/* Judged in arrival order, after its first
				 * fragment, which may be in this burst. */
				v[i] = V_FRAG;
			} else if (unlikely(is_ndp(p) && w->allow_ndp)) {
				v[i] = SW_ACL_ACCEPT;
				c[SW_CNT_ndp]++;
			} else {
				v[i] = V_PENDING;
				keys[nk] = &p->k;
				ki[nk++] = i;
			}
		} else if (r == SW_PARSE_L2) {
			v[i] = w->l2_passthrough ? V_L2 : V_L2_DROP;
		} else {
			v[i] = V_MALFORMED;
		}
	}
	return nk;
}

/*
 * Stage 2: notrack rules decide what they match; everything else goes
 * to the fallback rules (stateless mode: no flow table yet).
 */
static void
stage_classify(struct sw_worker *w, const struct sw_acl *acl, uint8_t *v,
	       const struct sw_acl_key **keys, uint16_t *ki, uint16_t nk)
{
	uint64_t *c = w->cnt.c;
	uint8_t act[SW_BURST_MAX];
	uint16_t j, m = 0;

	if (nk == 0)
		return;
	sw_acl_classify(acl, SW_ACL_NOTRACK, w->id, keys, nk, act, NULL);
	for (j = 0; j < nk; j++) {
		if (act[j] != SW_ACL_NONE) {
			v[ki[j]] = act[j];
			c[SW_CNT_notrack]++;
		} else {
			keys[m] = keys[j];
			ki[m++] = ki[j];
		}
	}
	if (m == 0)
		return;
	sw_acl_classify(acl, SW_ACL_FALLBACK, w->id, keys, m, act, NULL);
	for (j = 0; j < m; j++) {
		v[ki[j]] = act[j];
		c[act[j] == SW_ACL_ACCEPT ? SW_CNT_fallback_accept :
					    SW_CNT_fallback_drop]++;
	}
}

void
sw_worker_burst(struct sw_worker *w, uint8_t in_port, struct rte_mbuf **pkts,
		uint16_t nb)
{
	struct sw_pkt meta[SW_BURST_MAX];
	const struct sw_acl_key *keys[SW_BURST_MAX];
	struct rte_mbuf *drop[SW_BURST_MAX];
	uint16_t ki[SW_BURST_MAX];
	uint8_t v[SW_BURST_MAX];
	const struct sw_acl *acl = sw_acl_current(w->acl);
	uint8_t out = w->peer[in_port];
	struct rte_eth_dev_tx_buffer *txb = w->txb[out];
	uint16_t out_id = w->port_id[out];
	uint64_t *c = w->cnt.c;
	uint64_t now = rte_rdtsc();
	uint16_t i, nk, nd = 0;

	nk = stage_parse(w, in_port, pkts, nb, meta, v, keys, ki);
	stage_classify(w, acl, v, keys, ki, nk);

	/* Stage 3: act, in arrival order. */
	for (i = 0; i < nb; i++) {
		struct rte_mbuf *m = pkts[i];

		if (unlikely(v[i] == V_FRAG)) {
			v[i] = sw_frag_lookup(&w->frag, &meta[i], now);
			if (v[i] == SW_ACL_NONE) {
				v[i] = SW_ACL_DROP;
				c[SW_CNT_frag_unknown]++;
			}
		} else if (unlikely(meta[i].frag == SW_FRAG_FIRST &&
			     v[i] <= SW_ACL_REJECT))
			sw_frag_record(&w->frag, &meta[i], v[i] ==
				       SW_ACL_ACCEPT ? SW_ACL_ACCEPT :
				       SW_ACL_DROP, now);
		if (likely(v[i] == SW_ACL_ACCEPT || v[i] == V_L2)) {
			c[v[i] == V_L2 ? SW_CNT_l2_passthrough :
					 SW_CNT_accept]++;
			c[SW_CNT_tx]++;
			rte_eth_tx_buffer(out_id, w->txq, txb, m);
			continue;
		}
		switch (v[i]) {
		case SW_ACL_REJECT:
			c[SW_CNT_reject]++;
			if (reject_allowed(w, now) &&
			    sw_reject_build(m, &meta[i]) == 0) {
				c[SW_CNT_reject_sent]++;
				rte_eth_tx_buffer(w->port_id[in_port], w->txq,
						  w->txb[in_port], m);
				continue;
			}
			break;
		case V_L2_DROP:
			c[SW_CNT_l2_dropped]++;
			break;
		case V_MALFORMED:
			c[SW_CNT_malformed]++;
			break;
		default:
			c[SW_CNT_drop]++;
			break;
		}
		drop[nd++] = m;
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

	if (w->qs != NULL)
		rte_rcu_qsbr_thread_online(w->qs, w->id);
	while (!*w->quit) {
		for (q = 0; q < w->nb_rxq; q++) {
			nb = rte_eth_rx_burst(w->rxq[q].port_id,
					      w->rxq[q].queue, pkts, w->burst);
			if (nb)
				sw_worker_burst(w, w->rxq[q].port, pkts, nb);
		}
		sw_worker_flush(w);
		/* Between polls this worker holds no rule set or flow. */
		if (w->qs != NULL)
			rte_rcu_qsbr_quiescent(w->qs, w->id);
	}
	sw_worker_flush(w);
	if (w->qs != NULL)
		rte_rcu_qsbr_thread_offline(w->qs, w->id);
	return 0;
}
