/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The worker's pipeline as a whole: frames fed to sw_worker_burst() on
 * two net_null ports, what it did read back from its counters, its
 * flow table and its tx buffers.
 *
 * test_pipeline_miss_table walks every cell of the worker's decision
 * for a packet that misses the table (app/worker.c, miss_action: miss
 * class x spilling x proxy x policy verdict), from an independent copy
 * of the expected actions below. Each cell gets a fresh 4-flow table
 * in the mode its column says, then one frame of its row's class, from
 * a source the policy accepts or one it denies. Where the worker does
 * not ask the policy (a row whose cells in that mode do not depend on
 * the verdict, such as an ICMP error about no flow), the "accept" frame
 * lands in the deny cell, and the expected table holds the same action
 * in both: a cell that differs from its twin is always reached.
 *
 * The tests after it replay issue 22's attacks at this level.
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
#include <unistd.h>

#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "config.h"
#include "eal.h"
#include "frames.h"
#include "parse.h"
#include "port.h"
#include "ruleset.h"
#include "sw_acl.h"
#include "sw_ft.h"
#include "pipeline.h"
#include "worker.h"
#include "counters.h"

#define FIN 0x01
#define SYN 0x02
#define RST 0x04
#define PSH 0x08
#define ACK 0x10

/* The policy accepts everything from OK; BAD is its default's (drop). */
#define OK "192.0.2.10"
#define BAD "192.0.2.11"
#define SRV "198.51.100.80"
#define OUT 0		/* the clients' port */
#define IN 1		/* the server's */

static struct rte_mempool *pool;
static struct sw_worker *w;
static struct sw_ruleset *rs;
static struct sw_ft *ft;
static struct sw_config cfg;
static volatile bool never;
static uint16_t ip_id = 1;

/* ---- frames ---- */

static void
cksum4(struct frame *f, int l4)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f->b + f->l3);
	uint8_t *th = f->b + f->l4;
	uint16_t *ck;

	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	if (!l4)
		return;
	switch (ip->next_proto_id) {
	case IPPROTO_TCP:
		ck = (uint16_t *)(th + 16);
		*ck = 0;
		*ck = rte_ipv4_udptcp_cksum(ip, th);
		break;
	case IPPROTO_UDP:
		ck = (uint16_t *)(th + 6);
		*ck = 0;
		*ck = rte_ipv4_udptcp_cksum(ip, th);
		break;
	case IPPROTO_ICMP:
		ck = (uint16_t *)(th + 2);
		*ck = 0;
		*ck = (uint16_t)~rte_raw_cksum(th, (size_t)
			(rte_be_to_cpu_16(ip->total_length) - (f->l4 - f->l3)));
		break;
	}
}

static struct rte_mbuf *
mbuf_of(const struct frame *f)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);

	assert_non_null(m);
	memcpy(rte_pktmbuf_mtod(m, uint8_t *), f->b, f->len);
	m->data_len = (uint16_t)f->len;
	m->pkt_len = f->len;
	return m;
}

struct tcp_seg {
	const char *src, *dst;
	uint16_t sport, dport;
	uint8_t flags;
	uint32_t seq, ack;
	uint32_t ipopt;		/* bytes of IPv4 options */
	uint32_t data;		/* payload bytes */
	int frag;		/* 1: a first fragment (MF set) */
	uint32_t tsval;		/* nonzero: a timestamp option (NOP NOP TS) */
};

static struct rte_mbuf *
tcp4(const struct tcp_seg *s)
{
	struct frame f;
	uint8_t *th;

	fr_eth(&f, 0x0800);
	fr_ip4(&f, IPPROTO_TCP, s->src, s->dst, s->ipopt);
	put16(f.b + f.l3 + 4, ip_id++);
	if (s->frag)
		f.b[f.l3 + 6] = 0x20;	/* MF, offset 0 */
	fr_tcp(&f, s->sport, s->dport, s->flags, s->tsval ? 12 : 0);
	th = f.b + f.l4;
	if (s->tsval) {
		th[20] = 1;
		th[21] = 1;
		th[22] = 8;
		th[23] = 10;
		th[24] = (uint8_t)(s->tsval >> 24);
		th[25] = (uint8_t)(s->tsval >> 16);
		th[26] = (uint8_t)(s->tsval >> 8);
		th[27] = (uint8_t)s->tsval;
	}
	th[4] = (uint8_t)(s->seq >> 24);
	th[5] = (uint8_t)(s->seq >> 16);
	th[6] = (uint8_t)(s->seq >> 8);
	th[7] = (uint8_t)s->seq;
	th[8] = (uint8_t)(s->ack >> 24);
	th[9] = (uint8_t)(s->ack >> 16);
	th[10] = (uint8_t)(s->ack >> 8);
	th[11] = (uint8_t)s->ack;
	fr_payload(&f, s->data);
	fr_finish(&f, 60);
	cksum4(&f, !s->frag);
	return mbuf_of(&f);
}

