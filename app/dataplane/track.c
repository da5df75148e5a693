/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The worker's tracking stage: flow keys, the bulk lookup, the flow
 * table's verdict on every hit, and one cell of miss_action for every
 * miss (what a packet that misses the table may do: its class by the
 * shard's mode and the policy's verdict). tests/unit/test_pipeline.c
 * walks every cell through sw_worker_burst.
 */
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ethdev.h>
#include <rte_icmp.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "ruleset.h"
#include "sw_proto.h"
#include "synproxy.h"
#include "syncq.h"
#include "worker_private.h"

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
	fp->tag = 0;
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
static __rte_cold int
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
	uint16_t tag;		/* a conn_limit place it holds; 0 */
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
	bool defer;		/* hold packets until the HA peer has their
				 * flow (active-active, syncq.h) */
	int spill_first;	/* fb index of a spill episode's first */
	const uint16_t *map;	/* conn_room: classified index -> t[] */
	uint16_t nf;
	uint16_t na;		/* SYNs to answer with a cookie: ans[] */
	const struct sw_acl_key *fb[SW_BURST_MAX];
	uint16_t fbi[SW_BURST_MAX];
	uint16_t ans[SW_BURST_MAX];	/* t[] index */
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
needs_policy_cell(uint8_t cls, bool spilling, bool proxying)
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
 * needs_policy_cell for every class and mode, worked out once from
 * miss_action (bit spilling << 1 | proxying): a miss pays one load.
 */
static uint8_t needs_policy_tab[MC_MAX];

RTE_INIT(needs_policy_init)
{
	unsigned int c, m;

	for (c = 0; c < MC_MAX; c++)
		for (m = 0; m < 4; m++)
			if (needs_policy_cell((uint8_t)c, m & 2, m & 1))
				needs_policy_tab[c] |= (uint8_t)(1u << m);
}

static inline bool
needs_policy(uint8_t cls, bool spilling, bool proxying)
{
	return needs_policy_tab[cls] >> (spilling << 1 | proxying) & 1;
}

/*
 * Pass 1: each packet's key (its own flow's, or the one an ICMP error
 * quotes); the lookup hashes them all at once.
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
		t->tag = 0;
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
			look[nl++] = j;
		}
	/*
	 * Hashed here, once a burst: the lookup and an insert reuse it
	 * (SipHash costs a cache miss's worth of cycles a key; four IPv4
	 * keys at once with AVX2).
	 */
	sw_ft_key_hash_burst(k, h, nl);
	sw_ft_lookup_burst_hash(b->s, k, h, nl, pos);
	b->misses = b->n - nl;
	for (j = 0; j < nl; j++) {
		b->t[look[j]].hash = h[j];
		b->t[look[j]].pos = pos[j];
		b->misses += pos[j] < 0;
	}
}

/*
 * A policy rule's conn_limit, for the packet classified at index i: a
 * place among the rule's flows (its tag's, counted across workers) is
 * reserved for the flow the packet may open; act_insert hands it to the
 * flow, and whatever opens none gives it back (track_one). A packet
 * that holds a place already (an earlier rule's) only looks.
 */
static __rte_cold bool
conn_room(void *arg, uint16_t i, const struct sw_acl_rule *r)
{
	struct track *b = arg;
	struct trk *t = &b->t[b->map[i]];
	const struct sw_pkt *p = &b->meta[t->i];
	struct sw_ft *ft = sw_ft_of(b->s);

	if (t->tag != 0)
		return sw_ft_tag_fits(ft, r->conn.tag, r->conn.max,
				      p->k.family, p->k.src);
	if (sw_ft_tag_acquire(ft, r->conn.tag, r->conn.max, p->k.family,
			      p->k.src) != 0)
		return false;
	t->tag = r->conn.tag;
	return true;
}

/* The policy's verdicts for n misses (keys[j] is t[map[j]]'s). */
static void
policy_eval(struct track *b, const struct sw_acl_key **keys,
	    const uint16_t *map, uint16_t n, uint8_t *act, uint32_t *rule)
{
	struct sw_acl_ctx cx = { .now = b->now, .conn = conn_room, .arg = b };

	b->map = map;
	sw_acl_eval(b->acl, SW_ACL_POLICY, b->w->id, keys, n, act, rule, &cx);
	count_limited(b->w, &cx);
}

