/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_FT_H
#define SW_FT_H

/*
 * lib/flowtable: connection tracking for spillway's workers.
 *
 * Usage:
 *   - sw_ft_create() sizes everything at start: one shard per worker on
 *     rte_hash, a flow array indexed by the position rte_hash returns.
 *   - A worker owns shard i: it looks keys up in bulk
 *     (sw_ft_lookup_burst), advances hits (sw_ft_update), asks what a
 *     miss may become (sw_ft_miss_kind), inserts accepted new flows
 *     (sw_ft_insert; -ENOSPC means spill to the fallback rules) and ages
 *     its shard a few slots per poll (sw_ft_expire).
 *   - The control thread reads without locks: sw_ft_walk() (show flows),
 *     sw_ft_shard_stats(), and sets timeouts (sw_ft_set_timeout).
 *
 * Time is whatever clock the caller passes as `now`, in ticks of the
 * `hz` given at create time (the worker: TSC; tests: a counter).
 *
 * Thread-safety: only the owning worker calls the per-shard functions
 * of a shard. sw_ft_walk() may run concurrently with the owners, from
 * up to SW_FT_MAX_READERS threads, each with its own reader id: deleted
 * slots are reclaimed only after every walking reader has passed a
 * quiescent state (rte_hash RCU, see lib/flowtable/DESIGN.md).
 *
 * Shutdown order: stop the workers and readers, then sw_ft_free().
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Canonical flow key: the lower endpoint (address, then port) first.
 * IPv4 addresses use the first 4 bytes of lo/hi, the rest zero. 40
 * bytes, 8-byte aligned: the hash and our compare read it in 8-byte
 * words. The zone keeps flows of different port pairs (and VLANs, when
 * zones by VLAN are on) apart: the same 5-tuple in two zones is two
 * flows.
 */
struct __attribute__((aligned(8))) sw_ft_key {
	uint8_t lo[16];
	uint8_t hi[16];
	uint16_t lo_port;	/* network order */
	uint16_t hi_port;	/* network order */
	uint8_t proto;
	uint8_t family;		/* 4 or 6 */
	uint16_t zone;		/* the caller's: spillway puts pair, VLAN */
};

/* Direction of a packet relative to the canonical key. */
enum sw_ft_dir {
	SW_FT_DIR_LO = 0,	/* sent by the lower endpoint */
	SW_FT_DIR_HI = 1,	/* sent by the higher endpoint */
};

/*
 * Fill *key for a packet from (src, sport) to (dst, dport). `family` is
 * 4 or 6; addresses are 4 or 16 bytes in network order, ports in network
 * order. Returns the packet's direction (enum sw_ft_dir).
 */
int sw_ft_key_make(struct sw_ft_key *key, uint8_t family, uint8_t proto,
		   const uint8_t *src, const uint8_t *dst,
		   uint16_t sport, uint16_t dport);

/*
 * The keyed hash. Every table whose keys an attacker chooses (flows,
 * fragments, per-source counts) hashes with SipHash-1-3 under one secret
 * per process, drawn from getrandom(): CRC and Toeplitz are linear, so
 * colliding keys could be solved for.
 *
 * sw_ft_hash_init() draws the secret; it is idempotent, sw_ft_create()
 * calls it, and it must run before any hash is taken (control thread,
 * at start). Returns 0 or -errno from getrandom().
 * sw_ft_hash_set_secret() fixes the secret instead (tests only).
 * sw_ft_siphash() hashes len bytes; sw_ft_key_hash() a flow key (what
 * the flow table's rte_hash uses). Both are pure functions, any thread.
 */
int sw_ft_hash_init(void);
void sw_ft_hash_set_secret(uint64_t k0, uint64_t k1);
uint64_t sw_ft_siphash(const void *data, size_t len);
uint32_t sw_ft_key_hash(const struct sw_ft_key *key);
/*
 * sw_ft_key_hash() of n keys into hash[]: the same values, IPv4 keys
 * four at a time with AVX2 where the CPU has it (checked once at run
 * time). sw_ft_hash_vector(false) keeps it scalar (tests compare).
 */
void sw_ft_key_hash_burst(const struct sw_ft_key *const *keys, uint32_t *hash,
			  uint16_t n);
void sw_ft_hash_vector(bool on);
/* SipHash-c-d under an explicit key: the reference, for tests. */
uint64_t sw_ft_siphash_ref(const uint8_t key[16], const void *data,
			   size_t len, unsigned int c, unsigned int d);

/* Flow states: Linux's TCP states, then the other protocols'. */
#define SW_FT_STATES(X) \
	X(TCP_NONE,        "NONE",        tcp_close) \
	X(TCP_SYN_SENT,    "SYN_SENT",    tcp_syn_sent) \
	X(TCP_SYN_RECV,    "SYN_RECV",    tcp_syn_recv) \
	X(TCP_ESTABLISHED, "ESTABLISHED", tcp_established) \
	X(TCP_FIN_WAIT,    "FIN_WAIT",    tcp_fin_wait) \
	X(TCP_CLOSE_WAIT,  "CLOSE_WAIT",  tcp_close_wait) \
	X(TCP_LAST_ACK,    "LAST_ACK",    tcp_last_ack) \
	X(TCP_TIME_WAIT,   "TIME_WAIT",   tcp_time_wait) \
	X(TCP_CLOSE,       "CLOSE",       tcp_close) \
	X(TCP_SYN_SENT2,   "SYN_SENT2",   tcp_syn_sent) \
	X(UDP,             "UNREPLIED",   udp) \
	X(UDP_STREAM,      "REPLIED",     udp_stream) \
	X(ICMP,            "ICMP",        icmp) \
	X(GENERIC,         "GENERIC",     generic)

enum sw_ft_state {
#define SW_FT_STATE_ENUM(n, s, t) SW_FT_##n,
	SW_FT_STATES(SW_FT_STATE_ENUM)
#undef SW_FT_STATE_ENUM
	SW_FT_STATE_MAX
};

/*
 * Timeouts in seconds, under Linux's sysctl names, with its defaults.
 * tcp_unacknowledged caps the timeout of a TCP flow while either side
 * has data the other has not acknowledged (and of a flow picked up
 * mid-stream until both sides have been seen), as in Linux.
 */