/* The rest of a fragmented TCP datagram: `len` bytes at offset `off`. */
static struct rte_mbuf *
frag4(const char *src, const char *dst, uint16_t id, uint32_t off,
      uint32_t len, int more)
{
	struct frame f;

	fr_eth(&f, 0x0800);
	fr_ip4(&f, IPPROTO_TCP, src, dst, 0);
	put16(f.b + f.l3 + 4, id);
	put16(f.b + f.l3 + 6, (uint16_t)((more ? 0x2000 : 0) | off / 8));
	fr_payload(&f, len);
	fr_finish(&f, 60);
	cksum4(&f, 0);
	return mbuf_of(&f);
}

static struct rte_mbuf *
udp4(const char *src, uint16_t sport, const char *dst, uint16_t dport)
{
	struct frame f;

	fr_eth(&f, 0x0800);
	fr_ip4(&f, IPPROTO_UDP, src, dst, 0);
	put16(f.b + f.l3 + 4, ip_id++);
	fr_udp(&f, sport, dport);
	fr_payload(&f, 12);
	fr_finish(&f, 60);
	cksum4(&f, 1);
	return mbuf_of(&f);
}

/*
 * ICMP of `type` from src to dst; an error (type 3, 5) quotes a UDP
 * datagram from quoted_src:1234 to SRV:53.
 */
static struct rte_mbuf *
icmp4(const char *src, const char *dst, uint8_t type, const char *quoted_src)
{
	struct frame f, q;

	fr_eth(&f, 0x0800);
	fr_ip4(&f, IPPROTO_ICMP, src, dst, 0);
	put16(f.b + f.l3 + 4, ip_id++);
	fr_icmp(&f, type, type == 3 ? 3 : 0, 77);
	if (type == 3 || type == 5) {
		fr_eth(&q, 0x0800);
		fr_ip4(&q, IPPROTO_UDP, quoted_src, SRV, 0);
		fr_udp(&q, 1234, 53);
		fr_finish(&q, 0);
		memcpy(fr_put(&f, q.len - 14), q.b + 14, q.len - 14);
	} else {
		fr_payload(&f, 8);
	}
	fr_finish(&f, 60);
	cksum4(&f, 1);
	return mbuf_of(&f);
}

/* ---- the worker ---- */

static void
send1(uint8_t port, struct rte_mbuf *m)
{
	sw_worker_burst(w, port, &m, 1);
}

/* The packets waiting in port p's tx buffer (sent: flush). */
static unsigned int
pending(unsigned int p)
{
	return w->txb[p]->length;
}

static struct rte_mbuf *
pending_pkt(unsigned int p, unsigned int i)
{
	return w->txb[p]->pkts[i];
}

static void
flush(void)
{
	sw_worker_flush(w);
}

/* A fresh table of max flows for the worker. */
static struct sw_ft_shard *
fresh_table_ed(uint32_t max, bool loose, uint8_t proxy_mode, bool early_drop)
{
	struct sw_ft_conf fc;

	flush();
	sw_ft_free(ft);
	sw_ft_conf_defaults(&fc);
	fc.max_flows = max;
	fc.hz = rte_get_tsc_hz();
	fc.tcp_loose = loose;
	fc.early_drop = early_drop;
	fc.proxy_mode = proxy_mode;
	fc.proxy_bad_cookies = 0;
	ft = sw_ft_create(&fc);
	assert_non_null(ft);
	w->ft = sw_ft_shard(ft, 0);
	/* The sweep settles the proxy's state (on: answering SYNs). */
	sw_ft_expire(w->ft, rte_rdtsc());
	return w->ft;
}

/* The same with early drop off: what fills the table spills. */
static struct sw_ft_shard *
fresh_table(uint32_t max, bool loose, uint8_t proxy_mode)
{
	return fresh_table_ed(max, loose, proxy_mode, false);
}

static struct sw_ft_stats
ft_stats(void)
{
	struct sw_ft_stats st;

	sw_ft_shard_stats(ft, 0, &st);
	return st;
}

static uint64_t
cnt(unsigned int c)
{
	return w->cnt.c[c];
}

/* ---- the decision table ---- */

/* Rows, in app/worker.c's order (enum miss_class). */
enum {
	R_SYN, R_SYN_FRAG, R_NEW, R_ACK_LOOSE, R_ACK, R_MID_LOOSE, R_MID,
	R_FRAG_LOOSE, R_FRAG, R_ORPHAN_LOOSE, R_ORPHAN, R_ECHO_REPLY,
	R_UNTRACKED, R_COOKIE, R_FORGED_ICMP, R_MAX
};

static const char *const row_name[R_MAX] = {
	"SYN", "SYN_FRAG", "NEW", "ACK_LOOSE", "ACK", "MID_LOOSE", "MID",
	"FRAG_LOOSE", "FRAG", "ORPHAN_LOOSE", "ORPHAN", "ECHO_REPLY",
	"UNTRACKED", "COOKIE", "FORGED_ICMP",
};

/* What a cell does, as seen from outside. */
enum {
	X_VERDICT, X_INSERT, X_ANSWER, X_OPEN, X_SPILL, X_UNFIT, X_ORPHAN,
	X_INV_STATE, X_INV_ICMP, X_INV_FRAG, X_MAX
};

static const char *const act_name[X_MAX] = {
	"verdict", "insert", "answer", "open", "spill", "unfit", "orphan",
	"invalid_state", "icmp_unrelated", "invalid_frag",
};

