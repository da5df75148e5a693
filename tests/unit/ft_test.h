/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * What the lib/flowtable suites (test_ft_*.c) share: tables, a model of
 * TCP conversations that gives segments the numbers real stacks would,
 * and the walk that finds a flow. Time is driven: hz = 1, `now` in
 * seconds.
 */
#ifndef SW_FT_TEST_H
#define SW_FT_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "eal.h"
#include "sw_ft.h"

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10

/*
 * The model's two ends: A (the opener, on port PORT_A) starts at ISN_A,
 * B (on PORT_B) at ISN_B.
 */
#define ISN_A 1000u
#define ISN_B 5000000u
#define PORT_A 0
#define PORT_B 1

extern const uint8_t A4[4], B4[4];

/* One conversation of the model, per (A port, B port). */
struct conv {
	uint16_t ap, bp;
	uint32_t nxt[2];	/* [0] A's next sequence number, [1] B's */
	int sent[2];
};

/* The conversation of A:ap -> B:bp, made when new. */
struct conv *conv_of(uint16_t ap, uint16_t bp);

/* The TCP model's conversations (make_ft forgets them all). */
extern unsigned int nb_convs;

/* Set: packet() judges a flow let go (SW_FT_RETRY) as a miss. */
extern bool retry_as_miss;

/* The connection counter tag packet() gives the flows it inserts. */
extern uint16_t insert_tag;

/* One shard of max flows; adaptive scaling from astart to aend. */
struct sw_ft *make_ft(uint32_t max, bool early_drop, uint16_t astart,
		      uint16_t aend);

/* One shard of max flows on a clock of hz ticks a second. */
struct sw_ft *make_ft_hz(uint32_t max, uint64_t hz);

/* A table with per-source quotas of per_src flows and rate a second. */
struct sw_ft *make_quota_ft(uint32_t max, uint32_t per_src, uint32_t rate);

/* The flow of key, through sw_ft_walk: 1 found (*info filled), 0 not. */
int lookup(struct sw_ft *ft, const struct sw_ft_key *key, uint64_t now,
	   struct sw_ft_info *info);

/*
 * The packet from A (from_a) or from B, through the worker API, with
 * the model's numbers. Returns 0 / 1 (sw_ft_insert), or -verdict.
 */
int packet(struct sw_ft *ft, uint8_t proto, uint16_t ap, uint16_t bp,
	   int from_a, uint8_t flags, uint64_t now);

/* The key of A:ap -> B:bp. */
struct sw_ft_key key4(uint8_t proto, uint16_t ap, uint16_t bp);

/* A UDP flow opened by 192.0.2.<host> port sport, on a quota table. */
int udp_from(struct sw_ft *ft, uint8_t host, uint16_t sport, uint64_t now);

/* A TCP connection A:ap -> B:80 opened and closed (TIME_WAIT). */
void open_and_close(struct sw_ft *ft, uint16_t ap, uint64_t now);

/* Enough expiry polls to pass over every slot. */
void sweep(struct sw_ft *ft, uint64_t now);

/* Fill a max-8 shard with TCP flows; assured ones complete handshakes. */
void fill(struct sw_ft *ft, int assured, uint64_t now);

/*
 * One TCP segment with explicit numbers from A or B: an update if its
 * flow is there, else an insert. frag: a first fragment. Returns 0 / 1,
 * or -verdict.
 */
int seg(struct sw_ft *ft, int from_a, uint8_t flags, uint32_t seq,
	uint32_t ack, uint16_t datalen, uint8_t frag, uint64_t now);

/* Each suite's tests (test_flowtable.c runs them as one group). */
#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

extern const struct CMUnitTest ft_key_tests[], ft_tcp_tests[],
	ft_proxy_tests[], ft_source_tests[], ft_table_tests[], ft_sync_tests[],
	ft_tag_tests[];
extern const size_t ft_key_nb, ft_tcp_nb, ft_proxy_nb, ft_source_nb,
	ft_table_nb, ft_sync_nb, ft_tag_nb;

#endif /* SW_FT_TEST_H */
