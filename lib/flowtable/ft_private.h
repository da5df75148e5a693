/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * Layouts private to lib/flowtable (ft_*.c only).
 */
#ifndef SW_FT_PRIVATE_H
#define SW_FT_PRIVATE_H

#include <rte_branch_prediction.h>
#include <rte_common.h>
#include <rte_log.h>
#include <rte_reciprocal.h>
#include <rte_tcp.h>

#include "sw_ft.h"

extern int sw_ft_logtype;
#define RTE_LOGTYPE_SW_FT sw_ft_logtype
#define FT_LOG(l, ...) RTE_LOG(l, SW_FT, __VA_ARGS__)

struct rte_hash;
struct rte_rcu_qsbr;

/*
 * Single-writer values other threads read (flow fields, shard counters):
 * relaxed atomic stores and loads. On x86 these are the plain moves the
 * code would do anyway; they make the intent exact for the compiler and
 * for ThreadSanitizer. A reader may see a value one packet stale.
 */
#define FT_GET(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define FT_SET(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#define FT_INC(x) FT_SET(x, (x) + 1)
#define FT_ADD(x, v) FT_SET(x, (x) + (v))

/*
 * ThreadSanitizer cannot see the synchronization that makes slot reuse
 * safe: rte_hash hands a deleted slot out again only after
 * rte_rcu_qsbr_check() (acquire) sees every walker's quiescent report
 * (release), and both run inside uninstrumented DPDK libraries. Under
 * TSan only, that one edge is annotated: a walker releases before it
 * reports quiescent, the writer acquires when it gets a slot.
 */
#if defined(__SANITIZE_THREAD__)
#define FT_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FT_TSAN 1
#endif
#endif
#ifdef FT_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define FT_TSAN_ACQUIRE(a) __tsan_acquire(a)
#define FT_TSAN_RELEASE(a) __tsan_release(a)
#else
#define FT_TSAN_ACQUIRE(a) do { } while (0)
#define FT_TSAN_RELEASE(a) do { } while (0)
#endif

/* Flow flags. */
#define FT_USED		0x01	/* slot holds a live flow */
#define FT_ASSURED	0x02	/* earned: early drop spares it (unless closing) */
#define FT_REPLIED	0x04	/* a valid packet came from the other side */
#define FT_ORIG_HI	0x08	/* the higher endpoint opened it */
#define FT_EVICTABLE	0x10	/* counted in cnt.evictable */
#define FT_PROXY	0x20	/* opened by the SYN proxy: translated */
/*
 * Assured, but connectionless (UDP, other protocols): counted in
 * cnt.evictable_assured. Nothing an off-path host cannot fake earns a
 * UDP flow its assured mark (a service answers spoofed queries to the
 * address they claim), so such flows never pin the table: early drop
 * takes them once no unassured flow is left.
 */
#define FT_SOFT		0x40
/*
 * Its state came from the HA peer (or a state file) and a TCP side
 * marked SW_FT_TCPF_UNSEEN has not sent here since (sw_ft_import): the
 * common segment's fast path is not for it.
 */
#define FT_SYNC		0x80

/* Protocol classes, for the state machine dispatch. */
enum {
	FT_P_TCP,
	FT_P_UDP,
	FT_P_ICMP,
	FT_P_OTHER,
};

/*
 * One flow: one cache line, everything a hit reads or writes. The key
 * lives in rte_hash's key store at the same position
 * (rte_hash_get_key_with_position), so it is not repeated here. Index 0
 * of every [2] array is the opener's side, 1 the responder's.
 *
 * Time is kept in 32-bit units of 2^tshift ticks (about 3 ms with a
 * 2.6 GHz TSC; 1 tick when hz < 1024): the difference of two of them is
 * exact for idle times below 2^31 units (80 days at 2.6 GHz), and the
 * sweep visits every flow far more often than that.
 *
 * The TCP window state (Linux's td_end, td_maxend, td_maxwin, td_scale
 * and flags per side) is packed into arrays so the line has no holes.
 * Linux's td_maxack is not kept: an RST is exact when it carries the
 * sequence number its sender is at (pf's rule), see ft_tcp.c. UDP keeps
 * its first packet's time in end[0] (assured needs 2 s of life).
 *
 * Packet counters are 32 bits (they wrap after 2^32 packets, shown
 * modulo 2^32), byte counters 64.
 */