#define SW_FT_TIMEOUTS(X) \
	X(tcp_syn_sent,       120) \
	X(tcp_syn_recv,        60) \
	X(tcp_established, 432000) \
	X(tcp_fin_wait,       120) \
	X(tcp_close_wait,      60) \
	X(tcp_last_ack,        30) \
	X(tcp_time_wait,      120) \
	X(tcp_close,           10) \
	X(tcp_unacknowledged, 300) \
	X(udp,                 30) \
	X(udp_stream,         180) \
	X(icmp,                30) \
	X(generic,            600)

enum sw_ft_timeout {
#define SW_FT_TO_ENUM(n, d) SW_FT_TO_##n,
	SW_FT_TIMEOUTS(SW_FT_TO_ENUM)
#undef SW_FT_TO_ENUM
	SW_FT_TO_MAX
};

/* "tcp_established" -> index, or -1. */
int sw_ft_timeout_index(const char *name);
const char *sw_ft_timeout_name(unsigned int t);
uint32_t sw_ft_timeout_default(unsigned int t);
const char *sw_ft_state_name(unsigned int state);
const char *sw_ft_verdict_name(unsigned int verdict);

#define SW_FT_MAX_READERS 4

/* flowtable.synproxy: answer SYNs with cookies never, under pressure, always. */
enum sw_ft_proxy_mode {
	SW_FT_PROXY_OFF = 0,
	SW_FT_PROXY_AUTO,
	SW_FT_PROXY_ON,
};

struct sw_ft_conf {
	uint32_t max_flows;	/* all shards together */
	unsigned int nb_shards;	/* one per worker */
	bool tcp_loose;		/* pick up TCP mid-stream */
	bool tcp_be_liberal;	/* pass out-of-window segments (Linux's) */
	bool early_drop;	/* evict unassured/closing entries when full */
	uint8_t high_water;	/* % of an rte_hash's slots ever used */
	uint16_t adaptive_start; /* % of max_flows; 0: no adaptive scaling */
	uint16_t adaptive_end;	/* %, > start */
	uint32_t timeouts[SW_FT_TO_MAX];	/* seconds */
	uint64_t hz;		/* ticks of `now` per second */
	int socket_id;
	uint8_t proxy_mode;	/* enum sw_ft_proxy_mode */
	uint8_t proxy_start;	/* auto: engage past this % of a shard */
	uint8_t proxy_wscale;	/* window scale the proxy's SYN/ACK offers */
	/*
	 * A cookie's time slice in seconds (rounded down to a power of two
	 * of the table's time unit, at least one unit): a cookie is valid
	 * in its slice and the two after, so it lives between one and
	 * three periods. 0: 64.
	 */
	uint32_t proxy_cookie_period;
	/*
	 * Invalid cookies one source (the quota prefixes below) may send a
	 * shard in 10 s; past that its ACKs are not checked as cookies
	 * until the 10 s are over. 0: no limit.
	 */
	uint32_t proxy_bad_cookies;
	/*
	 * Per-source quotas: a source is the opener's address cut to
	 * these prefixes. max_flows: live flows per source and shard;
	 * max_new_per_s: new flows a second; 0: no limit (both 0: no
	 * table). max_sources: the table's size per shard.
	 */
	uint8_t src_v4_prefix;
	uint8_t src_v6_prefix;
	uint32_t src_max_flows;
	uint32_t src_max_new_per_s;
	uint32_t src_max_sources;
};

/* Fill *conf with the defaults (max_flows 1M, 1 shard, hz 1). */
void sw_ft_conf_defaults(struct sw_ft_conf *conf);

struct rte_ring;
struct sw_ft;
struct sw_ft_shard;

/*
 * Create the table. Control thread, before the workers start. Returns
 * NULL with rte_errno set: EINVAL (bad conf), ENOMEM, EAGAIN (no random
 * secret for the hash), or what rte_hash reports.
 */
struct sw_ft *sw_ft_create(const struct sw_ft_conf *conf);

/* NULL is a no-op. Nobody may use the table any more. */
void sw_ft_free(struct sw_ft *ft);

/* Bytes allocated for the table (hashes, flow arrays, shards). */
size_t sw_ft_memory(const struct sw_ft *ft);

unsigned int sw_ft_nb_shards(const struct sw_ft *ft);
struct sw_ft_shard *sw_ft_shard(struct sw_ft *ft, unsigned int i);
/* The table a shard belongs to (its tags are the table's). */
struct sw_ft *sw_ft_of(const struct sw_ft_shard *s);
/* Flows one shard may hold (max_flows / nb_shards). */
uint32_t sw_ft_shard_max(const struct sw_ft *ft);

/* ---- Worker side: the shard's owner only ---- */

/* The most keys one lookup takes. */
#define SW_FT_BURST_MAX 64

/*
 * Look up n (<= SW_FT_BURST_MAX) keys; pos[i] >= 0 is the flow's slot, < 0 a miss.
 * sw_ft_insert() relies on it: call it for each burst before inserting
 * that burst's misses.
 */
void sw_ft_lookup_burst(struct sw_ft_shard *s, const struct sw_ft_key **keys,
			uint16_t n, int32_t *pos);
/*
 * The same with each key's sw_ft_key_hash() already taken (the worker
 * hashes while it builds the keys): the table does not hash again.
 */
void sw_ft_lookup_burst_hash(struct sw_ft_shard *s,
			     const struct sw_ft_key **keys,
			     const uint32_t *hash, uint16_t n, int32_t *pos);

/*
 * Look one key up again within a burst (after inserts), without
 * starting a new burst. Returns the slot, or < 0.
 */
int32_t sw_ft_lookup(struct sw_ft_shard *s, const struct sw_ft_key *key);

/*
 * What the flow table needs of a packet; the caller fills it from its
 * parser. TCP fields are ignored for other protocols. All host order.
 */
