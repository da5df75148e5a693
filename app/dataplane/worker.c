/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_mbuf.h>
#include <rte_pause.h>
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>

#include "log.h"
#include "reject.h"
#include "ruleset.h"
#include "sw_pset.h"
#include "synproxy.h"
#include "sw_acl.h"
#include "sw_ft.h"
#include "parse.h"
#include "sw_proto.h"
#include "worker.h"
#include "worker_private.h"
#include "counters.h"
#include "syncq.h"

/* Packets ahead whose first cache line is fetched (l3fwd uses 3). */
#define SW_PREFETCH 3

/*
 * Log a packet (cold: only packets the log asks for get here). rule:
 * the matching rule's index + 1, 0 for the set's default.
 */
__rte_noinline void
sw_worker_log_it(struct sw_worker *w, const struct sw_pkt *p, const struct sw_acl *acl,
       uint8_t set, uint32_t rule, uint8_t verdict, uint8_t reason,
       uint8_t why)
{
	const struct sw_acl_rule *r = rule && acl ?
		sw_acl_get_rule(acl, set, rule - 1) : NULL;
	uintptr_t i = ((uintptr_t)p - (uintptr_t)w->log.meta) / sizeof(*p);
	uint8_t level = r != NULL && r->log_level ? r->log_level :
						    RTE_LOG_NOTICE;
	const uint8_t *frame = NULL;
	unsigned int idx = 0;

	/* A line the drop log's level keeps out is not even made. */
	if (!rte_log_can_log(sw_drop_logtype, level))
		return;
	/* Its frame, by its place in the burst's meta[]. */
	if (w->log.meta != NULL && p >= w->log.meta && i < SW_BURST_MAX)
		frame = rte_pktmbuf_mtod(w->log.pkts[i], const uint8_t *);
	/* A group's rule is logged as the group's (its list, its index). */
	if (rule)
		set = (uint8_t)sw_acl_rule_list(set, rule - 1, &idx);
	sw_log_packet(&w->log, w->cnt.c, w->id, p, frame, set,
		      rule ? idx : SW_LOG_NO_RULE, verdict, reason, why,
		      r ? r->log_prefix : NULL, level);
}

/* The counter of each flow-table verdict. */
const uint8_t sw_worker_invalid_reason[SW_FT_VERDICT_MAX] = {
	[SW_FT_OK] = SW_CNT_invalid_state,	/* never used */
	[SW_FT_INV_STATE] = SW_CNT_invalid_state,
	[SW_FT_INV_FLAGS] = SW_CNT_invalid_flags,
	[SW_FT_INV_SEQ] = SW_CNT_invalid_seq,
	[SW_FT_INV_RST] = SW_CNT_invalid_rst,
	[SW_FT_INV_ZONE] = SW_CNT_invalid_zone,
	[SW_FT_INV_ICMP] = SW_CNT_icmp_unrelated,
	[SW_FT_INV_FRAG] = SW_CNT_invalid_frag,
	[SW_FT_RETRY] = SW_CNT_invalid_state,	/* never used */
};

void
sw_worker_init(struct sw_worker *w, const struct sw_config *cfg,
	       struct sw_ruleset *const *rules, struct rte_rcu_qsbr *qs,
	       struct sw_ft_shard *ft)
{
	uint64_t hz = rte_get_tsc_hz();
	unsigned int p;

