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
	w->proxy_wscale = (uint8_t)cfg->flowtable.synproxy_wscale;
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
 * Set membership of the burst: one bulk lookup per set the rules test,
 * per direction, IPv4 and IPv6 apart; the answers become key->sets bits
 * that rte_acl tests like any other field. Nothing when no rule names
 * a set.
 */
void
sw_worker_set_bits(const struct sw_ruleset *rs, struct sw_acl_key *const *keys,
		   uint16_t n)
{
	uint32_t ip4[2][SW_BURST_MAX], bits[SW_BURST_MAX];
	uint8_t ip6[2][SW_BURST_MAX][16];
	uint16_t i4[SW_BURST_MAX], i6[SW_BURST_MAX];
	uint64_t in[SW_BURST_MAX];
	uint16_t j, n4 = 0, n6 = 0;
	unsigned int d, b;

	if (rs->nb_look[0] + rs->nb_look[1] == 0 || n == 0)
		return;
	for (j = 0; j < n; j++) {
		const struct sw_acl_key *k = keys[j];

		bits[j] = 0;
		if (k->family == 6) {
			memcpy(ip6[0][n6], k->src, 16);
			memcpy(ip6[1][n6], k->dst, 16);
			i6[n6++] = j;
		} else {
			uint32_t s4, d4;

			memcpy(&s4, k->src, 4);
			memcpy(&d4, k->dst, 4);
			ip4[0][n4] = rte_be_to_cpu_32(s4);
			ip4[1][n4] = rte_be_to_cpu_32(d4);
			i4[n4++] = j;
		}
	}
	for (d = 0; d < 2; d++)
		for (b = 0; b < rs->nb_look[d]; b++) {
			uint32_t bit = 1u << (b + 16 * d);

			if (n4) {
				sw_pset_lookup4(rs->look[d][b], ip4[d], n4, in);
				for (j = 0; j < n4; j++)
					bits[i4[j]] |= in[j] ? bit : 0;
			}
			if (n6) {
				sw_pset_lookup6(rs->look[d][b],
						(const uint8_t (*)[16])ip6[d],
						n6, in);
				for (j = 0; j < n6; j++)
					bits[i6[j]] |= in[j] ? bit : 0;
			}
		}
	for (j = 0; j < n; j++)
		keys[j]->sets = rte_cpu_to_be_32(bits[j]);
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
	if (p->k.proto == IPPROTO_TCP && p->l4_off != 0)
		sw_parse_tcp_seg(frame, p, fp);
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

/*
 * Should the SYN proxy answer this SYN the policy accepted? The
 * accepting rule's own choice first, then the shard's mode (auto:
 * engaged under pressure).
 */
static inline bool
proxy_this(const struct sw_acl *acl, uint32_t rule,
	   const struct sw_ft_shard *s, const struct sw_pkt *p)
{
	int8_t r = rule ? sw_acl_get_rule(acl, SW_ACL_POLICY,
					  rule - 1)->synproxy : -1;

	return (r == 1 || (r == -1 && sw_ft_proxying(s))) &&
	       sw_synproxy_fits(p);
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

/* Per-packet tracking outcome before the policy has spoken. */
enum {
	T_LOOKUP,	/* key built, look it up */
	T_RELATED,	/* ICMP error: look its quoted flow up */
	T_POLICY,	/* untracked: the policy decides, nothing inserted */
	T_UNRELATED,	/* ICMP error that cannot be related: invalid */
};

/*
 * Stage 2, stateful: look the burst up in this worker's shard, advance
 * the flows it hits, send new flows to the policy rules and insert what
 * they accept; what cannot be inserted spills to the fallback rules.
 * Nothing invalid spills: only what could have been tracked.
 */
static void
stage_track(struct sw_worker *w, const struct sw_acl *acl,
	    struct rte_mbuf **pkts, const struct sw_pkt *meta, uint8_t *v,
	    const struct sw_acl_key **keys, uint16_t *ki, uint16_t n,
	    uint64_t now)
{
	struct sw_ft_shard *s = w->ft;
	struct sw_ft_key fk[SW_BURST_MAX];
	struct sw_ft_pkt fp[SW_BURST_MAX];
	const struct sw_ft_key *fkp[SW_BURST_MAX];
	const struct sw_acl_key *pk[SW_BURST_MAX], *fb[SW_BURST_MAX];
	uint16_t pki[SW_BURST_MAX], fbi[SW_BURST_MAX], look[SW_BURST_MAX];
	int32_t pos[SW_BURST_MAX];
	uint32_t hash[SW_BURST_MAX], lhash[SW_BURST_MAX];
	uint8_t kind[SW_BURST_MAX], how[SW_BURST_MAX];
	uint8_t act[SW_BURST_MAX], pact[SW_BURST_MAX];
	uint32_t prule[SW_BURST_MAX], rule[SW_BURST_MAX];
	uint64_t *c = w->cnt.c;
	uint16_t j, nl = 0, np = 0, nf = 0;
	int spill_first = -1;
	bool spilling = sw_ft_spilling(s), inserted = false;
	bool loose = sw_ft_loose(s);
	bool proxy = sw_ft_proxy_mode(s) != SW_FT_PROXY_OFF ||
		     sw_acl_any_synproxy(acl);
	struct sw_ft_xlate x;

	for (j = 0; j < n; j++) {
		const struct sw_pkt *p = &meta[ki[j]];
		const uint8_t *frame = rte_pktmbuf_mtod(pkts[ki[j]],
							const uint8_t *);
		struct sw_inner in;
		int d;

		pos[j] = -1;
		if (unlikely(sw_parse_icmp_error(frame, p, &in) == 0)) {
			memset(&fp[j], 0, sizeof(fp[j]));
			if (related_key(w, p, &in, &fk[j], &fp[j]) != 0) {
				how[j] = T_UNRELATED;
				continue;
			}
			how[j] = T_RELATED;
		} else if ((d = flow_key(w, p, &fk[j])) >= 0) {
			ft_pkt(p, frame, d, &fp[j]);
			how[j] = T_LOOKUP;
		} else {
			how[j] = T_POLICY;
			continue;
		}
		/*
		 * Hashed here, once: the lookup and an insert reuse it
		 * (SipHash costs a cache miss's worth of cycles a key).
		 */
		hash[j] = sw_ft_key_hash(&fk[j]);
		fkp[nl] = &fk[j];
		lhash[nl] = hash[j];
		look[nl++] = j;
	}
	{
		int32_t r[SW_BURST_MAX];

		sw_ft_lookup_burst_hash(s, fkp, lhash, nl, r);
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
		switch (how[j]) {
		case T_LOOKUP:
			kind[j] = (uint8_t)sw_ft_miss_kind(s, p->k.family,
				p->k.proto, p->k.tcp_flags, p->k.icmp_type);
			break;
		case T_POLICY:
			kind[j] = SW_FT_MISS_UNTRACKED;
			break;
		default:	/* ICMP errors about no flow */
			kind[j] = SW_FT_MISS_MIDSTREAM;
			break;
		}
		if (kind[j] == SW_FT_MISS_INVALID ||
		    kind[j] == SW_FT_MISS_MIDSTREAM ||
		    (kind[j] == SW_FT_MISS_LOOSE && spilling) ||
		    (kind[j] == SW_FT_MISS_UNTRACKED && how[j] == T_LOOKUP &&
		     spilling))
			continue;
		pk[np] = keys[j];
		pki[np++] = j;
	}
	if (np)
		sw_acl_classify(acl, SW_ACL_POLICY, w->id, pk, np, act, rule);
	for (j = 0; j < np; j++) {
		pact[pki[j]] = act[j];
		prule[pki[j]] = rule[j];
		if (unlikely(sw_acl_logs(acl, SW_ACL_POLICY)))
			log_decision(w, &meta[ki[pki[j]]], acl, SW_ACL_POLICY,
				     act[j], rule[j]);
	}
	/* A spill episode ends when the shard stops spilling. */
	if (unlikely(w->log.in_spill) && !spilling)
		w->log.in_spill = false;

	/*
	 * Packet j of the list, i of the burst, goes to the fallback rules;
	 * the first of a spill episode is logged (log.spill).
	 */
#define SPILL(j, i) do { \
		if (unlikely(!w->log.in_spill) && \
		    __atomic_load_n(&w->log.spill, __ATOMIC_RELAXED)) { \
			w->log.in_spill = true; \
			spill_first = nf; \
		} \
		fb[nf] = keys[j]; \
		fbi[nf++] = (i); \
		c[SW_CNT_spilled]++; \
	} while (0)

	/* Then every packet, in arrival order. */
	for (j = 0; j < n; j++) {
		uint16_t i = ki[j];
		uint8_t why = SW_FT_INV_STATE;
		int rc;

		if (unlikely(how[j] == T_UNRELATED)) {
			v[i] = SW_ACL_DROP;
			invalid(w, &meta[i], SW_CNT_icmp_unrelated);
			continue;
		}
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
			pos[j] = sw_ft_lookup(s, &fk[j]);
		if (pos[j] >= 0) {
			x.act = SW_FT_PX_NONE;
			rc = how[j] == T_RELATED ?
			     sw_ft_related(s, pos[j], &fp[j]) :
			     sw_ft_update(s, pos[j], &fp[j], now, &x);
			if (unlikely(rc == SW_FT_RETRY)) {
				/*
				 * A SYN the proxy must answer, not pass, or
				 * one that reopened a closed flow while quotas
				 * count: its old flow is gone. Judge it as the
				 * new connection it claims to be (as Linux
				 * does a SYN on a TIME_WAIT entry).
				 */
				const struct sw_acl_key *k1 = keys[j];

				sw_acl_classify(acl, SW_ACL_POLICY, w->id, &k1,
						1, &pact[j], &prule[j]);
				kind[j] = SW_FT_MISS_NEW;
				pos[j] = -1;
				goto miss;
			}
			if (rc == SW_FT_OK) {
				v[i] = SW_ACL_ACCEPT;
				c[how[j] == T_RELATED ? SW_CNT_related :
							SW_CNT_tracked]++;
				if (unlikely(x.act != SW_FT_PX_NONE))
					v[i] = proxy_act(w, pkts[i], &meta[i],
							 &x);
			} else {
				v[i] = SW_ACL_DROP;
				invalid(w, &meta[i], invalid_reason[rc]);
			}
			continue;
		}
		/*
		 * While the shard spills, a valid miss that cannot open a
		 * flow may belong to a connection the fallback rules
		 * admitted: let them judge it, or that connection dies with
		 * the flood. Without tcp_loose nothing is picked up
		 * mid-stream, so nothing of that kind spills either.
		 */
miss:
		spilling = sw_ft_spilling(s);
		if (kind[j] == SW_FT_MISS_INVALID) {
			v[i] = SW_ACL_DROP;
			invalid(w, &meta[i], SW_CNT_invalid_flags);
			continue;
		}
		/*
		 * The SYN proxy: an ACK that misses may carry one of its
		 * cookies (only those open proxied flows: the cookie proves
		 * the policy accepted the SYN). While it answers SYNs, an
		 * orphan ACK without one is dropped, as Linux SYNPROXY does;
		 * so is one the proxy cannot take (IPv4 options, IPv6
		 * extension headers, a fragment), or an ACK flood would be
		 * picked up mid-stream just by carrying an option.
		 */
		if (proxy && how[j] == T_LOOKUP &&
		    (kind[j] == SW_FT_MISS_LOOSE ||
		     kind[j] == SW_FT_MISS_MIDSTREAM) &&
		    (fp[j].tcp_flags & (RTE_TCP_SYN_FLAG | RTE_TCP_RST_FLAG |
					RTE_TCP_FIN_FLAG |
					RTE_TCP_ACK_FLAG)) == RTE_TCP_ACK_FLAG) {
			struct sw_ft_syn_opts o;

			if (sw_synproxy_fits(&meta[i]) &&
			    sw_ft_cookie_check(s, &fk[j], fp[j].dir,
					       fp[j].port, fp[j].seq - 1,
					       fp[j].ack - 1, now, &o) == 0) {
				c[SW_CNT_synproxy_valid]++;
				rc = sw_ft_proxy_open(s, &fk[j], &fp[j],
						      fp[j].ack - 1, &o, now,
						      &x, &why);
				if (rc == 0 || rc == 1) {
					inserted |= rc == 0;
					v[i] = proxy_act(w, pkts[i], &meta[i],
							 &x);
				} else if (rc == -EDQUOT) {
					/* Nothing to spill to: no server yet. */
					v[i] = SW_ACL_DROP;
					c[SW_CNT_source_over]++;
				} else if (rc == -EINVAL) {
					v[i] = SW_ACL_DROP;
					invalid(w, &meta[i],
						invalid_reason[why]);
				} else {
					/* No room: no server connection. */
					v[i] = SW_ACL_DROP;
					c[SW_CNT_drop]++;
				}
				continue;
			}
			if (sw_ft_proxying(s) && !spilling) {
				v[i] = SW_ACL_DROP;
				c[SW_CNT_synproxy_invalid]++;
				continue;
			}
		}
		if (kind[j] == SW_FT_MISS_MIDSTREAM ||
		    (kind[j] == SW_FT_MISS_LOOSE && spilling)) {
			if (spilling && loose) {
				SPILL(j, i);
			} else {
				v[i] = SW_ACL_DROP;
				invalid(w, &meta[i], how[j] == T_RELATED ?
					SW_CNT_icmp_unrelated :
					SW_CNT_invalid_state);
			}
			continue;
		}
		/*
		 * An echo reply that misses while the shard spills answers a
		 * request the fallback rules let through untracked (no room
		 * for its flow): theirs to judge, as a spilled TCP segment
		 * is, or pings from the side the policy lets out die.
		 */
		if (kind[j] == SW_FT_MISS_UNTRACKED && how[j] == T_LOOKUP &&
		    spilling) {
			SPILL(j, i);
			continue;
		}
		if (pact[j] != SW_ACL_ACCEPT || kind[j] == SW_FT_MISS_UNTRACKED) {
			v[i] = pact[j];
			continue;
		}
		if (kind[j] == SW_FT_MISS_NEW && proxy &&
		    fp[j].tcp_flags & RTE_TCP_SYN_FLAG &&
		    proxy_this(acl, prule[j], s, &meta[i])) {
			proxy_answer(w, pkts[i], &meta[i], &fk[j], &fp[j], now);
			v[i] = V_BACK;
			c[SW_CNT_synproxy_cookies_sent]++;
			continue;
		}
		rc = sw_ft_insert_hash(s, &fk[j], hash[j], &fp[j], now, &why);
		if (likely(rc == 0)) {
			v[i] = SW_ACL_ACCEPT;
			c[SW_CNT_policy_accept]++;
			inserted = true;
		} else if (rc == 1) {
			v[i] = SW_ACL_ACCEPT;
			c[SW_CNT_tracked]++;
		} else if (rc == -ENOSPC || rc == -EBUSY) {
			SPILL(j, i);
		} else if (rc == -EDQUOT) {
			c[SW_CNT_source_over]++;
			if (w->src_over_fallback) {
				SPILL(j, i);
			} else {
				v[i] = SW_ACL_DROP;
			}
		} else {
			v[i] = SW_ACL_DROP;
			invalid(w, &meta[i], invalid_reason[why]);
		}
	}
#undef SPILL
	stage_fallback(w, acl, meta, v, fb, fbi, nf, spill_first);
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
	const struct sw_ruleset *rs = sw_ruleset_current(w->rules);
	const struct sw_acl *acl = rs->acl;
	uint8_t out = w->peer[in_port];
	struct rte_eth_dev_tx_buffer *txb = w->txb[out];
	uint16_t out_id = w->port_id[out];
	uint64_t *c = w->cnt.c;
	uint64_t now = rte_rdtsc();
	uint16_t i, nk, nd = 0, nndp;

	nk = stage_parse(w, in_port, pkts, nb, meta, v, keys, ki, &nndp);
	if (rs->nb_look[0] + rs->nb_look[1] != 0) {
		struct sw_acl_key *wk[SW_BURST_MAX];

		for (i = 0; i < nk; i++)
			wk[i] = &meta[ki[i]].k;
		sw_worker_set_bits(rs, wk, nk);
	}
	nk = stage_notrack(w, acl, meta, v, keys, ki, nk);
	if (unlikely(nndp) &&
	    __atomic_load_n(&w->allow_ndp, __ATOMIC_RELAXED))
		nk = stage_ndp(w, meta, v, keys, ki, nk);
	nk = stage_valid(w, pkts, meta, v, keys, ki, nk);
	if (w->ft != NULL)
		stage_track(w, acl, pkts, meta, v, keys, ki, nk, now);
	else
		stage_fallback(w, acl, meta, v, keys, ki, nk, -1);

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