struct sw_ft_pkt {
	uint32_t len;		/* bytes to count (the IP length) */
	uint32_t seq;		/* TCP sequence number */
	uint32_t ack;		/* TCP acknowledgement number */
	uint32_t sack;		/* highest SACK block edge; = ack if none */
	uint16_t win;		/* TCP window as on the wire (unscaled) */
	uint16_t datalen;	/* TCP payload bytes */
	uint8_t dir;		/* enum sw_ft_dir, from sw_ft_key_make() */
	uint8_t tcp_flags;
	uint8_t wscale;		/* window scale option, SW_FT_NO_WSCALE */
	uint8_t sack_perm;	/* SACK-permitted option seen (SYN) */
	uint8_t has_ts;		/* a timestamp option: tsval, tsecr */
	uint8_t family;		/* 4 or 6 */
	uint16_t mss;		/* MSS option (SYN), 0: none */
	uint32_t tsval;
	uint32_t tsecr;
	/*
	 * Ingress port. A flow remembers its opener's; a packet of the
	 * opener's direction must come in on that port, a reply on another
	 * one (the other port of the pair), or it is SW_FT_INV_ZONE.
	 */
	uint8_t port;
	/*
	 * A new flow's connection counter (sw_ft_tag_acquire), 0: none.
	 * When sw_ft_insert / sw_ft_proxy_open return 0 the flow holds the
	 * place the caller reserved, and gives it back when it ends; on
	 * any other return the caller still holds it.
	 */
	uint16_t tag;
	/*
	 * 1: the packet is the first fragment of its datagram. Its TCP
	 * checksum could not be checked and datalen counts only the bytes
	 * this fragment carries: it may only carry data (ACK, no SYN, FIN
	 * or RST) within an ESTABLISHED flow (else SW_FT_INV_FRAG), it
	 * earns nothing (not assured), and the rest of its length is
	 * added by sw_ft_advance() once the datagram's length is known.
	 */
	uint8_t frag;
};

#define SW_FT_NO_WSCALE 0xff

/* What the table says of a packet. Every reason but OK drops it. */
#define SW_FT_VERDICTS(X) \
	X(OK,        "pass") \
	X(INV_STATE, "not possible in the flow's state") \
	X(INV_FLAGS, "impossible TCP flag set") \
	X(INV_SEQ,   "sequence or acknowledgement outside the window") \
	X(INV_RST,   "RST outside the window") \
	X(INV_ZONE,  "arrived on the wrong port for its direction") \
	X(INV_ICMP,  "ICMP error that its flow's peer cannot have caused") \
	X(INV_FRAG,  "TCP first fragment outside an established flow, or with SYN, FIN or RST") \
	X(RETRY,     "the flow was let go: judge the packet as a miss")

enum sw_ft_verdict {
#define SW_FT_VERDICT_ENUM(n, d) SW_FT_##n,
	SW_FT_VERDICTS(SW_FT_VERDICT_ENUM)
#undef SW_FT_VERDICT_ENUM
	SW_FT_VERDICT_MAX
};

/*
 * What the caller must do with a packet of a flow the SYN proxy opened
 * (sw_ft_update fills it; act SW_FT_PX_NONE for every other flow).
 */
enum sw_ft_px_act {
	SW_FT_PX_NONE = 0,	/* forward unchanged */
	SW_FT_PX_FWD,		/* rewrite by the fields below, forward */
	SW_FT_PX_SYN,		/* a client segment before the server
				 * answered: send the server the SYN
				 * (seq, opts, tsval) instead */
	SW_FT_PX_ACK,		/* the server's SYN/ACK: answer it with the
				 * handshake's ACK (seq, ack, win, tsval,
				 * tsecr), back out its port */
	SW_FT_PX_DROP,		/* consumed (the client reset first) */
};

/* TCP options a SYN carries, as the SYN proxy keeps them in its cookie. */
struct sw_ft_syn_opts {
	uint16_t mss;		/* 0: none */
	uint8_t wscale;		/* SW_FT_NO_WSCALE: none */
	uint8_t sack_perm;
};

struct sw_ft_xlate {
	uint8_t act;		/* enum sw_ft_px_act */
	uint8_t win_from;	/* SW_FT_PX_FWD: window = (win << from) >> to, */
	uint8_t win_to;		/* capped at 65535 */
	uint8_t has_ts;		/* SW_FT_PX_SYN / _ACK: send a timestamp */
	uint32_t seq_add;	/* added to seq */
	uint32_t ack_add;	/* added to ack and to SACK block edges */
	uint32_t tsval_add;	/* added to the timestamp option's fields */
	uint32_t tsecr_add;
	uint32_t seq;		/* SW_FT_PX_SYN, SW_FT_PX_ACK */
	uint32_t ack;
	uint32_t tsval;
	uint32_t tsecr;
	uint16_t win;
	struct sw_ft_syn_opts opts;
	/*
	 * SW_FT_PX_ACK: also tell the client the server is there: an ACK
	 * with the server's window, in the client's numbers.
	 */
	uint16_t cli_win;
	uint32_t cli_seq;
	uint32_t cli_ack;
	uint32_t cli_tsval;
	uint32_t cli_tsecr;
};

/*
 * The packet *p hit slot `pos`: check it against the flow (port, state
 * table, TCP sequence windows as Linux's tcp_in_window), and if it is
 * valid count it, advance the state and refresh the flow. An invalid
 * packet changes nothing. For a flow the SYN proxy opened, *x (if not
 * NULL) says how to rewrite or answer the packet; the windows are
 * tracked in the server's sequence space. Returns enum sw_ft_verdict;
 * SW_FT_RETRY: while the shard's SYN proxy answers SYNs, a SYN from
 * the opener of a direct flow nobody ever answered (SYN_SENT), or of
 * a closed flow (TIME_WAIT, CLOSE; proxied or not), deleted that flow:
 * judge it as a miss, so it goes through the proxy (else a spoofed SYN
 * that repeats a tuple from before the proxy engaged would reach the
 * server as a retransmission, and one on a closed tuple as a reopening).
 * With per-source quotas, also a valid SYN that reopened a closed flow
 * (closed flows leave their source's count, as Linux's connlimit does
 * not count them): the new connection is a new flow for the quota.
 * Always, a SYN from the opener (on its port) on a CLOSE flow: as
 * Linux kills a closed or reset entry on a new SYN, whatever its ISN,
 * so an RST an off-path host forged in the client's name cannot hold
 * the tuple against the client's next connection.
 */
int sw_ft_update(struct sw_ft_shard *s, int32_t pos, const struct sw_ft_pkt *p,
		 uint64_t now, struct sw_ft_xlate *x);

/* ---- SYN proxy: cookies and proxied flows ---- */

