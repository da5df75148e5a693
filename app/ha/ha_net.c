/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The sync protocol's messages on the control thread: out (the
 * workers' events, bulks, hellos, acknowledgements, sent together with
 * sendmmsg) and in (authenticated, fresh, of a peer that knows this
 * run, then handed to the owning worker), at most a budget of
 * datagrams each pass.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <sys/socket.h>

#include <rte_cycles.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "app.h"
#include "ha_private.h"
#include "log.h"
#include "ring_copy.h"

static const char *const role_names[] = {
	[SW_HA_ROLE_ACTIVE] = "active",
	[SW_HA_ROLE_STANDBY] = "standby",
};

/* ---- sending ---- */

void
ha_flush_tx(struct sw_ha *ha)
{
	struct mmsghdr m[HA_TX_BATCH];
	struct iovec iov[HA_TX_BATCH];
	unsigned int i, done = 0;
	int n;

	for (i = 0; i < ha->nb_tx; i++) {
		iov[i].iov_base = ha->tx[i];
		iov[i].iov_len = ha->tx_len[i];
		memset(&m[i], 0, sizeof(m[i]));
		m[i].msg_hdr.msg_name = &ha->peer_sa;
		m[i].msg_hdr.msg_namelen = ha->peer_len;
		m[i].msg_hdr.msg_iov = &iov[i];
		m[i].msg_hdr.msg_iovlen = 1;
	}
	while (done < ha->nb_tx) {
		n = sendmmsg(ha->fd, m + done, ha->nb_tx - done, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			/* A full socket buffer or no route: these are lost. */
			ha->cnt[SW_HA_STAT_send_errors] += ha->nb_tx - done;
			break;
		}
		done += (unsigned int)n;
		ha->cnt[SW_HA_STAT_datagrams_sent] += (unsigned int)n;
	}
	ha->nb_tx = 0;
}

/* A sealed message of type, with payload p (plen bytes), to send. */
static void
send_msg(struct sw_ha *ha, uint8_t type, uint8_t flags, uint16_t count,
	 uint64_t aux, const uint8_t *p, size_t plen)
{
	struct ha_hdr h = {
		.type = type, .flags = flags, .count = count,
		.node = ha->node, .epoch = ha->epoch, .seq = ++ha->seq,
		.aux = aux,
	};

	if (ha->nb_tx == HA_TX_BATCH)
		ha_flush_tx(ha);
	if (plen)
		memcpy(ha->tx[ha->nb_tx] + HA_HDR_LEN, p, plen);
	ha->tx_len[ha->nb_tx] = ha_seal(ha->tx[ha->nb_tx], &h, plen, ha->key);
	ha->nb_tx++;
	ha->sent_pass++;
}

/* The FLOWS datagram being filled goes out. */
void
ha_seal_flows(struct sw_ha *ha)
{
	if (ha->cur_n == 0)
		return;
	send_msg(ha, HA_FLOWS, ha->cur_flags, (uint16_t)ha->cur_n,
		 (ha->cur_flags & HA_F_BULK) ? ha->bulk_out_id : 0,
		 ha->cur + HA_HDR_LEN, (size_t)ha->cur_n * HA_REC_LEN);
	ha->cur_n = 0;
}

static void
add_rec(struct sw_ha *ha, const struct sw_ft_event *e, uint8_t flags)
{
	if (ha->cur_n > 0 && ha->cur_flags != flags)
		ha_seal_flows(ha);
	ha->cur_flags = flags;
	ha_rec_put(ha->cur + HA_HDR_LEN + (size_t)ha->cur_n * HA_REC_LEN, e);
	ha->cnt[SW_HA_STAT_flows_sent]++;
	if (++ha->cur_n == HA_RECS_MAX)
		ha_seal_flows(ha);
}

uint64_t
ha_total_flows(const struct sw_app *app)
{
	struct sw_ft_stats st;
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; app->ft != NULL && i < sw_ft_nb_shards(app->ft); i++) {
		sw_ft_shard_stats(app->ft, i, &st);
		n += st.flows;
	}
	return n;
}

void
ha_send_hello(struct sw_ha *ha, double now)
{
	struct ha_hello h = {
		.role = ha->role, .mode = ha->mode,
		.bulk_done = ha->bulk_in == HA_BULK_DONE,
		.zones = ha->zones, .flows = ha_total_flows(ha->app),
		.echo = ha->peer.epoch,
	};
	uint8_t p[HA_HELLO_LEN];

	ha_hello_put(p, &h);
	send_msg(ha, HA_HELLO, 0, 0, 0, p, sizeof(p));
	ha->next_hello = now + HA_HELLO_S;
}

