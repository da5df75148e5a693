/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * lib/flowtable unit tests: the SYN proxy: cookies and proxied flows (ft_proxy.c).
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

static uint64_t
next_rng(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/*
 * The burst's cookies (four MACs at once, with AVX2 where the CPU has
 * it) are sw_ft_cookie_make's, with the same options, IPv4 and IPv6
 * mixed, every burst length up to 64, with the vector path and without;
 * every one checks.
 */
static void
test_ft_cookie_burst_matches_scalar(void **state)
{
	static const uint16_t mss[] = { 0, 500, 536, 1300, 1440, 1460,
					1220, 8960, 65535 };
	struct sw_ft *ft = make_ft(64, true, 0, 0);
	struct sw_ft_shard *s = sw_ft_shard(ft, 0);
	struct sw_ft_key keys[64];
	struct sw_ft_pkt segs[64];
	const struct sw_ft_key *kp[64];
	const struct sw_ft_pkt *sp[64];
	struct sw_ft_syn_opts o[64], so, d;
	uint64_t rng = 0x9e3779b97f4a7c15ull, now = 6400;
	uint32_t c[64];
	unsigned int n, i, j, vec;

	(void)state;
	for (vec = 0; vec < 2; vec++) {
		sw_ft_hash_vector(vec == 1);
		for (n = 0; n <= 64; n++) {
			for (i = 0; i < n; i++) {
				uint8_t a[16], b[16];
				uint64_t r = next_rng(&rng);

				for (j = 0; j < 16; j++) {
					a[j] = (uint8_t)next_rng(&rng);
					b[j] = (uint8_t)(rng >> 8);
				}
				memset(&segs[i], 0, sizeof(segs[i]));
				segs[i].dir = (uint8_t)sw_ft_key_make(
					&keys[i], r % 3 ? 4 : 6, 6, a, b,
					(uint16_t)(r >> 8), (uint16_t)(r >> 24));
				keys[i].zone = (uint16_t)(r >> 40);
				segs[i].port = (uint8_t)(r >> 56) & 3;
				segs[i].seq = (uint32_t)next_rng(&rng);
				segs[i].mss = mss[(r >> 4) % RTE_DIM(mss)];
				segs[i].wscale = (r >> 12) % 5 == 0 ?
						 SW_FT_NO_WSCALE :
						 (uint8_t)((r >> 16) % 16);
				segs[i].sack_perm = (r >> 20) & 1;
				kp[i] = &keys[i];
				sp[i] = &segs[i];
			}
			memset(c, 0, sizeof(c));
			sw_ft_cookie_make_burst(s, kp, sp, o, c, (uint16_t)n,
						now);
			for (i = 0; i < n; i++) {
				so.mss = segs[i].mss;
				so.wscale = segs[i].wscale;
				so.sack_perm = segs[i].sack_perm;
				assert_int_equal(c[i], sw_ft_cookie_make(
					s, &keys[i], segs[i].dir, segs[i].port,
					segs[i].seq, now, &so));
				assert_int_equal(o[i].mss, so.mss);
				assert_int_equal(o[i].wscale, so.wscale);
				assert_int_equal(o[i].sack_perm, so.sack_perm);
				assert_int_equal(sw_ft_cookie_check(
					s, &keys[i], segs[i].dir, segs[i].port,
					segs[i].seq, c[i], now, &d), 0);
				assert_int_equal(d.mss, so.mss);
			}
		}
	}
	sw_ft_hash_vector(true);
	sw_ft_free(ft);
}

/*
 * Under a fixed secret a SYN's cookie is the value SipHash-1-3 of the
 * whole message gave before the MAC started from the state after its
 * tag word (computed with sw_ft_siphash at 93d4861): the shortcut is
 * the same function.
 */
static void
test_ft_cookie_known_answer(void **state)
{
	static const uint8_t a6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
	static const uint8_t b6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 };
	struct sw_ft *ft;
	struct sw_ft_shard *s;
	struct sw_ft_key k4 = key4(6, 40000, 80), k6;
	struct sw_ft_syn_opts o4 = { .mss = 1460, .wscale = 7, .sack_perm = 1 },
			      o6 = o4;
	int dir6;

	(void)state;
	sw_ft_hash_set_secret(0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull);
	ft = make_ft(64, true, 0, 0);
	s = sw_ft_shard(ft, 0);
	dir6 = sw_ft_key_make(&k6, 6, 6, a6, b6, 40000, 443);
	assert_int_equal(sw_ft_cookie_make(s, &k4, SW_FT_DIR_LO, 1, 1000,
					   6400, &o4), 0x9be878d3);
	assert_int_equal(sw_ft_cookie_make(s, &k6, dir6, 0, 77, 6400, &o6),
			 0x93f38b58);
	sw_ft_free(ft);
}

const struct CMUnitTest ft_proxy_tests[] = {
	cmocka_unit_test(test_ft_cookie_burst_matches_scalar),
	cmocka_unit_test(test_ft_cookie_known_answer),
	cmocka_unit_test(test_ft_cookie_roundtrip_and_forgery),
	cmocka_unit_test(test_ft_proxy_flow_translates),
	cmocka_unit_test(test_ft_cookie_bad_limit_per_source),
	cmocka_unit_test(test_ft_cookie_period),
};
const size_t ft_proxy_nb = RTE_DIM(ft_proxy_tests);