#define VRD X_VERDICT
#define INS X_INSERT
#define ANS X_ANSWER
#define OPN X_OPEN
#define SPL X_SPILL
#define UNF X_UNFIT
#define ORP X_ORPHAN
#define IST X_INV_STATE
#define IIC X_INV_ICMP
#define IFR X_INV_FRAG

/* Columns: bit 2 spilling, bit 1 proxy, bit 0 the policy accepts. */
static const uint8_t expect[R_MAX][8] = {
/*		   quiet      proxy      spilling   spill+proxy */
[R_SYN]		= { VRD, INS, VRD, ANS, VRD, INS, VRD, ANS },
[R_SYN_FRAG]	= { VRD, IFR, VRD, UNF, VRD, IFR, VRD, UNF },
[R_NEW]		= { VRD, INS, VRD, INS, VRD, INS, VRD, INS },
[R_ACK_LOOSE]	= { VRD, INS, ORP, ORP, SPL, SPL, SPL, SPL },
[R_ACK]		= { IST, IST, ORP, ORP, IST, IST, IST, IST },
[R_MID_LOOSE]	= { IST, IST, IST, IST, SPL, SPL, SPL, SPL },
[R_MID]		= { IST, IST, IST, IST, IST, IST, IST, IST },
[R_FRAG_LOOSE]	= { IFR, IFR, IFR, IFR, SPL, SPL, SPL, SPL },
[R_FRAG]	= { IFR, IFR, IFR, IFR, IFR, IFR, IFR, IFR },
[R_ORPHAN_LOOSE] = { IIC, IIC, IIC, IIC, SPL, SPL, SPL, SPL },
[R_ORPHAN]	= { IIC, IIC, IIC, IIC, IIC, IIC, IIC, IIC },
[R_ECHO_REPLY]	= { VRD, VRD, VRD, VRD, SPL, SPL, SPL, SPL },
[R_UNTRACKED]	= { VRD, VRD, VRD, VRD, VRD, VRD, VRD, VRD },
[R_COOKIE]	= { OPN, OPN, OPN, OPN, OPN, OPN, OPN, OPN },
[R_FORGED_ICMP]	= { IIC, IIC, IIC, IIC, IIC, IIC, IIC, IIC },
};

static bool
row_loose(unsigned int r)
{
	switch (r) {
	case R_ACK:
	case R_MID:
	case R_FRAG:
	case R_ORPHAN:
		return false;
	default:
		return true;
	}
}

/*
 * Fill the 4-flow table with UDP flows, then one more: the insert
 * fails and the shard spills (early drop is off).
 */
static void
make_spill(void)
{
	uint16_t p;

	for (p = 1; p <= 5; p++)
		send1(OUT, udp4(OK, (uint16_t)(5000 + p), SRV, 53));
	flush();
	assert_true(sw_ft_spilling(w->ft));
}

/* The frame of row r, from the source the policy accepts or denies. */
static struct rte_mbuf *
row_frame(unsigned int r, bool accept)
{
	const char *src = accept ? OK : BAD;
	struct tcp_seg s = { .src = src, .dst = SRV, .sport = 40000,
			     .dport = 80, .seq = 1000, .ack = 2000 };

	switch (r) {
	case R_SYN:
		s.flags = SYN;
		s.ack = 0;
		return tcp4(&s);
	case R_SYN_FRAG:
		s.flags = SYN;
		s.ack = 0;
		s.frag = 1;
		s.data = 16;
		return tcp4(&s);
	case R_NEW:
		return udp4(src, 40000, SRV, 53);
	case R_ACK_LOOSE:
	case R_ACK:
		s.flags = ACK;
		return tcp4(&s);
	case R_MID_LOOSE:
	case R_MID:
		s.flags = FIN | ACK;
		return tcp4(&s);
	case R_FRAG_LOOSE:
	case R_FRAG:
		s.flags = ACK;
		s.frag = 1;
		s.data = 16;
		return tcp4(&s);
	case R_ORPHAN_LOOSE:
	case R_ORPHAN:
		/* From the server's side, about a datagram src sent it. */
		return icmp4(SRV, src, 3, src);
	case R_ECHO_REPLY:
		return icmp4(src, SRV, 0, NULL);
	case R_UNTRACKED:
		return icmp4(src, SRV, 13, NULL);
	case R_COOKIE: {
		struct sw_ft_syn_opts o = { .mss = 1460,
					    .wscale = SW_FT_NO_WSCALE };
		struct sw_ft_key k;
		uint8_t a[4], b[4];
		int dir;

		inet_pton(AF_INET, OK, a);
		inet_pton(AF_INET, SRV, b);
		dir = sw_ft_key_make(&k, 4, IPPROTO_TCP, a, b, htons(40000),
				     htons(80));
		k.zone = 0;
		s.src = OK;
		s.flags = ACK;
		s.seq = 1001;
		s.ack = sw_ft_cookie_make(w->ft, &k, dir, OUT, 1000,
					  rte_rdtsc(), &o) + 1;
		return tcp4(&s);
	}
	default:	/* R_FORGED_ICMP: a redirect is never related */
		return icmp4(SRV, src, 5, src);
	}
}