bool
ha_peer_up(const struct sw_ha *ha, double now)
{
	return ha->peer.live && ha->peer.zones_ok &&
	       now - ha->peer.heard < HA_PEER_UP_S;
}

/*
 * A token per flow update, ha.max_updates_per_s a second, at most a
 * tenth of a second's worth saved up.
 */
static bool
take_token(struct sw_ha *ha, double now)
{
	double rate = ha->app->cfg.ha.max_updates_per_s;

	if (rate <= 0)
		return true;
	if (now > ha->refilled) {
		ha->tokens += (now - ha->refilled) * rate;
		if (ha->tokens > rate / 10 + 1)
			ha->tokens = rate / 10 + 1;
		ha->refilled = now;
	}
	if (ha->tokens < 1)
		return false;
	ha->tokens -= 1;
	return true;
}

/* The workers' events, within the pass's budget, to the peer. */
void
ha_send_updates(struct sw_ha *ha, double now)
{
	struct sw_ft_event ev[64];
	bool up = ha_peer_up(ha, now);
	unsigned int w, n, i;

	for (w = 0; w < ha->nb_workers; w++) {
		do {
			if (ha->sent_pass >= HA_TX_BUDGET)
				return;
			n = sw_ring_take(ha->q[w]->out, ev, sizeof(ev[0]),
					 RTE_DIM(ev));
			/*
			 * No peer that knows this run: nothing to tell, it
			 * will ask for a bulk when it comes.
			 */
			for (i = 0; up && i < n; i++) {
				if (take_token(ha, now))
					add_rec(ha, &ev[i], 0);
				else
					ha->cnt[SW_HA_STAT_updates_dropped]++;
			}
		} while (n == RTE_DIM(ev));
	}
}

/* ---- a bulk for the peer ---- */

struct bulk_walk {
	struct sw_ha *ha;
	bool all;		/* active-active: every flow, not only assured */
	unsigned int limit;	/* stop at this many datagrams this pass */
};

static int
bulk_cb(const struct sw_ft_key *key, const struct sw_ft_info *info,
	void *arg)
{
	struct bulk_walk *bw = arg;
	struct sw_ft_event e;

	if (!bw->all && !info->assured)
		return 0;		/* never a half-open flow */
	memset(&e, 0, sizeof(e));
	e.op = SW_FT_EV_UPSERT;
	sw_ft_info_state(key, info, &e.fs);
	add_rec(bw->ha, &e, HA_F_BULK);
	bw->ha->bulk_out_sent++;
	return bw->ha->sent_pass >= bw->limit;
}

void
ha_bulk_step(struct sw_ha *ha)
{
	struct bulk_walk bw = { .ha = ha,
				.all = ha->mode == SW_HA_ACTIVE_ACTIVE };
	uint8_t p[8];
	int k;

	if (!ha->bulk_out || ha->sent_pass >= HA_TX_BUDGET)
		return;
	/*
	 * A bulk has no acknowledgements: sent faster than the peer's
	 * workers take it in, it would overflow the peer's socket. A
	 * share of a pass (64 datagrams, about 900 flows a millisecond)
	 * leaves room for the peer and for this pass's updates.
	 */
	bw.limit = RTE_MIN((unsigned int)HA_TX_BUDGET,
			   ha->sent_pass + HA_BULK_PASS);
	sw_ft_walk_from(ha->app->ft, HA_WALK_READER, &ha->bulk_cur,
			HA_WALK_SLOTS, rte_rdtsc(), bulk_cb, &bw);
	if (!sw_ft_walk_done(ha->app->ft, &ha->bulk_cur))
		return;
	ha_seal_flows(ha);
	for (k = 0; k < 8; k++)
		p[k] = (uint8_t)(ha->bulk_out_sent >> (56 - 8 * k));
	send_msg(ha, HA_BULK_END, 0, 0, ha->bulk_out_id, p, sizeof(p));
	ha->bulk_out = false;
	SW_LOG(INFO, "ha: bulk to the peer done: %" PRIu64 " flows\n",
	       ha->bulk_out_sent);
}

