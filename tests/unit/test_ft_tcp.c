/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * lib/flowtable unit tests: TCP: the state table and the windows (ft_tcp.c).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_lcore.h>

#include "ft_test.h"

/*
 * One row: a sequence of segments ('a' from the opener A, 'b' from B),
 * then the state, its timeout, and whether the flow is assured.
 */
struct tcp_case {
	const char *name;
	struct {
		char from;
		uint8_t flags;
		int ok;		/* expected: 1 passes, 0 invalid */
	} seg[8];
	uint8_t state;
	uint32_t timeout;
	int assured;
};

static const struct tcp_case tcp_cases[] = {
	{ "handshake", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
			 { 'a', ACK, 1 } },
	  SW_FT_TCP_ESTABLISHED, 432000, 1 },
	{ "syn only", { { 'a', SYN, 1 } }, SW_FT_TCP_SYN_SENT, 120, 0 },
	{ "syn/ack seen", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 } },
	  SW_FT_TCP_SYN_RECV, 60, 0 },
	{ "retransmitted syn", { { 'a', SYN, 1 }, { 'a', SYN, 1 },
				 { 'a', SYN, 1 } },
	  SW_FT_TCP_SYN_SENT, 120, 0 },
	{ "simultaneous open", { { 'a', SYN, 1 }, { 'b', SYN, 1 },
				 { 'a', SYN | ACK, 1 }, { 'b', SYN | ACK, 1 },
				 { 'a', ACK, 1 } },
	  SW_FT_TCP_ESTABLISHED, 432000, 1 },
	/* Data waits for its ACK: tcp_unacknowledged (300) meanwhile. */
	{ "data unacknowledged", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
				   { 'a', ACK, 1 }, { 'a', PSH | ACK, 1 } },
	  SW_FT_TCP_ESTABLISHED, 300, 1 },
	{ "data both ways", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
			      { 'a', ACK, 1 }, { 'a', PSH | ACK, 1 },
			      { 'b', PSH | ACK, 1 }, { 'a', ACK, 1 } },
	  SW_FT_TCP_ESTABLISHED, 432000, 1 },
	{ "ack before syn/ack", { { 'a', SYN, 1 }, { 'a', ACK, 0 } },
	  SW_FT_TCP_SYN_SENT, 120, 0 },
	{ "rst in syn_sent", { { 'a', SYN, 1 }, { 'b', RST | ACK, 1 } },
	  SW_FT_TCP_CLOSE, 10, 0 },
	{ "rst in syn_recv", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
			       { 'a', RST, 1 } },
	  SW_FT_TCP_CLOSE, 10, 0 },
	{ "rst in established", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
				  { 'a', ACK, 1 }, { 'b', RST, 1 } },
	  SW_FT_TCP_CLOSE, 10, 1 },
	{ "rst in fin_wait", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
			       { 'a', ACK, 1 }, { 'a', FIN | ACK, 1 },
			       { 'a', RST, 1 } },
	  SW_FT_TCP_CLOSE, 10, 1 },
	/* The FIN is unacknowledged until B acks it. */
	{ "fin from opener", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
			       { 'a', ACK, 1 }, { 'a', FIN | ACK, 1 } },
	  SW_FT_TCP_FIN_WAIT, 120, 1 },
	{ "fin acked", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
			 { 'a', ACK, 1 }, { 'a', FIN | ACK, 1 },
			 { 'b', ACK, 1 } },
	  SW_FT_TCP_CLOSE_WAIT, 60, 1 },
	{ "both fins", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
			 { 'a', ACK, 1 }, { 'a', FIN | ACK, 1 },
			 { 'b', FIN | ACK, 1 } },
	  SW_FT_TCP_LAST_ACK, 30, 1 },
	{ "full close from opener", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
				      { 'a', ACK, 1 }, { 'a', FIN | ACK, 1 },
				      { 'b', FIN | ACK, 1 }, { 'a', ACK, 1 } },
	  SW_FT_TCP_TIME_WAIT, 120, 1 },
	{ "full close from peer", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
				    { 'a', ACK, 1 }, { 'b', FIN | ACK, 1 },
				    { 'a', ACK, 1 }, { 'a', FIN | ACK, 1 },
				    { 'b', ACK, 1 } },
	  SW_FT_TCP_TIME_WAIT, 120, 1 },
	{ "time_wait reused by syn", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
				       { 'a', ACK, 1 }, { 'a', FIN | ACK, 1 },
				       { 'b', FIN | ACK, 1 }, { 'a', ACK, 1 },
				       { 'a', SYN, 1 } },
	  SW_FT_TCP_SYN_SENT, 120, 0 },
	{ "close reopened by syn", { { 'a', SYN, 1 }, { 'b', RST | ACK, 1 },
				     { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
				     { 'a', ACK, 1 } },
	  SW_FT_TCP_ESTABLISHED, 432000, 1 },
	{ "responder cannot reopen", { { 'a', SYN, 1 }, { 'b', RST | ACK, 1 },
				       { 'b', SYN, 0 } },
	  SW_FT_TCP_CLOSE, 10, 0 },
	{ "impossible flags", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
				{ 'a', ACK, 1 }, { 'a', SYN | FIN, 0 },
				{ 'b', SYN | RST, 0 }, { 'a', FIN, 0 },
				{ 'b', 0, 0 } },
	  SW_FT_TCP_ESTABLISHED, 432000, 1 },
	{ "syn/ack from opener invalid", { { 'a', SYN, 1 },
					   { 'a', SYN | ACK, 0 } },
	  SW_FT_TCP_SYN_SENT, 120, 0 },
	/*
	 * SYN, SYN/ACK, SYN, SYN/ACK: a simplified tracker reaches
	 * ESTABLISHED this way; here the repeats are ignored.
	 */
	{ "syn syn/ack repeated", { { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
				    { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 },
				    { 'a', SYN, 1 }, { 'b', SYN | ACK, 1 } },
	  SW_FT_TCP_SYN_RECV, 60, 0 },
	/* Picked up: unassured and on tcp_unacknowledged until B answers. */
	{ "picked up mid-stream", { { 'a', ACK, 1 } },
	  SW_FT_TCP_ESTABLISHED, 300, 0 },
	{ "picked up, answered", { { 'a', ACK, 1 }, { 'b', ACK, 1 } },
	  SW_FT_TCP_ESTABLISHED, 432000, 1 },
};

