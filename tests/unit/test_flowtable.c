/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * lib/flowtable unit tests. Time is driven: hz = 1, `now` in seconds.
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

#include <rte_eal.h>
#include <rte_lcore.h>

#include "eal.h"
#include "sw_ft.h"

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10

static const uint8_t A4[4] = { 192, 0, 2, 10 }, B4[4] = { 198, 51, 100, 80 };

/* ---- keys ---- */

/*
 * SipHash against the reference vector of its paper (SipHash-2-4, key
 * 00..0f, message 00..0e): the rounds are right, so 1-3 is too.
 */
static void
test_ft_hash_siphash_reference_vector(void **state)
{
	uint8_t key[16], msg[15];
	unsigned int i;

	(void)state;
	for (i = 0; i < 16; i++)
		key[i] = (uint8_t)i;
	for (i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	assert_true(sw_ft_siphash_ref(key, msg, 15, 2, 4) ==
		    0xa129ca6149be45e5ull);
	/* The empty message of the same key (the paper's first vector). */
	assert_true(sw_ft_siphash_ref(key, msg, 0, 2, 4) ==
		    0x726fdb47dd0e0e31ull);
}

/*
 * The key hash depends on the secret (a start draws a new one) and on
 * every field of the key, zone included.
 */
static void
test_ft_hash_keyed_by_secret(void **state)
{
	static const uint8_t a[4] = { 192, 0, 2, 1 }, b[4] = { 192, 0, 2, 2 };
	struct sw_ft_key k, z;
	uint32_t h1, h2, h3;

	(void)state;
	sw_ft_key_make(&k, 4, 6, a, b, htons(1000),
		       htons(80));
	z = k;
	z.zone = 1;
	sw_ft_hash_set_secret(1, 2);
	h1 = sw_ft_key_hash(&k);
	assert_int_equal(h1, sw_ft_key_hash(&k));
	assert_int_not_equal(h1, sw_ft_key_hash(&z));
	sw_ft_hash_set_secret(3, 4);
	h2 = sw_ft_key_hash(&k);
	assert_int_not_equal(h1, h2);
	sw_ft_hash_set_secret(1, 2);
	h3 = sw_ft_key_hash(&k);
	assert_int_equal(h1, h3);
	/*
	 * The IPv4 key hashes as the 16 bytes addresses, ports, protocol,
	 * family, zone: the straight-line code is SipHash-1-3 of them.
	 */
	{
		uint8_t m[16], key[16] = { 1 };

		memcpy(m, k.lo, 4);
		memcpy(m + 4, k.hi, 4);
		memcpy(m + 8, &k.lo_port, 8);
		key[8] = 2;
		assert_int_equal(h1, (uint32_t)sw_ft_siphash_ref(key, m, 16,
								 1, 3));
		assert_int_equal(h1, (uint32_t)sw_ft_siphash(m, 16));
	}
}

static void
test_ft_key_both_directions_meet_v4(void **state)
{
	uint8_t a[4] = { 192, 0, 2, 10 }, b[4] = { 192, 0, 2, 80 };
	struct sw_ft_key k1, k2;

	(void)state;
	assert_int_equal(sw_ft_key_make(&k1, 4, 6, a, b, htons(40000),
					htons(80)), SW_FT_DIR_LO);
	assert_int_equal(sw_ft_key_make(&k2, 4, 6, b, a, htons(80),
					htons(40000)), SW_FT_DIR_HI);
	assert_memory_equal(&k1, &k2, sizeof(k1));
	assert_memory_equal(k1.lo, a, 4);
	assert_int_equal(ntohs(k1.lo_port), 40000);
	assert_int_equal(k1.family, 4);
	assert_int_equal(k1.zone, 0);
}

static void
test_ft_key_both_directions_meet_v6(void **state)
{
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	struct sw_ft_key k1, k2;

	(void)state;
	assert_int_equal(sw_ft_key_make(&k1, 6, 17, a, b, htons(53),
					htons(5353)), SW_FT_DIR_HI);
	assert_int_equal(sw_ft_key_make(&k2, 6, 17, b, a, htons(5353),
					htons(53)), SW_FT_DIR_LO);
	assert_memory_equal(&k1, &k2, sizeof(k1));
	assert_memory_equal(k1.lo, b, 16);
}

static void
test_ft_key_same_address_orders_by_port(void **state)
{
	uint8_t a[4] = { 192, 0, 2, 1 };
	struct sw_ft_key k1, k2;

	(void)state;
	/* 256 > 2 as numbers, though its first byte (1) is smaller. */
	assert_int_equal(sw_ft_key_make(&k1, 4, 6, a, a, htons(256),
					htons(2)), SW_FT_DIR_HI);
	assert_int_equal(sw_ft_key_make(&k2, 4, 6, a, a, htons(2),
					htons(256)), SW_FT_DIR_LO);
	assert_memory_equal(&k1, &k2, sizeof(k1));
}

static void
test_ft_key_distinguishes_protocol_and_family(void **state)
{
	uint8_t a[16] = { 192, 0, 2, 1 }, b[16] = { 192, 0, 2, 2 };
	struct sw_ft_key k1, k2;

	(void)state;
	sw_ft_key_make(&k1, 4, 6, a, b, htons(1), htons(2));
	sw_ft_key_make(&k2, 4, 17, a, b, htons(1), htons(2));
	assert_memory_not_equal(&k1, &k2, sizeof(k1));
	sw_ft_key_make(&k2, 6, 6, a, b, htons(1), htons(2));
	assert_memory_not_equal(&k1, &k2, sizeof(k1));
}

/* ---- the table ---- */

static unsigned int nb_convs;	/* the TCP model's conversations */

static struct sw_ft *
make_ft(uint32_t max, bool early_drop, uint16_t astart, uint16_t aend)
{
	struct sw_ft_conf c;
	struct sw_ft *ft;

	nb_convs = 0;
	sw_ft_conf_defaults(&c);
	c.max_flows = max;
	c.early_drop = early_drop;
	c.adaptive_start = astart;
	c.adaptive_end = aend;
	ft = sw_ft_create(&c);
	assert_non_null(ft);
	return ft;
}

struct find {
	const struct sw_ft_key *key;
	struct sw_ft_info info;
	int found;
};

static int
find_cb(const struct sw_ft_key *key, const struct sw_ft_info *info, void *arg)
{
	struct find *f = arg;

	if (memcmp(key, f->key, sizeof(*key)) != 0)
		return 0;
	f->info = *info;
	f->found = 1;
	return 1;
}

static int
lookup(struct sw_ft *ft, const struct sw_ft_key *key, uint64_t now,
       struct sw_ft_info *info)
{
	struct find f = { .key = key };

	sw_ft_walk(ft, 0, now, find_cb, &f);
	if (info)
		*info = f.info;
	return f.found;
}

/*
 * A small model of the two ends of each connection, so that the
 * segments the tests send carry the sequence and acknowledgement
 * numbers real stacks would: A (the opener, on port 0) starts at
 * ISN_A, B (on port 1) at ISN_B. Each side's next sequence number is
 * remembered per (proto, A port, B port); make_ft() forgets them all.
 */
#define ISN_A 1000u
#define ISN_B 5000000u
#define PORT_A 0
#define PORT_B 1

struct conv {
	uint16_t ap, bp;
	uint32_t nxt[2];	/* [0] A's next sequence number, [1] B's */
	int sent[2];
};

static struct conv convs[256];

static struct conv *
conv_of(uint16_t ap, uint16_t bp)
{
	unsigned int i;

	for (i = 0; i < nb_convs; i++)
		if (convs[i].ap == ap && convs[i].bp == bp)
			return &convs[i];
	assert_true(nb_convs < 256);
	convs[nb_convs] = (struct conv){ .ap = ap, .bp = bp,
					 .nxt = { ISN_A, ISN_B } };
	return &convs[nb_convs++];
}

/* Set: packet() judges a flow let go (SW_FT_RETRY) as a miss. */
static bool retry_as_miss;

/*
 * The packet from A (from_a) or from B, through the worker API. TCP
 * segments take their numbers from the model: seq is the sender's next,
 * ack everything the other side sent; a PSH carries 100 bytes; a SYN
 * from a side that already sent starts a new incarnation with a higher
 * ISN. Returns 0 / 1 (sw_ft_insert), or -verdict.
 */
static int
packet(struct sw_ft *ft, uint8_t proto, uint16_t ap, uint16_t bp, int from_a,
       uint8_t flags, uint64_t now)
{
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct sw_ft_key k;
	const struct sw_ft_key *kp = &k;
	struct sw_ft_pkt p = { .len = 60, .sack_perm = 1,
			       .wscale = SW_FT_NO_WSCALE };
	int side = from_a ? 0 : 1, kind, rc;
	struct conv *cv = conv_of(ap, bp);
	uint8_t why = 0;
	int32_t pos;

	p.dir = (uint8_t)(from_a ?
		sw_ft_key_make(&k, 4, proto, A4, B4, htons(ap), htons(bp)) :
		sw_ft_key_make(&k, 4, proto, B4, A4, htons(bp), htons(ap)));
	p.port = from_a ? PORT_A : PORT_B;
	p.tcp_flags = flags;
	if (proto == 6) {
		if ((flags & (SYN | ACK)) == SYN && cv->sent[side])
			cv->nxt[side] += 100000;	/* a new ISN */
		/* A SYN/ACK after one's own SYN (simultaneous open). */
		if ((flags & (SYN | ACK)) == (SYN | ACK) && cv->sent[side])
			cv->nxt[side]--;
		p.seq = cv->nxt[side];
		p.ack = (flags & ACK) ? cv->nxt[!side] : 0;
		p.sack = p.ack;
		p.win = 65535;
		p.datalen = (flags & PSH) ? 100 : 0;
		cv->nxt[side] += p.datalen + ((flags & SYN) ? 1 : 0) +
				 ((flags & FIN) ? 1 : 0);
		cv->sent[side] = 1;
	}
	sw_ft_lookup_burst(s, &kp, 1, &pos);
	if (pos >= 0) {
		rc = sw_ft_update(s, pos, &p, now, NULL);
		if (rc != SW_FT_RETRY || !retry_as_miss)
			return rc == SW_FT_OK ? 0 : -rc;
	}
	kind = sw_ft_miss_kind(s, 4, proto, flags, 8);
	if (kind == SW_FT_MISS_INVALID || kind == SW_FT_MISS_MIDSTREAM)
		return -SW_FT_INV_STATE;
	rc = sw_ft_insert(s, &k, &p, now, &why);
	return rc == -EINVAL ? -why : rc;
}

static struct sw_ft_key
key4(uint8_t proto, uint16_t ap, uint16_t bp)
{
	struct sw_ft_key k;

	sw_ft_key_make(&k, 4, proto, A4, B4, htons(ap), htons(bp));
	return k;
}

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
 * SYN cookies: they carry the options, expire after three slices of
 * 64 s (for good), and any change of tuple, ingress port, ISN or bits
 * makes them invalid.
 */
static void
test_ft_cookie_roundtrip_and_forgery(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct sw_ft_key k = key4(6, 40000, 80), other = key4(6, 40001, 80);
	struct sw_ft_syn_opts o = { .mss = 1400, .wscale = 7, .sack_perm = 1 };
	struct sw_ft_syn_opts d;
	uint32_t c = sw_ft_cookie_make(s, &k, SW_FT_DIR_LO, 0, 1000, 6400, &o);
	unsigned int bit, forged = 0;

	(void)state;
	assert_int_equal(o.mss, 1300);	/* Linux's table: not above 1400 */
	assert_int_equal(sw_ft_cookie_check(s, &k, SW_FT_DIR_LO, 0, 1000, c,
					    6400, &d), 0);
	assert_int_equal(d.mss, 1300);
	assert_int_equal(d.wscale, 7);
	assert_int_equal(d.sack_perm, 1);
	/* Two slices later still valid, three later not. */
	assert_int_equal(sw_ft_cookie_check(s, &k, SW_FT_DIR_LO, 0, 1000, c,
					    6400 + 128, &d), 0);
	assert_int_equal(sw_ft_cookie_check(s, &k, SW_FT_DIR_LO, 0, 1000, c,
					    6400 + 192, &d), -EINVAL);
	/* Another tuple, ISN or direction. */
	assert_int_equal(sw_ft_cookie_check(s, &other, SW_FT_DIR_LO, 0, 1000, c,
					    6400, &d), -EINVAL);
	assert_int_equal(sw_ft_cookie_check(s, &k, SW_FT_DIR_LO, 0, 1001, c,
					    6400, &d), -EINVAL);
	assert_int_equal(sw_ft_cookie_check(s, &k, SW_FT_DIR_HI, 0, 1000, c,
					    6400, &d), -EINVAL);
	/* The ACK must come in on the port the SYN did. */
	assert_int_equal(sw_ft_cookie_check(s, &k, SW_FT_DIR_LO, 1, 1000, c,
					    6400, &d), -EINVAL);
	/*
	 * Replayed later, also when its 3 slice bits come round again (8
	 * slices, 512 s, on): the MAC covers the whole slice number.
	 */
	for (bit = 3; bit <= 24; bit++)
		forged += sw_ft_cookie_check(s, &k, SW_FT_DIR_LO, 0, 1000, c,
					     6400 + 64 * bit, &d) == 0;
	assert_int_equal(forged, 0);
	/* Any single bit flipped: never valid. */
	for (bit = 0; bit < 32; bit++)
		forged += sw_ft_cookie_check(s, &k, SW_FT_DIR_LO, 0, 1000,
					     c ^ (1u << bit), 6400, &d) == 0;
	assert_int_equal(forged, 0);
	/* No options: MSS 536, no scaling. */
	o = (struct sw_ft_syn_opts){ .mss = 0, .wscale = SW_FT_NO_WSCALE };
	c = sw_ft_cookie_make(s, &k, SW_FT_DIR_LO, 0, 5, 6400, &o);
	assert_int_equal(sw_ft_cookie_check(s, &k, SW_FT_DIR_LO, 0, 5, c, 6400,
					    &d), 0);
	assert_int_equal(d.mss, 536);
	assert_int_equal(d.wscale, SW_FT_NO_WSCALE);
	assert_int_equal(d.sack_perm, 0);
	sw_ft_free(ft);
}

/*
 * A proxied flow: the cookie ACK opens it and asks for the server's SYN;
 * the server's SYN/ACK gives the delta and asks for the ACK; then every
 * segment is translated, and tracked in the server's numbers.
 */
static void
test_ft_proxy_flow_translates(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct sw_ft_key k = key4(6, 40000, 80), kk;
	const struct sw_ft_key *kp = &k;
	struct sw_ft_syn_opts o = { .mss = 1460, .wscale = 7, .sack_perm = 1 };
	struct sw_ft_xlate x;
	struct sw_ft_info info;
	uint32_t cookie = sw_ft_cookie_make(s, &k, SW_FT_DIR_LO, 0, 1000, 10, &o);
	uint32_t srv = 7000000;
	struct sw_ft_pkt ack = { .len = 52, .dir = SW_FT_DIR_LO, .port = 0,
				 .tcp_flags = ACK, .seq = 1001,
				 .ack = cookie + 1, .sack = cookie + 1,
				 .win = 502, .family = 4, .has_ts = 1,
				 .tsval = 111, .tsecr = 5555,
				 .wscale = SW_FT_NO_WSCALE };
	struct sw_ft_pkt sa = { .len = 60, .port = 1, .family = 4,
				.tcp_flags = SYN | ACK, .seq = srv,
				.ack = 1001, .sack = 1001, .win = 65160,
				.wscale = 7, .sack_perm = 1, .has_ts = 1,
				.tsval = 90000, .tsecr = 111 };
	struct sw_ft_pkt data = ack;
	uint8_t why;
	int32_t pos;

	(void)state;
	assert_int_equal(sw_ft_cookie_check(s, &k, SW_FT_DIR_LO, 0, 1000, cookie,
					    10, &o), 0);
	sw_ft_lookup_burst(s, &kp, 1, &pos);
	assert_int_equal(sw_ft_proxy_open(s, &k, &ack, cookie, &o, 10, &x,
					  &why), 0);
	assert_int_equal(x.act, SW_FT_PX_SYN);
	assert_int_equal(x.seq, 1000);			/* the client's ISN */
	assert_int_equal(x.opts.mss, 1460);
	assert_int_equal(x.opts.wscale, 7);
	assert_int_equal(x.tsval, 111);
	sa.dir = (uint8_t)sw_ft_key_make(&kk, 4, 6, B4, A4, htons(80),
					 htons(40000));
	sw_ft_lookup_burst(s, &kp, 1, &pos);
	assert_true(pos >= 0);
	/* A blind RST in the client's name while the server is silent. */
	data.tcp_flags = RST;
	data.seq = 1002;
	assert_int_equal(sw_ft_update(s, pos, &data, 11, &x), SW_FT_INV_RST);
	data = ack;
	/* A SYN/ACK acknowledging the wrong number changes nothing. */
	sa.ack = 1002;
	assert_int_equal(sw_ft_update(s, pos, &sa, 11, &x), SW_FT_INV_SEQ);
	sa.ack = 1001;
	assert_int_equal(sw_ft_update(s, pos, &sa, 11, &x), SW_FT_OK);
	assert_int_equal(x.act, SW_FT_PX_ACK);
	assert_int_equal(x.seq, 1001);
	assert_int_equal(x.ack, srv + 1);
	assert_int_equal(x.tsecr, 90000);
	assert_int_equal(x.cli_seq, cookie + 1);	/* in the client's view */
	assert_int_equal(x.cli_ack, 1001);
	assert_true(lookup(ft, &k, 11, &info));
	assert_int_equal(info.state, SW_FT_TCP_ESTABLISHED);
	assert_true(info.assured && info.proxied);
	assert_int_equal(info.px_delta, srv - cookie);
	assert_int_equal(info.px_tsoff, 90000 - 5555);
	/* Client data: acknowledges in the cookie's numbers. */
	data.tcp_flags = PSH | ACK;
	data.datalen = 100;
	data.tsval = 112;
	data.tsecr = 5556;
	assert_int_equal(sw_ft_update(s, pos, &data, 12, &x), SW_FT_OK);
	assert_int_equal(x.act, SW_FT_PX_FWD);
	assert_int_equal(cookie + 1 + x.ack_add, srv + 1);
	assert_int_equal(5556 + x.tsecr_add, 90001);
	assert_int_equal(x.seq_add, 0);
	/* The server's answer: its numbers go back into the client's. */
	sa.tcp_flags = PSH | ACK;
	sa.seq = srv + 1;
	sa.ack = 1101;
	sa.sack = 1101;
	sa.datalen = 200;
	sa.tsval = 90002;
	sa.tsecr = 112;
	sa.win = 500;
	assert_int_equal(sw_ft_update(s, pos, &sa, 12, &x), SW_FT_OK);
	assert_int_equal(x.act, SW_FT_PX_FWD);
	assert_int_equal(srv + 1 + x.seq_add, cookie + 1);
	assert_int_equal(90002 + x.tsval_add, 5557);
	assert_int_equal(x.win_from, 7);
	assert_int_equal(x.win_to, 7);
	/* A client ACK beyond what the server sent is invalid. */
	data.tcp_flags = ACK;
	data.datalen = 0;
	data.seq = 1101;
	data.ack = data.sack = cookie + 1 + 500;
	assert_int_equal(sw_ft_update(s, pos, &data, 13, &x), SW_FT_INV_SEQ);
	sw_ft_free(ft);
}

static void sweep(struct sw_ft *ft, uint64_t now);

/* A UDP flow opened by 192.0.2.<host> port sport, on a quota table. */
static int
udp_from(struct sw_ft *ft, uint8_t host, uint16_t sport, uint64_t now)
{
	uint8_t src[4] = { 192, 0, 2, host };
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct sw_ft_pkt p = { .len = 60, .port = 0 };
	const struct sw_ft_key *kp;
	struct sw_ft_key k;
	uint8_t why;
	int32_t pos;

	p.dir = (uint8_t)sw_ft_key_make(&k, 4, 17, src, B4, htons(sport),
					htons(53));
	kp = &k;
	sw_ft_lookup_burst(s, &kp, 1, &pos);
	return sw_ft_insert(s, &k, &p, now, &why);
}

static struct sw_ft *
make_quota_ft(uint32_t max, uint32_t per_src, uint32_t rate)
{
	struct sw_ft_conf c;
	struct sw_ft *ft;

	sw_ft_conf_defaults(&c);
	c.max_flows = max;
	c.src_max_flows = per_src;
	c.src_max_new_per_s = rate;
	ft = sw_ft_create(&c);
	assert_non_null(ft);
	return ft;
}

static void
test_ft_source_quota_flows(void **state)
{
	struct sw_ft *ft = make_quota_ft(64, 4, 0);
	struct sw_ft_stats st;
	uint16_t p;

	(void)state;
	for (p = 1; p <= 4; p++)
		assert_int_equal(udp_from(ft, 10, p, 0), 0);
	assert_int_equal(udp_from(ft, 10, 5, 0), -EDQUOT);
	assert_int_equal(udp_from(ft, 11, 5, 0), 0);	/* another source */
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.src_over, 1);
	assert_int_equal(st.flows, 5);
	/* Its flows expire: the source may open again. */
	sweep(ft, 100);
	assert_int_equal(udp_from(ft, 10, 6, 100), 0);
	sw_ft_free(ft);
}

