/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * lib/flowtable unit tests: state sync (ft_sync.c): a flow's state out
 * (events, exports) and in (imports, merges, removals), the takeover's
 * learning of windows, and what a table tells its peer and when.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>

#include <rte_common.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "ft_test.h"
#include "ring_copy.h"

/* The position of key's flow in shard 0, or < 0. */
static int32_t
pos_of(struct sw_ft *ft, const struct sw_ft_key *k)
{
	return sw_ft_lookup(sw_ft_shard(ft, 0), k);
}

/* The events shard 0 made since the last call: how many, *ev. */
static unsigned int
events(struct sw_ft *ft, struct sw_ft_event **ev)
{
	return sw_ft_events(sw_ft_shard(ft, 0), ev);
}

/* A's connection to B:80 from port ap, through the handshake. */
static void
handshake(struct sw_ft *ft, uint16_t ap, uint64_t now)
{
	assert_int_equal(packet(ft, 6, ap, 80, 1, SYN, now), 0);
	assert_int_equal(packet(ft, 6, ap, 80, 0, SYN | ACK, now), 0);
	assert_int_equal(packet(ft, 6, ap, 80, 1, ACK, now), 0);
}

static void
test_ft_sync_export_import_roundtrip(void **state)
{
	struct sw_ft *a = make_ft(64, true, 0, 0), *b;
	struct sw_ft_key k = key4(6, 4000, 80);
	struct sw_ft_flowstate fs;
	struct sw_ft_info ia, ib;

	(void)state;
	handshake(a, 4000, 100);
	assert_int_equal(packet(a, 6, 4000, 80, 1, PSH | ACK, 100), 0);
	sw_ft_export(sw_ft_shard(a, 0), pos_of(a, &k), 110, &fs);
	assert_int_equal(fs.state, SW_FT_TCP_ESTABLISHED);
	assert_true(fs.flags & SW_FT_FS_ASSURED);
	assert_true(fs.remaining_ms > 0);
	/* Another table, as the peer: the flow as it was, time left kept. */
	b = make_ft(64, true, 0, 0);
	assert_int_equal(sw_ft_import(sw_ft_shard(b, 0), &fs, 5000), 0);
	assert_true(lookup(a, &k, 110, &ia));
	assert_true(lookup(b, &k, 5000, &ib));
	assert_int_equal(ib.state, SW_FT_TCP_ESTABLISHED);
	assert_true(ib.assured);
	assert_true(ib.replied);
	assert_true(ib.synced);
	assert_int_equal(ib.orig_dir, ia.orig_dir);
	assert_int_equal(ib.port, ia.port);
	assert_int_equal(ib.remaining, ia.remaining);
	assert_int_equal(ib.tcp[0].end, ia.tcp[0].end);
	assert_int_equal(ib.tcp[1].maxend, ia.tcp[1].maxend);
	assert_int_equal(ib.tcp[0].scale, ia.tcp[0].scale);
	assert_true(ib.tcp[0].flags & SW_FT_TCPF_UNSEEN);
	assert_true(ib.tcp[1].flags & SW_FT_TCPF_UNSEEN);
	/* Counted as put in from the peer, not as opened here. */
	{
		struct sw_ft_stats st;

		sw_ft_shard_stats(b, 0, &st);
		assert_int_equal(st.inserts, 0);
		assert_int_equal(st.sync_applied, 1);
		assert_int_equal(st.flows, 1);
	}
	/* The same state, exported from the walk's copy. */
	{
		struct sw_ft_flowstate w;

		sw_ft_info_state(&k, &ia, &w);
		assert_int_equal(w.state, fs.state);
		assert_int_equal(w.flags, fs.flags);
		assert_memory_equal(w.tcp, fs.tcp, sizeof(w.tcp));
	}
	sw_ft_free(a);
	sw_ft_free(b);
}