/* What the worker did with the frame: from its counters and table. */
static int
observed(const uint64_t *c0, const struct sw_ft_stats *f0)
{
	struct sw_ft_stats f1 = ft_stats();

#define D(x) (cnt(SW_CNT_##x) - c0[SW_CNT_##x])
	if (D(synproxy_cookies_sent))
		return X_ANSWER;
	if (D(synproxy_unfit))
		return X_UNFIT;
	if (D(synproxy_valid))
		return X_OPEN;
	if (D(synproxy_invalid))
		return X_ORPHAN;
	if (D(invalid_frag))
		return X_INV_FRAG;
	if (D(icmp_unrelated))
		return X_INV_ICMP;
	if (D(invalid_state))
		return X_INV_STATE;
	if (D(policy_accept) || f1.insert_failed != f0->insert_failed)
		return X_INSERT;
	if (D(spilled))
		return X_SPILL;
	return X_VERDICT;
#undef D
}

static void
test_pipeline_miss_table(void **state)
{
	unsigned int r, col, bad = 0;

	(void)state;
	for (r = 0; r < R_MAX; r++)
		for (col = 0; col < 8; col++) {
			bool spill = col & 4, px = col & 2, acc = col & 1;
			uint64_t c0[SW_CNT_MAX];
			struct sw_ft_stats f0;
			int got;

			fresh_table(4, row_loose(r), px ? SW_FT_PROXY_ON :
					       SW_FT_PROXY_AUTO);
			assert_int_equal(sw_ft_proxying(w->ft), px);
			if (spill)
				make_spill();
			memcpy(c0, w->cnt.c, sizeof(c0));
			f0 = ft_stats();
			send1(OUT, row_frame(r, acc));
			got = observed(c0, &f0);
			flush();
			if (got != expect[r][col]) {
				print_error("%s %s%s%s: %s, expected %s\n",
					    row_name[r], spill ? "spilling " : "",
					    px ? "proxy " : "",
					    acc ? "accept" : "deny",
					    act_name[got],
					    act_name[expect[r][col]]);
				bad++;
			}
			/* Every frame got exactly one outcome. */
			assert_int_equal(cnt(SW_CNT_rx) - c0[SW_CNT_rx], 1);
		}
	assert_int_equal(bad, 0);
}

/* ---- issue 22's attacks, at the pipeline ---- */

/*
 * Item 1: a cookie ACK whose SYN the policy would deny (a source a set
 * or a rule now refuses) is never checked; one it would accept is.
 */
static void
test_pipeline_cookie_only_where_policy_proxies(void **state)
{
	struct sw_ft_syn_opts o = { .mss = 1460, .wscale = SW_FT_NO_WSCALE };
	struct tcp_seg s = { .src = BAD, .dst = SRV, .sport = 40000,
			     .dport = 80, .flags = ACK, .seq = 1001 };
	struct sw_ft_key k;
	uint8_t a[4], b[4];
	uint64_t checked;
	int dir;

	(void)state;
	fresh_table(64, true, SW_FT_PROXY_AUTO);
	inet_pton(AF_INET, BAD, a);
	inet_pton(AF_INET, SRV, b);
	dir = sw_ft_key_make(&k, 4, IPPROTO_TCP, a, b, htons(40000),
			     htons(80));
	k.zone = 0;
	/* A genuine cookie for the denied source (as if made before). */
	s.ack = sw_ft_cookie_make(w->ft, &k, dir, OUT, 1000, rte_rdtsc(),
				  &o) + 1;
	checked = cnt(SW_CNT_synproxy_checked);
	send1(OUT, tcp4(&s));
	flush();
	assert_int_equal(cnt(SW_CNT_synproxy_checked), checked);
	assert_int_equal(ft_stats().flows, 0);
	/* The same for a source the policy accepts: checked, opened. */
	s.src = OK;
	inet_pton(AF_INET, OK, a);
	dir = sw_ft_key_make(&k, 4, IPPROTO_TCP, a, b, htons(40000),
			     htons(80));
	k.zone = 0;
	s.ack = sw_ft_cookie_make(w->ft, &k, dir, OUT, 1000, rte_rdtsc(),
				  &o) + 1;
	send1(OUT, tcp4(&s));
	assert_int_equal(cnt(SW_CNT_synproxy_checked), checked + 1);
	assert_int_equal(ft_stats().proxy_flows, 1);
	/* The server gets the SYN, in the client's numbers. */
	assert_int_equal(pending(IN), 1);
	flush();
}

/*
 * The SYN proxy's answer to the SYN from OK:sport (ISN isn) to SRV:80,
 * in m: a SYN/ACK from SRV:80 back to it, acknowledging isn + 1, with
 * TTL 64, an MSS option, a length that covers just its headers, and
 * both checksums right (sw_cksum_ok, no rx flags).
 */
