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
#include <rte_prefetch.h>
#include <rte_rcu_qsbr.h>

#include "reject.h"
#include "ruleset.h"
#include "sw_pset.h"
#include "synproxy.h"
#include "sw_acl.h"
#include "sw_ft.h"
#include "parse.h"
#include "sw_proto.h"
#include "worker.h"
#include "counters.h"

/* Packets ahead whose first cache line is fetched (l3fwd uses 3). */
#define SW_PREFETCH 3

/* Per-packet verdicts beyond the rule actions. */
#define V_PENDING	SW_ACL_NONE	/* still to be classified */
#define V_L2		(SW_ACL_NB_ACTIONS + 0)	/* non-IP, passed */
#define V_L2_DROP	(SW_ACL_NB_ACTIONS + 1)
#define V_MALFORMED	(SW_ACL_NB_ACTIONS + 2)
#define V_FRAG		(SW_ACL_NB_ACTIONS + 3)	/* non-first fragment */
#define V_BACK		(SW_ACL_NB_ACTIONS + 4)	/* out the ingress port */
#define V_GONE		(SW_ACL_NB_ACTIONS + 5)	/* kept by the proxy */

void
sw_worker_init(struct sw_worker *w, const struct sw_config *cfg,
	       struct sw_ruleset *const *rules, struct rte_rcu_qsbr *qs,
	       struct sw_ft_shard *ft)
{
	uint64_t hz = rte_get_tsc_hz();

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

/*
 * Log a packet (cold: only packets the log asks for get here). rule:
 * the matching rule's index + 1, 0 for the set's default.
 */
static __rte_noinline void
log_it(struct sw_worker *w, const struct sw_pkt *p, const struct sw_acl *acl,
       uint8_t set, uint32_t rule, uint8_t verdict, uint8_t reason,
       uint8_t why)
{
	const struct sw_acl_rule *r = rule && acl ?
		sw_acl_get_rule(acl, set, rule - 1) : NULL;

	sw_log_packet(&w->log, w->cnt.c, w->id, p, set,
		      rule ? rule - 1 : SW_LOG_NO_RULE, verdict, reason, why,
		      r ? r->log_prefix : NULL);
}

/*
 * A rule set decided packet p (act, rule as sw_acl_classify gives
 * them): log it if its rule says log = true, or if the default dropped
 * it and the default's drops are logged.
 */
static inline void
log_decision(struct sw_worker *w, const struct sw_pkt *p,
	     const struct sw_acl *acl, uint8_t set, uint8_t act, uint32_t rule)
{
	if (rule ? sw_acl_get_rule(acl, set, rule - 1)->log :
	    act != SW_ACL_ACCEPT && act != SW_ACL_NONE &&
	    sw_acl_default_logs(acl, set))
		log_it(w, p, acl, set, rule, act,
		       rule ? SW_LOG_RULE : SW_LOG_DEFAULT, 0);
}

/* Count an invalid packet under its reason and in the total; log it. */
static inline void
invalid(struct sw_worker *w, const struct sw_pkt *p, unsigned int reason)
{
	w->cnt.c[SW_CNT_invalid]++;
	w->cnt.c[reason]++;
	if (unlikely(__atomic_load_n(&w->log.invalid, __ATOMIC_RELAXED)))
		log_it(w, p, NULL, SW_LOG_NO_SET, 0, SW_ACL_DROP,
		       SW_LOG_INVALID, (uint8_t)reason);
}

static inline bool
is_ndp(const struct sw_pkt *p)
{
	/* Router/neighbour solicitation and advertisement, redirect. */
	return p->k.family == SW_AF_INET6 && p->k.proto == IPPROTO_ICMPV6 &&
	       p->frag == SW_FRAG_NONE &&
	       p->k.icmp_type >= SW_ND_ROUTER_SOLICIT &&
	       p->k.icmp_type <= SW_ND_REDIRECT;
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
stage_notrack(struct sw_worker *w, const struct sw_acl *acl,
	      const struct sw_pkt *meta, uint8_t *v,
	      const struct sw_acl_key **keys, uint16_t *ki, uint16_t nk)
{
	uint64_t *c = w->cnt.c;
	uint8_t act[SW_BURST_MAX];
	uint32_t rule[SW_BURST_MAX];
	uint16_t j, m = 0;
	bool lg;

	/* Most configurations have no notrack rule: skip the call. */
	if (nk == 0 || sw_acl_empty(acl, SW_ACL_NOTRACK))
		return nk;
	lg = sw_acl_logs(acl, SW_ACL_NOTRACK);
	sw_acl_classify(acl, SW_ACL_NOTRACK, w->id, keys, nk, act,
			lg ? rule : NULL);
	for (j = 0; j < nk; j++) {
		if (act[j] != SW_ACL_NONE) {
			v[ki[j]] = act[j];
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

/* The counter of each flow-table verdict. */
static const uint8_t invalid_reason[SW_FT_VERDICT_MAX] = {
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

/*
 * Validity before state (and before the fallback rules): impossible
 * TCP flag sets and wrong checksums are dropped and counted here, in
 * every mode, so that nothing invalid ever fails open. What is valid
 * stays in keys[] / ki[] (compacted). Returns how many remain.
 */
/*
 * A source-routed packet (only with rules.allow_source_route) sums its
 * TCP/UDP pseudo-header with the final destination, the last hop of its
 * route: spillway checks its IPv4 header and leaves the rest to the
 * final host. Only asked once the full check failed.
 */
static int
srcroute_cksum(const struct sw_worker *w, const uint8_t *f,
	       const struct sw_pkt *p, uint64_t ol_flags)
{
	return __atomic_load_n(&w->allow_source_route, __ATOMIC_RELAXED) &&
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
static void
stage_fallback(struct sw_worker *w, const struct sw_acl *acl,
	       const struct sw_pkt *meta, uint8_t *v,
	       const struct sw_acl_key **keys, const uint16_t *ki, uint16_t n,
	       int spill_first)
{
	uint64_t *c = w->cnt.c;
	uint8_t act[SW_BURST_MAX];
	uint32_t rule[SW_BURST_MAX];
	uint16_t j;
	bool lg;

	if (n == 0)
		return;
	lg = sw_acl_logs(acl, SW_ACL_FALLBACK) || spill_first >= 0;
	sw_acl_classify(acl, SW_ACL_FALLBACK, w->id, keys, n, act,
			lg ? rule : NULL);
	for (j = 0; j < n; j++) {
		v[ki[j]] = act[j];
		c[act[j] == SW_ACL_ACCEPT ? SW_CNT_fallback_accept :
					    SW_CNT_fallback_drop]++;
		if (likely(!lg))
			continue;
		if (j == spill_first)
			log_it(w, &meta[ki[j]], acl, SW_ACL_FALLBACK, rule[j],
			       act[j], SW_LOG_SPILL, 0);
		else
			log_decision(w, &meta[ki[j]], acl, SW_ACL_FALLBACK,
				     act[j], rule[j]);
	}
}

/*
 * A flow's zone: its port pair (the lower port index of the pair) and,
 * with zones by VLAN, the outer VLAN id. The same 5-tuple in two zones
 * is two flows.
 */
static inline uint16_t
zone_of(const struct sw_worker *w, uint8_t in_port, const struct sw_pkt *p)
{
	uint8_t pair = RTE_MIN(in_port, w->peer[in_port]);

	return (uint16_t)(pair | (w->zone_vlan ? p->vlan << 4 : 0));
}

/*
 * The flow key of a packet; returns its direction, or -1 for packets
 * that are never tracked (ICMP other than echo).
 */
static int
flow_key(const struct sw_worker *w, const struct sw_pkt *p,
	 struct sw_ft_key *k)
{
	uint16_t sp = p->k.sport, dp = p->k.dport;
	int dir;

	if (p->k.proto == IPPROTO_ICMP || p->k.proto == IPPROTO_ICMPV6) {
		uint8_t t = p->k.icmp_type;

		if ((p->k.proto == IPPROTO_ICMP) != (p->k.family == SW_AF_INET))
			sp = dp = 0;	/* not ICMP of this family */
		else if (t == RTE_IP_ICMP_ECHO_REQUEST ||
			 t == RTE_IP_ICMP_ECHO_REPLY ||
			 t == SW_ICMP6_ECHO_REQUEST || t == SW_ICMP6_ECHO_REPLY)
			sp = dp = p->icmp_id;
		else
			return -1;
	}
	dir = sw_ft_key_make(k, p->k.family, p->k.proto, p->k.src, p->k.dst,
			     sp, dp);
	k->zone = zone_of(w, p->k.in_port, p);
	return dir;
}

/* What the flow table needs of a packet. */
static inline void
ft_pkt(const struct sw_pkt *p, const uint8_t *frame, int dir,
       struct sw_ft_pkt *fp)
{
	fp->len = p->l3_len;
	fp->dir = (uint8_t)dir;
	fp->port = p->k.in_port;
	fp->tcp_flags = p->k.tcp_flags;
	fp->family = p->k.family;
	fp->frag = 0;
	if (p->k.proto == IPPROTO_TCP && p->l4_off != 0) {
		sw_parse_tcp_seg(frame, p, fp);
		fp->frag = p->frag == SW_FRAG_FIRST;
	}
}

/*
 * An ICMP error: key the flow of the packet it quotes. Only an error
 * sent to the quoted packet's source can be related, and never a
 * redirect. Returns 0 with *k and *q filled, or -1 (unrelated).
 */
static int
related_key(const struct sw_worker *w, const struct sw_pkt *p,
	    const struct sw_inner *in, struct sw_ft_key *k,
	    struct sw_ft_pkt *q)
{
	size_t alen = p->k.family == SW_AF_INET ? 4 : 16;
	uint16_t sp = in->sport, dp = in->dport;

	if (sw_icmp_is_redirect(p) || in->family != p->k.family ||
	    memcmp(in->src, p->k.dst, alen) != 0)
		return -1;
	/* A quoted echo reply's id is its flow's, like the request's. */
	q->dir = (uint8_t)sw_ft_key_make(k, in->family, in->proto, in->src,
					 in->dst, sp, dp);
	k->zone = zone_of(w, p->k.in_port, p);
	q->port = p->k.in_port;
	q->seq = in->seq;
	return 0;
}

/* Answer a SYN with a cookie: a SYN/ACK back out its port, no state. */
static void
proxy_answer(struct sw_worker *w, struct rte_mbuf *m, const struct sw_pkt *p,
	     const struct sw_ft_key *k, const struct sw_ft_pkt *fp,
	     uint64_t now)
{
	struct sw_ft_syn_opts o = { .mss = fp->mss, .wscale = fp->wscale,
				    .sack_perm = fp->sack_perm };
	uint32_t cookie = sw_ft_cookie_make(w->ft, k, fp->dir, fp->port,
					    fp->seq, now, &o);

	sw_synproxy_synack(m, p, cookie, &o,
			   w->proxy_mss[p->k.family == SW_AF_INET6],
			   w->proxy_wscale, (uint32_t)(now >> w->ms_shift));
}

/*
 * Carry out what the flow table says of a packet of a proxied flow.
 * Returns the packet's verdict.
 */
static uint8_t
proxy_act(struct sw_worker *w, struct rte_mbuf *m, const struct sw_pkt *p,
	  const struct sw_ft_xlate *x)
{
	uint64_t *c = w->cnt.c;
	uint8_t out = w->peer[p->k.in_port];
	struct rte_mbuf *ack;

	c[SW_CNT_synproxy_rewritten]++;
	switch (x->act) {
	case SW_FT_PX_FWD:
		sw_synproxy_translate(m, p, x);
		return SW_ACL_ACCEPT;
	case SW_FT_PX_SYN:
		/* The client's segment becomes the SYN to the server. */
		sw_synproxy_build(m, p, x);
		return SW_ACL_ACCEPT;
	case SW_FT_PX_ACK:
		/*
		 * The server is there: an ACK to it, and the window the
		 * client has waited for (a new mbuf from the rx pool).
		 */
		ack = rte_pktmbuf_alloc(m->pool);
		if (ack != NULL) {
			if (sw_synproxy_client_ack(ack, m, p, x) == 0)
				rte_eth_tx_buffer(w->port_id[out], w->txq,
						  w->txb[out], ack);
			else
				rte_pktmbuf_free(ack);
		}
		sw_synproxy_build(m, p, x);
		return V_BACK;
	default:
		c[SW_CNT_synproxy_consumed]++;
		return V_GONE;
	}
}

_Static_assert(SW_BURST_MAX <= SW_FT_BURST_MAX,
	       "a burst must fit one flow table lookup");
_Static_assert(SW_BURST_MAX <= 64, "a burst's fragments fit a 64-bit mask");
_Static_assert(SW_BURST_MAX <= SW_RULESET_BURST_MAX,
	       "a burst's set membership is one lookup a set");

/* How a packet meets the flow table. */
enum {
	T_LOOKUP,	/* its own flow's key */
	T_RELATED,	/* an ICMP error: the key of the flow it quotes */
	T_POLICY,	/* never tracked (ICMP other than echo and errors) */
	T_UNRELATED,	/* an ICMP error that cannot be related: invalid */
};

/*
 * What a packet that missed the table is (the rows of miss_action).
 * TCP first fragments never open a flow: their length and checksum are
 * not known (a SYN in one is SYN_FRAG, anything else FRAG). loose:
 * flowtable.tcp_loose is on.
 */
enum miss_class {
	MC_SYN,		/* a TCP SYN: may open a flow */
	MC_SYN_FRAG,	/* a TCP SYN in a first fragment */
	MC_NEW,		/* UDP, ICMP echo request, other protocols */
	MC_ACK_LOOSE,	/* a TCP ACK: picked up mid-stream */
	MC_ACK,		/* a TCP ACK, not picked up */
	MC_MID_LOOSE,	/* other valid TCP that cannot open a flow */
	MC_MID,
	MC_FRAG_LOOSE,	/* a TCP first fragment, no SYN */
	MC_FRAG,
	MC_ORPHAN_LOOSE, /* an ICMP error about no flow */
	MC_ORPHAN,
	MC_ECHO_REPLY,	/* an ICMP echo reply: judged, never tracked */
	MC_UNTRACKED,	/* other ICMP: judged, never tracked */
	MC_COOKIE,	/* an ACK with a valid cookie the policy proxies */
	MC_FORGED_ICMP,	/* an ICMP error that cannot be related */
	MC_MAX
};

/* What a miss does: one function each (miss_fn). */
enum miss_act {
	A_VERDICT,	/* the policy's verdict; nothing kept */
	A_INSERT,	/* open a flow and pass */
	A_ANSWER,	/* the SYN proxy answers with a cookie; nothing kept */
	A_OPEN,		/* the proxy opens the flow, SYNs the server */
	A_SPILL,	/* the fallback rules judge it */
	A_UNFIT,	/* the proxy would answer, cannot: drop */
	A_ORPHAN,	/* no valid cookie while the proxy answers: drop */
	A_INV_STATE,	/* invalid: cannot open a flow */
	A_INV_ICMP,
	A_INV_FRAG,
	A_MAX
};

/*
 * The columns of miss_action: the shard spills (M_SPILL); the proxy
 * stands in front (M_PROXY: for a SYN, the policy's accepting rule or
 * the shard's mode would answer it; for the rest, the shard answers
 * SYNs now); the policy accepts the packet (M_ACCEPT).
 */
#define M_ACCEPT	1
#define M_PROXY		2
#define M_SPILL		4
#define M_COLS		8

#define VRD A_VERDICT
#define INS A_INSERT
#define ANS A_ANSWER
#define OPN A_OPEN
#define SPL A_SPILL
#define UNF A_UNFIT
#define ORP A_ORPHAN
#define IST A_INV_STATE
#define IIC A_INV_ICMP
#define IFR A_INV_FRAG

/*
 * Every miss, one cell: its class by its mode and the policy's verdict.
 * Nothing opens a flow but an accepting policy (INS, ANS, OPN sit only
 * in accept columns, and MC_COOKIE is only classed so when the policy,
 * as it is now, would accept and proxy that tuple's SYN).
 */
static const uint8_t miss_action[MC_MAX][M_COLS] = {
/*			   quiet	proxy		spilling	spill+proxy
 *			   deny accept	deny accept	deny accept	deny accept */
[MC_SYN]	  =	{ VRD, INS,	VRD, ANS,	VRD, INS,	VRD, ANS },
/*	spilling: INS tries early drop first, else the packet spills */
[MC_SYN_FRAG]	  =	{ VRD, IFR,	VRD, UNF,	VRD, IFR,	VRD, UNF },
/*	a SYN must fit a packet: never tracked from a fragment */
[MC_NEW]	  =	{ VRD, INS,	VRD, INS,	VRD, INS,	VRD, INS },
[MC_ACK_LOOSE]	  =	{ VRD, INS,	ORP, ORP,	SPL, SPL,	SPL, SPL },
/*	proxy: an ACK without a cookie is dropped, as Linux SYNPROXY;
 *	spilling: it may belong to a connection the fallback admitted */
[MC_ACK]	  =	{ IST, IST,	ORP, ORP,	IST, IST,	IST, IST },
[MC_MID_LOOSE]	  =	{ IST, IST,	IST, IST,	SPL, SPL,	SPL, SPL },
[MC_MID]	  =	{ IST, IST,	IST, IST,	IST, IST,	IST, IST },
/*	without tcp_loose nothing is picked up, so nothing of it spills */
[MC_FRAG_LOOSE]	  =	{ IFR, IFR,	IFR, IFR,	SPL, SPL,	SPL, SPL },
[MC_FRAG]	  =	{ IFR, IFR,	IFR, IFR,	IFR, IFR,	IFR, IFR },
[MC_ORPHAN_LOOSE] =	{ IIC, IIC,	IIC, IIC,	SPL, SPL,	SPL, SPL },
[MC_ORPHAN]	  =	{ IIC, IIC,	IIC, IIC,	IIC, IIC,	IIC, IIC },
[MC_ECHO_REPLY]	  =	{ VRD, VRD,	VRD, VRD,	SPL, SPL,	SPL, SPL },
/*	spilling: it answers a request the fallback let through untracked */
[MC_UNTRACKED]	  =	{ VRD, VRD,	VRD, VRD,	VRD, VRD,	VRD, VRD },
[MC_COOKIE]	  =	{ OPN, OPN,	OPN, OPN,	OPN, OPN,	OPN, OPN },
/*	deny: the ACK's own verdict; its SYN's was accept (the cookie) */
[MC_FORGED_ICMP]  =	{ IIC, IIC,	IIC, IIC,	IIC, IIC,	IIC, IIC },
};

#undef VRD
#undef INS
#undef ANS
#undef OPN
#undef SPL
#undef UNF
#undef ORP
#undef IST
#undef IIC
#undef IFR

/* One packet of the tracking stage. */
struct trk {
	struct sw_ft_key fk;
	struct sw_ft_pkt fp;
	uint32_t hash;		/* sw_ft_key_hash(&fk) */
	int32_t pos;		/* its flow's slot; < 0: a miss */
	uint32_t rule;		/* the policy's rule + 1 (0: its default) */
	struct sw_ft_syn_opts opts;	/* MC_COOKIE: what the cookie holds */
	uint16_t i;		/* its index in the burst */
	uint8_t how;		/* T_* */
	uint8_t cls;		/* enum miss_class (a miss) */
	uint8_t verdict;	/* the policy's; SW_ACL_NONE: not asked */
	uint8_t cookie;		/* 1: check it as a cookie the policy proxies */
};

/* A burst in the tracking stage. */
struct track {
	struct sw_worker *w;
	struct sw_ft_shard *s;
	const struct sw_acl *acl;
	struct rte_mbuf **pkts;
	const struct sw_pkt *meta;
	const struct sw_acl_key **keys;	/* by list index, as t[] */
	uint8_t *v;			/* by burst index */
	uint64_t now;
	uint64_t frag_tracked;	/* burst bits: TCP first fragments passed */
	uint16_t n;
	uint16_t misses;	/* packets the bulk lookup did not find */
	bool inserted;		/* a flow was opened in this burst */
	bool proxy;		/* a mode or a rule lets the proxy answer */
	int spill_first;	/* fb index of a spill episode's first */
	uint16_t nf;
	const struct sw_acl_key *fb[SW_BURST_MAX];
	uint16_t fbi[SW_BURST_MAX];
	struct trk t[SW_BURST_MAX];
};

static inline bool
pure_ack(uint8_t flags)
{
	return (flags & (RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG |
			 RTE_TCP_FIN_FLAG | RTE_TCP_ACK_FLAG)) ==
	       RTE_TCP_ACK_FLAG;
}

static uint8_t
miss_class(const struct track *b, const struct trk *t)
{
	const struct sw_pkt *p = &b->meta[t->i];
	bool loose = sw_ft_loose(b->s);
	bool frag = p->frag == SW_FRAG_FIRST;

	switch (t->how) {
	case T_UNRELATED:
		return MC_FORGED_ICMP;
	case T_RELATED:
		return loose ? MC_ORPHAN_LOOSE : MC_ORPHAN;
	case T_POLICY:
		return MC_UNTRACKED;
	default:
		break;
	}
	switch (sw_ft_miss_kind(b->s, p->k.family, p->k.proto,
				p->k.tcp_flags, p->k.icmp_type)) {
	case SW_FT_MISS_INVALID:
		/*
		 * Impossible TCP flag sets never get here (stage_valid
		 * drops them); were one to, MID neither opens nor spills.
		 */
		return MC_MID;
	case SW_FT_MISS_UNTRACKED:
		return MC_ECHO_REPLY;
	case SW_FT_MISS_NEW:
		if (p->k.proto != IPPROTO_TCP)
			return MC_NEW;
		return frag ? MC_SYN_FRAG : MC_SYN;
	default:
		if (frag)
			return loose ? MC_FRAG_LOOSE : MC_FRAG;
		if (pure_ack(p->k.tcp_flags))
			return loose ? MC_ACK_LOOSE : MC_ACK;
		return loose ? MC_MID_LOOSE : MC_MID;
	}
}

/*
 * Does the policy's accepting rule let the proxy stand in front? Its
 * own choice first (synproxy = true / false), else the shard's mode:
 * `engaged` says whether that counts now.
 */
static inline bool
rule_proxies(const struct sw_acl *acl, uint32_t rule, bool engaged)
{
	int8_t r = rule ? sw_acl_get_rule(acl, SW_ACL_POLICY,
					  rule - 1)->synproxy : -1;

	return r == 1 || (r == -1 && engaged);
}

/* The column of miss_action for a miss, now. */
static inline unsigned int
miss_col(const struct track *b, const struct trk *t)
{
	bool accept = t->verdict == SW_ACL_ACCEPT, px;

	if (t->cls == MC_SYN || t->cls == MC_SYN_FRAG)
		px = rule_proxies(b->acl, t->rule, sw_ft_proxying(b->s));
	else
		px = sw_ft_proxying(b->s);
	return (sw_ft_spilling(b->s) ? M_SPILL : 0) | (px ? M_PROXY : 0) |
	       (accept ? M_ACCEPT : 0);
}

/*
 * Must the policy judge this class of miss? When a cell its mode can
 * reach reads the verdict (VERDICT) or differs by it. A shard that
 * spills at the start of a burst spills to its end (only the sweep
 * ends it); one that does not may begin to. Whether the shard answers
 * SYNs changes only in the sweep too; for a SYN, the proxy column also
 * depends on the rule that accepts it, so both count.
 */
static bool
needs_policy(uint8_t cls, bool spilling, bool proxying)
{
	bool syn = cls == MC_SYN || cls == MC_SYN_FRAG;
	unsigned int sp, px;

	for (sp = spilling ? 1 : 0; sp < 2; sp++)
		for (px = syn ? 0 : proxying; px < 2; px++) {
			unsigned int m = (sp ? M_SPILL : 0) |
					 (px ? M_PROXY : 0);
			uint8_t d = miss_action[cls][m];
			uint8_t a = miss_action[cls][m | M_ACCEPT];

			if (d != a || d == A_VERDICT)
				return true;
			if (!syn)
				break;
		}
	return false;
}

/*
 * Pass 1: each packet's key (its own flow's, or the one an ICMP error
 * quotes), hashed once for the lookup and an insert.
 */
static void
track_keys(struct track *b, const uint16_t *ki)
{
	uint16_t j;

	for (j = 0; j < b->n; j++) {
		struct trk *t = &b->t[j];
		const struct sw_pkt *p = &b->meta[ki[j]];
		const uint8_t *frame = rte_pktmbuf_mtod(b->pkts[ki[j]],
							const uint8_t *);
		struct sw_inner in;
		int d;

		t->i = ki[j];
		t->pos = -1;
		if (unlikely(sw_parse_icmp_error(frame, p, &in) == 0)) {
			memset(&t->fp, 0, sizeof(t->fp));
			if (related_key(b->w, p, &in, &t->fk, &t->fp) != 0) {
				t->how = T_UNRELATED;
				continue;
			}
			t->how = T_RELATED;
		} else if ((d = flow_key(b->w, p, &t->fk)) >= 0) {
			ft_pkt(p, frame, d, &t->fp);
			t->how = T_LOOKUP;
		} else {
			t->how = T_POLICY;
			continue;
		}
		t->hash = sw_ft_key_hash(&t->fk);
	}
}

/* Pass 2: one bulk lookup of every key. */
static void
track_lookup(struct track *b)
{
	const struct sw_ft_key *k[SW_BURST_MAX];
	uint32_t h[SW_BURST_MAX];
	int32_t pos[SW_BURST_MAX];
	uint16_t j, look[SW_BURST_MAX], nl = 0;

	for (j = 0; j < b->n; j++)
		if (b->t[j].how <= T_RELATED) {
			k[nl] = &b->t[j].fk;
			h[nl] = b->t[j].hash;
			look[nl++] = j;
		}
	sw_ft_lookup_burst_hash(b->s, k, h, nl, pos);
	b->misses = b->n - nl;
	for (j = 0; j < nl; j++) {
		b->t[look[j]].pos = pos[j];
		b->misses += pos[j] < 0;
	}
}

/*
 * Pass 3: what each miss is, and the policy's verdict where its cell
 * reads one, in one classification. An ACK that misses while the proxy
 * may answer is checked as a cookie (later, in order) only if the
 * policy would accept and proxy its tuple's SYN: its SYN, as the
 * policy and its sets stand now, judged without counting a hit.
 */
static void
track_judge(struct track *b)
{
	const struct sw_acl_key *pk[SW_BURST_MAX], *sk[SW_BURST_MAX];
	struct sw_acl_key syn[SW_BURST_MAX];
	uint16_t pj[SW_BURST_MAX], sj[SW_BURST_MAX], j, np = 0, ns = 0;
	uint8_t act[SW_BURST_MAX];
	uint32_t rule[SW_BURST_MAX];
	bool spilling = sw_ft_spilling(b->s);
	bool proxying = sw_ft_proxying(b->s);
	bool logs = sw_acl_logs(b->acl, SW_ACL_POLICY);
	bool engaged = sw_ft_proxy_mode(b->s) != SW_FT_PROXY_OFF;

	if (b->misses == 0)
		return;
	for (j = 0; j < b->n; j++) {
		struct trk *t = &b->t[j];

		if (t->pos >= 0)
			continue;
		t->verdict = SW_ACL_NONE;
		t->rule = 0;
		t->cookie = 0;
		t->cls = miss_class(b, t);
		if (needs_policy(t->cls, spilling, proxying)) {
			pk[np] = b->keys[j];
			pj[np++] = j;
		}
		if (b->proxy && (t->cls == MC_ACK_LOOSE || t->cls == MC_ACK)) {
			syn[ns] = *b->keys[j];
			syn[ns].tcp_flags = RTE_TCP_SYN_FLAG;
			sk[ns] = &syn[ns];
			sj[ns++] = j;
		}
	}
	if (np)
		sw_acl_classify(b->acl, SW_ACL_POLICY, b->w->id, pk, np, act,
				rule);
	for (j = 0; j < np; j++) {
		b->t[pj[j]].verdict = act[j];
		b->t[pj[j]].rule = rule[j];
		if (unlikely(logs))
			log_decision(b->w, &b->meta[b->t[pj[j]].i], b->acl,
				     SW_ACL_POLICY, act[j], rule[j]);
	}
	if (ns)
		sw_acl_classify(b->acl, SW_ACL_POLICY, SW_ACL_NO_COUNT, sk, ns,
				act, rule);
	for (j = 0; j < ns; j++)
		b->t[sj[j]].cookie = act[j] == SW_ACL_ACCEPT &&
				     rule_proxies(b->acl, rule[j], engaged);
}

/* Count an invalid miss under its reason: the act functions below. */
static void
act_inv_state(struct track *b, struct trk *t)
{
	b->v[t->i] = SW_ACL_DROP;
	invalid(b->w, &b->meta[t->i], SW_CNT_invalid_state);
}

static void
act_inv_icmp(struct track *b, struct trk *t)
{
	b->v[t->i] = SW_ACL_DROP;
	invalid(b->w, &b->meta[t->i], SW_CNT_icmp_unrelated);
}

static void
act_inv_frag(struct track *b, struct trk *t)
{
	b->v[t->i] = SW_ACL_DROP;
	invalid(b->w, &b->meta[t->i], SW_CNT_invalid_frag);
}

static void
act_verdict(struct track *b, struct trk *t)
{
	b->v[t->i] = t->verdict;
}

/*
 * To the fallback rules; the first packet of a spill episode is logged
 * (log.spill).
 */
static void
act_spill(struct track *b, struct trk *t)
{
	struct sw_worker *w = b->w;

	if (unlikely(!w->log.in_spill) &&
	    __atomic_load_n(&w->log.spill, __ATOMIC_RELAXED)) {
		w->log.in_spill = true;
		b->spill_first = b->nf;
	}
	b->fb[b->nf] = &b->meta[t->i].k;
	b->fbi[b->nf++] = t->i;
	w->cnt.c[SW_CNT_spilled]++;
}

static void
act_unfit(struct track *b, struct trk *t)
{
	b->v[t->i] = SW_ACL_DROP;
	b->w->cnt.c[SW_CNT_synproxy_unfit]++;
}

static void
act_orphan(struct track *b, struct trk *t)
{
	b->v[t->i] = SW_ACL_DROP;
	b->w->cnt.c[SW_CNT_synproxy_invalid]++;
}

static void
act_answer(struct track *b, struct trk *t)
{
	proxy_answer(b->w, b->pkts[t->i], &b->meta[t->i], &t->fk, &t->fp,
		     b->now);
	b->v[t->i] = V_BACK;
	b->w->cnt.c[SW_CNT_synproxy_cookies_sent]++;
}

static void
act_insert(struct track *b, struct trk *t)
{
	struct sw_worker *w = b->w;
	uint64_t *c = w->cnt.c;
	uint8_t why = SW_FT_INV_STATE;
	int rc = sw_ft_insert_hash(b->s, &t->fk, t->hash, &t->fp, b->now,
				   &why);

	b->v[t->i] = SW_ACL_ACCEPT;
	if (likely(rc == 0)) {
		c[SW_CNT_policy_accept]++;
		b->inserted = true;
	} else if (rc == 1) {
		c[SW_CNT_tracked]++;
	} else if (rc == -ENOSPC || rc == -EBUSY) {
		act_spill(b, t);
	} else if (rc == -EDQUOT) {
		c[SW_CNT_source_over]++;
		if (w->src_over_fallback)
			act_spill(b, t);
		else
			b->v[t->i] = SW_ACL_DROP;
	} else {
		b->v[t->i] = SW_ACL_DROP;
		invalid(w, &b->meta[t->i], invalid_reason[why]);
	}
}

static void
act_open(struct track *b, struct trk *t)
{
	struct sw_worker *w = b->w;
	uint64_t *c = w->cnt.c;
	struct sw_ft_xlate x;
	uint8_t why = SW_FT_INV_STATE;
	int rc;

	c[SW_CNT_synproxy_valid]++;
	rc = sw_ft_proxy_open(b->s, &t->fk, &t->fp, t->fp.ack - 1, &t->opts,
			      b->now, &x, &why);
	if (rc == 0 || rc == 1) {
		b->inserted |= rc == 0;
		b->v[t->i] = proxy_act(w, b->pkts[t->i], &b->meta[t->i], &x);
		return;
	}
	b->v[t->i] = SW_ACL_DROP;
	if (rc == -EDQUOT)
		c[SW_CNT_source_over]++;	/* no server yet: no spill */
	else if (rc == -EINVAL)
		invalid(w, &b->meta[t->i], invalid_reason[why]);
	else
		c[SW_CNT_drop]++;		/* no room, no server yet */
}

typedef void (*miss_fn_t)(struct track *b, struct trk *t);

static const miss_fn_t miss_fn[A_MAX] = {
	[A_VERDICT] = act_verdict,
	[A_INSERT] = act_insert,
	[A_ANSWER] = act_answer,
	[A_OPEN] = act_open,
	[A_SPILL] = act_spill,
	[A_UNFIT] = act_unfit,
	[A_ORPHAN] = act_orphan,
	[A_INV_STATE] = act_inv_state,
	[A_INV_ICMP] = act_inv_icmp,
	[A_INV_FRAG] = act_inv_frag,
};

/*
 * A packet that hit its flow: the flow table's verdict. Returns false
 * for SW_FT_RETRY: the flow was let go (a SYN that starts over), and
 * the SYN is now a miss, judged as the new connection it claims to be,
 * as Linux does a SYN on a closed entry.
 */
static inline bool
track_hit(struct track *b, struct trk *t)
{
	struct sw_worker *w = b->w;
	const struct sw_pkt *p = &b->meta[t->i];
	struct sw_ft_xlate x;
	int rc;

	x.act = SW_FT_PX_NONE;
	rc = t->how == T_RELATED ? sw_ft_related(b->s, t->pos, &t->fp) :
	     sw_ft_update(b->s, t->pos, &t->fp, b->now, &x);
	if (unlikely(rc == SW_FT_RETRY)) {
		const struct sw_acl_key *k = &p->k;

		t->pos = -1;
		t->cls = miss_class(b, t);
		t->cookie = 0;
		sw_acl_classify(b->acl, SW_ACL_POLICY, w->id, &k, 1,
				&t->verdict, &t->rule);
		return false;
	}
	if (rc != SW_FT_OK) {
		b->v[t->i] = SW_ACL_DROP;
		invalid(w, p, invalid_reason[rc]);
		return true;
	}
	b->v[t->i] = SW_ACL_ACCEPT;
	w->cnt.c[t->how == T_RELATED ? SW_CNT_related : SW_CNT_tracked]++;
	if (unlikely(t->fp.frag))
		b->frag_tracked |= 1ull << t->i;
	if (unlikely(x.act != SW_FT_PX_NONE))
		b->v[t->i] = proxy_act(w, b->pkts[t->i], p, &x);
	return true;
}

/* A cookie candidate's check, with its source's limit (counted). */
static void
check_cookie(struct track *b, struct trk *t)
{
	uint64_t *c = b->w->cnt.c;
	int rc = sw_ft_cookie_verify(b->s, &t->fk, t->fp.dir, t->fp.port,
				     t->fp.seq - 1, t->fp.ack - 1, b->now,
				     &t->opts);

	if (rc == -EDQUOT) {
		c[SW_CNT_synproxy_source_limited]++;
		return;
	}
	c[SW_CNT_synproxy_checked]++;
	if (rc == 0)
		t->cls = MC_COOKIE;
	else
		c[SW_CNT_synproxy_bad_cookie]++;
}

/*
 * A miss, in arrival order: its cell of miss_action. A flow this burst
 * opened is not in the bulk lookup's answers, so a later miss of it is
 * looked up again, unless its cell inserts (sw_ft_insert looks first):
 * a flood the policy accepts never pays for this, nor one it refuses.
 * Returns false when the packet turned out to hit a flow (t->pos).
 */
static bool
track_miss(struct track *b, struct trk *t)
{
	uint8_t a = miss_action[t->cls][miss_col(b, t)];

	if (b->inserted && t->how != T_POLICY && a != A_INSERT &&
	    (t->pos = sw_ft_lookup(b->s, &t->fk)) >= 0)
		return false;
	if (t->cookie) {
		check_cookie(b, t);
		a = miss_action[t->cls][miss_col(b, t)];
	}
	miss_fn[a](b, t);
	return true;
}

/*
 * One packet, in arrival order. A hit may turn into a miss (a SYN that
 * starts over) and a miss into a hit (a flow this burst opened): each
 * at most once, as a deleted flow is not found again.
 */
static inline void
track_one(struct track *b, struct trk *t)
{
	while (t->pos >= 0 ? !track_hit(b, t) : !track_miss(b, t))
		;
}

/*
 * Stage 2, stateful: look the burst up in this worker's shard, advance
 * the flows it hits, and give each miss its cell of miss_action; what
 * spills goes to the fallback rules at the end. Nothing invalid spills:
 * only what could have been tracked. Returns the burst bits of the TCP
 * first fragments that passed their flow (their datagram's last
 * fragment advances it, stage 3).
 */
static uint64_t
stage_track(struct sw_worker *w, const struct sw_acl *acl,
	    struct rte_mbuf **pkts, const struct sw_pkt *meta, uint8_t *v,
	    const struct sw_acl_key **keys, const uint16_t *ki, uint16_t n,
	    uint64_t now)
{
	struct track b;
	uint16_t j;

	b.w = w;
	b.s = w->ft;
	b.acl = acl;
	b.pkts = pkts;
	b.meta = meta;
	b.keys = keys;
	b.v = v;
	b.now = now;
	b.n = n;
	b.frag_tracked = 0;
	b.inserted = false;
	b.proxy = sw_ft_proxy_mode(w->ft) != SW_FT_PROXY_OFF ||
		  sw_acl_any_synproxy(acl);
	b.spill_first = -1;
	b.nf = 0;
	track_keys(&b, ki);
	track_lookup(&b);
	track_judge(&b);
	/* A spill episode ends when the shard stops spilling. */
	if (unlikely(w->log.in_spill) && !sw_ft_spilling(w->ft))
		w->log.in_spill = false;
	for (j = 0; j < n; j++)
		track_one(&b, &b.t[j]);
	stage_fallback(w, acl, meta, v, b.fb, b.fbi, b.nf, b.spill_first);
	return b.frag_tracked;
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
static uint8_t
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
	invalid(w, p, invalid_reason[rc]);
	return SW_ACL_DROP;
}

/*
 * A later fragment, or a first fragment the rules accepted: forwarded
 * only as sw_frag_later / sw_frag_first allow. `tracked`: a first
 * fragment whose TCP segment passed its flow. Returns the verdict.
 */
static uint8_t
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
	uint8_t out = w->peer[in_port];
	struct rte_eth_dev_tx_buffer *txb = w->txb[out];
	uint16_t out_id = w->port_id[out];
	uint64_t *c = w->cnt.c;
	uint64_t now = rte_rdtsc(), frags = 0;
	uint16_t i, nk, nd = 0, nndp;

	nk = stage_parse(w, in_port, pkts, nb, meta, v, keys, ki, &nndp);
	if (rs->nb_look[0] + rs->nb_look[1] != 0) {
		struct sw_acl_key *wk[SW_BURST_MAX];

		for (i = 0; i < nk; i++)
			wk[i] = &meta[ki[i]].k;
		sw_ruleset_set_bits(rs, wk, nk);
	}
	nk = stage_notrack(w, acl, meta, v, keys, ki, nk);
	if (unlikely(nndp) &&
	    __atomic_load_n(&w->allow_ndp, __ATOMIC_RELAXED))
		nk = stage_ndp(w, meta, v, keys, ki, nk);
	nk = stage_valid(w, pkts, meta, v, keys, ki, nk);
	if (w->ft != NULL)
		frags = stage_track(w, acl, pkts, meta, v, keys, ki, nk, now);
	else
		stage_fallback(w, acl, meta, v, keys, ki, nk, -1);

	/* Stage 3: act, in arrival order. */
	for (i = 0; i < nb; i++) {
		struct rte_mbuf *m = pkts[i];

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
			if (reject_reply(w, m, &meta[i], now)) {
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