static void
test_ft_sync_keep_never_reports_half_open(void **state)
{
	struct sw_ft *ft = make_ft(256, true, 0, 0);
	struct sw_ft_event *ev;
	uint16_t p;

	(void)state;
	assert_int_equal(sw_ft_set_sync(ft, SW_FT_SYNC_KEEP, 10), 0);
	/* A SYN flood: flows, but nothing for the peer. */
	for (p = 1; p <= 100; p++)
		assert_int_equal(packet(ft, 6, p, 80, 1, SYN, 10), 0);
	assert_int_equal(events(ft, &ev), 0);
	/* One connection completes its handshake: one report, assured. */
	assert_int_equal(packet(ft, 6, 7, 80, 0, SYN | ACK, 10), 0);
	assert_int_equal(events(ft, &ev), 0);
	assert_int_equal(packet(ft, 6, 7, 80, 1, ACK, 10), 0);
	assert_int_equal(events(ft, &ev), 1);
	assert_int_equal(ev[0].op, SW_FT_EV_UPSERT);
	assert_int_equal(ev[0].fs.state, SW_FT_TCP_ESTABLISHED);
	assert_true(ev[0].fs.flags & SW_FT_FS_ASSURED);
	/* Data changes nothing worth telling. */
	assert_int_equal(packet(ft, 6, 7, 80, 1, PSH | ACK, 10), 0);
	assert_int_equal(packet(ft, 6, 7, 80, 0, ACK, 10), 0);
	assert_int_equal(events(ft, &ev), 0);
	/* Its deletion is: the peer has it. The unanswered SYNs' is not. */
	sweep(ft, 10 + 432001);
	assert_int_equal(events(ft, &ev), 1);
	assert_int_equal(ev[0].op, SW_FT_EV_DELETE);
	assert_int_equal(ev[0].reason, SW_FT_DEL_EXPIRED);
	assert_int_equal(ev[0].fs.key.lo_port | ev[0].fs.key.hi_port,
			 htons(7) | htons(80));
	sw_ft_free(ft);
}

/*
 * Leaving ESTABLISHED is told by the sweep, once, a second or more
 * after the last report, with the state the close reached by then:
 * the closing states in between are not told one by one, nor is the
 * expiry of a connection told closing.
 */
static void
test_ft_sync_keep_tells_a_close_once(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_event *ev;

	(void)state;
	assert_int_equal(sw_ft_set_sync(ft, SW_FT_SYNC_KEEP, 10), 0);
	/* Long established: its close goes at the sweep's next visit. */
	handshake(ft, 7, 10);
	assert_int_equal(events(ft, &ev), 1);
	assert_int_equal(packet(ft, 6, 7, 80, 1, FIN | ACK, 50), 0);
	assert_int_equal(events(ft, &ev), 0);
	sweep(ft, 50);
	assert_int_equal(events(ft, &ev), 1);
	assert_int_equal(ev[0].op, SW_FT_EV_UPSERT);
	assert_int_equal(ev[0].fs.state, SW_FT_TCP_FIN_WAIT);
	/* The rest of the close: nothing more until it goes. */
	assert_int_equal(packet(ft, 6, 7, 80, 0, FIN | ACK, 50), 0);
	assert_int_equal(packet(ft, 6, 7, 80, 1, ACK, 50), 0);
	sweep(ft, 50);
	assert_int_equal(events(ft, &ev), 0);
	/* Opened and closed at once: told a second after its report. */
	handshake(ft, 8, 60);
	assert_int_equal(events(ft, &ev), 1);
	assert_int_equal(packet(ft, 6, 8, 80, 1, FIN | ACK, 60), 0);
	assert_int_equal(packet(ft, 6, 8, 80, 0, FIN | ACK, 60), 0);
	assert_int_equal(packet(ft, 6, 8, 80, 1, ACK, 60), 0);
	sweep(ft, 60);
	assert_int_equal(events(ft, &ev), 0);
	sweep(ft, 60 + SW_FT_SYNC_CHANGE_S);
	assert_int_equal(events(ft, &ev), 1);
	assert_int_equal(ev[0].op, SW_FT_EV_UPSERT);
	assert_int_equal(ev[0].fs.state, SW_FT_TCP_TIME_WAIT);
	assert_int_equal(ev[0].fs.key.lo_port | ev[0].fs.key.hi_port,
			 htons(8) | htons(80));
	sweep(ft, 60 + SW_FT_SYNC_CHANGE_S);
	assert_int_equal(events(ft, &ev), 0);
	/*
	 * Told closing, they expire unreported: the peer's copies have
	 * TIME_WAIT's time left and run out by themselves.
	 */
	sweep(ft, 200);
	assert_int_equal(events(ft, &ev), 0);
	{
		struct sw_ft_stats st;

		sw_ft_shard_stats(ft, 0, &st);
		assert_int_equal(st.flows, 0);
		assert_int_equal(st.expired, 2);
	}
	sw_ft_free(ft);
}

/*
 * A connection that closes and is gone before its close is told costs
 * two events: established, then gone.
 */