static void
test_ft_source_quota_rate(void **state)
{
	struct sw_ft *ft = make_quota_ft(64, 0, 2);

	(void)state;
	assert_int_equal(udp_from(ft, 10, 1, 10), 0);
	assert_int_equal(udp_from(ft, 10, 2, 10), 0);
	assert_int_equal(udp_from(ft, 10, 3, 10), -EDQUOT);
	assert_int_equal(udp_from(ft, 12, 3, 10), 0);
	/* A second later, two more tokens. */
	assert_int_equal(udp_from(ft, 10, 4, 11), 0);
	assert_int_equal(udp_from(ft, 10, 5, 11), 0);
	assert_int_equal(udp_from(ft, 10, 6, 11), -EDQUOT);
	sw_ft_free(ft);
}

/* A whole connection from A to B's port 80, closed by A: TIME_WAIT. */
static void
open_and_close(struct sw_ft *ft, uint16_t ap, uint64_t now)
{
	assert_int_equal(packet(ft, 6, ap, 80, 1, SYN, now), 0);
	assert_int_equal(packet(ft, 6, ap, 80, 0, SYN | ACK, now), 0);
	assert_int_equal(packet(ft, 6, ap, 80, 1, ACK, now), 0);
	assert_int_equal(packet(ft, 6, ap, 80, 1, FIN | ACK, now), 0);
	assert_int_equal(packet(ft, 6, ap, 80, 0, FIN | ACK, now), 0);
	assert_int_equal(packet(ft, 6, ap, 80, 1, ACK, now), 0);
}

