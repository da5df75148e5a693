/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * State sync: a flow's whole state out (events for the HA peer, the
 * walk's copy for a bulk or a state file) and in (sw_ft_import), all on
 * the shard's owner but for sw_ft_set_sync (the control thread) and
 * sw_ft_info_state (any walker). Why it is done this way is in
 * lib/flowtable/DESIGN.md, "State sync".
 */
#include <errno.h>
#include <string.h>
#include <netinet/in.h>

#include <rte_hash.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <rte_ring_peek_zc.h>

#include "ft_private.h"

/*
 * How far along a TCP connection each state is, so that a merge never
 * takes a flow back (a late report of SYN_RECV must not undo the
 * ESTABLISHED this node has seen since).
 */
static const uint8_t tcp_rank[SW_FT_TCP_SYN_SENT2 + 1] = {
	[SW_FT_TCP_NONE] = 0,
	[SW_FT_TCP_SYN_SENT] = 1,
	[SW_FT_TCP_SYN_SENT2] = 2,
	[SW_FT_TCP_SYN_RECV] = 3,
	[SW_FT_TCP_ESTABLISHED] = 4,
	[SW_FT_TCP_FIN_WAIT] = 5,
	[SW_FT_TCP_CLOSE_WAIT] = 6,
	[SW_FT_TCP_LAST_ACK] = 7,
	[SW_FT_TCP_TIME_WAIT] = 8,
	[SW_FT_TCP_CLOSE] = 9,
};

static inline bool
closed(uint8_t state)
{
	return state == SW_FT_TCP_TIME_WAIT || state == SW_FT_TCP_CLOSE;
}

/* A TCP state past ESTABLISHED: FIN_WAIT to CLOSE. */
static inline bool
closing(uint8_t state)
{
	return state >= SW_FT_TCP_FIN_WAIT && state <= SW_FT_TCP_CLOSE;
}

/*
 * Time units to milliseconds and back, without overflow for any
 * timeout a table holds (at most INT32_MAX units).
 */
uint64_t
ft_units_to_ms(const struct sw_ft *ft, uint32_t u)
{
	uint64_t ticks = (uint64_t)u << ft->tshift;

	return rte_reciprocal_divide_u64(ticks * ft->ms_mul, &ft->ms_div);
}

static uint32_t
ms_to_units(const struct sw_ft *ft, uint64_t ms)
{
	uint64_t ticks, u;

	ms = RTE_MIN(ms, 1ull << 40);	/* 34 years */
	ticks = ft->hz >= 1000 ? ms * (ft->hz / 1000) : ms * ft->hz / 1000;
	u = ticks >> ft->tshift;
	return (uint32_t)RTE_MIN(u, (uint64_t)INT32_MAX);
}

/* The flow's time left, as of time unit t, in milliseconds. */
static uint64_t
remaining_ms(const struct sw_ft_shard *s, const struct ft_flow *f,
	     uint32_t t)
{
	uint32_t last = FT_GET(f->last), to, idle;

	idle = (int32_t)(t - last) > 0 ? t - last : 0;
	to = flow_timeout(s, f, FT_GET(f->state), FT_GET(f->flags));
	return idle < to ? ft_units_to_ms(s->ft, to - idle) : 0;
}

static uint8_t
fs_flags(uint8_t flags)
{
	return (uint8_t)(((flags & FT_ORIG_HI) ? SW_FT_FS_ORIG_HI : 0) |
			 ((flags & FT_ASSURED) ? SW_FT_FS_ASSURED : 0) |
			 ((flags & FT_REPLIED) ? SW_FT_FS_REPLIED : 0) |
			 ((flags & FT_PROXY) ? SW_FT_FS_PROXY : 0));
}

/*
 * The state of the flow at pos as of time unit t (its owner): every
 * field written, padding aside, as events are written in place.
 */
static void
flow_state(const struct sw_ft_shard *s, uint32_t pos, uint32_t t,
	   struct sw_ft_flowstate *fs)
{
	const struct ft_slot *sl = ft_slot(s, pos);
	const struct ft_flow *f = &sl->f;
	bool tcp = is_tcp(f->state), px = (f->flags & FT_PROXY) != 0;
	unsigned int k;