static void
synack_valid(struct rte_mbuf *m, uint16_t sport, uint32_t isn, uint32_t tsval)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	struct sw_ft_pkt seg;
	struct sw_pkt p;
	uint32_t src, dst;

	assert_int_equal(sw_parse(f, rte_pktmbuf_data_len(m), &p), SW_PARSE_IP);
	assert_int_equal(sw_cksum_ok(f, &p, 0), 1);
	/* The client's timestamp echoed, or none if it sent none. */
	sw_parse_tcp_seg(f, &p, &seg);
	assert_int_equal(seg.has_ts, tsval != 0);
	if (tsval)
		assert_int_equal(seg.tsecr, tsval);
	assert_int_equal(p.k.tcp_flags, SYN | ACK);
	inet_pton(AF_INET, SRV, &src);
	inet_pton(AF_INET, OK, &dst);
	assert_memory_equal(f + 26, &src, 4);
	assert_memory_equal(f + 30, &dst, 4);
	assert_int_equal(f[22], 64);
	assert_int_equal(f[34] << 8 | f[35], 80);
	assert_int_equal(f[36] << 8 | f[37], sport);
	assert_int_equal((uint32_t)f[42] << 24 | (uint32_t)f[43] << 16 |
			 (uint32_t)f[44] << 8 | f[45], isn + 1);
	assert_int_equal(f[54], 2);			/* MSS first */
	assert_int_equal(rte_pktmbuf_data_len(m),
			 14 + 20 + (f[46] >> 4) * 4);
	assert_int_equal(f[16] << 8 | f[17], 20 + (f[46] >> 4) * 4);
}

/*
 * The SYN proxy's answer to a plain SYN: its headers and checksums
 * (computed from the words as they are written, not read back).
 */
static void
test_pipeline_synack_checksums(void **state)
{
	struct tcp_seg s = { .src = OK, .dst = SRV, .sport = 40011,
			     .dport = 80, .flags = SYN, .seq = 0xfffffff0u };

	(void)state;
	fresh_table(64, true, SW_FT_PROXY_ON);
	send1(OUT, tcp4(&s));
	assert_int_equal(pending(IN), 0);
	assert_int_equal(pending(OUT), 1);
	synack_valid(pending_pkt(OUT, 0), 40011, 0xfffffff0u, 0);
	flush();
	/* With a timestamp: echoed, and in both checksums. */
	s.sport = 40012;
	s.tsval = 0x01020304u;
	send1(OUT, tcp4(&s));
	assert_int_equal(pending(OUT), 1);
	synack_valid(pending_pkt(OUT, 0), 40012, 0xfffffff0u, 0x01020304u);
	flush();
}

/*
 * Item 2: a SYN with IPv4 options, while the proxy answers, gets a
 * SYN/ACK with a plain header back out its port; nothing reaches the
 * server.
 */
static void
test_pipeline_syn_with_options_answered_plain(void **state)
{
	struct tcp_seg s = { .src = OK, .dst = SRV, .sport = 40001,
			     .dport = 80, .flags = SYN, .seq = 7000,
			     .ipopt = 4 };
	const uint8_t *f;
	struct rte_mbuf *m;

	(void)state;
	fresh_table(64, true, SW_FT_PROXY_ON);
	send1(OUT, tcp4(&s));
	assert_int_equal(pending(IN), 0);
	assert_int_equal(pending(OUT), 1);
	m = pending_pkt(OUT, 0);
	f = rte_pktmbuf_mtod(m, const uint8_t *);
	assert_int_equal(f[14], 0x45);			/* no options */
	assert_int_equal(f[14 + 9], IPPROTO_TCP);
	assert_int_equal(f[34 + 13], SYN | ACK);
	assert_int_equal(rte_ipv4_cksum((const struct rte_ipv4_hdr *)
					(f + 14)), 0);
	synack_valid(m, 40001, 7000, 0);
	assert_int_equal(ft_stats().flows, 0);
	flush();
}

/*
 * Item 3: the handshake's ACK in a lone first fragment completes
 * nothing; a data segment in two fragments advances the flow by its
 * whole length once the last fragment comes, so the receiver's ACK of
 * all of it passes.
 */
static void
test_pipeline_fragmented_segment(void **state)
{
	struct tcp_seg c = { .src = OK, .dst = SRV, .sport = 40002,
			     .dport = 80 };
	struct tcp_seg r = { .src = SRV, .dst = OK, .sport = 80,
			     .dport = 40002 };
	uint64_t inv;

	(void)state;
	fresh_table(64, true, SW_FT_PROXY_OFF);
	c.flags = SYN;
	c.seq = 100;
	send1(OUT, tcp4(&c));
	r.flags = SYN | ACK;
	r.seq = 9000;
	r.ack = 101;
	send1(IN, tcp4(&r));
	c.flags = ACK;
	c.seq = 101;
	c.ack = 9001;
	c.frag = 1;
	c.data = 8;
	inv = cnt(SW_CNT_invalid_frag);
	send1(OUT, tcp4(&c));
	assert_int_equal(cnt(SW_CNT_invalid_frag), inv + 1);
	c.frag = 0;
	c.data = 0;
	send1(OUT, tcp4(&c));		/* the real ACK: established */
	/* 1,200 bytes: 520 in the first fragment (20 header + 500)... */
	c.flags = ACK | PSH;
	c.frag = 1;
	c.data = 500;
	send1(OUT, tcp4(&c));
	/* ...700 in the last, at offset 520 of the datagram. */
	send1(OUT, frag4(OK, SRV, (uint16_t)(ip_id - 1), 520, 700, 0));
	inv = cnt(SW_CNT_invalid_seq);
	r.flags = ACK;
	r.seq = 9001;
	r.ack = 101 + 1200;
	send1(IN, tcp4(&r));
	assert_int_equal(cnt(SW_CNT_invalid_seq), inv);
	/* Passed: SYN/ACK, ACK; SYN, ACK and both fragments of the data. */
	assert_int_equal(pending(OUT), 2);
	assert_int_equal(pending(IN), 4);
	flush();
}