/*
 * Closed connections leave their source's quota, as Linux's connlimit
 * does not count TIME_WAIT and CLOSE: a client that closes what it
 * opens is never locked out by its own TIME_WAIT entries. Its live
 * flows are still held to the quota, and a SYN that reopens a closed
 * flow is a new flow for it.
 */
static void
test_ft_source_quota_skips_closed(void **state)
{
	struct sw_ft *ft = make_quota_ft(64, 2, 0);
	struct sw_ft_key k1 = key4(6, 1, 80);
	struct sw_ft_info info;
	struct sw_ft_stats st;
	uint16_t p;

	(void)state;
	nb_convs = 0;
	for (p = 1; p <= 6; p++)
		open_and_close(ft, p, 1);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.flows, 6);		/* six TIME_WAIT entries */
	assert_int_equal(st.src_over, 0);
	assert_int_equal(st.evictable, 6);	/* all of them evictable */
	/* Live flows: two, then the quota holds. */
	assert_int_equal(packet(ft, 6, 20, 80, 1, SYN, 2), 0);
	assert_int_equal(packet(ft, 6, 21, 80, 1, SYN, 2), 0);
	assert_int_equal(packet(ft, 6, 22, 80, 1, SYN, 2), -EDQUOT);
	/*
	 * A valid SYN on a closed tuple: its old flow goes (the worker
	 * then judges the SYN as new), and the new flow is over the quota.
	 */
	assert_int_equal(packet(ft, 6, 1, 80, 1, SYN, 3), -SW_FT_RETRY);
	assert_false(lookup(ft, &k1, 3, NULL));
	assert_int_equal(packet(ft, 6, 1, 80, 1, SYN, 3), -EDQUOT);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.src_over, 2);
	/* A live flow closes: room for one more. */
	assert_int_equal(packet(ft, 6, 20, 80, 0, RST | ACK, 4), 0);
	assert_int_equal(packet(ft, 6, 1, 80, 1, SYN, 4), 0);
	assert_true(lookup(ft, &k1, 4, &info));
	assert_int_equal(info.state, SW_FT_TCP_SYN_SENT);
	assert_int_equal(packet(ft, 6, 23, 80, 1, SYN, 4), -EDQUOT);
	sw_ft_free(ft);
}

/*
 * A quota table whose chains are full (16 sources holding flows, a
 * 16-entry table): a new source must not go unlimited. It takes the
 * place of the lightest entry of its chain and is held at its quota.
 */