static void
test_ft_tcp_transitions(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(tcp_cases) / sizeof(tcp_cases[0]); i++) {
		const struct tcp_case *tc = &tcp_cases[i];
		struct sw_ft *ft = make_ft(64, true, 0, 0);
		struct sw_ft_key k = key4(6, 40000, 80);
		struct sw_ft_info info;
		uint64_t now = 1000;

		/* A flow let go (RETRY) is judged as a miss, as the worker. */
		retry_as_miss = true;
		for (j = 0; j < 8 && tc->seg[j].from; j++) {
			int rc = packet(ft, 6, 40000, 80, tc->seg[j].from == 'a',
					tc->seg[j].flags, now);


			if ((rc >= 0) != tc->seg[j].ok)
				fail_msg("%s: segment %zu (flags 0x%02x) %s",
					 tc->name, j, tc->seg[j].flags,
					 rc >= 0 ? "passed" :
					 sw_ft_verdict_name((unsigned int)-rc));
		}
		assert_true(lookup(ft, &k, now, &info));
		if (info.state != tc->state)
			fail_msg("%s: state %s, expected %s", tc->name,
				 sw_ft_state_name(info.state),
				 sw_ft_state_name(tc->state));
		if (info.remaining != tc->timeout ||
		    info.assured != tc->assured)
			fail_msg("%s: remaining %llu assured %d, expected %u %d",
				 tc->name, (unsigned long long)info.remaining,
				 info.assured, tc->timeout, tc->assured);
		sw_ft_free(ft);
	}
	retry_as_miss = false;
}

/*
 * TCP windows, after Linux's tcp_in_window: each row a conversation with
 * explicit numbers (A opens from port 0 with ISN 1000, B answers from
 * port 1 with ISN 5000000), the verdict of every segment, and the state
 * and assured flag at the end.
 */
struct wseg {
	char from;
	uint8_t flags;
	uint32_t seq, ack;
	uint16_t win, len;
	uint8_t wscale;		/* 0xff: no option */
	uint32_t sack;		/* 0: none */
	int verdict;
	uint8_t port;		/* 0: the sender's own port */
};