/*
 * Item 4: an off-path host's SYN (ISN A) and RST (A + 1) leave a CLOSE
 * entry; the client's own SYN with a lower ISN opens its connection.
 */
static void
test_pipeline_close_reopened(void **state)
{
	struct tcp_seg c = { .src = OK, .dst = SRV, .sport = 40003,
			     .dport = 80 };
	struct tcp_seg r = { .src = SRV, .dst = OK, .sport = 80,
			     .dport = 40003 };
	uint64_t passed;

	(void)state;
	fresh_table(64, true, SW_FT_PROXY_OFF);
	c.flags = SYN;
	c.seq = 3000000000u;
	send1(OUT, tcp4(&c));
	c.flags = RST;
	c.seq = 3000000001u;
	send1(OUT, tcp4(&c));
	send1(OUT, tcp4(&c));
	flush();
	passed = cnt(SW_CNT_policy_accept);
	c.flags = SYN;
	c.seq = 5000;
	send1(OUT, tcp4(&c));
	assert_int_equal(cnt(SW_CNT_policy_accept), passed + 1);
	assert_int_equal(pending(IN), 1);
	r.flags = SYN | ACK;
	r.seq = 1;
	r.ack = 5001;
	send1(IN, tcp4(&r));
	assert_int_equal(pending(OUT), 1);
	flush();
}

/*
 * Item 5: a table full of assured UDP flows (queries and answers, then
 * queries again 2 s later) takes a new TCP flow, by early drop of an
 * assured UDP flow, instead of spilling it.
 */
static void
test_pipeline_assured_udp_cannot_pin(void **state)
{
	struct tcp_seg c = { .src = OK, .dst = SRV, .sport = 40004,
			     .dport = 80, .flags = SYN, .seq = 1 };
	struct sw_ft_stats st;
	uint64_t acc;
	uint16_t p;

	(void)state;
	fresh_table_ed(4, true, SW_FT_PROXY_OFF, true);
	for (p = 1; p <= 4; p++) {
		send1(OUT, udp4(OK, (uint16_t)(6000 + p), SRV, 53));
		send1(IN, udp4(SRV, 53, OK, (uint16_t)(6000 + p)));
	}
	usleep(2100 * 1000);
	for (p = 1; p <= 4; p++)
		send1(OUT, udp4(OK, (uint16_t)(6000 + p), SRV, 53));
	flush();
	st = ft_stats();
	assert_int_equal(st.flows, 4);
	assert_int_equal(st.evictable, 0);
	assert_int_equal(st.evictable_assured, 4);
	acc = cnt(SW_CNT_policy_accept);
	send1(OUT, tcp4(&c));
	st = ft_stats();
	assert_int_equal(cnt(SW_CNT_policy_accept), acc + 1);
	assert_int_equal(st.early_drops_assured, 1);
	assert_int_equal(st.insert_failed, 0);
	assert_false(sw_ft_spilling(w->ft));
	flush();
}

/* ---- jumbo frames, in segments (issue 24) ---- */

#define JUMBO_MTU	9000
static struct rte_mempool *big;

/*
 * A TCP segment of `data` bytes from s, whole in buf (the frame's
 * bytes), with correct checksums; its length is returned.
 */
static uint32_t
jumbo4(const struct tcp_seg *s, uint32_t data, uint8_t *buf)
{
	struct rte_mbuf *h = tcp4(s);
	uint32_t hl, i;
	struct rte_ipv4_hdr *ip;
	uint8_t *th;

	/* tcp4's frame is padded to 60 bytes: keep its 54 of headers. */
	hl = 14 + 20 + 20;
	memcpy(buf, rte_pktmbuf_mtod(h, uint8_t *), hl);
	rte_pktmbuf_free(h);
	for (i = 0; i < data; i++)
		buf[hl + i] = (uint8_t)(i * 7 + 3);
	ip = (struct rte_ipv4_hdr *)(buf + 14);
	ip->total_length = rte_cpu_to_be_16((uint16_t)(20 + 20 + data));
	ip->hdr_checksum = 0;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	th = buf + 34;
	th[16] = th[17] = 0;
	*(uint16_t *)(void *)(th + 16) = rte_ipv4_udptcp_cksum(ip, th);
	return hl + data;
}

/*
 * buf[0 .. len-1] as a chain of mbufs: `first` bytes in the first
 * (headers cut across segments), then up to 2000 a segment.
 */