struct ft_flow {
	/*
	 * The first 12 bytes share the slot's first cache line with the
	 * key: everything the expiry sweep and the early-drop scan read.
	 */
	uint32_t last;		/* time of the last valid packet */
	uint8_t state;		/* enum sw_ft_state */
	uint8_t flags;		/* FT_* */
	uint8_t port;		/* the opener's ingress port */
	uint8_t stag;		/* its source's tag (quotas); 0: none */
	uint8_t tflags[2];	/* TCP: SW_FT_TCPF_*; [0] bits 4-5: MSS index */
	uint8_t scale[2];	/* TCP: window shift */
	uint32_t px;		/* proxied: cookie ISN, then the seq delta */
	uint32_t end[2];	/* TCP: highest seq sent + 1; UDP: born */
	uint32_t maxend[2];	/* TCP: highest seq the peer allows */
	uint32_t maxwin[2];	/* TCP: largest scaled window seen */
	uint32_t pkts[2];
	uint64_t bytes[2];	/* 48 bits; proxied: top 16 bits, ts offset */
};

/*
 * A flow lives in its rte_hash key slot: the table's key is this whole
 * slot (key_len 120), compared on its first 40 bytes only (key_cmp), so
 * the lookup that reads the key has brought the state with it: a hit
 * waits for the bucket, then for the slot, where a separate entry array
 * made it three waits. With rte_hash's 8-byte data pointer in front, a
 * slot is exactly two cache lines (128 bytes), which the lookup's
 * prefetch fetches together; packed to 104 (112 a slot), half the slots
 * straddle three lines and a 1M-flow table ran 11 % slower (README,
 * "Benchmarks"). The other 16 bytes keep the key's hash (a delete needs
 * it) and the flow's connection counter tag; the rest is spare.
 *
 * rte_hash copies all 120 bytes on insert, from a template with the
 * flow zeroed; it never writes a live slot again until its key is
 * deleted and the slot reclaimed after the RCU grace period.
 */
struct ft_slot {
	struct sw_ft_key key;
	struct ft_flow f;
	uint32_t hash;		/* sw_ft_key_hash(&key) */
	/*
	 * State sync (ft_sync.c), read only when the shard reports to an
	 * HA peer: when the flow was last reported, and FT_SY_* marks.
	 */
	uint32_t sync_t;
	uint16_t tag;		/* connection counter (sw_ft_tag_*); 0 */
	uint8_t sync;
	uint8_t spare[5];
};

#define FT_SY_SENT	0x01	/* the peer has it (reported, or from it) */
#define FT_SY_LOCAL	0x02	/* a packet passed here since then */
#define FT_SY_DIRTY	0x04	/* a change waits for the sweep to tell it */
#define FT_SY_CLOSING	0x08	/* reported in a state past ESTABLISHED */

/*
 * A proxied flow keeps its timestamp offset (the server's clock minus
 * spillway's, 32 bits) in the top 16 bits of the two byte counters,
 * which count up to 2^48 bytes (256 TiB) a direction.
 */
#define FT_BYTES_MASK ((1ull << 48) - 1)

static inline uint32_t
ft_px_tsoff(const struct ft_flow *f)
{
	return (uint32_t)(FT_GET(f->bytes[0]) >> 48) |
	       (uint32_t)(FT_GET(f->bytes[1]) >> 48) << 16;
}

static inline void
ft_px_set_tsoff(struct ft_flow *f, uint32_t v)
{
	FT_SET(f->bytes[0], (f->bytes[0] & FT_BYTES_MASK) |
			    (uint64_t)(v & 0xffff) << 48);
	FT_SET(f->bytes[1], (f->bytes[1] & FT_BYTES_MASK) |
			    (uint64_t)(v >> 16) << 48);
}

#define FT_TCPF_MSS_SHIFT 4	/* tflags[0]: the client's MSS index */
/* What a node knows of its own takeover: never reported, never taken. */
#define FT_TCPF_LOCAL (SW_FT_TCPF_UNSEEN | SW_FT_TCPF_RELEARNT)