static void
test_ft_source_table_full_still_limits(void **state)
{
	struct sw_ft_conf c;
	struct sw_ft *ft;
	struct sw_ft_stats st;
	uint16_t p;
	uint8_t h;

	(void)state;
	sw_ft_conf_defaults(&c);
	c.max_flows = 256;
	c.src_max_flows = 4;
	c.src_max_sources = 16;
	ft = sw_ft_create(&c);
	assert_non_null(ft);
	/* Spoofed fillers: one flow from each of 16 sources. */
	for (h = 100; h < 116; h++)
		assert_int_equal(udp_from(ft, h, 1000, 0), 0);
	/* The attacker's real source, with many flows. */
	for (p = 1; p <= 4; p++)
		assert_int_equal(udp_from(ft, 10, p, 0), 0);
	for (p = 5; p <= 40; p++)
		assert_int_equal(udp_from(ft, 10, p, 0), -EDQUOT);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.flows, 16 + 4);
	sw_ft_free(ft);
}

/* Early drop takes the heaviest source's flows before older ones. */
static void
test_ft_early_drop_heaviest_source(void **state)
{
	struct sw_ft *ft = make_quota_ft(8, 100, 0);
	struct sw_ft_stats st;
	uint16_t p;
	int b_left = 0;

	(void)state;
	/* Source .20 opens 2 flows first (oldest), source .10 six later. */
	assert_int_equal(udp_from(ft, 20, 1, 1), 0);
	assert_int_equal(udp_from(ft, 20, 2, 1), 0);
	for (p = 1; p <= 6; p++)
		assert_int_equal(udp_from(ft, 10, p, 5), 0);
	assert_int_equal(udp_from(ft, 30, 1, 6), 0);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.early_drops, 1);
	/* Both of .20's older flows are still there. */
	for (p = 1; p <= 2; p++) {
		uint8_t src[4] = { 192, 0, 2, 20 };
		struct sw_ft_key k;

		sw_ft_key_make(&k, 4, 17, src, B4, htons(p), htons(53));
		b_left += lookup(ft, &k, 6, NULL);
	}
	assert_int_equal(b_left, 2);
	sw_ft_free(ft);
}

static void
test_ft_udp_assured_after_two_seconds(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_key k = key4(17, 5353, 53);
	struct sw_ft_info info;

	(void)state;
	assert_int_equal(packet(ft, 17, 5353, 53, 1, 0, 10), 0);
	assert_int_equal(packet(ft, 17, 5353, 53, 0, 0, 10), 0);
	assert_true(lookup(ft, &k, 10, &info));
	assert_true(info.replied);
	assert_false(info.assured);		/* a query and its answer */
	assert_int_equal(info.state, SW_FT_UDP);
	assert_int_equal(info.remaining, 30);
	assert_int_equal(packet(ft, 17, 5353, 53, 1, 0, 12), 0);
	assert_true(lookup(ft, &k, 12, &info));
	assert_true(info.assured);		/* both ways, 2 s old */
	assert_int_equal(info.state, SW_FT_UDP_STREAM);
	assert_int_equal(info.remaining, 180);
	sw_ft_free(ft);
}

static void
test_ft_miss_kinds(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_conf c;
	struct sw_ft *strict;
	struct sw_ft_shard *s = sw_ft_shard(ft, 0), *ss;

	(void)state;
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, SYN, 0), SW_FT_MISS_NEW);
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, SYN | 0xc0, 0),
			 SW_FT_MISS_NEW);	/* ECN bits are fine */
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, ACK, 0), SW_FT_MISS_LOOSE);
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, PSH | ACK, 0),
			 SW_FT_MISS_LOOSE);
	/* Valid, but no way to open a flow: only the fallback may see it. */
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, SYN | ACK, 0),
			 SW_FT_MISS_MIDSTREAM);
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, RST, 0),
			 SW_FT_MISS_MIDSTREAM);
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, FIN | ACK, 0),
			 SW_FT_MISS_MIDSTREAM);
	/* Impossible flag sets: XMAS, NULL, SYN+FIN, FIN alone. */
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, SYN | FIN, 0),
			 SW_FT_MISS_INVALID);
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, 0x3f, 0),
			 SW_FT_MISS_INVALID);
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, 0, 0), SW_FT_MISS_INVALID);
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, FIN, 0), SW_FT_MISS_INVALID);
	assert_false(sw_ft_tcp_flags_valid(SYN | FIN));
	assert_false(sw_ft_tcp_flags_valid(0));
	assert_true(sw_ft_tcp_flags_valid(SYN | ACK | 0xc0));
	assert_int_equal(sw_ft_miss_kind(s, 4, 17, 0, 0), SW_FT_MISS_NEW);
	assert_int_equal(sw_ft_miss_kind(s, 4, 1, 0, 8), SW_FT_MISS_NEW);
	assert_int_equal(sw_ft_miss_kind(s, 4, 1, 0, 0),
			 SW_FT_MISS_UNTRACKED);
	assert_int_equal(sw_ft_miss_kind(s, 6, 58, 0, 128), SW_FT_MISS_NEW);
	assert_int_equal(sw_ft_miss_kind(s, 6, 58, 0, 129),
			 SW_FT_MISS_UNTRACKED);
	assert_int_equal(sw_ft_miss_kind(s, 6, 47, 0, 0), SW_FT_MISS_NEW);

	sw_ft_conf_defaults(&c);
	c.max_flows = 64;
	c.tcp_loose = false;
	strict = sw_ft_create(&c);
	assert_non_null(strict);
	ss = sw_ft_shard(strict, 0);
	assert_int_equal(sw_ft_miss_kind(ss, 4, 6, ACK, 0),
			 SW_FT_MISS_MIDSTREAM);
	assert_false(sw_ft_loose(ss));
	sw_ft_free(strict);
	sw_ft_free(ft);
}

static void
test_ft_udp_icmp_generic_states(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_key k;
	struct sw_ft_info info;

	(void)state;
	assert_int_equal(packet(ft, 17, 5353, 53, 1, 0, 10), 0);
	k = key4(17, 5353, 53);
	assert_true(lookup(ft, &k, 10, &info));
	assert_int_equal(info.state, SW_FT_UDP);
	assert_int_equal(info.remaining, 30);
	assert_false(info.assured);
	assert_int_equal(packet(ft, 17, 5353, 53, 0, 0, 11), 0);
	assert_int_equal(packet(ft, 17, 5353, 53, 1, 0, 12), 0);
	assert_true(lookup(ft, &k, 12, &info));
	assert_int_equal(info.state, SW_FT_UDP_STREAM);
	assert_int_equal(info.remaining, 180);
	assert_true(info.assured);
	assert_int_equal(info.pkts[0], 2);
	assert_int_equal(info.pkts[1], 1);

	/* ICMP echo: both directions carry the id in both "ports". */
	assert_int_equal(packet(ft, 1, 77, 77, 1, 0, 12), 0);
	k = key4(1, 77, 77);
	assert_true(lookup(ft, &k, 12, &info));
	assert_int_equal(info.state, SW_FT_ICMP);
	assert_int_equal(info.remaining, 30);
	assert_int_equal(packet(ft, 1, 77, 77, 0, 0, 13), 0);
	assert_int_equal(packet(ft, 1, 77, 77, 1, 0, 20), 0);
	assert_true(lookup(ft, &k, 20, &info));
	assert_true(info.replied);
	assert_false(info.assured);	/* echo is never assured */

	assert_int_equal(packet(ft, 47, 0, 0, 1, 0, 14), 0);
	k = key4(47, 0, 0);
	assert_true(lookup(ft, &k, 14, &info));
	assert_int_equal(info.state, SW_FT_GENERIC);
	assert_int_equal(info.remaining, 600);
	sw_ft_free(ft);
}

static void
test_ft_v6_flow_both_directions(void **state)
{
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 0x10 };
	uint8_t b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x20 };
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct sw_ft_key k1, k2;
	const struct sw_ft_key *kp = &k2;
	struct sw_ft_info info;
	int32_t pos;
	int d1, d2;

	(void)state;
	struct sw_ft_pkt syn = { .len = 80, .seq = 100, .win = 1000,
				 .tcp_flags = SYN, .port = 0,
				 .wscale = SW_FT_NO_WSCALE };
	struct sw_ft_pkt synack = { .len = 80, .seq = 900, .ack = 101,
				    .sack = 101, .win = 1000,
				    .tcp_flags = SYN | ACK, .port = 1,
				    .wscale = SW_FT_NO_WSCALE };
	struct sw_ft_pkt ack = { .len = 60, .seq = 101, .ack = 901,
				 .sack = 901, .win = 1000, .tcp_flags = ACK,
				 .port = 0, .wscale = SW_FT_NO_WSCALE };
	uint8_t why;

	d1 = sw_ft_key_make(&k1, 6, 6, a, b, htons(40000), htons(443));
	syn.dir = ack.dir = (uint8_t)d1;
	assert_int_equal(sw_ft_insert(s, &k1, &syn, 1, &why), 0);
	d2 = sw_ft_key_make(&k2, 6, 6, b, a, htons(443), htons(40000));
	synack.dir = (uint8_t)d2;
	sw_ft_lookup_burst(s, &kp, 1, &pos);
	assert_true(pos >= 0);
	assert_int_equal(sw_ft_update(s, pos, &synack, 2, NULL), SW_FT_OK);
	assert_int_equal(sw_ft_update(s, pos, &ack, 3, NULL), SW_FT_OK);
	assert_true(lookup(ft, &k1, 3, &info));
	assert_int_equal(info.state, SW_FT_TCP_ESTABLISHED);
	assert_int_equal(info.pkts[0], 2);
	assert_int_equal(info.pkts[1], 1);
	assert_int_equal(info.bytes[0], 140);
	sw_ft_free(ft);
}