/*
 * A SYN cookie for a SYN of key/dir with sequence number isn that came in
 * on `port`: the ISN of the proxy's SYN/ACK (counted: auto mode lets go
 * only when few cookies go unanswered). It encodes a time slice (64 s),
 * the MSS (the largest of Linux's table values not above o->mss), the
 * window scale and SACK-permitted, under a 22-bit MAC keyed with the
 * per-start secret over them, the tuple, the port and isn. *o is
 * updated to what the cookie carries. Pure; any thread.
 */
uint32_t sw_ft_cookie_make(struct sw_ft_shard *s, const struct sw_ft_key *key,
			   int dir, uint8_t port, uint32_t isn, uint64_t now,
			   struct sw_ft_syn_opts *o);

/*
 * sw_ft_cookie_make() for n SYNs at once, each
 * as the worker parsed it: seg[i]'s direction, ingress port, sequence
 * number (the ISN) and options. cookie[i] is its cookie, o[i] what the
 * cookie carries. The same cookies as n calls of sw_ft_cookie_make()
 * (SIMD where the CPU has it, sw_ft_hash_vector()).
 */
void sw_ft_cookie_make_burst(struct sw_ft_shard *s,
			     const struct sw_ft_key *const *key,
			     const struct sw_ft_pkt *const *seg,
			     struct sw_ft_syn_opts *o, uint32_t *cookie,
			     uint16_t n, uint64_t now);

/*
 * Is `cookie` (an ACK's ack - 1) one this process made for key/dir, the
 * ACK's ingress port and the client's isn (the ACK's seq - 1) within the
 * last three slices? Returns 0 with *o decoded, or -EINVAL.
 */
int sw_ft_cookie_check(const struct sw_ft_shard *s, const struct sw_ft_key *key,
		       int dir, uint8_t port, uint32_t isn, uint32_t cookie,
		       uint64_t now, struct sw_ft_syn_opts *o);

/*
 * sw_ft_cookie_check() for the shard's owner, with the per-source limit
 * on invalid cookies (sw_ft_conf.proxy_bad_cookies): returns 0 with *o
 * decoded, -EINVAL (invalid: counted against the ACK's source, the
 * opener of key/dir) or -EDQUOT (the source is past its limit: the
 * cookie was not checked).
 */
int sw_ft_cookie_verify(struct sw_ft_shard *s, const struct sw_ft_key *key,
			int dir, uint8_t port, uint32_t isn, uint32_t cookie,
			uint64_t now, struct sw_ft_syn_opts *o);

/* Change the limit on invalid cookies a source (live; a reload). */
void sw_ft_set_bad_cookies(struct sw_ft *ft, uint32_t limit);

/* True when the shard answers accepted SYNs with cookies now. */
bool sw_ft_proxying(const struct sw_ft_shard *s);

/* The SYN proxy's mode (enum sw_ft_proxy_mode), as last set. */
uint8_t sw_ft_proxy_mode(const struct sw_ft_shard *s);

/*
 * Open a flow for the client whose ACK *p carried a valid cookie (the
 * options o it decoded): the proxy now connects to the server, and *x
 * describes the SYN the caller must send it (SW_FT_PX_SYN). Returns as
 * sw_ft_insert(); for a flow already there (a repeated ACK), *x says
 * what sw_ft_update() would.
 */
int sw_ft_proxy_open(struct sw_ft_shard *s, const struct sw_ft_key *key,
		     const struct sw_ft_pkt *p, uint32_t cookie,
		     const struct sw_ft_syn_opts *o, uint64_t now,
		     struct sw_ft_xlate *x, uint8_t *why);

/*
 * Change the SYN proxy's mode and auto threshold (live; a reload). A
 * flow opened by the proxy stays proxied, one opened directly stays
 * direct.
 */
void sw_ft_set_proxy(struct sw_ft *ft, uint8_t mode, uint8_t start);

/*
 * An ICMP/ICMPv6 error quotes a packet of the flow at `pos`: *quoted
 * describes it (dir: the quoted packet's direction; seq: its TCP
 * sequence number; port: the port the error came in on). Related only
 * if the error travels against the quoted packet's direction, from the
 * side the quoted packet went to, and (TCP) the quoted sequence number
 * lies within its sender's window. The caller checks that the error is
 * addressed to the quoted packet's source and is no redirect. Nothing
 * in the flow changes. Returns SW_FT_OK or SW_FT_INV_ICMP.
 */
int sw_ft_related(const struct sw_ft_shard *s, int32_t pos,
		  const struct sw_ft_pkt *quoted);

enum sw_ft_miss {
	SW_FT_MISS_NEW = 0,	/* may open a flow if the policy accepts */
	SW_FT_MISS_LOOSE,	/* TCP mid-stream: may open one (tcp_loose) */
	SW_FT_MISS_MIDSTREAM,	/* valid TCP that cannot open a flow */
	SW_FT_MISS_UNTRACKED,	/* judged by the policy, never tracked */
	SW_FT_MISS_INVALID,	/* drop: impossible TCP flags */
};

/*
 * What a packet that missed may become. TCP: a SYN without ACK is NEW;
 * a plain ACK is LOOSE when tcp_loose; other valid flag sets (SYN/ACK,
 * FIN, RST, and ACK without tcp_loose) are MIDSTREAM: they belong to a
 * connection the table does not hold; impossible flag sets INVALID.
 * ICMP/ICMPv6 echo requests are NEW, other ICMP UNTRACKED. Every other
 * protocol is NEW.
 */
int sw_ft_miss_kind(const struct sw_ft_shard *s, uint8_t family,
		    uint8_t proto, uint8_t tcp_flags, uint8_t icmp_type);

/*
 * False for TCP flag sets no stack sends (SYN+FIN, no flags, FIN
 * without ACK, ...), as Linux's tcp_valid_flags. Any thread.
 */
bool sw_ft_tcp_flags_valid(uint8_t tcp_flags);

/* True when the shard picks up TCP mid-stream (flowtable.tcp_loose). */
bool sw_ft_loose(const struct sw_ft_shard *s);