/*
 * The shard's counters: what it reports (SW_FT_STATS, sw_ft.h), then
 * what only the table reads. Written by the owner only, but for
 * occupancy_permille, which sw_ft_shard_stats() works out from flows.
 */
struct ft_counters {
#define FT_CNT_FIELD(n, k, t, d) uint64_t n;
	SW_FT_STATS(FT_CNT_FIELD)
#undef FT_CNT_FIELD
	uint64_t proxy_cookies;		/* SYNs answered with a cookie */
	uint64_t proxy_valid;		/* cookies that came back valid */
	uint32_t scale_q10;		/* timeouts scale, 1024: unscaled */
} __rte_cache_aligned;

/* The shortest turn of the expiry hand over a shard, in ms. */
#define FT_SWEEP_TURN_MS 50

struct sw_ft_shard {
	struct ft_counters cnt;		/* written by the owner only */

	struct sw_ft *ft;
	struct rte_hash *h;
	uint8_t *slots;			/* rte_hash's slot of position 0 */
	size_t stride;			/* bytes from one slot to the next */
	/*
	 * 1 while a slot holds a published flow, stored by the owner with
	 * release; what a walker checks before it reads a slot (rte_hash
	 * writes free slots, never live ones).
	 */
	uint8_t *live;
	uint32_t nb_slots;		/* positions */
	/*
	 * Deleted positions not yet handed back to rte_hash, oldest first
	 * (a FIFO of nb_slots): they wait until every walker online at
	 * their delete has passed a quiescent state (ft_reclaim()). The
	 * oldest dq_ntok of them wait for token dq_tok.
	 */
	uint32_t *dq;
	uint32_t dq_head, dq_count, dq_ntok;
	uint64_t dq_tok;
	uint32_t max;			/* flows this shard may hold */
	uint32_t spill_clear;		/* spilling ends below this */
	uint32_t adapt_start;		/* flows where scaling begins */
	uint32_t adapt_end;		/* flows where timeouts reach 0 */
	uint32_t hand;			/* expiry sweep position */
	/*
	 * The sweep's next batch is due at sweep_next (ticks): a turn of
	 * the hand takes at least FT_SWEEP_TURN_MS, so a small shard is
	 * not swept again on every poll. 0 with a coarse clock (tests).
	 */
	uint64_t sweep_gap;
	uint64_t sweep_next;
	uint32_t ed_hand;		/* early-drop sample position */
	uint32_t burst_inserts;		/* inserts since the bulk lookup */
	/*
	 * Their hashes' top bytes, a bit each: a key whose bit is clear
	 * was not inserted since the bulk lookup (which missed it), so
	 * an insert need not look it up again.
	 */
	uint64_t burst_seen[4];
	/* Per-source quotas (ft_source.c); src NULL: none. */
	struct ft_src *src;
	uint32_t src_mask;
	uint32_t heavy_flows;		/* the heaviest source's live flows */
	uint8_t heavy_tag;		/* and its tag */
	/* Invalid cookies per source (ft_proxy.c). */
	struct ft_badck *badck;
	/* Auto mode: the cookies of the current window (ft_table.c). */
	uint32_t px_win_start;		/* time unit the window began */
	uint64_t px_win_cookies;
	uint64_t px_win_valid;
	uint64_t px_src_over;		/* src_over at the last poll */
	bool tcp_loose;
	bool tcp_be_liberal;
	bool early_drop;
	unsigned int id;

	/*
	 * State sync (ft_sync.c): which flows are reported (enum
	 * sw_ft_sync_mode, stored by the control thread), the refresh
	 * period and the least wait of a change the sweep tells
	 * (FT_SY_DIRTY) in time units.
	 *
	 * The events since the owner last took them (sw_ft_events or
	 * sw_ft_events_publish) are written where they go: nb_ev of them
	 * in a window of ev_room slots, ev_n1 at ev1 and the rest at ev2.
	 * The window is the shard's own buffer ev (allocated by the first
	 * sw_ft_set_sync, NULL until then) or, with ev_ring, room reserved
	 * in the ring at the first event after a publish (no copy: rte_ring's
	 * zero-copy enqueue; a wrap splits it in two). ev_tries counts the
	 * lost events too (sw_ft_events_count), ev_lost those lost for want
	 * of room in the ring, and ev_last_lost says the last one tried was
	 * lost (1), asking to hold its packet (2).
	 */
	uint8_t sync_mode;
	uint8_t ev_last_lost;
	uint32_t sync_refresh_u;
	uint32_t sync_change_u;
	uint32_t nb_ev;
	uint32_t ev_tries;
	uint32_t ev_room;
	uint32_t ev_n1;
	uint32_t ev_lost;
	struct sw_ft_event *ev1;
	struct sw_ft_event *ev2;
	struct sw_ft_event *ev;
	struct rte_ring *ev_ring;
	struct sw_ft_event ev_void;	/* a lost one (sw_ft_hold_event) */