	w->rules = rules;
	w->ft = ft;
	w->qs = qs;
	w->l2 = cfg->l2;
	w->checksum_verify = cfg->checksum_verify;
	w->zone_vlan = cfg->flowtable.zone_vlan;
	w->proxy_mss[0] = (uint16_t)(cfg->flowtable.synproxy_mss ?
				     cfg->flowtable.synproxy_mss : 1460);
	w->proxy_mss[1] = (uint16_t)(cfg->flowtable.synproxy_mss ?
				     cfg->flowtable.synproxy_mss : 1440);
	w->proxy_wscale = (uint8_t)cfg->flowtable.ft.proxy_wscale;
	w->src_over_fallback = cfg->flowtable.src_over_fallback;
	/* The proxy's timestamps tick about once a millisecond. */
	for (w->ms_shift = 0; (hz >> w->ms_shift) > 1000; w->ms_shift++)
		;
	for (p = 0; p < cfg->nb_ports && p < SW_MAX_PORTS; p++)
		w->mtu[p] = cfg->ports[p].mtu;
	w->allow_ndp = cfg->rules.allow_ndp;
	w->allow_mld = cfg->rules.allow_mld;
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
static __rte_cold bool
reject_reply(struct sw_worker *w, struct rte_mbuf *m, const struct sw_pkt *p,
	     unsigned int kind, uint64_t now)
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
	return sw_reject_build_with(m, p, kind) == 0;
}

/*
 * A link's own ICMPv6 housekeeping, which never leaves the link:
 * neighbour discovery (router and neighbour solicitation and
 * advertisement, redirect) and multicast listener discovery (query,
 * reports v1 and v2, done), which hosts on a bridged link send all the
 * time.
 */
enum link_kind {
	LK_NONE = 0,
	LK_ND,
	LK_MLD,
};

static inline int
link_kind(const struct sw_pkt *p)
{
	uint8_t t = p->k.icmp_type;

	if (p->k.family != SW_AF_INET6 || p->k.proto != IPPROTO_ICMPV6 ||
	    p->frag != SW_FRAG_NONE)
		return LK_NONE;
	if (t >= SW_ND_ROUTER_SOLICIT && t <= SW_ND_REDIRECT)
		return LK_ND;
	if ((t >= SW_MLD_QUERY && t <= SW_MLD_DONE) || t == SW_MLD2_REPORT)
		return LK_MLD;
	return LK_NONE;
}

/*
 * MLD from a link-local source, or the unspecified one (a report sent
 * before the host has an address, RFC 3810 5.2.13).
 */
static inline bool
mld_source_ok(const struct sw_pkt *p)
{
	static const uint8_t zero[16];

	return (p->k.src[0] == 0xfe && (p->k.src[1] & 0xc0) == 0x80) ||
	       memcmp(p->k.src, zero, 16) == 0;
}

/*
 * IP packets dropped before any rule: a source route (unless allowed);
 * neighbour discovery that RFC 4861 7.1.1 has every receiver discard
 * (hop limit not 255: it crossed a router; code not 0); and MLD that
 * RFC 2710 and RFC 3810 5.1.14 have receivers discard (hop limit not
 * 1, a source that is not link-local). Returns the counter of the
 * reason, or -1.
 */
static inline int
screen_ip(const uint8_t *f, const struct sw_pkt *p, bool srcroute_ok)
{
	int k;

	if (!srcroute_ok && unlikely(sw_parse_source_route(f, p)))
		return SW_CNT_source_route;
	k = link_kind(p);
	if (unlikely(k == LK_ND) &&
	    (f[p->l3_off + 7] != 255 || p->k.icmp_code != 0))
		return SW_CNT_ndp_invalid;
	if (unlikely(k == LK_MLD) &&
	    (f[p->l3_off + 7] != 1 || !mld_source_ok(p)))
		return SW_CNT_mld_invalid;
	return -1;
}

/*
 * A frame that came in segments (rx scatter) copied into one mbuf of
 * lin_pool, so that everything after reads it whole, headers and
 * payload: the parser, the checksums, the state machine, the proxy's
 * rewrites, a reject's reply. NULL when no mbuf is free (the chain is
 * the caller's still). Cold: only frames larger than a default mbuf.
 */
static __rte_noinline struct rte_mbuf *
linearise(struct sw_worker *w, struct rte_mbuf *m)
{
	struct rte_mbuf *n;

	if (w->lin_pool == NULL)
		return NULL;
	n = rte_pktmbuf_copy(m, w->lin_pool, 0, UINT32_MAX);
	if (n == NULL)
		return NULL;
	if (n->nb_segs != 1) {
		/* lin_pool's room holds the largest frame: cannot be. */
		rte_pktmbuf_free(n);
		return NULL;
	}
	rte_pktmbuf_free(m);
	return n;
}