/*
 * Insert a flow opened by *p (the ingress port is remembered for the
 * direction check and for sw_ft_revalidate()'s judge), then count the
 * packet as sw_ft_update() would. Returns
 *   0        inserted;
 *   1        the key was already there (opened earlier in this burst):
 *            updated as by sw_ft_update;
 *   -EINVAL  the packet is invalid (*why: enum sw_ft_verdict);
 *   -ENOSPC  the shard is full even after early drop: the packet must
 *            spill, and the shard is spilling;
 *   -EDQUOT  the opener's source is over its per-source quota (live
 *            flows or new flows a second): nothing was inserted;
 *   -EBUSY   the shard is not full, but rte_hash has no room for the
 *            key: both its buckets are full (a keyed hash makes this
 *            as rare as chance allows), or deleted slots still wait
 *            out a walker's grace period. This packet cannot be
 *            tracked; nothing was evicted and the shard is not
 *            spilling.
 * Above the high-water mark no cuckoo search is tried.
 */
int sw_ft_insert(struct sw_ft_shard *s, const struct sw_ft_key *key,
		 const struct sw_ft_pkt *p, uint64_t now, uint8_t *why);
/* The same with the key's sw_ft_key_hash() already taken. */
int sw_ft_insert_hash(struct sw_ft_shard *s, const struct sw_ft_key *key,
		      uint32_t hash, const struct sw_ft_pkt *p, uint64_t now,
		      uint8_t *why);

/*
 * The rest of a TCP segment whose first fragment passed flow `pos`
 * (packet direction dir, ingress port): its datagram's length is now
 * known, and its sender has sent up to `end`. The sender's edge moves
 * there if the flow is still ESTABLISHED, the port is the one its
 * direction comes in on, and `end` lies within what the receiver
 * allows (a forged last fragment cannot stretch the window). Returns
 * SW_FT_OK, or the verdict that left the flow unchanged.
 */
int sw_ft_advance(struct sw_ft_shard *s, int32_t pos, uint8_t dir,
		  uint8_t port, uint32_t end);

/*
 * True while the shard is spilling: an insert failed, and the shard has
 * not yet dropped below 90 % of its size. Misses that are not NEW then
 * go to the fallback rules, so connections they admitted keep working.
 */
bool sw_ft_spilling(const struct sw_ft_shard *s);

/*
 * Examine the next SW_FT_EXPIRE_BATCH slots and delete what timed out,
 * if they are due: the hand goes round a shard in no less than 50 ms
 * (and at once while a flush or revalidation runs). Call it every poll.
 */
#define SW_FT_EXPIRE_BATCH 32
void sw_ft_expire(struct sw_ft_shard *s, uint64_t now);

/*
 * ---- Connection counters (tags) ----
 *
 * Live flows counted under a tag (1 .. SW_FT_MAX_TAGS - 1), shared by
 * every shard: spillway gives each rule with a connection limit a tag,
 * so a rule's limit holds across workers. A tag counts its flows
 * altogether, or per source prefix (the opener's address cut to the
 * tag's v4/v6 prefix lengths), the latter in a keyed count-min sketch
 * of two rows that never counts a source low (a collision can only
 * make it look busier). A flow takes its place before it is inserted
 * and gives it back when it is deleted, whatever deletes it, or when a
 * TCP flow closes (TIME_WAIT, CLOSE), as nf_conncount does not count
 * closed connections; a SYN that reopens a closed flow then goes back
 * to the rules (SW_FT_RETRY) to take a place again.
 */
#define SW_FT_MAX_TAGS 1024

/*
 * Set tag t's prefixes (0: the tag's flows whatever their source).
 * Control thread (or a reload's), only while t has no live flow and no
 * published rule uses it. Returns 0, -EINVAL, -EBUSY (flows hold it),
 * -ENOMEM (the first per-source tag allocates the 256 KiB sketch).
 */
int sw_ft_tag_setup(struct sw_ft *ft, uint16_t t, uint8_t v4_prefix,
		    uint8_t v6_prefix);

/*
 * Reserve a place for one more flow of tag t from source `src` (4 or
 * 16 bytes, network order): 0 when the tag (or that source's prefix)
 * held fewer than max, else -EDQUOT and nothing reserved. Any worker,
 * lock-free.
 */
int sw_ft_tag_acquire(struct sw_ft *ft, uint16_t t, uint32_t max,
		      uint8_t family, const uint8_t *src);
/* Give a place back (a packet that reserved one and opened no flow). */
void sw_ft_tag_release(struct sw_ft *ft, uint16_t t, uint8_t family,
		       const uint8_t *src);
/* Would one more flow from src still fit under max? Reserves nothing. */
bool sw_ft_tag_fits(const struct sw_ft *ft, uint16_t t, uint32_t max,
		    uint8_t family, const uint8_t *src);
/* Live flows of tag t, all sources. Any thread. */
uint32_t sw_ft_tag_count(const struct sw_ft *ft, uint16_t t);

/* ---- Control side ---- */

/*
 * A flush's filter, called on the shard's owner during its sweep: true
 * deletes the flow. Arguments as sw_ft_judge_cb's. Must not block.
 */
typedef bool (*sw_ft_match_cb)(unsigned int shard, const struct sw_ft_key *key,
			       int orig_dir, uint8_t port, uint8_t state,
			       void *arg);

/*
 * Ask every shard's owner to delete all its flows, or those `match`
 * names (NULL: all; it and `arg` must stay until the flush is done).
 * Asynchronous: each worker deletes during its next full sweep of its
 * shard (bounded work per poll, done within milliseconds while it
 * polls). Returns the flush's ticket for sw_ft_flush_done(). One flush
 * at a time: ask the next once the last is done. Control thread.
 */
uint32_t sw_ft_flush(struct sw_ft *ft, sw_ft_match_cb match, void *arg);

/*
 * True once every shard has finished the flush of `ticket` (its flows
 * are gone, the filter is no longer used); *deleted (may be NULL) then
 * holds how many it deleted in all. Control thread.
 */
bool sw_ft_flush_done(const struct sw_ft *ft, uint32_t ticket,
		      uint64_t *deleted);

/*
 * Judge of a live flow, called on the shard's owner during a
 * revalidation sweep: return false to delete the flow. `orig_dir` is the
 * opener's side; `port` the opener's ingress port; `state` its enum
 * sw_ft_state. Must not block.
 */
typedef bool (*sw_ft_judge_cb)(unsigned int shard, const struct sw_ft_key *key,
			       int orig_dir, uint8_t port, uint8_t state,
			       void *arg);