#define NOWS 0xff
#define A0 ISN_A
#define B0 ISN_B
#define HS(wa, wb) \
	{ 'a', SYN, A0, 0, 65535, 0, wa, 0, SW_FT_OK, 0 }, \
	{ 'b', SYN | ACK, B0, A0 + 1, 65535, 0, wb, 0, SW_FT_OK, 0 }, \
	{ 'a', ACK, A0 + 1, B0 + 1, 65535, 0, NOWS, 0, SW_FT_OK, 0 }

struct wcase {
	const char *name;
	bool liberal;
	struct wseg seg[12];
	uint8_t state;
	int assured;
};

static const struct wcase wcases[] = {
	{ "in-window data and its ack", false, {
	  HS(NOWS, NOWS),
	  { 'a', PSH | ACK, A0 + 1, B0 + 1, 65535, 1000, NOWS, 0, SW_FT_OK, 0 },
	  { 'b', ACK, B0 + 1, A0 + 1001, 65535, 0, NOWS, 0, SW_FT_OK, 0 } },
	  SW_FT_TCP_ESTABLISHED, 1 },
	{ "data beyond the window", false, {
	  HS(NOWS, NOWS),
	  { 'a', PSH | ACK, A0 + 1 + 70000, B0 + 1, 65535, 100, NOWS, 0,
	    SW_FT_INV_SEQ, 0 } },
	  SW_FT_TCP_ESTABLISHED, 1 },
	{ "data beyond the window, tcp_be_liberal", true, {
	  HS(NOWS, NOWS),
	  { 'a', PSH | ACK, A0 + 1 + 70000, B0 + 1, 65535, 100, NOWS, 0,
	    SW_FT_OK, 0 } },
	  SW_FT_TCP_ESTABLISHED, 1 },
	{ "ack of data never sent", false, {
	  HS(NOWS, NOWS),
	  { 'b', ACK, B0 + 1, A0 + 5000, 65535, 0, NOWS, 0, SW_FT_INV_SEQ,
	    0 } },
	  SW_FT_TCP_ESTABLISHED, 1 },
	{ "retransmission: recent passes, older than a window does not",
	  false, {
	  HS(NOWS, NOWS),
	  { 'a', PSH | ACK, A0 + 1, B0 + 1, 65535, 30000, NOWS, 0, SW_FT_OK,
	    0 },
	  { 'b', ACK, B0 + 1, A0 + 30001, 65535, 0, NOWS, 0, SW_FT_OK, 0 },
	  { 'a', PSH | ACK, A0 + 30001, B0 + 1, 65535, 30000, NOWS, 0,
	    SW_FT_OK, 0 },
	  { 'b', ACK, B0 + 1, A0 + 60001, 65535, 0, NOWS, 0, SW_FT_OK, 0 },
	  { 'a', PSH | ACK, A0 + 60001, B0 + 1, 65535, 30000, NOWS, 0,
	    SW_FT_OK, 0 },
	  { 'a', PSH | ACK, A0 + 60001, B0 + 1, 65535, 30000, NOWS, 0,
	    SW_FT_OK, 0 },
	  { 'a', PSH | ACK, A0 + 1, B0 + 1, 65535, 10, NOWS, 0,
	    SW_FT_INV_SEQ, 0 } },
	  SW_FT_TCP_ESTABLISHED, 1 },
	{ "window scale on: a scaled window admits far data", false, {
	  HS(7, 7),
	  { 'b', ACK, B0 + 1, A0 + 1, 1000, 0, NOWS, 0, SW_FT_OK, 0 },
	  { 'a', PSH | ACK, A0 + 1 + 100000, B0 + 1, 1000, 1000, NOWS, 0,
	    SW_FT_OK, 0 } },
	  SW_FT_TCP_ESTABLISHED, 1 },
	{ "window scale off: one side only, windows unscaled", false, {
	  HS(7, NOWS),
	  { 'b', ACK, B0 + 1, A0 + 1, 1000, 0, NOWS, 0, SW_FT_OK, 0 },
	  { 'a', PSH | ACK, A0 + 1 + 100000, B0 + 1, 1000, 1000, NOWS, 0,
	    SW_FT_INV_SEQ, 0 } },
	  SW_FT_TCP_ESTABLISHED, 1 },
	{ "zero window and its probe", false, {
	  HS(NOWS, NOWS),
	  { 'a', PSH | ACK, A0 + 1, B0 + 1, 65535, 1000, NOWS, 0, SW_FT_OK,
	    0 },
	  { 'b', ACK, B0 + 1, A0 + 1001, 0, 0, NOWS, 0, SW_FT_OK, 0 },
	  { 'a', ACK, A0 + 1001, B0 + 1, 65535, 1, NOWS, 0, SW_FT_OK, 0 },
	  { 'b', ACK, B0 + 1, A0 + 1001, 0, 0, NOWS, 0, SW_FT_OK, 0 } },
	  SW_FT_TCP_ESTABLISHED, 1 },
	{ "keep-alive and its answer", false, {
	  HS(NOWS, NOWS),
	  { 'a', ACK, A0, B0 + 1, 65535, 0, NOWS, 0, SW_FT_OK, 0 },
	  { 'b', ACK, B0 + 1, A0 + 1, 65535, 0, NOWS, 0, SW_FT_OK, 0 } },
	  SW_FT_TCP_ESTABLISHED, 1 },
	{ "sack blocks above the ack", false, {
	  HS(NOWS, NOWS),
	  { 'a', PSH | ACK, A0 + 1, B0 + 1, 65535, 1000, NOWS, 0, SW_FT_OK,
	    0 },
	  { 'a', PSH | ACK, A0 + 1001, B0 + 1, 65535, 1000, NOWS, 0,
	    SW_FT_OK, 0 },
	  { 'b', ACK, B0 + 1, A0 + 1, 65535, 0, NOWS, A0 + 2001, SW_FT_OK,
	    0 },
	  { 'b', ACK, B0 + 1, A0 + 1, 65535, 0, NOWS, A0 + 9001,
	    SW_FT_INV_SEQ, 0 } },
	  SW_FT_TCP_ESTABLISHED, 1 },
	{ "rst exact closes", false, {
	  HS(NOWS, NOWS),
	  { 'b', RST, B0 + 1, 0, 0, 0, NOWS, 0, SW_FT_OK, 0 } },
	  SW_FT_TCP_CLOSE, 1 },
	{ "rst in the window, not exact: nothing changes", false, {
	  HS(NOWS, NOWS),
	  { 'b', RST, B0 + 101, 0, 0, 0, NOWS, 0, SW_FT_OK, 0 } },
	  SW_FT_TCP_ESTABLISHED, 1 },
	{ "rst outside the window", false, {
	  HS(NOWS, NOWS),
	  { 'b', RST, B0 + 0x80000000u, 0, 0, 0, NOWS, 0, SW_FT_INV_RST,
	    0 } },
	  SW_FT_TCP_ESTABLISHED, 1 },
	{ "rst answering the syn must ack it", false, {
	  { 'a', SYN, A0, 0, 65535, 0, NOWS, 0, SW_FT_OK, 0 },
	  { 'b', RST | ACK, 0, A0 + 7, 0, 0, NOWS, 0, SW_FT_INV_RST, 0 },
	  { 'b', RST, 0, 0, 0, 0, NOWS, 0, SW_FT_INV_RST, 0 },
	  { 'b', RST | ACK, 0, A0 + 1, 0, 0, NOWS, 0, SW_FT_OK, 0 } },
	  SW_FT_TCP_CLOSE, 0 },
	{ "syn/ack acking the wrong number", false, {
	  { 'a', SYN, A0, 0, 65535, 0, NOWS, 0, SW_FT_OK, 0 },
	  { 'b', SYN | ACK, B0, A0 + 2, 65535, 0, NOWS, 0, SW_FT_INV_SEQ,
	    0 } },
	  SW_FT_TCP_SYN_SENT, 0 },
	{ "handshake ack acking the wrong number", false, {
	  { 'a', SYN, A0, 0, 65535, 0, NOWS, 0, SW_FT_OK, 0 },
	  { 'b', SYN | ACK, B0, A0 + 1, 65535, 0, NOWS, 0, SW_FT_OK, 0 },
	  { 'a', ACK, A0 + 1, B0 + 77, 65535, 0, NOWS, 0, SW_FT_INV_SEQ,
	    0 },
	  { 'a', ACK, A0 + 1, B0, 65535, 0, NOWS, 0, SW_FT_INV_SEQ, 0 } },
	  SW_FT_TCP_SYN_RECV, 0 },
	{ "picked up mid-stream, then learning", false, {
	  { 'a', ACK, 7777, 8888, 512, 0, NOWS, 0, SW_FT_OK, 0 },
	  { 'b', ACK, 8888, 7777, 512, 0, NOWS, 0, SW_FT_OK, 0 },
	  { 'a', PSH | ACK, 7777, 8888, 512, 100, NOWS, 0, SW_FT_OK, 0 },
	  { 'b', ACK, 8888, 7877, 512, 0, NOWS, 0, SW_FT_OK, 0 },
	  /* B cannot acknowledge what A never sent. */
	  { 'b', ACK, 8888, 7777 + 100000, 512, 0, NOWS, 0, SW_FT_INV_SEQ,
	    0 } },
	  SW_FT_TCP_ESTABLISHED, 1 },
	{ "time_wait reused with a higher isn, not a lower", false, {
	  HS(NOWS, NOWS),
	  { 'a', FIN | ACK, A0 + 1, B0 + 1, 65535, 0, NOWS, 0, SW_FT_OK, 0 },
	  { 'b', FIN | ACK, B0 + 1, A0 + 2, 65535, 0, NOWS, 0, SW_FT_OK, 0 },
	  { 'a', ACK, A0 + 2, B0 + 2, 65535, 0, NOWS, 0, SW_FT_OK, 0 },
	  { 'a', SYN, A0 - 500, 0, 65535, 0, NOWS, 0, SW_FT_INV_SEQ, 0 },
	  { 'b', SYN, B0 + 9000, 0, 65535, 0, NOWS, 0, SW_FT_INV_STATE, 0 },
	  { 'a', SYN, A0 + 9000, 0, 65535, 0, NOWS, 0, SW_FT_OK, 0 } },
	  SW_FT_TCP_SYN_SENT, 0 },
	{ "a packet on the wrong port changes nothing", false, {
	  { 'a', SYN, A0, 0, 65535, 0, NOWS, 0, SW_FT_OK, 0 },
	  { 'b', SYN | ACK, B0, A0 + 1, 65535, 0, NOWS, 0, SW_FT_INV_ZONE,
	    PORT_A + 1 },
	  { 'b', SYN | ACK, B0, A0 + 1, 65535, 0, NOWS, 0, SW_FT_OK, 0 },
	  { 'a', ACK, A0 + 1, B0 + 1, 65535, 0, NOWS, 0, SW_FT_INV_ZONE,
	    PORT_B + 1 } },
	  SW_FT_TCP_SYN_RECV, 0 },
};

