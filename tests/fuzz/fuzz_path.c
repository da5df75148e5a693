/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * libFuzzer target: the packet path as a whole, parse -> track ->
 * verdict, on a small table (max_flows 8), through the real
 * sw_worker_burst with two net_null ports. Input: frames, each a byte
 * of ingress port, a byte of length, then that many bytes. Invariants:
 * flows never exceed max_flows; a burst of only malformed frames never
 * creates a flow; every packet gets exactly one outcome.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "config.h"
#include "port.h"
#include "ruleset.h"
#include "sw_acl.h"
#include "sw_ft.h"
#include "parse.h"
#include "pipeline.h"
#include "worker.h"
#include "counters.h"
#include "../unit/eal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define MAX_FLOWS 8

static struct rte_mempool *pool;
static struct sw_worker *w;
static struct sw_acl *acl;
static struct sw_ruleset *rs;
static struct sw_ft *ft;
static struct sw_config cfg;
static volatile bool never;

/* The two net_null ports, started as spillway starts its ports. */
static void
ports(uint16_t *id)
{
	unsigned int p;

	for (p = 0; p < 2; p++) {
		char name[16];

		snprintf(name, sizeof(name), "net_null%u", p);
		if (rte_eth_dev_get_port_by_name(name, &id[p]) ||
		    sw_port_start(id[p], name, 1, pool))
			abort();
	}
}

/* libFuzzer has no teardown: remove the EAL's runtime directory at exit. */
static void
remove_runtime_dir(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", rte_eal_get_runtime_dir());
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove the EAL runtime directory\n");
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static char prefix[64], lcores[512];
	/* Not pinned to CPU 0: other fuzz targets run beside this one. */
	char *eal[] = { "fuzz_path", "--lcores", lcores, "--no-huge", "-m",
			"256", "--no-pci", "--no-telemetry", "--log-level", "*:error",
			"--file-prefix", prefix, "--vdev", "net_null0",
			"--vdev", "net_null1" };
	static struct sw_acl_rule r[3];
	struct sw_acl_conf ac;
	uint16_t id[2];
	char err[256];

	(void)argc;
	(void)argv;
	test_eal_lcores(lcores, sizeof(lcores));
	snprintf(prefix, sizeof(prefix), "sw-fuzz-path-%d", (int)getpid());
	if (rte_eal_init(16, eal) < 0)
		abort();
	atexit(remove_runtime_dir);
	pool = rte_pktmbuf_pool_create("fz", 4095, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE, 0);
	ports(id);
	sw_config_load("/dev/null", &cfg, err, sizeof(err));
	/* Accept TCP 80 and UDP 53 in, reject 23, fall back to web. */
	sw_acl_rule_init(&r[0], SW_ACL_ACCEPT);
	r[0].proto = 6;
	r[0].nb_dport = 1;
	r[0].dport[0].lo = r[0].dport[0].hi = 80;
	sw_acl_rule_init(&r[1], SW_ACL_ACCEPT);
	r[1].proto = 17;
	sw_acl_rule_init(&r[2], SW_ACL_REJECT);
	r[2].proto = 6;
	r[2].nb_dport = 1;
	r[2].dport[0].lo = r[2].dport[0].hi = 23;
	memset(&ac, 0, sizeof(ac));
	ac.set[SW_ACL_NOTRACK].rules = &r[2];
	ac.set[SW_ACL_NOTRACK].nb_rules = 1;
	ac.set[SW_ACL_POLICY].rules = r;
	ac.set[SW_ACL_POLICY].nb_rules = 2;
	ac.set[SW_ACL_POLICY].default_action = SW_ACL_DROP;
	ac.set[SW_ACL_FALLBACK].rules = r;
	ac.set[SW_ACL_FALLBACK].nb_rules = 1;
	ac.set[SW_ACL_FALLBACK].default_action = SW_ACL_DROP;
	ac.nb_workers = 1;
	ac.socket_id = SOCKET_ID_ANY;
	acl = sw_acl_create(&ac, err, sizeof(err));
	cfg.flowtable.ft.max_flows = MAX_FLOWS;
	cfg.flowtable.ft.src_max_flows = 0;
	ft = sw_pipeline_flowtable(&cfg, 1000, SOCKET_ID_ANY);
	rs = acl ? sw_ruleset_wrap(acl, NULL, 0) : NULL;
	if (rs == NULL || ft == NULL)
		abort();
	w = sw_pipeline_worker(&cfg, 0, rte_lcore_id(), id, &rs, NULL, ft,
			       &never);
	if (w == NULL)
		abort();
	return 0;
}

static uint64_t
outcomes(void)
{
	const uint64_t *c = w->cnt.c;

	return c[SW_CNT_malformed] + c[SW_CNT_l2_passthrough] +
	       c[SW_CNT_l2_dropped] + c[SW_CNT_accept] + c[SW_CNT_drop] +
	       c[SW_CNT_reject];
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rte_mbuf *m[32];
	struct sw_ft_stats before, after;
	size_t off = 0;

	while (off + 2 <= size) {
		uint8_t port = data[off] & 1;
		unsigned int n = 0, malformed_only = 1;
		uint64_t rx0 = w->cnt.c[SW_CNT_rx], out0 = outcomes();

		/* A burst: frames of one port, up to 32. */
		while (n < 32 && off + 2 <= size && (data[off] & 1) == port) {
			size_t len = data[off + 1];
			struct sw_pkt p;

			off += 2;
			if (len > size - off)
				len = size - off;
			m[n] = rte_pktmbuf_alloc(pool);
			if (m[n] == NULL)
				abort();
			memcpy(rte_pktmbuf_mtod(m[n], uint8_t *), data + off,
			       len);
			m[n]->data_len = m[n]->pkt_len = (uint16_t)len;
			if (!sw_parse_malformed(sw_parse(data + off,
							 (uint32_t)len, &p)))
				malformed_only = 0;
			off += len;
			n++;
		}
		sw_ft_shard_stats(ft, 0, &before);
		sw_worker_burst(w, port, m, (uint16_t)n);
		sw_worker_flush(w);
		sw_ft_shard_stats(ft, 0, &after);
		if (after.flows > MAX_FLOWS)
			abort();
		if (malformed_only && after.inserts != before.inserts)
			abort();
		if (w->cnt.c[SW_CNT_rx] - rx0 != n || outcomes() - out0 != n)
			abort();
	}
	return 0;
}