	/*
	 * Sweeps asked for by the control thread (it bumps *_req; the owner
	 * runs a full pass of its hand, then sets *_done to what it saw).
	 */
	uint32_t flush_req;
	uint32_t flush_done;
	uint64_t flush_deleted;		/* by the pass flush_done names */
	uint32_t reval_req;
	uint32_t reval_done;
	uint32_t pass_left;		/* slots left in the current pass */
	uint32_t pass_flush;		/* req being served, 0: none */
	uint32_t pass_reval;
	sw_ft_match_cb pass_match;	/* the flush's filter; NULL: all */
	void *pass_arg;
	uint64_t pass_deleted;
} __rte_cache_aligned;

struct ft_source_conf {
	unsigned int v4_prefix;
	unsigned int v6_prefix;
	uint32_t max_flows;		/* 0: no limit */
	uint32_t max_new_per_s;		/* 0: no limit */
	uint32_t max_sources;		/* table size */
};

struct sw_ft {
	/* Timeouts in time units; the control thread stores, workers load. */
	struct ft_source_conf src;
	uint32_t src_u_per_s;
	unsigned int cookie_shift;	/* a cookie slice is 2^shift units */
	uint32_t bad_cookies;		/* per source and 10 s; 0: no limit */
	uint32_t badck_window_u;	/* 10 s, in time units */
	uint8_t proxy_wscale;		/* the window scale the proxy offers */
	uint8_t proxy_mode;		/* enum sw_ft_proxy_mode */
	uint8_t proxy_start;		/* auto: % of a shard's size */
	uint32_t proxy_window_u;	/* auto: 5 s, in time units */
	uint32_t timeout_u[SW_FT_TO_MAX];
	uint32_t timeout_s[SW_FT_TO_MAX];
	uint64_t hz;
	unsigned int tshift;		/* a time unit is 2^tshift ticks */
	/*
	 * Ticks to milliseconds, exactly as ticks * ms_mul / (hz / 1000, or
	 * hz under 1000 Hz) but with no division: each report of a flow
	 * for the HA peer takes its remaining time (ft_units_to_ms).
	 */
	uint64_t ms_mul;
	struct rte_reciprocal_u64 ms_div;
	uint32_t udp_stream_u;		/* 2 s: UDP assured after it */
	struct rte_rcu_qsbr *qs;	/* readers: sw_ft_walk callers */
	sw_ft_judge_cb judge;
	void *judge_arg;
	/* The flush asked for last; owners copy them as a pass starts. */
	sw_ft_match_cb flush_match;
	void *flush_arg;
	size_t memory;
	/* Connection counters (ft_tag.c): shared by the shards, atomic. */
	uint32_t *tag_count;		/* [SW_FT_MAX_TAGS] */
	uint8_t *tag_prefix;		/* [SW_FT_MAX_TAGS][2]: v4, v6 */
	/*
	 * [2][FT_SKETCH]: per source; allocated by the first tag set up
	 * per source (NULL before: most configurations never need it).
	 */
	uint32_t *sketch;
	int tag_socket;			/* where the sketch goes */
	bool tags_used;			/* a tag was ever set up */
	uint32_t shard_max;
	unsigned int nb_shards;
	struct sw_ft_shard *shards[];
};

/*
 * Early drop takes the oldest of up to this many evictable flows, found
 * within at most FT_EARLY_DROP_SCAN slots from a rotating hand.
 */
#define FT_EARLY_DROP_SAMPLE 8
#define FT_EARLY_DROP_SCAN 64