static void
test_ft_sync_keep_gone_before_told(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_event *ev;

	(void)state;
	assert_int_equal(sw_ft_set_sync(ft, SW_FT_SYNC_KEEP, 10), 0);
	sw_ft_set_timeout(ft, SW_FT_TO_tcp_time_wait, 1);
	open_and_close(ft, 9, 100);
	assert_int_equal(events(ft, &ev), 1);
	assert_int_equal(ev[0].fs.state, SW_FT_TCP_ESTABLISHED);
	sweep(ft, 102);
	assert_int_equal(events(ft, &ev), 1);
	assert_int_equal(ev[0].op, SW_FT_EV_DELETE);
	assert_int_equal(ev[0].reason, SW_FT_DEL_EXPIRED);
	assert_int_equal(ev[0].fs.key.lo_port | ev[0].fs.key.hi_port,
			 htons(9) | htons(80));
	sw_ft_free(ft);
}

/* A ring of n - 1 events for a shard's owner to fill, or fail. */
static struct rte_ring *
event_ring(unsigned int n, unsigned int flags)
{
	static unsigned int seq;
	char name[RTE_RING_NAMESIZE];
	struct rte_ring *r;

	snprintf(name, sizeof(name), "t_ev%u", seq++);
	r = rte_ring_create_elem(name, sizeof(struct sw_ft_event), n,
				 SOCKET_ID_ANY, flags);
	assert_non_null(r);
	return r;
}

/* Up to 4 events out of r, copied as the HA sender takes them. */
static unsigned int
dequeue(struct rte_ring *r, struct sw_ft_event *ev)
{
	return sw_ring_take(r, ev, sizeof(*ev), 4);
}

/*
 * ring_copy.h: whole structs in and out, across the ring's end (the
 * zero-copy API splits such a run in two), and a full ring refused.
 */
static void
test_ft_sync_ring_copy_wraps(void **state)
{
	struct rte_ring *r = event_ring(4, RING_F_SP_ENQ | RING_F_SC_DEQ);
	struct sw_ft_event in[3], out[4];
	unsigned int i, round;

	(void)state;
	for (round = 0; round < 3; round++) {
		memset(in, 0, sizeof(in));
		for (i = 0; i < 3; i++) {
			in[i].op = (uint8_t)(1 + i);
			in[i].reason = (uint8_t)(10 * round + i);
			in[i].fs.key.family = 4;
			in[i].fs.key.lo_port = (uint16_t)(1000 * round + i);
			assert_int_equal(sw_ring_put(r, &in[i], sizeof(in[i])),
					 0);
		}
		/* Room for three: a fourth is refused. */
		assert_int_equal(sw_ring_put(r, &in[0], sizeof(in[0])),
				 -ENOBUFS);
		memset(out, 0xa5, sizeof(out));
		assert_int_equal(sw_ring_take(r, out, sizeof(out[0]), 4), 3);
		assert_memory_equal(out, in, sizeof(in));
		assert_int_equal(sw_ring_take(r, out, sizeof(out[0]), 4), 0);
	}
	rte_ring_free(r);
}

/*
 * With a ring, events are written in its slots (no copy) and reach its
 * consumer on publish, never before; those that find it full are lost
 * and counted as such (not as the shard's buffer overflowing); a
 * deletion carries its key.
 */
static void
test_ft_sync_events_written_into_ring(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct rte_ring *mp = event_ring(4, 0);
	struct rte_ring *r = event_ring(4, RING_F_SP_ENQ | RING_F_SC_DEQ);
	struct sw_ft_event got[4];
	struct sw_ft_stats st;
	unsigned int lost;
	uint16_t p;

	(void)state;
	/* The owner is the ring's only producer. */
	assert_int_equal(sw_ft_set_events_ring(s, mp), -EINVAL);
	assert_int_equal(sw_ft_set_events_ring(s, r), 0);
	assert_int_equal(sw_ft_set_sync(ft, SW_FT_SYNC_KEEP, 10), 0);
	assert_int_equal(sw_ft_events_publish(s, &lost), 0);
	handshake(ft, 7, 10);
	assert_int_equal(rte_ring_count(r), 0);	/* not yet published */
	assert_int_equal(sw_ft_events_publish(s, &lost), 1);
	assert_int_equal(lost, 0);
	assert_int_equal(dequeue(r, got), 1);
	assert_int_equal(got[0].op, SW_FT_EV_UPSERT);
	assert_int_equal(got[0].fs.state, SW_FT_TCP_ESTABLISHED);
	assert_int_equal(got[0].fs.key.lo_port | got[0].fs.key.hi_port,
			 htons(7) | htons(80));
	/* Room for three: the other two are lost, the ring's fault. */
	for (p = 1; p <= 5; p++)
		handshake(ft, (uint16_t)(100 + p), 10);
	assert_int_equal(sw_ft_events_publish(s, &lost), 3);
	assert_int_equal(lost, 2);
	sw_ft_shard_stats(ft, 0, &st);
	assert_int_equal(st.sync_ev_dropped, 0);
	assert_int_equal(dequeue(r, got), 3);
	assert_int_equal(got[2].fs.key.lo_port | got[2].fs.key.hi_port,
			 htons(103) | htons(80));
	/* A deletion: its key. */
	assert_int_equal(sw_ft_remove(s, &got[0].fs.key, false), 0);
	assert_int_equal(sw_ft_events_publish(s, &lost), 0);
	sweep(ft, 10 + 432001);
	assert_int_equal(sw_ft_events_publish(s, &lost), 3);
	assert_int_equal(dequeue(r, got), 3);
	assert_int_equal(got[0].op, SW_FT_EV_DELETE);
	assert_int_equal(got[0].reason, SW_FT_DEL_EXPIRED);
	assert_int_equal(got[0].fs.key.family, 4);
	assert_int_equal(got[0].fs.key.proto, 6);
	assert_int_equal(sw_ft_set_events_ring(s, NULL), 0);
	sw_ft_free(ft);
	rte_ring_free(r);
	rte_ring_free(mp);
}