static void
test_ft_tcp_windows(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(wcases) / sizeof(wcases[0]); i++) {
		const struct wcase *wc = &wcases[i];
		struct sw_ft *ft = make_ft(64, true, 0, 0);
		struct sw_ft_shard *s = sw_ft_shard(ft, 0);
		struct sw_ft_key k = key4(6, 40000, 80), kk;
		const struct sw_ft_key *kp = &kk;
		struct sw_ft_info info;

		sw_ft_set_options(ft, true, wc->liberal, true);
		for (j = 0; j < 12 && wc->seg[j].from; j++) {
			const struct wseg *g = &wc->seg[j];
			int a = g->from == 'a', rc;
			struct sw_ft_pkt p = {
				.len = 40u + g->len, .seq = g->seq,
				.ack = g->ack, .win = g->win,
				.datalen = g->len, .tcp_flags = g->flags,
				.wscale = g->wscale, .sack_perm = 1,
				.sack = g->sack ? g->sack : g->ack,
			};
			uint8_t why = SW_FT_OK;
			int32_t pos;

			p.dir = (uint8_t)(a ?
				sw_ft_key_make(&kk, 4, 6, A4, B4, htons(40000),
					       htons(80)) :
				sw_ft_key_make(&kk, 4, 6, B4, A4, htons(80),
					       htons(40000)));
			p.port = g->port ? g->port - 1 : (a ? PORT_A : PORT_B);
			sw_ft_lookup_burst(s, &kp, 1, &pos);
			if (pos >= 0) {
				rc = sw_ft_update(s, pos, &p, 1000, NULL);
			} else {
				rc = sw_ft_insert(s, &kk, &p, 1000, &why);
				rc = rc == -EINVAL ? why : rc == 0 ? SW_FT_OK :
				     -1;
			}
			if (rc != g->verdict)
				fail_msg("%s: segment %zu: %s, expected %s",
					 wc->name, j,
					 sw_ft_verdict_name((unsigned int)rc),
					 sw_ft_verdict_name(g->verdict));
		}
		assert_true(lookup(ft, &k, 1000, &info));
		if (info.state != wc->state || info.assured != wc->assured)
			fail_msg("%s: state %s assured %d, expected %s %d",
				 wc->name, sw_ft_state_name(info.state),
				 info.assured, sw_ft_state_name(wc->state),
				 wc->assured);
		sw_ft_free(ft);
	}
}

