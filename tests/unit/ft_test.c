/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * lib/flowtable unit tests: the helpers the suites share: tables, a model of TCP conversations, segments.
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

const uint8_t A4[4] = { 192, 0, 2, 10 }, B4[4] = { 198, 51, 100, 80 };

/* ---- the table ---- */

unsigned int nb_convs;	/* the TCP model's conversations */

struct sw_ft *
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

struct sw_ft *
make_ft_hz(uint32_t max, uint64_t hz)
{
	struct sw_ft_conf c;
	struct sw_ft *ft;

	sw_ft_conf_defaults(&c);
	c.max_flows = max;
	c.hz = hz;
	ft = sw_ft_create(&c);
	assert_non_null(ft);
	return ft;
}

struct find {
	const struct sw_ft_key *key;
	struct sw_ft_info info;
	int found;
};

int
find_cb(const struct sw_ft_key *key, const struct sw_ft_info *info, void *arg)
{
	struct find *f = arg;

	if (memcmp(key, f->key, sizeof(*key)) != 0)
		return 0;
	f->info = *info;
	f->found = 1;
	return 1;
}

int
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


static struct conv convs[256];

struct conv *
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
bool retry_as_miss;

uint16_t insert_tag;

/*
 * The packet from A (from_a) or from B, through the worker API. TCP
 * segments take their numbers from the model: seq is the sender's next,
 * ack everything the other side sent; a PSH carries 100 bytes; a SYN
 * from a side that already sent starts a new incarnation with a higher
 * ISN. Returns 0 / 1 (sw_ft_insert), or -verdict.
 */
int
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
	p.tag = insert_tag;
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

struct sw_ft_key
key4(uint8_t proto, uint16_t ap, uint16_t bp)
{
	struct sw_ft_key k;

	sw_ft_key_make(&k, 4, proto, A4, B4, htons(ap), htons(bp));
	return k;
}


/* A UDP flow opened by 192.0.2.<host> port sport, on a quota table. */
int
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

struct sw_ft *
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

/* A whole connection from A to B's port 80, closed by A: TIME_WAIT. */
void
open_and_close(struct sw_ft *ft, uint16_t ap, uint64_t now)
{
	assert_int_equal(packet(ft, 6, ap, 80, 1, SYN, now), 0);
	assert_int_equal(packet(ft, 6, ap, 80, 0, SYN | ACK, now), 0);
	assert_int_equal(packet(ft, 6, ap, 80, 1, ACK, now), 0);
	assert_int_equal(packet(ft, 6, ap, 80, 1, FIN | ACK, now), 0);
	assert_int_equal(packet(ft, 6, ap, 80, 0, FIN | ACK, now), 0);
	assert_int_equal(packet(ft, 6, ap, 80, 1, ACK, now), 0);
}

void
sweep(struct sw_ft *ft, uint64_t now)
{
	unsigned int i;

	/* Enough polls to pass over every slot. */
	for (i = 0; i < 64; i++)
		sw_ft_expire(sw_ft_shard(ft, 0), now);
}

/* Fill a max-8 shard with TCP flows; assured ones complete handshakes. */
void
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

/*
 * One TCP segment with explicit numbers from A (the opener's side, on
 * PORT_A) or B, through the worker API: an update if its flow is there
 * (SW_FT_RETRY returned as -SW_FT_RETRY), else an insert. frag: a first
 * fragment. Returns 0 / 1, or -verdict.
 */
int
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
