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
#include "sw_ft.h"
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
	       struct sw_acl *const *acl, struct rte_rcu_qsbr *qs,
	       struct sw_ft_shard *ft)
{
	uint64_t hz = rte_get_tsc_hz();

	w->acl = acl;
	w->ft = ft;
	w->qs = qs;
	w->l2 = cfg->l2;
	w->allow_ndp = cfg->rules.allow_ndp;
	w->allow_source_route = cfg->rules.allow_source_route;
	sw_reject_limit_init(&w->rl, cfg->rules.reject_rate,
			     cfg->rules.reject_rate_per_dest, hz, rte_rdtsc());
	sw_frag_init(&w->frag, hz, cfg->fragments.timeout,
		     cfg->fragments.per_source);
}

/*
 * A rejected packet: turn it into its reply if one is due and the rate
 * limits allow it (no token is spent on a packet that gets no reply).
 * Returns true when m is now the reply.
 */
static bool
reject_reply(struct sw_worker *w, struct rte_mbuf *m, const struct sw_pkt *p,
	     uint64_t now)
{
	uint64_t *c = w->cnt.c;
	int rc;

	if (!sw_reject_due(m, p))
		return false;
	rc = sw_reject_allowed(&w->rl, p, now);
	if (rc != SW_REJECT_OK) {
		c[rc == SW_REJECT_DEST_LIMITED ? SW_CNT_reject_dest_limited :
						 SW_CNT_reject_limited]++;
		return false;
	}
	return sw_reject_build(m, p) == 0;
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
 * IP packets dropped before any rule: a source route (unless allowed),
 * and neighbour discovery that RFC 4861 7.1.1 has every receiver
 * discard (hop limit not 255: it crossed a router; code not 0). Returns
 * the counter of the reason, or -1.
 */
static inline int
screen_ip(const uint8_t *f, const struct sw_pkt *p, bool srcroute_ok)
{
	if (!srcroute_ok && unlikely(sw_parse_source_route(f, p)))
		return SW_CNT_source_route;
	if (unlikely(is_ndp(p)) &&
	    (f[p->l3_off + 7] != 255 || p->k.icmp_code != 0))
		return SW_CNT_ndp_invalid;
	return -1;
}

/*
 * Stage 1: parse the burst and settle what needs no rule: malformed and
 * non-IP frames, source routes, invalid neighbour discovery, non-first
 * fragments. The rest is listed in keys[] / ki[] for classification;
 * *nndp counts the neighbour discovery among them. Returns how many.
 */
static uint16_t
stage_parse(struct sw_worker *w, uint8_t in_port, struct rte_mbuf **pkts,
	    uint16_t nb, struct sw_pkt *meta, uint8_t *v,
	    const struct sw_acl_key **keys, uint16_t *ki, uint16_t *nndp)
{
	uint64_t *c = w->cnt.c;
	/* A reload may change this: read it once a burst. */
	bool srcroute_ok = __atomic_load_n(&w->allow_source_route,
					   __ATOMIC_RELAXED);
	uint16_t i, nk = 0;
	bool hidden;
	int r;

	*nndp = 0;
	for (i = 0; i < nb && i < SW_PREFETCH; i++)
		rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void *));
	for (i = 0; i < nb; i++) {
		struct sw_pkt *p = &meta[i];
		const uint8_t *f = rte_pktmbuf_mtod(pkts[i], const uint8_t *);

		if (i + SW_PREFETCH < nb)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + SW_PREFETCH],
						       void *));
		/*
		 * Headers are read from the first segment only: without rx
		 * scatter every frame up to the mbuf size is one segment.
		 */
		r = sw_parse(f, rte_pktmbuf_data_len(pkts[i]), p);
		p->k.in_port = in_port;
		if (likely(r == SW_PARSE_IP)) {
			int why = screen_ip(f, p, srcroute_ok);

			if (unlikely(why >= 0)) {
				v[i] = SW_ACL_DROP;
				c[why]++;
			} else if (unlikely(p->frag == SW_FRAG_LATER)) {
				/* Judged in arrival order, after its first
				 * fragment, which may be in this burst. */
				v[i] = V_FRAG;
			} else {
				*nndp += is_ndp(p);
				v[i] = V_PENDING;
				keys[nk] = &p->k;
				ki[nk++] = i;
			}
		} else if (r == SW_PARSE_L2) {
			if (sw_l2_allowed(&w->l2, f,
					  rte_pktmbuf_data_len(pkts[i]),
					  p->l3_off, &hidden)) {
				v[i] = V_L2;
			} else {
				v[i] = V_L2_DROP;
				c[SW_CNT_l2_hidden_ip] += hidden;
			}
		} else {
			v[i] = V_MALFORMED;
		}
	}
	return nk;
}