/*
 * Attack (a) of the state-integrity issue, in the table: a spoofed SYN,
 * the server's real SYN/ACK, then a blind ACK with a wrong number. The
 * flow must not become ESTABLISHED or assured, and early drop must be
 * free to take it.
 */
static void
test_ft_blind_ack_earns_nothing(void **state)
{
	struct sw_ft *ft = make_ft(8, true, 0, 0);
	struct sw_ft_stats st;
	struct sw_ft_info info;
	uint16_t p;

	(void)state;
	for (p = 1; p <= 8; p++) {
		struct conv *cv;

		assert_int_equal(packet(ft, 6, p, 80, 1, SYN, p), 0);
		assert_int_equal(packet(ft, 6, p, 80, 0, SYN | ACK, p), 0);
		cv = conv_of(p, 80);
		cv->nxt[1] += 12345;	/* the attacker guesses wrong */
		assert_int_equal(packet(ft, 6, p, 80, 1, ACK, p),
				 -SW_FT_INV_SEQ);
	}
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.flows, 8);
	assert_int_equal(st.evictable, 8);
	for (p = 1; p <= 8; p++) {
		struct sw_ft_key k = key4(6, p, 80);

		assert_true(lookup(ft, &k, 20, &info));
		assert_int_equal(info.state, SW_FT_TCP_SYN_RECV);
		assert_false(info.assured);
	}
	/* A legitimate SYN takes the oldest attacker entry's slot. */
	assert_int_equal(packet(ft, 6, 100, 80, 1, SYN, 30), 0);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.early_drops, 1);
	assert_int_equal(st.insert_failed, 0);
	sw_ft_free(ft);
}