/* Set the judge (before the workers start). */
void sw_ft_set_judge(struct sw_ft *ft, sw_ft_judge_cb cb, void *arg);

/*
 * Ask every owner to pass each of its live flows to the judge once
 * (asynchronous, like sw_ft_flush). Flows it rejects are deleted and
 * counted as revalidated.
 */
void sw_ft_revalidate(struct sw_ft *ft);

/*
 * True while a revalidation asked for has not swept every shard yet
 * (control thread: what the judge reads must stay until then).
 */
bool sw_ft_revalidate_pending(const struct sw_ft *ft);

/* Change tcp_loose / tcp_be_liberal / early_drop of every shard (live). */
void sw_ft_set_options(struct sw_ft *ft, bool tcp_loose, bool tcp_be_liberal,
		       bool early_drop);

/*
 * A shard's counters and gauges, declared once: struct sw_ft_stats, the
 * shard's own counters (ft_private.h), the copy sw_ft_shard_stats()
 * makes and every report a caller writes are generated from this list
 * (OVS CT_TIMEOUTS, VPP foreach_acl_fa_error). X(name, kind, total,
 * help): kind COUNTER (only grows), GAUGE (up and down) or FLAG (0 or
 * 1); total says how shards add up to the table: SUM, MIN or MAX.
 */
#define SW_FT_STATS(X) \
	X(flows,         GAUGE,   SUM, "flows in the table") \
	X(inserts,       COUNTER, SUM, "flows inserted") \
	X(insert_failed, COUNTER, SUM, "inserts failed: table full after early drop, the packet spilled") \
	X(insert_busy,   COUNTER, SUM, "inserts failed: a key's buckets full while the shard is not (that packet spilled)") \
	X(early_drops,   COUNTER, SUM, "unassured or closing flows evicted for new ones") \
	X(early_drops_assured, COUNTER, SUM, "assured UDP (or other connectionless) flows evicted for new ones, none unassured left") \
	X(expired,       COUNTER, SUM, "flows timed out") \
	X(flushed,       COUNTER, SUM, "flows deleted by flush flows") \
	X(revalidated,   COUNTER, SUM, "flows deleted after a reload: the new policy denies them") \
	X(evictable,     GAUGE,   SUM, "live flows early drop may take (unassured or closing)") \
	X(evictable_assured, GAUGE, SUM, "assured UDP (or other connectionless) flows early drop takes when no unassured one is left") \
	X(proxy_engaged, COUNTER, SUM, "times the SYN proxy engaged (auto mode)") \
	X(proxy_flows,   COUNTER, SUM, "flows the SYN proxy opened") \
	X(src_over,      COUNTER, SUM, "inserts refused: the source is over its per-source quota") \
	X(src_untracked, COUNTER, SUM, "new sources that found their quota chain full (each took the lightest entry's place)") \
	X(sync_applied,  COUNTER, SUM, "flows put in from the HA peer or a state file (inserted or merged)") \
	X(sync_events,   COUNTER, SUM, "flow events made for the HA peer (new, changed, deleted, refreshed)") \
	X(sync_ev_dropped, COUNTER, SUM, "flow events for the HA peer lost: the shard's buffer was full") \
	X(spilling,      FLAG,    MAX, "1 while the shard spills to the fallback rules") \
	X(proxying,      FLAG,    MAX, "1 while the SYN proxy answers SYNs with cookies") \
	X(adaptive_scale_permille, GAUGE, MIN, "timeouts scaled to this per mille (1000: unscaled)") \
	X(max_flows,     GAUGE,   SUM, "flows the shard may hold") \
	X(occupancy_permille, GAUGE, MAX, "flows per mille of the shard's size (all shards: the fullest)")

enum sw_ft_stat {
#define SW_FT_STAT_ENUM(n, k, t, d) SW_FT_STAT_##n,
	SW_FT_STATS(SW_FT_STAT_ENUM)
#undef SW_FT_STAT_ENUM
	SW_FT_STAT_MAX
};

struct sw_ft_stats {
#define SW_FT_STAT_FIELD(n, k, t, d) uint64_t n;
	SW_FT_STATS(SW_FT_STAT_FIELD)
#undef SW_FT_STAT_FIELD
};

/* A source of the per-source quota table, for listings. */
struct sw_ft_source {
	uint8_t family;
	uint8_t plen;
	uint8_t addr[16];
	uint32_t flows;		/* live flows it opened (this shard) */
	uint32_t new_per_s;	/* new flows in the last full second */
	uint32_t opened;	/* flows it opened in all */
};

typedef int (*sw_ft_source_cb)(unsigned int shard,
			       const struct sw_ft_source *src, void *arg);

/*
 * Visit the sources of shard i's quota table that hold flows or opened
 * some lately (control thread; a value may be a packet stale). Returns
 * how many were visited; none when quotas are off.
 */
unsigned int sw_ft_sources(const struct sw_ft *ft, unsigned int shard,
			   sw_ft_source_cb cb, void *arg);

/* Stats of shard i (no locks; a few packets stale is fine). */
void sw_ft_shard_stats(const struct sw_ft *ft, unsigned int i,
		       struct sw_ft_stats *st);

/* Set / read a timeout (seconds). Live flows follow at once. */
void sw_ft_set_timeout(struct sw_ft *ft, unsigned int t, uint32_t seconds);
uint32_t sw_ft_get_timeout(const struct sw_ft *ft, unsigned int t);

/* One side's TCP window state, as Linux's struct ip_ct_tcp_state. */
struct sw_ft_tcp_side {
	uint32_t end;		/* highest sequence number sent, + 1 */
	uint32_t maxend;	/* highest the other side allows (ack+win) */
	uint32_t maxwin;	/* largest window seen (scaled) */
	uint8_t scale;		/* window scale in use */
	uint8_t flags;		/* SW_FT_TCPF_* */
};

#define SW_FT_TCPF_WSCALE	0x01	/* sent the window scale option */
#define SW_FT_TCPF_SACK_PERM	0x02	/* sent SACK-permitted */
#define SW_FT_TCPF_UNACKED	0x04	/* data not yet acknowledged */
#define SW_FT_TCPF_PICKUP	0x08	/* picked up mid-stream: scale unknown */
/*
 * The side's numbers came from the HA peer (or a state file) and no
 * packet of that side has passed here since: its window is learnt
 * again from its next segment, and the other side's segments are
 * checked liberally until then (sw_ft_import).
 */
