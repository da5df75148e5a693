/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#include <string.h>

#include "frag.h"
#include "sw_ft.h"
#include "parse.h"

void
sw_frag_init(struct sw_frag_table *t, uint64_t tsc_hz, uint32_t timeout_s,
	     uint32_t per_source)
{
	memset(t, 0, sizeof(*t));
	/* Sets are keyed: an attacker cannot aim fragments at a set. */
	sw_ft_hash_init();
	t->timeout = tsc_hz * timeout_s;
	t->per_source = per_source;
}

/*
 * Keyed (SipHash under the per-start secret), over an aligned copy: the
 * addresses sit at offset 12 of the packet metadata (the misaligned
 * load was found by fuzz_path under UBSan).
 */
static inline uint64_t
key_hash(const struct sw_pkt *p)
{
	uint64_t a[6];

	memcpy(a, p->k.src, 16);
	memcpy(a + 2, p->k.dst, 16);
	a[4] = (uint64_t)p->frag_id << 16 | (uint64_t)p->frag_nh << 8 |
	       p->k.family;
	a[5] = (uint64_t)p->vlan << 8 | p->k.in_port;
	return sw_ft_siphash(a, sizeof(a));
}

/*
 * The per-source slot: the /32, or the /64 (one host has a whole /64),
 * on the port it came in.
 */
static inline struct sw_frag_src *
src_slot(struct sw_frag_table *t, uint8_t family, const uint8_t *src,
	 uint8_t in_port)
{
	uint64_t a[2] = { 0, (uint64_t)in_port << 8 | family };

	memcpy(a, src, family == SW_AF_INET ? 4 : 8);
	return &t->src[sw_ft_siphash(a, sizeof(a)) &
		       (SW_FRAG_SRC_SLOTS - 1)];
}

static inline bool
same(const struct sw_frag_entry *e, const struct sw_pkt *p)
{
	return e->family == p->k.family && e->id == p->frag_id &&
	       e->proto == p->frag_nh && e->in_port == p->k.in_port &&
	       e->vlan == p->vlan &&
	       memcmp(e->src, p->k.src, 16) == 0 &&
	       memcmp(e->dst, p->k.dst, 16) == 0;
}

/* Free an entry, and its place in its source's count. */
static void
release(struct sw_frag_table *t, struct sw_frag_entry *e)
{
	struct sw_frag_src *s = src_slot(t, e->family, e->src, e->in_port);

	if (s->n > 0)
		s->n--;
	e->family = 0;
}

/* Free the expired entries of a set. */
static void
sweep_set(struct sw_frag_table *t, struct sw_frag_entry *set, uint64_t now)
{
	unsigned int w;

	for (w = 0; w < SW_FRAG_WAYS; w++)
		if (set[w].family && (int64_t)(now - set[w].expire) > 0)
			release(t, &set[w]);
}

static struct sw_frag_entry *
find(struct sw_frag_table *t, const struct sw_pkt *p, uint64_t now)
{
	struct sw_frag_entry *set = t->e[key_hash(p) & (SW_FRAG_SETS - 1)];
	unsigned int w;

	for (w = 0; w < SW_FRAG_WAYS; w++)
		if (set[w].family && same(&set[w], p)) {
			if ((int64_t)(now - set[w].expire) > 0) {
				release(t, &set[w]);
				return NULL;
			}
			return &set[w];
		}
	return NULL;
}

/* [s, e) in 8-byte units; the last fragment's end rounds up. */
static inline void
units(const struct sw_frag_info *fi, uint32_t *s, uint32_t *e)
{
	*s = fi->off / 8;
	*e = (fi->off + fi->len + 7) / 8;
}