/*
 * Active-active, the ring full: the new flow's event is lost, and the
 * packet that made it is told so (op 0): nothing to hold it for.
 */
static void
test_ft_sync_lost_event_holds_nothing(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct rte_ring *r = event_ring(2, RING_F_SP_ENQ | RING_F_SC_DEQ);
	struct sw_ft_event *e;
	unsigned int lost, since;

	(void)state;
	assert_int_equal(sw_ft_set_events_ring(s, r), 0);
	assert_int_equal(sw_ft_set_sync(ft, SW_FT_SYNC_ALL, 10), 0);
	since = sw_ft_events_count(s);
	assert_int_equal(packet(ft, 6, 9, 80, 1, SYN, 10), 0);
	e = sw_ft_hold_event(s, since);
	assert_non_null(e);
	assert_int_equal(e->op, SW_FT_EV_NEW);
	assert_int_equal(sw_ft_events_publish(s, &lost), 1);
	/* The ring (room for one) is full now. */
	since = sw_ft_events_count(s);
	assert_int_equal(packet(ft, 6, 10, 80, 1, SYN, 10), 0);
	e = sw_ft_hold_event(s, since);
	assert_non_null(e);
	assert_int_equal(e->op, 0);
	assert_int_equal(sw_ft_events_publish(s, &lost), 0);
	assert_int_equal(lost, 1);
	assert_int_equal(sw_ft_set_events_ring(s, NULL), 0);
	sw_ft_free(ft);
	rte_ring_free(r);
}

static void
test_ft_sync_all_reports_new_flows(void **state)
{
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct sw_ft_event *ev;
	struct sw_ft_event *last;
	unsigned int since;

	(void)state;
	assert_int_equal(sw_ft_set_sync(ft, SW_FT_SYNC_ALL, 10), 0);
	since = sw_ft_events_count(s);
	assert_int_equal(packet(ft, 6, 9, 80, 1, SYN, 10), 0);
	last = sw_ft_hold_event(s, since);
	assert_non_null(last);		/* a new flow: hold its packet */
	last->tag = 77;
	assert_int_equal(events(ft, &ev), 1);
	assert_int_equal(ev[0].op, SW_FT_EV_NEW);
	assert_int_equal(ev[0].tag, 77);
	assert_int_equal(ev[0].fs.state, SW_FT_TCP_SYN_SENT);
	assert_null(sw_ft_hold_event(s, 0));
	/* Every change after that; a flow of its own: no hold. */
	since = sw_ft_events_count(s);
	assert_int_equal(packet(ft, 6, 9, 80, 0, SYN | ACK, 10), 0);
	assert_null(sw_ft_hold_event(s, since));
	assert_int_equal(events(ft, &ev), 1);
	assert_int_equal(ev[0].fs.state, SW_FT_TCP_SYN_RECV);
	/* UDP: new at once, in ALL mode. */
	assert_int_equal(packet(ft, 17, 9, 53, 1, 0, 10), 0);
	assert_int_equal(events(ft, &ev), 1);
	assert_int_equal(ev[0].op, SW_FT_EV_NEW);
	assert_int_equal(ev[0].fs.state, SW_FT_UDP);
	sw_ft_free(ft);
}

/*
 * Asymmetric paths: the SYN went through a, the SYN/ACK comes through
 * b, which has the flow from a. Its change must reach a before the
 * client's ACK does: the event asks to hold the SYN/ACK.
 */