#define SW_FT_TCPF_UNSEEN	0x40
/*
 * The side was learnt again from one segment after a takeover, which
 * may have been a retransmission: it may have sent more through the
 * old node than its end says. Until the other side acknowledges its
 * end, an acknowledgement beyond it, within one of the acknowledger's
 * windows, passes and moves the end there (Linux's receiver set up from
 * the acknowledgement on a pick-up).
 */
#define SW_FT_TCPF_RELEARNT	0x80

struct sw_ft_info {
	unsigned int shard;
	uint32_t hash;		/* the keyed hash of the key */
	uint8_t state;		/* enum sw_ft_state */
	uint8_t orig_dir;	/* side that opened: enum sw_ft_dir */
	uint8_t port;		/* the opener's ingress port */
	bool assured;
	bool replied;
	bool proxied;		/* opened by the SYN proxy */
	uint32_t px_delta;	/* proxied: server ISN - cookie */
	uint32_t px_tsoff;	/* proxied: server clock - the proxy's */
	uint64_t pkts[2];	/* [0] opener -> peer, [1] replies */
	uint64_t bytes[2];
	uint64_t remaining;	/* seconds before expiry */
	uint64_t remaining_ms;	/* the same in milliseconds */
	bool synced;		/* its state came from the HA peer and a
				 * side has not been seen here since */
	struct sw_ft_tcp_side tcp[2];	/* [0] opener, [1] responder */
};

/* Return non-zero to stop the walk. */
typedef int (*sw_ft_walk_cb)(const struct sw_ft_key *key,
			     const struct sw_ft_info *info, void *arg);

/*
 * Visit every live flow of every shard, concurrently with the workers,
 * as reader `reader` (< SW_FT_MAX_READERS, one per thread). Returns
 * the number of flows visited.
 */
unsigned int sw_ft_walk(struct sw_ft *ft, unsigned int reader, uint64_t now,
			sw_ft_walk_cb cb, void *arg);

/*
 * Where a walk stands, for listings that go on across calls (show flows,
 * streamed to a slow client). Zero it to start at the first slot.
 */
struct sw_ft_cursor {
	unsigned int shard;
	uint32_t pos;
};

/*
 * Go on with a walk from *cur: examine at most max_slots slots (live or
 * not), calling cb for each live flow, and leave *cur where the next
 * call goes on. A callback that returns non-zero ends the call early,
 * with *cur just after its flow. The reader is online only during the
 * call: between calls the owners reclaim what they delete, however
 * long the caller waits. A flow may be missed or seen twice only if it
 * is deleted and its slot reused between calls, as in `conntrack -L`
 * on a busy table. Returns the number of flows visited. Control side;
 * `reader` as for
 * sw_ft_walk().
 */
unsigned int sw_ft_walk_from(struct sw_ft *ft, unsigned int reader,
			     struct sw_ft_cursor *cur, uint32_t max_slots,
			     uint64_t now, sw_ft_walk_cb cb, void *arg);

/* True once a walk from *cur has seen every slot. */
bool sw_ft_walk_done(const struct sw_ft *ft, const struct sw_ft_cursor *cur);

/* ---- State sync: a flow's whole state, out and in (ft_sync.c) ---- */

/*
 * Everything another table needs to carry a flow on: its key, state,
 * marks, the opener's port, both sides' TCP windows and scales, the
 * SYN proxy's sequence and timestamp offsets, and the time it has left
 * (not an absolute time: the clocks of two hosts, or of two runs, do
 * not agree). Packet and byte counters are not carried. Plain data,
 * the same on every host of one byte order; app/ha puts it on the wire
 * field by field.
 */
struct sw_ft_flowstate {
	struct sw_ft_key key;
	uint64_t remaining_ms;	/* before it expires, where it was taken */
	uint32_t px_delta;	/* SW_FT_FS_PROXY: server ISN - cookie */
	uint32_t px_tsoff;	/* SW_FT_FS_PROXY: server clock - proxy's */
	uint8_t state;		/* enum sw_ft_state */
	uint8_t flags;		/* SW_FT_FS_* */
	uint8_t port;		/* the opener's ingress port */
	uint8_t pad[5];
	struct sw_ft_tcp_side tcp[2];	/* [0] opener, [1] responder */
};

#define SW_FT_FS_ORIG_HI	0x01	/* the higher endpoint opened it */
#define SW_FT_FS_ASSURED	0x02
#define SW_FT_FS_REPLIED	0x04
#define SW_FT_FS_PROXY		0x08	/* opened by the SYN proxy */

/* The state of a flow a walk visited (key and info from the walk). */
void sw_ft_info_state(const struct sw_ft_key *key,
		      const struct sw_ft_info *info,
		      struct sw_ft_flowstate *fs);

/*
 * Which flows a table reports for its HA peer (sw_ft_set_sync):
 *   OFF   none;
 *   KEEP  flows worth keeping: once assured (TCP: the exact handshake,
 *         or a picked-up flow's answer; UDP and others: both ways and
 *         2 s), at once; when an assured TCP flow leaves ESTABLISHED,
 *         by the sweep, at least SW_FT_SYNC_CHANGE_S after its last
 *         report, with the state its close reached by then; and when a
 *         reported flow this node forwarded is deleted, but for the
 *         expiry of one reported closing (the peer's copy runs out by
 *         itself): a connection costs two reports, established and
 *         closing, or established and gone if it went within that
 *         second; never a half-open flow, so a SYN flood is not
 *         repeated to the peer;
 *   ALL   every new flow at once (the peer must know it before its
 *         reply can come through it: active-active) and every change
 *         of state or marks, as well as the deletions.
 * Reported flows that saw packets here are reported again every
 * `refresh_s` seconds (or half their timeout, if shorter), so that the
 * peer's copy keeps its remaining time and windows.
 */
enum sw_ft_sync_mode {
	SW_FT_SYNC_OFF = 0,
	SW_FT_SYNC_KEEP,
	SW_FT_SYNC_ALL,
};

/* KEEP: how long a close waits to be told, at least (seconds). */
#define SW_FT_SYNC_CHANGE_S 1