	fs->key = sl->key;
	fs->remaining_ms = remaining_ms(s, f, t);
	fs->px_delta = px ? f->px : 0;
	fs->px_tsoff = px ? ft_px_tsoff(f) : 0;
	fs->state = f->state;
	fs->flags = fs_flags(f->flags);
	fs->port = f->port;
	memset(fs->pad, 0, sizeof(fs->pad));
	for (k = 0; k < 2; k++) {
		fs->tcp[k].end = tcp ? f->end[k] : 0;
		fs->tcp[k].maxend = tcp ? f->maxend[k] : 0;
		fs->tcp[k].maxwin = tcp ? f->maxwin[k] : 0;
		fs->tcp[k].scale = tcp ? f->scale[k] : 0;
		fs->tcp[k].flags = tcp ? f->tflags[k] & ~FT_TCPF_LOCAL : 0;
	}
}

void
sw_ft_export(const struct sw_ft_shard *s, int32_t pos, uint64_t now,
	     struct sw_ft_flowstate *fs)
{
	memset(fs, 0, sizeof(*fs));
	flow_state(s, (uint32_t)pos, time_unit(s->ft, now), fs);
}

void
sw_ft_info_state(const struct sw_ft_key *key, const struct sw_ft_info *info,
		 struct sw_ft_flowstate *fs)
{
	unsigned int k;

	memset(fs, 0, sizeof(*fs));
	fs->key = *key;
	fs->state = info->state;
	fs->flags = (uint8_t)((info->orig_dir == SW_FT_DIR_HI ?
			       SW_FT_FS_ORIG_HI : 0) |
			      (info->assured ? SW_FT_FS_ASSURED : 0) |
			      (info->replied ? SW_FT_FS_REPLIED : 0) |
			      (info->proxied ? SW_FT_FS_PROXY : 0));
	fs->port = info->port;
	fs->px_delta = info->px_delta;
	fs->px_tsoff = info->px_tsoff;
	for (k = 0; k < 2; k++) {
		fs->tcp[k] = info->tcp[k];
		fs->tcp[k].flags &= ~FT_TCPF_LOCAL;
	}
	fs->remaining_ms = info->remaining_ms;
}

/* ---- events: what this node tells its peer ---- */

int
sw_ft_set_sync(struct sw_ft *ft, uint8_t mode, uint32_t refresh_s)
{
	uint64_t u = ((uint64_t)refresh_s * ft->hz) >> ft->tshift;
	uint64_t cu = ((uint64_t)SW_FT_SYNC_CHANGE_S * ft->hz) >> ft->tshift;
	unsigned int i;

	for (i = 0; mode != SW_FT_SYNC_OFF && i < ft->nb_shards; i++) {
		struct sw_ft_shard *s = ft->shards[i];

		/* A shard that writes into a ring needs no buffer. */
		if (s->ev != NULL || s->ev_ring != NULL)
			continue;
		s->ev = rte_zmalloc("sw_ft_ev", sizeof(*s->ev) * SW_FT_EV_MAX,
				    RTE_CACHE_LINE_SIZE);
		if (s->ev == NULL)
			return -ENOMEM;
		s->ev1 = s->ev;
		s->ev_n1 = SW_FT_EV_MAX;
		s->ev_room = SW_FT_EV_MAX;
	}
	for (i = 0; i < ft->nb_shards; i++) {
		__atomic_store_n(&ft->shards[i]->sync_refresh_u,
				 (uint32_t)RTE_MAX(1ull, RTE_MIN(u,
				 (uint64_t)INT32_MAX)), __ATOMIC_RELAXED);
		__atomic_store_n(&ft->shards[i]->sync_change_u,
				 (uint32_t)RTE_MAX(1ull, RTE_MIN(cu,
				 (uint64_t)INT32_MAX)), __ATOMIC_RELAXED);
		__atomic_store_n(&ft->shards[i]->sync_mode, mode,
				 __ATOMIC_RELAXED);
	}
	return 0;
}

int
sw_ft_set_events_ring(struct sw_ft_shard *s, struct rte_ring *r)
{
	if (r != NULL && !rte_ring_is_prod_single(r))
		return -EINVAL;
	s->ev_ring = r;
	s->nb_ev = 0;
	s->ev_tries = 0;
	s->ev_lost = 0;
	s->ev_last_lost = 0;
	s->ev1 = r != NULL ? NULL : s->ev;
	s->ev_n1 = s->ev1 != NULL ? SW_FT_EV_MAX : 0;
	s->ev_room = s->ev_n1;
	return 0;
}

