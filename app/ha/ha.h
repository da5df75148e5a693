/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_HA_H
#define SW_HA_H

/*
 * High availability: flow state sync with one peer over UDP on a
 * dedicated link, the node's role, and the state file that keeps flows
 * across a clean restart (app/ha/DESIGN.md says how and why).
 *
 * Usage (the control thread, app/control/main.c):
 *   - sw_ha_start() once the ports are up and the workers made, before
 *     they run: the sync socket, the rings to the workers, the flow
 *     table's reporting mode, the role; or, without a peer, the flows
 *     of flowtable.state_file. Logs and returns -1 when it cannot.
 *   - sw_ha_poll() on every pass of the control loop, which waits at
 *     most sw_ha_wait_ms() between passes.
 *   - sw_ha_stop() once the workers have stopped: the state file is
 *     written (flowtable.state_file), everything freed.
 *   - the CLI: sw_ha_set_role(), sw_ha_resync(), sw_ha_report(); the
 *     stats outputs: sw_ha_values() and the SW_HA_STATS list.
 *
 * Thread-safety: control thread only. The workers meet it only
 * through their rings and the words it stores (dataplane/syncq.h).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "syncq.h"

struct sw_app;
struct sw_buf;
struct sw_shardmap;

/*
 * What show ha, the JSON "ha" object, telemetry's /spillway/ha and the
 * Prometheus spillway_ha_* families say, declared once: X(name, kind,
 * help), kind COUNTER (only grows), GAUGE or FLAG (0 or 1). The
 * workers' counters (SW_SYNCQ_COUNTERS, summed) follow these.
 */
#define SW_HA_OWN_STATS(X) \
	X(active,           FLAG,    "1 while this node forwards (its role is active)") \
	X(peer_up,          FLAG,    "1 while the peer is heard from (within 3 s) and has shown it knows this run") \
	X(epoch,            GAUGE,   "this run's epoch: its start, in microseconds since 1970") \
	X(peer_epoch,       GAUGE,   "the peer's epoch, as last heard") \
	X(bulk_received,    GAUGE,   "flows received in the last bulk asked of the peer") \
	X(bulk_expected,    GAUGE,   "flows the peer said that bulk would hold") \
	X(bulk_done,        FLAG,    "1 once that bulk is complete") \
	X(flows_sent,       COUNTER, "flow records sent to the peer (updates, deletions and bulks)") \
	X(flows_received,   COUNTER, "flow records received from the peer, authentic and fresh") \
	X(flows_applied,    COUNTER, "flows put into this node's table from the peer or the state file") \
	X(updates_dropped,  COUNTER, "flow updates not sent: over ha.max_updates_per_s") \
	X(imports_dropped,  COUNTER, "flows received but not handed to their worker: its ring was full") \
	X(auth_failed,      COUNTER, "datagrams that failed authentication, however garbled: nothing changed") \
	X(replayed,         COUNTER, "authentic datagrams already seen, or this node's own sent back: nothing changed") \
	X(stale_epoch,      COUNTER, "authentic datagrams of an earlier run of the peer: nothing changed") \
	X(unverified,       COUNTER, "authentic datagrams of the peer before it showed it had heard of this run: nothing changed") \
	X(wrong_node,       COUNTER, "authentic datagrams from a node other than the peer: nothing changed") \
	X(zone_mismatch,    COUNTER, "messages of the peer refused: its ports, pairs, zones or mode differ from this node's") \
	X(datagrams_sent,   COUNTER, "datagrams sent to the peer") \
	X(datagrams_received, COUNTER, "datagrams read from the sync socket, valid or not") \
	X(send_errors,      COUNTER, "datagrams the socket refused to send") \
	X(bulks_sent,       COUNTER, "bulks sent to the peer at its request") \
	X(acks_sent,        COUNTER, "new flows of the peer acknowledged, so it releases their first packet") \
	X(acks_received,    COUNTER, "this node's new flows the peer acknowledged")

#define SW_HA_STATS(X) \
	SW_HA_OWN_STATS(X) \
	SW_SYNCQ_COUNTERS(X)

enum sw_ha_stat {
#define SW_HA_STAT_ENUM(n, k, d) SW_HA_STAT_##n,
	SW_HA_STATS(SW_HA_STAT_ENUM)
#undef SW_HA_STAT_ENUM
	SW_HA_STAT_MAX
};

/* What a value of SW_HA_STATS is. */
enum sw_ha_kind {
	SW_HA_COUNTER = 0,	/* only grows */
	SW_HA_GAUGE,
	SW_HA_FLAG,		/* 0 or 1 */
};

/* A value's name, help and kind (enum sw_ha_kind), by index. */
const char *sw_ha_stat_name(unsigned int i);
const char *sw_ha_stat_help(unsigned int i);
int sw_ha_stat_kind(unsigned int i);

/* Waits the control loop may make between passes, in milliseconds. */
#define SW_HA_WAIT_MS	1

/*
 * Start HA (app->cfg.ha) or load the state file (no peer): see Usage.
 * map says which shard a flow goes to. Returns 0, or -1 (logged).
 */
int sw_ha_start(struct sw_app *app, const struct sw_shardmap *map);

/* A pass of the control loop: receive, send, bulks, hellos. */
void sw_ha_poll(struct sw_app *app);

/* How long the control loop may wait: SW_HA_WAIT_MS with HA, else def. */
int sw_ha_wait_ms(const struct sw_app *app, int def);

/*
 * The workers have stopped: write the state file (only after a clean
 * run: a start that failed must not replace the last good file with an
 * empty table), free everything.
 */
void sw_ha_stop(struct sw_app *app, bool clean);

/*
 * Make this node active or standby (enum sw_ha_role); `who` says who
 * asked, for the log. Appends the answer (or "error: ...") to out.
 */
void sw_ha_set_role(struct sw_app *app, uint8_t role, const char *who,
		    struct sw_buf *out);

/* Ask the peer for a bulk again (ha resync). Appends the answer. */
void sw_ha_resync(struct sw_app *app, struct sw_buf *out);

/* show ha: mode, role, peer, epochs, bulk, every counter. */
void sw_ha_report(const struct sw_app *app, struct sw_buf *out);

/*
 * The values of SW_HA_STATS now (summed over the workers). False when
 * HA is off (v untouched).
 */
bool sw_ha_values(const struct sw_app *app, uint64_t v[SW_HA_STAT_MAX]);

/* Names: the mode and role words, as in the config. */
const char *sw_ha_mode_name(const struct sw_app *app);
const char *sw_ha_role_name(const struct sw_app *app);

#endif /* SW_HA_H */
