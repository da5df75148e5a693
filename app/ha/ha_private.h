/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * Private to app/ha: the running sync, the wire format (ha_wire.c) and
 * the state file (ha_state.c).
 */
#ifndef SW_HA_PRIVATE_H
#define SW_HA_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "config.h"
#include "ha.h"
#include "shardmap.h"
#include "sw_ft.h"

/*
 * Big-endian fields of the wire and the state file, at any alignment
 * (one definition for ha_wire.c, ha_net.c and ha_state.c).
 */
static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static inline void
put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static inline uint64_t
get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}
#include "syncq.h"

struct sw_app;
struct sw_buf;

/* ---- the wire (ha_wire.c; DESIGN.md draws it) ---- */

#define HA_MAGIC	0x53574841u	/* "SWHA" */
#define HA_VERSION	1
#define HA_HDR_LEN	48
#define HA_MAC_LEN	16		/* BLAKE2b-128, keyed */
#define HA_REC_LEN	100		/* one flow */
#define HA_KEY_LEN	32		/* the MAC key, from the key file */
/* The largest datagram: one Ethernet frame's UDP payload over IPv6. */
#define HA_DGRAM_MAX	1452
#define HA_RECS_MAX	((HA_DGRAM_MAX - HA_HDR_LEN - HA_MAC_LEN) / HA_REC_LEN)
#define HA_ACKS_MAX	((HA_DGRAM_MAX - HA_HDR_LEN - HA_MAC_LEN) / 4)

enum ha_type {
	HA_HELLO = 1,		/* every second: role, mode, zones, echo */
	HA_FLOWS,		/* records (flag HA_F_BULK: of a bulk) */
	HA_BULK_REQ,		/* send me every flow (aux: request id) */
	HA_BULK_BEGIN,		/* aux: request id; payload: flows, u64 */
	HA_BULK_END,		/* aux: request id; payload: sent, u64 */
	HA_ACK,			/* payload: the tags of new flows, u32 each */
	HA_TYPE_MAX
};

#define HA_F_BULK	0x01

/* A message's header, decoded (host order). */
struct ha_hdr {
	uint8_t type;
	uint8_t flags;
	uint16_t count;		/* records or tags */
	uint32_t node;		/* the sender's node id */
	uint32_t len;		/* the whole datagram, MAC included */
	uint64_t epoch;		/* the sender's run */
	uint64_t seq;		/* the sender's message number */
	uint64_t aux;		/* by type */
};

/* HELLO's payload. */
struct ha_hello {
	uint8_t role;		/* enum sw_ha_role */
	uint8_t mode;		/* enum sw_ha_mode */
	uint8_t bulk_done;
	uint64_t zones;		/* digest of ports, pairs, zones */
	uint64_t flows;		/* flows in its table */
	uint64_t echo;		/* the epoch it last heard from us */
};
#define HA_HELLO_LEN	32

/* The MAC key (HA_KEY_LEN bytes) from the key file's bytes. */
void ha_key_derive(uint8_t *key, const uint8_t *bytes, size_t len);

/* A 32-bit node id of an address and port (host order). */
uint32_t ha_node_id(const uint8_t *addr, uint16_t port);

/*
 * Seal a datagram in buf: its header from h (len is set here from
 * payload_len), then the MAC. Returns the datagram's length.
 */
size_t ha_seal(uint8_t *buf, struct ha_hdr *h, size_t payload_len,
	       const uint8_t *key);

/*
 * Open a received datagram: its length, the MAC, the header. Returns 0
 * with *h filled, or -1 (nothing may be believed of it).
 */
int ha_open(const uint8_t *buf, size_t len, struct ha_hdr *h,
	    const uint8_t *key);

/* One record <-> an event (op, reason, tag, flow state). */
void ha_rec_put(uint8_t *p, const struct sw_ft_event *e);
int ha_rec_get(const uint8_t *p, struct sw_ft_event *e);

void ha_hello_put(uint8_t *p, const struct ha_hello *h);
void ha_hello_get(const uint8_t *p, struct ha_hello *h);

/*
 * The replay window of one sender's run: the highest sequence number
 * seen and the 64 below it. Returns true if seq is new (and records
 * it), false if seen or too old.
 */
struct ha_window {
	uint64_t top;
	uint64_t bits;		/* bit i: top - i seen */
};
bool ha_window_take(struct ha_window *w, uint64_t seq);

/* The digest of what makes two nodes' flows comparable: zones. */
uint64_t ha_zones_digest(const struct sw_config *cfg);

/* ---- the running sync (ha.c) ---- */

/* What this node knows of its peer. */
struct ha_peer {
	uint64_t epoch;		/* the highest run heard from */
	bool live;		/* that run has echoed ours */
	struct ha_window win;
	double heard;		/* monotonic seconds of the last message */
	struct ha_hello hello;	/* its last HELLO */
	bool zones_ok;
	bool zones_logged;
};