/*
 * Attack (b): blind RSTs with the right tuple and random sequence
 * numbers never close an established flow nor shorten its timeout;
 * the exact one does.
 */
static void
test_ft_blind_rst_closes_nothing(void **state)
{
	struct sw_ft *ft = make_ft(8, true, 0, 0);
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct sw_ft_key k = key4(6, 40000, 80), kk;
	const struct sw_ft_key *kp = &kk;
	struct sw_ft_info info;
	uint32_t x = 12345, exact;
	unsigned int i, closed = 0, passed = 0;
	int32_t pos;

	(void)state;
	assert_int_equal(packet(ft, 6, 40000, 80, 1, SYN, 1), 0);
	assert_int_equal(packet(ft, 6, 40000, 80, 0, SYN | ACK, 1), 0);
	assert_int_equal(packet(ft, 6, 40000, 80, 1, ACK, 1), 0);
	exact = conv_of(40000, 80)->nxt[1];
	for (i = 0; i < 65536; i++) {
		struct sw_ft_pkt p = { .len = 40, .tcp_flags = RST,
				       .port = PORT_B,
				       .wscale = SW_FT_NO_WSCALE };

		x = x * 1103515245u + 12345u;	/* any sequence number */
		p.seq = x == exact ? x + 1 : x;
		p.dir = (uint8_t)sw_ft_key_make(&kk, 4, 6, B4, A4, htons(80),
						htons(40000));
		sw_ft_lookup_burst(s, &kp, 1, &pos);
		assert_true(pos >= 0);
		passed += sw_ft_update(s, pos, &p, 2, NULL) == SW_FT_OK;
	}
	assert_true(lookup(ft, &k, 2, &info));
	assert_int_equal(info.state, SW_FT_TCP_ESTABLISHED);
	/* The timeout is still the established one, from the last ACK. */
	assert_int_equal(info.remaining, 432000 - 1);
	/* Only RSTs within a window of 65535 of 2^32 may pass. */
	assert_true(passed < 200);
	/* The exact RST closes. */
	sw_ft_lookup_burst(s, &kp, 1, &pos);
	{
		struct sw_ft_pkt p = { .len = 40, .tcp_flags = RST,
				       .port = PORT_B, .seq = exact,
				       .wscale = SW_FT_NO_WSCALE };

		p.dir = (uint8_t)sw_ft_key_make(&kk, 4, 6, B4, A4, htons(80),
						htons(40000));
		closed = sw_ft_update(s, pos, &p, 3, NULL) == SW_FT_OK;
	}
	assert_true(closed);
	assert_true(lookup(ft, &k, 3, &info));
	assert_int_equal(info.state, SW_FT_TCP_CLOSE);
	sw_ft_free(ft);
}