static void
test_ft_sync_all_holds_changes_of_shared_flows(void **state)
{
	struct sw_ft *b = make_ft(64, true, 0, 0);
	struct sw_ft *a = make_quota_ft(64, 0, 0);
	struct sw_ft_shard *sa = sw_ft_shard(a, 0), *sb = sw_ft_shard(b, 0);
	struct sw_ft_event *ev;
	unsigned int since;

	(void)state;
	assert_int_equal(sw_ft_set_sync(a, SW_FT_SYNC_ALL, 10), 0);
	assert_int_equal(sw_ft_set_sync(b, SW_FT_SYNC_ALL, 10), 0);
	assert_int_equal(packet(a, 6, 11, 80, 1, SYN, 10), 0);
	assert_int_equal(events(a, &ev), 1);
	assert_int_equal(sw_ft_import(sb, &ev[0].fs, 10), 0);
	since = sw_ft_events_count(sb);
	assert_int_equal(packet(b, 6, 11, 80, 0, SYN | ACK, 10), 0);
	assert_non_null(sw_ft_hold_event(sb, since));
	assert_int_equal(events(b, &ev), 1);
	assert_int_equal(ev[0].fs.state, SW_FT_TCP_SYN_RECV);
	/* a learns it; the client's ACK completes the handshake there. */
	assert_int_equal(sw_ft_import(sa, &ev[0].fs, 10), 1);
	since = sw_ft_events_count(sa);
	assert_int_equal(packet(a, 6, 11, 80, 1, ACK, 10), 0);
	assert_non_null(sw_ft_hold_event(sa, since));
	assert_int_equal(events(a, &ev), 1);
	assert_int_equal(ev[0].fs.state, SW_FT_TCP_ESTABLISHED);
	assert_true(ev[0].fs.flags & SW_FT_FS_ASSURED);
	/* Data both ways, each through its own node: no state change. */
	assert_int_equal(sw_ft_import(sb, &ev[0].fs, 10), 1);
	assert_int_equal(packet(a, 6, 11, 80, 1, PSH | ACK, 11), 0);
	assert_int_equal(packet(b, 6, 11, 80, 0, PSH | ACK, 11), 0);
	assert_int_equal(packet(a, 6, 11, 80, 1, ACK, 11), 0);
	assert_int_equal(events(a, &ev), 0);
	assert_int_equal(events(b, &ev), 0);
	sw_ft_free(a);
	sw_ft_free(b);
}

/*
 * The standby's copy: stale numbers (the active node went on sending
 * after its last report), yet the connection goes on through it, each
 * side learnt from its first segment; once both have been seen, the
 * windows are checked strictly again.
 */
/*
 * A takeover's two tables: a, whose connection from A:ap to B:80 is
 * through its handshake, and b (made first: make_ft forgets the
 * model's numbers); *fs is a's report of the flow.
 */
static void
takeover_pair(uint16_t ap, struct sw_ft **a, struct sw_ft **b,
	      struct sw_ft_flowstate *fs)
{
	struct sw_ft_key k = key4(6, ap, 80);
	struct sw_ft_conf c;

	*b = make_ft(64, true, 0, 0);
	sw_ft_conf_defaults(&c);
	c.max_flows = 64;
	*a = sw_ft_create(&c);
	assert_non_null(*a);
	handshake(*a, ap, 10);
	sw_ft_export(sw_ft_shard(*a, 0), pos_of(*a, &k), 10, fs);
}

static void
test_ft_sync_takeover_learns_windows(void **state)
{
	struct sw_ft *a, *b;
	struct sw_ft_key k = key4(6, 4100, 80);
	struct sw_ft_flowstate fs;
	struct sw_ft_info info;
	int i;

	(void)state;
	takeover_pair(4100, &a, &b, &fs);
	/* 80 KB each way after the report: past its 64 KB windows. */
	for (i = 0; i < 800; i++) {
		assert_int_equal(packet(a, 6, 4100, 80, 1, PSH | ACK, 11), 0);
		assert_int_equal(packet(a, 6, 4100, 80, 0, PSH | ACK, 11), 0);
	}
	assert_int_equal(sw_ft_import(sw_ft_shard(b, 0), &fs, 20), 0);
	/* On b, the copy takes the traffic (a would have refused it). */
	assert_int_equal(packet(b, 6, 4100, 80, 0, PSH | ACK, 21), 0);
	assert_true(lookup(b, &k, 21, &info));
	assert_true(info.synced);
	assert_false(info.tcp[1].flags & SW_FT_TCPF_UNSEEN);
	assert_int_equal(packet(b, 6, 4100, 80, 1, PSH | ACK, 21), 0);
	assert_int_equal(packet(b, 6, 4100, 80, 0, ACK, 21), 0);
	assert_true(lookup(b, &k, 21, &info));
	assert_false(info.synced);
	/* Strict again: a segment far outside the window is invalid. */
	conv_of(4100, 80)->nxt[0] += 50000000;
	assert_int_equal(packet(b, 6, 4100, 80, 1, ACK, 21), -SW_FT_INV_SEQ);
	sw_ft_free(a);
	sw_ft_free(b);
}