/* Flag class of a segment, or FT_TCP_CLASS_INVALID for impossible sets. */
enum {
	FT_TCP_SYN,
	FT_TCP_SYNACK,
	FT_TCP_FIN,
	FT_TCP_ACK,
	FT_TCP_RST,
	FT_TCP_NONE,
	FT_TCP_CLASS_MAX,
	FT_TCP_CLASS_INVALID = FT_TCP_CLASS_MAX,
};
int ft_tcp_class(uint8_t tcp_flags);

/* TCP: next state for (state, packet from the reply side?, class). */
#define FT_TCP_INVALID 0xff	/* drop the packet, keep the state */
#define FT_TCP_IGNORE  0xfe	/* pass the packet, keep the state */
uint8_t ft_tcp_next(uint8_t state, int reply, int cls);

/*
 * Check a TCP segment against flow f and, if it is valid, advance f's
 * windows and state (ft_tcp.c). `reply` is 1 for the responder's side.
 * Returns enum sw_ft_verdict; on anything but SW_FT_OK, f is unchanged.
 * *refresh says whether the flow's idle time restarts.
 */
int ft_tcp_packet(struct ft_flow *f, const struct sw_ft_pkt *p, int reply,
		  bool liberal, bool *refresh);

/*
 * The sender `snd` of an established flow has sent up to `end` (the
 * rest of a fragmented segment): move its edge there, as in_window
 * would have for the whole segment, if the receiver allows it. Returns
 * SW_FT_OK or SW_FT_INV_SEQ (nothing changed).
 */
int ft_tcp_advance(struct ft_flow *f, int snd, uint32_t end);

/* Sequence-space comparisons (RFC 1982 style, as Linux's before/after). */
#define SEQ_LT(a, b) ((int32_t)((uint32_t)(a) - (uint32_t)(b)) < 0)
#define SEQ_GT(a, b) SEQ_LT(b, a)
#define SEQ_LE(a, b) (!SEQ_GT(a, b))
#define SEQ_GE(a, b) (!SEQ_LT(a, b))

/* Linux's MAXACKWINCONST: how far back an ACK may be before a window. */
#define MAXACKWIN_CONST 66000
/* RFC 7323: the largest window shift. */
#define MAX_WSCALE 14

/*
 * in_window for the common segment, in place: an ACK, with or without
 * data or a FIN (no SYN, no RST), between two sides both seen. The same
 * four checks and the same updates as in_window, on the flow's own
 * fields through plain scalars (in_window takes a view of pointers,
 * which costs register spills on every segment). Returns SW_FT_OK or
 * SW_FT_INV_SEQ (nothing changed).
 */
static inline __attribute__((always_inline)) int
ft_tcp_ack(struct ft_flow *f, const struct sw_ft_pkt *p, int snd, bool liberal)
{
	int rcv = !snd;
	uint32_t seq = p->seq, ack = p->ack;
	uint32_t end = seq + p->datalen + ((p->tcp_flags & RTE_TCP_FIN_FLAG) ? 1 : 0);
	uint32_t sack, win, swin, maxackwin;
	uint32_t snd_end = f->end[snd], snd_maxend = f->maxend[snd];
	uint32_t snd_maxwin = f->maxwin[snd], rcv_end = f->end[rcv];
	uint32_t rcv_maxend = f->maxend[rcv], rcv_maxwin = f->maxwin[rcv];
	uint8_t stf = f->tflags[snd], rtf = f->tflags[rcv];

	sack = (rtf & SW_FT_TCPF_SACK_PERM) && SEQ_GT(p->sack, ack) ?
	       p->sack : ack;
	maxackwin = snd_maxwin ? snd_maxwin : MAXACKWIN_CONST;
	if (unlikely(!(SEQ_LE(seq, snd_maxend) &&			/* I */
		       (rcv_maxwin == 0 ||
			SEQ_GT(end, snd_end - rcv_maxwin - 1)) &&	/* II */
		       SEQ_LE(sack, rcv_end) &&				/* III */
		       SEQ_GT(sack, rcv_end - maxackwin - 1))))		/* IV */
		return liberal ? SW_FT_OK : SW_FT_INV_SEQ;
	win = (uint32_t)p->win << ((stf & SW_FT_TCPF_PICKUP) ? MAX_WSCALE :
				   f->scale[snd]);
	swin = win + (sack - ack);
	if (snd_maxwin < swin)
		FT_SET(f->maxwin[snd], swin);
	if (SEQ_GT(end, snd_end)) {
		FT_SET(f->end[snd], end);
		stf |= SW_FT_TCPF_UNACKED;
	}
	if (rcv_maxwin != 0 && SEQ_GT(end, snd_maxend))
		FT_SET(f->maxwin[rcv], rcv_maxwin + (end - snd_maxend));
	if (SEQ_GT(sack + win, rcv_maxend - 1))
		FT_SET(f->maxend[rcv], sack + win + (win == 0));
	if (ack == rcv_end && (rtf & SW_FT_TCPF_UNACKED))
		FT_SET(f->tflags[rcv], (uint8_t)(rtf & ~SW_FT_TCPF_UNACKED));
	if (stf != f->tflags[snd])
		FT_SET(f->tflags[snd], stf);
	return SW_FT_OK;
}