static void
sweep(struct sw_ft *ft, uint64_t now)
{
	unsigned int i;

	/* Enough polls to pass over every slot. */
	for (i = 0; i < 64; i++)
		sw_ft_expire(sw_ft_shard(ft, 0), now);
}

static void
test_ft_expiry_driven_clock(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_key ku = key4(17, 1, 53), kt = key4(6, 2, 80);
	struct sw_ft_stats st;

	(void)state;
	assert_int_equal(packet(ft, 17, 1, 53, 1, 0, 100), 0);
	assert_int_equal(packet(ft, 6, 2, 80, 1, SYN, 100), 0);
	sweep(ft, 130);			/* udp: 30 s idle, not past it */
	assert_true(lookup(ft, &ku, 130, NULL));
	sweep(ft, 131);
	assert_false(lookup(ft, &ku, 131, NULL));
	assert_true(lookup(ft, &kt, 131, NULL));	/* syn_sent: 120 */
	/* A new timeout applies to live flows at once. */
	sw_ft_set_timeout(ft, SW_FT_TO_tcp_syn_sent, 5);
	assert_int_equal(sw_ft_get_timeout(ft, SW_FT_TO_tcp_syn_sent), 5);
	sweep(ft, 132);
	assert_false(lookup(ft, &kt, 132, NULL));
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.expired, 2);
	assert_int_equal(st.flows, 0);
	assert_int_equal(st.inserts, 2);
}

static void
test_ft_busy_flow_stays(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_key busy = key4(17, 1, 53), idle = key4(17, 2, 53);
	uint64_t t;

	(void)state;
	assert_int_equal(packet(ft, 17, 1, 53, 1, 0, 0), 0);
	assert_int_equal(packet(ft, 17, 2, 53, 1, 0, 0), 0);
	for (t = 1; t < 100; t++) {
		assert_int_equal(packet(ft, 17, 1, 53, 1, 0, t), 0);
		sweep(ft, t);
	}
	assert_true(lookup(ft, &busy, t, NULL));
	assert_false(lookup(ft, &idle, t, NULL));
	sw_ft_free(ft);
}

/* Fill a max-8 shard with TCP flows; assured ones complete handshakes. */
static void
fill(struct sw_ft *ft, int assured, uint64_t now)
{
	uint16_t p;

	for (p = 1; p <= 8; p++) {
		assert_int_equal(packet(ft, 6, p, 80, 1, SYN, now + p), 0);
		if (assured) {
			assert_int_equal(packet(ft, 6, p, 80, 0, SYN | ACK,
						now + p), 0);
			assert_int_equal(packet(ft, 6, p, 80, 1, ACK, now + p),
					 0);
		}
	}
}

static void
test_ft_full_early_drop_takes_oldest_unassured(void **state)
{
	struct sw_ft *ft = make_ft(8, true, 0, 0);
	struct sw_ft_key oldest = key4(6, 1, 80), newest = key4(6, 100, 80);
	struct sw_ft_stats st;
	uint16_t p;

	(void)state;
	fill(ft, 0, 0);
	/* Make flow 2 assured: never a victim, even if older. */
	assert_int_equal(packet(ft, 6, 2, 80, 0, SYN | ACK, 0), 0);
	assert_int_equal(packet(ft, 6, 2, 80, 1, ACK, 0), 0);
	assert_int_equal(packet(ft, 6, 100, 80, 1, SYN, 50), 0);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.early_drops, 1);
	assert_int_equal(st.flows, 8);
	assert_int_equal(st.insert_failed, 0);
	assert_false(lookup(ft, &oldest, 50, NULL));
	assert_true(lookup(ft, &newest, 50, NULL));
	for (p = 2; p <= 8; p++) {
		struct sw_ft_key k = key4(6, p, 80);

		assert_true(lookup(ft, &k, 50, NULL));
	}
	sw_ft_free(ft);
}

static void
test_ft_full_of_assured_spills(void **state)
{
	struct sw_ft *ft = make_ft(8, true, 0, 0);
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct sw_ft_key k = key4(6, 100, 80);
	struct sw_ft_stats st;
	uint16_t p;

	(void)state;
	fill(ft, 1, 0);
	assert_false(sw_ft_spilling(s));
	assert_int_equal(packet(ft, 6, 100, 80, 1, SYN, 50), -ENOSPC);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.early_drops, 0);
	assert_int_equal(st.insert_failed, 1);
	assert_true(st.spilling);
	assert_true(sw_ft_spilling(s));
	assert_false(lookup(ft, &k, 50, NULL));
	for (p = 1; p <= 8; p++) {
		struct sw_ft_key kk = key4(6, p, 80);

		assert_true(lookup(ft, &kk, 50, NULL));
	}
	/* Spilling ends once the shard is below 90 %: 8 -> 6 flows. */
	assert_int_equal(packet(ft, 6, 1, 80, 1, RST, 60), 0);
	assert_int_equal(packet(ft, 6, 2, 80, 1, RST, 60), 0);
	sweep(ft, 100);			/* tcp_close: 10 s */
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.flows, 6);
	assert_false(sw_ft_spilling(s));
	/* The freed slots take new flows again. */
	assert_int_equal(packet(ft, 6, 100, 80, 1, SYN, 101), 0);
	assert_int_equal(packet(ft, 6, 101, 80, 1, SYN, 101), 0);
	sw_ft_free(ft);
}

/* Linux's early drop also takes assured flows that are closing. */
static void
test_ft_early_drop_takes_closing_assured(void **state)
{
	struct sw_ft *ft = make_ft(8, true, 0, 0);
	struct sw_ft_key closing = key4(6, 5, 80);
	struct sw_ft_stats st;

	(void)state;
	fill(ft, 1, 0);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.evictable, 0);
	/* Flow 5 closes: FIN from the opener, FIN_WAIT. */
	assert_int_equal(packet(ft, 6, 5, 80, 1, FIN | ACK, 20), 0);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.evictable, 1);
	assert_int_equal(packet(ft, 6, 100, 80, 1, SYN, 30), 0);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.early_drops, 1);
	assert_int_equal(st.insert_failed, 0);
	assert_false(lookup(ft, &closing, 30, NULL));
	sw_ft_free(ft);
}

/*
 * No blind spot: in a shard of assured flows with one evictable flow
 * anywhere, early drop finds it within a couple of attempts (each scans
 * on from where the last stopped), and a shard with none refuses at
 * once, every time.
 */
static void
test_ft_early_drop_has_no_blind_spot(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_stats st;
	unsigned int tries;
	uint16_t p;

	(void)state;
	for (p = 1; p <= 64; p++) {
		assert_int_equal(packet(ft, 6, p, 80, 1, SYN, p), 0);
		assert_int_equal(packet(ft, 6, p, 80, 0, SYN | ACK, p), 0);
		if (p != 37)
			assert_int_equal(packet(ft, 6, p, 80, 1, ACK, p), 0);
	}
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.evictable, 1);
	for (tries = 1; tries <= 3; tries++)
		if (packet(ft, 6, 1000 + tries, 80, 1, SYN, 100) == 0)
			break;
	assert_true(tries <= 2);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.early_drops, 1);
	/* The newcomer is evictable now; make it assured too. */
	assert_int_equal(packet(ft, 6, 1000 + tries, 80, 0, SYN | ACK, 100),
			 0);
	assert_int_equal(packet(ft, 6, 1000 + tries, 80, 1, ACK, 100), 0);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.evictable, 0);
	for (p = 0; p < 100; p++)
		assert_int_equal(packet(ft, 6, 2000 + p, 80, 1, SYN, 101),
				 -ENOSPC);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.early_drops, 1);
	sw_ft_free(ft);
}