/*
 * Frames past the port's MTU are dropped before they are parsed (a
 * NIC drops them itself; a kernel-backed vdev hands them over); one
 * that came in segments is made whole first. Returns false when the
 * frame is dropped (counted; pkts[i] freed in stage 3).
 */
static inline bool
whole_frame(struct sw_worker *w, uint8_t in_port, struct rte_mbuf **pkts,
	    uint16_t i)
{
	struct rte_mbuf *m = pkts[i];

	if (unlikely(rte_pktmbuf_pkt_len(m) > (uint32_t)w->mtu[in_port] +
		     SW_FRAME_L2_MAX)) {
		w->cnt.c[SW_CNT_over_mtu]++;
		return false;
	}
	if (likely(m->nb_segs == 1))
		return true;
	m = linearise(w, m);
	if (m == NULL) {
		w->cnt.c[SW_CNT_chain_dropped]++;
		return false;
	}
	w->cnt.c[SW_CNT_rx_chained]++;
	pkts[i] = m;
	return true;
}

/*
 * Stage 1: parse the burst and settle what needs no rule: frames over
 * the MTU, malformed and non-IP frames, source routes, invalid
 * neighbour discovery, non-first fragments. The rest is listed in
 * keys[] / ki[] for classification; *nndp counts the link's
 * housekeeping among them (neighbour and multicast listener
 * discovery). Returns how many.
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
		const uint8_t *f;
		uint32_t len;

		if (i + SW_PREFETCH < nb)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + SW_PREFETCH],
						       void *));
		if (unlikely(!whole_frame(w, in_port, pkts, i))) {
			memset(p, 0, sizeof(*p));
			v[i] = V_GONE;
			continue;
		}
		/* One segment now: the parser reads it all, and no more. */
		f = rte_pktmbuf_mtod(pkts[i], const uint8_t *);
		len = rte_pktmbuf_data_len(pkts[i]);
		r = sw_parse(f, len, p);
		p->k.in_port = in_port;
		/* Within the frame limit, the packet after the tags may
		 * still be over the MTU (untagged frames have 8 bytes
		 * more). */
		if (unlikely(r < SW_PARSE_MAL_FIRST &&
			     len - p->l3_off > w->mtu[in_port])) {
			c[SW_CNT_over_mtu]++;
			v[i] = V_GONE;
			continue;
		}
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
				*nndp += link_kind(p) != LK_NONE;
				v[i] = V_PENDING;
				keys[nk] = &p->k;
				ki[nk++] = i;
			}
		} else if (r == SW_PARSE_L2) {
			if (sw_l2_allowed(&w->l2, f, len, p->l3_off,
					  &hidden)) {
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
 * The link's housekeeping that the notrack rules left (valid, see
 * screen_ip) passes before the policy: neighbour discovery when
 * rules.allow_ndp, multicast listener discovery when rules.allow_mld.
 * Neither leaves the link: the bridge sends it only to the paired
 * port. Returns how many packets remain in keys[] / ki[].
 */
static __rte_cold uint16_t
stage_link(struct sw_worker *w, const struct sw_pkt *meta, uint8_t *v,
	   const struct sw_acl_key **keys, uint16_t *ki, uint16_t nk)
{
	uint64_t *c = w->cnt.c;
	/* By link_kind: may it pass, and its counter. */
	const bool pass[] = {
		[LK_NONE] = false,
		[LK_ND] = __atomic_load_n(&w->allow_ndp, __ATOMIC_RELAXED),
		[LK_MLD] = __atomic_load_n(&w->allow_mld, __ATOMIC_RELAXED),
	};
	static const uint8_t counter[] = {
		[LK_ND] = SW_CNT_ndp,
		[LK_MLD] = SW_CNT_mld,
	};
	uint16_t j, m = 0;
	int k;

	for (j = 0; j < nk; j++) {
		k = link_kind(&meta[ki[j]]);
		if (pass[k]) {
			v[ki[j]] = SW_ACL_ACCEPT;
			c[counter[k]]++;
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
stage_notrack(struct sw_worker *w, const struct sw_acl *acl,
	      const struct sw_pkt *meta, uint8_t *v,
	      const struct sw_acl_key **keys, uint16_t *ki, uint16_t nk,
	      uint64_t now)
{
	struct sw_acl_ctx cx = { .now = now };
	uint64_t *c = w->cnt.c;
	uint8_t act[SW_BURST_MAX];
	uint32_t rule[SW_BURST_MAX];
	uint16_t j, m = 0;
	bool lg;

	/* Most configurations have no notrack rule: skip the call. */
	if (nk == 0 || sw_acl_empty(acl, SW_ACL_NOTRACK))
		return nk;
	lg = sw_acl_logs(acl, SW_ACL_NOTRACK);
	sw_acl_eval(acl, SW_ACL_NOTRACK, w->id, keys, nk, act, rule, &cx);
	count_limited(w, &cx);
	for (j = 0; j < nk; j++) {
		if (act[j] != SW_ACL_NONE) {
			v[ki[j]] = verdict_of(acl, SW_ACL_NOTRACK, act[j],
					      rule[j]);
			c[SW_CNT_notrack]++;
			if (unlikely(lg))
				log_decision(w, &meta[ki[j]], acl,
					     SW_ACL_NOTRACK, act[j], rule[j]);
		} else {
			keys[m] = keys[j];
			ki[m++] = ki[j];
		}
	}
	return m;
}

/*
 * Validity before state (and before the fallback rules): impossible
 * TCP flag sets and wrong checksums are dropped and counted here, in
 * every mode, so that nothing invalid ever fails open. What is valid
 * stays in keys[] / ki[] (compacted). Returns how many remain.
 */
/*
 * An IPv4 source-routed packet (only with rules.allow_source_route)
 * sums its TCP/UDP pseudo-header with the final destination, the last
 * hop of its route: spillway checks its IPv4 header and leaves the rest
 * to the final host. (sw_cksum_ok reads an IPv6 routing header's final
 * destination itself.) Only asked once the full check failed.
 */
static __rte_cold int
srcroute_cksum(const struct sw_worker *w, const uint8_t *f,
	       const struct sw_pkt *p, uint64_t ol_flags)
{
	return p->k.family == SW_AF_INET &&
	       __atomic_load_n(&w->allow_source_route, __ATOMIC_RELAXED) &&
	       sw_parse_source_route(f, p) && sw_cksum_ip_ok(f, p, ol_flags);
}

static uint16_t
stage_valid(struct sw_worker *w, struct rte_mbuf **pkts,
	    const struct sw_pkt *meta, uint8_t *v,
	    const struct sw_acl_key **keys, uint16_t *ki, uint16_t nk)
{
	bool cksum = __atomic_load_n(&w->checksum_verify, __ATOMIC_RELAXED);
	uint16_t j, m = 0;

	for (j = 0; j < nk; j++) {
		const struct sw_pkt *p = &meta[ki[j]];
		struct rte_mbuf *mb = pkts[ki[j]];

		if (p->k.proto == IPPROTO_TCP && p->l4_off != 0 &&
		    !sw_ft_tcp_flags_valid(p->k.tcp_flags)) {
			v[ki[j]] = SW_ACL_DROP;
			invalid(w, p, SW_CNT_invalid_flags);
			continue;
		}
		/* What the port's rx offload vouched for (good or bad). */
		w->cnt.c[SW_CNT_cksum_by_nic] += cksum && p->l4_off != 0 &&
			p->frag == SW_FRAG_NONE &&
			(p->k.proto == IPPROTO_TCP ||
			 p->k.proto == IPPROTO_UDP) &&
			(mb->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) !=
			RTE_MBUF_F_RX_L4_CKSUM_UNKNOWN;
		if (cksum && !sw_cksum_ok(rte_pktmbuf_mtod(mb, const uint8_t *),
					  p, mb->ol_flags) &&
		    !srcroute_cksum(w, rte_pktmbuf_mtod(mb, const uint8_t *),
				    p, mb->ol_flags)) {
			v[ki[j]] = SW_ACL_DROP;
			invalid(w, p, SW_CNT_bad_checksum);
			continue;
		}
		keys[m] = keys[j];
		ki[m++] = ki[j];
	}
	return m;
}


/*
 * The fallback rules decide statelessly. spill_first: the index in the
 * list of the first packet of a spill episode, logged (-1: none).
 */
void
sw_worker_fallback(struct sw_worker *w, const struct sw_acl *acl,
	       const struct sw_pkt *meta, uint8_t *v,
	       const struct sw_acl_key **keys, const uint16_t *ki, uint16_t n,
	       int spill_first, uint64_t now)
{
	struct sw_acl_ctx cx = { .now = now };
	uint64_t *c = w->cnt.c;
	uint8_t act[SW_BURST_MAX];
	uint32_t rule[SW_BURST_MAX];
	uint16_t j;
	bool lg;

	if (n == 0)
		return;
	lg = sw_acl_logs(acl, SW_ACL_FALLBACK) || spill_first >= 0;
	sw_acl_eval(acl, SW_ACL_FALLBACK, w->id, keys, n, act, rule, &cx);
	count_limited(w, &cx);
	for (j = 0; j < n; j++) {
		v[ki[j]] = verdict_of(acl, SW_ACL_FALLBACK, act[j], rule[j]);
		c[act[j] == SW_ACL_ACCEPT ? SW_CNT_fallback_accept :
					    SW_CNT_fallback_drop]++;
		if (likely(!lg))
			continue;
		if (j == spill_first)
			sw_worker_log_it(w, &meta[ki[j]], acl, SW_ACL_FALLBACK, rule[j],
			       act[j], SW_LOG_SPILL, 0);
		else
			log_decision(w, &meta[ki[j]], acl, SW_ACL_FALLBACK,
				     act[j], rule[j]);
	}
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
 * The last fragment of a datagram whose first carried a tracked TCP
 * segment: the segment's length is known now, and its flow's window
 * moves to its end (its first fragment moved it only by its own
 * bytes). Returns the verdict of the fragment that told.
 */
static __rte_cold uint8_t
frag_advance(struct sw_worker *w, const struct sw_pkt *p,
	     const struct sw_frag_end *e)
{
	struct sw_ft_key k;
	int32_t pos;
	int dir, rc;

	dir = sw_ft_key_make(&k, p->k.family, IPPROTO_TCP, p->k.src, p->k.dst,
			     e->sport, e->dport);
	k.zone = zone_of(w, p->k.in_port, p);
	pos = sw_ft_lookup(w->ft, &k);
	if (pos < 0)
		return SW_ACL_ACCEPT;	/* gone meanwhile: nothing to move */
	rc = sw_ft_advance(w->ft, pos, (uint8_t)dir, p->k.in_port, e->end);
	if (rc == SW_FT_OK)
		return SW_ACL_ACCEPT;
	invalid(w, p, sw_worker_invalid_reason[rc]);
	return SW_ACL_DROP;
}

/*
 * A later fragment, or a first fragment the rules accepted: forwarded
 * only as sw_frag_later / sw_frag_first allow. `tracked`: a first
 * fragment whose TCP segment passed its flow. Returns the verdict.
 */
static __rte_cold uint8_t
fragment(struct sw_worker *w, const struct rte_mbuf *m,
	 const struct sw_pkt *p, bool later, bool tracked, uint64_t now)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	struct sw_frag_info fi;
	struct sw_frag_tcp tcp;
	struct sw_frag_end end;
	int r;

	if (sw_parse_frag(f, p, &fi.off, &fi.len, &fi.more) != 0) {
		r = SW_FRAG_R_BAD;
	} else if (later) {
		r = sw_frag_later(&w->frag, p, &fi, now, &end);
		if (r == SW_FRAG_R_OK && end.known && w->ft != NULL)
			return frag_advance(w, p, &end);
	} else if (tracked) {
		/* Where its data starts, from the fragment's own start. */
		uint32_t data = (uint32_t)(p->l3_off + p->l3_len - fi.len);
		uint32_t doff = (uint32_t)(f[p->l4_off + 12] >> 4) * 4;
		uint32_t seq;

		memcpy(&seq, f + p->l4_off + 4, 4);
		tcp.sport = p->k.sport;
		tcp.dport = p->k.dport;
		tcp.seq = rte_be_to_cpu_32(seq);
		tcp.skip = (uint16_t)(p->l4_off - data + doff);
		r = sw_frag_first(&w->frag, p, &fi, &tcp, now);
	} else {
		r = sw_frag_first(&w->frag, p, &fi, NULL, now);
	}
	if (r == SW_FRAG_R_OK)
		return SW_ACL_ACCEPT;
	w->cnt.c[frag_counter[r]]++;
	return SW_ACL_DROP;
}

/* Send the held first packets the peer acknowledged, or whose time is up. */
static __rte_cold void
send_held(struct sw_worker *w)
{
	struct sw_syncq *q = w->sync;
	unsigned int k;

	for (k = 0; q->nb_go > 0 && k < SW_SYNCQ_HOLD_MAX; k++) {
		uint8_t out = q->held[k].out;

		if (!q->held[k].go)
			continue;
		w->cnt.c[SW_CNT_tx]++;
		rte_eth_tx_buffer(w->port_id[out], w->txq, w->txb[out],
				  q->held[k].m);
		sw_syncq_sent(q, k);
	}
}

/* The shard's events to the control thread, for the HA peer. */
static void
sync_push(struct sw_worker *w)
{
	sw_syncq_push(w->sync, w->ft);
	if (unlikely(w->sync->nb_go))
		send_held(w);
}

/*
 * Stage 3: act on each packet's verdict, in arrival order: forward,
 * answer back (a reject's reply, the SYN proxy's), hold for the HA peer,
 * or count and free. Returns how many went to drop[].
 */
static __rte_always_inline uint16_t
stage_act(struct sw_worker *w, uint8_t in_port, struct rte_mbuf **pkts,
	  uint16_t nb, struct sw_pkt *meta, uint8_t *v, uint64_t frags,
	  uint64_t now, struct rte_mbuf **drop)
{
	uint8_t out = w->peer[in_port];
	struct rte_eth_dev_tx_buffer *txb = w->txb[out];
	uint16_t out_id = w->port_id[out];
	uint64_t *c = w->cnt.c;
	uint16_t i, nd = 0;

	for (i = 0; i < nb; i++) {
		struct rte_mbuf *m = pkts[i];
		unsigned int kind = SW_REJECT_WITH_DEFAULT;

		if (unlikely(v[i] >= V_REJECT_WITH)) {
			kind = v[i] - V_REJECT_WITH;
			v[i] = SW_ACL_REJECT;
		}
		if (unlikely(v[i] == V_FRAG) ||
		    unlikely(meta[i].frag == SW_FRAG_FIRST &&
			     v[i] == SW_ACL_ACCEPT))
			v[i] = fragment(w, m, &meta[i], v[i] == V_FRAG,
					(frags >> i) & 1, now);
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
			if (reject_reply(w, m, &meta[i], kind, now)) {
				c[SW_CNT_reject_sent]++;
				rte_eth_tx_buffer(w->port_id[in_port], w->txq,
						  w->txb[in_port], m);
				continue;
			}
			break;
		case V_BACK:
			/* The SYN proxy's answer: back where it came from. */
			c[SW_CNT_tx]++;
			rte_eth_tx_buffer(w->port_id[in_port], w->txq,
					  w->txb[in_port], m);
			continue;
		case V_GONE:
			break;
		case V_HOLD:
			/* Accepted; it leaves when the peer knows its flow. */
			c[SW_CNT_accept]++;
			sw_syncq_hold(w->sync, m, i, out, now);
			continue;
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
	return nd;
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
	const struct sw_ruleset *rs = sw_ruleset_current(w->rules);
	const struct sw_acl *acl = rs->acl;
	uint64_t *c = w->cnt.c;
	uint64_t now = rte_rdtsc(), frags = 0;
	uint16_t i, nk, nd, nndp;

	if (unlikely(w->sync != NULL) &&
	    __atomic_load_n(&w->sync->standby, __ATOMIC_RELAXED)) {
		/* The HA standby forwards nothing (syncq.h says why). */
		c[SW_CNT_rx] += nb;
		c[SW_CNT_ha_standby] += nb;
		rte_pktmbuf_free_bulk(pkts, nb);
		return;
	}
	/* What a packet logged in this burst finds its frame by. */
	w->log.meta = meta;
	w->log.pkts = pkts;
	nk = stage_parse(w, in_port, pkts, nb, meta, v, keys, ki, &nndp);
	if (rs->nb_look[0] + rs->nb_look[1] != 0) {
		struct sw_acl_key *wk[SW_BURST_MAX];

		for (i = 0; i < nk; i++)
			wk[i] = &meta[ki[i]].k;
		sw_ruleset_set_bits(rs, wk, nk);
	}
	nk = stage_notrack(w, acl, meta, v, keys, ki, nk, now);
	if (unlikely(nndp))
		nk = stage_link(w, meta, v, keys, ki, nk);
	nk = stage_valid(w, pkts, meta, v, keys, ki, nk);
	if (w->ft != NULL)
		frags = sw_worker_track(w, acl, pkts, meta, v, keys, ki, nk,
					now);
	else
		sw_worker_fallback(w, acl, meta, v, keys, ki, nk, -1, now);

	nd = stage_act(w, in_port, pkts, nb, meta, v, frags, now, drop);
	c[SW_CNT_rx] += nb;
	if (nd)
		rte_pktmbuf_free_bulk(drop, nd);
	if (unlikely(w->sync != NULL) && w->ft != NULL)
		sync_push(w);
}

void
sw_worker_flush(struct sw_worker *w)
{
	unsigned int p;

	for (p = 0; p < w->nb_ports; p++)
		rte_eth_tx_buffer_flush(w->port_id[p], w->txq, w->txb[p]);
}

/*
 * The test hook's stuck worker: it spins, polls nothing, reports
 * nothing (not even to RCU), and leaves only when spillway stops.
 */
static __rte_noinline void
stall(struct sw_worker *w)
{
	while (!*w->quit)
		rte_pause();
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
		__atomic_store_n(&w->loops, w->loops + 1, __ATOMIC_RELAXED);
		if (unlikely(w->stall_tsc != 0) && rte_rdtsc() >= w->stall_tsc)
			stall(w);
		for (q = 0; q < w->nb_rxq; q++) {
			/*
			 * The peer's flows first: one it acknowledged was in
			 * the ring before any packet its acknowledgement let
			 * go can be here.
			 */
			if (unlikely(w->sync != NULL) && w->ft != NULL) {
				sw_syncq_poll(w->sync, w->ft, rte_rdtsc());
				if (w->sync->nb_go)
					send_held(w);
			}
			nb = rte_eth_rx_burst(w->rxq[q].port_id,
					      w->rxq[q].queue, pkts, w->burst);
			if (nb)
				sw_worker_burst(w, w->rxq[q].port, pkts, nb);
		}
		sw_worker_flush(w);
		if (w->ft != NULL)
			sw_ft_expire(w->ft, rte_rdtsc());
		if (unlikely(w->sync != NULL) && w->ft != NULL)
			sync_push(w);
		/* Between polls this worker holds no rule set or flow. */
		if (w->qs != NULL)
			rte_rcu_qsbr_quiescent(w->qs, w->id);
	}
	sw_worker_flush(w);
	if (w->qs != NULL)
		rte_rcu_qsbr_thread_offline(w->qs, w->id);
	return 0;
}
