/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The SYN proxy (as Linux SYNPROXY with nf_conntrack_seqadj, and pf's
 * "synproxy state"): a SYN the policy accepts is answered with a SYN/ACK
 * whose ISN is a cookie, and nothing is kept. Only an ACK that echoes a
 * valid cookie opens a flow; the proxy then sends the server the
 * client's SYN, answers the server's SYN/ACK with the handshake's ACK,
 * and from then on translates between the two sequence spaces (the
 * server's ISN against the cookie) and the two timestamp clocks.
 *
 * The cookie is not Linux's: Linux keeps 24 bits of hash and the MSS
 * index in the ISN and, when the client sends timestamps, its window
 * scale and SACK-permitted in the timestamp. Here all of them sit in the
 * ISN, under a MAC over them, so window scaling and SACK survive without
 * timestamps too:
 *
 *   31..29  time slice (64 s) mod 8: valid for the current and 2 before
 *   28..27  MSS index (Linux's tables)
 *   26..23  window scale, 15: none
 *   22      SACK-permitted
 *   21..0   MAC: SipHash-1-3 (per-start secret) over the tuple, the
 *           port the SYN came in on, the client's ISN, the whole slice
 *           number and bits 31..22
 *
 * A blind guess is right with probability 2^-22 (Linux: about 2^-22
 * too: 24 bits of hash, 4 of every 2^24 data values valid).
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>
#include <rte_tcp.h>

#include "ft_private.h"

/* Linux's MSS tables (syncookies.c): common values first fit. */
static const uint16_t msstab4[4] = { 536, 1300, 1440, 1460 };
static const uint16_t msstab6[4] = { 1280 - 60, 1480 - 60, 1500 - 60,
				     9000 - 60 };

#define COOKIE_MAC_BITS 22
#define COOKIE_MAC_MASK ((1u << COOKIE_MAC_BITS) - 1)
#define COOKIE_SLICES 8		/* slice bits: 3 */
#define COOKIE_MAX_AGE 2	/* slices before the current one */
#define WS_NONE 15

/*
 * The MAC's message after its tag word (FT_COOKIE_TAG, which keeps it
 * apart from the flow hash's): the port the SYN came in on (the ACK
 * must come in where the SYN the policy judged did; the key's zone says
 * only which pair) and its direction, the client's ISN, the cookie's
 * bits, the whole slice number, the tuple. Returns the number of words.
 */
static inline unsigned int
cookie_words(const struct sw_ft_key *k, int dir, uint8_t port, uint32_t isn,
	     uint64_t slice, uint32_t bits, uint64_t *w)
{
	w[0] = (uint64_t)isn << 32 | bits | (uint32_t)port << 1 |
	       (uint32_t)dir;
	w[1] = slice;
	if (k->family == 4) {
		uint32_t lo, hi;
		uint64_t ports;

		/*
		 * One store of the two addresses: a word made of two
		 * narrower stores still in the store buffer stalls the
		 * hash's load of it.
		 */
		memcpy(&lo, k->lo, 4);
		memcpy(&hi, k->hi, 4);
		memcpy(&ports, &k->lo_port, 8);
		w[2] = (uint64_t)hi << 32 | lo;
		w[3] = ports;
		return 4;
	}
	RTE_BUILD_BUG_ON(sizeof(*k) != 40);
	for (unsigned int j = 0; j < 5; j++)
		memcpy(&w[2 + j], (const uint8_t *)k + 8 * j, 8);
	return 7;
}

/*
 * Never inlined: under LTO a whole SipHash in the worker's tracking loop
 * cost a SYN flood about 12 cycles a packet in spills (measured).
 */
static __rte_noinline uint32_t
cookie_mac(const struct sw_ft_key *k, int dir, uint8_t port, uint32_t isn,
	   uint64_t slice, uint32_t bits)
{
	uint64_t w[FT_COOKIE_WORDS_MAX];
	unsigned int nw = cookie_words(k, dir, port, isn, slice, bits, w);

	return (uint32_t)ft_cookie_sip(w, nw) & COOKIE_MAC_MASK;
}

static uint64_t
cookie_slice(const struct sw_ft *ft, uint64_t now)
{
	return (now >> ft->tshift) >> ft->cookie_shift;
}

static unsigned int
mss_index(uint8_t family, uint16_t mss)
{
	const uint16_t *tab = family == 4 ? msstab4 : msstab6;

	/* The tables rise: the index is how many of tab[1..3] mss reaches. */
	return (unsigned int)(mss >= tab[1]) + (mss >= tab[2]) +
	       (mss >= tab[3]);
}

uint16_t
ft_cookie_mss(uint8_t family, unsigned int idx)
{
	return (family == 4 ? msstab4 : msstab6)[idx & 3];
}

/* A cookie's bits above the MAC, for the options *o; *o: what they say. */
static inline uint32_t
cookie_bits(uint8_t family, uint64_t slice, struct sw_ft_syn_opts *o)
{
	unsigned int mi = mss_index(family, o->mss ? o->mss :
				    (family == 4 ? 536 : 1220));
	unsigned int ws = o->wscale == SW_FT_NO_WSCALE ? WS_NONE :
			  RTE_MIN(o->wscale, 14);

	o->mss = ft_cookie_mss(family, mi);
	o->wscale = ws == WS_NONE ? SW_FT_NO_WSCALE : (uint8_t)ws;
	return (uint32_t)(slice % COOKIE_SLICES) << 29 | mi << 27 |
	       ws << 23 | (o->sack_perm ? 1u : 0u) << 22;
}

uint32_t
sw_ft_cookie_make(struct sw_ft_shard *s, const struct sw_ft_key *key,
		  int dir, uint8_t port, uint32_t isn, uint64_t now,
		  struct sw_ft_syn_opts *o)
{
	uint64_t slice = cookie_slice(s->ft, now);
	uint32_t bits = cookie_bits(key->family, slice, o);

	FT_INC(s->cnt.proxy_cookies);
	return bits | cookie_mac(key, dir, port, isn, slice, bits);
}

/*
 * Up to four SYNs of one family at once (idx: their places): their MACs
 * in the lanes of ft_cookie_sip4. SipHash's rounds are a chain of
 * dependent steps; four chains side by side cost little more than one.
 * Unused lanes hash a copy of the first.
 */
static void
cookie_make4(const struct sw_ft_key *const *key,
	     const struct sw_ft_pkt *const *seg, const uint16_t *idx,
	     unsigned int cnt, uint64_t slice, struct sw_ft_syn_opts *o,
	     uint32_t *cookie)
{
	uint64_t w[4 * FT_COOKIE_WORDS_MAX], mac[4];
	unsigned int i, j, nw = 0;

	for (i = 0; i < cnt; i++) {
		uint16_t x = idx[i];

		cookie[x] = cookie_bits(key[x]->family, slice, &o[x]);
		nw = cookie_words(key[x], seg[x]->dir, seg[x]->port,
				  seg[x]->seq, slice, cookie[x],
				  &w[i * FT_COOKIE_WORDS_MAX]);
	}
	for (; i < 4; i++)
		for (j = 0; j < nw; j++)
			w[i * FT_COOKIE_WORDS_MAX + j] = w[j];
	ft_cookie_sip4(w, nw, mac);
	for (i = 0; i < cnt; i++)
		cookie[idx[i]] |= (uint32_t)mac[i] & COOKIE_MAC_MASK;
}

void
sw_ft_cookie_make_burst(struct sw_ft_shard *s,
			const struct sw_ft_key *const *key,
			const struct sw_ft_pkt *const *seg,
			struct sw_ft_syn_opts *o, uint32_t *cookie,
			uint16_t n, uint64_t now)
{
	uint64_t slice = cookie_slice(s->ft, now);
	uint16_t four[2][4], nf[2] = { 0, 0 }, i;
	unsigned int f;

	FT_ADD(s->cnt.proxy_cookies, n);
	for (i = 0; i < n; i++) {
		o[i].mss = seg[i]->mss;
		o[i].wscale = seg[i]->wscale;
		o[i].sack_perm = seg[i]->sack_perm;
	}
	if (!ft_hash_simd()) {
		/* Lanes built in memory would only cost more. */
		for (i = 0; i < n; i++) {
			cookie[i] = cookie_bits(key[i]->family, slice, &o[i]);
			cookie[i] |= cookie_mac(key[i], seg[i]->dir,
						seg[i]->port, seg[i]->seq,
						slice, cookie[i]);
		}
		return;
	}
	for (i = 0; i < n; i++) {
		f = key[i]->family != 4;
		four[f][nf[f]++] = i;
		if (nf[f] == 4) {
			cookie_make4(key, seg, four[f], 4, slice, o, cookie);
			nf[f] = 0;
		}
	}
	for (f = 0; f < 2; f++) {
		uint16_t x = four[f][0];
		uint32_t bits;

		if (nf[f] > 1) {
			cookie_make4(key, seg, four[f], nf[f], slice, o,
				     cookie);
		} else if (nf[f] == 1) {
			bits = cookie_bits(key[x]->family, slice, &o[x]);
			cookie[x] = bits | cookie_mac(key[x], seg[x]->dir,
						      seg[x]->port,
						      seg[x]->seq, slice,
						      bits);
		}
	}
}

int
sw_ft_cookie_check(const struct sw_ft_shard *s, const struct sw_ft_key *key,
		   int dir, uint8_t port, uint32_t isn, uint32_t cookie,
		   uint64_t now, struct sw_ft_syn_opts *o)
{
	uint64_t cur = cookie_slice(s->ft, now), slice;
	unsigned int age = (unsigned int)((cur - (cookie >> 29)) %
					  COOKIE_SLICES);
	uint32_t bits = cookie & ~COOKIE_MAC_MASK;
	unsigned int ws = (cookie >> 23) & 15;

	if (age > COOKIE_MAX_AGE || cur < age || (ws > 14 && ws != WS_NONE))
		return -EINVAL;
	slice = cur - age;
	if (cookie_mac(key, dir, port, isn, slice, bits) !=
	    (cookie & COOKIE_MAC_MASK))
		return -EINVAL;
	o->mss = ft_cookie_mss(key->family, (cookie >> 27) & 3);
	o->wscale = ws == WS_NONE ? SW_FT_NO_WSCALE : (uint8_t)ws;
	o->sack_perm = (cookie >> 22) & 1;
	return 0;
}

/*
 * Invalid cookies per source: a blind guess is right once in 2^22, so
 * a source that keeps guessing is stopped for the rest of a 10 s window
 * once it has failed bad_cookies times in it (checked before the MAC is
 * computed, so a stopped source costs no SipHash either). The table is
 * set-associative, keyed by SipHash of the source prefix under the
 * per-start secret; a new source takes a free way, one whose window is
 * over, or the one with the fewest failures, so that sources rotated
 * through a set push out the light entries before a stopped one.
 */
#define BADCK_SETS 256		/* power of two */
#define BADCK_WAYS 8

struct ft_badck {
	uint8_t addr[16];	/* the prefix, host bits cleared */
	uint8_t family;		/* 0: free */
	uint8_t pad[3];
	uint32_t fails;		/* invalid cookies in the window */
	uint32_t win;		/* time unit the window began */
	uint32_t pad2;
};

int
ft_badck_create(struct sw_ft_shard *s, int socket_id)
{
	s->badck = rte_zmalloc_socket("sw_ft_badck", sizeof(*s->badck) *
				      BADCK_SETS * BADCK_WAYS,
				      RTE_CACHE_LINE_SIZE, socket_id);
	return s->badck == NULL ? -ENOMEM : 0;
}

static struct ft_badck *
badck_find(struct sw_ft_shard *s, const uint8_t *a, uint8_t family, bool add,
	   uint32_t t)
{
	uint64_t m[3] = { 0x6261645f636f6f6bull ^ family, 0, 0 };
	struct ft_badck *set, *pick = NULL;
	unsigned int w;

	memcpy(&m[1], a, 16);
	set = &s->badck[(sw_ft_siphash(m, sizeof(m)) & (BADCK_SETS - 1)) *
			BADCK_WAYS];
	for (w = 0; w < BADCK_WAYS; w++) {
		struct ft_badck *e = &set[w];
		bool over = t - e->win >= s->ft->badck_window_u;

		if (e->family == family && memcmp(e->addr, a, 16) == 0)
			return e;
		if (!add)
			continue;
		if (e->family == 0 || over)
			e->fails = 0;
		if (pick == NULL || e->fails < pick->fails)
			pick = e;
	}
	if (!add)
		return NULL;
	memcpy(pick->addr, a, 16);
	pick->family = family;
	pick->fails = 0;
	pick->win = t;
	return pick;
}

int
sw_ft_cookie_verify(struct sw_ft_shard *s, const struct sw_ft_key *key,
		    int dir, uint8_t port, uint32_t isn, uint32_t cookie,
		    uint64_t now, struct sw_ft_syn_opts *o)
{
	uint32_t limit = __atomic_load_n(&s->ft->bad_cookies, __ATOMIC_RELAXED);
	uint32_t t = (uint32_t)(now >> s->ft->tshift);
	struct ft_badck *e;
	uint8_t a[16];
	int rc;

	if (limit == 0)
		return sw_ft_cookie_check(s, key, dir, port, isn, cookie, now,
					  o);
	ft_source_prefix(&s->ft->src, key, dir, a);
	e = badck_find(s, a, key->family, false, t);
	if (e != NULL && t - e->win >= s->ft->badck_window_u) {
		e->fails = 0;
		e->win = t;
	}
	if (e != NULL && e->fails >= limit)
		return -EDQUOT;
	rc = sw_ft_cookie_check(s, key, dir, port, isn, cookie, now, o);
	if (rc != 0) {
		if (e == NULL)
			e = badck_find(s, a, key->family, true, t);
		e->fails++;
	}
	return rc;
}

void
sw_ft_set_bad_cookies(struct sw_ft *ft, uint32_t limit)
{
	__atomic_store_n(&ft->bad_cookies, limit, __ATOMIC_RELAXED);
}

bool
sw_ft_proxying(const struct sw_ft_shard *s)
{
	return FT_GET(s->cnt.proxying) != 0;
}

uint8_t
sw_ft_proxy_mode(const struct sw_ft_shard *s)
{
	return __atomic_load_n(&s->ft->proxy_mode, __ATOMIC_RELAXED);
}

/*
 * The SYN the proxy sends the server for the client of flow f: the
 * client's ISN and options (from its cookie), its current timestamp.
 */
static void
proxy_syn(const struct ft_flow *f, const struct sw_ft_pkt *p,
	  struct sw_ft_xlate *x)
{
	x->act = SW_FT_PX_SYN;
	x->seq = f->end[0] - 1;
	x->ack = 0;
	x->win = (uint16_t)RTE_MIN(f->maxwin[0] >> f->scale[0], 65535u);
	x->opts.mss = ft_cookie_mss(p->family,
				    f->tflags[0] >> FT_TCPF_MSS_SHIFT);
	x->opts.wscale = (f->tflags[0] & SW_FT_TCPF_WSCALE) ? f->scale[0] :
			 SW_FT_NO_WSCALE;
	x->opts.sack_perm = (f->tflags[0] & SW_FT_TCPF_SACK_PERM) != 0;
	x->has_ts = p->has_ts;
	x->tsval = p->tsval;
	x->tsecr = 0;
}

void
ft_proxy_init(struct ft_flow *f, const struct sw_ft_pkt *p, uint32_t cookie,
	      const struct sw_ft_syn_opts *o, struct sw_ft_xlate *x)
{
	uint8_t cs = o->wscale == SW_FT_NO_WSCALE ? 0 : o->wscale;
	uint32_t win = (uint32_t)p->win << cs;

	f->state = SW_FT_TCP_SYN_SENT;
	f->end[0] = p->seq;		/* the client's ISN + 1 */
	f->maxend[0] = p->seq;
	f->maxwin[0] = win ? win : 1;
	f->scale[0] = cs;
	f->tflags[0] = (uint8_t)((o->wscale != SW_FT_NO_WSCALE ?
				  SW_FT_TCPF_WSCALE : 0) |
				 (o->sack_perm ? SW_FT_TCPF_SACK_PERM : 0) |
				 mss_index(p->family, o->mss) <<
				 FT_TCPF_MSS_SHIFT);
	f->px = cookie;
	/* Until the server answers: the proxy's timestamp, echoed. */
	ft_px_set_tsoff(f, p->has_ts ? p->tsecr : 0);
	proxy_syn(f, p, x);
}

/*
 * The server's SYN/ACK: learn its ISN (the sequence delta against the
 * cookie), its clock (the timestamp offset) and its options, and answer
 * it with the handshake's ACK. The client's side is already known.
 */
static int
server_synack(struct ft_flow *f, const struct sw_ft_pkt *p, uint8_t wscale,
	      struct sw_ft_xlate *x)
{
	bool cli_ws = f->tflags[0] & SW_FT_TCPF_WSCALE;
	bool srv_ws = cli_ws && p->wscale != SW_FT_NO_WSCALE;
	uint32_t our_ts = ft_px_tsoff(f), end = p->seq + 1;
	uint32_t maxend;

	if (!(p->tcp_flags & RTE_TCP_ACK_FLAG) || p->ack != f->end[0])
		return SW_FT_INV_SEQ;
	FT_SET(f->end[1], end);
	FT_SET(f->maxend[1], end);
	FT_SET(f->maxwin[1], p->win ? p->win : 1u);
	FT_SET(f->scale[1], srv_ws ? RTE_MIN(p->wscale, 14) : 0);
	FT_SET(f->tflags[1], (uint8_t)((srv_ws ? SW_FT_TCPF_WSCALE : 0) |
				       (p->sack_perm ? SW_FT_TCPF_SACK_PERM :
							0)));
	/* What the server allows the client (a SYN's window is unscaled). */
	maxend = p->ack + p->win;
	if ((int32_t)(maxend - f->maxend[0]) > 0)
		FT_SET(f->maxend[0], maxend);
	FT_SET(f->px, p->seq - f->px);
	ft_px_set_tsoff(f, p->has_ts ? p->tsval - our_ts : 0);
	FT_SET(f->state, (uint8_t)SW_FT_TCP_ESTABLISHED);
	FT_SET(f->flags, (uint8_t)(f->flags | FT_REPLIED | FT_ASSURED));

	x->act = SW_FT_PX_ACK;
	x->seq = f->end[0];
	x->ack = end;
	x->win = (uint16_t)RTE_MIN(f->maxwin[0] >> f->scale[0], 65535u);
	x->has_ts = p->has_ts;
	x->tsval = p->tsecr;		/* the client's clock, as echoed */
	x->tsecr = p->tsval;
	/* The client's window was 0 until now (the proxy's SYN/ACK). */
	x->cli_seq = end - f->px;	/* the cookie + 1 */
	x->cli_ack = f->end[0];
	x->cli_win = (uint16_t)RTE_MAX(1u, (uint32_t)p->win >>
				       (f->tflags[0] & SW_FT_TCPF_WSCALE ?
					wscale : 0));
	x->cli_tsval = our_ts + 1;
	x->cli_tsecr = p->tsecr;
	return SW_FT_OK;
}

int
ft_proxy_packet(struct ft_flow *f, const struct sw_ft_pkt *p, int reply,
		bool liberal, uint8_t wscale, bool *refresh,
		struct sw_ft_xlate *x)
{
	int cls = ft_tcp_class(p->tcp_flags), v;
	bool cli_ws = f->tflags[0] & SW_FT_TCPF_WSCALE;
	bool srv_ws = f->tflags[1] & SW_FT_TCPF_WSCALE;
	uint32_t delta = f->px, tsoff = ft_px_tsoff(f);
	struct sw_ft_pkt q;

	if (cls == FT_TCP_CLASS_INVALID)
		return SW_FT_INV_FLAGS;
	if (f->state == SW_FT_TCP_SYN_SENT) {
		/* The proxy waits for the server. */
		if (!reply) {
			if (cls == FT_TCP_RST) {
				/*
				 * Only at the client's next number (pf's
				 * rule, as in every other state): a blind
				 * one must not close what the server is
				 * about to answer.
				 */
				if (p->seq != f->end[0])
					return SW_FT_INV_RST;
				FT_SET(f->state, (uint8_t)SW_FT_TCP_CLOSE);
				x->act = SW_FT_PX_DROP;
				return SW_FT_OK;
			}
			/* Its SYN may be lost: send it again. */
			*refresh = false;
			proxy_syn(f, p, x);
			return SW_FT_OK;
		}
		if (cls == FT_TCP_RST) {
			/* Refused: tell the client, in its numbers. */
			if (!(p->tcp_flags & RTE_TCP_ACK_FLAG) ||
			    p->ack != f->end[0])
				return SW_FT_INV_RST;
			FT_SET(f->state, (uint8_t)SW_FT_TCP_CLOSE);
			x->act = SW_FT_PX_FWD;
			x->seq_add = delta + 1 - p->seq;
			return SW_FT_OK;
		}
		if (cls != FT_TCP_SYNACK)
			return SW_FT_INV_STATE;
		return server_synack(f, p, wscale, x);
	}
	if (reply && cls == FT_TCP_SYNACK) {
		/*
		 * The server sends its SYN/ACK again (the ACK was lost): the
		 * client's next segment completes its handshake. Not for the
		 * client's eyes.
		 */
		*refresh = false;
		x->act = SW_FT_PX_DROP;
		return SW_FT_OK;
	}
	x->act = SW_FT_PX_FWD;
	if (!reply) {
		/* The client acknowledges in the cookie's numbers. */
		q = *p;
		if (p->tcp_flags & RTE_TCP_ACK_FLAG) {
			q.ack += delta;
			q.sack += delta;
		}
		v = ft_tcp_packet(f, &q, 0, liberal, refresh);
		if (!(f->flags & FT_PROXY)) {
			/*
			 * A SYN reopened the flow (TIME_WAIT, CLOSE): the new
			 * connection is the client's own, direct, untouched.
			 */
			x->act = SW_FT_PX_NONE;
			return v;
		}
		x->ack_add = delta;
		x->tsecr_add = tsoff;
		/* A server without window scaling reads windows unscaled. */
		x->win_from = cli_ws && !srv_ws ? f->scale[0] : 0;
		x->win_to = 0;
	} else {
		v = ft_tcp_packet(f, p, 1, liberal, refresh);
		x->seq_add = -delta;
		x->tsval_add = -tsoff;
		/* The client reads windows with the scale the proxy offered. */
		x->win_from = srv_ws ? f->scale[1] : 0;
		x->win_to = cli_ws ? wscale : 0;
	}
	return v;
}

int
sw_ft_proxy_open(struct sw_ft_shard *s, const struct sw_ft_key *key,
		 const struct sw_ft_pkt *p, uint32_t cookie,
		 const struct sw_ft_syn_opts *o, uint64_t now,
		 struct sw_ft_xlate *x, uint8_t *why)
{
	struct ft_flow *f;
	bool existing;
	int32_t pos;
	int v;

	pos = ft_flow_alloc(s, key, sw_ft_key_hash(key), p->dir, now, true,
			    &existing);
	if (pos < 0)
		return pos;
	if (existing) {
		v = sw_ft_update(s, pos, p, now, x);
		if (v != SW_FT_OK) {
			*why = (uint8_t)v;
			return -EINVAL;
		}
		return 1;
	}
	f = ft_flow_at(s, (uint32_t)pos);
	f->port = p->port;
	f->last = time_unit(s->ft, now);
	ft_proxy_init(f, p, cookie, o, x);
	FT_INC(s->cnt.proxy_valid);
	f->pkts[0] = 1;
	f->bytes[0] += p->len;
	ft_slot(s, (uint32_t)pos)->tag = p->tag;
	ft_flow_publish(s, (uint32_t)pos, p->dir, FT_PROXY);
	FT_INC(s->cnt.inserts);
	FT_INC(s->cnt.proxy_flows);
	if (unlikely(FT_GET(s->sync_mode)))
		ft_sync_new(s, (uint32_t)pos, f->last);
	return 0;
}