/*
 * The failover stall: the client's first segment on the new node is a
 * retransmission (the acknowledgements of its last segments were lost
 * in the takeover), so it is learnt 200 bytes behind what it sent
 * through the old node, and the server's acknowledgement of those bytes
 * would fail "acknowledges no more than was sent" on every
 * retransmission until the client gave up. An acknowledgement within
 * one of the server's windows of the relearnt end passes and moves the
 * end; one beyond that stays invalid; once the end is acknowledged the
 * flow is strict again.
 */
static void
test_ft_sync_takeover_relearns_from_retransmission(void **state)
{
	struct sw_ft *a, *b;
	struct sw_ft_key k = key4(6, 4200, 80);
	struct sw_ft_flowstate fs;
	struct sw_ft_info info;
	struct conv *cv;
	uint32_t sent;
	int i;

	(void)state;
	takeover_pair(4200, &a, &b, &fs);
	/* After the report, 1,000 bytes through a; their ACKs are lost. */
	for (i = 0; i < 10; i++)
		assert_int_equal(packet(a, 6, 4200, 80, 1, PSH | ACK, 11), 0);
	assert_int_equal(sw_ft_import(sw_ft_shard(b, 0), &fs, 20), 0);
	cv = conv_of(4200, 80);
	sent = cv->nxt[0];
	/* b: the client retransmits from 300 bytes back. */
	cv->nxt[0] = sent - 300;
	assert_int_equal(packet(b, 6, 4200, 80, 1, PSH | ACK, 21), 0);
	assert_true(lookup(b, &k, 21, &info));
	assert_int_equal(info.tcp[0].end, sent - 200);
	assert_true(info.tcp[0].flags & SW_FT_TCPF_RELEARNT);
	/* Forged: an ACK past one of the server's windows beyond it. */
	cv->nxt[0] = sent - 200 + 65535 + 1;
	assert_int_equal(packet(b, 6, 4200, 80, 0, ACK, 21), -SW_FT_INV_SEQ);
	/* The server's real ACK, of everything: passes, moves the end. */
	cv->nxt[0] = sent;
	assert_int_equal(packet(b, 6, 4200, 80, 0, ACK, 21), 0);
	assert_true(lookup(b, &k, 21, &info));
	assert_int_equal(info.tcp[0].end, sent);
	assert_false(info.tcp[0].flags & SW_FT_TCPF_RELEARNT);
	/* The connection goes on. */
	for (i = 0; i < 3; i++) {
		assert_int_equal(packet(b, 6, 4200, 80, 1, PSH | ACK, 22), 0);
		assert_int_equal(packet(b, 6, 4200, 80, 0, PSH | ACK, 22), 0);
	}
	assert_true(lookup(b, &k, 22, &info));
	assert_false(info.synced);
	assert_false((info.tcp[0].flags | info.tcp[1].flags) &
		     (SW_FT_TCPF_RELEARNT | SW_FT_TCPF_UNSEEN));
	/* Strict again: an ACK of 200 bytes never sent is invalid. */
	cv->nxt[0] += 200;
	assert_int_equal(packet(b, 6, 4200, 80, 0, ACK, 22), -SW_FT_INV_SEQ);
	sw_ft_free(a);
	sw_ft_free(b);
}

/*
 * What the learning is for: a flow of this node's own whose numbers
 * fell 80 KB behind (as a copy does) refuses the connection's next
 * segment.
 */
static void
test_ft_sync_stale_local_flow_refuses(void **state)
{
	struct sw_ft *a = make_ft(64, true, 0, 0);

	(void)state;
	handshake(a, 4200, 10);
	conv_of(4200, 80)->nxt[0] += 80000;
	assert_int_equal(packet(a, 6, 4200, 80, 1, PSH | ACK, 11),
			 -SW_FT_INV_SEQ);
	sw_ft_free(a);
}