/* A place the packet reserved and no flow took: given back. */
static __rte_cold void
tag_release(struct track *b, struct trk *t)
{
	const struct sw_pkt *p = &b->meta[t->i];

	sw_ft_tag_release(sw_ft_of(b->s), t->tag, p->k.family, p->k.src);
	t->tag = 0;
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
		policy_eval(b, pk, pj, np, act, rule);
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

/*
 * Count an invalid miss under its reason: the act functions below. The
 * rare ones are __rte_cold (here and in worker.c): out of the hot text,
 * the hit and flood paths fit the instruction cache (callgrind on the
 * flood rows: a third of the I1 misses).
 */
static __rte_cold void
act_inv_state(struct track *b, struct trk *t)
{
	b->v[t->i] = SW_ACL_DROP;
	invalid(b->w, &b->meta[t->i], SW_CNT_invalid_state);
}

static __rte_cold void
act_inv_icmp(struct track *b, struct trk *t)
{
	b->v[t->i] = SW_ACL_DROP;
	invalid(b->w, &b->meta[t->i], SW_CNT_icmp_unrelated);
}

static __rte_cold void
act_inv_frag(struct track *b, struct trk *t)
{
	b->v[t->i] = SW_ACL_DROP;
	invalid(b->w, &b->meta[t->i], SW_CNT_invalid_frag);
}

static void
act_verdict(struct track *b, struct trk *t)
{
	b->v[t->i] = verdict_of(b->acl, SW_ACL_POLICY, t->verdict, t->rule);
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

static __rte_cold void
act_unfit(struct track *b, struct trk *t)
{
	b->v[t->i] = SW_ACL_DROP;
	b->w->cnt.c[SW_CNT_synproxy_unfit]++;
}

static __rte_cold void
act_orphan(struct track *b, struct trk *t)
{
	b->v[t->i] = SW_ACL_DROP;
	b->w->cnt.c[SW_CNT_synproxy_invalid]++;
}

/* A SYN answered with a cookie: its SYN/ACK is made at the burst's end. */
static void
act_answer(struct track *b, struct trk *t)
{
	b->ans[b->na++] = (uint16_t)(t - b->t);
	b->v[t->i] = V_BACK;
	b->w->cnt.c[SW_CNT_synproxy_cookies_sent]++;
}

/*
 * The burst's SYNs to answer, together: their cookies (four MACs at a
 * time, sw_ft_cookie_make_burst), then each SYN turned into its SYN/ACK
 * back out its port. Nothing is kept.
 */
static __rte_noinline void
track_answer(struct track *b)
{
	const struct sw_ft_key *k[SW_BURST_MAX];
	const struct sw_ft_pkt *seg[SW_BURST_MAX];
	struct sw_ft_syn_opts o[SW_BURST_MAX];
	uint32_t cookie[SW_BURST_MAX];
	struct sw_worker *w = b->w;
	uint32_t ts = (uint32_t)(b->now >> w->ms_shift);
	uint16_t j;

	for (j = 0; j < b->na; j++) {
		k[j] = &b->t[b->ans[j]].fk;
		seg[j] = &b->t[b->ans[j]].fp;
	}
	sw_ft_cookie_make_burst(w->ft, k, seg, o, cookie, b->na, b->now);
	for (j = 0; j < b->na; j++) {
		const struct trk *t = &b->t[b->ans[j]];
		const struct sw_pkt *p = &b->meta[t->i];

		sw_synproxy_synack(b->pkts[t->i], p, &t->fp, cookie[j], &o[j],
				   w->proxy_mss[p->k.family == SW_AF_INET6],
				   w->proxy_wscale, ts);
	}
}

static void
act_insert(struct track *b, struct trk *t)
{
	struct sw_worker *w = b->w;
	uint64_t *c = w->cnt.c;
	uint8_t why = SW_FT_INV_STATE;
	unsigned int since = b->defer ? sw_ft_events_count(b->s) : 0;
	int rc;

	t->fp.tag = t->tag;
	rc = sw_ft_insert_hash(b->s, &t->fk, t->hash, &t->fp, b->now, &why);
	b->v[t->i] = SW_ACL_ACCEPT;
	if (likely(rc == 0)) {
		c[SW_CNT_policy_accept]++;
		b->inserted = true;
		t->tag = 0;	/* the flow holds it now */
		/* Active-active: its reply may come through the peer. */
		if (unlikely(b->defer) &&
		    b->meta[t->i].frag == SW_FRAG_NONE &&
		    sw_syncq_defer(w->sync, b->s, w->id, t->i, since))
			b->v[t->i] = V_HOLD;
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
		invalid(w, &b->meta[t->i], sw_worker_invalid_reason[why]);
	}
}

static __rte_cold void
act_open(struct track *b, struct trk *t)
{
	struct sw_worker *w = b->w;
	uint64_t *c = w->cnt.c;
	struct sw_ft_xlate x;
	uint8_t why = SW_FT_INV_STATE;
	int rc;

	c[SW_CNT_synproxy_valid]++;
	t->fp.tag = t->tag;
	rc = sw_ft_proxy_open(b->s, &t->fk, &t->fp, t->fp.ack - 1, &t->opts,
			      b->now, &x, &why);
	if (rc == 0 || rc == 1) {
		b->inserted |= rc == 0;
		if (rc == 0)
			t->tag = 0;	/* the flow holds it now */
		b->v[t->i] = proxy_act(w, b->pkts[t->i], &b->meta[t->i], &x);
		return;
	}
	b->v[t->i] = SW_ACL_DROP;
	if (rc == -EDQUOT)
		c[SW_CNT_source_over]++;	/* no server yet: no spill */
	else if (rc == -EINVAL)
		invalid(w, &b->meta[t->i], sw_worker_invalid_reason[why]);
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
	unsigned int since = b->defer ? sw_ft_events_count(b->s) : 0;
	int rc;

	x.act = SW_FT_PX_NONE;
	rc = t->how == T_RELATED ? sw_ft_related(b->s, t->pos, &t->fp) :
	     sw_ft_update(b->s, t->pos, &t->fp, b->now, &x);
	if (unlikely(rc == SW_FT_RETRY)) {
		const struct sw_acl_key *k = &p->k;
		uint16_t self = (uint16_t)(t - b->t);

		t->pos = -1;
		t->cls = miss_class(b, t);
		t->cookie = 0;
		policy_eval(b, &k, &self, 1, &t->verdict, &t->rule);
		return false;
	}
	if (rc != SW_FT_OK) {
		b->v[t->i] = SW_ACL_DROP;
		invalid(w, p, sw_worker_invalid_reason[rc]);
		return true;
	}
	b->v[t->i] = SW_ACL_ACCEPT;
	w->cnt.c[t->how == T_RELATED ? SW_CNT_related : SW_CNT_tracked]++;
	if (unlikely(t->fp.frag))
		b->frag_tracked |= 1ull << t->i;
	if (unlikely(x.act != SW_FT_PX_NONE))
		b->v[t->i] = proxy_act(w, b->pkts[t->i], p, &x);
	/*
	 * Active-active, a flow whose other side passes through the peer:
	 * a change of its state waits until the peer knows it.
	 */
	else if (unlikely(b->defer) && !t->fp.frag &&
		 sw_syncq_defer(w->sync, b->s, w->id, t->i, since))
		b->v[t->i] = V_HOLD;
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
	if (unlikely(t->tag != 0))
		tag_release(b, t);
}

/*
 * Stage 2, stateful: look the burst up in this worker's shard, advance
 * the flows it hits, and give each miss its cell of miss_action; what
 * spills goes to the fallback rules at the end. Nothing invalid spills:
 * only what could have been tracked. Returns the burst bits of the TCP
 * first fragments that passed their flow (their datagram's last
 * fragment advances it, stage 3).
 */
uint64_t
sw_worker_track(struct sw_worker *w, const struct sw_acl *acl,
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
	b.defer = unlikely(w->sync != NULL) &&
		  __atomic_load_n(&w->sync->defer, __ATOMIC_RELAXED);
	b.spill_first = -1;
	b.nf = 0;
	b.na = 0;
	track_keys(&b, ki);
	track_lookup(&b);
	/* A spill episode ends when the shard stops spilling. */
	if (unlikely(w->log.in_spill) && !sw_ft_spilling(w->ft))
		w->log.in_spill = false;
	if (likely(b.misses == 0)) {
		/*
		 * Every packet hit (established traffic): one pass. A hit
		 * that turns into a miss (a SYN that starts over) takes
		 * the general path from there.
		 */
		for (j = 0; j < n; j++)
			if (unlikely(!track_hit(&b, &b.t[j])))
				track_one(&b, &b.t[j]);
	} else {
		track_judge(&b);
		for (j = 0; j < n; j++)
			track_one(&b, &b.t[j]);
	}
	if (b.na)
		track_answer(&b);
	sw_worker_fallback(w, acl, meta, v, b.fb, b.fbi, b.nf, b.spill_first,
			   now);
	return b.frag_tracked;
}

