/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * TCP tracking: a state table in the manner of Linux's
 * nf_conntrack_proto_tcp.c, indexed by (direction, flag class, state),
 * and per-side sequence windows with the checks of Linux's
 * tcp_in_window(). Where spillway is stricter than Linux, and why, is
 * written next to the code and in lib/flowtable/DESIGN.md:
 *
 *   - the SYN/ACK must acknowledge the opener's ISN + 1 exactly, and the
 *     handshake's ACK the responder's ISN + 1 exactly, before a flow is
 *     ESTABLISHED (Linux accepts anything within the window): a blind
 *     ACK cannot complete a handshake the server never finished;
 *   - an RST closes only at the sequence number its sender is at (pf's
 *     rule; Linux compares with the peer's highest ACK). In the window
 *     but not exact, it passes and changes nothing, not even the
 *     timeout (Linux drops the timeout to tcp_close, which lets blind
 *     RSTs age an idle connection out);
 *   - a segment below the window's lower edge is invalid (Linux >= 5.19
 *     lets it through untracked);
 *   - a SYN from the responder never reopens a closed flow, and one from
 *     the opener reopens TIME_WAIT only with an ISN past everything it
 *     sent before; on CLOSE (reset) the opener's SYN starts a new flow
 *     whatever its ISN, as in Linux (sw_ft_update: SW_FT_RETRY), and a
 *     repeated RST does not keep a CLOSE entry alive;
 *   - a first fragment (unknown length, unchecked checksum) only carries
 *     data within an established flow and earns nothing (sw_ft_update).
 */
#include <string.h>

#include <rte_branch_prediction.h>
#include <rte_tcp.h>

#include "ft_private.h"

/*
 * Flag sets a TCP stack can send (PSH, ECE and CWR aside). Anything else
 * (SYN+FIN, SYN+RST, FIN without ACK, no flags at all, ...) is invalid
 * whatever the state, as in Linux's tcp_valid_flags.
 */
#define F_FIN RTE_TCP_FIN_FLAG
#define F_SYN RTE_TCP_SYN_FLAG
#define F_RST RTE_TCP_RST_FLAG
#define F_ACK RTE_TCP_ACK_FLAG
#define F_URG RTE_TCP_URG_FLAG

static const uint8_t valid_flags[64] = {
	[F_SYN] = 1,
	[F_SYN | F_URG] = 1,
	[F_SYN | F_ACK] = 1,
	[F_RST] = 1,
	[F_RST | F_ACK] = 1,
	[F_FIN | F_ACK] = 1,
	[F_FIN | F_ACK | F_URG] = 1,
	[F_ACK] = 1,
	[F_ACK | F_URG] = 1,
};

int
ft_tcp_class(uint8_t flags)
{
	uint8_t f = flags & (F_FIN | F_SYN | F_RST | F_ACK | F_URG);

	if (!valid_flags[f])
		return FT_TCP_CLASS_INVALID;
	if (f & F_RST)
		return FT_TCP_RST;
	if (f & F_SYN)
		return (f & F_ACK) ? FT_TCP_SYNACK : FT_TCP_SYN;
	if (f & F_FIN)
		return FT_TCP_FIN;
	if (f & F_ACK)
		return FT_TCP_ACK;
	return FT_TCP_NONE;
}

bool
sw_ft_tcp_flags_valid(uint8_t flags)
{
	/* No valid set lacks all of SYN, FIN, RST and ACK (class NONE). */
	return valid_flags[flags & (F_FIN | F_SYN | F_RST | F_ACK | F_URG)];
}

#define sNO SW_FT_TCP_NONE
#define sSS SW_FT_TCP_SYN_SENT
#define sSR SW_FT_TCP_SYN_RECV
#define sES SW_FT_TCP_ESTABLISHED
#define sFW SW_FT_TCP_FIN_WAIT
#define sCW SW_FT_TCP_CLOSE_WAIT
#define sLA SW_FT_TCP_LAST_ACK
#define sTW SW_FT_TCP_TIME_WAIT
#define sCL SW_FT_TCP_CLOSE
#define sS2 SW_FT_TCP_SYN_SENT2
#define sIV FT_TCP_INVALID
#define sIG FT_TCP_IGNORE