static void
test_ft_sync_merge_never_goes_back(void **state)
{
	struct sw_ft *a = make_ft(64, true, 0, 0);
	struct sw_ft_key k = key4(6, 4300, 80);
	struct sw_ft_flowstate fs;
	struct sw_ft_info info;

	(void)state;
	assert_int_equal(packet(a, 6, 4300, 80, 1, SYN, 10), 0);
	assert_int_equal(packet(a, 6, 4300, 80, 0, SYN | ACK, 10), 0);
	sw_ft_export(sw_ft_shard(a, 0), pos_of(a, &k), 10, &fs);
	assert_int_equal(fs.state, SW_FT_TCP_SYN_RECV);
	assert_int_equal(packet(a, 6, 4300, 80, 1, ACK, 10), 0);
	/* A late report of SYN_RECV: this node forwards it, it stays. */
	assert_int_equal(sw_ft_import(sw_ft_shard(a, 0), &fs, 11), 1);
	assert_true(lookup(a, &k, 11, &info));
	assert_int_equal(info.state, SW_FT_TCP_ESTABLISHED);
	assert_true(info.assured);
	assert_int_equal(packet(a, 6, 4300, 80, 1, PSH | ACK, 11), 0);
	sw_ft_free(a);
}

static void
test_ft_sync_copy_takes_every_report(void **state)
{
	struct sw_ft *a = make_ft(64, true, 0, 0), *b;
	struct sw_ft_key k = key4(6, 4400, 80);
	struct sw_ft_flowstate fs1, fs2;
	struct sw_ft_info info;

	(void)state;
	handshake(a, 4400, 10);
	sw_ft_export(sw_ft_shard(a, 0), pos_of(a, &k), 10, &fs1);
	assert_int_equal(packet(a, 6, 4400, 80, 1, FIN | ACK, 12), 0);
	sw_ft_export(sw_ft_shard(a, 0), pos_of(a, &k), 12, &fs2);
	b = make_ft(64, true, 0, 0);
	assert_int_equal(sw_ft_import(sw_ft_shard(b, 0), &fs1, 10), 0);
	assert_int_equal(sw_ft_import(sw_ft_shard(b, 0), &fs2, 12), 1);
	assert_true(lookup(b, &k, 12, &info));
	assert_int_equal(info.state, SW_FT_TCP_FIN_WAIT);
	assert_int_equal(info.tcp[0].end, fs2.tcp[0].end);
	/* Nothing of it goes back to the peer. */
	{
		struct sw_ft_event *ev;

		assert_int_equal(sw_ft_set_sync(b, SW_FT_SYNC_KEEP, 10), 0);
		assert_int_equal(sw_ft_import(sw_ft_shard(b, 0), &fs2, 13), 1);
		sweep(b, 10000);	/* expired: the peer's own expiry */
		assert_int_equal(events(b, &ev), 0);
		assert_false(lookup(b, &k, 10000, NULL));
	}
	sw_ft_free(a);
	sw_ft_free(b);
}

static void
test_ft_sync_remaining_time_carries_over(void **state)
{
	struct sw_ft *b = make_ft(64, true, 0, 0);
	struct sw_ft_flowstate fs;
	struct sw_ft_info info;

	(void)state;
	memset(&fs, 0, sizeof(fs));
	fs.key = key4(17, 5000, 53);
	fs.state = SW_FT_UDP_STREAM;
	fs.flags = SW_FT_FS_ASSURED | SW_FT_FS_REPLIED;
	fs.remaining_ms = 5000;
	assert_int_equal(sw_ft_import(sw_ft_shard(b, 0), &fs, 100), 0);
	assert_true(lookup(b, &fs.key, 100, &info));
	assert_int_equal(info.remaining, 5);
	assert_int_equal(info.remaining_ms, 5000);
	sweep(b, 104);
	assert_true(lookup(b, &fs.key, 104, NULL));
	sweep(b, 106);
	assert_false(lookup(b, &fs.key, 106, NULL));
	sw_ft_free(b);
}

static void
test_ft_sync_import_refuses_bad_and_full(void **state)
{
	struct sw_ft *b = make_ft(8, true, 0, 0);
	struct sw_ft_flowstate fs;
	uint16_t p;

	(void)state;
	memset(&fs, 0, sizeof(fs));
	fs.key = key4(6, 1, 80);
	fs.state = SW_FT_UDP;		/* not a TCP state */
	assert_int_equal(sw_ft_import(sw_ft_shard(b, 0), &fs, 1), -EINVAL);
	fs.state = SW_FT_STATE_MAX;
	assert_int_equal(sw_ft_import(sw_ft_shard(b, 0), &fs, 1), -EINVAL);
	fs.key.family = 5;
	fs.state = SW_FT_TCP_ESTABLISHED;
	assert_int_equal(sw_ft_import(sw_ft_shard(b, 0), &fs, 1), -EINVAL);
	/* A shard of assured flows has no room, as for a packet. */
	for (p = 1; p <= 9; p++) {
		fs.key = key4(6, p, 80);
		fs.flags = SW_FT_FS_ASSURED | SW_FT_FS_REPLIED;
		fs.remaining_ms = 100000;
		assert_int_equal(sw_ft_import(sw_ft_shard(b, 0), &fs, 1),
				 p <= 8 ? 0 : -ENOSPC);
	}
	sw_ft_free(b);
}