static void
test_ft_full_without_early_drop_spills(void **state)
{
	struct sw_ft *ft = make_ft(8, false, 0, 0);
	struct sw_ft_stats st;

	(void)state;
	fill(ft, 0, 0);
	assert_int_equal(packet(ft, 6, 100, 80, 1, SYN, 50), -ENOSPC);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.early_drops, 0);
	assert_int_equal(st.insert_failed, 1);
	sw_ft_free(ft);
}

static void
test_ft_adaptive_scaling(void **state)
{
	static const struct {
		uint16_t flows;
		uint32_t q10;
	} rows[] = {
		{ 50, 1024 },	/* below start (60): unscaled */
		{ 60, 1024 },
		{ 75, 768 },	/* (120 - 75) / 60 = 0.75 */
		{ 90, 512 },	/* 0.5 */
		{ 100, 341 },	/* the table's limit: 1/3 */
	};
	struct sw_ft *ft = make_ft(100, false, 60, 120);
	struct sw_ft_key k = key4(17, 1, 53);
	struct sw_ft_stats st;
	struct sw_ft_info info;
	uint16_t n = 0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		while (n < rows[i].flows) {
			n++;
			assert_int_equal(packet(ft, 17, n, 53, 1, 0, 0), 0);
		}
		sw_ft_expire(sw_ft_shard(ft, 0), 0);
		sw_ft_shard_stats(ft, 0, &st);
		/* Reported in per mille: 1024ths rounded down. */
		assert_int_equal(st.adaptive_scale_permille,
				 rows[i].q10 * 1000 / 1024);
	}
	/* udp's 30 s now count for a third. */
	assert_true(lookup(ft, &k, 0, &info));
	assert_int_equal(info.remaining, 9);
	/*
	 * At 11 s flows expire, long before 30 s; as they go the scale
	 * rises again, so the table settles rather than emptying.
	 */
	sweep(ft, 11);
	sw_ft_shard_stats(ft, 0, &st);
	assert_true(st.expired > 0);
	assert_true(st.flows < 100);
	assert_true(st.adaptive_scale_permille > 341 * 1000 / 1024);
	sw_ft_free(ft);
}

static void
test_ft_memory_and_bad_conf(void **state)
{
	struct sw_ft_conf c;
	struct sw_ft *ft;

	(void)state;
	sw_ft_conf_defaults(&c);
	c.max_flows = 65536;
	ft = sw_ft_create(&c);
	assert_non_null(ft);
	printf("65536 flows: %zu bytes, %.1f bytes per flow\n",
	       sw_ft_memory(ft), (double)sw_ft_memory(ft) / 65536);
	assert_true(sw_ft_memory(ft) >= 65536 * 64);
	sw_ft_free(ft);
	sw_ft_free(NULL);

	sw_ft_conf_defaults(&c);
	c.nb_shards = 0;
	assert_null(sw_ft_create(&c));
	sw_ft_conf_defaults(&c);
	c.adaptive_end = c.adaptive_start;
	assert_null(sw_ft_create(&c));
	sw_ft_conf_defaults(&c);
	c.high_water = 101;
	assert_null(sw_ft_create(&c));
}

/*
 * Regression: "flows counter above the live flows" (control test, both
 * directions of new connections in one replayed burst). A single
 * re-lookup in the middle of a burst reset the burst's insert count, so
 * a later insert of a key already present skipped its lookup and
 * rte_hash_add_key's existing slot was counted as a new flow. Fixed in
 * "flowtable: never count an existing key as a new flow".
 */
static void
test_ft_insert_existing_key_is_an_update(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct sw_ft_key k = key4(17, 7, 53);
	const struct sw_ft_key *kp = &k;
	struct sw_ft_stats st;
	struct sw_ft_info info;
	int32_t pos;

	(void)state;
	struct sw_ft_pkt lo = { .len = 60, .dir = SW_FT_DIR_LO, .port = 0 };
	struct sw_ft_pkt hi = { .len = 60, .dir = SW_FT_DIR_HI, .port = 1 };
	uint8_t why;

	sw_ft_lookup_burst(s, &kp, 1, &pos);
	assert_int_equal(sw_ft_insert(s, &k, &lo, 1, &why), 0);
	/* A re-lookup of another key mid-burst must not hide the insert. */
	assert_true(sw_ft_lookup(s, &k) >= 0);
	assert_int_equal(sw_ft_insert(s, &k, &hi, 2, &why), 1);
	/* Even a new burst that skipped the lookup: still an update. */
	sw_ft_lookup_burst(s, &kp, 0, &pos);
	assert_int_equal(sw_ft_insert(s, &k, &lo, 3, &why), 1);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.flows, 1);
	assert_int_equal(st.inserts, 1);
	assert_true(lookup(ft, &k, 3, &info));
	assert_int_equal(info.pkts[0], 2);
	assert_int_equal(info.pkts[1], 1);
	assert_true(info.assured);
	sw_ft_free(ft);
}

/*
 * The worker hashes each key once and hands the hash to the lookup and
 * the insert: the same flows as the unhashed calls, in either order,
 * for IPv4 and IPv6 keys; the hash is the key's and nothing else.
 */
static void
test_ft_hashed_calls_match(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct sw_ft_key k[2] = { key4(17, 7, 53), key4(18, 7, 53) };
	const struct sw_ft_key *kp[2] = { &k[0], &k[1] };
	struct sw_ft_pkt lo = { .len = 60, .dir = SW_FT_DIR_LO, .port = 0 };
	uint32_t h[2] = { sw_ft_key_hash(&k[0]), sw_ft_key_hash(&k[1]) };
	int32_t pos[2], pos2[2];
	uint8_t why;

	(void)state;
	sw_ft_lookup_burst_hash(s, kp, h, 2, pos);
	assert_true(pos[0] < 0 && pos[1] < 0);
	assert_int_equal(sw_ft_insert_hash(s, &k[0], h[0], &lo, 1, &why), 0);
	assert_int_equal(sw_ft_insert(s, &k[1], &lo, 1, &why), 0);
	/* Either lookup finds both, at the same slots. */
	sw_ft_lookup_burst_hash(s, kp, h, 2, pos);
	sw_ft_lookup_burst(s, kp, 2, pos2);
	assert_true(pos[0] >= 0 && pos[1] >= 0 && pos[0] != pos[1]);
	assert_int_equal(pos[0], pos2[0]);
	assert_int_equal(pos[1], pos2[1]);
	/* Inserting again by hash is an update of the same flow. */
	assert_int_equal(sw_ft_insert_hash(s, &k[1], h[1], &lo, 2, &why), 1);
	/* The hash is not a key: another key's hash finds nothing. */
	h[0] = h[1];
	sw_ft_lookup_burst_hash(s, kp, h, 1, pos);
	assert_true(pos[0] < 0);
	sw_ft_free(ft);
}

static void
test_ft_flush_deletes_everything(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_stats st;
	uint16_t p;

	(void)state;
	for (p = 1; p <= 10; p++)
		assert_int_equal(packet(ft, 17, p, 53, 1, 0, 0), 0);
	sw_ft_flush(ft);
	sweep(ft, 1);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.flows, 0);
	assert_int_equal(st.flushed, 10);
	assert_int_equal(st.expired, 0);
	/* Done: new flows stay. */
	assert_int_equal(packet(ft, 17, 1, 53, 1, 0, 2), 0);
	sweep(ft, 2);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.flows, 1);
	sw_ft_free(ft);
}

static int
find_first_cb(const struct sw_ft_key *key, const struct sw_ft_info *info,
	      void *arg)
{
	(void)key;
	(void)info;
	(void)arg;
	return 1;
}

static int
count_cb(const struct sw_ft_key *key, const struct sw_ft_info *info,
	 void *arg)
{
	unsigned int *seen = arg;

	(void)info;
	seen[ntohs(key->lo_port) < 64 ? ntohs(key->lo_port) : 0]++;
	return 0;
}

/*
 * show flows streams a listing a chunk at a time: a walk resumed from a
 * cursor sees every flow once, and between chunks the walker is offline,
 * so the owner reuses the slots it deletes while a listing waits on its
 * client (a full table keeps taking new flows as old ones expire).
 */
