/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_PIPELINE_H
#define SW_PIPELINE_H

/*
 * A worker and its flow table as a configuration asks for them: the
 * one way spillway, spillway-bench, the fuzzers and the unit tests
 * build the packet path.
 *
 * Thread-safety: control thread (or a test's main), before the worker
 * runs. Shutdown order: stop the worker, sw_pipeline_worker_free(),
 * then sw_ft_free() the table.
 */

#include <stdbool.h>
#include <stdint.h>

struct rte_rcu_qsbr;
struct sw_config;
struct sw_ft;
struct sw_ruleset;
struct sw_worker;

/*
 * The flow table of cfg->flowtable, with a shard for each of
 * cfg->nb_workers and each shard its share of the per-source quotas,
 * timed in ticks of hz, on `socket`. NULL (rte_errno set) when it
 * cannot be made; NULL with rte_errno 0 when the flow table is off.
 */
struct sw_ft *sw_pipeline_flowtable(const struct sw_config *cfg, uint64_t hz,
				    int socket);

/*
 * Worker `id` (its shard of ft, NULL: stateless; queue `id` of every
 * port) on lcore `lcore`'s socket: cfg's settings, the rule slot, a tx
 * buffer a port (port_id: DPDK ids by spillway index; tx errors count
 * tx_dropped), polling until *quit. NULL when out of memory.
 */
struct sw_worker *sw_pipeline_worker(const struct sw_config *cfg,
				     unsigned int id, unsigned int lcore,
				     const uint16_t *port_id,
				     struct sw_ruleset *const *rules,
				     struct rte_rcu_qsbr *qs, struct sw_ft *ft,
				     const volatile bool *quit);

/* Free a worker and its tx buffers. NULL is a no-op. */
void sw_pipeline_worker_free(struct sw_worker *w);

#endif /* SW_PIPELINE_H */