unsigned int
sw_ft_events(struct sw_ft_shard *s, struct sw_ft_event **ev)
{
	unsigned int n = s->nb_ev;

	*ev = s->ev;
	s->nb_ev = 0;
	s->ev_tries = 0;
	s->ev_last_lost = 0;
	return n;
}

unsigned int
sw_ft_events_publish(struct sw_ft_shard *s, unsigned int *lost)
{
	unsigned int n = s->nb_ev;

	*lost = s->ev_lost;
	/* A burst that made no event touches no line of the ring. */
	if (s->ev_ring == NULL || (s->ev_room == 0 && s->ev_lost == 0))
		return 0;
	s->nb_ev = 0;
	s->ev_tries = 0;
	s->ev_lost = 0;
	s->ev_last_lost = 0;
	if (s->ev_room == 0)
		return 0;
	s->ev_room = 0;
	rte_ring_enqueue_zc_elem_finish(s->ev_ring, n);
	return n;
}

unsigned int
sw_ft_events_count(const struct sw_ft_shard *s)
{
	return s->ev_tries;
}

/* Event i of the window. */
static inline struct sw_ft_event *
ev_at(struct sw_ft_shard *s, uint32_t i)
{
	return i < s->ev_n1 ? &s->ev1[i] : &s->ev2[i - s->ev_n1];
}

struct sw_ft_event *
sw_ft_hold_event(struct sw_ft_shard *s, unsigned int since)
{
	struct sw_ft_event *e;

	if (s->ev_tries <= since)
		return NULL;
	if (s->ev_last_lost)
		return s->ev_last_lost == 2 ? &s->ev_void : NULL;
	e = ev_at(s, s->nb_ev - 1);
	return e->hold ? e : NULL;
}

/*
 * No room in the window for one more event: with a ring, the first
 * event after a publish reserves room there for a burst's and a
 * sweep's worth (a burst that makes none reserves nothing); otherwise
 * it is lost, and counted by its cause.
 */
static bool
ev_reserve(struct sw_ft_shard *s)
{
	struct rte_ring_zc_data zc;
	unsigned int n = 0;

	if (s->ev_ring == NULL) {
		if (s->ev != NULL)
			FT_INC(s->cnt.sync_ev_dropped);
		return false;
	}
	if (s->ev_room == 0)
		n = rte_ring_enqueue_zc_burst_elem_start(s->ev_ring,
				sizeof(struct sw_ft_event), SW_FT_EV_MAX, &zc,
				NULL);
	if (n == 0) {
		if (s->ev_room == SW_FT_EV_MAX)
			FT_INC(s->cnt.sync_ev_dropped);
		else
			s->ev_lost++;	/* the ring was (nearly) full */
		return false;
	}
	s->ev1 = zc.ptr1;
	s->ev_n1 = zc.n1;
	s->ev2 = zc.ptr2;
	s->ev_room = n;
	return true;
}

/*
 * Add an event for the flow at pos, written in place (a deletion: its
 * key and marks only); the peer has it from now on. hold: the packet
 * that made it is to wait for the peer (sw_ft_hold_event).
 */
static struct sw_ft_event *
emit(struct sw_ft_shard *s, uint32_t pos, uint8_t op, uint8_t reason,
     uint8_t hold, uint32_t t)
{
	struct ft_slot *sl = ft_slot(s, pos);
	struct sw_ft_event *e;
	uint32_t i = s->nb_ev;

	s->ev_tries++;
	if (unlikely(i >= s->ev_room) && !ev_reserve(s)) {
		s->ev_last_lost = hold ? 2 : 1;
		return NULL;
	}
	s->ev_last_lost = 0;
	s->nb_ev = i + 1;
	e = ev_at(s, i);
	e->op = op;
	e->reason = reason;
	e->hold = hold;
	e->pad = 0;
	e->tag = 0;
	if (op == SW_FT_EV_DELETE) {
		e->fs.key = sl->key;
		e->fs.flags = fs_flags(sl->f.flags);
	} else {
		flow_state(s, pos, t, &e->fs);
		sl->sync = (uint8_t)(((sl->sync | FT_SY_SENT) &
				      ~(FT_SY_DIRTY | FT_SY_CLOSING)) |
				     (closing(e->fs.state) ? FT_SY_CLOSING : 0));
		sl->sync_t = t;
	}
	FT_INC(s->cnt.sync_events);
	return e;
}

