/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The spillway authors
 *
 * The drop log's writer: records the workers made (logq.c), handed
 * over on one ring per worker, written by the control thread under a
 * rate limit (see droplog.h).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "app.h"
#include "droplog.h"
#include "stats.h"
#include "log.h"
#include "parse.h"
#include "worker.h"
#include "clock.h"
#include "counters.h"

/* Records a worker may have queued; the control thread drains often. */
#define RING_SIZE 1024
/* Records the control thread takes from a ring at a time. */
#define DRAIN_BURST 32

struct sw_droplog {
	struct sw_app *app;
	unsigned int nb;
	struct rte_ring *ring[SW_MAX_WORKERS];
	uint64_t hz;
	uint64_t tsc0;		/* the TSC at wall0: records carry TSC */
	double wall0;		/* CLOCK_REALTIME seconds */
	double credit;		/* lines the writer may write now */
	double last;		/* monotonic seconds of the last refill */
	double next_report;
	uint64_t held;		/* suppressed by the writer since a report */
	uint64_t limited;	/* workers' log_limited at the last report */
	uint64_t full;		/* workers' log_ring_full at the last report */
};

struct sw_droplog *
sw_droplog_create(struct sw_app *app)
{
	struct sw_droplog *d = calloc(1, sizeof(*d));
	struct timespec ts;
	char name[RTE_RING_NAMESIZE];
	unsigned int i;

	RTE_BUILD_BUG_ON(sizeof(struct sw_log_rec) % 4 != 0);
	if (d == NULL)
		return NULL;
	d->app = app;
	d->hz = rte_get_tsc_hz();
	d->nb = app->cfg.nb_workers;
	for (i = 0; i < d->nb; i++) {
		struct sw_worker *w = app->workers[i];

		snprintf(name, sizeof(name), "sw_log%u", i);
		d->ring[i] = rte_ring_create_elem(name, sizeof(struct sw_log_rec),
			RING_SIZE, (int)rte_lcore_to_socket_id(w->lcore),
			RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (d->ring[i] == NULL) {
			SW_LOG(WARNING, "log: no ring for worker %u: %s; its "
			       "drops are not logged\n", i,
			       rte_strerror(rte_errno));
			continue;
		}
		w->log.ring = d->ring[i];
		w->log.last = rte_rdtsc();
		w->log.credit = d->hz;		/* a full bucket */
		sw_logq_set(&w->log, app->cfg.log.rate, app->cfg.log.invalid,
			    app->cfg.log.spill, d->hz);
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	d->tsc0 = rte_rdtsc();
	d->wall0 = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	d->last = sw_now_s();
	d->credit = app->cfg.log.rate;
	d->next_report = d->last + 1;
	return d;
}

void
sw_droplog_apply(struct sw_droplog *d)
{
	unsigned int i;

	if (d == NULL)
		return;
	for (i = 0; i < d->nb; i++)
		if (d->ring[i] != NULL)
			sw_logq_set(&d->app->workers[i]->log,
				    d->app->cfg.log.rate, d->app->cfg.log.invalid,
				    d->app->cfg.log.spill, d->hz);
}

static const char *
proto_name(uint8_t proto, char *buf, size_t len)
{
	const char *n = sw_acl_proto_name(proto);

	if (n != NULL)
		return n;
	snprintf(buf, len, "%u", proto);
	return buf;
}

/* One line, as iptables LOG writes one: fields a script can split. */
static void
write_line(const struct sw_droplog *d, const struct sw_log_rec *r)
{
	static const char flag_chars[] = "FSRPAUEC";
	const struct sw_config *cfg = &d->app->cfg;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], when[40];
	char rule[48], l4[64], flags[9], pbuf[8];
	int af = r->family == 6 ? AF_INET6 : AF_INET;
	double t = d->wall0 + ((double)r->tsc - (double)d->tsc0) / d->hz;
	time_t sec = (time_t)t;
	struct tm tm;
	unsigned int i, n = 0;

	gmtime_r(&sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	inet_ntop(af, r->src, src, sizeof(src));
	inet_ntop(af, r->dst, dst, sizeof(dst));
	if (r->set == SW_LOG_NO_SET)
		snprintf(rule, sizeof(rule), "-");
	else if (r->rule == SW_LOG_NO_RULE)
		snprintf(rule, sizeof(rule), "%s_default",
			 sw_acl_set_name(r->set));
	else if (r->set >= SW_ACL_NB_SETS && sw_app_acl(d->app) != NULL)
		snprintf(rule, sizeof(rule), "group:%s[%u]",
			 sw_acl_list_name(sw_app_acl(d->app), r->set),
			 r->rule);
	else
		snprintf(rule, sizeof(rule), "%s[%u]", sw_acl_set_name(r->set),
			 r->rule);
	if (r->proto == IPPROTO_TCP || r->proto == IPPROTO_UDP)
		snprintf(l4, sizeof(l4), " sport=%u dport=%u",
			 ntohs(r->sport), ntohs(r->dport));
	else if (r->proto == IPPROTO_ICMP || r->proto == IPPROTO_ICMPV6)
		snprintf(l4, sizeof(l4), " type=%u code=%u", r->icmp_type,
			 r->icmp_code);
	else
		l4[0] = '\0';
	for (i = 0; i < 8; i++)
		if (r->tcp_flags & (1u << i))
			flags[n++] = flag_chars[i];
	flags[n] = '\0';
	RTE_LOG(NOTICE, SPILLWAY_DROP, "%s.%06uZ %s%sworker=%u rule=%s "
		"verdict=%s reason=%s in=%s proto=%s src=%s dst=%s%s%s%s\n",
		when, (unsigned int)((t - (double)sec) * 1e6) % 1000000u,
		r->prefix, r->prefix[0] ? " " : "", r->worker, rule,
		sw_acl_action_name(r->verdict),
		r->reason == SW_LOG_RULE ? "rule" :
		r->reason == SW_LOG_DEFAULT ? "default" :
		r->reason == SW_LOG_SPILL ? "spill" :
		r->why < SW_CNT_MAX ? sw_worker_stats[r->why].name : "invalid",
		r->port < cfg->nb_ports ? cfg->ports[r->port].name : "?",
		proto_name(r->proto, pbuf, sizeof(pbuf)), src, dst, l4,
		r->proto == IPPROTO_TCP ? " flags=" : "",
		r->proto == IPPROTO_TCP ? flags : "");
}

/* Once a second with something held back: say how much, and where. */
static void
report(struct sw_droplog *d, double now)
{
	uint64_t limited = 0, full = 0, dl, df;
	unsigned int i;

	d->next_report = now + 1;
	for (i = 0; i < d->nb; i++) {
		const uint64_t *c = d->app->workers[i]->cnt.c;

		limited += __atomic_load_n(&c[SW_CNT_log_limited],
					   __ATOMIC_RELAXED);
		full += __atomic_load_n(&c[SW_CNT_log_ring_full],
					__ATOMIC_RELAXED);
	}
	dl = limited - d->limited;
	df = full - d->full;
	if (dl + df + d->held != 0)
		RTE_LOG(NOTICE, SPILLWAY_DROP, "log: %" PRIu64 " records "
			"suppressed in the last second (log.rate %u a "
			"second): %" PRIu64 " over the rate on the workers, %"
			PRIu64 " at the writer, %" PRIu64 " lost to a full "
			"ring\n", dl + df + d->held, d->app->cfg.log.rate, dl,
			d->held, df);
	d->limited = limited;
	d->full = full;
	d->held = 0;
}

void
sw_droplog_drain(struct sw_droplog *d)
{
	struct sw_log_rec r[DRAIN_BURST];
	unsigned int i, k, n;
	double now, rate;

	if (d == NULL)
		return;
	now = sw_now_s();
	rate = d->app->cfg.log.rate;
	d->credit = RTE_MIN(rate, d->credit + (now - d->last) * rate);
	d->last = now;
	for (i = 0; i < d->nb; i++) {
		if (d->ring[i] == NULL)
			continue;
		do {
			n = rte_ring_sc_dequeue_burst_elem(d->ring[i], r,
				sizeof(r[0]), DRAIN_BURST, NULL);
			for (k = 0; k < n; k++) {
				if (d->credit < 1) {
					d->held++;
					d->app->log_suppressed++;
					continue;
				}
				d->credit -= 1;
				write_line(d, &r[k]);
				d->app->log_lines++;
			}
		} while (n == DRAIN_BURST);
	}
	if (now >= d->next_report)
		report(d, now);
}

void
sw_droplog_free(struct sw_droplog *d)
{
	unsigned int i;

	if (d == NULL)
		return;
	sw_droplog_drain(d);
	for (i = 0; i < d->nb; i++) {
		if (d->app->workers[i] != NULL)
			d->app->workers[i]->log.ring = NULL;
		rte_ring_free(d->ring[i]);
	}
	free(d);
}