/* ICMP errors: related only from the right side, within the window. */
static void
test_ft_related_checks(void **state)
{
	struct sw_ft *ft = make_ft(8, true, 0, 0);
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct sw_ft_key kk;
	const struct sw_ft_key *kp = &kk;
	struct sw_ft_pkt q = { 0 };
	uint32_t a_seq;
	int32_t pos;

	(void)state;
	assert_int_equal(packet(ft, 6, 40000, 80, 1, SYN, 1), 0);
	assert_int_equal(packet(ft, 6, 40000, 80, 0, SYN | ACK, 1), 0);
	assert_int_equal(packet(ft, 6, 40000, 80, 1, ACK, 1), 0);
	a_seq = conv_of(40000, 80)->nxt[0];
	/* The quoted packet: A's, A -> B. */
	q.dir = (uint8_t)sw_ft_key_make(&kk, 4, 6, A4, B4, htons(40000),
					htons(80));
	sw_ft_lookup_burst(s, &kp, 1, &pos);
	assert_true(pos >= 0);
	/* An error about A's packet comes from B's side. */
	q.seq = a_seq;
	q.port = PORT_B;
	assert_int_equal(sw_ft_related(s, pos, &q), SW_FT_OK);
	q.port = PORT_A;
	assert_int_equal(sw_ft_related(s, pos, &q), SW_FT_INV_ICMP);
	/* A quoted sequence number far from the window. */
	q.port = PORT_B;
	q.seq = a_seq + 0x40000000u;
	assert_int_equal(sw_ft_related(s, pos, &q), SW_FT_INV_ICMP);
	sw_ft_free(ft);
}

/*
 * Regression (issue 22, item 4): an off-path host held a CLOSE entry in
 * a client's name: a spoofed SYN with ISN A, an RST at A + 1, the RST
 * repeated to keep the entry; the client's SYN was invalid unless its
 * ISN was above A + 1. Now the opener's SYN on CLOSE starts a new flow
 * whatever its ISN, and a repeated RST does not renew the entry.
 */
static void
test_ft_close_reopened_whatever_isn(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_key k;
	struct sw_ft_info info;

	(void)state;
	sw_ft_key_make(&k, 4, 6, A4, B4, htons(4000), htons(80));
	assert_int_equal(seg(ft, 1, SYN, 900000, 0, 0, 0, 0), 0);
	assert_int_equal(seg(ft, 1, RST, 900001, 0, 0, 0, 0), 0);
	assert_true(lookup(ft, &k, 0, &info));
	assert_int_equal(info.state, SW_FT_TCP_CLOSE);
	assert_int_equal(info.remaining, 10);
	/* The RST again, 5 s later: passes, renews nothing. */
	assert_int_equal(seg(ft, 1, RST, 900001, 0, 0, 0, 5), 0);
	assert_true(lookup(ft, &k, 5, &info));
	assert_int_equal(info.remaining, 5);
	/* The responder cannot reopen it. */
	assert_int_equal(seg(ft, 0, SYN, 7000, 0, 0, 0, 6),
			 -SW_FT_INV_STATE);
	/* The client's SYN, ISN far below A: the old entry goes... */
	assert_int_equal(seg(ft, 1, SYN, 1000, 0, 0, 0, 6), -SW_FT_RETRY);
	assert_false(lookup(ft, &k, 6, NULL));
	/* ...and its new connection opens and completes. */
	assert_int_equal(seg(ft, 1, SYN, 1000, 0, 0, 0, 6), 0);
	assert_int_equal(seg(ft, 0, SYN | ACK, 7000, 1001, 0, 0, 6), 0);
	assert_int_equal(seg(ft, 1, ACK, 1001, 7001, 0, 0, 6), 0);
	assert_true(lookup(ft, &k, 6, &info));
	assert_int_equal(info.state, SW_FT_TCP_ESTABLISHED);
	assert_true(info.assured);
	/* The old RST is now out of the window: invalid. */
	assert_int_equal(seg(ft, 1, RST, 900001, 0, 0, 0, 7), -SW_FT_INV_RST);
	sw_ft_free(ft);
}