void
ha_send_acks(struct sw_ha *ha)
{
	uint8_t p[HA_ACKS_MAX * 4];
	unsigned int i;

	if (ha->nb_acks == 0)
		return;
	for (i = 0; i < ha->nb_acks; i++) {
		p[4 * i] = (uint8_t)(ha->acks[i] >> 24);
		p[4 * i + 1] = (uint8_t)(ha->acks[i] >> 16);
		p[4 * i + 2] = (uint8_t)(ha->acks[i] >> 8);
		p[4 * i + 3] = (uint8_t)ha->acks[i];
	}
	send_msg(ha, HA_ACK, 0, (uint16_t)ha->nb_acks, 0, p,
		 (size_t)ha->nb_acks * 4);
	ha->cnt[SW_HA_STAT_acks_sent] += ha->nb_acks;
	ha->nb_acks = 0;
}

/* ---- receiving ---- */

/* A record for worker w's shard; false when its ring is full. */
static bool
to_worker(struct sw_ha *ha, unsigned int w, const struct sw_ft_event *e)
{
	if (w >= ha->nb_workers ||
	    sw_ring_put(ha->q[w]->in, e, sizeof(*e)) != 0) {
		ha->cnt[SW_HA_STAT_imports_dropped]++;
		return false;
	}
	return true;
}

static void
got_flows(struct sw_ha *ha, const struct ha_hdr *h, const uint8_t *p)
{
	struct sw_ft_event e;
	unsigned int i;
	int owner;

	for (i = 0; i < h->count; i++, p += HA_REC_LEN) {
		if (ha_rec_get(p, &e) != 0) {
			ha->cnt[SW_HA_STAT_imports_dropped]++;
			continue;
		}
		ha->cnt[SW_HA_STAT_flows_received]++;
		if ((h->flags & HA_F_BULK) && ha->bulk_in == HA_BULK_RECEIVING &&
		    h->aux == ha->bulk_in_id)
			ha->bulk_in_got++;
		owner = sw_shardmap_owner(&ha->map, &e.fs.key);
		if (owner < 0) {
			ha->cnt[SW_HA_STAT_imports_dropped]++;
			continue;
		}
		if (e.op == SW_FT_EV_DELETE) {
			/*
			 * Expired there: each node that forwards a flow lets it
			 * expire by itself; any other deletion goes here too.
			 */
			e.op = e.reason == SW_FT_DEL_EXPIRED ? SW_SYNCQ_EXPIRE :
			       SW_SYNCQ_REMOVE;
			to_worker(ha, (unsigned int)owner, &e);
			continue;
		}
		if (e.tag != 0 && ha->nb_acks < HA_ACKS_MAX) {
			/*
			 * Acknowledged once its owner has it queued: the owner
			 * applies it between polls, long before the reply to
			 * the held packet can come round through this node.
			 */
			e.op = SW_SYNCQ_IMPORT;
			if (to_worker(ha, (unsigned int)owner, &e))
				ha->acks[ha->nb_acks++] = e.tag;
			if (ha->nb_acks == HA_ACKS_MAX)
				ha_send_acks(ha);
			continue;
		}
		e.op = SW_SYNCQ_IMPORT;
		to_worker(ha, (unsigned int)owner, &e);
	}
}

static void
got_acks(struct sw_ha *ha, const struct ha_hdr *h, const uint8_t *p)
{
	struct sw_ft_event e;
	unsigned int i;

	memset(&e, 0, sizeof(e));
	e.op = SW_SYNCQ_RELEASE;
	for (i = 0; i < h->count; i++, p += 4) {
		e.tag = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
			(uint32_t)p[2] << 8 | p[3];
		ha->cnt[SW_HA_STAT_acks_received]++;
		to_worker(ha, sw_syncq_id_worker(e.tag), &e);
	}
}