static struct rte_mbuf *
chain_of(const uint8_t *buf, uint32_t len, uint32_t first, uint64_t ol_flags)
{
	struct rte_mbuf *head = NULL, *m;
	uint32_t off = 0, n;

	while (off < len) {
		n = off == 0 ? first : 2000;
		if (n > len - off)
			n = len - off;
		m = rte_pktmbuf_alloc(pool);
		assert_non_null(m);
		memcpy(rte_pktmbuf_append(m, (uint16_t)n), buf + off, n);
		if (head == NULL)
			head = m;
		else
			assert_int_equal(rte_pktmbuf_chain(head, m), 0);
		off += n;
	}
	head->ol_flags = ol_flags;
	return head;
}

/*
 * A 9,000-byte IP packet at MTU 9000 that came as a chain (rx scatter),
 * its headers cut across segments: made whole, parsed, its checksum
 * summed over every byte, tracked, forwarded byte for byte. One byte
 * changed in a later segment is bad_checksum; a packet one byte over
 * the MTU and a frame past the frame limit are over_mtu, never parsed;
 * with no buffer to copy into, chain_dropped. The old worker parsed the
 * first segment only and counted each of these malformed.
 */
static void
test_pipeline_chained_jumbo(void **state)
{
	static uint8_t buf[JUMBO_MTU + 64];
	struct tcp_seg c = { .src = OK, .dst = SRV, .sport = 40010,
			     .dport = 80 };
	struct tcp_seg r = { .src = SRV, .dst = OK, .sport = 80,
			     .dport = 40010 };
	uint64_t c0[SW_CNT_MAX];
	struct rte_mbuf *out;
	uint32_t len;

	(void)state;
	fresh_table(64, false, SW_FT_PROXY_OFF);
	w->mtu[OUT] = w->mtu[IN] = JUMBO_MTU;
	w->lin_pool = big;
	c.flags = SYN;
	c.seq = 1000;
	send1(OUT, tcp4(&c));
	r.flags = SYN | ACK;
	r.seq = 5000;
	r.ack = 1001;
	send1(IN, tcp4(&r));
	c.flags = ACK;
	c.seq = 1001;
	c.ack = 5001;
	send1(OUT, tcp4(&c));
	flush();
	memcpy(c0, w->cnt.c, sizeof(c0));

	c.flags = ACK | PSH;
	len = jumbo4(&c, JUMBO_MTU - 40, buf);
	assert_int_equal(len, 14 + JUMBO_MTU);
	send1(OUT, chain_of(buf, len, 30, 0));
	assert_int_equal(cnt(SW_CNT_rx_chained) - c0[SW_CNT_rx_chained], 1);
	assert_int_equal(cnt(SW_CNT_tracked) - c0[SW_CNT_tracked], 1);
	assert_int_equal(cnt(SW_CNT_malformed), c0[SW_CNT_malformed]);
	assert_int_equal(pending(IN), 1);
	out = pending_pkt(IN, 0);
	assert_int_equal(out->nb_segs, 1);
	assert_int_equal(rte_pktmbuf_pkt_len(out), len);
	assert_memory_equal(rte_pktmbuf_mtod(out, uint8_t *), buf, len);
	flush();

	/* One byte changed in the fourth segment: summed, refused. */
	c.seq += JUMBO_MTU - 40;
	len = jumbo4(&c, JUMBO_MTU - 40, buf);
	buf[6000] ^= 0x40;
	send1(OUT, chain_of(buf, len, 30, 0));
	assert_int_equal(cnt(SW_CNT_bad_checksum) - c0[SW_CNT_bad_checksum],
			 1);
	assert_int_equal(pending(IN), 0);

	/* The port's flags are kept through the copy: trusted. */
	send1(OUT, chain_of(buf, len, 30, RTE_MBUF_F_RX_L4_CKSUM_GOOD |
			    RTE_MBUF_F_RX_IP_CKSUM_GOOD));
	assert_int_equal(pending(IN), 1);
	assert_int_equal(cnt(SW_CNT_cksum_by_nic) - c0[SW_CNT_cksum_by_nic],
			 1);
	flush();

	/* One byte over the MTU (untagged: within the frame limit). */
	c.seq += JUMBO_MTU - 40;
	len = jumbo4(&c, JUMBO_MTU - 40 + 1, buf);
	send1(OUT, chain_of(buf, len, 30, 0));
	assert_int_equal(cnt(SW_CNT_over_mtu) - c0[SW_CNT_over_mtu], 1);
	/* Past the frame limit: dropped before it is copied or parsed. */
	len = jumbo4(&c, JUMBO_MTU - 40 + 23, buf);
	send1(OUT, chain_of(buf, len, 30, 0));
	assert_int_equal(cnt(SW_CNT_over_mtu) - c0[SW_CNT_over_mtu], 2);
	/* Copied: the four within the frame limit, not the last. */
	assert_int_equal(cnt(SW_CNT_rx_chained) - c0[SW_CNT_rx_chained], 4);

	/* Nothing to copy a chain into: dropped, counted. */
	w->lin_pool = NULL;
	len = jumbo4(&c, 4000, buf);
	send1(OUT, chain_of(buf, len, 30, 0));
	assert_int_equal(cnt(SW_CNT_chain_dropped) - c0[SW_CNT_chain_dropped],
			 1);
	assert_int_equal(pending(IN), 0);
	assert_int_equal(cnt(SW_CNT_malformed), c0[SW_CNT_malformed]);
	w->mtu[OUT] = w->mtu[IN] = 1500;
}