void
ft_sync_new(struct sw_ft_shard *s, uint32_t pos, uint32_t t)
{
	if (FT_GET(s->sync_mode) != SW_FT_SYNC_ALL)
		return;
	/* Its answer may come through the peer. */
	emit(s, pos, SW_FT_EV_NEW, 0, 1, t);
}

/*
 * What ft_sync_changed (ft_private.h) leaves to a call: KEEP reports a
 * flow when it earns assured, and a flow the peer never got (its event
 * was lost) at its next change; ALL reports every change.
 */
void
ft_sync_report(struct sw_ft_shard *s, uint32_t pos, uint8_t old_flags,
	       uint32_t t)
{
	/*
	 * ALL: a side of it passes through the peer (asymmetric paths): the
	 * peer must know the change before the answer to this packet, which
	 * it forwards, arrives there.
	 */
	emit(s, pos, SW_FT_EV_UPSERT, 0,
	     FT_GET(s->sync_mode) == SW_FT_SYNC_ALL && (old_flags & FT_SYNC),
	     t);
}

/*
 * Only a flow this node forwarded is reported gone: a copy it only
 * holds for the peer (the standby's) expires here on its own, and a
 * report of that would delete the flow the peer still forwards. Nor is
 * the expiry of a connection last reported closing: the peer's copy
 * has the closing state's time left and runs out by itself, at about
 * the same time (the refresh tells it of any packet since).
 */
void
ft_sync_deleted(struct sw_ft_shard *s, uint32_t pos, uint8_t reason)
{
	struct ft_slot *sl = ft_slot(s, pos);

	if (reason == SW_FT_DEL_PEER || !(sl->sync & FT_SY_LOCAL) ||
	    FT_GET(s->sync_mode) == SW_FT_SYNC_OFF ||
	    (reason == SW_FT_DEL_EXPIRED && (sl->sync & FT_SY_CLOSING)))
		return;
	emit(s, pos, SW_FT_EV_DELETE, reason, 0, 0);
}

void
ft_sync_refresh(struct sw_ft_shard *s, uint32_t pos, uint32_t t, uint32_t to)
{
	struct ft_slot *sl = ft_slot(s, pos);
	const struct ft_flow *f = &sl->f;
	uint32_t period;

	if ((sl->sync & (FT_SY_SENT | FT_SY_LOCAL)) !=
	    (FT_SY_SENT | FT_SY_LOCAL))
		return;
	if (sl->sync & FT_SY_DIRTY) {
		/*
		 * A close waits a little: the rest of it (the other FIN, the
		 * last ACK) is told with it, and a connection gone before
		 * that is told gone and nothing else.
		 */
		period = RTE_MIN(FT_GET(s->sync_change_u),
				 FT_GET(s->sync_refresh_u));
	} else {
		if ((int32_t)(f->last - sl->sync_t) <= 0)
			return;
		/* Often enough that the peer's copy never runs out of time. */
		period = RTE_MIN(FT_GET(s->sync_refresh_u), to / 2);
	}
	if (t - sl->sync_t >= period)
		emit(s, pos, SW_FT_EV_UPSERT, 0, 0, t);
}

/* ---- a flow from the peer ---- */

bool
ft_sync_seen(struct sw_ft_shard *s, uint32_t pos, int snd)
{
	struct ft_flow *f = ft_flow_at(s, pos);

	if (!is_tcp(f->state))
		return false;
	/*
	 * Learn the side again from this segment, as a pick-up does (its
	 * window scale is known): its numbers may be behind what it sent
	 * since the peer's last report.
	 */
	if (f->tflags[snd] & SW_FT_TCPF_UNSEEN) {
		FT_SET(f->maxwin[snd], 0);
		FT_SET(f->tflags[snd], (uint8_t)(f->tflags[snd] |
						 SW_FT_TCPF_RELEARNT));
	}
	return (f->tflags[!snd] & SW_FT_TCPF_UNSEEN) != 0;
}