static void
test_ft_walk_from_resumes_and_lets_owner_reclaim(void **state)
{
	struct sw_ft *ft = make_ft(8, false, 0, 0);
	struct sw_ft_cursor cur = { 0 };
	unsigned int seen[64] = { 0 }, calls = 0, n = 0, p;

	(void)state;
	fill(ft, 1, 0);
	while (!sw_ft_walk_done(ft, &cur)) {
		n += sw_ft_walk_from(ft, 0, &cur, 3, 10, count_cb, seen);
		calls++;
	}
	assert_int_equal(n, 8);
	assert_true(calls > 2);
	for (p = 1; p <= 8; p++)
		assert_int_equal(seen[p], 1);

	/* Mid-listing: the full table expires a flow and takes a new one. */
	memset(&cur, 0, sizeof(cur));
	memset(seen, 0, sizeof(seen));
	while (sw_ft_walk_from(ft, 0, &cur, 1, 10, count_cb, seen) == 0)
		;
	assert_false(sw_ft_walk_done(ft, &cur));
	assert_int_equal(packet(ft, 6, 20, 80, 1, SYN, 20), -ENOSPC);
	sw_ft_set_timeout(ft, SW_FT_TO_tcp_established, 1);
	sweep(ft, 100);
	for (p = 20; p < 28; p++)
		assert_int_equal(packet(ft, 6, (uint16_t)p, 80, 1, SYN, 100),
				 0);
	while (!sw_ft_walk_done(ft, &cur))
		sw_ft_walk_from(ft, 0, &cur, 2, 100, count_cb, seen);
	/* A callback's stop ends the call, not the walk. */
	memset(&cur, 0, sizeof(cur));
	assert_int_equal(sw_ft_walk_from(ft, 0, &cur, UINT32_MAX, 100,
					 find_first_cb, NULL), 1);
	assert_false(sw_ft_walk_done(ft, &cur));
	sw_ft_free(ft);
}

static unsigned int judged;

static bool
judge_odd_ports(unsigned int shard, const struct sw_ft_key *key, int orig_dir,
		uint8_t port, uint8_t state, void *arg)
{
	(void)shard;
	(void)arg;
	judged++;
	assert_int_equal(orig_dir, SW_FT_DIR_LO);
	assert_int_equal(port, 7);
	assert_int_equal(state, SW_FT_UDP);
	return ntohs(key->lo_port) % 2 == 1;
}

static void
test_ft_revalidate_asks_the_judge_once(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct sw_ft_stats st;
	uint16_t p;

	(void)state;
	sw_ft_set_judge(ft, judge_odd_ports, NULL);
	for (p = 1; p <= 10; p++) {
		struct sw_ft_key k = key4(17, p, 53);
		struct sw_ft_pkt pk = { .len = 60, .dir = SW_FT_DIR_LO,
					.port = 7 };
		uint8_t why;

		assert_int_equal(sw_ft_insert(s, &k, &pk, 0, &why), 0);
	}
	sweep(ft, 1);			/* no request: the judge is not asked */
	assert_int_equal(judged, 0);
	assert_false(sw_ft_revalidate_pending(ft));
	sw_ft_revalidate(ft);
	assert_true(sw_ft_revalidate_pending(ft));
	sweep(ft, 1);
	assert_false(sw_ft_revalidate_pending(ft));
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(judged, 10);
	assert_int_equal(st.flows, 5);
	assert_int_equal(st.revalidated, 5);
	sw_ft_free(ft);
}

static void
test_ft_options_change_live(void **state)
{
	struct sw_ft *ft = make_ft(8, true, 0, 0);
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);

	(void)state;
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, ACK, 0), SW_FT_MISS_LOOSE);
	sw_ft_set_options(ft, false, false, false);
	assert_int_equal(sw_ft_miss_kind(s, 4, 6, ACK, 0),
			 SW_FT_MISS_MIDSTREAM);
	fill(ft, 0, 0);			/* 8 half-open flows */
	assert_int_equal(packet(ft, 6, 100, 80, 1, SYN, 50), -ENOSPC);
	sw_ft_set_options(ft, true, false, true);
	assert_int_equal(packet(ft, 6, 101, 80, 1, SYN, 50), 0);
	sw_ft_free(ft);
}

/* ---- a writer inserting and expiring while a reader walks ---- */

struct conc {
	struct sw_ft *ft;
	int stop;		/* atomic: the writer tells the walker */
	int bad;		/* atomic: the walker tells the test */
	unsigned long walks;
	unsigned long visited;
};

static int
check_cb(const struct sw_ft_key *key, const struct sw_ft_info *info, void *arg)
{
	struct conc *c = arg;

	/* The writer keys UDP flows by lo_port == hi_port. */
	if (key->proto != 17 || key->lo_port != key->hi_port ||
	    key->zone != 0 || info->state != SW_FT_UDP)
		__atomic_store_n(&c->bad, 1, __ATOMIC_RELAXED);
	c->visited++;
	return 0;
}

static void *
walker(void *arg)
{
	struct conc *c = arg;

	while (!__atomic_load_n(&c->stop, __ATOMIC_ACQUIRE)) {
		sw_ft_walk(c->ft, 1, 0, check_cb, c);
		c->walks++;
	}
	return NULL;
}

static void
test_ft_concurrent_walk_while_writing(void **state)
{
	struct conc c = { 0 };
	struct sw_ft_shard *s;
	pthread_t th;
	uint64_t now;
	uint16_t p;
	int rc;

	(void)state;
	c.ft = make_ft(1024, true, 0, 0);
	sw_ft_set_timeout(c.ft, SW_FT_TO_udp, 1);
	s = sw_ft_shard(c.ft, 0);
	pthread_create(&th, NULL, walker, &c);
	for (now = 0; now < 3000; now++) {
		for (p = 0; p < 64; p++) {
			uint16_t port = (uint16_t)((now * 64 + p) % 4000);
			struct sw_ft_key k = key4(17, port, port);

			struct sw_ft_pkt pk = { .len = 60,
						.dir = SW_FT_DIR_LO };
			uint8_t why;

			/* Same port both sides: lo_port == hi_port. */
			rc = sw_ft_insert(s, &k, &pk, now, &why);
			/*
			 * -EBUSY: slots deleted during a walk wait out its
			 * grace period, and the key store may run dry.
			 */
			if (rc != 0 && rc != -ENOSPC && rc != -EBUSY)
				fail_msg("insert at %llu: %d",
					 (unsigned long long)now, rc);
		}
		sw_ft_expire(s, now);
		sw_ft_expire(s, now);
	}
	__atomic_store_n(&c.stop, 1, __ATOMIC_RELEASE);
	pthread_join(th, NULL);
	printf("concurrent: %lu walks saw %lu flows while 192000 inserts "
	       "ran\n", c.walks, c.visited);
	assert_false(c.bad);
	assert_true(c.walks > 0);
	sw_ft_free(c.ft);
}

/*
 * One TCP segment with explicit numbers from A (the opener's side, on
 * PORT_A) or B, through the worker API: an update if its flow is there
 * (SW_FT_RETRY returned as -SW_FT_RETRY), else an insert. frag: a first
 * fragment. Returns 0 / 1, or -verdict.
 */
static int
seg(struct sw_ft *ft, int from_a, uint8_t flags, uint32_t seq, uint32_t ack,
    uint16_t datalen, uint8_t frag, uint64_t now)
{
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct sw_ft_pkt p = { .len = 60u + datalen, .seq = seq, .ack = ack,
			       .sack = ack, .win = 65535, .datalen = datalen,
			       .tcp_flags = flags, .wscale = SW_FT_NO_WSCALE,
			       .family = 4, .frag = frag };
	const struct sw_ft_key *kp;
	struct sw_ft_key k;
	uint8_t why = 0;
	int32_t pos;
	int rc;

	p.dir = (uint8_t)(from_a ?
		sw_ft_key_make(&k, 4, 6, A4, B4, htons(4000), htons(80)) :
		sw_ft_key_make(&k, 4, 6, B4, A4, htons(80), htons(4000)));
	p.port = from_a ? PORT_A : PORT_B;
	kp = &k;
	sw_ft_lookup_burst(s, &kp, 1, &pos);
	if (pos >= 0) {
		rc = sw_ft_update(s, pos, &p, now, NULL);
		return rc == SW_FT_OK ? 0 : -rc;
	}
	rc = sw_ft_insert(s, &k, &p, now, &why);
	return rc == -EINVAL ? -why : rc;
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
 * Regression (issue 22, item 5): two spoofed queries 2 s apart to a
 * service that answers make a UDP flow assured; a table full of them
 * refused every new flow. Early drop now takes assured UDP flows once
 * no unassured one is left; assured TCP stays.
 */
static void
test_ft_early_drop_takes_assured_udp(void **state)
{
	struct sw_ft *ft = make_ft(8, true, 0, 0);
	struct sw_ft_key k = key4(6, 100, 80);
	struct sw_ft_stats st;
	uint16_t p;

	(void)state;
	for (p = 1; p <= 6; p++) {
		assert_int_equal(packet(ft, 17, p, 53, 1, 0, p), 0);
		assert_int_equal(packet(ft, 17, p, 53, 0, 0, p), 0);
		assert_int_equal(packet(ft, 17, p, 53, 1, 0, p + 2), 0);
	}
	for (p = 7; p <= 8; p++) {
		assert_int_equal(packet(ft, 6, p, 80, 1, SYN, 9), 0);
		assert_int_equal(packet(ft, 6, p, 80, 0, SYN | ACK, 9), 0);
		assert_int_equal(packet(ft, 6, p, 80, 1, ACK, 9), 0);
	}
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.flows, 8);
	assert_int_equal(st.evictable, 0);
	assert_int_equal(st.evictable_assured, 6);
	assert_int_equal(packet(ft, 6, 100, 80, 1, SYN, 10), 0);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.early_drops, 0);
	assert_int_equal(st.early_drops_assured, 1);
	assert_int_equal(st.evictable_assured, 5);
	assert_int_equal(st.insert_failed, 0);
	assert_true(lookup(ft, &k, 10, NULL));
	/* The assured TCP flows were never the victims. */
	for (p = 7; p <= 8; p++) {
		struct sw_ft_key kt = key4(6, p, 80);

		assert_true(lookup(ft, &kt, 10, NULL));
	}
	/* An unassured flow is still taken before an assured UDP one. */
	assert_int_equal(packet(ft, 6, 101, 80, 1, SYN, 11), 0);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.early_drops, 1);
	assert_int_equal(st.early_drops_assured, 1);
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