/*
 * The software checksum is skipped when the port's rx flags say good,
 * and not when they say bad or nothing: a segment with a wrong sum and
 * good flags passes (the port checked it), one with a right sum and
 * bad flags is bad_checksum, and one without flags is summed.
 */
static void
test_pipeline_rx_cksum_flags(void **state)
{
	struct tcp_seg c = { .src = OK, .dst = SRV, .sport = 40020,
			     .dport = 80, .flags = SYN, .seq = 77 };
	uint64_t c0[SW_CNT_MAX];
	struct rte_mbuf *m;

	(void)state;
	fresh_table(64, false, SW_FT_PROXY_OFF);
	memcpy(c0, w->cnt.c, sizeof(c0));
	m = tcp4(&c);
	rte_pktmbuf_mtod(m, uint8_t *)[14 + 20 + 16] ^= 0xff;
	m->ol_flags = RTE_MBUF_F_RX_L4_CKSUM_GOOD | RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	send1(OUT, m);
	assert_int_equal(pending(IN), 1);
	assert_int_equal(cnt(SW_CNT_cksum_by_nic) - c0[SW_CNT_cksum_by_nic],
			 1);
	flush();
	c.sport++;
	m = tcp4(&c);
	m->ol_flags = RTE_MBUF_F_RX_L4_CKSUM_BAD | RTE_MBUF_F_RX_IP_CKSUM_GOOD;
	send1(OUT, m);
	assert_int_equal(pending(IN), 0);
	assert_int_equal(cnt(SW_CNT_bad_checksum) - c0[SW_CNT_bad_checksum],
			 1);
	c.sport++;
	m = tcp4(&c);
	rte_pktmbuf_mtod(m, uint8_t *)[14 + 20 + 16] ^= 0xff;
	send1(OUT, m);
	assert_int_equal(pending(IN), 0);
	assert_int_equal(cnt(SW_CNT_bad_checksum) - c0[SW_CNT_bad_checksum],
			 2);
	assert_int_equal(cnt(SW_CNT_cksum_by_nic) - c0[SW_CNT_cksum_by_nic],
			 2);
}

static int
setup(void **state)
{
	static struct sw_acl_rule rule;
	struct sw_acl_conf ac;
	struct sw_acl *acl;
	char err[256];
	uint16_t id[2];
	unsigned int p;

	(void)state;
	if (test_eal_init_ports("pipeline", 2) != 0)
		return -1;
	pool = rte_pktmbuf_pool_create("tp", 4095, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	big = rte_pktmbuf_pool_create("tpbig", 63, 0, 0,
				      JUMBO_MTU + 22 + RTE_PKTMBUF_HEADROOM, 0);
	if (pool == NULL || big == NULL)
		return -1;
	for (p = 0; p < 2; p++) {
		char name[16];

		snprintf(name, sizeof(name), "net_null%u", p);
		if (rte_eth_dev_get_port_by_name(name, &id[p]) ||
		    sw_port_start(id[p], name, 1, pool))
			return -1;
	}
	if (sw_config_load("/dev/null", &cfg, err, sizeof(err)) != 0)
		return -1;
	/* The policy and the fallback accept OK, their defaults drop. */
	sw_acl_rule_init(&rule, SW_ACL_ACCEPT);
	if (sw_acl_parse_cidr(OK, &rule.src, err, sizeof(err)) != 0)
		return -1;
	memset(&ac, 0, sizeof(ac));
	ac.set[SW_ACL_POLICY].rules = &rule;
	ac.set[SW_ACL_POLICY].nb_rules = 1;
	ac.set[SW_ACL_POLICY].default_action = SW_ACL_DROP;
	ac.set[SW_ACL_FALLBACK].rules = &rule;
	ac.set[SW_ACL_FALLBACK].nb_rules = 1;
	ac.set[SW_ACL_FALLBACK].default_action = SW_ACL_DROP;
	ac.nb_workers = 1;
	ac.socket_id = SOCKET_ID_ANY;
	acl = sw_acl_create(&ac, err, sizeof(err));
	rs = acl ? sw_ruleset_wrap(acl, NULL, 0) : NULL;
	if (rs == NULL)
		return -1;
	w = sw_pipeline_worker(&cfg, 0, rte_lcore_id(), id, &rs, NULL, NULL,
			       &never);
	if (w == NULL)
		return -1;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	flush();
	sw_pipeline_worker_free(w);
	sw_ft_free(ft);
	test_eal_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipeline_miss_table),
		cmocka_unit_test(test_pipeline_cookie_only_where_policy_proxies),
		cmocka_unit_test(test_pipeline_synack_checksums),
		cmocka_unit_test(test_pipeline_syn_with_options_answered_plain),
		cmocka_unit_test(test_pipeline_fragmented_segment),
		cmocka_unit_test(test_pipeline_close_reopened),
		cmocka_unit_test(test_pipeline_assured_udp_cannot_pin),
		cmocka_unit_test(test_pipeline_chained_jumbo),
		cmocka_unit_test(test_pipeline_rx_cksum_flags),
	};

	return cmocka_run_group_tests_name("pipeline", tests, setup, teardown);
}