/*
 * Neighbour discovery that the notrack rules left (RFC 4861 valid, see
 * screen_ip) passes before the policy when rules.allow_ndp: it never
 * leaves the link, as the bridge sends it only to the paired port.
 * Returns how many packets remain in keys[] / ki[].
 */
static uint16_t
stage_ndp(struct sw_worker *w, const struct sw_pkt *meta, uint8_t *v,
	  const struct sw_acl_key **keys, uint16_t *ki, uint16_t nk)
{
	uint64_t *c = w->cnt.c;
	uint16_t j, m = 0;

	for (j = 0; j < nk; j++) {
		if (is_ndp(&meta[ki[j]])) {
			v[ki[j]] = SW_ACL_ACCEPT;
			c[SW_CNT_ndp]++;
		} else {
			keys[m] = keys[j];
			ki[m++] = ki[j];
		}
	}
	return m;
}

/*
 * Notrack rules decide what they match; the rest stays in keys[] / ki[]
 * (compacted). Returns how many remain.
 */
static uint16_t
stage_notrack(struct sw_worker *w, const struct sw_acl *acl, uint8_t *v,
	      const struct sw_acl_key **keys, uint16_t *ki, uint16_t nk)
{
	uint64_t *c = w->cnt.c;
	uint8_t act[SW_BURST_MAX];
	uint16_t j, m = 0;

	/* Most configurations have no notrack rule: skip the call. */
	if (nk == 0 || sw_acl_empty(acl, SW_ACL_NOTRACK))
		return nk;
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
	return m;
}

/* The fallback rules decide statelessly. */
static void
stage_fallback(struct sw_worker *w, const struct sw_acl *acl, uint8_t *v,
	       const struct sw_acl_key **keys, const uint16_t *ki, uint16_t n)
{
	uint64_t *c = w->cnt.c;
	uint8_t act[SW_BURST_MAX];
	uint16_t j;

	if (n == 0)
		return;
	sw_acl_classify(acl, SW_ACL_FALLBACK, w->id, keys, n, act, NULL);
	for (j = 0; j < n; j++) {
		v[ki[j]] = act[j];
		c[act[j] == SW_ACL_ACCEPT ? SW_CNT_fallback_accept :
					    SW_CNT_fallback_drop]++;
	}
}

/*
 * The flow key of a packet; returns its direction, or -1 for packets
 * that are never tracked (ICMP other than echo).
 */
static int
flow_key(const struct sw_pkt *p, struct sw_ft_key *k)
{
	uint16_t sp = p->k.sport, dp = p->k.dport;

	if (p->k.proto == 1 || p->k.proto == 58) {
		uint8_t t = p->k.icmp_type;

		if ((p->k.proto == 1) != (p->k.family == SW_AF_INET))
			sp = dp = 0;	/* not ICMP of this family */
		else if (t == 8 || t == 0 || t == 128 || t == 129)
			sp = dp = p->icmp_id;
		else
			return -1;
	}
	return sw_ft_key_make(k, p->k.family, p->k.proto, p->k.src, p->k.dst,
			      sp, dp);
}

/* Per-packet tracking outcome before the policy has spoken. */
enum {
	T_LOOKUP,	/* key built, look it up */
	T_RELATED,	/* ICMP error: look its quoted flow up */
	T_POLICY,	/* untracked: the policy decides, nothing inserted */
};

/*
 * Stage 2, stateful: look the burst up in this worker's shard, advance
 * the flows it hits, send new flows to the policy rules and insert what
 * they accept; what cannot be inserted spills to the fallback rules.
 */