void
ft_sync_passed(struct sw_ft_shard *s, uint32_t pos, int snd)
{
	struct ft_slot *sl = ft_slot(s, pos);
	struct ft_flow *f = &sl->f;

	sl->sync |= FT_SY_LOCAL;
	if (is_tcp(f->state)) {
		if (f->maxwin[snd] != 0 &&
		    (f->tflags[snd] & SW_FT_TCPF_UNSEEN))
			FT_SET(f->tflags[snd], (uint8_t)(f->tflags[snd] &
						 ~SW_FT_TCPF_UNSEEN));
		/* Off the fast path until both ends are known again. */
		if ((f->tflags[0] | f->tflags[1]) & FT_TCPF_LOCAL)
			return;
	}
	FT_SET(f->flags, (uint8_t)(f->flags & ~FT_SYNC));
}

/* Take side j of fs as side k of f: its numbers are the peer's. */
static void
take_side(struct ft_flow *f, int k, const struct sw_ft_flowstate *fs, int j)
{
	const struct sw_ft_tcp_side *t = &fs->tcp[j];

	FT_SET(f->end[k], t->end);
	FT_SET(f->maxend[k], t->maxend);
	FT_SET(f->maxwin[k], t->maxwin);
	FT_SET(f->scale[k], (uint8_t)RTE_MIN(t->scale, 14));
	FT_SET(f->tflags[k], (uint8_t)((t->flags & ~FT_TCPF_LOCAL) |
				       SW_FT_TCPF_UNSEEN));
}

/* The time of the last packet that leaves fs's remaining time. */
static uint32_t
last_for(const struct sw_ft_shard *s, const struct ft_flow *f,
	 const struct sw_ft_flowstate *fs, uint32_t t)
{
	uint32_t to = flow_timeout(s, f, f->state, f->flags);
	uint32_t rem = ms_to_units(s->ft, fs->remaining_ms);

	return rem >= to ? t : t - (to - rem);
}

static bool
valid_state(const struct sw_ft_flowstate *fs)
{
	const struct sw_ft_key *k = &fs->key;

	if ((k->family != 4 && k->family != 6) ||
	    fs->state >= SW_FT_STATE_MAX)
		return false;
	/* TCP states for TCP keys only, and the other way round. */
	if ((k->proto == IPPROTO_TCP) != is_tcp(fs->state))
		return false;
	return !(fs->flags & SW_FT_FS_PROXY) || k->proto == IPPROTO_TCP;
}

/*
 * Replace the flow's state with fs's: a copy this node never
 * forwarded, or a closed connection whose tuple the peer saw reopened.
 * Counters stay; the proxy's offsets come with it.
 */
static void
replace(struct sw_ft_shard *s, uint32_t pos, const struct sw_ft_flowstate *fs,
	uint32_t t)
{
	struct ft_slot *sl = ft_slot(s, pos);
	struct ft_flow *f = &sl->f;
	uint8_t keep = f->flags & (FT_USED | FT_ORIG_HI | FT_EVICTABLE |
				   FT_SOFT);
	int swap = ((fs->flags & SW_FT_FS_ORIG_HI) != 0) !=
		   ((f->flags & FT_ORIG_HI) != 0);
	int k;

	FT_SET(f->state, fs->state);
	for (k = 0; k < 2 && is_tcp(fs->state); k++)
		take_side(f, k, fs, k ^ swap);
	if (fs->flags & SW_FT_FS_PROXY) {
		FT_SET(f->px, fs->px_delta);
		ft_px_set_tsoff(f, fs->px_tsoff);
	}
	FT_SET(f->flags, (uint8_t)(keep | FT_SYNC |
		((fs->flags & SW_FT_FS_ASSURED) ? FT_ASSURED : 0) |
		((fs->flags & SW_FT_FS_REPLIED) ? FT_REPLIED : 0) |
		((fs->flags & SW_FT_FS_PROXY) ? FT_PROXY : 0)));
	FT_SET(f->last, last_for(s, f, fs, t));
	sl->sync = FT_SY_SENT;
	sl->sync_t = t;
}

/*
 * Both nodes forward the flow (active-active): the state that is
 * further along wins, each side takes the peer's numbers where they
 * are ahead of its own (or it has not been seen here), marks add up,
 * and the later expiry stays.
 */