static const uint8_t tcp_next[2][FT_TCP_CLASS_MAX][SW_FT_TCP_SYN_SENT2 + 1] = {
	{
/* From the opener.
 *	     sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2 */
/*syn*/	   { sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2 },
/*
 *	sSS -> sSS	retransmitted SYN (a new ISN re-initialises the side)
 *	sSR..sLA -> sIG	a SYN inside a live connection: stale, let it be
 *	sTW -> sSS	reopened, only with an ISN past the old data
 *			(RFC 1122 4.2.2.13; checked in ft_tcp_packet)
 *	sCL -> sSS	not reached: sw_ft_update deletes a CLOSE flow on
 *			the opener's SYN and the SYN opens a new one
 */
/*synack*/ { sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR },
/*
 *	sSR -> sSR, sS2 -> sSR	simultaneous open: the opener answers a SYN
 */
/*fin*/	   { sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV },
/*
 *	sFW -> sLA	both sides have sent FIN
 */
/*ack*/	   { sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV },
/*
 *	sNO -> sES	picked up mid-stream (tcp_loose)
 *	sSS -> sIV	an ACK before any SYN/ACK came back
 *	sSR -> sES	the handshake completes (its ACK must acknowledge the
 *			responder's ISN + 1 exactly): the flow is assured
 *	sFW -> sCW	the peer's FIN acknowledged, the other half open
 *	sLA -> sTW	the last ACK
 */
/*rst*/	   { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
/*none*/   { sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV },
	},
	{
/* From the other side.
 *	     sNO  sSS  sSR  sES  sFW  sCW  sLA  sTW  sCL  sS2 */
/*syn*/	   { sIV, sS2, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sS2 },
/*
 *	sSS -> sS2	simultaneous open
 *	sTW, sCL -> sIV	the responder never reopens (Linux: invalid from
 *			CLOSE); a new connection from it is a new opener,
 *			once this flow has expired
 */
/*synack*/ { sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR },
/*
 *	sSS -> sSR	the answer to the SYN (must acknowledge ISN + 1)
 *	sSR.. -> sIG	retransmitted SYN/ACK
 */
/*fin*/	   { sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV },
/*ack*/	   { sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG },
/*
 *	sSS -> sIG	an ACK before the SYN/ACK: ignore, as Linux does
 *			(a challenge ACK to a stale SYN)
 */
/*rst*/	   { sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL },
/*none*/   { sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV },
	},
};

uint8_t
ft_tcp_next(uint8_t state, int reply, int cls)
{
	if (cls >= FT_TCP_CLASS_MAX || state > sS2)
		return FT_TCP_INVALID;
	return tcp_next[reply != 0][cls][state];
}

/* The TCP part of a flow, worked on as a copy and stored when valid. */
struct win {
	uint32_t end[2];
	uint32_t maxend[2];
	uint32_t maxwin[2];
	uint8_t scale[2];
	uint8_t tflags[2];
};

static inline void
win_load(struct win *w, const struct ft_flow *f)
{
	memcpy(w->end, f->end, sizeof(w->end));
	memcpy(w->maxend, f->maxend, sizeof(w->maxend));
	memcpy(w->maxwin, f->maxwin, sizeof(w->maxwin));
	memcpy(w->scale, f->scale, sizeof(w->scale));
	memcpy(w->tflags, f->tflags, sizeof(w->tflags));
}

/*
 * Stored field by field with relaxed atomics: a walker (show flows
 * detail) may read them at the same time. Plain moves on x86.
 */
static inline void
win_store(struct ft_flow *f, const struct win *w)
{
	int i;

	for (i = 0; i < 2; i++) {
		FT_SET(f->end[i], w->end[i]);
		FT_SET(f->maxend[i], w->maxend[i]);
		FT_SET(f->maxwin[i], w->maxwin[i]);
		FT_SET(f->scale[i], w->scale[i]);
		FT_SET(f->tflags[i], w->tflags[i]);
	}
}

/*
 * The window state of a flow, wherever it lives: in the flow itself (the
 * common case: both sides seen, no SYN, no RST; every check runs before
 * any store, so an invalid segment changes nothing) or in a copy (a
 * side's first segment, SYNs and RSTs, which write before they check or
 * must not write at all). Stores are relaxed atomics: a walker (show
 * flows detail) may read the flow meanwhile; plain moves on x86.
 */
struct wv {
	uint32_t *end;
	uint32_t *maxend;
	uint32_t *maxwin;
	uint8_t *scale;
	uint8_t *tflags;
};

static inline struct wv
wv_flow(struct ft_flow *f)
{
	return (struct wv){ f->end, f->maxend, f->maxwin, f->scale,
			    f->tflags };
}

static inline struct wv
wv_copy(struct win *c)
{
	return (struct wv){ c->end, c->maxend, c->maxwin, c->scale,
			    c->tflags };
}

/*
 * A side picked up mid-stream never showed its window scale option:
 * assume the largest, so its real windows always fit (more liberal
 * upper bounds; the acknowledgement bound stays exact).
 */
static inline unsigned int
side_scale(struct wv w, int i)
{
	return (w.tflags[i] & SW_FT_TCPF_PICKUP) ? MAX_WSCALE : w.scale[i];
}

/* A side's first SYN (or SYN/ACK): Linux's tcp_init_sender. */
static void
init_sender(struct wv w, int snd, int rcv, const struct sw_ft_pkt *p,
	    uint32_t end)
{
	uint8_t tf = w.tflags[snd] & SW_FT_TCPF_PICKUP, sc = 0;

	if (p->wscale != SW_FT_NO_WSCALE) {
		tf |= SW_FT_TCPF_WSCALE;
		sc = p->wscale > MAX_WSCALE ? MAX_WSCALE : p->wscale;
	}
	if (p->sack_perm)
		tf |= SW_FT_TCPF_SACK_PERM;
	w.end[snd] = end;
	w.maxend[snd] = end;
	w.maxwin[snd] = p->win ? p->win : 1;
	w.tflags[snd] = tf;
	w.scale[snd] = sc;
	/*
	 * RFC 7323: windows are scaled only if both sides sent the option;
	 * settled when the second SYN is seen.
	 */
	if (w.maxwin[rcv] != 0 &&
	    !((tf & SW_FT_TCPF_WSCALE) && (w.tflags[rcv] & SW_FT_TCPF_WSCALE))) {
		w.scale[snd] = 0;
		w.scale[rcv] = 0;
	}
}

/*
 * Linux's tcp_in_window(): is the segment within the windows, and if so
 * advance them in w. Returns SW_FT_OK or SW_FT_INV_SEQ. Only the
 * initialisation of an unseen side (and a SYN's re-initialisation)
 * writes before the checks: on a view of the flow itself, neither may
 * happen (see ft_tcp_packet). With `liberal`, a segment outside the
 * windows passes without updating them (Linux's tcp_be_liberal).
 */
static inline __attribute__((always_inline)) int
in_window(struct wv w, const struct sw_ft_pkt *p, int snd, uint8_t state,
	  bool liberal)
{
	int rcv = !snd;
	uint8_t fl = p->tcp_flags;
	uint32_t seq = p->seq, ack = p->ack, sack, end, win = p->win, swin;
	uint32_t snd_end, snd_maxend, snd_maxwin, rcv_end, rcv_maxend;
	uint32_t rcv_maxwin, maxackwin;
	bool in_snd;

	sack = (w.tflags[rcv] & SW_FT_TCPF_SACK_PERM) &&
	       SEQ_GT(p->sack, ack) ? p->sack : ack;
	end = seq + p->datalen + ((fl & F_SYN) ? 1 : 0) +
	      ((fl & F_FIN) ? 1 : 0);

	if (w.maxwin[snd] == 0) {
		if (fl & F_SYN) {
			init_sender(w, snd, rcv, p, end);
			if (!(fl & F_ACK))
				return SW_FT_OK;	/* a first SYN */
		} else {
			/* Mid-stream: learn what the packet tells. */
			w.end[snd] = end;
			swin = win << side_scale(w, snd);
			w.maxwin[snd] = swin ? swin : 1;
			w.maxend[snd] = end + w.maxwin[snd];
			if (w.maxwin[rcv] == 0) {
				/* Lets III and IV pass until rcv is seen. */
				w.end[rcv] = sack;
				w.maxend[rcv] = sack;
			} else if (sack == w.end[rcv] + 1) {
				w.end[rcv]++;	/* answer to a keep-alive */
			}
		}
	} else if ((fl & F_SYN) && SEQ_GT(end, w.end[snd]) &&
		   (state == sSS || state == sSR)) {
		/* RFC 793: a reinitialised TCP uses higher numbers. */
		init_sender(w, snd, rcv, p, end);
		if (snd == 1 && !(fl & F_ACK))
			return SW_FT_OK;
	}

	snd_end = w.end[snd];
	snd_maxend = w.maxend[snd];
	snd_maxwin = w.maxwin[snd];
	rcv_end = w.end[rcv];
	rcv_maxend = w.maxend[rcv];
	rcv_maxwin = w.maxwin[rcv];
	if (!(fl & F_ACK)) {
		ack = sack = rcv_end;
	} else if ((fl & F_RST) && ack == 0) {
		/* Stacks that set ACK on an RST with a zero ack. */
		ack = sack = rcv_end;
	}

	maxackwin = snd_maxwin ? snd_maxwin : MAXACKWIN_CONST;
	in_snd = SEQ_LE(seq, snd_maxend) &&			/* I */
		 (rcv_maxwin == 0 ||
		  SEQ_GT(end, snd_end - rcv_maxwin - 1));	/* II */
	if (!(in_snd &&
	      SEQ_LE(sack, rcv_end) &&				/* III */
	      SEQ_GT(sack, rcv_end - maxackwin - 1))) {		/* IV */
		/*
		 * Only the acknowledgement is beyond its receiver's end,
		 * and that receiver was learnt again after a takeover
		 * (SW_FT_TCPF_RELEARNT), maybe from a retransmission: it
		 * sits at or above its oldest unacknowledged byte and
		 * cannot have more in flight than the sender's window.
		 * Within that window, the end moves up to the ACK.
		 */
		if (!in_snd ||
		    likely(!(w.tflags[rcv] & SW_FT_TCPF_RELEARNT)) ||
		    !SEQ_GT(sack, rcv_end) ||
		    SEQ_GT(sack, rcv_end + maxackwin))
			return liberal ? SW_FT_OK : SW_FT_INV_SEQ;
		FT_SET(w.end[rcv], sack);
		rcv_end = sack;
	}

	/* Valid: advance the windows, storing only what changes. */
	if (!(fl & F_SYN))
		win <<= side_scale(w, snd);
	swin = win + (sack - ack);
	if (snd_maxwin < swin)
		FT_SET(w.maxwin[snd], swin);
	if (SEQ_GT(end, snd_end)) {
		FT_SET(w.end[snd], end);
		if (!(w.tflags[snd] & SW_FT_TCPF_UNACKED))
			FT_SET(w.tflags[snd],
			       (uint8_t)(w.tflags[snd] | SW_FT_TCPF_UNACKED));
	}
	if (rcv_maxwin != 0 && SEQ_GT(end, snd_maxend))
		FT_SET(w.maxwin[rcv], rcv_maxwin + (end - snd_maxend));
	if (SEQ_GT(sack + win, rcv_maxend - 1))
		FT_SET(w.maxend[rcv], sack + win + (win == 0));
	if (ack == rcv_end && (w.tflags[rcv] & SW_FT_TCPF_UNACKED))
		FT_SET(w.tflags[rcv],
		       (uint8_t)(w.tflags[rcv] & ~SW_FT_TCPF_UNACKED));
	if (unlikely(w.tflags[rcv] & SW_FT_TCPF_RELEARNT) && (fl & F_ACK) &&
	    SEQ_GE(sack, rcv_end))
		/* Acknowledged to its end: the end is known again. */
		FT_SET(w.tflags[rcv],
		       (uint8_t)(w.tflags[rcv] & ~SW_FT_TCPF_RELEARNT));
	return SW_FT_OK;
}

/* in_window for the rare segments: one copy of the code for them all. */
static __attribute__((noinline)) int
in_window_slow(struct wv w, const struct sw_ft_pkt *p, int snd, uint8_t state,
	       bool liberal)
{
	return in_window(w, p, snd, state, liberal);
}

/*
 * A reopened flow starts again from its SYN, keeping opener and port; a
 * flow the SYN proxy opened is direct from then on (the new connection
 * goes to the server as the client sent it).
 */
static void
reopen(struct ft_flow *f, struct win *w)
{
	memset(w, 0, sizeof(*w));
	FT_SET(f->pkts[0], 0);
	FT_SET(f->pkts[1], 0);
	FT_SET(f->bytes[0], 0);
	FT_SET(f->bytes[1], 0);
	FT_SET(f->flags, (uint8_t)(f->flags &
				   (FT_USED | FT_ORIG_HI | FT_EVICTABLE)));
}

/* rst_verdict: the RST closes the flow (commit), or passes unchanged. */
#define RST_CLOSES	(-1)

/*
 * What an RST may do, on the flow's window state c (w its view): close
 * (RST_CLOSES), pass and change nothing (SW_FT_OK), or nothing at all
 * (SW_FT_INV_RST).
 */
static int
rst_verdict(const struct win *c, struct wv w, const struct sw_ft_pkt *p,
	    int snd, uint8_t old, bool *refresh)
{
	if (old == sSS && snd == 1) {
		/*
		 * RFC 793: in SYN-SENT a reset is acceptable if it
		 * acknowledges the SYN (its seq is usually 0).
		 */
		if (!(p->tcp_flags & F_ACK) || p->ack != c->end[0])
			return SW_FT_INV_RST;
		return RST_CLOSES;
	}
	if (p->seq == c->end[snd]) {
		/*
		 * Exact: where the sender is. Once closed, another one
		 * changes nothing, not even the timeout: an RST repeated
		 * every few seconds must not keep a CLOSE entry alive (a
		 * new SYN replaces it anyway).
		 */
		if (old == sCL)
			*refresh = false;
		return RST_CLOSES;
	}
	/*
	 * Not exact. Within the window it passes, so that the peer can
	 * answer with a challenge ACK (RFC 5961) and the sender, if real,
	 * resets again exactly; the flow keeps its state and its timeout.
	 * Outside the window it is invalid.
	 */
	if (in_window_slow(w, p, snd, old, false) != SW_FT_OK)
		return SW_FT_INV_RST;
	*refresh = false;
	return SW_FT_OK;
}

/*
 * A valid segment's effect on the flow beyond its windows: the state,
 * the replied mark, and assured, which is earned: by the handshake's
 * exact ACK, or, for a flow picked up mid-stream, by a valid answer
 * from the other side (never by a first fragment).
 */
static inline void
commit(struct ft_flow *f, const struct sw_ft_pkt *p, int reply, uint8_t old,
       uint8_t next)
{
	if (next != old)
		FT_SET(f->state, next);
	if (reply && !(f->flags & FT_REPLIED))
		FT_SET(f->flags, (uint8_t)(f->flags | FT_REPLIED));
	if (!(f->flags & FT_ASSURED) && next == sES && !p->frag &&
	    ((old == sSR && !reply) ||
	     (old == sES && reply && (f->tflags[0] & SW_FT_TCPF_PICKUP))))
		FT_SET(f->flags, (uint8_t)(f->flags | FT_ASSURED));
}

int
ft_tcp_packet(struct ft_flow *f, const struct sw_ft_pkt *p, int reply,
	      bool liberal, bool *refresh)
{
	int cls, snd = reply, rcv = !reply, v;
	uint8_t old = f->state, next, fl = p->tcp_flags;
	struct win c;
	struct wv w;
	bool copy;

	cls = ft_tcp_class(fl);
	if (cls == FT_TCP_CLASS_INVALID)
		return SW_FT_INV_FLAGS;
	next = ft_tcp_next(old, reply, cls);
	if (next == FT_TCP_INVALID)
		return SW_FT_INV_STATE;
	if (next == FT_TCP_IGNORE) {
		/* Passed, counted, but it changes nothing (Linux). */
		*refresh = false;
		return SW_FT_OK;
	}
	*refresh = true;
	/*
	 * Most segments are ACKs and data between two seen sides: checked
	 * and advanced in place. The rest work on a copy, stored if valid.
	 */
	copy = (fl & (F_SYN | F_RST)) || f->maxwin[snd] == 0;
	if (copy) {
		win_load(&c, f);
		w = wv_copy(&c);
	} else {
		w = wv_flow(f);
	}

	switch (cls) {
	case FT_TCP_SYN:
		if (old == sTW || old == sCL) {
			/*
			 * Reopened by the opener: only with an ISN past
			 * everything it sent on the old connection.
			 */
			if (!SEQ_GT(p->seq, c.end[0]))
				return SW_FT_INV_SEQ;
			reopen(f, &c);
			old = sNO;
		} else if (old == sSS) {
			/* A retransmitted SYN does not renew the flow. */
			*refresh = false;
		}
		break;
	case FT_TCP_SYNACK:
		/* The answer to a SYN acknowledges exactly ISN + 1. */
		if ((old == sSS || old == sS2) && p->ack != c.end[rcv])
			return SW_FT_INV_SEQ;
		break;
	case FT_TCP_RST:
		v = rst_verdict(&c, w, p, snd, old, refresh);
		if (v == RST_CLOSES)
			goto commit;
		return v;
	default:
		break;
	}
	/*
	 * The handshake's last step: in SYN_RECV, what the opener
	 * acknowledges must be the responder's ISN + 1.
	 */
	if (old == sSR && !reply && (fl & F_ACK) && p->ack != w.end[1])
		return SW_FT_INV_SEQ;
	if (old == sNO && cls == FT_TCP_ACK) {
		/* Picked up mid-stream: neither side's scale is known. */
		c.tflags[0] |= SW_FT_TCPF_PICKUP;
		c.tflags[1] |= SW_FT_TCPF_PICKUP;
	}
	/*
	 * Both sides seen, no SYN, no RST: in place, through scalars; a
	 * flow still learning its ends after a takeover (FT_SYNC) through
	 * in_window, which knows SW_FT_TCPF_RELEARNT.
	 */
	v = (copy || unlikely(f->flags & FT_SYNC)) ?
	    in_window_slow(w, p, snd, old, liberal) :
	    ft_tcp_ack(f, p, snd, liberal);
	if (v != SW_FT_OK)
		return v;
commit:
	if (copy)
		win_store(f, &c);
	commit(f, p, reply, old, next);
	return SW_FT_OK;
}

int
ft_tcp_advance(struct ft_flow *f, int snd, uint32_t end)
{
	/*
	 * Within what the receiver allows: a forged last fragment must
	 * not stretch the sender's edge past the receiver's window.
	 */
	if (SEQ_GT(end, f->maxend[snd]))
		return SW_FT_INV_SEQ;
	if (!SEQ_GT(end, f->end[snd]))
		return SW_FT_OK;
	FT_SET(f->end[snd], end);
	FT_SET(f->tflags[snd], (uint8_t)(f->tflags[snd] | SW_FT_TCPF_UNACKED));
	return SW_FT_OK;
}

bool
ft_tcp_quote_ok(const struct ft_flow *f, int side, uint32_t seq)
{
	uint32_t end = FT_GET(f->end[side]), maxend = FT_GET(f->maxend[side]);
	uint32_t rwin = FT_GET(f->maxwin[!side]);

	/*
	 * pf's check for ICMP errors: the quoted segment starts no later
	 * than the sender may send, and no more than a window back.
	 */
	if (FT_GET(f->maxwin[side]) == 0)
		return false;
	return SEQ_LE(seq, maxend) &&
	       (rwin == 0 || SEQ_GE(seq, end - rwin - 1));
}