static void
got_hello(struct sw_ha *ha, const uint8_t *p, double now)
{
	struct ha_peer *pe = &ha->peer;

	ha_hello_get(p, &pe->hello);
	pe->zones_ok = pe->hello.zones == ha->zones &&
		       pe->hello.mode == ha->mode;
	if (!pe->zones_ok) {
		ha->cnt[SW_HA_STAT_zone_mismatch]++;
		if (!pe->zones_logged)
			SW_LOG(ERR, "ha: the peer's %s differ from this node's: "
			       "its flows are refused (same ports, pairs, "
			       "zone_vlan and ha.mode on both)\n",
			       pe->hello.mode != ha->mode ? "ha.mode" :
			       "ports, pairs or zones");
		pe->zones_logged = true;
		return;
	}
	pe->zones_logged = false;
	if (pe->hello.echo == ha->epoch) {
		if (!pe->live) {
			SW_LOG(NOTICE, "ha: peer up (run %" PRIu64 ", role %s, "
			       "%" PRIu64 " flows)\n", pe->epoch,
			       role_names[pe->hello.role & 1],
			       pe->hello.flows);
			/* It may not know yet that we heard it: tell it. */
			ha_send_hello(ha, now);
		}
		pe->live = true;
	} else {
		/* It has not heard this run yet: tell it now. */
		ha_send_hello(ha, now);
	}
}

static void
got_bulk_req(struct sw_ha *ha, const struct ha_hdr *h)
{
	uint64_t flows = ha_total_flows(ha->app);
	uint8_t p[8];
	int k;

	/* A request repeated while its bulk runs changes nothing. */
	if (ha->bulk_out && ha->bulk_out_id == h->aux)
		return;
	ha->bulk_out = true;
	ha->bulk_out_id = h->aux;
	ha->bulk_out_sent = 0;
	memset(&ha->bulk_cur, 0, sizeof(ha->bulk_cur));
	for (k = 0; k < 8; k++)
		p[k] = (uint8_t)(flows >> (56 - 8 * k));
	ha_seal_flows(ha);
	send_msg(ha, HA_BULK_BEGIN, 0, 0, h->aux, p, sizeof(p));
	ha->cnt[SW_HA_STAT_bulks_sent]++;
	SW_LOG(INFO, "ha: the peer asks for a bulk: sending up to %" PRIu64
	       " flows\n", flows);
}

static void
got_bulk_mark(struct sw_ha *ha, const struct ha_hdr *h, const uint8_t *p,
	      double now)
{
	if (h->aux != ha->bulk_in_id)
		return;
	if (h->type == HA_BULK_BEGIN && ha->bulk_in == HA_BULK_ASKED) {
		ha->bulk_in = HA_BULK_RECEIVING;
		ha->bulk_in_total = get64(p);
		ha->bulk_in_got = 0;
		if (ha->bulk_tries == 0)	/* a try again: from the first */
			ha->bulk_began = now;
		ha->bulk_heard = now;
	} else if (h->type == HA_BULK_END &&
		   ha->bulk_in == HA_BULK_RECEIVING) {
		uint64_t sent = get64(p);

		/* Datagrams were lost (the link, a full socket): again. */
		if (ha->bulk_in_got < sent &&
		    ha->bulk_tries < HA_BULK_TRIES) {
			ha->bulk_tries++;
			SW_LOG(NOTICE, "ha: bulk from the peer incomplete: %"
			       PRIu64 " of %" PRIu64 " flows; asking again\n",
			       ha->bulk_in_got, sent);
			ha->bulk_in = HA_BULK_IDLE;
			ha_ask_bulk(ha, now);
			return;
		}
		ha->bulk_tries = 0;
		ha->bulk_in = HA_BULK_DONE;
		ha->bulk_took = now - ha->bulk_began;
		SW_LOG(NOTICE, "ha: bulk from the peer: %" PRIu64 " flows in "
		       "%.2f s\n", ha->bulk_in_got, ha->bulk_took);
	}
}

/*
 * One datagram: authentic (the MAC), from the peer, of its latest run,
 * never seen before, and (but for hellos) from a run that has shown it
 * heard this one; only then is anything in it believed.
 */