/* What an event says of its flow. */
enum sw_ft_ev_op {
	SW_FT_EV_UPSERT = 1,	/* here is its state now */
	SW_FT_EV_NEW,		/* a new flow (SW_FT_SYNC_ALL) */
	SW_FT_EV_DELETE,	/* it is gone (fs: only key and flags set) */
};

/* Why a flow was deleted (SW_FT_EV_DELETE's reason). */
#define SW_FT_DEL_REASONS(X) \
	X(EXPIRED, "expired") \
	X(FLUSHED, "flushed") \
	X(REVALIDATED, "denied after a reload") \
	X(EVICTED, "taken by early drop") \
	X(RESTARTED, "a new connection took its tuple") \
	X(PEER, "the peer deleted it")

enum sw_ft_del_reason {
#define SW_FT_DEL_ENUM(n, d) SW_FT_DEL_##n,
	SW_FT_DEL_REASONS(SW_FT_DEL_ENUM)
#undef SW_FT_DEL_ENUM
	SW_FT_DEL_MAX
};

/*
 * One event of a shard, for its HA peer. `hold` (SW_FT_SYNC_ALL): the
 * peer must have it before the packet that made it goes on, as it may
 * see the answer first: a new flow, or a change of a flow whose other
 * side passes through the peer (see sw_ft_hold_event). `tag` is the
 * caller's: the table leaves it 0 (spillway puts a held packet's id
 * there). A deletion carries its key and flags only: the rest of fs is
 * left as it was (events are written in place, in a ring's slots) and
 * must not be read.
 */
struct sw_ft_event {
	uint8_t op;		/* enum sw_ft_ev_op */
	uint8_t reason;		/* SW_FT_EV_DELETE: enum sw_ft_del_reason */
	uint8_t hold;
	uint8_t pad;
	uint32_t tag;
	struct sw_ft_flowstate fs;
};

/* Events a shard keeps between two takings (sw_ft_events, _publish). */
#define SW_FT_EV_MAX 256

/*
 * Set which flows every shard reports, and how often a busy reported
 * flow is reported again. The control thread, live (relaxed stores the
 * owners read). The event buffers of shards without a ring
 * (sw_ft_set_events_ring) are allocated by the first call with a mode
 * other than OFF: make it before the workers start. Returns 0, or
 * -ENOMEM.
 */
int sw_ft_set_sync(struct sw_ft *ft, uint8_t mode, uint32_t refresh_s);

/*
 * Shard s writes its events straight into ring r, with no copy: r's
 * elements are struct sw_ft_event (rte_ring_create_elem), its producer
 * single (RING_F_SP_ENQ: the shard's owner), its consumer the caller's.
 * The owner reserves room in r (rte_ring's zero-copy enqueue) at its
 * first event after a publish, at most SW_FT_EV_MAX, writes the events
 * there, and sw_ft_events_publish() lets the consumer have them. NULL:
 * the shard's own buffer again (sw_ft_events). The control thread,
 * before the owner runs, and before sw_ft_set_sync (then no buffer is
 * allocated), or after the owner has stopped. Returns 0, or -EINVAL (r
 * is not single-producer).
 */
int sw_ft_set_events_ring(struct sw_ft_shard *s, struct rte_ring *r);

/*
 * With a ring: hand the owner's events since its last call to the
 * ring's consumer. Returns how many; *lost: how many found no room in
 * the ring (the consumer is behind). Events beyond SW_FT_EV_MAX between
 * two calls are dropped and counted (sync_ev_dropped). Owner only;
 * call it after each burst and each sw_ft_expire(). Without a ring it
 * returns 0 and leaves the events to sw_ft_events.
 */
unsigned int sw_ft_events_publish(struct sw_ft_shard *s, unsigned int *lost);

/*
 * Without a ring: the owner's events since its last call: *ev points
 * at n of them, valid until the next call of the table on this shard.
 * Events that found the buffer full were dropped and counted
 * (sync_ev_dropped). Owner only; call it after each burst and each
 * sw_ft_expire(), so the buffer never holds more than a burst's and a
 * sweep's worth.
 */
unsigned int sw_ft_events(struct sw_ft_shard *s, struct sw_ft_event **ev);

/*
 * Events the owner made (or lost) since they were last taken: before a
 * packet, so that sw_ft_hold_event(s, since) finds the event the
 * packet made if that event asks to hold it (a new flow; a flow that
 * also passes through the peer changed state), so the caller may tag
 * it and hold the packet. NULL: none asks to. An event with op 0: the
 * one that asked was lost (no room): the peer will not hear of the
 * flow now, so there is nothing to wait for. Owner only, before its
 * next call.
 */
unsigned int sw_ft_events_count(const struct sw_ft_shard *s);
struct sw_ft_event *sw_ft_hold_event(struct sw_ft_shard *s,
				     unsigned int since);

/*
 * The state of the flow at pos, as of `now` (its owner; tests).
 */
void sw_ft_export(const struct sw_ft_shard *s, int32_t pos, uint64_t now,
		  struct sw_ft_flowstate *fs);

/*
 * Put a flow the HA peer (or a state file) reports into the owner's
 * shard, as of `now`. A new flow is inserted without a per-source
 * quota and without an event; it is forwarded as its state allows,
 * each TCP side's window being learnt again from that side's next
 * segment (SW_FT_TCPF_UNSEEN). A flow already here is merged: the
 * later state wins (TCP states never go back, but a closed flow may
 * be reopened), a side takes the reported numbers when they are ahead
 * of its own or it has not been seen here, marks are added, and the
 * later expiry stays. Returns
 *   0        inserted;
 *   1        merged into the flow that was here;
 *   -EINVAL  a state or key no table holds (nothing changed);
 *   -ENOSPC  the shard is full even after early drop;
 *   -EBUSY   rte_hash has no room for the key now.
 * Owner only.
 */
int sw_ft_import(struct sw_ft_shard *s, const struct sw_ft_flowstate *fs,
		 uint64_t now);

/*
 * Delete the flow of key because the HA peer deleted it (no event
 * back). keep_local: not if a packet passed here since it was inserted
 * or reported (both nodes forward it: each lets it expire by itself).
 * Returns 0, -ENOENT (no such flow) or -EBUSY (kept). Owner only.
 */
int sw_ft_remove(struct sw_ft_shard *s, const struct sw_ft_key *key,
		 bool keep_local);

#endif /* SW_FT_H */