int
sw_frag_first(struct sw_frag_table *t, const struct sw_pkt *p,
	      const struct sw_frag_info *fi, const struct sw_frag_tcp *tcp,
	      uint64_t now)
{
	struct sw_frag_entry *set, *e = NULL;
	struct sw_frag_src *s;
	uint32_t us, ue;
	unsigned int w;

	/* A fragment but the last carries a multiple of 8 bytes. */
	if (fi->len == 0 || fi->len % 8 != 0)
		return SW_FRAG_R_BAD;
	/* Another first fragment of a datagram on its way: the same bytes. */
	if (find(t, p, now) != NULL)
		return SW_FRAG_R_OVERLAP;
	set = t->e[key_hash(p) & (SW_FRAG_SETS - 1)];
	/*
	 * Bounded sweep: this set and two more each time, so that datagrams
	 * never completed are freed, and their sources' counts with them,
	 * within 256 first fragments of their time-out.
	 */
	sweep_set(t, set, now);
	for (w = 0; w < 2; w++) {
		sweep_set(t, t->e[t->sweep], now);
		t->sweep = (t->sweep + 1) & (SW_FRAG_SETS - 1);
	}
	for (w = 0; w < SW_FRAG_WAYS && e == NULL; w++)
		if (set[w].family == 0)
			e = &set[w];
	/* Full of live datagrams: refuse the new one, evict none. */
	if (e == NULL)
		return SW_FRAG_R_FULL;
	s = src_slot(t, p->k.family, p->k.src, p->k.in_port);
	if (s->n >= t->per_source)
		return SW_FRAG_R_SOURCE;
	s->n++;
	memcpy(e->src, p->k.src, 16);
	memcpy(e->dst, p->k.dst, 16);
	e->id = p->frag_id;
	e->family = p->k.family;
	e->proto = p->frag_nh;
	e->in_port = p->k.in_port;
	e->vlan = p->vlan;
	e->tcp = tcp != NULL;
	if (tcp != NULL) {
		e->sport = tcp->sport;
		e->dport = tcp->dport;
		e->seq = tcp->seq;
		e->skip = tcp->skip;
	}
	e->expire = now + t->timeout;
	units(fi, &us, &ue);
	e->nr = 1;
	e->r[0][0] = (uint16_t)us;
	e->r[0][1] = (uint16_t)ue;
	return SW_FRAG_R_OK;
}

int
sw_frag_later(struct sw_frag_table *t, const struct sw_pkt *p,
	      const struct sw_frag_info *fi, uint64_t now,
	      struct sw_frag_end *end)
{
	struct sw_frag_entry *e = find(t, p, now);
	uint32_t us, ue, i, at, nr;
	bool last;

	if (end != NULL)
		end->known = 0;
	if (e == NULL)
		return SW_FRAG_R_UNKNOWN;
	if (fi->len == 0 || (fi->more && fi->len % 8 != 0))
		return SW_FRAG_R_BAD;
	nr = e->nr & ~SW_FRAG_LAST;
	last = (e->nr & SW_FRAG_LAST) != 0;
	units(fi, &us, &ue);
	for (i = 0; i < nr; i++)
		if (us < e->r[i][1] && e->r[i][0] < ue)
			return SW_FRAG_R_OVERLAP;
	/* Nothing after the last fragment, and one last fragment only. */
	if (!fi->more && (last || ue < e->r[nr - 1][1]))
		return SW_FRAG_R_BAD;
	if (last && ue > e->r[nr - 1][1])
		return SW_FRAG_R_BAD;
	/* Ranges are kept sorted; place this one, merging neighbours. */
	for (at = 0; at < nr && e->r[at][0] < us; at++)
		;
	if (at > 0 && e->r[at - 1][1] == us) {
		e->r[at - 1][1] = (uint16_t)ue;
		if (at < nr && e->r[at][0] == ue) {
			e->r[at - 1][1] = e->r[at][1];
			memmove(e->r[at], e->r[at + 1],
				(nr - at - 1) * sizeof(e->r[0]));
			nr--;
		}
	} else if (at < nr && e->r[at][0] == ue) {
		e->r[at][0] = (uint16_t)us;
	} else {
		if (nr == SW_FRAG_RANGES)
			return SW_FRAG_R_BAD;
		memmove(e->r[at + 1], e->r[at], (nr - at) * sizeof(e->r[0]));
		e->r[at][0] = (uint16_t)us;
		e->r[at][1] = (uint16_t)ue;
		nr++;
	}
	/* The last fragment: the datagram's length, its segment's end. */
	if (!fi->more && e->tcp && end != NULL &&
	    fi->off + fi->len >= e->skip) {
		end->known = 1;
		end->sport = e->sport;
		end->dport = e->dport;
		end->end = e->seq + (fi->off + fi->len - e->skip);
	}
	last = last || !fi->more;
	e->nr = (uint8_t)(nr | (last ? SW_FRAG_LAST : 0));
	/* Complete: every byte sent once; the entry is free again. */
	if (last && nr == 1 && e->r[0][0] == 0)
		release(t, e);
	return SW_FRAG_R_OK;
}

unsigned int
sw_frag_count(const struct sw_frag_table *t, uint64_t now)
{
	unsigned int s, w, n = 0;

	for (s = 0; s < SW_FRAG_SETS; s++)
		for (w = 0; w < SW_FRAG_WAYS; w++)
			n += t->e[s][w].family != 0 &&
			     (int64_t)(now - t->e[s][w].expire) <= 0;
	return n;
}