static void
handle(struct sw_ha *ha, const uint8_t *buf, size_t len, double now)
{
	struct ha_peer *pe = &ha->peer;
	const uint8_t *p = buf + HA_HDR_LEN;
	struct ha_hdr h;

	ha->cnt[SW_HA_STAT_datagrams_received]++;
	if (ha_open(buf, len, &h, ha->key) != 0) {
		ha->cnt[SW_HA_STAT_auth_failed]++;
		return;
	}
	if (h.node == ha->node) {
		ha->cnt[SW_HA_STAT_replayed]++;	/* our own, sent back */
		return;
	}
	if (h.node != ha->peer_node) {
		ha->cnt[SW_HA_STAT_wrong_node]++;
		return;
	}
	if (h.epoch < pe->epoch) {
		ha->cnt[SW_HA_STAT_stale_epoch]++;
		return;
	}
	if (h.epoch > pe->epoch) {
		if (pe->epoch != 0)
			SW_LOG(NOTICE, "ha: the peer started again (run %"
			       PRIu64 ")\n", h.epoch);
		pe->epoch = h.epoch;
		pe->live = false;
		memset(&pe->win, 0, sizeof(pe->win));
	}
	if (!ha_window_take(&pe->win, h.seq)) {
		ha->cnt[SW_HA_STAT_replayed]++;
		return;
	}
	pe->heard = now;
	if (h.type == HA_HELLO) {
		got_hello(ha, p, now);
		return;
	}
	if (!pe->live) {
		ha->cnt[SW_HA_STAT_unverified]++;
		return;
	}
	if (!pe->zones_ok) {
		ha->cnt[SW_HA_STAT_zone_mismatch]++;
		return;
	}
	switch (h.type) {
	case HA_FLOWS:
		if (h.flags & HA_F_BULK)
			ha->bulk_heard = now;
		got_flows(ha, &h, p);
		break;
	case HA_ACK:
		got_acks(ha, &h, p);
		break;
	case HA_BULK_REQ:
		got_bulk_req(ha, &h);
		break;
	case HA_BULK_BEGIN:
	case HA_BULK_END:
		got_bulk_mark(ha, &h, p, now);
		break;
	default:
		break;
	}
}

/* Room for a datagram's records in every worker's ring. */
static unsigned int
rx_room(const struct sw_ha *ha)
{
	unsigned int w, room = UINT32_MAX, f;

	for (w = 0; w < ha->nb_workers; w++) {
		f = rte_ring_free_count(ha->q[w]->in);
		if (f < room)
			room = f;
	}
	return room / HA_RECS_MAX;
}

/*
 * At most HA_RX_BUDGET datagrams a pass, and no more than the workers'
 * rings have room for: a flood of junk costs one MAC each, bounded, and
 * the rest waits in (or falls off) the socket's buffer.
 */
void
ha_rx(struct sw_ha *ha, double now)
{
	static uint8_t bufs[64][HA_DGRAM_MAX + 1];
	struct mmsghdr m[64];
	struct iovec iov[64];
	unsigned int budget = HA_RX_BUDGET, want, i;
	int n;

	while (budget > 0) {
		want = RTE_MIN(RTE_MIN(64u, budget), rx_room(ha));
		if (want == 0)
			break;
		for (i = 0; i < want; i++) {
			iov[i].iov_base = bufs[i];
			iov[i].iov_len = sizeof(bufs[i]);
			memset(&m[i], 0, sizeof(m[i]));
			m[i].msg_hdr.msg_iov = &iov[i];
			m[i].msg_hdr.msg_iovlen = 1;
		}
		n = recvmmsg(ha->fd, m, want, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		for (i = 0; i < (unsigned int)n; i++)
			handle(ha, bufs[i], (m[i].msg_hdr.msg_flags & MSG_TRUNC) ?
			       sizeof(bufs[i]) : m[i].msg_len, now);
		budget -= (unsigned int)n;
		if ((unsigned int)n < want)
			break;
	}
}

void
ha_ask_bulk(struct sw_ha *ha, double now)
{
	if (!ha_peer_up(ha, now))
		return;
	/* Its end, or all that followed, was lost: ask again. */
	if (ha->bulk_in == HA_BULK_RECEIVING &&
	    now - ha->bulk_heard >= HA_BULK_STALL_S) {
		SW_LOG(NOTICE, "ha: bulk from the peer stalled at %" PRIu64
		       " flows; asking again\n", ha->bulk_in_got);
		ha->bulk_tries++;
		ha->bulk_in = HA_BULK_IDLE;
	}
	if (ha->bulk_in == HA_BULK_IDLE ||
	    (ha->bulk_in == HA_BULK_ASKED && now - ha->bulk_asked >=
	     HA_BULK_RETRY_S)) {
		if (ha->bulk_in == HA_BULK_IDLE)
			ha->bulk_in_id = ha->epoch ^ (ha->seq << 20);
		ha->bulk_in = HA_BULK_ASKED;
		ha->bulk_asked = now;
		ha->bulk_in_got = 0;
		ha->bulk_in_total = 0;
		send_msg(ha, HA_BULK_REQ, 0, 0, ha->bulk_in_id, NULL, 0);
	}
}

