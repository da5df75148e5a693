/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * spillway-bench: the real worker pipeline (sw_worker_burst, the same
 * function spillway runs) on synthetic packets in memory, one lcore, no
 * NIC. The two ports are net_null devices, whose tx frees the mbufs in
 * bulk as a NIC's tx completion would. Timed, with rte_rdtsc: the
 * worker's sw_worker_burst + sw_worker_flush (tx included) + the expiry
 * step a worker runs every poll. Not timed: the harness allocating
 * mbufs and copying the synthetic frames in (a NIC would DMA them).
 *
 * Scenarios: floor (parse + forward, no tracking), established over
 * 1K/64K/1M flows in random order, both directions; lifecycle (whole TCP
 * connections, inserts and deletes: connections/s); flood (random-source
 * SYNs against a full 64K and 1M table, early drop on and off); mixed
 * (established traffic with 10 % new connections); sets (a notrack
 * drop rule per prefix set, src=@feed, sets of a threat feed's shape:
 * one and four sets, 50K and 1M prefixes each, traffic from random
 * sources; against notrack_rule, the same with a plain prefix).
 *
 * --sync turns HA state sync on as spillway does with an ha group
 * (ha.mode = "active-standby", the active node): the shard reports the
 * flows worth keeping, the worker hands them to its ring to the control
 * thread, timed; here a peer that drops empties the ring, untimed (the
 * control thread runs on another core). Compare rows with and without.
 *
 * --workers N runs the same scenarios on N lcores at once, each worker
 * with its own flow table, rules, mbuf pool and pair of net_null ports
 * (as spillway's workers each own a shard and their queues); the timed
 * part of every scenario starts on all of them together. It prints
 * each worker's figures and the total.
 *
 *   spillway-bench [--json] [--quick] [--only NAME] [--runs N]
 *                  [--workers N] [--nic-cksum] [--sync] [-- EAL]
 */
#include <getopt.h>
#include <stdarg.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "config.h"
#include "port.h"
#include "ruleset.h"
#include "sw_acl.h"
#include "sw_pset.h"
#include "sw_ft.h"
#include "parse.h"
#include "pipeline.h"
#include "worker.h"
#include "xorshift.h"
#include "counters.h"
#include "syncq.h"

#define BURST 32
#define FRAME 60
#define MAX_SCEN 24
#define MAX_WORKERS 32

static volatile bool never_quit;
/* Each worker lcore draws its own stream (seeded by its index). */
SW_XORSHIFT_STREAM(static __thread, rnd, 0x9e3779b97f4a7c15ull)

/*
 * A scenario's own check failed (packets not tracked, not spilled, ...):
 * its figures measure something else. Said on stderr; the run still
 * prints every figure, then exits 1.
 */
static unsigned int sanity_failures;

static void __rte_format_printf(1, 2)
sanity_failed(const char *fmt, ...)
{
	va_list ap;

	__atomic_fetch_add(&sanity_failures, 1, __ATOMIC_RELAXED);
	fprintf(stderr, "sanity check failed: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

/* A packet to send: which port it enters and its bytes. */
struct tpl {
	uint8_t port;
	uint8_t len;
	uint8_t b[FRAME];
};

struct result {
	char scenario[32];
	uint64_t flows;
	uint64_t packets;
	double mpps;
	double cpp;
	double ratio;
	double bytes_per_flow;
	double conn_per_s;
};

/* The calling worker's own pool and ports. */
static __thread struct rte_mempool *pool;
static __thread uint16_t port_id[2];
static double tsc_hz;
static unsigned int nb_workers = 1;

/*
 * All workers start a scenario's timed part together (a spinning
 * barrier; with one worker it costs nothing).
 */
static uint32_t sync_arrived, sync_gen;

static void
bench_sync(void)
{
	uint32_t gen;

	if (nb_workers < 2)
		return;
	gen = __atomic_load_n(&sync_gen, __ATOMIC_ACQUIRE);
	if (__atomic_add_fetch(&sync_arrived, 1, __ATOMIC_ACQ_REL) ==
	    nb_workers) {
		__atomic_store_n(&sync_arrived, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&sync_gen, gen + 1, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&sync_gen, __ATOMIC_ACQUIRE) == gen)
		rte_pause();
}
/*
 * 0: the mbufs say nothing of checksums, the worker verifies them in
 * software; otherwise the rx flags a NIC with checksum offload sets.
 */
static uint64_t rx_ol_flags;

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/*
 * Every connection numbers its bytes the same way: the client's ISN is
 * CI, the server's SI. A segment is valid for the flow table's windows
 * when it carries the numbers a real exchange would (see the steps of
 * open_flows and scen_lifecycle).
 */
#define CI 1000u
#define SI 2000u

/*
 * Connection i: client 198.18.x.y:port to server 198.19.x.y:80 (RFC 2544
 * benchmark addresses; nothing is sent anywhere). from_server picks the
 * direction; the client is on port 0, the server on port 1. Checksums
 * are right, so the worker's verification passes (and is paid for).
 */
static void
tcp_tpl(struct tpl *t, uint32_t i, int from_server, uint8_t flags,
	uint32_t seq, uint32_t ack)
{
	uint8_t *b = t->b;
	uint32_t c = 0xc6120000u | (i >> 8 & 0xffff);	/* 198.18/15 */
	uint32_t s = 0xc6130000u | (i & 0xff);
	uint16_t cport = (uint16_t)(1024 + (i & 0x3fff) + ((i >> 24) << 14));

	memset(t, 0, sizeof(*t));
	t->port = (uint8_t)from_server;
	t->len = FRAME;
	memcpy(b, from_server ? "\x02\0\0\0\0\x01\x02\0\0\0\0\x02" :
			        "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
	put16(b + 12, 0x0800);
	b[14] = 0x45;
	put16(b + 16, 40);
	b[22] = 64;
	b[23] = 6;
	put32(b + 26, from_server ? s : c);
	put32(b + 30, from_server ? c : s);
	put16(b + 34, from_server ? 80 : cport);
	put16(b + 36, from_server ? cport : 80);
	put32(b + 38, seq);
	put32(b + 42, ack);
	b[46] = 0x50;
	b[47] = flags;
	put16(b + 48, 65535);
	{
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(b + 14);
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(b + 34);

		ip->hdr_checksum = rte_ipv4_cksum(ip);
		th->cksum = rte_ipv4_udptcp_cksum(ip, th);
	}
}

/* The two packets of an established exchange, as open_flows leaves it. */
static void
est_tpl(struct tpl *t, uint32_t i, int from_server)
{
	tcp_tpl(t, i, from_server, 0x18, from_server ? SI + 1 : CI + 1,
		from_server ? CI + 1 : SI + 1);
}

/* --sync: flow events go to the HA ring, and a peer that drops them. */
static bool bench_ha;
static uint64_t sync_events;	/* handed to the rings, all workers */

static void
sync_drop(struct sw_syncq *q)
{
	struct sw_ft_event ev[64];

	while (rte_ring_sc_dequeue_burst_elem(q->out, ev, sizeof(ev[0]),
					      RTE_DIM(ev), NULL) > 0)
		;
}

/* Send templates through the worker in bursts per port; returns cycles. */
static uint64_t
run(struct sw_worker *w, const struct tpl *t, uint64_t n,
    const uint32_t *order)
{
	struct rte_mbuf *m[BURST];
	uint64_t cycles = 0, i = 0, t0;
	unsigned int k;

	while (i < n) {
		/* A burst is packets of one ingress port, in order. */
		uint8_t in = t[order ? order[i] : i].port;

		k = 0;
		if (rte_pktmbuf_alloc_bulk(pool, m, BURST) != 0) {
			fprintf(stderr, "mbuf pool empty\n");
			exit(1);
		}
		while (k < BURST && i < n && t[order ? order[i] : i].port == in) {
			const struct tpl *x = &t[order ? order[i] : i];

			memcpy(rte_pktmbuf_mtod(m[k], uint8_t *), x->b, x->len);
			m[k]->data_len = x->len;
			m[k]->pkt_len = x->len;
			m[k]->ol_flags = rx_ol_flags;
			k++;
			i++;
		}
		if (k < BURST)
			rte_pktmbuf_free_bulk(m + k, BURST - k);
		t0 = rte_rdtsc();
		sw_worker_burst(w, in, m, (uint16_t)k);
		sw_worker_flush(w);
		if (w->ft != NULL)
			sw_ft_expire(w->ft, rte_rdtsc());
		if (w->sync != NULL)	/* as sw_worker_main, after expiry */
			sw_syncq_push(w->sync, w->ft);
		cycles += rte_rdtsc() - t0;
		if (w->sync != NULL)
			sync_drop(w->sync);
	}
	return cycles;
}

struct setup {
	struct sw_config cfg;
	struct sw_ruleset *rs;
	struct sw_ft *ft;
	struct sw_worker *w;
};

static void
setup_free(struct setup *s)
{
	if (s->w != NULL && s->w->sync != NULL) {
		__atomic_fetch_add(&sync_events,
				   s->w->sync->cnt[SW_SYNCQ_events_queued],
				   __ATOMIC_RELAXED);
		sw_ft_set_events_ring(s->w->ft, NULL);
		rte_ring_free(s->w->sync->out);
		rte_ring_free(s->w->sync->in);
		rte_free(s->w->sync);
	}
	sw_pipeline_worker_free(s->w);
	sw_ft_free(s->ft);
	sw_ruleset_free(s->rs, NULL);
	sw_config_free(&s->cfg);
	memset(s, 0, sizeof(*s));
}

/*
 * A worker as spillway builds it: rules (accept web from port 0, the
 * fallback accepts web and its replies), and a flow table of max_flows
 * (0: stateless). hz_div divides the clock the table sees, so a timeout
 * "second" can be a millisecond (lifecycle).
 */
/* The SYN proxy's mode for the next setup_make (rows set it). */
static __thread uint8_t bench_proxy = SW_FT_PROXY_OFF;

/*
 * For the sets rows: notrack rules (none unless set) and the sets they
 * name, used by the next setup_make.
 */
static __thread struct sw_acl_rule *bench_notrack;
static __thread unsigned int bench_nb_notrack;
static __thread struct sw_pset *bench_sets[SW_ACL_MAX_SETS];
static __thread unsigned int bench_nb_sets;

/* The worker's HA rings, as app/ha makes them, and the table's reports. */
static void
sync_make(struct setup *s)
{
	static uint32_t seq;
	char name[RTE_RING_NAMESIZE];
	struct sw_syncq *q;
	uint32_t n = __atomic_fetch_add(&seq, 1, __ATOMIC_RELAXED);

	q = rte_zmalloc("bench_syncq", sizeof(*q), RTE_CACHE_LINE_SIZE);
	if (q == NULL)
		goto nomem;
	snprintf(name, sizeof(name), "bench_so%u", n);
	q->out = rte_ring_create_elem(name, sizeof(struct sw_ft_event),
				      SW_SYNCQ_RING, SOCKET_ID_ANY,
				      RING_F_SP_ENQ | RING_F_SC_DEQ);
	snprintf(name, sizeof(name), "bench_si%u", n);
	q->in = rte_ring_create_elem(name, sizeof(struct sw_ft_event),
				     SW_SYNCQ_RING, SOCKET_ID_ANY,
				     RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (q->out == NULL || q->in == NULL ||
	    sw_ft_set_events_ring(s->w->ft, q->out) != 0 ||
	    sw_ft_set_sync(s->ft, SW_FT_SYNC_KEEP, 10) != 0)
		goto nomem;
	q->next_id = 1;
	s->w->sync = q;
	return;
nomem:
	fprintf(stderr, "sync rings: out of memory\n");
	exit(1);
}

static void
setup_make(struct setup *s, uint32_t max_flows, bool early_drop,
	   uint64_t hz_div)
{
	static __thread struct sw_acl_rule rules[3];
	struct sw_acl_conf ac;
	struct sw_acl *acl;
	char err[256];
	unsigned int p;

	memset(s, 0, sizeof(*s));
	sw_config_load("/dev/null", &s->cfg, err, sizeof(err));
	sw_acl_rule_init(&rules[0], SW_ACL_ACCEPT);
	rules[0].proto = 6;
	rules[0].in_port = 0;
	rules[0].nb_dport = 1;
	rules[0].dport[0].lo = rules[0].dport[0].hi = 80;
	sw_acl_rule_init(&rules[1], SW_ACL_ACCEPT);
	rules[1].proto = 6;
	rules[1].in_port = 1;
	rules[1].nb_sport = 1;
	rules[1].sport[0].lo = rules[1].sport[0].hi = 80;
	rules[1].flags_value = rules[1].flags_mask = 0x10;
	memset(&ac, 0, sizeof(ac));
	ac.set[SW_ACL_POLICY].rules = rules;
	ac.set[SW_ACL_POLICY].nb_rules = 1;
	ac.set[SW_ACL_POLICY].default_action = SW_ACL_DROP;
	/* The floor forwards with no rule to look at. */
	ac.set[SW_ACL_FALLBACK].rules = max_flows ? rules : NULL;
	ac.set[SW_ACL_FALLBACK].nb_rules = max_flows ? 2 : 0;
	if (!max_flows)
		ac.set[SW_ACL_POLICY].nb_rules = 0;
	ac.set[SW_ACL_FALLBACK].default_action =
		max_flows ? SW_ACL_DROP : SW_ACL_ACCEPT;
	ac.set[SW_ACL_NOTRACK].rules = bench_notrack;
	ac.set[SW_ACL_NOTRACK].nb_rules = bench_nb_notrack;
	for (p = 0; p < bench_nb_sets; p++)
		ac.set_family[p] = sw_pset_family(bench_sets[p]);
	ac.nb_workers = 1;
	ac.socket_id = (int)rte_socket_id();
	acl = sw_acl_create(&ac, err, sizeof(err));
	if (acl == NULL) {
		fprintf(stderr, "rules: %s\n", err);
		exit(1);
	}
	s->rs = sw_ruleset_wrap(acl, bench_sets, bench_nb_sets);
	if (s->rs == NULL) {
		fprintf(stderr, "rules: out of memory\n");
		exit(1);
	}
	if (max_flows) {
		struct sw_ft_conf *fc = &s->cfg.flowtable.ft;

		fc->max_flows = max_flows;
		fc->early_drop = early_drop;
		/*
		 * Rows measure one path each: the proxy only where they say
		 * so (else a full table would engage it in auto mode), and
		 * no per-source quota (the synthetic clients are few).
		 */
		fc->proxy_mode = bench_proxy;
		fc->src_max_flows = 0;
		s->ft = sw_pipeline_flowtable(&s->cfg, rte_get_tsc_hz() / hz_div,
					      (int)rte_socket_id());
		if (s->ft == NULL) {
			fprintf(stderr, "flow table of %u: %s\n", max_flows,
				rte_strerror(rte_errno));
			exit(1);
		}
	}
	s->w = sw_pipeline_worker(&s->cfg, 0, rte_lcore_id(), port_id, &s->rs,
				  NULL, s->ft, &never_quit);
	if (s->w == NULL) {
		fprintf(stderr, "worker: out of memory\n");
		exit(1);
	}
	if (bench_ha && s->ft != NULL)
		sync_make(s);
}

static uint64_t
counter(const struct setup *s, int c)
{
	return s->w->cnt.c[c];
}

/* Open n connections (handshake and a data packet each way). */
static void
open_flows(struct setup *s, uint32_t n, uint32_t first)
{
	struct tpl *t = malloc(sizeof(*t) * 5 * (size_t)BURST);
	uint32_t i, j, k;

	for (i = 0; i < n; i += BURST) {
		uint32_t m = RTE_MIN((uint32_t)BURST, n - i);
		static const struct {
			int srv;
			uint8_t flags;
			uint32_t seq, ack;
		} step[5] = { { 0, 0x02, CI, 0 }, { 1, 0x12, SI, CI + 1 },
			      { 0, 0x10, CI + 1, SI + 1 },
			      { 0, 0x18, CI + 1, SI + 1 },
			      { 1, 0x18, SI + 1, CI + 1 } };

		for (k = 0; k < 5; k++)
			for (j = 0; j < m; j++)
				tcp_tpl(&t[k * m + j], first + i + j,
					step[k].srv, step[k].flags,
					step[k].seq, step[k].ack);
		run(s->w, t, 5ull * m, NULL);
	}
	free(t);
}

static void
shuffle(uint32_t *a, uint64_t n)
{
	uint64_t i;

	for (i = n ? n - 1 : 0; i > 0; i--) {
		uint64_t j = ((uint64_t)rnd() << 32 | rnd()) % (i + 1);
		uint32_t x = a[i];

		a[i] = a[j];
		a[j] = x;
	}
}

static void
finish(struct result *r, const char *name, uint64_t flows, uint64_t pkts,
       uint64_t cycles, double bytes_per_flow)
{
	snprintf(r->scenario, sizeof(r->scenario), "%s", name);
	r->flows = flows;
	r->packets = pkts;
	r->cpp = (double)cycles / (double)pkts;
	r->mpps = tsc_hz / r->cpp / 1e6;
	r->bytes_per_flow = bytes_per_flow;
}

static double
bpf(const struct setup *s, uint32_t max)
{
	return s->ft ? (double)sw_ft_memory(s->ft) / max : 0;
}

static void
scen_floor(struct result *r, uint64_t pkts)
{
	struct setup s;
	struct tpl *t = malloc(sizeof(*t) * 4096);
	uint32_t *order = malloc(sizeof(*order) * pkts), i;
	uint64_t cy;

	setup_make(&s, 0, true, 1);
	for (i = 0; i < 4096; i++)
		tcp_tpl(&t[i], rnd(), (int)(i / BURST % 2), 0x18, rnd(),
			rnd());
	for (i = 0; i < pkts; i++)
		order[i] = i % 4096;
	bench_sync();
	cy = run(s.w, t, pkts, order);
	if (counter(&s, SW_CNT_accept) != pkts)
		sanity_failed("floor: %" PRIu64 " of %" PRIu64 " forwarded\n",
			counter(&s, SW_CNT_accept), pkts);
	finish(r, "floor", 0, pkts, cy, 0);
	setup_free(&s);
	free(t);
	free(order);
}

static void
scen_established(struct result *r, uint32_t flows, uint64_t pkts)
{
	struct setup s;
	uint64_t n2 = 2ull * flows, cy, i;
	struct tpl *t = malloc(sizeof(*t) * n2);
	uint32_t *order = malloc(sizeof(*order) * pkts);
	uint32_t *perm = malloc(sizeof(*perm) * flows);
	char name[32];

	setup_make(&s, flows + flows / 8 + 64, true, 1);
	open_flows(&s, flows, 0);
	for (i = 0; i < flows; i++) {
		est_tpl(&t[2 * i], (uint32_t)i, 0);
		est_tpl(&t[2 * i + 1], (uint32_t)i, 1);
		perm[i] = (uint32_t)i;
	}
	/*
	 * Bursts alternate between the ports (client side, server side);
	 * each burst takes random flows in that direction.
	 */
	shuffle(perm, flows);
	for (i = 0; i < pkts; i++) {
		uint64_t burst = i / BURST;
		uint32_t f = perm[(i + burst * 7919) % flows];

		order[i] = 2 * f + (uint32_t)(burst & 1);
	}
	{
		uint64_t tr = counter(&s, SW_CNT_tracked);

		bench_sync();
		cy = run(s.w, t, pkts, order);
		if (counter(&s, SW_CNT_tracked) - tr != pkts)
			sanity_failed("established %u: only %" PRIu64 " of %"
				PRIu64 " packets tracked\n", flows,
				counter(&s, SW_CNT_tracked) - tr, pkts);
	}
	snprintf(name, sizeof(name), "established_%s", flows >= (1u << 20) ?
		 "1M" : flows >= 65536 ? "64K" : "1K");
	finish(r, name, flows, pkts, cy, bpf(&s, flows + flows / 8 + 64));
	setup_free(&s);
	free(t);
	free(order);
	free(perm);
}

/*
 * Whole connections: SYN, SYN/ACK, ACK, data each way, FIN/ACK each
 * way, last ACK. The table's clock runs 1000x fast (a timeout second is
 * a millisecond) so closed flows expire and are deleted during the run.
 */
static void
scen_lifecycle(struct result *r, uint32_t conns)
{
	static const struct {
		int srv;
		uint8_t flags;
		uint32_t seq, ack;
	} step[8] = { { 0, 0x02, CI, 0 }, { 1, 0x12, SI, CI + 1 },
		      { 0, 0x10, CI + 1, SI + 1 }, { 0, 0x18, CI + 1, SI + 1 },
		      { 1, 0x18, SI + 1, CI + 1 }, { 0, 0x11, CI + 1, SI + 1 },
		      { 1, 0x11, SI + 1, CI + 2 }, { 0, 0x10, CI + 2, SI + 2 } };
	struct setup s;
	struct tpl *t = malloc(sizeof(*t) * 8 * BURST);
	uint64_t cy = 0, pkts = 0;
	uint32_t i, j, k;
	struct sw_ft_stats st;

	setup_make(&s, 1u << 18, true, 1000);
	sw_ft_set_timeout(s.ft, SW_FT_TO_tcp_time_wait, 1);
	sw_ft_set_timeout(s.ft, SW_FT_TO_tcp_close, 1);
	bench_sync();
	for (i = 0; i < conns; i += BURST) {
		for (k = 0; k < 8; k++)
			for (j = 0; j < BURST; j++)
				tcp_tpl(&t[k * BURST + j], i + j, step[k].srv,
					step[k].flags, step[k].seq,
					step[k].ack);
		cy += run(s.w, t, 8 * BURST, NULL);
		pkts += 8 * BURST;
	}
	sw_ft_shard_stats(s.ft, 0, &st);
	if (st.inserts != conns || counter(&s, SW_CNT_invalid))
		sanity_failed("lifecycle: %" PRIu64 " inserts for %u "
			"connections, %" PRIu64 " invalid\n", st.inserts, conns,
			counter(&s, SW_CNT_invalid));
	finish(r, "lifecycle", conns, pkts, cy, bpf(&s, 1u << 18));
	r->conn_per_s = (double)conns / ((double)cy / tsc_hz);
	setup_free(&s);
	free(t);
}

/* Random-source SYNs against a table already full of assured flows. */
static void
scen_flood(struct result *r, uint32_t flows, bool early_drop, uint64_t pkts)
{
	struct setup s;
	struct tpl *t = malloc(sizeof(*t) * 65536);
	uint32_t *order = malloc(sizeof(*order) * pkts);
	uint64_t cy, i, sp;
	char name[32];

	setup_make(&s, flows, early_drop, 1);
	open_flows(&s, flows, 0);
	for (i = 0; i < 65536; i++)
		tcp_tpl(&t[i], (1u << 24) | rnd(), 0, 0x02, rnd(), 0);
	for (i = 0; i < pkts; i++)
		order[i] = (uint32_t)(i % 65536);
	sp = counter(&s, SW_CNT_spilled);
	bench_sync();
	cy = run(s.w, t, pkts, order);
	if (counter(&s, SW_CNT_spilled) - sp < pkts / 2)
		sanity_failed("flood: only %" PRIu64 " of %" PRIu64
			" spilled\n", counter(&s, SW_CNT_spilled) - sp, pkts);
	snprintf(name, sizeof(name), "flood_%s_%s",
		 flows >= (1u << 20) ? "1M" : "64K",
		 early_drop ? "earlydrop" : "noearlydrop");
	finish(r, name, flows, pkts, cy, bpf(&s, flows));
	setup_free(&s);
	free(t);
	free(order);
}

/*
 * SYNs from random spoofed sources answered by the SYN proxy with a
 * cookie (no state kept), into an empty table or a full one.
 */
static void
scen_synflood_cookie(struct result *r, uint32_t flows, bool full,
		     uint64_t pkts)
{
	struct setup s;
	struct tpl *t = malloc(sizeof(*t) * 65536);
	uint32_t *order = malloc(sizeof(*order) * pkts);
	uint64_t cy, i, ck;
	char name[40];

	bench_proxy = SW_FT_PROXY_OFF;
	setup_make(&s, flows, true, 1);
	if (full)
		open_flows(&s, flows, 0);
	sw_ft_set_proxy(s.ft, SW_FT_PROXY_ON, 50);
	sw_ft_expire(sw_ft_shard(s.ft, 0), rte_rdtsc());
	for (i = 0; i < 65536; i++)
		tcp_tpl(&t[i], (1u << 24) | rnd(), 0, 0x02, rnd(), 0);
	for (i = 0; i < pkts; i++)
		order[i] = (uint32_t)(i % 65536);
	ck = counter(&s, SW_CNT_synproxy_cookies_sent);
	bench_sync();
	cy = run(s.w, t, pkts, order);
	if (counter(&s, SW_CNT_synproxy_cookies_sent) - ck != pkts)
		sanity_failed("synflood_cookie: %" PRIu64 " of %" PRIu64 " SYNs "
		       "answered with a cookie\n",
		       counter(&s, SW_CNT_synproxy_cookies_sent) - ck, pkts);
	snprintf(name, sizeof(name), "synflood_cookie_%s_%s",
		 flows >= (1u << 20) ? "1M" : "64K", full ? "full" : "empty");
	finish(r, name, flows, pkts, cy, bpf(&s, flows));
	setup_free(&s);
	free(t);
	free(order);
}

/*
 * Established flows opened through the SYN proxy: every packet is
 * tracked in the server's numbers and translated (sequence numbers,
 * acknowledgements, checksum) on its way.
 */
static void
scen_synproxy_established(struct result *r, uint32_t flows, uint64_t pkts)
{
	struct setup s;
	uint64_t n2 = 2ull * flows, cy, i, rw;
	struct tpl *t = malloc(sizeof(*t) * n2), *hs = malloc(sizeof(*hs) * 2 *
							      BURST);
	uint32_t *order = malloc(sizeof(*order) * pkts);
	uint32_t *perm = malloc(sizeof(*perm) * flows);
	uint32_t *cookie = malloc(sizeof(*cookie) * flows);
	uint32_t max = flows + flows / 8 + 64, j, m;
	char name[40];

	bench_proxy = SW_FT_PROXY_ON;
	setup_make(&s, max, true, 1);
	bench_proxy = SW_FT_PROXY_OFF;
	/* The handshakes: the cookie ACK, then the server's SYN/ACK. */
	for (i = 0; i < flows; i += BURST) {
		m = (uint32_t)RTE_MIN((uint64_t)BURST, flows - i);
		for (j = 0; j < m; j++) {
			struct sw_ft_syn_opts o = { .wscale = SW_FT_NO_WSCALE };
			struct sw_ft_key k;
			struct tpl *a = &hs[j];
			uint32_t c, sv;

			/* The key the worker makes of the client's ACK. */
			tcp_tpl(a, (uint32_t)(i + j), 0, 0x10, CI + 1, 0);
			memcpy(&c, a->b + 26, 4);
			memcpy(&sv, a->b + 30, 4);
			sw_ft_key_make(&k, 4, 6, (uint8_t *)&c, (uint8_t *)&sv,
				       rte_cpu_to_be_16(rd16(a->b + 34)),
				       rte_cpu_to_be_16(80));
			cookie[i + j] = sw_ft_cookie_make(sw_ft_shard(s.ft, 0),
							  &k, SW_FT_DIR_LO, 0, CI,
							  rte_rdtsc(), &o);
			tcp_tpl(a, (uint32_t)(i + j), 0, 0x10, CI + 1,
				cookie[i + j] + 1);
			tcp_tpl(&hs[BURST + j], (uint32_t)(i + j), 1, 0x12, SI,
				CI + 1);
		}
		run(s.w, hs, m, NULL);
		run(s.w, hs + BURST, m, NULL);
	}
	for (i = 0; i < flows; i++) {
		tcp_tpl(&t[2 * i], (uint32_t)i, 0, 0x18, CI + 1, cookie[i] + 1);
		est_tpl(&t[2 * i + 1], (uint32_t)i, 1);
		perm[i] = (uint32_t)i;
	}
	shuffle(perm, flows);
	for (i = 0; i < pkts; i++) {
		uint64_t burst = i / BURST;
		uint32_t f = perm[(i + burst * 7919) % flows];

		order[i] = 2 * f + (uint32_t)(burst & 1);
	}
	rw = counter(&s, SW_CNT_synproxy_rewritten);
	bench_sync();
	cy = run(s.w, t, pkts, order);
	if (counter(&s, SW_CNT_synproxy_rewritten) - rw != pkts)
		sanity_failed("synproxy_established: %" PRIu64 " of %" PRIu64
		       " packets translated\n",
		       counter(&s, SW_CNT_synproxy_rewritten) - rw, pkts);
	snprintf(name, sizeof(name), "synproxy_established_%s",
		 flows >= (1u << 20) ? "1M" : "64K");
	finish(r, name, flows, pkts, cy, bpf(&s, max));
	setup_free(&s);
	free(t);
	free(hs);
	free(order);
	free(perm);
	free(cookie);
}

/* 64K established flows; one packet in ten opens a new connection. */
static void
scen_mixed(struct result *r, uint64_t pkts)
{
	const uint32_t flows = 65536;
	struct setup s;
	struct tpl *t = malloc(sizeof(*t) * pkts);
	uint64_t cy, i;

	setup_make(&s, 1u << 20, true, 1);
	open_flows(&s, flows, 0);
	for (i = 0; i < pkts; i++) {
		uint64_t burst = i / BURST;
		int srv = (int)(burst & 1);

		if (!srv && rnd() % 10 == 0)
			tcp_tpl(&t[i], (2u << 24) + (uint32_t)i, 0, 0x02, CI,
				0);
		else
			est_tpl(&t[i], rnd() % flows, srv);
	}
	bench_sync();
	cy = run(s.w, t, pkts, NULL);
	finish(r, "mixed", flows, pkts, cy, bpf(&s, 1u << 20));
	setup_free(&s);
	free(t);
}

/*
 * A threat feed's shape: 85 % hosts (/32), 14.5 % /24s, 0.5 % /16 to
 * /22, scattered over the address space (a million of them cover about
 * 2 % of it, so most random sources are in no set).
 */
static struct sw_pset *
feed_set(uint32_t n, unsigned int id)
{
	struct sw_pset_conf c = {
		.name = "bench", .family = 4, .max4 = n, .nets4 = n / 4 + 64,
		.socket_id = (int)rte_socket_id(),
	};
	struct sw_pset_prefix *p = malloc(sizeof(*p) * n);
	struct sw_pset_result res;
	struct sw_pset *ps;
	uint32_t i;

	(void)id;
	ps = sw_pset_create(&c);
	if (ps == NULL || p == NULL) {
		fprintf(stderr, "set of %u: %s\n", n, rte_strerror(rte_errno));
		exit(1);
	}
	for (i = 0; i < n; i++) {
		uint32_t r = rnd() % 1000, ip = rnd();
		uint8_t plen = r < 850 ? 32 : r < 995 ? 24 :
			       (uint8_t)(16 + rnd() % 7);

		ip = rte_cpu_to_be_32(ip & (~0u << (32 - plen)));
		memset(&p[i], 0, sizeof(p[i]));
		p[i].family = 4;
		p[i].plen = plen;
		memcpy(p[i].addr, &ip, 4);
	}
	if (sw_pset_replace(ps, p, n, &res) != 0) {
		fprintf(stderr, "set of %u: full\n", n);
		exit(1);
	}
	free(p);
	return ps;
}

/*
 * Stateless forwarding (the floor's set-up) with a notrack drop rule
 * per set, src=@set_i, or (nsets 0) one rule with a plain prefix: the
 * classifier's own cost. Sources are random over the whole space, so
 * few are in a set and the lookups miss the caches as real traffic
 * would; what they cost over the floor is what the sets add.
 */
static void
scen_sets(struct result *r, unsigned int nsets, uint32_t prefixes,
	  uint64_t pkts)
{
	struct sw_acl_rule rules[4];
	struct setup s;
	struct tpl *t = malloc(sizeof(*t) * 65536);
	uint32_t *order = malloc(sizeof(*order) * pkts), i;
	uint64_t cy, before, listed = 0;
	char name[32];

	for (i = 0; i < (nsets ? nsets : 1); i++) {
		sw_acl_rule_init(&rules[i], SW_ACL_DROP);
		if (nsets) {
			rules[i].srcx.sets = 1u << i;
			bench_sets[i] = feed_set(prefixes, i);
		} else {
			rules[i].src.family = 4;
			rules[i].src.plen = 8;
			rules[i].src.addr[0] = 10;
		}
	}
	bench_notrack = rules;
	bench_nb_notrack = nsets ? nsets : 1;
	bench_nb_sets = nsets;
	setup_make(&s, 0, true, 1);
	bench_notrack = NULL;
	bench_nb_notrack = 0;
	bench_nb_sets = 0;
	for (i = 0; i < 65536; i++)
		tcp_tpl(&t[i], rnd(), (int)(i / BURST % 2), 0x18, rnd(), rnd());
	/*
	 * Random sources, both sides: the IPv4 source is at offset 26
	 * whichever port a packet enters (tcp_tpl has already swapped the
	 * addresses for the server side).
	 */
	for (i = 0; i < 65536; i++) {
		uint32_t a = rnd();

		put32(t[i].b + 26, a);
		{
			struct rte_ipv4_hdr *ip = (void *)(t[i].b + 14);
			struct rte_tcp_hdr *th = (void *)(t[i].b + 34);

			ip->hdr_checksum = 0;
			th->cksum = 0;
			ip->hdr_checksum = rte_ipv4_cksum(ip);
			th->cksum = rte_ipv4_udptcp_cksum(ip, th);
		}
	}
	for (i = 0; i < pkts; i++)
		order[i] = (uint32_t)(i % 65536);
	/* What the drop rules should take: sources some set holds. */
	for (i = 0; i < 65536 && nsets; i++) {
		unsigned int k;

		for (k = 0; k < nsets; k++)
			if (sw_pset_test(bench_sets[k], 4, t[i].b + 26, NULL))
				break;
		if (k < nsets)
			listed += pkts / 65536 + (i < pkts % 65536);
	}
	before = counter(&s, SW_CNT_notrack);
	bench_sync();
	cy = run(s.w, t, pkts, order);
	if (nsets && counter(&s, SW_CNT_accept) < pkts * 3 / 4)
		sanity_failed("sets: only %" PRIu64 " of %" PRIu64 " forwarded\n",
		       counter(&s, SW_CNT_accept), pkts);
	if (nsets && counter(&s, SW_CNT_notrack) == before)
		sanity_failed("sets: no source was in a set\n");
	if (nsets && counter(&s, SW_CNT_notrack) - before != listed)
		sanity_failed("sets: %" PRIu64 " dropped, %" PRIu64 " from a "
			      "source a set holds\n",
			      counter(&s, SW_CNT_notrack) - before, listed);
	if (nsets)
		snprintf(name, sizeof(name), "sets_%ux%s", nsets,
			 prefixes >= 1000000 ? "1M" : "50K");
	else
		snprintf(name, sizeof(name), "notrack_rule");
	finish(r, name, prefixes, pkts, cy, 0);
	/* The sets go with the snapshot. */
	setup_free(&s);
	free(t);
	free(order);
}

/*
 * Worker idx's two --vdev net_null ports, started as spillway does, and
 * its mbuf pool (per worker: nothing shared on the packet path).
 */
static int
make_ports(unsigned int idx)
{
	char name[32];
	unsigned int p;

	snprintf(name, sizeof(name), "bench_mbuf%u", idx);
	pool = rte_pktmbuf_pool_create(name, 16383, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (pool == NULL)
		return -1;
	for (p = 0; p < 2; p++) {
		snprintf(name, sizeof(name), "net_null%u", 2 * idx + p);
		if (rte_eth_dev_get_port_by_name(name, &port_id[p]) ||
		    sw_port_start(port_id[p], name, 1, pool))
			return -1;
	}
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* What every worker runs, and what it found. */
static const char *only;
static bool quick;
static int nruns = 1;

struct job {
	unsigned int idx;
	unsigned int n;			/* scenarios */
	struct result runs[9][MAX_SCEN];
	struct result res[MAX_SCEN];	/* medians over runs */
};

static struct job jobs[MAX_WORKERS];

static int
bench_worker(void *arg)
{
	struct job *j = arg;
	unsigned int n = 0, r;

	rnd_state ^= 0x2545f4914f6cdd1dull * (j->idx + 1);
	if (make_ports(j->idx) != 0) {
		/* The others would wait for it at the first barrier. */
		fprintf(stderr, "worker %u: set-up failed: %s\n", j->idx,
			rte_strerror(rte_errno));
		exit(1);
	}
	for (r = 0; r < (unsigned int)nruns; r++) {
		struct result *x = j->runs[r];
		uint64_t pk = quick ? 1000000 : 4000000;

		n = 0;
#define WANT(s) (only == NULL || strstr(s, only) != NULL)
		scen_floor(&x[n++], pk);
		if (WANT("established_1K"))
			scen_established(&x[n++], 1024, pk);
		if (WANT("established_64K"))
			scen_established(&x[n++], 65536, pk);
		if (WANT("established_1M") && !quick)
			scen_established(&x[n++], 1u << 20, pk);
		if (WANT("lifecycle"))
			scen_lifecycle(&x[n++], quick ? 131072 : 524288);
		if (WANT("flood_64K")) {
			scen_flood(&x[n++], 65536, true, pk);
			scen_flood(&x[n++], 65536, false, pk);
		}
		if (WANT("flood_1M") && !quick) {
			scen_flood(&x[n++], 1u << 20, true, pk);
			scen_flood(&x[n++], 1u << 20, false, pk);
		}
		if (WANT("synflood_cookie")) {
			scen_synflood_cookie(&x[n++], 65536, false, pk);
			scen_synflood_cookie(&x[n++], 65536, true, pk);
		}
		if (WANT("synproxy_established"))
			scen_synproxy_established(&x[n++], 65536, pk);
		if (WANT("mixed"))
			scen_mixed(&x[n++], pk);
		if (WANT("sets") || WANT("notrack_rule"))
			scen_sets(&x[n++], 0, 0, pk);
		if (WANT("sets")) {
			scen_sets(&x[n++], 1, 50000, pk);
			scen_sets(&x[n++], 4, 50000, pk);
			if (!quick) {
				scen_sets(&x[n++], 1, 1000000, pk);
				scen_sets(&x[n++], 4, 1000000, pk);
			}
		}
#undef WANT
	}
	j->n = n;
	return 0;
}

/* Median over runs, per scenario and figure; ratios to the floor. */
static void
medians(struct job *j)
{
	double v[9];
	unsigned int k, r;

	for (k = 0; k < j->n; k++) {
		j->res[k] = j->runs[0][k];
		for (r = 0; r < (unsigned int)nruns; r++)
			v[r] = j->runs[r][k].cpp;
		qsort(v, (size_t)nruns, sizeof(v[0]), cmp_double);
		j->res[k].cpp = v[nruns / 2];
		j->res[k].mpps = tsc_hz / j->res[k].cpp / 1e6;
		for (r = 0; r < (unsigned int)nruns; r++)
			v[r] = j->runs[r][k].conn_per_s;
		qsort(v, (size_t)nruns, sizeof(v[0]), cmp_double);
		j->res[k].conn_per_s = v[nruns / 2];
	}
	for (k = 0; k < j->n; k++)
		j->res[k].ratio = j->res[k].cpp / j->res[0].cpp;
}

static void
print_one(const struct result *res, unsigned int n, bool json, bool huge)
{
	unsigned int k;

	if (json) {
		printf("[");
		for (k = 0; k < n; k++)
			printf("%s\n {\"scenario\":\"%s\",\"flows\":%" PRIu64
			       ",\"packets\":%" PRIu64 ",\"mpps\":%.3f,"
			       "\"cycles_per_packet\":%.1f,\"ratio_to_floor\":"
			       "%.2f,\"bytes_per_flow\":%.1f,"
			       "\"connections_per_s\":%.0f,\"tsc_hz\":%.0f,"
			       "\"hugepages\":%s,\"runs\":%d}", k ? "," : "",
			       res[k].scenario, res[k].flows, res[k].packets,
			       res[k].mpps, res[k].cpp, res[k].ratio,
			       res[k].bytes_per_flow, res[k].conn_per_s,
			       tsc_hz, huge ? "true" : "false", nruns);
		printf("\n]\n");
		return;
	}
	printf("%-30s %9s %10s %8s %10s %7s %9s %12s\n", "scenario",
	       "flows", "packets", "Mpps", "cycles/pkt", "ratio",
	       "B/flow", "conns/s");
	for (k = 0; k < n; k++) {
		printf("%-30s %9" PRIu64 " %10" PRIu64 " %8.2f %10.1f "
		       "%7.2f %9.1f", res[k].scenario, res[k].flows,
		       res[k].packets, res[k].mpps, res[k].cpp,
		       res[k].ratio, res[k].bytes_per_flow);
		if (res[k].conn_per_s > 0)
			printf(" %12.0f", res[k].conn_per_s);
		printf("\n");
	}
}

/*
 * N workers: per scenario, each worker's median Mpps and cycles a packet
 * and the total Mpps (the sum: the workers ran it at the same time).
 */
static void
print_many(bool json, bool huge)
{
	unsigned int k, w;

	if (json)
		printf("[");
	else
		printf("%-26s %9s %8s %10s %7s  %s\n", "scenario", "flows/wkr",
		       "total", "cycles/pkt", "ratio", "Mpps per worker");
	for (k = 0; k < jobs[0].n; k++) {
		double total = 0, conns = 0, cpp[MAX_WORKERS];
		double ratio[MAX_WORKERS];

		for (w = 0; w < nb_workers; w++) {
			total += jobs[w].res[k].mpps;
			conns += jobs[w].res[k].conn_per_s;
			cpp[w] = jobs[w].res[k].cpp;
			ratio[w] = jobs[w].res[k].ratio;
		}
		qsort(cpp, nb_workers, sizeof(cpp[0]), cmp_double);
		qsort(ratio, nb_workers, sizeof(ratio[0]), cmp_double);
		if (json) {
			printf("%s\n {\"scenario\":\"%s\",\"workers\":%u,"
			       "\"flows_per_worker\":%" PRIu64 ",\"mpps\":%.3f,"
			       "\"cycles_per_packet\":%.1f,\"ratio_to_floor\":"
			       "%.2f,\"connections_per_s\":%.0f,\"tsc_hz\":%.0f,"
			       "\"hugepages\":%s,\"runs\":%d,"
			       "\"per_worker_mpps\":[", k ? "," : "",
			       jobs[0].res[k].scenario, nb_workers,
			       jobs[0].res[k].flows, total,
			       cpp[nb_workers / 2], ratio[nb_workers / 2], conns,
			       tsc_hz, huge ? "true" : "false", nruns);
			for (w = 0; w < nb_workers; w++)
				printf("%s%.3f", w ? "," : "",
				       jobs[w].res[k].mpps);
			printf("]}");
			continue;
		}
		printf("%-26s %9" PRIu64 " %8.2f %10.1f %7.2f ",
		       jobs[0].res[k].scenario, jobs[0].res[k].flows, total,
		       cpp[nb_workers / 2], ratio[nb_workers / 2]);
		for (w = 0; w < nb_workers; w++)
			printf(" %.2f", jobs[w].res[k].mpps);
		if (conns > 0)
			printf("  (%.0f conns/s in all)", conns);
		printf("\n");
	}
	if (json)
		printf("\n]\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "quick", no_argument, NULL, 'q' },
		{ "only", required_argument, NULL, 'o' },
		{ "runs", required_argument, NULL, 'r' },
		{ "workers", required_argument, NULL, 'w' },
		{ "nic-cksum", no_argument, NULL, 'c' },
		{ "sync", no_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	static char vdev[2 * MAX_WORKERS][24];
	char prefix[64], lcores[32], mem[16];
	char *eal[16 + 4 * MAX_WORKERS];
	int ne = 0, opt, i;
	bool json = false, huge;
	unsigned int w, lc;

	while ((opt = getopt_long(argc, argv, "jqo:r:w:", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			rx_ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD |
				      RTE_MBUF_F_RX_L4_CKSUM_GOOD;
			break;
		case 'j': json = true; break;
		case 's': bench_ha = true; break;
		case 'q': quick = true; break;
		case 'o': only = optarg; break;
		case 'r': nruns = RTE_MAX(1, RTE_MIN(9, atoi(optarg))); break;
		case 'w':
			nb_workers = (unsigned int)RTE_MAX(1, RTE_MIN(
				MAX_WORKERS, atoi(optarg)));
			break;
		default:
			fprintf(stderr, "usage: spillway-bench [--json] [--quick] "
				"[--only NAME] [--runs N] [--workers N] "
				"[--nic-cksum] [--sync] [-- EAL args]\n");
			return 1;
		}
	}
	snprintf(prefix, sizeof(prefix), "sw-bench-%d", (int)getpid());
	snprintf(lcores, sizeof(lcores), "0-%u", nb_workers - 1);
	eal[ne++] = argv[0];
	eal[ne++] = "-l";
	eal[ne++] = lcores;
	eal[ne++] = "--no-pci";
	eal[ne++] = "--no-telemetry";
	eal[ne++] = "--log-level";
	eal[ne++] = "*:error";
	eal[ne++] = "--file-prefix";
	eal[ne++] = prefix;
	for (w = 0; w < 2 * nb_workers; w++) {
		snprintf(vdev[w], sizeof(vdev[w]), "net_null%u", w);
		eal[ne++] = "--vdev";
		eal[ne++] = vdev[w];
	}
	huge = access("/dev/hugepages", F_OK) == 0;
	if (huge) {
		FILE *f = fopen("/proc/meminfo", "r");
		char line[128];
		long free_pages = 0;

		while (f && fgets(line, sizeof(line), f))
			sscanf(line, "HugePages_Free: %ld", &free_pages);
		if (f)
			fclose(f);
		/* 2 MB pages: about 2 GB a worker. */
		huge = free_pages >= 1024 * (long)nb_workers;
	}
	if (!huge) {
		snprintf(mem, sizeof(mem), "%u", 3072 + 2048 * (nb_workers - 1));
		eal[ne++] = "--no-huge";
		eal[ne++] = "-m";
		eal[ne++] = mem;
	}
	for (i = optind; i < argc && ne < (int)RTE_DIM(eal) - 1; i++)
		eal[ne++] = argv[i];
	if (rte_eal_init(ne, eal) < 0) {
		fprintf(stderr, "EAL init failed\n");
		return 1;
	}
	if (rte_lcore_count() != nb_workers) {
		fprintf(stderr, "spillway-bench: %u lcores for %u workers\n",
			rte_lcore_count(), nb_workers);
		return 1;
	}
	/* Drawn once here, not raced by the workers' first tables. */
	if (sw_ft_hash_init() != 0) {
		fprintf(stderr, "spillway-bench: no random secret\n");
		return 1;
	}
	tsc_hz = (double)rte_get_tsc_hz();
	if (!json)
		printf("spillway-bench: %u worker%s, TSC %.2f GHz, %s, %d run%s "
		       "(median)\n", nb_workers, nb_workers > 1 ? "s" : "",
		       tsc_hz / 1e9, huge ? "hugepages" :
		       "no hugepages (--no-huge; dpdk-hugepages.py -p 2M "
		       "--setup 2G for the real figures)", nruns,
		       nruns > 1 ? "s" : "");

	w = 1;
	RTE_LCORE_FOREACH_WORKER(lc) {
		jobs[w].idx = w;
		rte_eal_remote_launch(bench_worker, &jobs[w], lc);
		w++;
	}
	jobs[0].idx = 0;
	bench_worker(&jobs[0]);
	rte_eal_mp_wait_lcore();
	for (w = 0; w < nb_workers; w++)
		medians(&jobs[w]);
	if (nb_workers == 1)
		print_one(jobs[0].res, jobs[0].n, json, huge);
	else
		print_many(json, huge);
	rte_eal_cleanup();
	if (bench_ha)
		fprintf(stderr, "spillway-bench: --sync: %" PRIu64 " flow events "
			"handed to the HA rings\n", sync_events);
	if (sanity_failures) {
		fprintf(stderr, "spillway-bench: %u sanity check%s failed: the "
			"figures above are not what they say\n",
			sanity_failures, sanity_failures > 1 ? "s" : "");
		return 1;
	}
	return 0;
}