static void
stage_track(struct sw_worker *w, const struct sw_acl *acl,
	    struct rte_mbuf **pkts, const struct sw_pkt *meta, uint8_t *v,
	    const struct sw_acl_key **keys, uint16_t *ki, uint16_t n,
	    uint64_t now)
{
	struct sw_ft_shard *s = w->ft;
	struct sw_ft_key fk[SW_BURST_MAX];
	const struct sw_ft_key *fkp[SW_BURST_MAX];
	const struct sw_acl_key *pk[SW_BURST_MAX], *fb[SW_BURST_MAX];
	uint16_t pki[SW_BURST_MAX], fbi[SW_BURST_MAX], look[SW_BURST_MAX];
	int32_t pos[SW_BURST_MAX];
	uint8_t dir[SW_BURST_MAX], kind[SW_BURST_MAX], how[SW_BURST_MAX];
	const struct sw_ft_key *fkp_of[SW_BURST_MAX];
	uint8_t act[SW_BURST_MAX], pact[SW_BURST_MAX];
	uint64_t *c = w->cnt.c;
	uint16_t j, nl = 0, np = 0, nf = 0;
	bool spilling = sw_ft_spilling(s), inserted = false;

	for (j = 0; j < n; j++) {
		const struct sw_pkt *p = &meta[ki[j]];
		struct sw_inner in;
		int d;

		if (unlikely(sw_parse_icmp_error(rte_pktmbuf_mtod(pkts[ki[j]],
						 const uint8_t *), p, &in) == 0)) {
			sw_ft_key_make(&fk[j], in.family, in.proto, in.src,
				       in.dst, in.sport, in.dport);
			how[j] = T_RELATED;
		} else if ((d = flow_key(p, &fk[j])) >= 0) {
			dir[j] = (uint8_t)d;
			how[j] = T_LOOKUP;
		} else {
			how[j] = T_POLICY;
			continue;
		}
		fkp[nl] = &fk[j];
		fkp_of[j] = &fk[j];
		look[nl++] = j;
	}
	{
		int32_t r[SW_BURST_MAX];

		sw_ft_lookup_burst(s, fkp, nl, r);
		for (j = 0; j < n; j++)
			pos[j] = -1;
		for (j = 0; j < nl; j++)
			pos[look[j]] = r[j];
	}

	/*
	 * The policy judges, in one classification, every miss that may
	 * open a flow or is never tracked.
	 */
	for (j = 0; j < n; j++) {
		const struct sw_pkt *p = &meta[ki[j]];

		pact[j] = SW_ACL_NONE;
		if (pos[j] >= 0)
			continue;
		kind[j] = how[j] == T_LOOKUP ?
			  (uint8_t)sw_ft_miss_kind(s, p->k.family, p->k.proto,
						   p->k.tcp_flags,
						   p->k.icmp_type) :
			  SW_FT_MISS_UNTRACKED;
		if (kind[j] == SW_FT_MISS_INVALID ||
		    (kind[j] == SW_FT_MISS_LOOSE && spilling))
			continue;
		pk[np] = keys[j];
		pki[np++] = j;
	}
	if (np)
		sw_acl_classify(acl, SW_ACL_POLICY, w->id, pk, np, act, NULL);
	for (j = 0; j < np; j++)
		pact[pki[j]] = act[j];

	/* Packet j of the list, i of the burst, goes to the fallback rules. */
#define SPILL(j, i) do { \
		fb[nf] = keys[j]; \
		fbi[nf++] = (i); \
		c[SW_CNT_spilled]++; \
	} while (0)

	/* Then every packet, in arrival order. */
	for (j = 0; j < n; j++) {
		const struct sw_pkt *p = &meta[ki[j]];
		uint16_t i = ki[j];
		int rc;

		/*
		 * A flow this burst opened is not in the bulk lookup's
		 * answers: look a later miss up again, unless the policy
		 * accepted it and sw_ft_insert (which looks first) will see
		 * it. A flood the policy accepts never pays for this, nor
		 * does one it refuses (nothing is inserted).
		 */
		if (pos[j] < 0 && inserted && how[j] != T_POLICY &&
		    !((kind[j] == SW_FT_MISS_NEW ||
		       (kind[j] == SW_FT_MISS_LOOSE && !spilling)) &&
		      pact[j] == SW_ACL_ACCEPT))
			pos[j] = sw_ft_lookup(s, fkp_of[j]);
		if (pos[j] >= 0) {
			if (how[j] == T_RELATED) {
				v[i] = SW_ACL_ACCEPT;
				c[SW_CNT_related]++;
			} else if (sw_ft_update(s, pos[j], dir[j],
						p->k.tcp_flags, p->l3_len,
						now) == SW_FT_OK) {
				v[i] = SW_ACL_ACCEPT;
				c[SW_CNT_tracked]++;
			} else {
				v[i] = SW_ACL_DROP;
				c[SW_CNT_invalid]++;
			}
			continue;
		}
		/*
		 * While the shard spills, a miss that cannot open a flow may
		 * belong to a connection the fallback rules admitted: let
		 * them judge it, or that connection dies with the flood.
		 */
		spilling = sw_ft_spilling(s);
		if (kind[j] == SW_FT_MISS_INVALID ||
		    (kind[j] == SW_FT_MISS_LOOSE && spilling)) {
			if (spilling) {
				SPILL(j, i);
			} else {
				v[i] = SW_ACL_DROP;
				c[SW_CNT_invalid]++;
			}
			continue;
		}
		if (pact[j] != SW_ACL_ACCEPT || kind[j] == SW_FT_MISS_UNTRACKED) {
			v[i] = pact[j];
			continue;
		}
		rc = sw_ft_insert(s, &fk[j], dir[j], p->k.in_port,
				  p->k.tcp_flags, p->l3_len, now);
		if (likely(rc == 0)) {
			v[i] = SW_ACL_ACCEPT;
			c[SW_CNT_policy_accept]++;
			inserted = true;
		} else if (rc == 1) {
			v[i] = SW_ACL_ACCEPT;
			c[SW_CNT_tracked]++;
		} else if (rc == -ENOSPC) {
			SPILL(j, i);
		} else {
			v[i] = SW_ACL_DROP;
			c[SW_CNT_invalid]++;
		}
	}
