/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 */
#ifndef SW_DROPLOG_H
#define SW_DROPLOG_H

/*
 * The drop log: one line per logged packet, with iptables LOG's
 * fields in its order (prefix, IN= OUT= MAC= SRC= DST= LEN= TOS= PREC=
 * TTL= ID= DF PROTO= SPT= DPT= WINDOW= RES= SYN URGP=, as apply), then
 * spillway's (RULE= VERDICT= REASON= WORKER=); or, with log.format =
 * "json", the same fields as one JSON object a line. A rule's
 * log_level is its lines' syslog level. Counts say what was held back.
 *
 * What is logged: what a rule with log = true decides (log_prefix
 * starts its line); what the policy and fallback defaults drop
 * (log.policy_default, log.fallback_default); invalid packets, by
 * reason (log.invalid); the first packet of each spill episode
 * (log.spill).
 *
 * How, so that a flood of logged packets can neither slow a worker
 * nor flood the log: a worker makes a record only while its token
 * bucket (log.rate a second, as many at once) has a token, else it
 * counts log_limited; it hands the record to the control thread on a
 * ring of its own (single producer, single consumer, 1024 records,
 * never waited on: a full ring counts log_ring_full). The control
 * thread drains the rings, writes at most log.rate lines a second for
 * all workers together (the rest count log_suppressed), and once a
 * second in which something was held back writes how much. The lines
 * go to DPDK's log (stdout and syslog: the journal under systemd)
 * under the logtype user.sw.drop, which --log-level can silence.
 *
 * The worker's side (its queue, sw_log_packet) is logq.h, in the
 * dataplane; this is the control thread's.
 *
 * Thread-safety: control thread only.
 */

#include "logq.h"

struct sw_app;

/*
 * Control side. sw_droplog_create() makes a ring per worker and sets
 * each worker's queue from app->cfg.log (before the workers start);
 * sw_droplog_apply() applies a reloaded log.* to the running workers;
 * sw_droplog_drain() writes what the workers queued (call it often:
 * every poll of the control loop); sw_droplog_free() after the
 * workers have stopped.
 */
struct sw_droplog;

struct sw_droplog *sw_droplog_create(struct sw_app *app);
void sw_droplog_apply(struct sw_droplog *d);
void sw_droplog_drain(struct sw_droplog *d);
void sw_droplog_free(struct sw_droplog *d);

#endif /* SW_DROPLOG_H */