static void
test_ft_sync_remove_keeps_forwarded_flows(void **state)
{
	struct sw_ft *a = make_ft(64, true, 0, 0);
	struct sw_ft_key k = key4(6, 4500, 80), k2 = key4(17, 4500, 53);
	struct sw_ft_flowstate fs;
	struct sw_ft_event *ev;

	(void)state;
	assert_int_equal(sw_ft_set_sync(a, SW_FT_SYNC_KEEP, 10), 0);
	handshake(a, 4500, 10);
	events(a, &ev);
	/* Forwarded here: a peer's expiry does not take it... */
	assert_int_equal(sw_ft_remove(sw_ft_shard(a, 0), &k, true), -EBUSY);
	assert_true(lookup(a, &k, 10, NULL));
	/* ...its close does, and that is not reported back. */
	assert_int_equal(sw_ft_remove(sw_ft_shard(a, 0), &k, false), 0);
	assert_false(lookup(a, &k, 10, NULL));
	assert_int_equal(events(a, &ev), 0);
	assert_int_equal(sw_ft_remove(sw_ft_shard(a, 0), &k, false), -ENOENT);
	/* A copy that never saw a packet here goes either way. */
	memset(&fs, 0, sizeof(fs));
	fs.key = k2;
	fs.state = SW_FT_UDP_STREAM;
	fs.remaining_ms = 100000;
	assert_int_equal(sw_ft_import(sw_ft_shard(a, 0), &fs, 10), 0);
	assert_int_equal(sw_ft_remove(sw_ft_shard(a, 0), &k2, true), 0);
	sw_ft_free(a);
}

static void
test_ft_sync_refresh_busy_flows_only(void **state)
{
	struct sw_ft *a = make_ft(64, true, 0, 0);
	struct sw_ft_event *ev;

	(void)state;
	assert_int_equal(sw_ft_set_sync(a, SW_FT_SYNC_KEEP, 10), 0);
	handshake(a, 4600, 100);
	handshake(a, 4601, 100);
	assert_int_equal(events(a, &ev), 2);
	/* One is busy, the other idle. */
	assert_int_equal(packet(a, 6, 4600, 80, 1, PSH | ACK, 105), 0);
	sweep(a, 109);
	assert_int_equal(events(a, &ev), 0);	/* not yet: 10 s */
	sweep(a, 111);
	assert_int_equal(events(a, &ev), 1);
	assert_int_equal(ev[0].op, SW_FT_EV_UPSERT);
	assert_int_equal(ev[0].fs.key.lo_port | ev[0].fs.key.hi_port,
			 htons(4600) | htons(80));
	/* Nothing new since: no second report. */
	sweep(a, 125);
	assert_int_equal(events(a, &ev), 0);
	sw_ft_free(a);
}

const struct CMUnitTest ft_sync_tests[] = {
	cmocka_unit_test(test_ft_sync_export_import_roundtrip),
	cmocka_unit_test(test_ft_sync_keep_never_reports_half_open),
	cmocka_unit_test(test_ft_sync_keep_tells_a_close_once),
	cmocka_unit_test(test_ft_sync_keep_gone_before_told),
	cmocka_unit_test(test_ft_sync_events_written_into_ring),
	cmocka_unit_test(test_ft_sync_ring_copy_wraps),
	cmocka_unit_test(test_ft_sync_lost_event_holds_nothing),
	cmocka_unit_test(test_ft_sync_all_reports_new_flows),
	cmocka_unit_test(test_ft_sync_all_holds_changes_of_shared_flows),
	cmocka_unit_test(test_ft_sync_takeover_learns_windows),
	cmocka_unit_test(test_ft_sync_takeover_relearns_from_retransmission),
	cmocka_unit_test(test_ft_sync_stale_local_flow_refuses),
	cmocka_unit_test(test_ft_sync_merge_never_goes_back),
	cmocka_unit_test(test_ft_sync_copy_takes_every_report),
	cmocka_unit_test(test_ft_sync_remaining_time_carries_over),
	cmocka_unit_test(test_ft_sync_import_refuses_bad_and_full),
	cmocka_unit_test(test_ft_sync_remove_keeps_forwarded_flows),
	cmocka_unit_test(test_ft_sync_refresh_busy_flows_only),
};
const size_t ft_sync_nb = RTE_DIM(ft_sync_tests);