/* SYN proxy (ft_proxy.c). The MSS of a cookie's MSS index. */
uint16_t ft_cookie_mss(uint8_t family, unsigned int idx);

/* A new flow f opened by the cookie ACK *p: its state and the SYN. */
void ft_proxy_init(struct ft_flow *f, const struct sw_ft_pkt *p,
		   uint32_t cookie, const struct sw_ft_syn_opts *o,
		   struct sw_ft_xlate *x);

/* A packet of a proxied flow: ft_tcp_packet's job, and the translation. */
int ft_proxy_packet(struct ft_flow *f, const struct sw_ft_pkt *p, int reply,
		    bool liberal, uint8_t wscale, bool *refresh,
		    struct sw_ft_xlate *x);

/*
 * Per-source quotas (ft_source.c). Acquire before a new flow takes a
 * slot (-EDQUOT: over its quota; *tag the source's tag for early drop),
 * release when it goes.
 */
struct ft_src;
struct ft_source_conf;
/* The opener's address of a key (dir: the opener's side), as a prefix. */
void ft_source_prefix(const struct ft_source_conf *sc,
		      const struct sw_ft_key *k, int dir, uint8_t *a);
int ft_source_create(struct sw_ft_shard *s, const struct ft_source_conf *sc,
		     int socket_id);
size_t ft_source_size(uint32_t nb);
int ft_source_acquire(struct sw_ft_shard *s, const struct sw_ft_key *k,
		      int dir, uint32_t t, uint8_t *tag);
void ft_source_release(struct sw_ft_shard *s, const struct sw_ft_key *k,
		       int dir);

/* The table of invalid cookies per source, of each shard. */
struct ft_badck;
int ft_badck_create(struct sw_ft_shard *s, int socket_id);

/* Is a TCP quoted sequence number of side `side` within its window? */
bool ft_tcp_quote_ok(const struct ft_flow *f, int side, uint32_t seq);

/* rte_hash's hash function: sw_ft_key_hash(). */
uint32_t ft_hash_func(const void *key, uint32_t key_len, uint32_t init_val);

/*
 * The SYN cookie's MAC (ft_hash.c): SipHash-1-3 under the per-start
 * secret of the message (FT_COOKIE_TAG, w[0], ..., w[nw - 1]). Every
 * cookie's message starts with the same tag word, so its compression
 * round is done once, when the secret is set; the same value as
 * sw_ft_siphash() of the whole message.
 */
#define FT_COOKIE_TAG 0x636f6f6b69655f31ull	/* "cookie_1" */
#define FT_COOKIE_WORDS_MAX 7

uint64_t ft_cookie_sip(const uint64_t *w, unsigned int nw);

/*
 * Four messages of nw words at once, message i at
 * w[i * FT_COOKIE_WORDS_MAX]: with AVX2 when the CPU has it and
 * sw_ft_hash_vector() allows it, else one at a time. Same values.
 */
void ft_cookie_sip4(const uint64_t *w, unsigned int nw, uint64_t out[4]);

/* Do the burst hashes use SIMD (the CPU has AVX2, sw_ft_hash_vector)? */
bool ft_hash_simd(void);

