/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * spillway-hash-bench: what the keyed flow hash costs against the CRC it
 * replaced, what a SYN cookie costs one at a time and a burst at once,
 * and what the software checksum check costs, per packet, in cycles
 * (rte_rdtsc), with everything in L1. Prints figures; asserts nothing.
 * The whole-pipeline cost of the checksum check is spillway-bench's
 * difference with --nic-cksum.
 *
 *   spillway-hash-bench
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_hash_crc.h>
#include <rte_ip.h>
#include <rte_random.h>

#include "parse.h"
#include "sw_ft.h"

#define KEYS 1024
#define ROUNDS 20000

static struct sw_ft_key keys[KEYS];
static uint8_t frames[KEYS][64];
static struct sw_pkt pkts[KEYS];
static struct sw_ft_pkt segs[KEYS];
static const struct sw_ft_key *kp[KEYS];
static const struct sw_ft_pkt *sp[KEYS];
static volatile uint32_t sink;

static void
make_keys(uint8_t family)
{
	uint8_t src[16], dst[16];
	unsigned int i, j;

	for (i = 0; i < KEYS; i++) {
		for (j = 0; j < 16; j++) {
			src[j] = (uint8_t)(uint32_t)rte_rand();
			dst[j] = (uint8_t)(uint32_t)rte_rand();
		}
		sw_ft_key_make(&keys[i], family, 6, src, dst,
			       (uint16_t)(uint32_t)rte_rand(), (uint16_t)(uint32_t)rte_rand());
	}
}

/* SYNs for the keys: random ISNs, common options. */
static void
make_syns(void)
{
	unsigned int i;

	for (i = 0; i < KEYS; i++) {
		memset(&segs[i], 0, sizeof(segs[i]));
		segs[i].seq = (uint32_t)rte_rand();
		segs[i].mss = 1460;
		segs[i].wscale = 7;
		segs[i].sack_perm = 1;
		kp[i] = &keys[i];
		sp[i] = &segs[i];
	}
}

/* A SYN's cookie, one at a time (sw_ft_cookie_make). */
static uint32_t
cookie_one(struct sw_ft_shard *s, unsigned int i)
{
	struct sw_ft_syn_opts o = { .mss = segs[i].mss,
				    .wscale = segs[i].wscale,
				    .sack_perm = segs[i].sack_perm };

	return sw_ft_cookie_make(s, kp[i], segs[i].dir, segs[i].port,
				 segs[i].seq, 6400, &o);
}

/* The cookies of BURST SYNs from i on, at once; one of them. */
#define BURST 32
static uint32_t
cookie_burst(struct sw_ft_shard *s, unsigned int i)
{
	struct sw_ft_syn_opts o[BURST];
	uint32_t c[BURST];

	if (i % BURST)
		return 0;
	sw_ft_cookie_make_burst(s, &kp[i], &sp[i], o, c, BURST, 6400);
	return c[0];
}

/* Median-free but warm: the best of 5 passes of ROUNDS x KEYS calls. */
#define TIME(expr, out)							\
	do {								\
		uint64_t best = UINT64_MAX, t;				\
		unsigned int pass, r, i;				\
		for (pass = 0; pass < 5; pass++) {			\
			t = rte_rdtsc_precise();			\
			for (r = 0; r < ROUNDS; r++)			\
				for (i = 0; i < KEYS; i++)		\
					sink += (expr);			\
			t = rte_rdtsc_precise() - t;			\
			if (t < best)					\
				best = t;				\
		}							\
		(out) = (double)best / ((double)ROUNDS * KEYS);		\
	} while (0)