/*
 * Regression (issue 22, item 3): a handshake's ACK in a lone first
 * fragment made the flow ESTABLISHED and assured; a data segment in two
 * fragments advanced it only by the first's bytes, so the receiver's
 * ACK was invalid and the connection stalled. A first fragment may
 * only carry data within an established flow; sw_ft_advance adds the
 * rest once the datagram's length is known, within the receiver's
 * window.
 */
static void
test_ft_fragments_drive_no_state(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct sw_ft_key k;
	struct sw_ft_info info;
	const struct sw_ft_key *kp = &k;
	int32_t pos;

	(void)state;
	sw_ft_key_make(&k, 4, 6, A4, B4, htons(4000), htons(80));
	assert_int_equal(seg(ft, 1, SYN, 1000, 0, 0, 0, 0), 0);
	assert_int_equal(seg(ft, 0, SYN | ACK, 7000, 1001, 0, 0, 0), 0);
	/* The handshake's ACK as a first fragment: nothing completes. */
	assert_int_equal(seg(ft, 1, ACK, 1001, 7001, 0, 1, 0),
			 -SW_FT_INV_FRAG);
	assert_true(lookup(ft, &k, 0, &info));
	assert_int_equal(info.state, SW_FT_TCP_SYN_RECV);
	assert_false(info.assured);
	assert_int_equal(seg(ft, 1, ACK, 1001, 7001, 0, 0, 0), 0);
	/* Established: SYN, FIN or RST in a first fragment are invalid. */
	assert_int_equal(seg(ft, 1, FIN | ACK, 1001, 7001, 0, 1, 1),
			 -SW_FT_INV_FRAG);
	assert_int_equal(seg(ft, 1, RST, 1001, 0, 0, 1, 1), -SW_FT_INV_FRAG);
	/* 1,200 bytes: the first fragment carries 500 of them. */
	assert_int_equal(seg(ft, 1, ACK | PSH, 1001, 7001, 500, 1, 1), 0);
	/* Before the rest is known, an ACK of all 1,200 is out of window. */
	assert_int_equal(seg(ft, 0, ACK, 7001, 2201, 0, 0, 1), -SW_FT_INV_SEQ);
	sw_ft_lookup_burst(s, &kp, 1, &pos);
	assert_true(pos >= 0);
	/* The last fragment: the segment ends at 2201. */
	assert_int_equal(sw_ft_advance(s, pos, SW_FT_DIR_LO, PORT_A, 2201),
			 SW_FT_OK);
	assert_int_equal(seg(ft, 0, ACK, 7001, 2201, 0, 0, 1), 0);
	/* Beyond what the receiver allows, or on the wrong port: refused. */
	assert_int_equal(sw_ft_advance(s, pos, SW_FT_DIR_LO, PORT_A,
				       2201 + 200000), SW_FT_INV_SEQ);
	assert_int_equal(sw_ft_advance(s, pos, SW_FT_DIR_LO, PORT_B, 2300),
			 SW_FT_INV_ZONE);
	assert_true(lookup(ft, &k, 1, &info));
	assert_int_equal(info.tcp[0].end, 2201);
	sw_ft_free(ft);
}

const struct CMUnitTest ft_tcp_tests[] = {
	cmocka_unit_test(test_ft_tcp_transitions),
	cmocka_unit_test(test_ft_tcp_windows),
	cmocka_unit_test(test_ft_blind_ack_earns_nothing),
	cmocka_unit_test(test_ft_blind_rst_closes_nothing),
	cmocka_unit_test(test_ft_related_checks),
	cmocka_unit_test(test_ft_close_reopened_whatever_isn),
	cmocka_unit_test(test_ft_fragments_drive_no_state),
};
const size_t ft_tcp_nb = RTE_DIM(ft_tcp_tests);