/* Timeout index of each state. */
extern const uint8_t ft_state_timeout[SW_FT_STATE_MAX];

/* The slot, key and flow of rte_hash position pos. */
static inline struct ft_slot *
ft_slot(const struct sw_ft_shard *s, uint32_t pos)
{
	return (struct ft_slot *)(s->slots + (size_t)pos * s->stride);
}

static inline struct ft_flow *
ft_flow_at(const struct sw_ft_shard *s, uint32_t pos)
{
	return &ft_slot(s, pos)->f;
}

/* Timeouts' adaptive scale: Q10 fixed point (1024: unscaled). */
#define FT_Q10 1024u

static inline uint32_t
time_unit(const struct sw_ft *ft, uint64_t now)
{
	return (uint32_t)(now >> ft->tshift);
}

static inline uint32_t
timeout_of(const struct sw_ft *ft, unsigned int t)
{
	return __atomic_load_n(&ft->timeout_u[t], __ATOMIC_RELAXED);
}

static inline bool
is_tcp(uint8_t state)
{
	return state <= SW_FT_TCP_SYN_SENT2;
}

/*
 * The flow's timeout now, in time units: its state's, capped at
 * tcp_unacknowledged while TCP data waits for its acknowledgement or a
 * picked-up flow has not heard from its other side (Linux), then
 * adaptively scaled.
 */
static inline uint32_t
flow_timeout(const struct sw_ft_shard *s, const struct ft_flow *f,
	     uint8_t state, uint8_t flags)
{
	uint32_t t = timeout_of(s->ft, ft_state_timeout[state]);
	uint32_t q = FT_GET(s->cnt.scale_q10);

	if (is_tcp(state)) {
		uint8_t tf = FT_GET(f->tflags[0]) | FT_GET(f->tflags[1]);

		if ((tf & SW_FT_TCPF_UNACKED) ||
		    ((tf & SW_FT_TCPF_PICKUP) && !(flags & FT_REPLIED)))
			t = RTE_MIN(t, timeout_of(s->ft,
						  SW_FT_TO_tcp_unacknowledged));
	}
	if (q == FT_Q10)
		return t;
	return (uint32_t)(((uint64_t)t * q) >> 10);
}

/* Cells of each row of the per-source tag sketch (ft_tag.c). */
#define FT_SKETCH	32768u
int ft_tags_create(struct sw_ft *ft, int socket_id);
void ft_tags_free(struct sw_ft *ft);

/*
 * Delete the flow at pos (the owner only): its source's count, the
 * walkers' live mark, the hash slot (reused after the RCU grace); a
 * flow the HA peer has is reported gone (enum sw_ft_del_reason).
 */
void ft_flow_delete(struct sw_ft_shard *s, uint32_t pos, uint8_t reason);

/*
 * Hand the deleted slots whose grace period is over back to rte_hash
 * (the owner only; every poll, and when an insert finds no free slot).
 * Returns how many.
 */
uint32_t ft_reclaim(struct sw_ft_shard *s);

/*
 * Early drop may take a flow that has not earned assured, or a TCP flow
 * that is closing (Linux's tcp_can_early_drop): FT_EVICTABLE. Once none
 * of those is left it takes assured connectionless flows (FT_SOFT):
 * their assured mark is no proof an off-path host cannot fake.
 */
static inline uint8_t
ft_evict_class(const struct ft_flow *f)
{
	if (!(f->flags & FT_ASSURED) ||
	    (f->state >= SW_FT_TCP_FIN_WAIT && f->state <= SW_FT_TCP_CLOSE))
		return FT_EVICTABLE;
	return is_tcp(f->state) ? 0 : FT_SOFT;
}

/* Keep FT_EVICTABLE, FT_SOFT and the shard's counts in step. */
static inline void
ft_track_evictable(struct sw_ft_shard *s, struct ft_flow *f)
{
	uint8_t now = ft_evict_class(f);
	uint8_t was = f->flags & (FT_EVICTABLE | FT_SOFT);

	if (likely(now == was))
		return;
	FT_SET(f->flags, (uint8_t)(f->flags ^ was ^ now));
	if (was & FT_EVICTABLE)
		FT_SET(s->cnt.evictable, s->cnt.evictable - 1);
	if (was & FT_SOFT)
		FT_SET(s->cnt.evictable_assured, s->cnt.evictable_assured - 1);
	if (now & FT_EVICTABLE)
		FT_SET(s->cnt.evictable, s->cnt.evictable + 1);
	if (now & FT_SOFT)
		FT_SET(s->cnt.evictable_assured, s->cnt.evictable_assured + 1);
}