/*
 * Issue 22, item 1: a blind brute force of cookies from one source is
 * stopped for the rest of a 10 s window after proxy_bad_cookies invalid
 * ones; other sources are not; the window ends.
 */
static void
test_ft_cookie_bad_limit_per_source(void **state)
{
	struct sw_ft_conf c;
	struct sw_ft *ft;
	struct sw_ft_shard *s;
	struct sw_ft_key k = key4(6, 40000, 80), other;
	struct sw_ft_syn_opts o = { .mss = 1460, .wscale = 7 }, d;
	static const uint8_t B[4] = { 192, 0, 2, 11 };
	uint32_t good;
	unsigned int i;

	(void)state;
	sw_ft_conf_defaults(&c);
	c.max_flows = 64;
	c.proxy_bad_cookies = 4;
	ft = sw_ft_create(&c);
	assert_non_null(ft);
	s = sw_ft_shard(ft, 0);
	sw_ft_key_make(&other, 4, 6, B, B4, htons(40000), htons(80));
	good = sw_ft_cookie_make(s, &k, SW_FT_DIR_LO, 0, 1000, 100, &o);
	for (i = 0; i < 4; i++)
		assert_int_equal(sw_ft_cookie_verify(s, &k, SW_FT_DIR_LO, 0,
						     1000, good ^ (1u << i),
						     100, &d), -EINVAL);
	/* Past the limit: not even a valid one is checked. */
	assert_int_equal(sw_ft_cookie_verify(s, &k, SW_FT_DIR_LO, 0, 1000,
					     good, 101, &d), -EDQUOT);
	/* Another source is not held. */
	good = sw_ft_cookie_make(s, &other, SW_FT_DIR_LO, 0, 5, 101, &o);
	assert_int_equal(sw_ft_cookie_verify(s, &other, SW_FT_DIR_LO, 0, 5,
					     good, 101, &d), 0);
	/* The window over, the source is checked again. */
	good = sw_ft_cookie_make(s, &k, SW_FT_DIR_LO, 0, 1000, 111, &o);
	assert_int_equal(sw_ft_cookie_verify(s, &k, SW_FT_DIR_LO, 0, 1000,
					     good, 111, &d), 0);
	/* 0: no limit. */
	sw_ft_set_bad_cookies(ft, 0);
	for (i = 0; i < 10; i++)
		assert_int_equal(sw_ft_cookie_verify(s, &k, SW_FT_DIR_LO, 0,
						     1000, good ^ 1, 111, &d),
				 -EINVAL);
	assert_int_equal(sw_ft_cookie_verify(s, &k, SW_FT_DIR_LO, 0, 1000,
					     good, 111, &d), 0);
	sw_ft_free(ft);
}

/* A short cookie period: the cookie dies within three periods. */
static void
test_ft_cookie_period(void **state)
{
	struct sw_ft_conf c;
	struct sw_ft *ft;
	struct sw_ft_shard *s;
	struct sw_ft_key k = key4(6, 40000, 80);
	struct sw_ft_syn_opts o = { .mss = 1460 }, d;
	uint32_t ck;

	(void)state;
	sw_ft_conf_defaults(&c);
	c.max_flows = 64;
	c.proxy_cookie_period = 4;
	ft = sw_ft_create(&c);
	assert_non_null(ft);
	s = sw_ft_shard(ft, 0);
	ck = sw_ft_cookie_make(s, &k, SW_FT_DIR_LO, 0, 1, 100, &o);
	assert_int_equal(sw_ft_cookie_check(s, &k, SW_FT_DIR_LO, 0, 1, ck, 103,
					    &d), 0);
	assert_int_equal(sw_ft_cookie_check(s, &k, SW_FT_DIR_LO, 0, 1, ck,
					    100 + 12, &d), -EINVAL);
	sw_ft_free(ft);
}

static int
eal_setup(void **state)
{
	(void)state;
	return test_eal_init("ft");
}

static int
eal_teardown(void **state)
{
	(void)state;
	test_eal_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ft_hash_siphash_reference_vector),
		cmocka_unit_test(test_ft_hash_keyed_by_secret),
		cmocka_unit_test(test_ft_key_both_directions_meet_v4),
		cmocka_unit_test(test_ft_key_both_directions_meet_v6),
		cmocka_unit_test(test_ft_key_same_address_orders_by_port),
		cmocka_unit_test(test_ft_key_distinguishes_protocol_and_family),
		cmocka_unit_test(test_ft_tcp_transitions),
		cmocka_unit_test(test_ft_tcp_windows),
		cmocka_unit_test(test_ft_blind_ack_earns_nothing),
		cmocka_unit_test(test_ft_blind_rst_closes_nothing),
		cmocka_unit_test(test_ft_related_checks),
		cmocka_unit_test(test_ft_udp_assured_after_two_seconds),
		cmocka_unit_test(test_ft_source_quota_flows),
		cmocka_unit_test(test_ft_source_quota_rate),
		cmocka_unit_test(test_ft_source_quota_skips_closed),
		cmocka_unit_test(test_ft_source_table_full_still_limits),
		cmocka_unit_test(test_ft_early_drop_heaviest_source),
		cmocka_unit_test(test_ft_cookie_roundtrip_and_forgery),
		cmocka_unit_test(test_ft_proxy_flow_translates),
		cmocka_unit_test(test_ft_miss_kinds),
		cmocka_unit_test(test_ft_udp_icmp_generic_states),
		cmocka_unit_test(test_ft_v6_flow_both_directions),
		cmocka_unit_test(test_ft_expiry_driven_clock),
		cmocka_unit_test(test_ft_busy_flow_stays),
		cmocka_unit_test(test_ft_full_early_drop_takes_oldest_unassured),
		cmocka_unit_test(test_ft_full_of_assured_spills),
		cmocka_unit_test(test_ft_early_drop_takes_closing_assured),
		cmocka_unit_test(test_ft_early_drop_has_no_blind_spot),
		cmocka_unit_test(test_ft_full_without_early_drop_spills),
		cmocka_unit_test(test_ft_adaptive_scaling),
		cmocka_unit_test(test_ft_memory_and_bad_conf),
		cmocka_unit_test(test_ft_insert_existing_key_is_an_update),
		cmocka_unit_test(test_ft_flush_deletes_everything),
		cmocka_unit_test(
			test_ft_walk_from_resumes_and_lets_owner_reclaim),
		cmocka_unit_test(test_ft_revalidate_asks_the_judge_once),
		cmocka_unit_test(test_ft_options_change_live),
		cmocka_unit_test(test_ft_hashed_calls_match),
		cmocka_unit_test(test_ft_concurrent_walk_while_writing),
		cmocka_unit_test(test_ft_close_reopened_whatever_isn),
		cmocka_unit_test(test_ft_early_drop_takes_assured_udp),
		cmocka_unit_test(test_ft_fragments_drive_no_state),
		cmocka_unit_test(test_ft_cookie_bad_limit_per_source),
		cmocka_unit_test(test_ft_cookie_period),
	};

	return cmocka_run_group_tests_name("flowtable", tests, eal_setup,
					   eal_teardown);
}
