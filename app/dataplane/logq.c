/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The drop log's producer, on the worker (logq.h).
 */
#include <string.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "counters.h"
#include "logq.h"
#include "parse.h"
#include "ring_copy.h"

/*
 * The headers as they came: Ethernet addresses and type, the IP
 * header's fixed part, the L4 header's first bytes (the parser checked
 * that they are all inside the frame).
 */
static void
copy_headers(struct sw_log_rec *r, const struct sw_pkt *p, const uint8_t *f)
{
	if (f == NULL || p->l3_off < 14)
		return;
	memcpy(r->mac, f, 12);
	memcpy(r->mac + 12, f + p->l3_off - 2, 2);
	r->nb_mac = 14;
	r->nb_l3 = p->k.family == 4 ? 20 : 40;
	memcpy(r->l3, f + p->l3_off, r->nb_l3);
	if (p->l4_off != 0) {
		r->nb_l4 = (uint8_t)RTE_MIN(p->l4_len, sizeof(r->l4));
		memcpy(r->l4, f + p->l4_off, r->nb_l4);
	}
}

void
sw_log_packet(struct sw_log_q *q, uint64_t *cnt, unsigned int worker,
	      const struct sw_pkt *p, const uint8_t *frame, uint8_t set,
	      uint32_t rule, uint8_t verdict, uint8_t reason, uint8_t why,
	      const char *prefix, uint8_t level)
{
	uint64_t cost = __atomic_load_n(&q->cost, __ATOMIC_RELAXED);
	uint64_t now;
	struct sw_log_rec r;

	if (q->ring == NULL || cost == 0)
		return;
	/* A token bucket in TSC ticks: log.rate a second, as many at once. */
	now = rte_rdtsc();
	q->credit = RTE_MIN(rte_get_tsc_hz(), q->credit + (now - q->last));
	q->last = now;
	if (q->credit < cost) {
		cnt[SW_CNT_log_limited]++;
		return;
	}
	q->credit -= cost;
	memset(&r, 0, sizeof(r));
	r.tsc = now;
	memcpy(r.src, p->k.src, sizeof(r.src));
	memcpy(r.dst, p->k.dst, sizeof(r.dst));
	r.sport = p->k.sport;
	r.dport = p->k.dport;
	r.rule = rule;
	r.worker = (uint8_t)worker;
	r.set = set;
	r.verdict = verdict;
	r.reason = reason;
	r.why = why;
	r.port = p->k.in_port;
	r.family = p->k.family;
	r.proto = p->k.proto;
	r.tcp_flags = p->k.tcp_flags;
	r.icmp_type = p->k.icmp_type;
	r.icmp_code = p->k.icmp_code;
	r.l3_len = p->l3_len;
	r.l4_len = p->l4_len;
	r.frag = p->frag;
	r.level = level;
	copy_headers(&r, p, frame);
	if (prefix != NULL)
		memcpy(r.prefix, prefix, sizeof(r.prefix));
	if (sw_ring_put(q->ring, &r, sizeof(r)) != 0)
		cnt[SW_CNT_log_ring_full]++;
	else
		cnt[SW_CNT_log_queued]++;
}

void
sw_logq_set(struct sw_log_q *q, unsigned int rate, bool invalid, bool spill,
	    uint64_t hz)
{
	__atomic_store_n(&q->cost, rate ? RTE_MAX(hz / rate, 1u) : 0,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&q->invalid, invalid, __ATOMIC_RELAXED);
	__atomic_store_n(&q->spill, spill, __ATOMIC_RELAXED);
}