/* 60-byte TCP/IPv4 frames (as spillway-bench's), checksums right. */
static void
make_frames(void)
{
	unsigned int i, j;
	uint16_t ck;

	for (i = 0; i < KEYS; i++) {
		uint8_t *f = frames[i];

		memset(f, 0, sizeof(frames[i]));
		f[12] = 0x08;
		f[14] = 0x45;
		f[17] = 40;
		f[22] = 64;
		f[23] = 6;
		for (j = 26; j < 34; j++)
			f[j] = (uint8_t)(uint32_t)rte_rand();
		for (j = 34; j < 42; j++)
			f[j] = (uint8_t)(uint32_t)rte_rand();
		f[46] = 0x50;
		f[47] = 0x10;
		f[48] = 0xff;
		/* Checksums as a NIC would see them (already in wire order). */
		ck = rte_ipv4_cksum((const struct rte_ipv4_hdr *)(f + 14));
		memcpy(f + 24, &ck, 2);
		ck = rte_ipv4_udptcp_cksum((const struct rte_ipv4_hdr *)(f + 14),
					   f + 34);
		memcpy(f + 50, &ck, 2);
		if (sw_parse(f, 60, &pkts[i]) != SW_PARSE_IP) {
			fprintf(stderr, "frame %u does not parse\n", i);
			exit(1);
		}
		if (!sw_cksum_ok(f, &pkts[i], 0)) {
			fprintf(stderr, "frame %u: checksum not right\n", i);
			exit(1);
		}
	}
}

int
main(int argc, char **argv)
{
	char prefix[64];
	char *eal[] = { argv[0], "--no-huge", "--no-pci", "-l", "0",
			"--file-prefix", prefix, "--log-level", "lib.*:error",
			NULL };
	double sip4, sip6, crc4, crc6, ck, c1[2], cb[2], cs[2];
	struct sw_ft_conf conf;
	struct sw_ft *ft;
	struct sw_ft_shard *s;
	unsigned int f;

	RTE_SET_USED(argc);
	snprintf(prefix, sizeof(prefix), "sw-hash-bench-%d", (int)getpid());
	if (rte_eal_init((int)RTE_DIM(eal) - 1, eal) < 0) {
		fprintf(stderr, "rte_eal_init failed\n");
		return 1;
	}
	sw_ft_hash_set_secret(0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull);
	sw_ft_conf_defaults(&conf);
	conf.max_flows = 1024;
	ft = sw_ft_create(&conf);
	if (ft == NULL) {
		fprintf(stderr, "sw_ft_create failed\n");
		return 1;
	}
	s = sw_ft_shard(ft, 0);
	make_keys(4);
	TIME(sw_ft_key_hash(&keys[i]), sip4);
	TIME(rte_hash_crc(&keys[i], sizeof(keys[i]), 0), crc4);
	make_keys(6);
	TIME(sw_ft_key_hash(&keys[i]), sip6);
	TIME(rte_hash_crc(&keys[i], sizeof(keys[i]), 0), crc6);
	for (f = 0; f < 2; f++) {
		make_keys(f == 0 ? 4 : 6);
		make_syns();
		TIME(cookie_one(s, i), c1[f]);
		sw_ft_hash_vector(false);
		TIME(cookie_burst(s, i), cs[f]);
		sw_ft_hash_vector(true);
		TIME(cookie_burst(s, i), cb[f]);
	}
	make_frames();
	TIME((uint32_t)sw_cksum_ok(frames[i], &pkts[i], 0), ck);
	printf("flow key hash, cycles a key (%zu-byte key, in L1):\n",
	       sizeof(struct sw_ft_key));
	printf("  IPv4  SipHash-1-3 (2 words) %6.1f   CRC32 (landed) %6.1f\n",
	       sip4, crc4);
	printf("  IPv6  SipHash-1-3           %6.1f   CRC32 (landed) %6.1f\n",
	       sip6, crc6);
	printf("SYN cookie, cycles a SYN (in L1): one at a time, "
	       "a burst of %d (scalar), a burst (four at once where AVX2):\n",
	       BURST);
	printf("  IPv4  %6.1f  %6.1f  %6.1f\n", c1[0], cs[0], cb[0]);
	printf("  IPv6  %6.1f  %6.1f  %6.1f\n", c1[1], cs[1], cb[1]);
	printf("software checksum check, 60-byte TCP/IPv4 frame "
	       "(IP header + TCP): %.1f cycles\n", ck);
	sw_ft_free(ft);
	rte_eal_cleanup();
	return 0;
}