/*
 * A slot for a new flow of key (ft_table.c): its position, zeroed and
 * not yet published, or an existing flow's with *existing set, or
 * -ENOSPC (full after early drop), -EDQUOT (the opener's source is over
 * its quota; quota false: not asked) or -EBUSY. ft_flow_publish() makes
 * it live, opened from side dir, with the flags `more` (the caller
 * counts it: inserts, or sync_applied).
 */
int32_t ft_flow_alloc(struct sw_ft_shard *s, const struct sw_ft_key *key,
		      uint32_t hash, int dir, uint64_t now, bool quota,
		      bool *existing);
void ft_flow_publish(struct sw_ft_shard *s, uint32_t pos, int dir,
		     uint8_t more);

/* The flow's opener side of a packet direction: 1 for a reply. */
static inline int
ft_flow_reply(const struct ft_flow *f, int dir)
{
	return dir != ((f->flags & FT_ORIG_HI) ? SW_FT_DIR_HI : SW_FT_DIR_LO);
}

/*
 * State sync on the owner's side (ft_sync.c). ft_sync_changed: a packet
 * changed the flow f at pos from (old_state, old_flags): report it if
 * the shard's sync mode (loaded by the caller, not OFF) says so.
 * ft_sync_seen: a packet of side `snd` came to a flow marked FT_SYNC:
 * learn that side again if it is unseen; returns whether the other
 * side is still unseen (check liberally).
 * ft_sync_passed: the packet passed: the side is seen now. ft_sync_new:
 * a flow was opened here. ft_sync_deleted: a flow is about to go.
 * ft_sync_refresh: the sweep passes a live flow, of timeout `to` (the
 * sweep has it already: flow_timeout).
 */
void ft_sync_report(struct sw_ft_shard *s, uint32_t pos, uint8_t old_flags,
		    uint32_t t);

/*
 * KEEP decides here, inline, for the changes that make no event: most
 * of a connection's (its handshake's, before it is assured; its close,
 * which waits for the sweep) cost a call no more. A half-open flow is
 * never reported. A reported TCP flow that leaves ESTABLISHED is marked
 * for the sweep, which tells it at least sync_change_u after the last
 * report, with whatever state the close reached by then; one deleted
 * before that is reported gone and nothing else (DESIGN.md, "State
 * sync"). ALL reports every change at once (ft_sync_report).
 */
static inline void
ft_sync_changed(struct sw_ft_shard *s, uint8_t mode, struct ft_flow *f,
		uint32_t pos, uint8_t old_state, uint8_t old_flags, uint32_t t)
{
	struct ft_slot *sl = container_of(f, struct ft_slot, f);

	if (mode == SW_FT_SYNC_KEEP) {
		if (!(sl->f.flags & FT_ASSURED))
			return;
		if ((old_flags & FT_ASSURED) && (sl->sync & FT_SY_SENT)) {
			if (old_state == SW_FT_TCP_ESTABLISHED &&
			    sl->f.state != old_state)
				sl->sync |= FT_SY_DIRTY;
			return;
		}
	}
	ft_sync_report(s, pos, old_flags, t);
}

bool ft_sync_seen(struct sw_ft_shard *s, uint32_t pos, int snd);
void ft_sync_passed(struct sw_ft_shard *s, uint32_t pos, int snd);
void ft_sync_new(struct sw_ft_shard *s, uint32_t pos, uint32_t t);
void ft_sync_deleted(struct sw_ft_shard *s, uint32_t pos, uint8_t reason);
void ft_sync_refresh(struct sw_ft_shard *s, uint32_t pos, uint32_t t,
		     uint32_t to);

/* Time units as milliseconds (walkers too). */
uint64_t ft_units_to_ms(const struct sw_ft *ft, uint32_t u);

#endif /* SW_FT_PRIVATE_H */