#undef SPILL
	stage_fallback(w, acl, v, fb, fbi, nf);
}

/* Counter of each way a fragment is dropped, by enum sw_frag_result. */
static const uint8_t frag_counter[SW_FRAG_R_MAX] = {
	[SW_FRAG_R_UNKNOWN] = SW_CNT_frag_unknown,
	[SW_FRAG_R_OVERLAP] = SW_CNT_frag_overlap,
	[SW_FRAG_R_BAD] = SW_CNT_frag_bad,
	[SW_FRAG_R_FULL] = SW_CNT_frag_full,
	[SW_FRAG_R_SOURCE] = SW_CNT_frag_source_limit,
};

/*
 * A later fragment, or a first fragment the rules accepted: forwarded
 * only as sw_frag_later / sw_frag_first allow. Returns the verdict.
 */
static uint8_t
fragment(struct sw_worker *w, const struct rte_mbuf *m,
	 const struct sw_pkt *p, bool later, uint64_t now)
{
	struct sw_frag_info fi;
	int r;

	if (sw_parse_frag(rte_pktmbuf_mtod(m, const uint8_t *), p, &fi.off,
			  &fi.len, &fi.more) != 0)
		r = SW_FRAG_R_BAD;
	else if (later)
		r = sw_frag_later(&w->frag, p, &fi, now);
	else
		r = sw_frag_first(&w->frag, p, &fi, now);
	if (r == SW_FRAG_R_OK)
		return SW_ACL_ACCEPT;
	w->cnt.c[frag_counter[r]]++;
	return SW_ACL_DROP;
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
	uint16_t i, nk, nd = 0, nndp;

	nk = stage_parse(w, in_port, pkts, nb, meta, v, keys, ki, &nndp);
	nk = stage_notrack(w, acl, v, keys, ki, nk);
	if (unlikely(nndp) &&
	    __atomic_load_n(&w->allow_ndp, __ATOMIC_RELAXED))
		nk = stage_ndp(w, meta, v, keys, ki, nk);
	if (w->ft != NULL)
		stage_track(w, acl, pkts, meta, v, keys, ki, nk, now);
	else
		stage_fallback(w, acl, v, keys, ki, nk);

	/* Stage 3: act, in arrival order. */
	for (i = 0; i < nb; i++) {
		struct rte_mbuf *m = pkts[i];

		if (unlikely(v[i] == V_FRAG) ||
		    unlikely(meta[i].frag == SW_FRAG_FIRST &&
			     v[i] == SW_ACL_ACCEPT))
			v[i] = fragment(w, m, &meta[i], v[i] == V_FRAG, now);
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
			if (reject_reply(w, m, &meta[i], now)) {
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
		if (w->ft != NULL)
			sw_ft_expire(w->ft, rte_rdtsc());
		/* Between polls this worker holds no rule set or flow. */
		if (w->qs != NULL)
			rte_rcu_qsbr_quiescent(w->qs, w->id);
	}
	sw_worker_flush(w);
	if (w->qs != NULL)
		rte_rcu_qsbr_thread_offline(w->qs, w->id);
	return 0;
}