/* A bulk this node asked for. */
enum {
	HA_BULK_IDLE = 0,
	HA_BULK_ASKED,
	HA_BULK_RECEIVING,
	HA_BULK_DONE,
};

#define HA_TX_BATCH	64	/* datagrams a sendmmsg takes */
#define HA_RX_BUDGET	256	/* datagrams one pass reads at most */
#define HA_TX_BUDGET	256	/* datagrams one pass sends at most */
#define HA_WALK_SLOTS	16384	/* slots a bulk pass walks at most */
#define HA_BULK_PASS	64	/* bulk datagrams one pass sends at most */
#define HA_BULK_TRIES	3	/* a bulk that lost datagrams: asked again */
#define HA_WALK_READER	(SW_FT_MAX_READERS - 1)

struct sw_ha {
	struct sw_app *app;
	int fd;
	struct sockaddr_storage peer_sa;
	socklen_t peer_len;
	uint8_t key[HA_KEY_LEN];
	uint32_t node;		/* ours */
	uint32_t peer_node;
	uint64_t epoch;		/* ours */
	uint64_t seq;		/* our next message */
	uint64_t zones;
	uint8_t mode;		/* enum sw_ha_mode */
	uint8_t role;		/* enum sw_ha_role */
	bool defer_on;		/* what the workers were told */
	struct sw_shardmap map;
	unsigned int nb_workers;
	struct sw_syncq *q[SW_MAX_WORKERS];
	struct ha_peer peer;
	uint64_t cnt[SW_HA_STAT_MAX];	/* the control thread's own */
	double next_hello;

	/* Sending: datagrams being filled, then sent together. */
	uint8_t tx[HA_TX_BATCH][HA_DGRAM_MAX];
	size_t tx_len[HA_TX_BATCH];
	unsigned int nb_tx;	/* sealed, waiting for sendmmsg */
	unsigned int sent_pass;	/* datagrams this pass */
	uint8_t cur[HA_DGRAM_MAX];	/* the FLOWS datagram being filled */
	unsigned int cur_n;
	uint8_t cur_flags;
	double tokens;		/* ha.max_updates_per_s's bucket */
	double refilled;

	/* Acknowledgements of the peer's new flows, to send. */
	uint32_t acks[HA_ACKS_MAX];
	unsigned int nb_acks;

	/* A bulk for the peer: our table, walked a chunk a pass. */
	bool bulk_out;
	uint64_t bulk_out_id;
	uint64_t bulk_out_sent;
	struct sw_ft_cursor bulk_cur;

	/* The bulk asked of the peer. */
	int bulk_in;
	uint64_t bulk_in_id;
	uint64_t bulk_in_got;
	uint64_t bulk_in_total;
	double bulk_asked;
	double bulk_began;
	double bulk_took;	/* seconds, once done */
	unsigned int bulk_tries;	/* asked again: it came incomplete */
	double bulk_heard;	/* the last datagram of the bulk asked */
};

/* The peer is up while heard from within this (hellos: every second). */
#define HA_PEER_UP_S	3.0
#define HA_HELLO_S	1.0
/* A bulk request not answered is asked again after this. */
#define HA_BULK_RETRY_S	2.0
#define HA_BULK_STALL_S	3.0	/* a bulk silent this long: asked again */

/*
 * The messages (ha_net.c), on the control thread. ha_rx reads what
 * came (a budget of datagrams); the senders fill datagrams that
 * ha_seal_flows closes and ha_flush_tx sends. ha_peer_up: the peer is
 * heard from, knows this run and agrees on zones.
 */
void ha_rx(struct sw_ha *ha, double now);
void ha_send_acks(struct sw_ha *ha);
void ha_send_hello(struct sw_ha *ha, double now);
void ha_ask_bulk(struct sw_ha *ha, double now);
void ha_send_updates(struct sw_ha *ha, double now);
void ha_bulk_step(struct sw_ha *ha);
void ha_seal_flows(struct sw_ha *ha);
void ha_flush_tx(struct sw_ha *ha);
bool ha_peer_up(const struct sw_ha *ha, double now);
uint64_t ha_total_flows(const struct sw_app *app);

/* ---- the state file (ha_state.c) ---- */

/*
 * Load flowtable.state_file into the table (before the workers run),
 * or refuse it whole with its reason in the log. Returns 0 (loaded,
 * none, or refused: the table then starts empty) or -1 (the flows'
 * shards cannot be known).
 */
int ha_state_load(struct sw_app *app, const struct sw_shardmap *map);

/* Write flowtable.state_file (the workers have stopped). */
void ha_state_save(struct sw_app *app);

#endif /* SW_HA_PRIVATE_H */