static void
merge(struct sw_ft_shard *s, uint32_t pos, const struct sw_ft_flowstate *fs,
      uint32_t t)
{
	struct ft_slot *sl = ft_slot(s, pos);
	struct ft_flow *f = &sl->f;
	int swap = ((fs->flags & SW_FT_FS_ORIG_HI) != 0) !=
		   ((f->flags & FT_ORIG_HI) != 0);
	uint8_t more = 0;
	uint32_t last;
	int k;

	if (is_tcp(f->state)) {
		if (tcp_rank[fs->state] > tcp_rank[f->state])
			FT_SET(f->state, fs->state);
		for (k = 0; k < 2; k++) {
			const struct sw_ft_tcp_side *o = &fs->tcp[k ^ swap];

			if (o->maxwin == 0)
				continue;
			if ((f->tflags[k] & SW_FT_TCPF_UNSEEN) ||
			    f->maxwin[k] == 0 || SEQ_GT(o->end, f->end[k])) {
				take_side(f, k, fs, k ^ swap);
				more = FT_SYNC;
			}
		}
	} else if (fs->state == SW_FT_UDP_STREAM && f->state == SW_FT_UDP) {
		FT_SET(f->state, fs->state);
	}
	FT_SET(f->flags, (uint8_t)(f->flags | more |
		((fs->flags & SW_FT_FS_ASSURED) ? FT_ASSURED : 0) |
		((fs->flags & SW_FT_FS_REPLIED) ? FT_REPLIED : 0)));
	last = last_for(s, f, fs, t);
	if ((int32_t)(last - f->last) > 0)
		FT_SET(f->last, last);
	sl->sync |= FT_SY_SENT;
}

int
sw_ft_import(struct sw_ft_shard *s, const struct sw_ft_flowstate *fs,
	     uint64_t now)
{
	uint32_t t = time_unit(s->ft, now), hash;
	int dir = (fs->flags & SW_FT_FS_ORIG_HI) ? SW_FT_DIR_HI : SW_FT_DIR_LO;
	struct ft_slot *sl;
	struct ft_flow *f;
	bool existing;
	int32_t pos;
	int k;

	if (!valid_state(fs))
		return -EINVAL;
	hash = sw_ft_key_hash(&fs->key);
	pos = rte_hash_lookup_with_hash(s->h, &fs->key, hash);
	existing = pos >= 0;
	if (!existing) {
		pos = ft_flow_alloc(s, &fs->key, hash, dir, now, false,
				    &existing);
		if (pos < 0)
			return pos;
	}
	sl = ft_slot(s, (uint32_t)pos);
	f = &sl->f;
	if (existing) {
		if (!(sl->sync & FT_SY_LOCAL) ||
		    (is_tcp(f->state) && closed(f->state) &&
		     tcp_rank[fs->state] < tcp_rank[f->state]))
			replace(s, (uint32_t)pos, fs, t);
		else
			merge(s, (uint32_t)pos, fs, t);
		ft_track_evictable(s, f);
		FT_INC(s->cnt.sync_applied);
		return 1;
	}
	/* A new slot, zeroed and not live yet: plain stores. */
	f->port = fs->port;
	f->state = fs->state;
	for (k = 0; k < 2 && is_tcp(fs->state); k++)
		take_side(f, k, fs, k);
	if (fs->flags & SW_FT_FS_PROXY) {
		f->px = fs->px_delta;
		ft_px_set_tsoff(f, fs->px_tsoff);
	}
	f->last = last_for(s, f, fs, t);
	if (!is_tcp(f->state))
		f->end[0] = f->last;	/* born: as for a flow opened here */
	sl->sync = FT_SY_SENT;
	sl->sync_t = t;
	ft_flow_publish(s, (uint32_t)pos, dir, (uint8_t)(FT_SYNC |
		((fs->flags & SW_FT_FS_ASSURED) ? FT_ASSURED : 0) |
		((fs->flags & SW_FT_FS_REPLIED) ? FT_REPLIED : 0) |
		((fs->flags & SW_FT_FS_PROXY) ? FT_PROXY : 0)));
	ft_track_evictable(s, f);
	FT_INC(s->cnt.sync_applied);
	return 0;
}

int
sw_ft_remove(struct sw_ft_shard *s, const struct sw_ft_key *key,
	     bool keep_local)
{
	int32_t pos = rte_hash_lookup(s->h, key);

	if (pos < 0)
		return -ENOENT;
	if (keep_local && (ft_slot(s, (uint32_t)pos)->sync & FT_SY_LOCAL))
		return -EBUSY;
	ft_flow_delete(s, (uint32_t)pos, SW_FT_DEL_PEER);
	return 0;
}
